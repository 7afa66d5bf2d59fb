import { validatePipelineDefinition } from '../../lib/sagemaker-pipelines';
import { CONDITION_TYPES } from './conditions';
import {
  flattenSteps,
  PipelineDefinitionError,
  type FlatStep,
  type ParameterJson,
  type ParameterType,
  type PipelineDefinitionJson,
  type StepJson,
} from './definition';
import { parseIsoDuration } from './duration';
import { collectGets, EXECUTION_VARIABLES, expressionKind, parseGet } from './expressions';
import { buildGraph, findCycle, referencingParts } from './graph';
import { RETRY_EXCEPTION_TYPES } from './retry';
import type { ExecutionGraph, LocalStepType, ParameterValue } from './types';

export const SUPPORTED_STEP_TYPES: readonly LocalStepType[] = [
  'Processing',
  'Training',
  'Tuning',
  'Condition',
  'RegisterModel',
  'Model',
  'Transform',
  'Fail',
];

const PARAMETER_TYPES: readonly ParameterType[] = ['String', 'Integer', 'Float', 'Boolean'];
const STEP_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A definition that passed validation, with its graph and effective parameter values. */
export interface PreparedDefinition {
  readonly definition: PipelineDefinitionJson;
  readonly flat: FlatStep[];
  readonly graph: ExecutionGraph;
  readonly parameters: Record<string, ParameterValue>;
  readonly parameterTypes: Record<string, ParameterType>;
}

/** Checks a value against a parameter type; returns the typed value or a problem description. */
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
      if (typeof value === 'string') return { value };
      return bad('pass a string');
    case 'Integer': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n === 'number' && Number.isInteger(n)) return { value: n };
      return bad('pass a whole number');
    }
    case 'Float': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n === 'number' && Number.isFinite(n)) return { value: n };
      return bad('pass a number');
    }
    case 'Boolean':
      if (typeof value === 'boolean') return { value };
      if (value === 'true' || value === 'false') return { value: value === 'true' };
      return bad('pass true or false');
    default:
      return { problem: `parameter "${param.Name}" has unknown Type ${JSON.stringify(param.Type)}` };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkStepShape(step: StepJson, problems: string[]): void {
  const where = `step "${step.Name}"`;
  const args = step.Arguments;
  if (step.Type === 'Fail') {
    if (args !== undefined && !isObject(args)) problems.push(`${where}: Arguments must be an object`);
    return;
  }
  if (!isObject(args)) {
    problems.push(`${where}: Arguments must be an object, got ${JSON.stringify(args)}`);
    return;
  }
  switch (step.Type) {
    case 'Processing': {
      const app = args.AppSpecification;
      if (!isObject(app) || !Array.isArray(app.ContainerEntrypoint) || app.ContainerEntrypoint.length === 0) {
        problems.push(
          `${where}: AppSpecification.ContainerEntrypoint must be a non-empty list (e.g. ["python3", "/opt/ml/processing/input/code/script.py"]); ` +
            'local mode cannot run an image default entrypoint',
        );
      }
      if (args.ProcessingInputs !== undefined && !Array.isArray(args.ProcessingInputs)) {
        problems.push(`${where}: ProcessingInputs must be a list`);
      }
      break;
    }
    case 'Training':
      if (!isObject(args.AlgorithmSpecification)) problems.push(`${where}: AlgorithmSpecification is missing`);
      if (!isObject(args.OutputDataConfig)) problems.push(`${where}: OutputDataConfig.S3OutputPath is missing`);
      break;
    case 'Tuning':
      if (!isObject(args.HyperParameterTuningJobConfig)) problems.push(`${where}: HyperParameterTuningJobConfig is missing`);
      if (!isObject(args.TrainingJobDefinition)) {
        problems.push(
          `${where}: TrainingJobDefinition is missing` +
            (args.TrainingJobDefinitions !== undefined ? ' (TrainingJobDefinitions with several algorithms is not supported locally)' : ''),
        );
      }
      break;
    case 'Condition': {
      if (!Array.isArray(args.Conditions)) problems.push(`${where}: Conditions must be a list`);
      else checkConditions(args.Conditions, where, problems);
      for (const key of ['IfSteps', 'ElseSteps']) {
        if (args[key] !== undefined && !Array.isArray(args[key])) problems.push(`${where}: ${key} must be a list of steps`);
      }
      break;
    }
    case 'RegisterModel':
      if (args.ModelPackageGroupName === undefined) problems.push(`${where}: ModelPackageGroupName is missing`);
      break;
    case 'Model':
      if (!isObject(args.PrimaryContainer) && !Array.isArray(args.Containers)) {
        problems.push(`${where}: PrimaryContainer (or Containers) is missing`);
      }
      break;
    case 'Transform':
      if (args.ModelName === undefined) problems.push(`${where}: ModelName is missing`);
      if (!isObject(args.TransformInput)) problems.push(`${where}: TransformInput is missing`);
      if (!isObject(args.TransformOutput)) problems.push(`${where}: TransformOutput is missing`);
      break;
    default:
      break;
  }
}

