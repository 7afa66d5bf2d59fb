import { CONDITION_TYPES, COMPARISON_CONDITION_TYPES } from './conditions';
import { PIPELINE_DEFINITION_VERSION, type PipelineDefinition } from './definition';
import { EXECUTION_VARIABLES } from './expressions';
import { parseGetPath } from './property-path';
import { isUnresolved } from './tokens';
import { isRecord, show, type Json, type JsonRecord } from './private/json';

/** Kinds of problems `validatePipelineDefinition` reports. */
export type ValidationIssueCode =
  | 'invalid-definition'
  | 'empty-steps'
  | 'invalid-step-name'
  | 'duplicate-step-name'
  | 'unknown-step-type'
  | 'invalid-arguments'
  | 'invalid-parameter'
  | 'duplicate-parameter'
  | 'parameter-type-mismatch'
  | 'unknown-step'
  | 'unknown-parameter'
  | 'unknown-execution-variable'
  | 'invalid-expression'
  | 'unknown-output'
  | 'unknown-property-file'
  | 'invalid-property-file'
  | 'unreachable-reference'
  | 'cycle'
  | 'invalid-condition'
  | 'invalid-cache-config'
  | 'invalid-retry-policy'
  | 'invalid-depends-on';

/** One problem found in a definition. */
export interface ValidationIssue {
  /** What kind of problem it is. */
  readonly code: ValidationIssueCode;
  /** Where it is, e.g. `Steps[Evaluate].Arguments.ProcessingInputs[0].S3Input.S3Uri`. */
  readonly path: string;
  /** What is wrong, naming the offending value, and what to do. */
  readonly message: string;
}

/** Step types the validator knows. */
export const STEP_TYPES = ['Processing', 'Training', 'Tuning', 'Condition', 'RegisterModel', 'Model', 'Transform', 'Fail'];
/** Step types that run a SageMaker job, so accept `SageMaker.*` retry exception types. */
const JOB_STEP_TYPES = ['Processing', 'Training', 'Tuning', 'Transform'];
/** Step types that accept `CacheConfig`. */
const CACHEABLE_STEP_TYPES = ['Processing', 'Training', 'Tuning', 'Transform', 'Model', 'RegisterModel'];
/** Step types that accept `RetryPolicies`. */
const RETRYABLE_STEP_TYPES = ['Processing', 'Training', 'Tuning', 'Transform', 'Model', 'RegisterModel'];
const STEP_EXCEPTION_TYPES = ['Step.SERVICE_FAULT', 'Step.THROTTLING'];
const JOB_EXCEPTION_TYPES = [
  'SageMaker.JOB_INTERNAL_ERROR',
  'SageMaker.CAPACITY_ERROR',
  'SageMaker.JOB_CAPACITY_ERROR',
  'SageMaker.RESOURCE_LIMIT',
];
const NAME_PATTERN = /^[A-Za-z0-9\-_]+$/;
const ISO_DURATION = /^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;


/** A step found anywhere in the definition, with the branches it sits in. */
interface StepInfo {
  readonly name: string;
  readonly type: string;
  readonly def: JsonRecord;
  readonly path: string;
  /** Enclosing branches from the top, e.g. `['CheckQuality:IfSteps']`. */
  readonly branches: readonly string[];
  /** The Condition step whose branch holds this step. */
  readonly parent?: string;
}

/** Where a step sits, for messages. */
function describeLocation(info: StepInfo): string {
  if (info.branches.length === 0) {
    return 'at the top level';
  }
  const last = info.branches[info.branches.length - 1];
  const [condition, branch] = last.split(':');
  return `in the ${branch} of ${condition}`;
}

class Validator {
  private readonly issues: ValidationIssue[] = [];
  private readonly steps = new Map<string, StepInfo>();
  private readonly parameters = new Map<string, string>();
  /** step → steps it depends on (data references, DependsOn, enclosing condition). */
  private readonly edges = new Map<string, Set<string>>();

  public constructor(private readonly def: Json) {}

