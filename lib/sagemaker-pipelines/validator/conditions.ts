import { COMPARISON_CONDITION_TYPES, CONDITION_TYPES } from '../conditions';
import { isRecord, show, type Json, type JsonRecord } from '../private/json';
import type { StepInfo, ValidationContext } from './context';
import { walkValue } from './expressions';

export function checkConditionStep(ctx: ValidationContext, info: StepInfo, args: JsonRecord): void {
  const { path, name } = info;
  const conditions = args.Conditions;
  if (!Array.isArray(conditions) || conditions.length === 0) {
    ctx.report(
      'invalid-condition',
      `${path}.Arguments.Conditions`,
      `Condition step '${name}' needs a non-empty Conditions list, got ${show(conditions)}.`,
    );
  } else {
    conditions.forEach((c: Json, i: number) => checkCondition(ctx, c, `${path}.Arguments.Conditions[${i}]`, info));
  }
  for (const key of Object.keys(args)) {
    if (!['Conditions', 'IfSteps', 'ElseSteps'].includes(key)) {
      ctx.report(
        'invalid-arguments',
        `${path}.Arguments.${key}`,
        `Condition step '${name}' has unknown argument '${key}'; use Conditions, IfSteps and ElseSteps.`,
      );
    }
  }
}

export function checkCondition(ctx: ValidationContext, condition: Json, path: string, info: StepInfo): void {
  if (!isRecord(condition)) {
    ctx.report('invalid-condition', path, `A condition must be an object with a Type, got ${show(condition)}.`);
    return;
  }
  const type = condition.Type;
  const present = (key: string) => condition[key] !== undefined && condition[key] !== null;
  if (typeof type !== 'string' || !(CONDITION_TYPES as readonly string[]).includes(type)) {
    ctx.report(
      'invalid-condition',
      `${path}.Type`,
      `Unknown condition type ${show(type)}; use one of ${CONDITION_TYPES.join(', ')}.`,
    );
    return;
  }
  if ((COMPARISON_CONDITION_TYPES as readonly string[]).includes(type)) {
    for (const operand of ['LeftValue', 'RightValue']) {
      if (!present(operand)) {
        ctx.report('invalid-condition', `${path}.${operand}`, `${type} condition is missing its ${operand}.`);
      } else {
        checkOperand(ctx, condition[operand], `${path}.${operand}`, info);
      }
    }
  } else if (type === 'In') {
    if (!present('QueryValue')) {
      ctx.report('invalid-condition', `${path}.QueryValue`, 'In condition is missing its QueryValue.');
    } else {
      checkOperand(ctx, condition.QueryValue, `${path}.QueryValue`, info);
    }
    const values = condition.Values;
    if (!Array.isArray(values) || values.length === 0) {
      ctx.report('invalid-condition', `${path}.Values`, `In condition needs a non-empty Values list, got ${show(values)}.`);
    } else {
      values.forEach((v: Json, i: number) => checkOperand(ctx, v, `${path}.Values[${i}]`, info));
    }
  } else if (type === 'Not') {
    if (present('Condition')) {
      checkCondition(ctx, condition.Condition, `${path}.Condition`, info);
    } else if (present('Expression')) {
      // Older SDK releases wrote this spelling; SageMaker rejects it ("unknown property 'Expression'").
      ctx.report(
        'invalid-condition',
        `${path}.Expression`,
        "Not condition names its operand 'Expression', which SageMaker rejects; name it 'Condition'.",
      );
    } else {
      ctx.report('invalid-condition', `${path}.Condition`, 'Not condition is missing the Condition it negates.');
    }
  } else if (type === 'Or') {
    const conditions = condition.Conditions;
    if (!Array.isArray(conditions) || conditions.length === 0) {
      ctx.report(
        'invalid-condition',
        `${path}.Conditions`,
        `Or condition needs a non-empty Conditions list, got ${show(conditions)}.`,
      );
    } else {
      conditions.forEach((c: Json, i: number) => checkCondition(ctx, c, `${path}.Conditions[${i}]`, info));
    }
  }
}

export function checkOperand(ctx: ValidationContext, value: Json, path: string, info: StepInfo): void {
  if (Array.isArray(value) || (isRecord(value) && !isExpressionLike(value))) {
    ctx.report(
      'invalid-condition',
      path,
      `A condition operand must be a string, number, boolean or expression, got ${show(value)}.`,
    );
    return;
  }
  walkValue(ctx, value, path, info);
}

export function isExpressionLike(value: JsonRecord): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Get' || keys[0].startsWith('Std:'));
}
