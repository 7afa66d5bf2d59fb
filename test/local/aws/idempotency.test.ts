import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalAwsEndpoint } from '../../../local/aws';
import { lambdaContext } from '../../lambda/helpers';
import { clientConfig, startTestEndpoint } from './helpers';

let endpoint: LocalAwsEndpoint;
let client: DynamoDBClient;

beforeAll(async () => {
  endpoint = await startTestEndpoint();
  client = new DynamoDBClient(clientConfig(endpoint));
});

afterAll(async () => {
  client.destroy();
  await endpoint.close();
});

afterEach(() => {
  jest.restoreAllMocks();
});

/** An action wrapped the way lambda/shared/idempotency.ts wraps the handlers' side effects. */
function idempotentAction(keyPrefix: string, expiresAfterSeconds: number, action: (input: { id: string }) => Promise<string>) {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds, throwOnNoIdempotencyKey: true });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: 'idempotency', awsSdkV3Client: client });
  const wrapped = makeIdempotent(action, { persistenceStore, config, keyPrefix });
  return (input: { id: string }, remainingMs = 60_000) => {
    config.registerLambdaContext({ ...lambdaContext(keyPrefix), getRemainingTimeInMillis: () => remainingMs });
    return wrapped(input);
  };
}

describe('Powertools idempotency (DynamoDBPersistenceLayer) against the local DynamoDB', () => {
  test('the first call runs; a second with the same key returns the stored result without running', async () => {
    const action = jest.fn(async (input: { id: string }) => `started ${input.id}`);
    const once = idempotentAction('first-second', 3600, action);

    expect(await once({ id: 'upload-1' })).toBe('started upload-1');
    expect(await once({ id: 'upload-1' })).toBe('started upload-1');
    expect(await once({ id: 'upload-2' })).toBe('started upload-2');

    expect(action).toHaveBeenCalledTimes(2);
    const operations = endpoint.requests.filter((r) => r.service === 'DynamoDB').map((r) => `${r.operation} ${r.status}`);
    expect(operations).toEqual(['PutItem 200', 'UpdateItem 200', 'PutItem 400', 'PutItem 200', 'UpdateItem 200']);
  });

  test('a record in progress blocks a concurrent duplicate, until the first call completes', async () => {
    let release: () => void = () => undefined;
    const action = jest.fn((input: { id: string }) => new Promise<string>((resolve) => (release = () => resolve(`done ${input.id}`))));
    const once = idempotentAction('in-progress', 3600, action);

    const first = once({ id: 'upload-3' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(once({ id: 'upload-3' })).rejects.toBeInstanceOf(IdempotencyAlreadyInProgressError);
    release();

    expect(await first).toBe('done upload-3');
    expect(await once({ id: 'upload-3' })).toBe('done upload-3');
    expect(action).toHaveBeenCalledTimes(1);
  });

  test('an in-progress record whose invocation timed out no longer blocks', async () => {
    const action = jest.fn(() => new Promise<string>(() => undefined));
    const stuck = idempotentAction('timed-out', 3600, action);
    void stuck({ id: 'upload-4' }, 1000);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const realNow = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(realNow + 2000);
    const retry = idempotentAction('timed-out', 3600, async () => 'retried');
    expect(await retry({ id: 'upload-4' })).toBe('retried');
  });

  test('a completed record expires: after expiresAfterSeconds the action runs again', async () => {
    const action = jest.fn(async () => `run at ${Date.now()}`);
    const once = idempotentAction('expiry', 60, action);
    await once({ id: 'upload-5' });
    await once({ id: 'upload-5' });
    expect(action).toHaveBeenCalledTimes(1);

    const realNow = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(realNow + 61_000);
    await once({ id: 'upload-5' });
    expect(action).toHaveBeenCalledTimes(2);
  });

  test('an action that throws leaves no record, so its retry runs again', async () => {
    const action = jest.fn().mockRejectedValueOnce(new Error('Glue said no')).mockResolvedValueOnce('second try');
    const once = idempotentAction('throws', 3600, action);

    await expect(once({ id: 'upload-6' })).rejects.toThrow('Glue said no');
    expect(await once({ id: 'upload-6' })).toBe('second try');
    expect(endpoint.requests.some((r) => r.operation === 'DeleteItem' && r.status === 200)).toBe(true);
  });
});
