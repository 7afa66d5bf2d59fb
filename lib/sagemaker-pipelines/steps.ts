import type {
  ModelArguments,
  ProcessingJobArguments,
  RegisterModelArguments,
  TrainingJobArguments,
  TransformJobArguments,
  TuningJobArguments,
} from './arguments';
import type { Condition } from './conditions';
import type {
  CacheConfigDefinition,
  JsonObject,
  PropertyFileDefinition,
  RetryPolicyDefinition,
  StepDefinition,
  StepTypeName,
} from './definition';
import {
  Expressions,
  toJsonValue,
  type GetExpression,
  type JoinExpression,
  type JsonGetExpression,
  type PipelineString,
} from './expressions';
import { isUnresolved } from './tokens';

/** Exception types a retry policy can name. */
export const RetryExceptionType = {
  /** The pipeline service failed to run the step. */
  SERVICE_FAULT: 'Step.SERVICE_FAULT',
  /** The pipeline service throttled the step. */
  THROTTLING: 'Step.THROTTLING',
  /** The SageMaker job failed with an internal error (job steps only). */
  JOB_INTERNAL_ERROR: 'SageMaker.JOB_INTERNAL_ERROR',
  /** Not enough capacity for the job's instances (job steps only; the value the SageMaker Python SDK sends). */
  CAPACITY_ERROR: 'SageMaker.CAPACITY_ERROR',
  /** An account resource limit was hit (job steps only). */
  RESOURCE_LIMIT: 'SageMaker.RESOURCE_LIMIT',
} as const;

/** One of `RetryExceptionType`. */
export type RetryExceptionTypeName = (typeof RetryExceptionType)[keyof typeof RetryExceptionType];

/** Step caching: a step whose arguments match a successful earlier run reuses its results. */
export interface CacheConfig {
  /** Whether the step's results may be reused. */
  readonly enabled: boolean;
  /**
   * How long a cached result stays usable, as an ISO-8601 duration (`P30D`, `PT12H`).
   *
   * @default - no expiry
   */
  readonly expireAfter?: string;
}

/** A retry policy of a step. Give `maxAttempts` or `expireAfterMin`, not both. */
export interface RetryPolicy {
  /** The failures this policy retries. */
  readonly exceptionTypes: readonly RetryExceptionTypeName[];
  /**
   * Seconds before the first retry (1 - 43200).
   *
   * @default 1
   */
  readonly intervalSeconds?: number;
  /**
   * Multiplier of the interval after each retry.
   *
   * @default 2.0
   */
  readonly backoffRate?: number;
  /**
   * Maximum number of retries (1 - 20).
   *
   * @default - the service default
   */
  readonly maxAttempts?: number;
  /**
   * Minutes after which retries stop (1 - 14400).
   *
   * @default - bounded by `maxAttempts` instead
   */
  readonly expireAfterMin?: number;
}

/** Options every step takes. */
export interface StepOptions {
  /**
   * Steps (or step names) that must finish before this one, beyond those it references in its arguments.
   *
   * @default - only the data dependencies
   */
  readonly dependsOn?: readonly (Step | string)[];
  /**
   * Name shown in SageMaker Studio.
   *
   * @default - the step name
   */
  readonly displayName?: string;
  /**
   * Description of the step.
   *
   * @default - none
   */
  readonly description?: string;
}

/** Options of steps that SageMaker can retry. */
export interface RetryableStepOptions extends StepOptions {
  /**
   * Retry policies of the step.
   *
   * @default - no retries
   */
  readonly retryPolicies?: readonly RetryPolicy[];
}

/** Options of job steps, which SageMaker can also cache. */
export interface JobStepOptions extends RetryableStepOptions {
  /**
   * Step caching.
   *
   * @default - not cached
   */
  readonly cacheConfig?: CacheConfig;
}

/** Renders a `CacheConfig` as definition JSON. */
export function renderCacheConfig(config: CacheConfig): CacheConfigDefinition {
  return { Enabled: config.enabled, ...(config.expireAfter !== undefined ? { ExpireAfter: config.expireAfter } : {}) };
}

/** Renders a `RetryPolicy` as definition JSON. */
export function renderRetryPolicy(policy: RetryPolicy): RetryPolicyDefinition {
  return {
    ExceptionType: [...policy.exceptionTypes],
    IntervalSeconds: policy.intervalSeconds ?? 1,
    BackoffRate: policy.backoffRate ?? 2.0,
    ...(policy.maxAttempts !== undefined ? { MaxAttempts: policy.maxAttempts } : {}),
    ...(policy.expireAfterMin !== undefined ? { ExpireAfterMin: policy.expireAfterMin } : {}),
  };
}

