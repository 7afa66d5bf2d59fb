import { compareNumbers, type Item } from '../../../local/aws/dynamodb/attribute-values';
import { applyUpdate, evaluateCondition } from '../../../local/aws/dynamodb/evaluate';
import { parseCondition, parseUpdate, Placeholders } from '../../../local/aws/dynamodb/expressions';

const item: Item = {
  id: { S: 'k' },
  status: { S: 'INPROGRESS' },
  n: { N: '5' },
  doc: { M: { tags: { L: [{ S: 'a' }, { S: 'b' }] }, deep: { M: { x: { N: '1' } } } } },
  tags: { SS: ['x', 'y'] },
};
const values = { ':five': { N: '5.0' }, ':six': { N: '6' }, ':ip': { S: 'INPROGRESS' }, ':b': { S: 'b' }, ':set': { SS: ['y', 'x'] } };

/** Evaluates `expression` on `on` (null: no item). */
function holds(expression: string, on: Item | null = item): boolean {
  const placeholders = new Placeholders({ '#s': 'status' }, values);
  return evaluateCondition(parseCondition(expression, placeholders), on ?? undefined);
}

describe('condition expressions', () => {
  test.each([
    ['n = :five', true],
    ['n <> :five', false],
    ['n < :six AND n >= :five', true],
    ['#s = :ip OR n > :six AND n < :five', true],
    ['(#s = :ip OR n > :six) AND n < :five', false],
    ['NOT n = :six', true],
    ['not NOT n = :five and attribute_exists(doc.deep.x)', true],
    ['doc.tags[1] = :b', true],
    ['doc.tags[2] = :b', false],
    ['attribute_not_exists(doc.deep.y) AND attribute_exists(doc.tags[0])', true],
    ['tags = :set', true],
    ['doc.deep.x < :six', true],
  ])('%s is %s', (expression, expected) => {
    expect(holds(expression)).toBe(expected);
  });

  test('on no item, attribute_not_exists holds and comparisons with a path do not', () => {
    expect(holds('attribute_not_exists(id)', null)).toBe(true);
    expect(holds('n = :five OR n < :six', null)).toBe(false);
  });

  test('ordering a value that cannot be ordered is a ValidationException, as DynamoDB answers', () => {
    expect(() => holds('tags < :set')).toThrow(
      'Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: SS',
    );
  });

  test.each([
    ['n = :five)', 'Syntax error; token: ")", near character 10'],
    ['n == :five', 'Syntax error; token: "=", near character 4'],
    ['AND n = :five', 'Syntax error; token: "AND", near character 1'],
    ['size(n) > :five', '"size" (character 1) is outside what the local DynamoDB evaluates'],
    ['n IN (:five, :six)', '"IN" (character 3) is outside what the local DynamoDB evaluates'],
    ['contains(doc.tags, :b)', '"contains" (character 1) is outside'],
    ['n = :seven', 'An expression attribute value used in expression is not defined; attribute value: :seven'],
  ])('%s is rejected: %s', (expression, message) => {
    expect(() => holds(expression)).toThrow(message);
  });
});

describe('update expressions', () => {
  const update = (expression: string, on: Item = item) =>
    applyUpdate(parseUpdate(expression, new Placeholders({ '#s': 'status' }, values)), on, ['id']);

  test('SET values and paths (read from the item before the update), REMOVE attributes and list items', () => {
    expect(update('SET #s = :b, copy = n, n = :six remove doc.tags[0], tags')).toEqual({
      id: { S: 'k' },
      status: { S: 'b' },
      n: { N: '6' },
      copy: { N: '5' },
      doc: { M: { tags: { L: [{ S: 'b' }] }, deep: { M: { x: { N: '1' } } } } },
    });
    expect(item.n).toEqual({ N: '5' });
  });

  test.each([
    ['SET a = :b SET c = :b', 'The "SET" section can only be used once'],
    ['SET a = :b + :six', '"+" (character 12) is outside what the local DynamoDB evaluates (SET path = operand'],
    ['SET a = if_not_exists(a, :b)', '"if_not_exists" (character 9) is outside'],
    ['DELETE tags :set', '"DELETE" (character 1) is outside'],
    ['SET missing.x = :b', 'The document path provided in the update expression is invalid for update: missing.x'],
    ['SET a = nothing', 'refers to an attribute that does not exist in the item'],
  ])('%s is rejected: %s', (expression, message) => {
    expect(() => update(expression)).toThrow(message);
  });
});

test('numbers order exactly, whatever their notation', () => {
  expect(compareNumbers('1e2', '100.0')).toBe(0);
  expect(compareNumbers('-0.5', '0')).toBeLessThan(0);
  expect(compareNumbers('-10', '-9.99')).toBeLessThan(0);
  expect(compareNumbers('99999999999999999999999999999999999999', '99999999999999999999999999999999999998')).toBeGreaterThan(0);
  expect(compareNumbers('0.000', '-0')).toBe(0);
  expect(compareNumbers('.5', '5E-1')).toBe(0);
});
