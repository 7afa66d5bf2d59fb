import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';

/**
 * How long a completed record is kept (7 days): a duplicate delivery, a redrive from the failure destination or a
 * replay from an EventBridge archive within that time returns the first result instead of starting anything.
 */
export const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = 7 * 24 * 60 * 60;

/** Options of {@link createIdempotentAction}. */
export interface IdempotentActionOptions {
  /** The DynamoDB table of idempotency records (partition key `id`, TTL attribute `expiration`). */
  readonly tableName: string;
  /** Stable prefix of the records' keys (one table can serve several handlers). */
  readonly keyPrefix: string;
  /** JMESPath selecting the idempotency key from the action's input. */
  readonly eventKeyJmesPath: string;
  /** How long a completed record stays valid. */
  readonly expiresAfterSeconds: number;
  /** Called with the stored result when a duplicate returns it instead of running the action. */
  readonly onDuplicate?: (storedResult: unknown, idempotencyKey: string) => void;
}

/** A side effect wrapped by Powertools: at most one successful execution per key until the record expires. */
export interface IdempotentAction<I, O> {
  /** Runs the action, or returns the stored result of an earlier run with the same key. */
  (input: I, context: Context): Promise<O>;
}

/**
 * Wraps `action` with Powertools' `makeIdempotent` over a DynamoDB persistence layer; create it once, at module
 * scope. Only the action is wrapped, not the handler: events rejected before it touch no AWS API, not even
 * DynamoDB. A record in progress (a concurrent duplicate) makes the call throw, so Lambda retries it later; an
 * action that throws leaves no record, so its retry runs again.
 */
export function createIdempotentAction<I, O>(
  action: (input: I) => Promise<O>,
  options: IdempotentActionOptions,
): IdempotentAction<I, O> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: options.eventKeyJmesPath,
    expiresAfterSeconds: options.expiresAfterSeconds,
    throwOnNoIdempotencyKey: true,
    responseHook: (response, record) => {
      options.onDuplicate?.(response, record.idempotencyKey);
      return response;
    },
  });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: options.tableName });
  const idempotent = makeIdempotent(action, { persistenceStore, config, keyPrefix: options.keyPrefix });
  return async (input, context) => {
    // Lets Powertools expire an in-progress record when this invocation times out, so the retry is not blocked.
    config.registerLambdaContext(context);
    return idempotent(input);
  };
}
