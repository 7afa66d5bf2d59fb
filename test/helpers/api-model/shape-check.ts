import type { PipelineDefinition } from '../../../lib/sagemaker-pipelines/definition';
import { expressionKind } from '../../../lib/sagemaker-pipelines/expressions';
import { parseGetPath, type PathSegment } from '../../../lib/sagemaker-pipelines/property-path';
import { isUnresolved } from '../../../lib/sagemaker-pipelines/tokens';
import { isRecord, type Json } from '../../../lib/sagemaker-pipelines/private/json';
import type { BotocoreServiceModel } from '../../../local/aws/api-model';
import { SCALAR_SHAPE_TYPES, ShapeChecker, type ShapeInterceptor } from '../../../local/aws/shape-check';

export type { BotocoreServiceModel, BotocoreShape, BotocoreShapeRef } from '../../../local/aws/api-model';

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

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/**
 * Pipeline expressions stand for a value of whatever type the member needs, except that a Std:Join is a string;
 * unresolved CDK tokens are not checked.
 */
const pipelineValues: ShapeInterceptor = (value, shapeName, shape, path, report) => {
  const kind = expressionKind(value as Json);
  if (kind) {
    if (!SCALAR_SHAPE_TYPES.includes(shape.type)) {
      report(path, `${kind} cannot stand for ${article(shape.type)} ${shape.type} (${shapeName}); give the ${shape.type} itself.`);
    } else if (kind === 'Std:Join' && shape.type !== 'string') {
      report(path, `Std:Join yields a string, but ${shapeName} is ${article(shape.type)} ${shape.type}.`);
    }
    return true;
  }
  return isUnresolved(value);
};

/** Checks step Arguments against the API request shapes, and step property references against Describe* shapes. */
class StepArgumentChecker {
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
    const checker = new ShapeChecker(this.model, { intercept: pipelineValues });
    checker.check(args, shapeName, path, PIPELINE_SUPPLIED_MEMBERS[stepType] ?? []);
    for (const issue of checker.issues) {
      this.report(issue.path, issue.message);
    }
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
  const checker = new StepArgumentChecker(serviceModel);
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
