import type { PipelineDefinition } from '../../../lib/sagemaker-pipelines/definition';
import { expressionKind } from '../../../lib/sagemaker-pipelines/expressions';
import { parseGetPath, type PathSegment } from '../../../lib/sagemaker-pipelines/property-path';
import { isUnresolved } from '../../../lib/sagemaker-pipelines/tokens';
import { isRecord, show, type Json } from '../../../lib/sagemaker-pipelines/private/json';

/** A member reference inside a botocore shape. */
export interface BotocoreShapeRef {
  readonly shape: string;
}

/** A shape of a botocore service model (the parts the checker reads). */
export interface BotocoreShape {
  readonly type: string;
  readonly members?: { readonly [name: string]: BotocoreShapeRef };
  readonly required?: readonly string[];
  readonly member?: BotocoreShapeRef;
  readonly key?: BotocoreShapeRef;
  readonly value?: BotocoreShapeRef;
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly union?: boolean;
}

/** A botocore service model (service-2.json). */
export interface BotocoreServiceModel {
  readonly metadata?: { readonly apiVersion?: string; readonly serviceId?: string };
  readonly operations?: {
    readonly [name: string]: { readonly input?: BotocoreShapeRef; readonly output?: BotocoreShapeRef };
  };
  readonly shapes: { readonly [name: string]: BotocoreShape };
}

/** The API operation whose request a step's Arguments are, by step type. */
export const STEP_OPERATIONS: { readonly [stepType: string]: string } = {
  Processing: 'CreateProcessingJob',
  Training: 'CreateTrainingJob',
  Tuning: 'CreateHyperParameterTuningJob',
  Model: 'CreateModel',
  RegisterModel: 'CreateModelPackage',
  Transform: 'CreateTransformJob',
};

/** Request members that SageMaker Pipelines fills in itself, so step Arguments leave them out. */
export const PIPELINE_SUPPLIED_MEMBERS: { readonly [stepType: string]: readonly string[] } = {
  Processing: ['ProcessingJobName'],
  Training: ['TrainingJobName'],
  Tuning: ['HyperParameterTuningJobName'],
  Model: ['ModelName'],
  RegisterModel: ['ModelPackageName', 'ModelPackageDescription'],
  Transform: ['TransformJobName'],
};

/**
 * The API responses whose members a step exposes as properties (`Steps.<name>.<path>`), by step type. Condition
 * steps expose `Outcome`; Fail steps expose nothing.
 */
export const STEP_PROPERTY_OPERATIONS: { readonly [stepType: string]: readonly string[] } = {
  Processing: ['DescribeProcessingJob'],
  Training: ['DescribeTrainingJob'],
  Tuning: ['DescribeHyperParameterTuningJob', 'ListTrainingJobsForHyperParameterTuningJob'],
  Model: ['DescribeModel'],
  RegisterModel: ['DescribeModelPackage'],
  Transform: ['DescribeTransformJob'],
};

/** One mismatch between step Arguments and the API's request shape. */
export interface ArgumentIssue {
  /** The step whose Arguments are wrong. */
  readonly stepName: string;
  /** Where, e.g. `Steps[Tune].Arguments.HyperParameterTuningJobConfig.Strategy`. */
  readonly path: string;
  /** What is wrong, with the value. */
  readonly message: string;
}

const SCALAR_TYPES = ['string', 'integer', 'long', 'float', 'double', 'boolean', 'timestamp', 'blob'];
const MAX_LISTED_VALUES = 12;


