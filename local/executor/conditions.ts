import { CONDITION_TYPES } from '../../lib/sagemaker-pipelines/conditions';
import { ExpressionError, resolveValue, type ExpressionContext } from './expressions';

function isNumeric(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v));
}

function equalValues(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') {
    return isNumeric(a) && isNumeric(b) && Number(a) === Number(b);
  }
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function compare(type: string, left: unknown, right: unknown, context: string): boolean {
  let diff: number;
  if (isNumeric(left) && isNumeric(right) && (typeof left === 'number' || typeof right === 'number')) {
    diff = Number(left) - Number(right);
  } else if (typeof left === 'string' && typeof right === 'string') {
    diff = left < right ? -1 : left > right ? 1 : 0;
  } else {
    throw new ExpressionError(
      `Condition ${context} compares ${JSON.stringify(left)} with ${JSON.stringify(right)}: ` +
        `${type} needs two numbers (or two strings)`,
    );
  }
  switch (type) {
    case 'GreaterThan':
      return diff > 0;
    case 'GreaterThanOrEqualTo':
      return diff >= 0;
    case 'LessThan':
      return diff < 0;
    default:
      return diff <= 0;
  }
}

/** Evaluates one condition object (`{"Type": ..., ...}`). */
export function evaluateCondition(condition: unknown, ctx: ExpressionContext): boolean {
  const context = JSON.stringify(condition);
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) {
    throw new ExpressionError(`Condition must be an object with a "Type", got ${context}`);
  }
  const c = condition as Record<string, unknown>;
  switch (c.Type) {
    case 'Equals':
      return equalValues(resolveValue(c.LeftValue, ctx), resolveValue(c.RightValue, ctx));
    case 'GreaterThan':
    case 'GreaterThanOrEqualTo':
    case 'LessThan':
    case 'LessThanOrEqualTo':
      return compare(c.Type, resolveValue(c.LeftValue, ctx), resolveValue(c.RightValue, ctx), context);
    case 'In': {
      const query = resolveValue(c.QueryValue, ctx);
      const values = resolveValue(c.Values, ctx);
      if (!Array.isArray(values)) throw new ExpressionError(`Condition ${context}: "Values" must be a list`);
      return values.some((v) => equalValues(query, v));
    }
    case 'Not':
      return !evaluateCondition(c.Condition, ctx);
    case 'Or': {
      if (!Array.isArray(c.Conditions)) throw new ExpressionError(`Condition ${context}: "Conditions" must be a list`);
      // Evaluate every branch so a broken condition is reported whatever the others say.
      return c.Conditions.map((inner) => evaluateCondition(inner, ctx)).some(Boolean);
    }
    default:
      throw new ExpressionError(
        `Condition ${context} has unsupported Type ${JSON.stringify(c.Type)} (use one of ${CONDITION_TYPES.join(', ')})`,
      );
  }
}

/** Evaluates a Condition step's `Conditions` list (ANDed). */
export function evaluateConditions(conditions: unknown, ctx: ExpressionContext): boolean {
  if (!Array.isArray(conditions)) {
    throw new ExpressionError(`Condition step "Conditions" must be a list, got ${JSON.stringify(conditions)}`);
  }
  return conditions.map((c) => evaluateCondition(c, ctx)).every(Boolean);
}