  public run(): ValidationIssue[] {
    const def = this.def;
    if (!isRecord(def)) {
      this.report('invalid-definition', '', `The definition must be a JSON object, got ${show(def)}.`);
      return this.issues;
    }
    if (def.Version !== PIPELINE_DEFINITION_VERSION) {
      this.report(
        'invalid-definition',
        'Version',
        `Version must be "${PIPELINE_DEFINITION_VERSION}", got ${show(def.Version)}.`,
      );
    }
    if (def.Metadata !== undefined && !isRecord(def.Metadata)) {
      this.report('invalid-definition', 'Metadata', `Metadata must be an object, got ${show(def.Metadata)}.`);
    }
    this.checkParameters(def.Parameters);

    if (!Array.isArray(def.Steps)) {
      this.report('invalid-definition', 'Steps', `Steps must be a list of steps, got ${show(def.Steps)}.`);
      return this.issues;
    }
    if (def.Steps.length === 0) {
      this.report('empty-steps', 'Steps', 'The pipeline has no steps; add at least one.');
    }
    this.collectSteps(def.Steps, 'Steps', []);
    for (const info of this.steps.values()) {
      this.checkStep(info);
    }
    if (def.PipelineExperimentConfig !== undefined) {
      if (!isRecord(def.PipelineExperimentConfig)) {
        this.report(
          'invalid-definition',
          'PipelineExperimentConfig',
          `PipelineExperimentConfig must be an object with ExperimentName and TrialName, got ${show(def.PipelineExperimentConfig)}.`,
        );
      } else {
        this.walkValue(def.PipelineExperimentConfig, 'PipelineExperimentConfig', undefined);
      }
    }
    this.checkCycles();
    return this.issues;
  }

  private report(code: ValidationIssueCode, path: string, message: string): void {
    this.issues.push({ code, path, message });
  }

  private addEdge(from: string, to: string): void {
    let set = this.edges.get(from);
    if (!set) {
      set = new Set();
      this.edges.set(from, set);
    }
    set.add(to);
  }

  // ------------------------------------------------------------ parameters

  private checkParameters(parameters: Json): void {
    if (parameters === undefined) {
      return;
    }
    if (!Array.isArray(parameters)) {
      this.report('invalid-definition', 'Parameters', `Parameters must be a list, got ${show(parameters)}.`);
      return;
    }
    parameters.forEach((parameter: Json, index: number) => {
      const path = `Parameters[${index}]`;
      if (!isRecord(parameter)) {
        this.report('invalid-parameter', path, `A parameter must be an object with Name and Type, got ${show(parameter)}.`);
        return;
      }
      const { Name: name, Type: type, DefaultValue: defaultValue } = parameter;
      if (typeof name !== 'string' || (!isUnresolved(name) && (!NAME_PATTERN.test(name) || name.length > 256))) {
        this.report(
          'invalid-parameter',
          `${path}.Name`,
          `Parameter name ${show(name)} is invalid: use 1-256 letters, digits, '-' or '_'.`,
        );
        return;
      }
      const where = `Parameters[${name}]`;
      if (this.parameters.has(name)) {
        this.report('duplicate-parameter', where, `Parameter '${name}' is declared more than once; keep one.`);
        return;
      }
      if (type !== 'String' && type !== 'Integer' && type !== 'Float' && type !== 'Boolean') {
        this.report(
          'invalid-parameter',
          `${where}.Type`,
          `Parameter '${name}' has type ${show(type)}; use String, Integer, Float or Boolean.`,
        );
        this.parameters.set(name, 'unknown');
        return;
      }
      this.parameters.set(name, type);
      if (defaultValue !== undefined && !isUnresolved(defaultValue)) {
        const ok =
          (type === 'String' && typeof defaultValue === 'string') ||
          (type === 'Integer' && typeof defaultValue === 'number' && Number.isInteger(defaultValue)) ||
          (type === 'Float' && typeof defaultValue === 'number' && Number.isFinite(defaultValue)) ||
          (type === 'Boolean' && typeof defaultValue === 'boolean');
        if (!ok) {
          this.report(
            'parameter-type-mismatch',
            `${where}.DefaultValue`,
            `Parameter '${name}' is ${type} but its DefaultValue is ${show(defaultValue)} (${typeof defaultValue}); ` +
              `give a ${type === 'Integer' ? 'whole number' : type.toLowerCase()} default.`,
          );
        }
      }
      const enumValues = parameter.EnumValues;
      if (enumValues !== undefined) {
        if (type !== 'String' || !Array.isArray(enumValues) || enumValues.some((v: Json) => typeof v !== 'string')) {
          this.report(
            'invalid-parameter',
            `${where}.EnumValues`,
            `EnumValues of '${name}' must be a list of strings on a String parameter, got ${show(enumValues)}.`,
          );
        } else if (typeof defaultValue === 'string' && !isUnresolved(defaultValue) && !enumValues.includes(defaultValue)) {
          this.report(
            'parameter-type-mismatch',
            `${where}.DefaultValue`,
            `DefaultValue "${defaultValue}" of '${name}' is not one of its EnumValues (${enumValues.join(', ')}).`,
          );
        }
      }
    });
  }