function listValues(values: readonly string[]): string {
  return values.length <= MAX_LISTED_VALUES
    ? values.join(', ')
    : `${values.slice(0, MAX_LISTED_VALUES).join(', ')}, ... (${values.length} values)`;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function describe(value: Json): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${show(value)}`;
}

/** Checks JSON values against botocore shapes. */
class ShapeChecker {
  private readonly patterns = new Map<string, RegExp | null>();
  public readonly issues: ArgumentIssue[] = [];
  private stepName = '';

  public constructor(private readonly model: BotocoreServiceModel) {}

  public checkStep(stepName: string, stepType: string, args: Json, path: string): void {
    const operation = STEP_OPERATIONS[stepType];
    if (!operation) {
      return;
    }
    this.stepName = stepName;
    const shapeName = this.model.operations?.[operation]?.input?.shape;
    if (!shapeName || !this.model.shapes[shapeName]) {
      this.report(path, `the service model has no request shape for ${operation}; is it the SageMaker model?`);
      return;
    }
    this.check(args, shapeName, path, PIPELINE_SUPPLIED_MEMBERS[stepType] ?? []);
  }

  private report(path: string, message: string): void {
    this.issues.push({ stepName: this.stepName, path, message });
  }

  /** Checks a `Steps.<target>.<path>` reference against the target step's property shapes. */
  public checkPropertyReference(stepName: string, getPath: string, path: string, stepTypes: Map<string, string>): void {
    if (isUnresolved(getPath)) return;
    const parsed = parseGetPath(getPath);
    if (typeof parsed === 'string' || parsed.root !== 'Steps') return;
    const targetType = stepTypes.get(parsed.name);
    const [first] = parsed.segments;
    if (targetType === undefined || (first.kind === 'member' && first.name === 'PropertyFiles')) {
      // Unknown steps and property files are validatePipelineDefinition's concern.
      return;
    }
    this.stepName = stepName;
    if (targetType === 'Condition') {
      if (!(parsed.segments.length === 1 && first.kind === 'member' && first.name === 'Outcome')) {
        this.report(path, `"${getPath}": a Condition step's only property is Outcome.`);
      }
      return;
    }
    const roots = (STEP_PROPERTY_OPERATIONS[targetType] ?? [])
      .map((op) => this.model.operations?.[op]?.output?.shape)
      .filter((shape): shape is string => shape !== undefined && this.model.shapes[shape] !== undefined);
    if (roots.length === 0) {
      this.report(path, `"${getPath}": step '${parsed.name}' (${targetType}) has no properties.`);
      return;
    }
    if (first.kind !== 'member') {
      this.report(path, `"${getPath}": a step property path starts with a member name.`);
      return;
    }
    const root = roots.find((shape) => this.model.shapes[shape].members?.[first.name] !== undefined);
    if (!root) {
      this.report(
        path,
        `"${getPath}": step '${parsed.name}' is a ${targetType} step, whose properties (${roots.join(', ')}) have no '${first.name}'.`,
      );
      return;
    }
    let shapeName = root;
    for (const segment of parsed.segments) {
      const next = this.followSegment(shapeName, segment);
      if (next === undefined) {
        const text = segment.kind === 'member' ? `member '${segment.name}'` : segment.kind === 'index' ? `[${segment.index}]` : `['${segment.key}']`;
        this.report(path, `"${getPath}": ${shapeName} (${this.model.shapes[shapeName].type}) has no ${text}.`);
        return;
      }
      shapeName = next;
    }
  }

  private followSegment(shapeName: string, segment: PathSegment): string | undefined {
    const shape = this.model.shapes[shapeName];
    if (segment.kind === 'member') {
      return shape.type === 'structure' ? shape.members?.[segment.name]?.shape : undefined;
    }
    if (shape.type === 'list') {
      // Lists are indexed by position, or by name for named items such as processing outputs.
      return shape.member?.shape;
    }
    if (shape.type === 'map' && segment.kind === 'key') {
      return shape.value?.shape;
    }
    return undefined;
  }

  private check(value: Json, shapeName: string, path: string, omitted: readonly string[] = []): void {
    const shape = this.model.shapes[shapeName];
    if (!shape) {
      this.report(path, `the service model has no shape '${shapeName}'.`);
      return;
    }
    const kind = expressionKind(value);
    if (kind) {
      // An expression stands for a value of whatever type the member needs, except that a Std:Join is a string.
      if (!SCALAR_TYPES.includes(shape.type)) {
        this.report(path, `${kind} cannot stand for ${article(shape.type)} ${shape.type} (${shapeName}); give the ${shape.type} itself.`);
      } else if (kind === 'Std:Join' && shape.type !== 'string') {
        this.report(path, `Std:Join yields a string, but ${shapeName} is ${article(shape.type)} ${shape.type}.`);
      }
      return;
    }
    if (isUnresolved(value)) {
      return;
    }
    switch (shape.type) {
      case 'structure':
        this.checkStructure(value, shapeName, shape, path, omitted);
        return;
      case 'list':
        this.checkList(value, shapeName, shape, path);
        return;
      case 'map':
        this.checkMap(value, shapeName, shape, path);
        return;
      case 'string':
        this.checkString(value, shapeName, shape, path);
        return;
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          this.report(path, `expected an integer (${shapeName}), got ${describe(value)}.`);
        } else {
          this.checkBounds(value, shape, path, 'value');
        }
        return;
      case 'float':
      case 'double':
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          this.report(path, `expected a number (${shapeName}), got ${describe(value)}.`);
        } else {
          this.checkBounds(value, shape, path, 'value');
        }
        return;
      case 'boolean':
        if (typeof value !== 'boolean') {
          this.report(path, `expected true or false (${shapeName}), got ${describe(value)}.`);
        }
        return;
      case 'timestamp':
        if (!(typeof value === 'number' || (typeof value === 'string' && !Number.isNaN(Date.parse(value))))) {
          this.report(path, `expected a timestamp (ISO-8601 string or epoch seconds), got ${describe(value)}.`);
        }
        return;
      case 'blob':
        if (typeof value !== 'string') {
          this.report(path, `expected base64 data as a string, got ${describe(value)}.`);
        }
        return;
      default:
        this.report(path, `unsupported shape type '${shape.type}' of ${shapeName}.`);
    }
  }

  private checkStructure(
    value: Json,
    shapeName: string,
    shape: BotocoreShape,
    path: string,
    omitted: readonly string[],
  ): void {
    if (!isRecord(value)) {
      this.report(path, `expected an object (${shapeName}), got ${describe(value)}.`);
      return;
    }
    const members = shape.members ?? {};
    const names = Object.keys(members);
    for (const [key, memberValue] of Object.entries(value)) {
      const ref = members[key];
      if (!ref) {
        this.report(`${path}.${key}`, `unknown member '${key}' of ${shapeName}; valid members: ${names.join(', ')}.`);
        continue;
      }
      this.check(memberValue, ref.shape, `${path}.${key}`);
    }
    for (const required of shape.required ?? []) {
      if (value[required] === undefined && !omitted.includes(required)) {
        this.report(`${path}.${required}`, `missing required member '${required}' of ${shapeName}.`);
      }
    }
    if (shape.union) {
      const set = Object.keys(value).filter((k) => value[k] !== undefined);
      if (set.length !== 1) {
        this.report(path, `${shapeName} takes exactly one of ${names.join(', ')}; got ${set.length ? set.join(', ') : 'none'}.`);
      }
    }
  }

  private checkList(value: Json, shapeName: string, shape: BotocoreShape, path: string): void {
    if (!Array.isArray(value)) {
      this.report(path, `expected a list (${shapeName}), got ${describe(value)}.`);
      return;
    }
    this.checkBounds(value.length, shape, path, 'number of items');
    if (shape.member) {
      const member = shape.member.shape;
      value.forEach((item, i) => this.check(item, member, `${path}[${i}]`));
    }
  }

  private checkMap(value: Json, shapeName: string, shape: BotocoreShape, path: string): void {
    if (!isRecord(value)) {
      this.report(path, `expected an object (map ${shapeName}), got ${describe(value)}.`);
      return;
    }
    const entries = Object.entries(value);
    this.checkBounds(entries.length, shape, path, 'number of entries');
    for (const [key, item] of entries) {
      if (shape.key) {
        this.check(key, shape.key.shape, `${path}['${key}'] (key)`);
      }
      if (shape.value) {
        this.check(item, shape.value.shape, `${path}['${key}']`);
      }
    }
  }

  private checkString(value: Json, shapeName: string, shape: BotocoreShape, path: string): void {
    if (typeof value !== 'string') {
      this.report(path, `expected a string (${shapeName}), got ${describe(value)}.`);
      return;
    }
    if (shape.enum && !shape.enum.includes(value)) {
      this.report(path, `${show(value)} is not one of ${listValues(shape.enum)}.`);
      return;
    }
    if (shape.min !== undefined && value.length < shape.min) {
      this.report(path, `${show(value)} is shorter than ${shape.min} characters (${shapeName}).`);
    }
    if (shape.max !== undefined && value.length > shape.max) {
      this.report(path, `${show(value)} is longer than ${shape.max} characters (${shapeName}).`);
    }
    if (shape.pattern) {
      const pattern = this.compile(shape.pattern);
      if (pattern && !pattern.test(value)) {
        this.report(path, `${show(value)} does not match the pattern ${shape.pattern} of ${shapeName}.`);
      }
    }
  }

  private checkBounds(value: number, shape: BotocoreShape, path: string, what: string): void {
    if (shape.min !== undefined && value < shape.min) {
      this.report(path, `${what} ${value} is less than the minimum ${shape.min}.`);
    }
    if (shape.max !== undefined && value > shape.max) {
      this.report(path, `${what} ${value} is more than the maximum ${shape.max}.`);
    }
  }

  /** Compiles a botocore pattern; patterns that JavaScript cannot compile with their meaning are skipped. */
  private compile(source: string): RegExp | null {
    let pattern = this.patterns.get(source);
    if (pattern === undefined) {
      pattern = null;
      try {
        pattern = new RegExp(source, 'u');
      } catch {
        // Without the u flag, \p{...} would silently mean "p{...}": only fall back when there is none.
        if (!/\\[pP]\{/.test(source)) {
          try {
            pattern = new RegExp(source);
          } catch {
            pattern = null;
          }
        }
      }
      this.patterns.set(source, pattern);
    }
    return pattern;
  }
}

