/**
 * What SageMaker Pipelines' definition format (2020-12-01) says about each step type: one table that the builder,
 * the validator and the local executor read, so that none of them keeps its own list.
 */

/** Every step type a definition may use, as the `Type` member spells it. */
export const STEP_TYPE_NAMES = [
  'Processing',
  'Training',
  'Tuning',
  'Transform',
  'Model',
  'RegisterModel',
  'Condition',
  'Fail',
  'Lambda',
  'Callback',
  'QualityCheck',
  'ClarifyCheck',
  'EMR',
  'AutoML',
] as const;

/** A step type of the definition format. */
export type StepTypeName = (typeof STEP_TYPE_NAMES)[number];

/** Retry exception types that every retryable step accepts (failures of the pipeline service itself). */
export const STEP_RETRY_EXCEPTION_TYPES = ['Step.SERVICE_FAULT', 'Step.THROTTLING'] as const;

/**
 * Retry exception types of steps that run a SageMaker job. `SageMaker.JOB_CAPACITY_ERROR` is an older spelling of
 * `SageMaker.CAPACITY_ERROR` that definitions still carry; both mean "not enough instance capacity".
 */
export const JOB_RETRY_EXCEPTION_TYPES = [
  'SageMaker.JOB_INTERNAL_ERROR',
  'SageMaker.CAPACITY_ERROR',
  'SageMaker.JOB_CAPACITY_ERROR',
  'SageMaker.RESOURCE_LIMIT',
] as const;

/** Any retry exception type. */
export type RetryExceptionTypeName =
  | (typeof STEP_RETRY_EXCEPTION_TYPES)[number]
  | (typeof JOB_RETRY_EXCEPTION_TYPES)[number];

/** Exception types a retry policy can name, for use in the builder. */
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
} as const satisfies Record<string, RetryExceptionTypeName>;

/** What the format allows on a step of one type. */
export interface StepTypeTraits {
  /** It runs a SageMaker job, so its retry policies may also name the `SageMaker.*` exception types. */
  readonly job: boolean;
  /** It may carry `RetryPolicies`. */
  readonly retryable: boolean;
  /**
   * Members its `Arguments` must have: the API request's required members that a pipeline does not fill in itself
   * (job names are generated per execution).
   */
  readonly requiredArguments: readonly string[];
  /** It may declare `PropertyFiles` (JSON files of its outputs, read with `Std:JsonGet`). */
  readonly propertyFiles: boolean;
}

const job = (requiredArguments: readonly string[], propertyFiles = false): StepTypeTraits => ({
  job: true,
  retryable: true,
  requiredArguments,
  propertyFiles,
});
const plain = (retryable: boolean): StepTypeTraits => ({ job: false, retryable, requiredArguments: [], propertyFiles: false });

/**
 * The traits of each step type. Required arguments are those of the API operation behind the step
 * (CreateProcessingJob, CreateTrainingJob, CreateHyperParameterTuningJob, CreateTransformJob); Lambda and Callback
 * arguments are the caller's own payload, and the check steps build their jobs from their own configuration.
 */
export const STEP_TYPE_TRAITS: { readonly [K in StepTypeName]: StepTypeTraits } = {
  Processing: job(['AppSpecification', 'ProcessingResources', 'RoleArn'], true),
  Training: job(['AlgorithmSpecification', 'OutputDataConfig', 'RoleArn', 'StoppingCondition']),
  Tuning: job(['HyperParameterTuningJobConfig']),
  Transform: job(['ModelName', 'TransformInput', 'TransformOutput', 'TransformResources']),
  AutoML: job([]),
  QualityCheck: job([]),
  ClarifyCheck: job([]),
  EMR: plain(true),
  Model: plain(true),
  RegisterModel: plain(true),
  Lambda: plain(false),
  Callback: plain(false),
  Condition: plain(false),
  Fail: plain(false),
};

/** Whether `type` is a step type of the definition format. */
export function isStepTypeName(type: unknown): type is StepTypeName {
  return typeof type === 'string' && (STEP_TYPE_NAMES as readonly string[]).includes(type);
}

/** The retry exception types a step of `type` may name. */
export function retryExceptionTypesOf(type: StepTypeName): readonly RetryExceptionTypeName[] {
  return STEP_TYPE_TRAITS[type].job ? [...STEP_RETRY_EXCEPTION_TYPES, ...JOB_RETRY_EXCEPTION_TYPES] : STEP_RETRY_EXCEPTION_TYPES;
}
