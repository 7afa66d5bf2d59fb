import { createHash } from 'crypto';

/**
 * The first character of `text` that must not reach an S3 key, a Glue argument or a log line unescaped: C0 and C1
 * control characters (newlines, tabs, NUL, DEL...), unpaired UTF-16 surrogates (not valid UTF-8, so never a real
 * S3 key) and U+FFFD (a decoding error upstream). Returns it as `U+XXXX at position N`, or undefined.
 */
export function findUnsafeCharacter(text: string): string | undefined {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const isControl = code <= 0x1f || (code >= 0x7f && code <= 0x9f);
    const isReplacement = code === 0xfffd;
    let isLoneSurrogate = false;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        index++;
      } else {
        isLoneSurrogate = true;
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      isLoneSurrogate = true;
    }
    if (isControl || isReplacement || isLoneSurrogate) {
      return `U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${index}`;
    }
  }
  return undefined;
}

/** Lowercase hex SHA-256 of `parts` (JSON-encoded, so no two different lists hash alike), cut to `length`. */
export function stableHash(parts: readonly string[], length = 64): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, length);
}

/** `s3://bucket/key`, with the key as is (not URL-encoded): the form Glue, Spark and SageMaker take. */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
