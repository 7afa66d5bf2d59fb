import { findUnsafeCharacter, s3Uri } from '../shared/text';

/** Where the test data is: one object, or a prefix expected to hold exactly one `.csv` object. */
export type TestDataLocation =
  | { readonly kind: 'object'; readonly bucket: string; readonly key: string; readonly uri: string }
  | { readonly kind: 'prefix'; readonly bucket: string; readonly prefix: string; readonly uri: string };

/** The outcome of {@link parseTestDataUri}: a location, or why the URI is not one. */
export type ParsedLocation = { readonly ok: true; readonly location: TestDataLocation } | { readonly ok: false; readonly reason: string };

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** S3 keys are at most 1024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;

/**
 * Reads `s3://bucket/key` (pure). A key ending in `.csv` names the object; any other key is a prefix (a `/` is
 * added when missing, so `s3://b/eval/test` means the folder `eval/test/`, not `eval/test-old/`). `objectOnly`
 * refuses prefixes (the per-batch handler reads the object the plan chose).
 */
export function parseTestDataUri(uri: string, options: { readonly objectOnly?: boolean } = {}): ParsedLocation {
  const shown = JSON.stringify(uri.length > 200 ? `${uri.slice(0, 197)}...` : uri);
  const expected = options.objectOnly
    ? 'expected s3://<bucket>/<key>.csv, the object the plan returned'
    : 'expected s3://<bucket>/<key>.csv or s3://<bucket>/<prefix>/ holding exactly one .csv object';
  const match = /^s3:\/\/([^/]*)\/(.*)$/s.exec(uri);
  if (match === null) {
    return { ok: false, reason: `testDataUri ${shown} is not an S3 URI: ${expected}` };
  }
  const [, bucket, key] = match;
  if (!BUCKET_NAME.test(bucket)) {
    return { ok: false, reason: `testDataUri ${shown} has the bucket name ${JSON.stringify(bucket)}, which is not an S3 bucket name (3-63 lowercase letters, digits, '.' or '-'): ${expected}` };
  }
  if (key === '') {
    return { ok: false, reason: `testDataUri ${shown} names a whole bucket: ${expected}` };
  }
  const unsafe = findUnsafeCharacter(key);
  if (unsafe !== undefined) {
    return { ok: false, reason: `testDataUri ${shown} has the unsafe character ${unsafe} in its key: ${expected}` };
  }
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    return { ok: false, reason: `testDataUri has a key of ${Buffer.byteLength(key, 'utf8')} bytes; S3 keys are at most ${MAX_KEY_BYTES}` };
  }
  if (key.endsWith('.csv')) {
    return { ok: true, location: { kind: 'object', bucket, key, uri: s3Uri(bucket, key) } };
  }
  if (options.objectOnly) {
    return { ok: false, reason: `testDataUri ${shown} does not name a .csv object: ${expected}` };
  }
  const prefix = key.endsWith('/') ? key : `${key}/`;
  return { ok: true, location: { kind: 'prefix', bucket, prefix, uri: s3Uri(bucket, prefix) } };
}