function checkConditions(conditions: unknown[], where: string, problems: string[]): void {
  for (const c of conditions) {
    if (!isObject(c) || !(CONDITION_TYPES as readonly unknown[]).includes(c.Type)) {
      problems.push(
        `${where}: condition ${JSON.stringify(c)} has unsupported Type ${JSON.stringify(isObject(c) ? c.Type : c)} ` +
          `(use one of ${CONDITION_TYPES.join(', ')})`,
      );
      continue;
    }
    if (c.Type === 'Not') checkConditions([c.Condition ?? c.Expression], where, problems);
    if (c.Type === 'Or') {
      if (!Array.isArray(c.Conditions)) problems.push(`${where}: Or condition needs a "Conditions" list`);
      else checkConditions(c.Conditions, where, problems);
    }
    if (c.Type === 'In' && !Array.isArray(c.Values)) problems.push(`${where}: In condition needs a "Values" list`);
  }
}

function collectJsonGets(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) value.forEach((v) => collectJsonGets(v, out));
  else if (isObject(value)) {
    if (expressionKind(value) === 'Std:JsonGet' && isObject(value['Std:JsonGet'])) {
      out.push(value['Std:JsonGet'] as Record<string, unknown>);
    }
    Object.values(value).forEach((v) => collectJsonGets(v, out));
  }
  return out;
}

/**
 * The shared semantic validator from lib/sagemaker-pipelines, called here only (one place), so the
 * executor accepts exactly what deploys. Returns its problems.
 */
function sharedValidatorProblems(definition: PipelineDefinitionJson): string[] {
  return validatePipelineDefinition(definition).map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
}

/**
 * The step or parameter a problem is about (`step:Prep`, `parameter:Threshold`), from the shared validator's path
 * (`Steps[Prep]...`, `Parameters[Threshold]...`) or from our wording (`step "Prep" ...`, `parameter "Threshold" ...`).
 */
function problemSubject(problem: string): string | undefined {
  const m = /^(?:Steps\[([^\]]+)\]|step (?:name )?"([^"]+)")|^(?:Parameters\[([^\]]+)\]|parameter "([^"]+)")/.exec(problem);
  if (!m) return undefined;
  const step = m[1] ?? m[2];
  return step !== undefined ? `step:${step}` : `parameter:${m[3] ?? m[4]}`;
}

/**
 * Validates a definition and parameter overrides before anything runs; throws a
 * {@link PipelineDefinitionError} listing every problem (each names the bad value).
 */
