import { LocalAwsError } from '../errors';
import { compareValues, typeOf, valuesEqual, type AttributeValue, type Item } from './attribute-values';
import type { Condition, DocumentPath, Operand, UpdateAction } from './expressions';

/** The member of a map, or the item of a list, that one step of a document path names. */
function child(value: AttributeValue, step: string | number): AttributeValue | undefined {
  if (typeof step === 'number') return 'L' in value ? value.L[step] : undefined;
  return 'M' in value ? value.M[step] : undefined;
}

/** The value at a document path of an item, or undefined when any step of the path is missing. */
export function valueAt(item: Item | undefined, path: DocumentPath): AttributeValue | undefined {
  let current: AttributeValue | undefined = item === undefined ? undefined : { M: item };
  for (const step of path) {
    current = current === undefined ? undefined : child(current, step);
  }
  return current;
}

function operandValue(operand: Operand, item: Item | undefined): AttributeValue | undefined {
  return operand.kind === 'value' ? operand.value : valueAt(item, operand.path);
}

/** Only S, N and B values can be ordered; DynamoDB rejects ordering a :value of another type up front. */
function checkOrderable(operand: Operand, comparator: string): void {
  if (operand.kind === 'value' && !['S', 'N', 'B'].includes(typeOf(operand.value))) {
    throw new LocalAwsError(
      'ValidationException',
      `Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: ${comparator}, operand type: ${typeOf(operand.value)}`,
    );
  }
}

/**
 * Evaluates a condition against an item (undefined when there is none), as DynamoDB does: `=` holds for equal values
 * of the same type; `<>` is its negation (so it holds when the attribute is missing); ordering comparisons hold only
 * for two S, N or B values of the same type.
 */
export function evaluateCondition(condition: Condition, item: Item | undefined): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluateCondition(condition.left, item) && evaluateCondition(condition.right, item);
    case 'or':
      return evaluateCondition(condition.left, item) || evaluateCondition(condition.right, item);
    case 'not':
      return !evaluateCondition(condition.condition, item);
    case 'attribute_exists':
      return valueAt(item, condition.path) !== undefined;
    case 'attribute_not_exists':
      return valueAt(item, condition.path) === undefined;
    case 'compare': {
      const left = operandValue(condition.left, item);
      const right = operandValue(condition.right, item);
      if (condition.comparator === '=') return valuesEqual(left, right);
      if (condition.comparator === '<>') return !valuesEqual(left, right);
      checkOrderable(condition.left, condition.comparator);
      checkOrderable(condition.right, condition.comparator);
      const order = compareValues(left, right);
      if (order === undefined) return false;
      switch (condition.comparator) {
        case '<':
          return order < 0;
        case '<=':
          return order <= 0;
        case '>':
          return order > 0;
        default:
          return order >= 0;
      }
    }
  }
}

/** Checks the ordering comparisons' :value operands up front, so a bad request fails even when evaluation short-circuits. */
export function checkConditionOperands(condition: Condition): void {
  if (condition.kind === 'and' || condition.kind === 'or') {
    checkConditionOperands(condition.left);
    checkConditionOperands(condition.right);
  } else if (condition.kind === 'not') {
    checkConditionOperands(condition.condition);
  } else if (condition.kind === 'compare' && condition.comparator !== '=' && condition.comparator !== '<>') {
    checkOrderable(condition.left, condition.comparator);
    checkOrderable(condition.right, condition.comparator);
  }
}

function invalidPath(path: DocumentPath): LocalAwsError {
  return new LocalAwsError(
    'ValidationException',
    `The document path provided in the update expression is invalid for update: ${path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1)}`,
  );
}

/** Returns the container (map or list) that holds the last step of `path`, copying it for writing. */
function parentFor(root: Item, path: DocumentPath): { container: Record<string, AttributeValue> | AttributeValue[]; last: string | number } {
  let container: Record<string, AttributeValue> | AttributeValue[] = root;
  for (const step of path.slice(0, -1)) {
    const next: AttributeValue | undefined = Array.isArray(container)
      ? typeof step === 'number' ? container[step] : undefined
      : typeof step === 'string' ? container[step] : undefined;
    if (next === undefined || !('M' in next || 'L' in next)) throw invalidPath(path);
    const copy: AttributeValue = 'M' in next ? { M: { ...next.M } } : { L: [...next.L] };
    if (Array.isArray(container)) container[step as number] = copy;
    else container[step as string] = copy;
    container = 'M' in copy ? (copy.M as Record<string, AttributeValue>) : (copy.L as AttributeValue[]);
  }
  const last = path[path.length - 1];
  if (Array.isArray(container) !== (typeof last === 'number')) throw invalidPath(path);
  return { container, last };
}

/**
 * Applies SET and REMOVE actions to a copy of `item` (the key alone when there is no item) and returns it.
 * Key attributes cannot be changed; operands are read from the item as it was before the update.
 */
export function applyUpdate(actions: readonly UpdateAction[], item: Item, keyAttributes: readonly string[]): Item {
  const updated: Item = { ...item };
  for (const action of actions) {
    const top = action.path[0] as string;
    if (keyAttributes.includes(top)) {
      throw new LocalAwsError('ValidationException', `One or more parameter values were invalid: Cannot update attribute ${top}. This attribute is part of the key`);
    }
    const { container, last } = parentFor(updated, action.path);
    if (action.kind === 'set') {
      const value = operandValue(action.value, item);
      if (value === undefined) {
        throw new LocalAwsError('ValidationException', 'The provided expression refers to an attribute that does not exist in the item');
      }
      if (Array.isArray(container)) container[Math.min(last as number, container.length)] = value;
      else container[last as string] = value;
    } else if (Array.isArray(container)) {
      if ((last as number) < container.length) container.splice(last as number, 1);
    } else {
      delete container[last as string];
    }
  }
  return updated;
}