/** Base class of all steps: a name, a type and the step-level options; renders itself as definition JSON. */
export abstract class Step {
  protected constructor(
    /** The step name, unique in the pipeline (letters, digits, `-`, `_`; at most 64). */
    public readonly name: string,
    /** The step type. */
    public readonly type: StepTypeName,
    private readonly options: StepOptions & Partial<JobStepOptions>,
  ) {}

  /** `{"Get": "Steps.<name>.<path>"}`: a property of the step's Describe* response. */
  public property<T = string>(path: string): GetExpression<T> {
    return Expressions.stepProperty<T>(this.name, path);
  }

  /** The step as definition JSON. */
  public toDefinition(): StepDefinition {
    const { dependsOn, displayName, description, cacheConfig, retryPolicies } = this.options;
    return {
      Name: this.name,
      Type: this.type,
      Arguments: this.renderArguments(),
      ...(displayName !== undefined ? { DisplayName: displayName } : {}),
      ...(description !== undefined ? { Description: description } : {}),
      ...(dependsOn?.length ? { DependsOn: dependsOn.map((d) => (typeof d === 'string' ? d : d.name)) } : {}),
      ...(cacheConfig ? { CacheConfig: renderCacheConfig(cacheConfig) } : {}),
      ...(retryPolicies?.length ? { RetryPolicies: retryPolicies.map(renderRetryPolicy) } : {}),
      ...this.renderExtras(),
    };
  }

  /** The step's `Arguments`. */
  protected abstract renderArguments(): JsonObject;

  /** Further step-level members (e.g. `PropertyFiles`). */
  protected renderExtras(): Partial<StepDefinition> {
    return {};
  }
}

function asObject(value: unknown): JsonObject {
  return toJsonValue(value) as JsonObject;
}

// ---------------------------------------------------------------- Processing

/** A JSON file written to a processing output, readable with `Std:JsonGet`. */
export interface PropertyFileProps {
  /** Name of the property file, unique within its step. */
  readonly name: string;
  /** `OutputName` of the processing output that holds the file. */
  readonly outputName: string;
  /** Path of the file relative to the output's `LocalPath`. */
  readonly filePath: string;
}

/** A property file of a processing step. */
export class PropertyFile {
  /** `{"Get": "Steps.<step>.PropertyFiles.<name>"}` */
  public readonly ref: GetExpression;

  public constructor(
    /** Name of the step that writes the file. */
    public readonly stepName: string,
    /** The file's declaration. */
    public readonly props: PropertyFileProps,
  ) {
    this.ref = { Get: `Steps.${stepName}.PropertyFiles.${props.name}` };
  }

  /** The property file's name. */
  public get name(): string {
    return this.props.name;
  }

  /** `Std:JsonGet` of `path` (dotted, e.g. `regression_metrics.mse.value`) in the file. */
  public jsonGet<T = number>(path: string): JsonGetExpression<T> {
    return Expressions.jsonGet<T>(this.stepName, this.props.name, path);
  }

  /** The file's `PropertyFiles` entry. */
  public toDefinition(): PropertyFileDefinition {
    return { PropertyFileName: this.props.name, OutputName: this.props.outputName, FilePath: this.props.filePath };
  }
}

/** Properties of a Processing step. */
export interface ProcessingStepProps extends JobStepOptions {
  /** The `CreateProcessingJob` request, without `ProcessingJobName`. */
  readonly arguments: ProcessingJobArguments;
  /**
   * JSON files in the outputs that later steps read with `Std:JsonGet`.
   *
   * @default - none
   */
  readonly propertyFiles?: readonly PropertyFileProps[];
}

/** A Processing step (a SageMaker processing job). */
export class ProcessingStep extends Step {
  /** The processing job request. */
  public readonly arguments: ProcessingJobArguments;
  private readonly propertyFilesByName = new Map<string, PropertyFile>();

  public constructor(name: string, props: ProcessingStepProps) {
    super(name, 'Processing', props);
    this.arguments = props.arguments;
    for (const fileProps of props.propertyFiles ?? []) {
      if (this.propertyFilesByName.has(fileProps.name)) {
        throw new Error(`Step ${name}: property file '${fileProps.name}' is declared twice; give each a unique name.`);
      }
      this.assertOutput(fileProps.outputName, `property file '${fileProps.name}'`);
      this.propertyFilesByName.set(fileProps.name, new PropertyFile(name, fileProps));
    }
  }

  /** The declared property files. */
  public get propertyFiles(): readonly PropertyFile[] {
    return [...this.propertyFilesByName.values()];
  }

  /** The property file `name`; throws if the step does not declare it. */
  public propertyFile(name: string): PropertyFile {
    const file = this.propertyFilesByName.get(name);
    if (!file) {
      const known = [...this.propertyFilesByName.keys()].join(', ') || 'none';
      throw new Error(`Step ${this.name} has no property file '${name}' (declared: ${known}).`);
    }
    return file;
  }

