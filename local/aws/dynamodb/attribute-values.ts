import { LocalAwsError } from '../errors';

/** A DynamoDB AttributeValue as the JSON protocol carries it (binary values as base64 strings). */
export type AttributeValue =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly B: string }
  | { readonly BOOL: boolean }
  | { readonly NULL: true }
  | { readonly SS: readonly string[] }
  | { readonly NS: readonly string[] }
  | { readonly BS: readonly string[] }
  | { readonly L: readonly AttributeValue[] }
  | { readonly M: Readonly<Record<string, AttributeValue>> };

/** An item: attribute name → value. */
export type Item = Record<string, AttributeValue>;

/** DynamoDB's limit on an item's size. */
export const MAX_ITEM_BYTES = 400 * 1024;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The type of an AttributeValue: `S`, `N`, `B`, `BOOL`, `NULL`, `SS`, `NS`, `BS`, `L` or `M`. */
export function typeOf(value: AttributeValue): string {
  return Object.keys(value)[0];
}

function invalid(path: string, message: string): LocalAwsError {
  return new LocalAwsError('ValidationException', `One or more parameter values were invalid: ${path}: ${message}`);
}

/**
 * Checks what the model cannot: exactly one data type per AttributeValue, numbers that are numbers, sets that are
 * non-empty and without duplicates. Throws ValidationException naming the path.
 */
export function checkAttributeValue(value: AttributeValue, path: string): void {
  const types = Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined);
  if (types.length !== 1) {
    throw invalid(path, `an AttributeValue has exactly one data type (S, N, B, BOOL, NULL, SS, NS, BS, L or M); got ${types.length ? types.join(', ') : 'none'}`);
  }
  const [type] = types;
  const data = (value as Record<string, unknown>)[type];
  if (type === 'N' && !NUMBER.test(data as string)) {
    throw invalid(path, `'${String(data)}' cannot be converted to a numeric value`);
  }
  if (type === 'NULL' && data !== true) {
    throw invalid(path, 'NULL must be true');
  }
  if (type === 'SS' || type === 'NS' || type === 'BS') {
    const members = data as string[];
    if (members.length === 0) throw invalid(path, `an empty set (${type}) is not allowed`);
    if (new Set(members).size !== members.length) throw invalid(path, `the set (${type}) has duplicate members`);
    if (type === 'NS') members.forEach((n, i) => checkAttributeValue({ N: n }, `${path}.NS[${i}]`));
  }
  if (type === 'L') (data as AttributeValue[]).forEach((item, i) => checkAttributeValue(item, `${path}[${i}]`));
  if (type === 'M') {
    for (const [name, item] of Object.entries(data as Item)) checkAttributeValue(item, `${path}.${name}`);
  }
}

/** Splits a decimal number string into sign, digits without leading zeros and the exponent of the last digit. */
function decimal(text: string): { sign: number; digits: string; exponent: number } {
  const match = NUMBER.exec(text.trim());
  if (!match) throw new Error(`'${text}' is not a number`);
  const sign = text.trim().startsWith('-') ? -1 : 1;
  const [whole, fraction = ''] = match[1].split('.');
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  const exponent = Number(match[2]?.slice(1) ?? 0) - fraction.length;
  const trimmed = digits.replace(/0+$/, '');
  return digits === '' ? { sign: 0, digits: '', exponent: 0 } : { sign, digits: trimmed, exponent: exponent + digits.length - trimmed.length };
}

/** Compares two DynamoDB numbers exactly (no floating-point rounding): negative, zero or positive. */
export function compareNumbers(a: string, b: string): number {
  const x = decimal(a);
  const y = decimal(b);
  if (x.sign !== y.sign) return x.sign - y.sign;
  if (x.sign === 0) return 0;
  // Magnitude: position of the most significant digit first, then the digits themselves.
  const xTop = x.digits.length + x.exponent;
  const yTop = y.digits.length + y.exponent;
  let magnitude = xTop - yTop;
  if (magnitude === 0) {
    const width = Math.max(x.digits.length, y.digits.length);
    const xs = x.digits.padEnd(width, '0');
    const ys = y.digits.padEnd(width, '0');
    magnitude = xs < ys ? -1 : xs > ys ? 1 : 0;
  }
  return x.sign * Math.sign(magnitude);
}

/** Compares two strings by their UTF-8 bytes, as DynamoDB orders S values. */
function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

/**
 * Orders two scalar values of the same type (S by UTF-8 bytes, N numerically, B by bytes); undefined when they
 * cannot be ordered (different types, a missing value, or a type without order).
 */
export function compareValues(a: AttributeValue | undefined, b: AttributeValue | undefined): number | undefined {
  if (!a || !b || typeOf(a) !== typeOf(b)) return undefined;
  if ('N' in a && 'N' in b) return compareNumbers(a.N, b.N);
  if ('S' in a && 'S' in b) return compareBytes(Buffer.from(a.S, 'utf-8'), Buffer.from(b.S, 'utf-8'));
  if ('B' in a && 'B' in b) return compareBytes(Buffer.from(a.B, 'base64'), Buffer.from(b.B, 'base64'));
  return undefined;
}

/** Deep equality of two values: numbers numerically, sets regardless of order, lists and maps member by member. */
export function valuesEqual(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (!a || !b || typeOf(a) !== typeOf(b)) return false;
  const ordered = compareValues(a, b);
  if (ordered !== undefined) return ordered === 0;
  if ('BOOL' in a && 'BOOL' in b) return a.BOOL === b.BOOL;
  if ('NULL' in a) return true;
  if ('L' in a && 'L' in b) return a.L.length === b.L.length && a.L.every((item, i) => valuesEqual(item, b.L[i]));
  if ('M' in a && 'M' in b) {
    const keys = Object.keys(a.M);
    return keys.length === Object.keys(b.M).length && keys.every((key) => valuesEqual(a.M[key], b.M[key]));
  }
  const scalar = typeOf(a)[0] as 'S' | 'N' | 'B';
  const left = Object.values(a)[0] as readonly string[];
  const right = Object.values(b)[0] as readonly string[];
  const member = (text: string) => ({ [scalar]: text }) as AttributeValue;
  return left.length === right.length && left.every((x) => right.some((y) => valuesEqual(member(x), member(y))));
}

/** An approximation of DynamoDB's item size: attribute names plus their values' bytes. */
export function itemSize(item: Item): number {
  const valueSize = (value: AttributeValue): number => {
    if ('S' in value) return Buffer.byteLength(value.S);
    if ('N' in value) return Math.ceil(value.N.replace(/^[+-]|\.|e.*$/gi, '').length / 2) + 1;
    if ('B' in value) return Buffer.from(value.B, 'base64').length;
    if ('L' in value) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
    if ('M' in value) return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + valueSize(v), 0);
    if ('SS' in value || 'BS' in value) return ('SS' in value ? value.SS : value.BS).reduce((sum, v) => sum + Buffer.byteLength(v), 0);
    if ('NS' in value) return value.NS.reduce((sum, n) => sum + valueSize({ N: n }), 0);
    return 1;
  };
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);
}