function forEachStep(steps: Json, visit: (name: string, type: string, args: Json, path: string) => void): void {
  if (!Array.isArray(steps)) return;
  for (const step of steps) {
    if (!isRecord(step) || typeof step.Name !== 'string') continue;
    const path = `Steps[${step.Name}].Arguments`;
    visit(step.Name, String(step.Type), step.Arguments, path);
    if (step.Type === 'Condition' && isRecord(step.Arguments)) {
      forEachStep(step.Arguments.IfSteps, visit);
      forEachStep(step.Arguments.ElseSteps, visit);
    }
  }
}

/** Calls `visit` with every `Get` path in `value` (not descending into Condition branches). */
function forEachGet(value: Json, path: string, visit: (get: string, path: string) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => forEachGet(item, `${path}[${i}]`, visit));
  } else if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Get' && typeof value.Get === 'string') {
      visit(value.Get, `${path}.Get`);
      return;
    }
    for (const key of keys) {
      forEachGet(value[key], `${path}.${key}`, visit);
    }
  }
}

/**
 * Checks every job/model step's Arguments against the SageMaker API request shape of its step type, from
 * botocore's service model (`serviceModel`, e.g. from `loadBotocoreSageMakerModel`). Expressions stand for a
 * value of the type each member needs (a `Std:Join` only for strings); unresolved CDK tokens are skipped.
 * Condition and Fail steps have no API request and are not checked here (`validatePipelineDefinition` does).
 * Step property references (`{"Get": "Steps.<step>.<path>"}`) are checked against the Describe* response of the
 * referenced step's type (see `STEP_PROPERTY_OPERATIONS`).
 */
export function checkStepArguments(
  definition: PipelineDefinition | unknown,
  serviceModel: BotocoreServiceModel,
): ArgumentIssue[] {
  const checker = new ShapeChecker(serviceModel);
  if (isRecord(definition)) {
    const stepTypes = new Map<string, string>();
    forEachStep(definition.Steps, (name, type) => stepTypes.set(name, type));
    forEachStep(definition.Steps, (name, type, args, path) => {
      checker.checkStep(name, type, args, path);
      forEachGet(type === 'Condition' && isRecord(args) ? args.Conditions : args, `${path}${type === 'Condition' ? '.Conditions' : ''}`, (get, getPath) =>
        checker.checkPropertyReference(name, get, getPath, stepTypes),
      );
    });
  }
  return checker.issues;
}

/** Formats argument issues as `path: message` lines. */
export function formatArgumentIssues(issues: readonly ArgumentIssue[]): string {
  return issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
}
