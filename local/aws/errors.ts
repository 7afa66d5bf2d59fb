import type { ShapeIssue } from './shape-check';

/**
 * An AWS error for the local endpoint to answer with, in the protocol of the service that was called, so the SDK
 * client raises it by name (`EntityNotFoundException`, `ConcurrentRunsExceededException`, `ResourceNotFound`,
 * `ValidationException`...). Backends throw it; any other error a backend throws answers `InternalFailure` (500).
 */
export class LocalAwsError extends Error {
  /** The AWS error code, which the SDK client raises as the exception's `name`. */
  public readonly code: string;
  /** The HTTP status. 4xx errors are the caller's, 5xx errors are the service's (and retryable by the SDK). */
  public readonly statusCode: number;
  /** Extra members of the error body, e.g. DynamoDB's `Item` on ConditionalCheckFailedException. */
  public readonly fields: Readonly<Record<string, unknown>>;

  /**
   * @param code the AWS error code, e.g. `EntityNotFoundException`
   * @param message what was wrong, naming the bad value and what to do
   * @param statusCode the HTTP status (default 400)
   * @param fields extra members of the error body (default none)
   */
  public constructor(code: string, message: string, statusCode = 400, fields: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = 'LocalAwsError';
    this.code = code;
    this.statusCode = statusCode;
    this.fields = fields;
  }
}

/** `N validation error(s) detected: path: message; ...`, the way AWS services word request validation errors. */
export function validationMessage(issues: readonly ShapeIssue[]): string {
  const count = `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected`;
  return `${count}: ${issues.map((issue) => `${issue.path || '(request)'}: ${issue.message}`).join('; ')}`;
}

/** Turns anything a backend threw into a LocalAwsError, keeping the message of unexpected errors (500). */
export function asLocalAwsError(error: unknown, what: string): LocalAwsError {
  if (error instanceof LocalAwsError) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LocalAwsError('InternalFailure', `${what} failed in local mode: ${message}`, 500);
}
