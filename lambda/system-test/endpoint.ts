import { awsFailure, errorName, httpStatusOf, SYSTEM_TEST_ERRORS, SystemTestError } from './errors';
import { parseDecimal } from './test-rows';

/** Errors of InvokeEndpoint that mean "not now": the state machine retries them with backoff. */
const THROTTLED = new Set(['ThrottlingException', 'ServiceUnavailable', 'ModelNotReadyException']);

/** At most this much of an answer is quoted in a message. */
const ANSWER_SHOWN = 200;

/** What a failed or odd request was: the endpoint and the rows it carried. */
export interface RequestContext {
  readonly endpointName: string;
  /** `rows 0-9 (lines 2-11 of s3://...)` */
  readonly rows: string;
}

function quote(text: string): string {
  return JSON.stringify(text.length > ANSWER_SHOWN ? `${text.slice(0, ANSWER_SHOWN)}...` : text);
}

/**
 * Turns an InvokeEndpoint error into the error the state machine matches (pure): EndpointThrottled for throttling
 * (ThrottlingException, any 429, ServiceUnavailable, ModelNotReadyException); EndpointError for the model's own error
 * (ModelError with its status and message), an unknown endpoint or bad request (ValidationError) and a request that
 * timed out; any other error keeps its name, wrapped with the context.
 */
export function endpointFailure(error: unknown, request: RequestContext, timeoutMs: number): Error {
  const name = errorName(error) ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const endpoint = `endpoint '${request.endpointName}'`;
  if (THROTTLED.has(name) || httpStatusOf(error) === 429) {
    return new SystemTestError(
      SYSTEM_TEST_ERRORS.endpointThrottled,
      `${endpoint} could not take the request for ${request.rows} (${name}: ${message}): the state machine retries ` +
        'with backoff; if it keeps happening, lower requestsPerBatch or the Map concurrency, or add instances',
      { cause: error },
    );
  }
  if (name === 'ModelError') {
    const { OriginalStatusCode: status, OriginalMessage: original, LogStreamArn: logStream } = error as {
      OriginalStatusCode?: number;
      OriginalMessage?: string;
      LogStreamArn?: string;
    };
    return new SystemTestError(
      SYSTEM_TEST_ERRORS.endpointError,
      `the model behind ${endpoint} answered ${request.rows} with status ${status ?? 'unknown'}: ` +
        `${quote(original ?? message)}${logStream === undefined ? '' : ` (log stream ${logStream})`}. ` +
        "Check the model's logs and that it takes text/csv rows of test.csv's features",
      { cause: error },
    );
  }
  if (name === 'ValidationError') {
    return new SystemTestError(
      SYSTEM_TEST_ERRORS.endpointError,
      `SageMaker refused the request to ${endpoint} for ${request.rows} (ValidationError: ${message}): check that the ` +
        'endpoint exists and is InService in this account and region',
      { cause: error },
    );
  }
  if (name === 'TimeoutError') {
    return new SystemTestError(
      SYSTEM_TEST_ERRORS.endpointError,
      `${endpoint} did not answer ${request.rows} within ${timeoutMs} ms (${message}): the endpoint is too slow for ` +
        'this test; check its instances, or lower rowsPerRequest',
      { cause: error },
    );
  }
  return awsFailure('SageMaker InvokeEndpoint', `${endpoint}, ${request.rows}`, error);
}

/**
 * The predictions in a text/csv answer (pure): numbers separated by line ends or commas, one per row sent. Anything
 * else is EndpointError quoting what came back.
 */
export function parsePredictions(
  body: Uint8Array | undefined,
  contentType: string | undefined,
  expected: number,
  request: RequestContext,
): number[] {
  const text = body === undefined ? '' : new TextDecoder('utf-8').decode(body);
  const answered = `the ${contentType ?? 'untyped'} answer ${quote(text)}`;
  const trimmed = text.trim();
  const values = trimmed === '' ? [] : trimmed.split(/\r\n|\r|\n|,/);
  const predictions: number[] = [];
  for (const [index, value] of values.entries()) {
    const number = parseDecimal(value);
    if (number === undefined) {
      throw new SystemTestError(
        SYSTEM_TEST_ERRORS.endpointError,
        `endpoint '${request.endpointName}' answered ${request.rows} with ${quote(value.trim())} as prediction ` +
          `${index + 1}, which is not a finite number (${answered}): the model must answer text/csv with one number per row`,
      );
    }
    predictions.push(number);
  }
  if (predictions.length !== expected) {
    throw new SystemTestError(
      SYSTEM_TEST_ERRORS.endpointError,
      `endpoint '${request.endpointName}' answered ${request.rows} with ${predictions.length} prediction` +
        `${predictions.length === 1 ? '' : 's'} for ${expected} row${expected === 1 ? '' : 's'} (${answered}): ` +
        'the model must answer text/csv with one number per row',
    );
  }
  return predictions;
}
