import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';

type Item = Record<string, AttributeValue>;

/**
 * Mocks DynamoDB with an in-memory idempotency table that behaves as DynamoDB does for Powertools' persistence
 * layer: a PutItem whose condition fails (the key exists, unexpired) throws ConditionalCheckFailedException carrying
 * the stored item (`ReturnValuesOnConditionCheckFailure: ALL_OLD`); UpdateItem applies its SET clauses; DeleteItem
 * and GetItem work on the same map.
 */
export function mockIdempotencyTable() {
  const items = new Map<string, Item>();
  const dynamodb = mockClient(DynamoDBClient);
  const keyOf = (key: Item | undefined): string => {
    const id = key?.id?.S;
    if (id === undefined) throw new Error('idempotency table fake: item has no string id');
    return id;
  };
  dynamodb.on(PutItemCommand).callsFake(async (input: { Item: Item }) => {
    const id = keyOf(input.Item);
    const existing = items.get(id);
    if (existing !== undefined) {
      const expired = Number(existing.expiration?.N) < Date.now() / 1000;
      const inProgressExpired =
        existing.status?.S === 'INPROGRESS' &&
        existing.in_progress_expiration !== undefined &&
        Number(existing.in_progress_expiration.N) < Date.now();
      if (!expired && !inProgressExpired) {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: { httpStatusCode: 400 },
          Item: structuredClone(existing),
        });
      }
    }
    items.set(id, structuredClone(input.Item));
    return {};
  });
  dynamodb.on(UpdateItemCommand).callsFake(
    async (input: {
      Key: Item;
      UpdateExpression: string;
      ExpressionAttributeNames: Record<string, string>;
      ExpressionAttributeValues: Item;
    }) => {
      const id = keyOf(input.Key);
      const item = items.get(id) ?? structuredClone(input.Key);
      for (const assignment of input.UpdateExpression.replace(/^SET\s+/, '').split(',')) {
        const [name, value] = assignment.split('=').map((part) => part.trim());
        item[input.ExpressionAttributeNames[name]] = input.ExpressionAttributeValues[value];
      }
      items.set(id, item);
      return {};
    },
  );
  dynamodb.on(DeleteItemCommand).callsFake(async (input: { Key: Item }) => {
    items.delete(keyOf(input.Key));
    return {};
  });
  dynamodb.on(GetItemCommand).callsFake(async (input: { Key: Item }) => ({ Item: items.get(keyOf(input.Key)) }));
  return { dynamodb, items };
}

/** A Lambda context for handler tests. */
export function lambdaContext(functionName: string): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:111122223333:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * A deep copy of `event` with `edit` applied: variants of AWS's sample events. To remove a field or give it a value of
 * another type, use `Reflect.deleteProperty` / `Object.assign` on the copy.
 */
export function variant<T>(event: T, edit: (copy: T) => void): T {
  const copy = structuredClone(event);
  edit(copy);
  return copy;
}
