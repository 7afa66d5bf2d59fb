import { validatePipelineDefinition } from '../../lib/sagemaker-pipelines';
import type { ValidationIssue } from '../../lib/sagemaker-pipelines/validator/issues';
import { flattenSteps, PipelineDefinitionError, type FlatStep, type ParameterJson, type ParameterType, type PipelineDefinitionJson } from './definition';
import { buildGraph } from './graph';
import {
  ignoredSettings,
  SUPPORTED_STEP_TYPES,
  unsupportedSettings,
  type IgnoredSettingCode,
  type LocalIssueCode,
} from './local-checks';
import type { ExecutionGraph, LocalStepType, ParameterValue } from './types';

/** A definition that passed validation, with its graph, effective parameter values and what local mode ignores. */
export interface PreparedDefinition {
  readonly definition: PipelineDefinitionJson;
  readonly flat: FlatStep[];
  readonly graph: ExecutionGraph;
  readonly parameters: Record<string, ParameterValue>;
  readonly parameterTypes: Record<string, ParameterType>;
  /** Cloud-only settings the run accepts and does not act on (spot, checkpoints, VPC, KMS, ...). */
  readonly ignored: readonly ValidationIssue<IgnoredSettingCode>[];
}

/** Checks a value against a parameter type; returns the typed value or what is wrong with it. */
export function coerceParameterValue(
  param: Pick<ParameterJson, 'Name' | 'Type'>,
  value: unknown,
  source: string,
): { value: ParameterValue } | { problem: string } {
  const bad = (what: string): { problem: string } => ({
    problem: `${source} for parameter "${param.Name}" is ${JSON.stringify(value)}, but the parameter is ${param.Type}: ${what}`,
  });
  switch (param.Type) {
    case 'String':
      return typeof value === 'string' ? { value } : bad('pass a string');
    case 'Integer': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isInteger(n) ? { value: n } : bad('pass a whole number');
    }
    case 'Float': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? { value: n } : bad('pass a number');
    }
    case 'Boolean':
      if (typeof value === 'boolean') return { value };
      if (value === 'true' || value === 'false') return { value: value === 'true' };
      return bad('pass true or false');
    default:
      return { problem: `parameter "${param.Name}" has unknown Type ${JSON.stringify(param.Type)}` };
  }
}

/** The effective parameter values: defaults, then overrides; with local mode's problems about the overrides. */
function resolveParameters(
  declared: readonly ParameterJson[],
  overrides: Record<string, unknown>,
  issues: ValidationIssue<LocalIssueCode>[],
): { parameters: Record<string, ParameterValue>; parameterTypes: Record<string, ParameterType> } {
  const parameters: Record<string, ParameterValue> = {};
  const parameterTypes: Record<string, ParameterType> = {};
  for (const p of declared) {
    parameterTypes[p.Name] = p.Type;
    // The shared validator checked the defaults' types.
    if (p.DefaultValue !== undefined) parameters[p.Name] = p.DefaultValue;
  }
  for (const [name, value] of Object.entries(overrides)) {
    const param = declared.find((p) => p.Name === name);
    const where = `Parameters[${name}]`;
    if (!param) {
      const known = declared.map((p) => p.Name).join(', ') || 'no parameters';
      issues.push({
        code: 'unknown-parameter-override',
        path: where,
        message: `unknown parameter override "${name}" (=${JSON.stringify(value)}); the pipeline declares: ${known}`,
      });
      continue;
    }
    const typed = coerceParameterValue(param, value, 'override');
    if ('problem' in typed) issues.push({ code: 'invalid-parameter-override', path: where, message: typed.problem });
    else parameters[name] = typed.value;
  }
  for (const p of declared) {
    const value = parameters[p.Name];
    if (value === undefined) {
      issues.push({
        code: 'missing-parameter-value',
        path: `Parameters[${p.Name}]`,
        message: `parameter "${p.Name}" has no DefaultValue and no override; pass a value for it`,
      });
    } else if (Array.isArray(p.EnumValues) && !p.EnumValues.includes(value)) {
      issues.push({
        code: 'parameter-not-in-enum',
        path: `Parameters[${p.Name}]`,
        message: `parameter "${p.Name}" is ${JSON.stringify(value)}, which is not one of its EnumValues ${JSON.stringify(p.EnumValues)}`,
      });
    }
  }
  return { parameters, parameterTypes };
}

/**
 * Validates a definition and parameter overrides before anything runs: the shared validator's checks (the same
 * that run at `cdk synth`), then what only local mode has to say: overrides, step types and settings it cannot run.
 * Throws a {@link PipelineDefinitionError} listing every problem; returns the prepared definition with the
 * cloud-only settings the run will ignore.
 */
export function prepareDefinition(definition: PipelineDefinitionJson, overrides: Record<string, unknown> = {}): PreparedDefinition {
  const shared = validatePipelineDefinition(definition);
  if (shared.length > 0 || !Array.isArray(definition.Steps)) {
    throw new PipelineDefinitionError(shared);
  }
  const local: ValidationIssue<LocalIssueCode>[] = [];
  const { parameters, parameterTypes } = resolveParameters(definition.Parameters ?? [], overrides, local);
  const flat = flattenSteps(definition.Steps);
  const ignored: ValidationIssue<IgnoredSettingCode>[] = [];
  for (const { step } of flat) {
    const path = `Steps[${step.Name}]`;
    if (!SUPPORTED_STEP_TYPES.includes(step.Type as LocalStepType)) {
      local.push({
        code: 'unsupported-step-type',
        path: `${path}.Type`,
        message: `step "${step.Name}" has Type ${JSON.stringify(step.Type)}, which local mode does not run (it runs: ${SUPPORTED_STEP_TYPES.join(', ')})`,
      });
      continue;
    }
    for (const message of unsupportedSettings(step.Type, step.Arguments)) {
      local.push({ code: 'unsupported-setting', path: `${path}.Arguments`, message: `step "${step.Name}": ${message}` });
    }
    ignored.push(...ignoredSettings(step, path));
  }
  if (local.length > 0) throw new PipelineDefinitionError(local);
  const { graph } = buildGraph(definition.Steps);
  return { definition, flat, graph, parameters, parameterTypes, ignored };
}