  /** `{"Get": "Steps.<name>.ProcessingOutputConfig.Outputs['<output>'].S3Output.S3Uri"}` */
  public outputUri(outputName: string): GetExpression<string> {
    this.assertOutput(outputName, 'outputUri()');
    return this.property(`ProcessingOutputConfig.Outputs['${outputName}'].S3Output.S3Uri`);
  }

  protected renderArguments(): JsonObject {
    return asObject(this.arguments);
  }

  protected override renderExtras(): Partial<StepDefinition> {
    const files = this.propertyFiles;
    return files.length ? { PropertyFiles: files.map((f) => f.toDefinition()) } : {};
  }

  private assertOutput(outputName: string, usage: string): void {
    if (isUnresolved(outputName)) {
      return;
    }
    const outputs = this.arguments.ProcessingOutputConfig?.Outputs ?? [];
    const names = outputs.map((o) => o.OutputName);
    if (!names.includes(outputName) && !names.some((n) => isUnresolved(n))) {
      throw new Error(
        `Step ${this.name}: ${usage} names output '${outputName}', which is not one of the step's outputs (${names.join(', ') || 'none'}).`,
      );
    }
  }
}

// ---------------------------------------------------------------- Training

/** Properties of a Training step. */
export interface TrainingStepProps extends JobStepOptions {
  /** The `CreateTrainingJob` request, without `TrainingJobName`. */
  readonly arguments: TrainingJobArguments;
}

/** A Training step (a SageMaker training job). */
export class TrainingStep extends Step {
  /** The training job request. */
  public readonly arguments: TrainingJobArguments;

  public constructor(name: string, props: TrainingStepProps) {
    super(name, 'Training', props);
    this.arguments = props.arguments;
  }

  /** `{"Get": "Steps.<name>.ModelArtifacts.S3ModelArtifacts"}`: the model.tar.gz URI. */
  public modelArtifactsUri(): GetExpression<string> {
    return this.property('ModelArtifacts.S3ModelArtifacts');
  }

  /** `{"Get": "Steps.<name>.TrainingJobName"}` */
  public trainingJobName(): GetExpression<string> {
    return this.property('TrainingJobName');
  }

  protected renderArguments(): JsonObject {
    return asObject(this.arguments);
  }
}

// ---------------------------------------------------------------- Tuning

/** Properties of a Tuning step. */
export interface TuningStepProps extends JobStepOptions {
  /** The `CreateHyperParameterTuningJob` request, without `HyperParameterTuningJobName`. */
  readonly arguments: TuningJobArguments;
}

/** A Tuning step (a SageMaker hyperparameter tuning job). */
export class TuningStep extends Step {
  /** The tuning job request. */
  public readonly arguments: TuningJobArguments;

  public constructor(name: string, props: TuningStepProps) {
    super(name, 'Tuning', props);
    this.arguments = props.arguments;
  }

  /**
   * `{"Get": "Steps.<name>.TrainingJobSummaries[<rank>].TrainingJobName"}`: the training job ranked `rank`
   * (0 = best) by the tuning objective.
   */
  public topTrainingJobName(rank: number = 0): GetExpression<string> {
    if (!Number.isInteger(rank) || rank < 0) {
      throw new Error(`Step ${this.name}: rank must be a non-negative integer, got ${rank}.`);
    }
    return this.property(`TrainingJobSummaries[${rank}].TrainingJobName`);
  }

  /** `{"Get": "Steps.<name>.BestTrainingJob.TrainingJobName"}` */
  public bestTrainingJobName(): GetExpression<string> {
    return this.property('BestTrainingJob.TrainingJobName');
  }

  /**
   * The model.tar.gz URI of the training job ranked `rank`, where the training definition's
   * `OutputDataConfig.S3OutputPath` is `s3://<bucket>/<prefix>`: `Std:Join` on "/" of
   * `["s3:/", bucket, prefix, <TrainingJobSummaries[rank].TrainingJobName>, "output/model.tar.gz"]`.
   */
  public topModelUri(rank: number, bucket: PipelineString, prefix: PipelineString): JoinExpression {
    return Expressions.join(['s3:/', bucket, prefix, this.topTrainingJobName(rank), 'output/model.tar.gz'], '/');
  }

  /** `topModelUri(0, bucket, prefix)`: the best model's model.tar.gz URI. */
  public bestModelUri(bucket: PipelineString, prefix: PipelineString): JoinExpression {
    return this.topModelUri(0, bucket, prefix);
  }

  protected renderArguments(): JsonObject {
    return asObject(this.arguments);
  }
}