  // ------------------------------------------------------------ steps

  private collectSteps(list: readonly Json[], listPath: string, branches: readonly string[], parent?: string): void {
    list.forEach((step, index) => {
      if (!isRecord(step)) {
        this.report('invalid-definition', `${listPath}[${index}]`, `A step must be an object, got ${show(step)}.`);
        return;
      }
      const name = step.Name;
      if (typeof name !== 'string') {
        this.report('invalid-step-name', `${listPath}[${index}].Name`, `Step name must be a string, got ${show(name)}.`);
        return;
      }
      const path = `Steps[${name}]`;
      if (!isUnresolved(name) && (!NAME_PATTERN.test(name) || name.length > 64)) {
        this.report(
          'invalid-step-name',
          `${path}.Name`,
          `Step name "${name}" is invalid: use 1-64 letters, digits, '-' or '_'.`,
        );
      }
      const info: StepInfo = { name, type: String(step.Type), def: step, path, branches, parent };
      const existing = this.steps.get(name);
      if (existing) {
        const first = describeLocation(existing);
        const second = describeLocation(info);
        const where = first === second ? first : `${first} and ${second}`;
        this.report(
          'duplicate-step-name',
          path,
          `Step name '${name}' is used twice (${where}); step names must be unique across all branches.`,
        );
        return;
      }
      this.steps.set(name, info);
      if (parent) {
        this.addEdge(name, parent);
      }
      if (step.Type === 'Condition' && isRecord(step.Arguments)) {
        for (const branch of ['IfSteps', 'ElseSteps'] as const) {
          const branchSteps = step.Arguments[branch];
          if (branchSteps === undefined) continue;
          if (!Array.isArray(branchSteps)) {
            this.report(
              'invalid-arguments',
              `${path}.Arguments.${branch}`,
              `${branch} of Condition step '${name}' must be a list of steps, got ${show(branchSteps)}.`,
            );
            continue;
          }
          this.collectSteps(branchSteps, `${path}.Arguments.${branch}`, [...branches, `${name}:${branch}`], name);
        }
      }
    });
  }

  private checkStep(info: StepInfo): void {
    const { def, path, name, type } = info;
    if (!STEP_TYPES.includes(type)) {
      this.report(
        'unknown-step-type',
        `${path}.Type`,
        `Step '${name}' has unknown type ${show(def.Type)}; use one of ${STEP_TYPES.join(', ')}.`,
      );
    }
    const args = def.Arguments;
    if (!isRecord(args)) {
      this.report('invalid-arguments', `${path}.Arguments`, `Step '${name}' needs an Arguments object, got ${show(args)}.`);
    } else if (type === 'Condition') {
      this.checkConditionStep(info, args);
    } else {
      if (type === 'Fail') {
        const message = args.ErrorMessage;
        if (message !== undefined && typeof message !== 'string' && !isRecord(message)) {
          this.report(
            'invalid-arguments',
            `${path}.Arguments.ErrorMessage`,
            `ErrorMessage of Fail step '${name}' must be a string or an expression, got ${show(message)}.`,
          );
        }
      }
      this.walkValue(args, `${path}.Arguments`, info);
    }
    this.checkPropertyFiles(info);
    this.checkDependsOn(info);
    this.checkCacheConfig(info);
    this.checkRetryPolicies(info);
  }