export function prepareDefinition(
  definition: PipelineDefinitionJson,
  overrides: Record<string, unknown> = {},
): PreparedDefinition {
  // `problems`: generic definition errors (the shared validator finds many of them too, and its list comes first);
  // `localProblems`: what only matters for running locally (overrides, local-mode limits). All are reported.
  const problems: string[] = [];
  const localProblems: string[] = [];
  if (!isObject(definition)) throw new PipelineDefinitionError([`definition must be an object`]);
  if (!Array.isArray(definition.Steps) || definition.Steps.length === 0) {
    throw new PipelineDefinitionError([`"Steps" must be a non-empty list, got ${JSON.stringify(definition.Steps)}`]);
  }

  // Parameters
  const parameters: Record<string, ParameterValue> = {};
  const parameterTypes: Record<string, ParameterType> = {};
  const declared = definition.Parameters ?? [];
  if (!Array.isArray(declared)) problems.push(`"Parameters" must be a list`);
  for (const raw of Array.isArray(declared) ? declared : []) {
    if (!isObject(raw) || typeof raw.Name !== 'string' || raw.Name === '') {
      problems.push(`parameter ${JSON.stringify(raw)} needs a "Name"`);
      continue;
    }
    const p = raw as unknown as ParameterJson;
    if (parameterTypes[p.Name] !== undefined) {
      problems.push(`parameter "${p.Name}" is declared twice`);
      continue;
    }
    if (!PARAMETER_TYPES.includes(p.Type)) {
      problems.push(`parameter "${p.Name}" has Type ${JSON.stringify(p.Type)}; use one of ${PARAMETER_TYPES.join(', ')}`);
      continue;
    }
    parameterTypes[p.Name] = p.Type;
    if (p.DefaultValue !== undefined) {
      const typed = coerceParameterValue(p, p.DefaultValue, 'DefaultValue');
      if ('problem' in typed) problems.push(typed.problem);
      else parameters[p.Name] = typed.value;
    }
  }
  for (const [name, value] of Object.entries(overrides)) {
    const param = (Array.isArray(declared) ? declared : []).find((p) => isObject(p) && p.Name === name);
    if (!param) {
      localProblems.push(
        `unknown parameter override "${name}" (=${JSON.stringify(value)}); the pipeline declares: ${
          Object.keys(parameterTypes).join(', ') || 'no parameters'
        }`,
      );
      continue;
    }
    if (!PARAMETER_TYPES.includes(param.Type)) continue;
    const typed = coerceParameterValue(param, value, 'override');
    if ('problem' in typed) localProblems.push(typed.problem);
    else parameters[name] = typed.value;
  }
  for (const p of Array.isArray(declared) ? declared : []) {
    if (!isObject(p) || typeof p.Name !== 'string') continue;
    if (parameters[p.Name] === undefined && parameterTypes[p.Name] !== undefined) {
      localProblems.push(`parameter "${p.Name}" has no DefaultValue and no override; pass a value for it`);
    }
    const value = parameters[p.Name];
    if (Array.isArray(p.EnumValues) && value !== undefined && !p.EnumValues.includes(value)) {
      localProblems.push(`parameter "${p.Name}" is ${JSON.stringify(value)}, which is not one of its EnumValues ${JSON.stringify(p.EnumValues)}`);
    }
  }

  // Steps
  let flat: FlatStep[] = [];
  try {
    flat = flattenSteps(definition.Steps);
  } catch (err) {
    problems.push(`cannot read steps: ${(err as Error).message}`);
  }
  const byName = new Map<string, StepJson>();
  for (const { step } of flat) {
    if (!isObject(step) || typeof step.Name !== 'string') {
      problems.push(`step ${JSON.stringify(step).slice(0, 200)} needs a "Name"`);
      continue;
    }
    if (!STEP_NAME.test(step.Name)) {
      problems.push(`step name "${step.Name}" must be 1-64 letters, digits, "-" or "_"`);
    }
    if (byName.has(step.Name)) problems.push(`step name "${step.Name}" is used more than once (names are unique across branches)`);
    byName.set(step.Name, step);
    if (!SUPPORTED_STEP_TYPES.includes(step.Type as LocalStepType)) {
      localProblems.push(
        `step "${step.Name}" has Type ${JSON.stringify(step.Type)}, which local mode does not run ` +
          `(supported: ${SUPPORTED_STEP_TYPES.join(', ')})`,
      );
      continue;
    }
    checkStepShape(step, localProblems);
    if (step.DependsOn !== undefined && !Array.isArray(step.DependsOn)) {
      problems.push(`step "${step.Name}": DependsOn must be a list of step names`);
    }
    if (step.CacheConfig !== undefined) {
      if (!isObject(step.CacheConfig) || typeof step.CacheConfig.Enabled !== 'boolean') {
        problems.push(`step "${step.Name}": CacheConfig must be {"Enabled": true|false, "ExpireAfter"?: "P30D"}`);
      } else if (step.CacheConfig.ExpireAfter !== undefined) {
        try {
          parseIsoDuration(step.CacheConfig.ExpireAfter);
        } catch (err) {
          problems.push(`step "${step.Name}": CacheConfig.ExpireAfter: ${(err as Error).message}`);
        }
      }
    }
    for (const policy of step.RetryPolicies ?? []) {
      if (!isObject(policy) || !Array.isArray(policy.ExceptionType) || policy.ExceptionType.length === 0) {
        problems.push(`step "${step.Name}": each RetryPolicy needs a non-empty ExceptionType list`);
        continue;
      }
      for (const type of policy.ExceptionType) {
        if (!(RETRY_EXCEPTION_TYPES as readonly string[]).includes(type) && type !== 'SageMaker.JOB_CAPACITY_ERROR') {
          problems.push(
            `step "${step.Name}": RetryPolicy ExceptionType ${JSON.stringify(type)} is unknown (use ${RETRY_EXCEPTION_TYPES.join(', ')})`,
          );
        }
      }
      for (const key of ['MaxAttempts', 'IntervalSeconds', 'BackoffRate', 'ExpireAfterMin'] as const) {
        const v = policy[key];
        if (v !== undefined && (typeof v !== 'number' || !(v >= 0))) {
          problems.push(`step "${step.Name}": RetryPolicy ${key} must be a non-negative number, got ${JSON.stringify(v)}`);
        }
      }
    }
  }

  // References
  for (const { step } of flat) {
    if (!isObject(step) || typeof step.Name !== 'string') continue;
    for (const dep of Array.isArray(step.DependsOn) ? step.DependsOn : []) {
      if (!byName.has(dep)) problems.push(`step "${step.Name}" DependsOn unknown step "${dep}"`);
    }
    const parts = referencingParts(step);
    for (const part of parts) {
      for (const get of collectGets(part)) {
        let parsed;
        try {
          parsed = parseGet(get);
        } catch (err) {
          problems.push(`step "${step.Name}": ${(err as Error).message}`);
          continue;
        }
        if (parsed.root === 'Parameters' && parameterTypes[parsed.name] === undefined) {
          problems.push(`step "${step.Name}" reads {"Get":"${get}"}, but no parameter "${parsed.name}" is declared`);
        } else if (parsed.root === 'Execution' && !(EXECUTION_VARIABLES as readonly string[]).includes(parsed.name)) {
          problems.push(
            `step "${step.Name}" reads {"Get":"${get}"}: unknown execution variable (use ${EXECUTION_VARIABLES.join(', ')})`,
          );
        } else if (parsed.root === 'Steps') {
          if (!byName.has(parsed.step)) {
            problems.push(`step "${step.Name}" reads {"Get":"${get}"}, but there is no step "${parsed.step}"`);
          } else if (parsed.step === step.Name) {
            problems.push(`step "${step.Name}" reads its own properties in {"Get":"${get}"}`);
          }
        }
      }
      for (const jsonGet of collectJsonGets(part)) {
        const ref = isObject(jsonGet.PropertyFile) ? jsonGet.PropertyFile.Get : undefined;
        if (typeof ref !== 'string') continue;
        const m = /^Steps\.([^.[]+)\.PropertyFiles\.(.+)$/.exec(ref);
        if (!m) continue;
        const target = byName.get(m[1]);
        const file = m[2].replace(/^\['(.*)'\]$/, '$1');
        if (target && !(target.PropertyFiles ?? []).some((f) => f.PropertyFileName === file)) {
          problems.push(
            `step "${step.Name}" reads property file "${file}" of step "${m[1]}", which declares ${
              (target.PropertyFiles ?? []).map((f) => `"${f.PropertyFileName}"`).join(', ') || 'no PropertyFiles'
            }`,
          );
        }
      }
    }
  }

  const shared = sharedValidatorProblems(definition);
  // The shared validator words most generic problems its own way: keep ours only about what it says nothing about.
  const sharedSubjects = new Set<string | undefined>(shared.map(problemSubject).filter((s) => s !== undefined));
  const own = problems.filter((p) => !sharedSubjects.has(problemSubject(p)));
  const all = [...new Set([...shared, ...own, ...localProblems])];
  if (all.length > 0) throw new PipelineDefinitionError(all);
  const { graph } = buildGraph(definition.Steps);
  const cycle = findCycle(graph);
  if (cycle) throw new PipelineDefinitionError([`steps form a cycle: ${cycle.join(' -> ')}`]);
  return { definition, flat, graph, parameters, parameterTypes };
}
