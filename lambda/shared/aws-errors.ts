/**
 * Wraps an error of an AWS call with what the handler was doing, keeping the original as `cause` and its name (so
 * logs and metrics still show `ThrottlingException`, `ConcurrentRunsExceededException`...). Handlers rethrow it:
 * the invocation fails, Lambda retries the event and, after the last retry, sends it to the failure destination.
 */
export function awsCallFailed(operation: string, context: string, error: unknown): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const wrapped = new Error(
    `${operation} failed (${context}): ${original.name}: ${original.message}. ` +
      'The invocation fails so that Lambda retries the event; after the last retry it goes to the failure destination.',
    { cause: original },
  );
  wrapped.name = original.name;
  return wrapped;
}
