import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { createLogger } from '../shared/logger';
import { type Batch, checkBatchCount, checkRequestSizes, planBatches } from './batches';
import { SYSTEM_TEST_ERRORS, SystemTestError } from './errors';
import { parseInput, PlanInputSchema } from './events';
import { parseTestDataUri } from './s3-location';
import { readTestRows, resolveTestObject } from './test-data';

const logger = createLogger('system-test-plan');
const s3 = new S3Client({});

/** What the Map state iterates over, and what the later states need. */
export interface SystemTestPlan {
  readonly endpointName: string;
  /** The test data object (the one .csv object when the input named a prefix). */
  readonly testDataUri: string;
  /** Its ETag when read: pass it to each batch, which then fails with TestDataChanged if the object changed. */
  readonly etag: string | null;
  /** Its size in bytes. */
  readonly objectBytes: number | null;
  /** test.csv's columns: the label, then the features. */
  readonly header: readonly string[];
  /** Rows tested: the first `min(maxRows, totalRows)` rows, all checked. */
  readonly rows: number;
  /**
   * Data rows in the object when it was read to its end; null when it holds more than maxRows rows (only what
   * maxRows needs is read, plus one row to know there are more).
   */
  readonly totalRows: number | null;
  /** Whether the object holds rows that are not tested. */
  readonly truncated: boolean;
  readonly rowsPerRequest: number;
  readonly requestsPerBatch: number;
  readonly batches: readonly Batch[];
}

/**
 * The first state of the system test: checks the input (no AWS call when it is invalid), finds the test data object
 * (ListObjectsV2 for a prefix), streams its header and the first maxRows rows (GetObject, stopped one row later),
 * checks them, and cuts them into batches for the Map state. Throws InvalidInput, TestDataNotFound or
 * MalformedTestData, naming the value.
 */
export async function handler(event: unknown, context: Context): Promise<SystemTestPlan> {
  logger.addContext(context);
  const input = parseInput(
    PlanInputSchema,
    event,
    'a system test input',
    'Start the system test with {"endpointName": "...", "testDataUri": "s3://bucket/key.csv", "maxRows"?: 1000, ' +
      '"rowsPerRequest"?: 1, "requestsPerBatch"?: 50}.',
  );
  const slicing = { rowsPerRequest: input.rowsPerRequest, requestsPerBatch: input.requestsPerBatch };
  checkBatchCount(input.maxRows, slicing);
  const location = parseTestDataUri(input.testDataUri);
  if (!location.ok) {
    throw new SystemTestError(SYSTEM_TEST_ERRORS.invalidInput, location.reason);
  }

  const object = await resolveTestObject(s3, location.location);
  const data = await readTestRows(s3, object, { first: 0, count: input.maxRows });
  if (data.rows.length === 0) {
    throw new SystemTestError(
      SYSTEM_TEST_ERRORS.malformedTestData,
      `${object.uri} has a header (${data.header.length} columns) but no data rows: test with the test split of a ` +
        'training run that had data',
    );
  }
  checkRequestSizes(data.rows, input.rowsPerRequest, object.uri);

  const plan: SystemTestPlan = {
    endpointName: input.endpointName,
    testDataUri: object.uri,
    etag: data.etag ?? null,
    objectBytes: data.objectBytes ?? null,
    header: data.header,
    rows: data.rows.length,
    totalRows: data.hasMore ? null : data.rows.length,
    truncated: data.hasMore,
    ...slicing,
    batches: planBatches(data.rows.length, slicing),
  };
  logger.info('Planned the system test', {
    endpointName: plan.endpointName,
    testDataUri: plan.testDataUri,
    rows: plan.rows,
    truncated: plan.truncated,
    batches: plan.batches.length,
  });
  return plan;
}