  private checkConditionStep(info: StepInfo, args: JsonRecord): void {
    const { path, name } = info;
    const conditions = args.Conditions;
    if (!Array.isArray(conditions) || conditions.length === 0) {
      this.report(
        'invalid-condition',
        `${path}.Arguments.Conditions`,
        `Condition step '${name}' needs a non-empty Conditions list, got ${show(conditions)}.`,
      );
    } else {
      conditions.forEach((c: Json, i: number) => this.checkCondition(c, `${path}.Arguments.Conditions[${i}]`, info));
    }
    const ifSteps = args.IfSteps;
    const elseSteps = args.ElseSteps;
    const count = (v: Json) => (Array.isArray(v) ? v.length : 0);
    if (count(ifSteps) + count(elseSteps) === 0) {
      this.report(
        'empty-steps',
        `${path}.Arguments`,
        `Condition step '${name}' has no IfSteps and no ElseSteps; give at least one branch a step.`,
      );
    }
    for (const key of Object.keys(args)) {
      if (!['Conditions', 'IfSteps', 'ElseSteps'].includes(key)) {
        this.report(
          'invalid-arguments',
          `${path}.Arguments.${key}`,
          `Condition step '${name}' has unknown argument '${key}'; use Conditions, IfSteps and ElseSteps.`,
        );
      }
    }
  }

  private checkCondition(condition: Json, path: string, info: StepInfo): void {
    if (!isRecord(condition)) {
      this.report('invalid-condition', path, `A condition must be an object with a Type, got ${show(condition)}.`);
      return;
    }
    const type = condition.Type;
    const present = (key: string) => condition[key] !== undefined && condition[key] !== null;
    if (typeof type !== 'string' || !(CONDITION_TYPES as readonly string[]).includes(type)) {
      this.report(
        'invalid-condition',
        `${path}.Type`,
        `Unknown condition type ${show(type)}; use one of ${CONDITION_TYPES.join(', ')}.`,
      );
      return;
    }
    if ((COMPARISON_CONDITION_TYPES as readonly string[]).includes(type)) {
      for (const operand of ['LeftValue', 'RightValue']) {
        if (!present(operand)) {
          this.report('invalid-condition', `${path}.${operand}`, `${type} condition is missing its ${operand}.`);
        } else {
          this.checkOperand(condition[operand], `${path}.${operand}`, info);
        }
      }
    } else if (type === 'In') {
      if (!present('QueryValue')) {
        this.report('invalid-condition', `${path}.QueryValue`, 'In condition is missing its QueryValue.');
      } else {
        this.checkOperand(condition.QueryValue, `${path}.QueryValue`, info);
      }
      const values = condition.Values;
      if (!Array.isArray(values) || values.length === 0) {
        this.report('invalid-condition', `${path}.Values`, `In condition needs a non-empty Values list, got ${show(values)}.`);
      } else {
        values.forEach((v: Json, i: number) => this.checkOperand(v, `${path}.Values[${i}]`, info));
      }
    } else if (type === 'Not') {
      // The SageMaker Python SDK writes the negated condition as `Expression`; this builder writes `Condition`.
      const member = present('Condition') ? 'Condition' : present('Expression') ? 'Expression' : undefined;
      if (member === undefined) {
        this.report('invalid-condition', `${path}.Condition`, 'Not condition is missing the Condition it negates.');
      } else {
        this.checkCondition(condition[member], `${path}.${member}`, info);
      }
    } else if (type === 'Or') {
      const conditions = condition.Conditions;
      if (!Array.isArray(conditions) || conditions.length === 0) {
        this.report(
          'invalid-condition',
          `${path}.Conditions`,
          `Or condition needs a non-empty Conditions list, got ${show(conditions)}.`,
        );
      } else {
        conditions.forEach((c: Json, i: number) => this.checkCondition(c, `${path}.Conditions[${i}]`, info));
      }
    }
  }

  private checkOperand(value: Json, path: string, info: StepInfo): void {
    if (Array.isArray(value) || (isRecord(value) && !this.isExpressionLike(value))) {
      this.report(
        'invalid-condition',
        path,
        `A condition operand must be a string, number, boolean or expression, got ${show(value)}.`,
      );
      return;
    }
    this.walkValue(value, path, info);
  }

  private isExpressionLike(value: JsonRecord): boolean {
    const keys = Object.keys(value);
    return keys.length === 1 && (keys[0] === 'Get' || keys[0].startsWith('Std:'));
  }

