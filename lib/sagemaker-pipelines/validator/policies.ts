import { durationMs } from '../duration';
import { isRecord, show, type Json } from '../private/json';
import { isStepTypeName, retryExceptionTypesOf, STEP_TYPE_TRAITS } from '../step-types';
import { isUnresolved } from '../tokens';
import type { StepInfo, ValidationContext } from './context';

/**
 * `CacheConfig`: `Enabled` a boolean, `ExpireAfter` a duration. Any step type may carry it: SageMaker only caches the
 * types it documents and ignores the member elsewhere.
 */
export function checkCacheConfig(ctx: ValidationContext, info: StepInfo): void {
  const config = info.def.CacheConfig;
  if (config === undefined) return;
  const path = `${info.path}.CacheConfig`;
  if (!isRecord(config)) {
    ctx.report('invalid-cache-config', path, `CacheConfig must be an object, got ${show(config)}.`);
    return;
  }
  if (typeof config.Enabled !== 'boolean') {
    ctx.report('invalid-cache-config', `${path}.Enabled`, `CacheConfig.Enabled of step '${info.name}' must be true or false, got ${show(config.Enabled)}.`);
  }
  const expire = config.ExpireAfter;
  if (expire !== undefined && !(typeof expire === 'string' && (isUnresolved(expire) || durationMs(expire) !== undefined))) {
    ctx.report(
      'invalid-cache-config',
      `${path}.ExpireAfter`,
      `CacheConfig.ExpireAfter of step '${info.name}' is ${show(expire)}; use an ISO-8601 duration such as P30D or PT12H (or the SDK's short form, e.g. 30d or T16m).`,
    );
  }
  for (const key of Object.keys(config)) {
    if (key !== 'Enabled' && key !== 'ExpireAfter') {
      ctx.report('invalid-cache-config', `${path}.${key}`, `CacheConfig has unknown member '${key}'; use Enabled and ExpireAfter.`);
    }
  }
}

/** `RetryPolicies`: the exception types the step's type allows, intervals and limits in range. */
export function checkRetryPolicies(ctx: ValidationContext, info: StepInfo): void {
  const policies = info.def.RetryPolicies;
  if (policies === undefined) return;
  const path = `${info.path}.RetryPolicies`;
  if (!isStepTypeName(info.type)) return;
  if (!STEP_TYPE_TRAITS[info.type].retryable) {
    ctx.report('invalid-retry-policy', path, `Step '${info.name}' is a ${info.type} step, which cannot be retried; remove RetryPolicies.`);
    return;
  }
  if (!Array.isArray(policies)) {
    ctx.report('invalid-retry-policy', path, `RetryPolicies must be a list, got ${show(policies)}.`);
    return;
  }
  const allowed: readonly string[] = retryExceptionTypesOf(info.type);
  policies.forEach((policy: Json, index: number) => {
    const where = `${path}[${index}]`;
    if (!isRecord(policy)) {
      ctx.report('invalid-retry-policy', where, `A retry policy must be an object, got ${show(policy)}.`);
      return;
    }
    const types = policy.ExceptionType;
    if (!Array.isArray(types) || types.length === 0) {
      ctx.report('invalid-retry-policy', `${where}.ExceptionType`, `ExceptionType must be a non-empty list, got ${show(types)}.`);
    } else {
      for (const type of types) {
        if (typeof type !== 'string' || !allowed.includes(type)) {
          ctx.report(
            'invalid-retry-policy',
            `${where}.ExceptionType`,
            `Exception type ${show(type)} is not retryable on a ${info.type} step; use one of ${allowed.join(', ')}.`,
          );
        }
      }
    }
    const checkInt = (key: string, min: number, max: number) => {
      const value = policy[key];
      if (value === undefined || isUnresolved(value)) return;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        ctx.report('invalid-retry-policy', `${where}.${key}`, `${key} must be an integer from ${min} to ${max}, got ${show(value)}.`);
      }
    };
    checkInt('IntervalSeconds', 1, 43200);
    checkInt('MaxAttempts', 0, 20);
    checkInt('ExpireAfterMin', 0, 14400);
    const backoff = policy.BackoffRate;
    if (backoff !== undefined && !isUnresolved(backoff) && !(typeof backoff === 'number' && Number.isFinite(backoff) && backoff >= 0)) {
      ctx.report('invalid-retry-policy', `${where}.BackoffRate`, `BackoffRate must be a non-negative number, got ${show(backoff)}.`);
    }
    if (policy.MaxAttempts !== undefined && policy.ExpireAfterMin !== undefined) {
      ctx.report('invalid-retry-policy', where, 'A retry policy takes MaxAttempts or ExpireAfterMin, not both; remove one.');
    }
    for (const key of Object.keys(policy)) {
      if (!['ExceptionType', 'IntervalSeconds', 'BackoffRate', 'MaxAttempts', 'ExpireAfterMin'].includes(key)) {
        ctx.report('invalid-retry-policy', `${where}.${key}`, `Retry policy has unknown member '${key}'.`);
      }
    }
  });
}
