import { S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { Context } from 'aws-lambda';
import { createLogger } from '../shared/logger';
import { describeRows, requestBody, requestGroups } from './batches';
import { endpointFailure, parsePredictions } from './endpoint';
import { ENDPOINT_REGION_VARIABLE, ENDPOINT_ROLE_ARN_VARIABLE } from './environment';
import { SYSTEM_TEST_ERRORS, SystemTestError } from './errors';
import { type BatchResult, InvokeInputSchema, parseInput, SYSTEM_TEST_LIMITS } from './events';
import { parseTestDataUri } from './s3-location';
import { readTestRows } from './test-data';

/** A request waits at most this long for the endpoint's answer (SageMaker's own limit for a model is 60 s). */
export const REQUEST_TIMEOUT_MS = 60_000;
const CONNECTION_TIMEOUT_MS = 5_000;
/** Time kept back from the function's timeout, to fail with a clear error instead of being cut off. */
const TIME_RESERVE_MS = 2_000;
/** A request is not started with less time than this left. */
const MIN_REQUEST_TIME_MS = 1_000;
const CSV = 'text/csv';

const logger = createLogger('system-test-invoke');
const s3 = new S3Client({});
// A staging endpoint in another account is invoked as its system-test invoker role there (the endpoint stack's);
// otherwise with the function's own role. One in another region, in that region.
const endpointRoleArn = process.env[ENDPOINT_ROLE_ARN_VARIABLE] || undefined;
const endpointRegion = process.env[ENDPOINT_REGION_VARIABLE] || undefined;
// One attempt: a retried request's latency would include the retries and their backoff; the state machine retries
// EndpointThrottled batches instead. The handler throws on a request timeout (the SDK only warns by default).
const sageMakerRuntime = new SageMakerRuntimeClient({
  ...(endpointRegion === undefined ? {} : { region: endpointRegion }),
  ...(endpointRoleArn === undefined
    ? {}
    : { credentials: fromTemporaryCredentials({ params: { RoleArn: endpointRoleArn, RoleSessionName: 'system-test' } }) }),
  maxAttempts: 1,
  requestHandler: {
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  },
});

function invalid(message: string): SystemTestError {
  return new SystemTestError(SYSTEM_TEST_ERRORS.invalidInput, message);
}

/**
 * One Map iteration of the system test: reads rows `firstRow`..`firstRow + rowCount - 1` of the test data (GetObject,
 * streamed, stopped after them), sends their features to the endpoint `rowsPerRequest` rows per request (text/csv,
 * one request after the other), and returns each row's label and prediction and each request's latency (ms, wall
 * time around the call, to the microsecond). Throws InvalidInput, TestDataNotFound, TestDataChanged,
 * MalformedTestData, EndpointThrottled or EndpointError, naming the value.
 */
export async function handler(event: unknown, context: Context): Promise<BatchResult> {
  logger.addContext(context);
  const input = parseInput(
    InvokeInputSchema,
    event,
    'a system test batch',
    'The Map state passes each batch of the plan with the plan\'s endpointName, testDataUri, rowsPerRequest and etag.',
  );
  const location = parseTestDataUri(input.testDataUri, { objectOnly: true });
  if (!location.ok || location.location.kind !== 'object') {
    throw invalid(location.ok ? `testDataUri ${input.testDataUri} is not an object` : location.reason);
  }
  if (input.firstRow + input.rowCount > SYSTEM_TEST_LIMITS.maxRows) {
    throw invalid(
      `firstRow ${input.firstRow} + rowCount ${input.rowCount} goes past row ${SYSTEM_TEST_LIMITS.maxRows}, the most a ` +
        'system test reads: pass a batch of the plan',
    );
  }
  const requests = Math.ceil(input.rowCount / input.rowsPerRequest);
  if (requests > SYSTEM_TEST_LIMITS.maxRequestsPerBatch) {
    throw invalid(
      `rowCount ${input.rowCount} at rowsPerRequest ${input.rowsPerRequest} makes ${requests} requests; a batch sends at ` +
        `most ${SYSTEM_TEST_LIMITS.maxRequestsPerBatch}: pass a batch of the plan`,
    );
  }
  const { bucket, key, uri } = location.location;
  const data = await readTestRows(
    s3,
    { bucket, key, uri },
    { first: input.firstRow, count: input.rowCount },
    { expectedEtag: input.etag ?? undefined },
  );
  if (data.rows.length < input.rowCount) {
    throw new SystemTestError(
      SYSTEM_TEST_ERRORS.malformedTestData,
      `${uri} holds ${input.firstRow + data.rows.length} data rows, so rows ${input.firstRow}-` +
        `${input.firstRow + input.rowCount - 1} of this batch are not all there: pass a batch of the plan, or plan again`,
    );
  }

  const result = { labels: [] as number[], predictions: [] as number[], latenciesMs: [] as number[] };
  for (const [index, rows] of requestGroups(data.rows, input.rowsPerRequest).entries()) {
    const request = {
      endpointName: input.endpointName,
      rows: describeRows(rows, input.firstRow + index * input.rowsPerRequest, uri),
    };
    const timeoutMs = Math.min(REQUEST_TIMEOUT_MS, context.getRemainingTimeInMillis() - TIME_RESERVE_MS);
    if (timeoutMs < MIN_REQUEST_TIME_MS) {
      throw new SystemTestError(
        SYSTEM_TEST_ERRORS.endpointError,
        `the batch ran out of time before ${request.rows}: endpoint '${input.endpointName}' answered ${index} ` +
          `requests in ${Math.round(sum(result.latenciesMs))} ms; lower requestsPerBatch or give the function more time`,
      );
    }
    const started = performance.now();
    let response;
    try {
      response = await sageMakerRuntime.send(
        new InvokeEndpointCommand({ EndpointName: input.endpointName, ContentType: CSV, Accept: CSV, Body: requestBody(rows) }),
        { requestTimeout: timeoutMs },
      );
    } catch (error) {
      throw endpointFailure(error, request, timeoutMs);
    }
    const latencyMs = performance.now() - started;
    result.predictions.push(...parsePredictions(response.Body, response.ContentType, rows.length, request));
    result.labels.push(...rows.map((row) => row.label));
    result.latenciesMs.push(Math.round(latencyMs * 1000) / 1000);
  }
  logger.info('Sent a batch to the endpoint', {
    endpointName: input.endpointName,
    firstRow: input.firstRow,
    rows: result.labels.length,
    requests: result.latenciesMs.length,
  });
  return result;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
