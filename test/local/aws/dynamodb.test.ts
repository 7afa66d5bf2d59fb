import * as fs from 'fs';
import * as path from 'path';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalAwsEndpoint } from '../../../local/aws';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';
import { clientConfig, startTestEndpoint } from './helpers';

let endpoint: LocalAwsEndpoint;
let client: DynamoDBClient;
let documents: DynamoDBDocumentClient;
const TableName = 'idempotency';

beforeAll(async () => {
  endpoint = await startTestEndpoint();
  client = new DynamoDBClient(clientConfig(endpoint));
  documents = DynamoDBDocumentClient.from(client);
});

afterAll(async () => {
  client.destroy();
  await endpoint.close();
});

describe('items through the real DynamoDB clients (tables exist from first use, keyed by id)', () => {
  test('PutItem, GetItem, UpdateItem and DeleteItem', async () => {
    await documents.send(new PutCommand({ TableName, Item: { id: 'a', status: 'INPROGRESS', expiration: 100, nested: { tags: ['x'] } } }));
    expect((await documents.send(new GetCommand({ TableName, Key: { id: 'a' }, ConsistentRead: true }))).Item).toEqual({
      id: 'a',
      status: 'INPROGRESS',
      expiration: 100,
      nested: { tags: ['x'] },
    });

    const updated = await documents.send(
      new UpdateCommand({
        TableName,
        Key: { id: 'a' },
        UpdateExpression: 'SET #status = :status, #data = :data, nested.tags[1] = :tag REMOVE expiration',
        ExpressionAttributeNames: { '#status': 'status', '#data': 'data' },
        ExpressionAttributeValues: { ':status': 'COMPLETED', ':data': '{"ok":true}', ':tag': 'y' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(updated.Attributes).toEqual({ id: 'a', status: 'COMPLETED', data: '{"ok":true}', nested: { tags: ['x', 'y'] } });

    await documents.send(new DeleteCommand({ TableName, Key: { id: 'a' } }));
    expect((await documents.send(new GetCommand({ TableName, Key: { id: 'a' } }))).Item).toBeUndefined();
  });

  test('UpdateItem of a missing item creates it from the key', async () => {
    await documents.send(new UpdateCommand({ TableName, Key: { id: 'new' }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 1 } }));
    expect((await documents.send(new GetCommand({ TableName, Key: { id: 'new' } }))).Item).toEqual({ id: 'new', n: 1 });
  });

  test("a failed condition is ConditionalCheckFailedException carrying the old item (ReturnValuesOnConditionCheckFailure ALL_OLD)", async () => {
    const item = { id: { S: 'k1' }, expiration: { N: '2000000000' }, status: { S: 'COMPLETED' } };
    const put = (Item: typeof item) =>
      client.send(
        new PutItemCommand({
          TableName,
          Item,
          ConditionExpression: 'attribute_not_exists(#id) OR #expiry < :now',
          ExpressionAttributeNames: { '#id': 'id', '#expiry': 'expiration' },
          ExpressionAttributeValues: { ':now': { N: '1900000000.5' } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    await put(item);
    const second = put({ ...item, status: { S: 'INPROGRESS' } });

    await expect(second).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await expect(second).rejects.toMatchObject({ message: 'The conditional request failed', Item: item });
    expect((await client.send(new GetItemCommand({ TableName, Key: { id: { S: 'k1' } } }))).Item).toEqual(item);
  });

  test('numbers compare exactly (beyond double precision), strings by UTF-8 bytes, <> holds for a missing attribute', async () => {
    const item = (s: string) => ({ id: { S: 'n' }, big: { N: '12345678901234567890' }, s: { S: s } });
    const holds = async (ConditionExpression: string, value: { N: string } | { S: string }, stored = 'Z') => {
      await client.send(new PutItemCommand({ TableName, Item: item(stored) }));
      try {
        await client.send(
          new PutItemCommand({
            TableName,
            Item: item(stored),
            ConditionExpression,
            ExpressionAttributeValues: { ':v': value },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    };
    expect(await holds('big > :v', { N: '12345678901234567889' })).toBe(true);
    expect(await holds('big < :v', { N: '1.2345678901234567891E19' })).toBe(true);
    expect(await holds('big = :v', { N: '12345678901234567890.000' })).toBe(true);
    expect(await holds('big = :v', { N: '12345678901234567891' })).toBe(false);
    expect(await holds('s < :v', { S: 'a' })).toBe(true);
    // U+FF5E sorts after U+1F600 by UTF-16 code units, before it by UTF-8 bytes (EF.. < F0..), as DynamoDB orders.
    expect(await holds('s < :v', { S: '\u{1F600}' }, '\uFF5E')).toBe(true);
    expect(await holds('NOT (s <> :v) AND attribute_exists(big)', { S: 'Z' })).toBe(true);
    expect(await holds('missing <> :v', { S: 'Z' })).toBe(true);
    expect(await holds('missing < :v OR missing >= :v', { S: 'Z' })).toBe(false);
    expect(await holds('s < :v', { N: '1' })).toBe(false);
  });
});

describe('DynamoDB rejects what it would reject, with its messages', () => {
  test.each([
    [
      'a function outside the subset',
      { ConditionExpression: 'begins_with(#s, :v)', ExpressionAttributeNames: { '#s': 's' }, ExpressionAttributeValues: { ':v': { S: 'a' } } },
      /^Invalid ConditionExpression: "begins_with" \(character 1\) is outside what the local DynamoDB evaluates \(comparisons/,
    ],
    [
      'BETWEEN',
      { ConditionExpression: 'n BETWEEN :a AND :b', ExpressionAttributeValues: { ':a': { N: '1' }, ':b': { N: '2' } } },
      /"BETWEEN" \(character 3\) is outside what the local DynamoDB evaluates/,
    ],
    ['a syntax error', { ConditionExpression: 'n = ' }, /^Invalid ConditionExpression: Syntax error; the expression ends too early/],
    [
      'an undefined placeholder',
      { ConditionExpression: '#n = :v', ExpressionAttributeValues: { ':v': { N: '1' } } },
      /attribute name used in the document path is not defined; attribute name: #n/,
    ],
    [
      'an unused placeholder',
      { ConditionExpression: 'attribute_exists(id)', ExpressionAttributeNames: { '#x': 'x' } },
      /^Value provided in ExpressionAttributeNames unused in expressions: keys: \{#x\}$/,
    ],
    ['a number that is none', { Item: { id: { S: 'x' }, n: { N: 'ten' } } }, /Item\.n: 'ten' cannot be converted to a numeric value/],
    ['two data types in one value', { Item: { id: { S: 'x' }, n: { N: '1', S: '1' } } }, /Item\.n: an AttributeValue has exactly one data type .* got N, S/],
    ['an item without its key', { Item: { name: { S: 'x' } } }, /does not match the schema: table idempotency has the key id .* the Item lacks id/],
    ['a legacy parameter', { Expected: { id: { Exists: false } } }, /^PutItem with Expected is not served by the local DynamoDB; use ConditionExpression\.$/],
  ])('%s is a ValidationException', async (_what, overrides, message) => {
    const input = { TableName, Item: { id: { S: 'v1' } }, ...overrides };
    await expect(client.send(new PutItemCommand(input as never))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(message) });
  });

  test('an update that changes the key, or a clause outside the subset, is a ValidationException', async () => {
    await expect(
      documents.send(new UpdateCommand({ TableName, Key: { id: 'u' }, UpdateExpression: 'SET id = :v', ExpressionAttributeValues: { ':v': 'w' } })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('Cannot update attribute id. This attribute is part of the key') });
    await expect(
      documents.send(new UpdateCommand({ TableName, Key: { id: 'u' }, UpdateExpression: 'ADD n :v', ExpressionAttributeValues: { ':v': 1 } })),
    ).rejects.toMatchObject({ message: expect.stringMatching(/^Invalid UpdateExpression: "ADD" \(character 1\) is outside .*SET path = operand/) });
  });

  test('table names: the model limits their length, DynamoDB their characters', async () => {
    await expect(client.send(new GetItemCommand({ TableName: 't'.repeat(1025), Key: { id: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/^1 validation error detected: TableName: "t+\.\.\. is longer than 1024 characters \(TableArn\)\.$/),
    });
    await expect(client.send(new GetItemCommand({ TableName: 'my table', Key: { id: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("Value 'my table' at 'tableName' failed to satisfy constraint"),
    });
  });
});

test('with dataDir, tables persist across endpoints; other key schemas can be declared', async () => {
  const dataDir = temporaryFolder('local-aws-dynamodb-');
  try {
    const keySchemas = { runs: { partitionKey: 'pk', sortKey: 'sk' } };
    const first = await startTestEndpoint(undefined, { dataDir, dynamoDbKeySchemas: keySchemas });
    const writer = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(first)));
    await writer.send(new PutCommand({ TableName: 'runs', Item: { pk: 'p', sk: 1, v: 'kept' } }));
    writer.destroy();
    await first.close();

    const second = await startTestEndpoint(undefined, { dataDir, dynamoDbKeySchemas: keySchemas });
    const reader = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(second)));
    expect((await reader.send(new GetCommand({ TableName: 'runs', Key: { pk: 'p', sk: 1 } }))).Item).toEqual({ pk: 'p', sk: 1, v: 'kept' });
    await expect(reader.send(new GetCommand({ TableName: 'runs', Key: { pk: 'p' } }))).rejects.toMatchObject({
      message: expect.stringContaining('table runs has the key pk + sk (S, N or B); the Key has pk'),
    });
    reader.destroy();
    await second.close();
    expect(fs.existsSync(path.join(dataDir, 'dynamodb', 'runs.json'))).toBe(true);
  } finally {
    removeTemporaryFolders();
  }
});