  private checkPropertyFiles(info: StepInfo): void {
    const files = info.def.PropertyFiles;
    if (files === undefined) {
      return;
    }
    const path = `${info.path}.PropertyFiles`;
    if (info.type !== 'Processing') {
      this.report('invalid-property-file', path, `Step '${info.name}' is a ${info.type} step; only Processing steps declare PropertyFiles.`);
      return;
    }
    if (!Array.isArray(files)) {
      this.report('invalid-property-file', path, `PropertyFiles must be a list, got ${show(files)}.`);
      return;
    }
    const outputs = this.processingOutputs(info);
    const seen = new Set<string>();
    files.forEach((file: Json, index: number) => {
      const filePath = `${path}[${index}]`;
      if (!isRecord(file)) {
        this.report('invalid-property-file', filePath, `A property file must be an object, got ${show(file)}.`);
        return;
      }
      for (const key of ['PropertyFileName', 'OutputName', 'FilePath']) {
        if (typeof file[key] !== 'string' || file[key] === '') {
          this.report('invalid-property-file', `${filePath}.${key}`, `Property file needs a non-empty ${key}, got ${show(file[key])}.`);
        }
      }
      const name = file.PropertyFileName;
      if (typeof name === 'string') {
        if (seen.has(name)) {
          this.report('invalid-property-file', filePath, `Property file '${name}' of step '${info.name}' is declared twice.`);
        }
        seen.add(name);
      }
      const outputName = file.OutputName;
      if (typeof outputName === 'string' && !isUnresolved(outputName) && outputs && !outputs.includes(outputName)) {
        this.report(
          'unknown-output',
          `${filePath}.OutputName`,
          `Property file '${String(name)}' of step '${info.name}' reads output '${outputName}', which the step does not have ` +
            `(outputs: ${outputs.join(', ') || 'none'}).`,
        );
      }
    });
  }

  /** Literal output names of a Processing step, or undefined when they cannot be known. */
  private processingOutputs(info: StepInfo): string[] | undefined {
    const args = info.def.Arguments;
    if (!isRecord(args)) return undefined;
    const config = args.ProcessingOutputConfig;
    if (config === undefined) return [];
    if (!isRecord(config) || !Array.isArray(config.Outputs)) return undefined;
    const names: string[] = [];
    for (const output of config.Outputs) {
      if (!isRecord(output) || typeof output.OutputName !== 'string' || isUnresolved(output.OutputName)) {
        return undefined;
      }
      names.push(output.OutputName);
    }
    return names;
  }

  /** Declared property file names of a Processing step. */
  private propertyFileNames(info: StepInfo): string[] {
    const files = info.def.PropertyFiles;
    return Array.isArray(files)
      ? files.filter(isRecord).map((f) => f.PropertyFileName).filter((n): n is string => typeof n === 'string')
      : [];
  }

  private checkDependsOn(info: StepInfo): void {
    const dependsOn = info.def.DependsOn;
    if (dependsOn === undefined) return;
    const path = `${info.path}.DependsOn`;
    if (!Array.isArray(dependsOn)) {
      this.report('invalid-depends-on', path, `DependsOn must be a list of step names, got ${show(dependsOn)}.`);
      return;
    }
    dependsOn.forEach((target: Json, i: number) => {
      if (typeof target !== 'string') {
        this.report('invalid-depends-on', `${path}[${i}]`, `DependsOn entries must be step names, got ${show(target)}.`);
        return;
      }
      if (isUnresolved(target)) return;
      this.checkStepReference(info, target, `${path}[${i}]`, `DependsOn "${target}"`);
    });
  }

  private checkCacheConfig(info: StepInfo): void {
    const config = info.def.CacheConfig;
    if (config === undefined) return;
    const path = `${info.path}.CacheConfig`;
    if (!CACHEABLE_STEP_TYPES.includes(info.type)) {
      this.report('invalid-cache-config', path, `Step '${info.name}' is a ${info.type} step, which cannot be cached; remove CacheConfig.`);
      return;
    }
    if (!isRecord(config)) {
      this.report('invalid-cache-config', path, `CacheConfig must be an object, got ${show(config)}.`);
      return;
    }
    if (typeof config.Enabled !== 'boolean') {
      this.report('invalid-cache-config', `${path}.Enabled`, `CacheConfig.Enabled of step '${info.name}' must be true or false, got ${show(config.Enabled)}.`);
    }
    const expire = config.ExpireAfter;
    if (expire !== undefined && !(typeof expire === 'string' && (isUnresolved(expire) || ISO_DURATION.test(expire)))) {
      this.report(
        'invalid-cache-config',
        `${path}.ExpireAfter`,
        `CacheConfig.ExpireAfter of step '${info.name}' is ${show(expire)}; use an ISO-8601 duration such as P30D or PT12H.`,
      );
    }
    for (const key of Object.keys(config)) {
      if (key !== 'Enabled' && key !== 'ExpireAfter') {
        this.report('invalid-cache-config', `${path}.${key}`, `CacheConfig has unknown member '${key}'; use Enabled and ExpireAfter.`);
      }
    }
  }

