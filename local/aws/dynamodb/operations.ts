import { LocalAwsError } from '../errors';
import type { JsonOperation } from '../json-protocol';
import { checkAttributeValue, itemSize, MAX_ITEM_BYTES, type AttributeValue, type Item } from './attribute-values';
import { applyUpdate, checkConditionOperands, evaluateCondition } from './evaluate';
import { parseCondition, parseUpdate, Placeholders, type Condition } from './expressions';
import type { DynamoDbTables, Table } from './tables';

/** The request members of the four operations, as the model has already checked them. */
interface ItemRequest {
  readonly TableName: string;
  readonly Key?: Item;
  readonly Item?: Item;
  readonly ConditionExpression?: string;
  readonly UpdateExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, AttributeValue>;
  readonly ReturnValues?: string;
  readonly ReturnValuesOnConditionCheckFailure?: string;
}

/** Legacy or unimplemented members, with what to use instead. */
const UNSERVED_MEMBERS: Readonly<Record<string, string>> = {
  Expected: 'use ConditionExpression',
  ConditionalOperator: 'use ConditionExpression',
  AttributeUpdates: 'use UpdateExpression',
  AttributesToGet: 'read the whole item',
  ProjectionExpression: 'read the whole item',
};

function refuseUnserved(input: Record<string, unknown>, operation: string): void {
  for (const [member, instead] of Object.entries(UNSERVED_MEMBERS)) {
    if (input[member] !== undefined) {
      throw new LocalAwsError('ValidationException', `${operation} with ${member} is not served by the local DynamoDB; ${instead}.`);
    }
  }
}

function checkReturnValues(request: ItemRequest, allowed: readonly string[], operation: string): void {
  if (request.ReturnValues !== undefined && !allowed.includes(request.ReturnValues)) {
    throw new LocalAwsError(
      'ValidationException',
      `ReturnValues ${request.ReturnValues} is not served for ${operation} by the local DynamoDB (served: ${allowed.join(', ')}).`,
    );
  }
}

/** Checks every AttributeValue of the request's Key, Item and ExpressionAttributeValues. */
function checkValues(request: ItemRequest): void {
  for (const member of ['Key', 'Item', 'ExpressionAttributeValues'] as const) {
    for (const [name, value] of Object.entries(request[member] ?? {})) checkAttributeValue(value, `${member}.${name}`);
  }
}

/** Parses the request's expressions with its placeholders, which must all be used. */
function parseExpressions(request: ItemRequest): { condition?: Condition; update?: ReturnType<typeof parseUpdate> } {
  const hasExpression = request.ConditionExpression !== undefined || request.UpdateExpression !== undefined;
  for (const member of ['ExpressionAttributeNames', 'ExpressionAttributeValues'] as const) {
    if (request[member] !== undefined && !hasExpression) {
      throw new LocalAwsError('ValidationException', `${member} can only be specified when using expressions`);
    }
  }
  const placeholders = new Placeholders(request.ExpressionAttributeNames, request.ExpressionAttributeValues);
  const condition = request.ConditionExpression === undefined ? undefined : parseCondition(request.ConditionExpression, placeholders);
  const update = request.UpdateExpression === undefined ? undefined : parseUpdate(request.UpdateExpression, placeholders);
  placeholders.checkAllUsed();
  if (condition) checkConditionOperands(condition);
  return { condition, update };
}

/** Throws ConditionalCheckFailedException (with the old item when asked for) unless the condition holds. */
function checkCondition(condition: Condition | undefined, existing: Item | undefined, request: ItemRequest): void {
  if (condition && !evaluateCondition(condition, existing)) {
    const withItem = request.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && existing !== undefined;
    throw new LocalAwsError('ConditionalCheckFailedException', 'The conditional request failed', 400, withItem ? { Item: existing } : {});
  }
}

function checkSize(item: Item): void {
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) {
    throw new LocalAwsError('ValidationException', `Item size has exceeded the maximum allowed size: about ${size} bytes, more than ${MAX_ITEM_BYTES}.`);
  }
}

/** Prepares a request: unserved members, values, the table and the key of the item it names. */
function prepare(input: Record<string, unknown>, tables: DynamoDbTables, operation: string) {
  refuseUnserved(input, operation);
  const request = input as unknown as ItemRequest;
  checkValues(request);
  const table: Table = tables.table(request.TableName);
  const key = request.Item ? table.keyOf(request.Item, 'Item') : table.keyOf(request.Key ?? {}, 'Key');
  return { request, table, key, existing: table.get(key) };
}

/**
 * GetItem, PutItem, UpdateItem and DeleteItem of the local DynamoDB, with condition and update expressions (see
 * `SUPPORTED_CONDITIONS`, `SUPPORTED_UPDATES`). Each runs synchronously from reading the item to writing it, so a
 * conditional write is atomic: of two concurrent PutItems with `attribute_not_exists`, exactly one succeeds.
 * Reads are always strongly consistent.
 */
export function dynamoDbOperations(tables: DynamoDbTables): Record<string, JsonOperation> {
  return {
    GetItem: (input) => {
      const { request, existing } = prepare(input, tables, 'GetItem');
      parseExpressions(request);
      return existing ? { Item: existing } : {};
    },
    PutItem: (input) => {
      const { request, table, key, existing } = prepare(input, tables, 'PutItem');
      checkReturnValues(request, ['NONE', 'ALL_OLD'], 'PutItem');
      const { condition } = parseExpressions(request);
      checkCondition(condition, existing, request);
      checkSize(request.Item!);
      table.put(key, request.Item!);
      return request.ReturnValues === 'ALL_OLD' && existing ? { Attributes: existing } : {};
    },
    UpdateItem: (input) => {
      const { request, table, key, existing } = prepare(input, tables, 'UpdateItem');
      checkReturnValues(request, ['NONE', 'ALL_OLD', 'ALL_NEW'], 'UpdateItem');
      const { condition, update } = parseExpressions(request);
      checkCondition(condition, existing, request);
      const updated = applyUpdate(update ?? [], existing ?? { ...request.Key! }, table.keyAttributes);
      checkSize(updated);
      table.put(key, updated);
      if (request.ReturnValues === 'ALL_NEW') return { Attributes: updated };
      return request.ReturnValues === 'ALL_OLD' && existing ? { Attributes: existing } : {};
    },
    DeleteItem: (input) => {
      const { request, table, key, existing } = prepare(input, tables, 'DeleteItem');
      checkReturnValues(request, ['NONE', 'ALL_OLD'], 'DeleteItem');
      const { condition } = parseExpressions(request);
      checkCondition(condition, existing, request);
      table.delete(key);
      return request.ReturnValues === 'ALL_OLD' && existing ? { Attributes: existing } : {};
    },
  };
}
