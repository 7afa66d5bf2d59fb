/**
 * The errors the system-test handlers throw, by name: a Lambda function's error reaches Step Functions as its
 * `name`, so the state machine can `Retry` and `Catch` each one (`errors: [SYSTEM_TEST_ERRORS.endpointThrottled]`).
 * This module imports nothing, so that the CDK code can import the names.
 */
export const SYSTEM_TEST_ERRORS = {
  /** The handler's input is not what the state machine should send (wrong type, missing field, bad URI, limit). */
  invalidInput: 'InvalidInput',
  /** The test data exists but cannot be used: not UTF-8, no data rows, a ragged row, text in a number... */
  malformedTestData: 'MalformedTestData',
  /** No object at the test data URI, no bucket, or no .csv object under the prefix. */
  testDataNotFound: 'TestDataNotFound',
  /** The test object changed (another ETag) between the plan and a batch: rows would not be the planned ones. */
  testDataChanged: 'TestDataChanged',
  /** The endpoint throttled a request or could not take it right now: retry later, with backoff. */
  endpointThrottled: 'EndpointThrottled',
  /** The endpoint answered with an error, is unknown, timed out, or answered something that is not a prediction. */
  endpointError: 'EndpointError',
  /** The metric cannot be computed from the predictions (no rows, one class for AUC, labels that are not 0/1). */
  metricUndefined: 'MetricUndefined',
} as const;

/** The name of a system-test error. */
export type SystemTestErrorName = (typeof SYSTEM_TEST_ERRORS)[keyof typeof SYSTEM_TEST_ERRORS];

/** An error of the system-test handlers; its `name` is what the state machine matches. */
export class SystemTestError extends Error {
  public constructor(
    public readonly name: SystemTestErrorName,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Wraps an error of an AWS call that has no system-test name (AccessDenied, InternalFailure, a network error) with
 * what the handler was doing, keeping the original's name (for the state machine's Retry/Catch and the logs) and the
 * original as `cause`.
 */
export function awsFailure(operation: string, context: string, error: unknown): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const wrapped = new Error(`${operation} failed (${context}): ${original.name}: ${original.message}`, { cause: original });
  wrapped.name = original.name;
  return wrapped;
}

/** The name of an AWS SDK error, or undefined. */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** The HTTP status of an AWS SDK error's response, or undefined. */
export function httpStatusOf(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}