  private checkRetryPolicies(info: StepInfo): void {
    const policies = info.def.RetryPolicies;
    if (policies === undefined) return;
    const path = `${info.path}.RetryPolicies`;
    if (!RETRYABLE_STEP_TYPES.includes(info.type)) {
      this.report('invalid-retry-policy', path, `Step '${info.name}' is a ${info.type} step, which cannot be retried; remove RetryPolicies.`);
      return;
    }
    if (!Array.isArray(policies)) {
      this.report('invalid-retry-policy', path, `RetryPolicies must be a list, got ${show(policies)}.`);
      return;
    }
    const allowed = JOB_STEP_TYPES.includes(info.type) ? [...STEP_EXCEPTION_TYPES, ...JOB_EXCEPTION_TYPES] : STEP_EXCEPTION_TYPES;
    policies.forEach((policy: Json, index: number) => {
      const where = `${path}[${index}]`;
      if (!isRecord(policy)) {
        this.report('invalid-retry-policy', where, `A retry policy must be an object, got ${show(policy)}.`);
        return;
      }
      const types = policy.ExceptionType;
      if (!Array.isArray(types) || types.length === 0) {
        this.report('invalid-retry-policy', `${where}.ExceptionType`, `ExceptionType must be a non-empty list, got ${show(types)}.`);
      } else {
        for (const type of types) {
          if (typeof type !== 'string' || !allowed.includes(type)) {
            this.report(
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
          this.report('invalid-retry-policy', `${where}.${key}`, `${key} must be an integer from ${min} to ${max}, got ${show(value)}.`);
        }
      };
      checkInt('IntervalSeconds', 1, 43200);
      checkInt('MaxAttempts', 0, 20);
      checkInt('ExpireAfterMin', 0, 14400);
      const backoff = policy.BackoffRate;
      if (backoff !== undefined && !isUnresolved(backoff) && !(typeof backoff === 'number' && Number.isFinite(backoff) && backoff >= 0)) {
        this.report('invalid-retry-policy', `${where}.BackoffRate`, `BackoffRate must be a non-negative number, got ${show(backoff)}.`);
      }
      if (policy.MaxAttempts !== undefined && policy.ExpireAfterMin !== undefined) {
        this.report('invalid-retry-policy', where, 'A retry policy takes MaxAttempts or ExpireAfterMin, not both; remove one.');
      }
      for (const key of Object.keys(policy)) {
        if (!['ExceptionType', 'IntervalSeconds', 'BackoffRate', 'MaxAttempts', 'ExpireAfterMin'].includes(key)) {
          this.report('invalid-retry-policy', `${where}.${key}`, `Retry policy has unknown member '${key}'.`);
        }
      }
    });
  }

  // ------------------------------------------------------------ expressions

  /** Walks a value, checking every expression in it. `info` is the step that holds it (none for the top level). */
  private walkValue(value: Json, path: string, info: StepInfo | undefined): void {
    if (Array.isArray(value)) {
      value.forEach((item, i) => this.walkValue(item, `${path}[${i}]`, info));
      return;
    }
    if (!isRecord(value)) {
      return;
    }
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Get') {
      this.checkGet(value.Get, `${path}.Get`, info, false);
      return;
    }
    if (keys.length === 1 && keys[0] === 'Std:Join') {
      const join = value['Std:Join'];
      if (!isRecord(join) || typeof join.On !== 'string' || !Array.isArray(join.Values)) {
        this.report(
          'invalid-expression',
          `${path}.Std:Join`,
          `Std:Join needs {"On": <string>, "Values": [...]}, got ${show(join)}.`,
        );
        return;
      }
      join.Values.forEach((item: Json, i: number) => this.walkValue(item, `${path}.Std:Join.Values[${i}]`, info));
      return;
    }
    if (keys.length === 1 && keys[0] === 'Std:JsonGet') {
      this.checkJsonGet(value['Std:JsonGet'], `${path}.Std:JsonGet`, info);
      return;
    }
    if (keys.length === 1 && keys[0].startsWith('Std:')) {
      this.report('invalid-expression', path, `Unknown function '${keys[0]}'; use Std:Join or Std:JsonGet.`);
      return;
    }
    for (const key of keys) {
      this.walkValue(value[key], `${path}.${key}`, info);
    }
  }

  private checkJsonGet(jsonGet: Json, path: string, info: StepInfo | undefined): void {
    if (!isRecord(jsonGet) || typeof jsonGet.Path !== 'string' || jsonGet.Path === '') {
      this.report(
        'invalid-expression',
        path,
        `Std:JsonGet needs {"PropertyFile": {"Get": "Steps.<step>.PropertyFiles.<name>"}, "Path": "<json path>"}, got ${show(jsonGet)}.`,
      );
      return;
    }
    const file = jsonGet.PropertyFile;
    if (!isRecord(file) || typeof file.Get !== 'string') {
      this.report(
        'invalid-expression',
        `${path}.PropertyFile`,
        `Std:JsonGet PropertyFile must be {"Get": "Steps.<step>.PropertyFiles.<name>"}, got ${show(file)}.`,
      );
      return;
    }
    this.checkGet(file.Get, `${path}.PropertyFile.Get`, info, true);
  }

  private checkGet(getPath: Json, path: string, info: StepInfo | undefined, inJsonGet: boolean): void {
    if (typeof getPath !== 'string') {
      this.report('invalid-expression', path, `Get must be a string path, got ${show(getPath)}.`);
      return;
    }
    if (isUnresolved(getPath)) {
      return;
    }
    const parsed = parseGetPath(getPath);
    if (typeof parsed === 'string') {
      this.report('invalid-expression', path, `Invalid Get: ${parsed}`);
      return;
    }
    if (parsed.root === 'Parameters') {
      if (!this.parameters.has(parsed.name)) {
        const known = [...this.parameters.keys()].join(', ') || 'none';
        this.report('unknown-parameter', path, `"${getPath}" reads parameter '${parsed.name}', which is not declared (parameters: ${known}).`);
      }
      return;
    }
    if (parsed.root === 'Execution') {
      if (!(EXECUTION_VARIABLES as readonly string[]).includes(parsed.name)) {
        this.report(
          'unknown-execution-variable',
          path,
          `"${getPath}" reads unknown execution variable '${parsed.name}'; use one of ${EXECUTION_VARIABLES.join(', ')}.`,
        );
      }
      return;
    }
    const target = parsed.name;
    if (!info) {
      this.report('invalid-expression', path, `"${getPath}": step properties can only be read inside steps.`);
      return;
    }
    const targetInfo = this.checkStepReference(info, target, path, `"${getPath}"`);
    if (!targetInfo) {
      return;
    }
    const [first, second, third] = parsed.segments;
    const isPropertyFile = first?.kind === 'member' && first.name === 'PropertyFiles';
    if (inJsonGet !== isPropertyFile) {
      this.report(
        'invalid-expression',
        path,
        inJsonGet
          ? `Std:JsonGet reads "${getPath}", which is not a property file; use Steps.<step>.PropertyFiles.<name>.`
          : `"${getPath}" is a property file; read values from it with Std:JsonGet.`,
      );
      return;
    }
    if (isPropertyFile) {
      const fileName = second?.kind === 'member' ? second.name : undefined;
      if (fileName === undefined || third !== undefined) {
        this.report('invalid-expression', path, `"${getPath}" must be Steps.${target}.PropertyFiles.<name>.`);
        return;
      }
      if (targetInfo.type !== 'Processing') {
        this.report('unknown-property-file', path, `"${getPath}": step '${target}' is a ${targetInfo.type} step and has no property files.`);
        return;
      }
      const declared = this.propertyFileNames(targetInfo);
      if (!declared.includes(fileName)) {
        this.report(
          'unknown-property-file',
          path,
          `"${getPath}": step '${target}' declares no property file '${fileName}' (declared: ${declared.join(', ') || 'none'}).`,
        );
      }
      return;
    }
    if (first?.kind === 'member' && first.name === 'ProcessingOutputConfig' && targetInfo.type === 'Processing') {
      const outputs = this.processingOutputs(targetInfo);
      const selector = parsed.segments[2];
      if (!outputs || !(second?.kind === 'member' && second.name === 'Outputs') || !selector) {
        return;
      }
      if (selector.kind === 'key' && !outputs.includes(selector.key)) {
        this.report(
          'unknown-output',
          path,
          `"${getPath}": step '${target}' has no output '${selector.key}' (outputs: ${outputs.join(', ') || 'none'}).`,
        );
      } else if (selector.kind === 'index' && selector.index >= outputs.length) {
        this.report('unknown-output', path, `"${getPath}": step '${target}' has only ${outputs.length} outputs.`);
      }
    }
  }

  /**
   * Checks that `info` may depend on step `target` (it exists, is not itself, and has surely run when `info`
   * runs); records the dependency. Returns the target's info when it exists.
   */
  private checkStepReference(info: StepInfo, target: string, path: string, what: string): StepInfo | undefined {
    const targetInfo = this.steps.get(target);
    if (!targetInfo) {
      const known = [...this.steps.keys()].join(', ');
      this.report('unknown-step', path, `${what} refers to step '${target}', which does not exist (steps: ${known}).`);
      return undefined;
    }
    this.addEdge(info.name, target);
    if (target === info.name) {
      return targetInfo;
    }
    const prefix = targetInfo.branches;
    const runsWhenever = prefix.every((branch, i) => info.branches[i] === branch);
    if (!runsWhenever) {
      this.report(
        'unreachable-reference',
        path,
        `${what} in step '${info.name}' (${describeLocation(info)}) refers to step '${target}', which runs only ` +
          `${describeLocation(targetInfo)}, so it may not have run; move the steps into the same branch.`,
      );
    }
    return targetInfo;
  }

  // ------------------------------------------------------------ cycles

  private checkCycles(): void {
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const reported = new Set<string>();
    const visit = (node: string): void => {
      state.set(node, 'visiting');
      stack.push(node);
      for (const next of [...(this.edges.get(node) ?? [])].sort()) {
        const nextState = state.get(next);
        if (nextState === 'visiting') {
          const cycle = stack.slice(stack.indexOf(next));
          const start = cycle.indexOf([...cycle].sort()[0]);
          const canonical = [...cycle.slice(start), ...cycle.slice(0, start)];
          const key = canonical.join('>');
          if (!reported.has(key)) {
            reported.add(key);
            const text = [...canonical, canonical[0]].join(' -> ');
            this.report(
              'cycle',
              `Steps[${canonical[0]}]`,
              `Dependency cycle: ${text} (each step depends on the next, through property references, DependsOn ` +
                'or an enclosing Condition); break the cycle.',
            );
          }
        } else if (nextState === undefined && this.steps.has(next)) {
          visit(next);
        }
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const name of [...this.steps.keys()].sort()) {
      if (!state.has(name)) {
        visit(name);
      }
    }
  }
}

/**
 * Semantic checks of a pipeline definition that SageMaker would reject or that would fail at run time: step
 * names, step references, parameters, execution variables, processing outputs and property files, references
 * to steps that may not have run, dependency cycles, conditions, parameter defaults, caching and retries.
 * Values holding unresolved CDK tokens are not checked. Returns no issues for a valid definition.
 */
export function validatePipelineDefinition(definition: PipelineDefinition | unknown): ValidationIssue[] {
  return new Validator(definition).run();
}

/** Formats issues as one message per line. */
export function formatValidationIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `  - ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n');
}

/** Throws one error listing every issue of `definition`; returns it unchanged when valid. */
export function assertValidPipelineDefinition<T extends PipelineDefinition>(definition: T, name: string = 'pipeline'): T {
  const issues = validatePipelineDefinition(definition);
  if (issues.length) {
    throw new Error(`Invalid ${name} definition (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n${formatValidationIssues(issues)}`);
  }
  return definition;
}

/** Short alias of `assertValidPipelineDefinition`. */
export const assertValid = assertValidPipelineDefinition;
