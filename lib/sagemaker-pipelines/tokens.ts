/**
 * Detection of unresolved CDK tokens without importing aws-cdk-lib.
 *
 * Pipeline definitions are built from props that may hold tokens (bucket names, role ARNs, asset URLs) which CDK
 * resolves only at synthesis. Such values cannot be parsed or validated here, so every check skips them.
 */

const STRING_TOKEN_MARKER = '${Token[';
const LIST_TOKEN_MARKER = '#{Token[';
// CDK stringifies number tokens as this magic double (see aws-cdk-lib core encoding).
const STRINGIFIED_NUMBER_TOKEN = '-1.888154589';
// High 16 bits of the IEEE-754 representation that CDK uses for number tokens.
const DOUBLE_TOKEN_MARKER_BITS = 0xfbff;

/**
 * Whether `value` is (or contains) an unresolved CDK token: a string with `${Token[` / `#{Token[`, a list holding
 * such a string, or a number token.
 */
export function isUnresolved(value: unknown): boolean {
  if (typeof value === 'string') {
    return (
      value.includes(STRING_TOKEN_MARKER) || value.includes(LIST_TOKEN_MARKER) || value.includes(STRINGIFIED_NUMBER_TOKEN)
    );
  }
  if (typeof value === 'number') {
    return isNumberToken(value);
  }
  if (Array.isArray(value)) {
    return value.some((item) => typeof item === 'string' && isUnresolved(item));
  }
  return false;
}

function isNumberToken(value: number): boolean {
  if (!Number.isFinite(value) || Number.isInteger(value) && Math.abs(value) < 2 ** 53) {
    return false;
  }
  const buffer = new ArrayBuffer(8);
  new Float64Array(buffer)[0] = value;
  const view = new DataView(buffer);
  // Float64Array uses the platform's byte order; DataView reads it back explicitly.
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const high = view.getUint32(littleEndian ? 4 : 0, littleEndian);
  return high >>> 16 === DOUBLE_TOKEN_MARKER_BITS;
}
