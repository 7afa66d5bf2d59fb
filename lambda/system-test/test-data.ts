import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { s3Uri } from '../shared/text';
import { csvRecords } from './csv';
import { awsFailure, errorName, SYSTEM_TEST_ERRORS, SystemTestError } from './errors';
import type { TestDataLocation } from './s3-location';
import { readHeader, readTestRow, type TestRow } from './test-rows';

/** The test data object. */
export interface TestDataObject {
  readonly bucket: string;
  readonly key: string;
  /** `s3://bucket/key` */
  readonly uri: string;
}

/** Listing a prefix stops after this many pages (1000 keys each): a test split's folder holds a handful. */
export const MAX_LIST_PAGES = 10;
/** How many .csv keys a "more than one" error names. */
const KEYS_SHOWN = 5;

const NOT_FOUND = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound']);

function notFound(message: string, cause?: unknown): SystemTestError {
  return new SystemTestError(SYSTEM_TEST_ERRORS.testDataNotFound, message, { cause });
}

/**
 * The test data object at `location`: the object itself, or the one `.csv` object under the prefix (listed with
 * ListObjectsV2, recursively). No .csv object is TestDataNotFound; more than one is MalformedTestData.
 */
export async function resolveTestObject(s3: S3Client, location: TestDataLocation): Promise<TestDataObject> {
  if (location.kind === 'object') {
    return { bucket: location.bucket, key: location.key, uri: location.uri };
  }
  const csvKeys: string[] = [];
  let otherKeys = 0;
  let continuationToken: string | undefined;
  for (let page = 1; ; page++) {
    let response;
    try {
      response = await s3.send(
        new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.prefix, ContinuationToken: continuationToken }),
      );
    } catch (error) {
      if (errorName(error) === 'NoSuchBucket') {
        throw notFound(`bucket '${location.bucket}' of testDataUri ${location.uri} does not exist: check the URI`, error);
      }
      throw awsFailure('S3 ListObjectsV2', `looking for the test data under ${location.uri}`, error);
    }
    for (const { Key: key } of response.Contents ?? []) {
      if (key === undefined || key.endsWith('/')) continue;
      if (key.endsWith('.csv')) csvKeys.push(key);
      else otherKeys++;
    }
    if (csvKeys.length > KEYS_SHOWN || !response.IsTruncated || response.NextContinuationToken === undefined) break;
    if (page === MAX_LIST_PAGES) {
      throw new SystemTestError(
        SYSTEM_TEST_ERRORS.invalidInput,
        `${location.uri} holds more than ${MAX_LIST_PAGES * 1000} objects: set testDataUri to the test .csv object itself`,
      );
    }
    continuationToken = response.NextContinuationToken;
  }
  if (csvKeys.length === 0) {
    const held = otherKeys === 0 ? 'nothing' : `${otherKeys} other object${otherKeys === 1 ? '' : 's'}`;
    throw notFound(
      `no .csv object under ${location.uri} (it holds ${held}): set testDataUri to the training pipeline's ` +
        'test split (the folder of test.csv, or test.csv itself)',
    );
  }
  if (csvKeys.length > 1) {
    const shown = csvKeys.slice(0, KEYS_SHOWN).map((key) => s3Uri(location.bucket, key));
    throw new SystemTestError(
      SYSTEM_TEST_ERRORS.malformedTestData,
      `${location.uri} holds more than one .csv object (${shown.join(', ')}${csvKeys.length > KEYS_SHOWN ? ', ...' : ''}): ` +
        'set testDataUri to the one to test with',
    );
  }
  const key = csvKeys[0];
  return { bucket: location.bucket, key, uri: s3Uri(location.bucket, key) };
}

/** Which data rows to read: `count` rows from the 0-based data row `first` (line `first + 2` when no value spans lines). */
export interface RowRange {
  readonly first: number;
  readonly count: number;
}

/** Rows read from the test data object. */
export interface TestDataSlice {
  readonly header: readonly string[];
  /** The rows of the range that exist (fewer than asked when the object ends first). */
  readonly rows: readonly TestRow[];
  /** Whether the object holds rows after the range (read: one row further; not read: the rest). */
  readonly hasMore: boolean;
  /** The object's ETag, to check that later reads see the same object. */
  readonly etag: string | undefined;
  /** The object's size in bytes. */
  readonly objectBytes: number | undefined;
}

/**
 * Reads the header and the rows of `range` from the object, streaming: the download stops one row after the range
 * (rows before it are parsed, not checked). With `expectedEtag`, an object with another ETag is TestDataChanged.
 */
export async function readTestRows(
  s3: S3Client,
  object: TestDataObject,
  range: RowRange,
  options: { readonly expectedEtag?: string } = {},
): Promise<TestDataSlice> {
  let response;
  try {
    response = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
  } catch (error) {
    const name = errorName(error);
    if (name !== undefined && NOT_FOUND.has(name)) {
      const what = name === 'NoSuchBucket' ? `bucket '${object.bucket}'` : `object ${object.uri}`;
      throw notFound(
        `${what} does not exist (${name}): set testDataUri to the training pipeline's test split ` +
          '(s3://<bucket>/<key>.csv, or the prefix holding test.csv)',
        error,
      );
    }
    throw awsFailure('S3 GetObject', `reading the test data ${object.uri}`, error);
  }
  const body = response.Body as AsyncIterable<Uint8Array> | undefined;
  const etag = response.ETag;
  if (options.expectedEtag !== undefined && etag !== options.expectedEtag) {
    destroy(body);
    throw new SystemTestError(
      SYSTEM_TEST_ERRORS.testDataChanged,
      `${object.uri} changed since the plan read it (ETag ${etag ?? 'none'}, planned ${options.expectedEtag}): ` +
        'the rows would not be the planned ones; run the system test again',
    );
  }
  if (body === undefined) {
    throw new Error(`S3 GetObject returned no body for ${object.uri}`);
  }
  let header: string[] | undefined;
  const rows: TestRow[] = [];
  let hasMore = false;
  let index = -1;
  for await (const record of csvRecords(body, object.uri)) {
    if (header === undefined) {
      header = readHeader(record, object.uri);
      continue;
    }
    index++;
    if (index < range.first) continue;
    if (index >= range.first + range.count) {
      hasMore = true;
      break;
    }
    rows.push(readTestRow(record, header, object.uri));
  }
  return { header: header ?? readHeader(undefined, object.uri), rows, hasMore, etag, objectBytes: response.ContentLength };
}

/** Stops downloading a body that will not be read. */
function destroy(body: AsyncIterable<Uint8Array> | undefined): void {
  const destroyable = body as { destroy?: () => void } | undefined;
  destroyable?.destroy?.();
}