// ---------------------------------------------------------------- Condition

/** Properties of a Condition step. */
export interface ConditionStepProps extends StepOptions {
  /** Conditions, all of which must hold for the if-branch to run. */
  readonly conditions: readonly Condition[];
  /**
   * Steps run when all conditions hold.
   *
   * @default - none
   */
  readonly ifSteps?: readonly Step[];
  /**
   * Steps run otherwise.
   *
   * @default - none
   */
  readonly elseSteps?: readonly Step[];
}

/** A Condition step: runs `ifSteps` or `elseSteps`. */
export class ConditionStep extends Step {
  /** The conditions (ANDed). */
  public readonly conditions: readonly Condition[];
  /** The if-branch. */
  public readonly ifSteps: readonly Step[];
  /** The else-branch. */
  public readonly elseSteps: readonly Step[];

  public constructor(name: string, props: ConditionStepProps) {
    super(name, 'Condition', props);
    this.conditions = props.conditions;
    this.ifSteps = props.ifSteps ?? [];
    this.elseSteps = props.elseSteps ?? [];
  }

  /** `{"Get": "Steps.<name>.Outcome"}`: whether the conditions held. */
  public outcome(): GetExpression<boolean> {
    return this.property<boolean>('Outcome');
  }

  protected renderArguments(): JsonObject {
    return {
      Conditions: this.conditions.map((c) => c.toDefinition()),
      IfSteps: this.ifSteps.map((s) => asObject(s.toDefinition())),
      ElseSteps: this.elseSteps.map((s) => asObject(s.toDefinition())),
    };
  }
}

// ---------------------------------------------------------------- RegisterModel

/** Properties of a RegisterModel step. */
export interface RegisterModelStepProps extends RetryableStepOptions {
  /** The `CreateModelPackage` request, without name and description. */
  readonly arguments: RegisterModelArguments;
}

/** A RegisterModel step: a new model package version in a model package group. */
export class RegisterModelStep extends Step {
  /** The model package request. */
  public readonly arguments: RegisterModelArguments;

  public constructor(name: string, props: RegisterModelStepProps) {
    super(name, 'RegisterModel', props);
    this.arguments = props.arguments;
  }

  /** `{"Get": "Steps.<name>.ModelPackageArn"}` */
  public modelPackageArn(): GetExpression<string> {
    return this.property('ModelPackageArn');
  }

  protected renderArguments(): JsonObject {
    return asObject(this.arguments);
  }
}

// ---------------------------------------------------------------- Model

/** Properties of a Model step. */
export interface ModelStepProps extends RetryableStepOptions {
  /** The `CreateModel` request, without `ModelName`. */
  readonly arguments: ModelArguments;
}

/** A Model step (CreateModel). */
export class ModelStep extends Step {
  /** The model request. */
  public readonly arguments: ModelArguments;

  public constructor(name: string, props: ModelStepProps) {
    super(name, 'Model', props);
    this.arguments = props.arguments;
  }

  /** `{"Get": "Steps.<name>.ModelName"}` */
  public modelName(): GetExpression<string> {
    return this.property('ModelName');
  }

  protected renderArguments(): JsonObject {
    return asObject(this.arguments);
  }
}

// ---------------------------------------------------------------- Transform

/** Properties of a Transform step. */
export interface TransformStepProps extends JobStepOptions {
  /** The `CreateTransformJob` request, without `TransformJobName`. */
  readonly arguments: TransformJobArguments;
}

/** A Transform step (a SageMaker batch transform job). */
export class TransformStep extends Step {
  /** The transform job request. */
  public readonly arguments: TransformJobArguments;

  public constructor(name: string, props: TransformStepProps) {
    super(name, 'Transform', props);
    this.arguments = props.arguments;
  }

  /** `{"Get": "Steps.<name>.TransformOutput.S3OutputPath"}` */
  public outputUri(): GetExpression<string> {
    return this.property('TransformOutput.S3OutputPath');
  }

  protected renderArguments(): JsonObject {
    return asObject(this.arguments);
  }
}

// ---------------------------------------------------------------- Fail

/** Properties of a Fail step. */
export interface FailStepProps extends StepOptions {
  /**
   * Message the execution fails with.
   *
   * @default - empty message
   */
  readonly errorMessage?: PipelineString;
}

/** A Fail step: stops the execution with status Failed. */
export class FailStep extends Step {
  /** The failure message. */
  public readonly errorMessage: PipelineString;

  public constructor(name: string, props: FailStepProps = {}) {
    super(name, 'Fail', props);
    this.errorMessage = props.errorMessage ?? '';
  }

  protected renderArguments(): JsonObject {
    return { ErrorMessage: toJsonValue(this.errorMessage) };
  }
}
