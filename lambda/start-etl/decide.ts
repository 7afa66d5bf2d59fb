import { DATA_LAYOUT, ETL_RUN_ID_PATTERN, etlRunLocation } from '../../lib/config/data-layout';
import { type Rejected, rejected } from '../shared/events';
import { findUnsafeCharacter, s3Uri, stableHash } from '../shared/text';
import type { ObjectCreatedEvent } from './event';
import type { ObjectKeyEncoding, StartEtlSettings } from './settings';

/** The settings the decision depends on. */
export type StartEtlRules = Pick<
  StartEtlSettings,
  'rawBucketName' | 'processedBucketName' | 'allowedSuffixes' | 'maxObjectBytes' | 'objectKeyEncoding'
>;

/** The decision to start an ETL run for one uploaded object version. */
export interface StartEtlRun {
  readonly status: 'start';
  readonly bucket: string;
  /** The object key, decoded: exactly as stored in S3. */
  readonly key: string;
  readonly versionId: string;
  /** Deterministic for bucket + key + version: a slug of the file name and a short hash. */
  readonly runId: string;
  /** `s3://bucket/key` with the decoded key. */
  readonly sourceUri: string;
  readonly outputUri: string;
  readonly quarantineUri: string;
}

/** Characters that Hadoop/Spark treat as glob syntax in a path: the job would read other objects, or none. */
const GLOB_CHARACTERS = /[*?[\]{}\\]/;

/**
 * Decides whether an S3 "Object Created" event starts an ETL run. Pure: the same event and rules always give the
 * same answer, and a rejection names the bad value and what would be accepted.
 */
export function decideStartEtl(event: ObjectCreatedEvent, rules: StartEtlRules): StartEtlRun | Rejected {
  const bucket = event.detail.bucket.name;
  const { size } = event.detail.object;
  const versionId = event.detail.object['version-id'];
  if (bucket !== rules.rawBucketName) {
    return rejected(
      `bucket '${bucket}' is not the raw bucket '${rules.rawBucketName}'; only uploads there start the ETL job`,
    );
  }
  const decoded = decodeObjectKey(event.detail.object.key, rules.objectKeyEncoding);
  if ('error' in decoded) {
    return rejected(decoded.error);
  }
  const key = decoded.key;
  const shown = JSON.stringify(key);
  const unsafe = findUnsafeCharacter(key);
  if (unsafe !== undefined) {
    return rejected(`key ${shown} contains the unsafe character ${unsafe}; upload the file under a name without it`);
  }
  if (!key.startsWith(DATA_LAYOUT.rawPrefix)) {
    return rejected(
      `key ${shown} is not under '${DATA_LAYOUT.rawPrefix}'; upload datasets under ${DATA_LAYOUT.rawPrefix}`,
    );
  }
  if (key.endsWith('/')) {
    return rejected(`key ${shown} is a folder marker (ends with '/'), not a dataset file`);
  }
  if (GLOB_CHARACTERS.test(key)) {
    return rejected(
      `key ${shown} contains one of * ? [ ] { } \\, which Spark reads as a glob pattern; rename the file`,
    );
  }
  if (key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return rejected(
      `key ${shown} has an empty, '.' or '..' path segment, which Hadoop paths collapse; rename the file`,
    );
  }
  const lowerKey = key.toLowerCase();
  if (!rules.allowedSuffixes.some((suffix) => lowerKey.endsWith(suffix))) {
    return rejected(`key ${shown} does not end with an allowed suffix (${rules.allowedSuffixes.join(', ')})`);
  }
  if (size === 0) {
    return rejected(`object ${shown} is empty (0 bytes); upload a file with a header and rows`);
  }
  if (size > rules.maxObjectBytes) {
    return rejected(
      `object ${shown} has ${size} bytes, more than the limit of ${rules.maxObjectBytes} (MAX_OBJECT_BYTES)`,
    );
  }
  if (versionId === undefined || versionId === '' || versionId === 'null') {
    return rejected(
      `event for ${shown} has no object version id (got ${JSON.stringify(versionId ?? null)}); ` +
        'the raw bucket must have versioning enabled, so that each upload is processed once and the run records ' +
        'the exact version it read',
    );
  }
  const runId = etlRunId(bucket, key, versionId);
  const location = etlRunLocation(rules.processedBucketName, runId);
  return {
    status: 'start',
    bucket,
    key,
    versionId,
    runId,
    sourceUri: s3Uri(bucket, key),
    outputUri: location.outputUri,
    quarantineUri: location.quarantineUri,
  };
}

/**
 * The object key as stored in S3. `none`: the event carries the key as is (S3's EventBridge events). `url`: `+` is
 * a space and `%xx` escapes are UTF-8 bytes (S3's SQS/SNS/Lambda notification format); a literal `+` arrives as
 * `%2B`, so `+` is replaced before unescaping, never after.
 */
export function decodeObjectKey(key: string, encoding: ObjectKeyEncoding): { key: string } | { error: string } {
  if (encoding === 'none') {
    return { key };
  }
  try {
    return { key: decodeURIComponent(key.replace(/\+/g, ' ')) };
  } catch {
    return {
      error:
        `key ${JSON.stringify(key)} is not valid URL encoding ('%' must start a UTF-8 %xx escape); ` +
        'check OBJECT_KEY_ENCODING (url) against what the events carry',
    };
  }
}

/** Slugs keep this many characters, leaving room for '-' and the hash within the 63 of ETL_RUN_ID_PATTERN. */
const MAX_SLUG_LENGTH = 50;

/**
 * The ETL run id of an object version: a readable slug of the file name (without its last extension) and 12 hex
 * characters of a hash of bucket + key + version id, e.g. `house-prices-2024-3f9a0c1b2d4e`. Deterministic, so
 * every delivery of the same upload names the same output prefix.
 */
export function etlRunId(bucket: string, key: string, versionId: string): string {
  const fileName = key.slice(key.lastIndexOf('/') + 1);
  const stem = fileName.includes('.') ? fileName.slice(0, fileName.lastIndexOf('.')) : fileName;
  const slug = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/^-+|-+$/g, '');
  const runId = `${slug === '' ? 'upload' : slug}-${stableHash([bucket, key, versionId], 12)}`;
  if (!ETL_RUN_ID_PATTERN.test(runId)) {
    throw new Error(`Internal error: run id '${runId}' does not match ${ETL_RUN_ID_PATTERN}`);
  }
  return runId;
}
