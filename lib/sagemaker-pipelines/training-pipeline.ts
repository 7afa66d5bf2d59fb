import type {
  Channel,
  ContinuousParameterRange,
  CategoricalParameterRange,
  IntegerParameterRange,
  ProcessingInput,
  ProcessingNetworkConfig,
  ProcessingOutput,
  VpcConfig,
} from './arguments';
import { Condition } from './conditions';
import type { PipelineDefinition } from './definition';
import { ExecutionVariables, Expressions, type PipelineString, type PipelineValue } from './expressions';
import { PROCESSING_PATHS, TRAINING_PIPELINE_OUTPUTS, TRAINING_PIPELINE_PARAMETERS, TRAINING_PIPELINE_STEPS } from './names';
import { ParameterFloat, ParameterString } from './parameters';
import { buildPipelineDefinition } from './pipeline';
import { normalizePrefix, PropsErrors, scriptFileName } from './private/props-validation';
import { problemTypeSpec, type ProblemType, type ProblemTypeSpec } from './problem-types';
import {
  ConditionStep,
  FailStep,
  ProcessingStep,
  RegisterModelStep,
  RetryExceptionType,
  TuningStep,
  type CacheConfig,
  type RetryPolicy,
} from './steps';
import { servingEnvironment } from './serving';
import { isUnresolved } from './tokens';

/** Container image URIs of the SageMaker framework images the pipeline runs. */
export interface FrameworkImageUris {
  /** sagemaker-scikit-learn:1.2-1-cpu-py3 in the pipeline's region; runs preprocess.py. */
  readonly sklearn: string;
  /** sagemaker-xgboost:1.7-1 in the pipeline's region; runs train.py, evaluate.py and inference.py. */
  readonly xgboost: string;
}

/** S3 locations of the ML code. */
export interface TrainingScriptUris {
  /** S3 URI of preprocess.py (the URI must end in the file name). */
  readonly preprocess: string;
  /** S3 URI of evaluate.py (the URI must end in the file name). */
  readonly evaluate: string;
  /** S3 URI of sourcedir.tar.gz holding train.py and inference.py at its root. */
  readonly sourceDir: string;
}

/** Instance settings of a job. */
export interface JobResources {
  /**
   * Instance type (the default value of the matching pipeline parameter).
   *
   * @default 'ml.m5.xlarge'
   */
  readonly instanceType?: string;
  /**
   * Number of instances.
   *
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * Size of each instance's ML storage volume, in GB.
   *
   * @default 30
   */
  readonly volumeSizeInGb?: number;
  /**
   * Maximum run time of each job, in seconds.
   *
   * @default 3600
   */
  readonly maxRuntimeInSeconds?: number;
}

/** Scaling of a numeric hyperparameter range. */
export type HyperparameterScaling = 'Auto' | 'Linear' | 'Logarithmic' | 'ReverseLogarithmic';

/** A hyperparameter range searched by the tuning job. */
export type HyperparameterRange =
  | {
      readonly type: 'Continuous';
      readonly min: number;
      readonly max: number;
      /** @default 'Auto' */
      readonly scaling?: HyperparameterScaling;
    }
  | {
      readonly type: 'Integer';
      readonly min: number;
      readonly max: number;
      /** @default 'Auto' */
      readonly scaling?: HyperparameterScaling;
    }
  | { readonly type: 'Categorical'; readonly values: readonly string[] };

/** Ranges tuned unless overridden (the usual XGBoost search space). */
export const DEFAULT_HYPERPARAMETER_RANGES: { readonly [name: string]: HyperparameterRange } = {
  eta: { type: 'Continuous', min: 0.01, max: 0.3, scaling: 'Logarithmic' },
  max_depth: { type: 'Integer', min: 3, max: 10, scaling: 'Auto' },
  min_child_weight: { type: 'Continuous', min: 1, max: 10, scaling: 'Auto' },
  subsample: { type: 'Continuous', min: 0.5, max: 1, scaling: 'Auto' },
  colsample_bytree: { type: 'Continuous', min: 0.5, max: 1, scaling: 'Auto' },
  gamma: { type: 'Continuous', min: 0, max: 5, scaling: 'Auto' },
};

/** The tuning job's budget and search space. */
export interface TuningProps {
  /**
   * Search strategy.
   *
   * @default 'Bayesian'
   */
  readonly strategy?: 'Bayesian' | 'Random';
  /**
   * Total number of training jobs.
   *
   * @default 6
   */
  readonly maxNumberOfTrainingJobs?: number;
  /**
   * Training jobs run at once (at most `maxNumberOfTrainingJobs`).
   *
   * @default 2
   */
  readonly maxParallelTrainingJobs?: number;
  /**
   * Whether SageMaker stops training jobs that are not improving.
   *
   * @default 'Off'
   */
  readonly earlyStoppingType?: 'Off' | 'Auto';
  /**
   * Ranges by hyperparameter name, merged over `DEFAULT_HYPERPARAMETER_RANGES`.
   *
   * Prefer XGBoost's own parameter names: tuning jobs on the SageMaker XGBoost image have been reported to
   * reject names the built-in algorithm does not know, even in script mode.
   *
   * @default - the defaults
   */
  readonly hyperparameterRanges?: { readonly [name: string]: HyperparameterRange };
  /**
   * XGBoost boosting rounds (`num_round`).
   *
   * @default 300
   */
  readonly numRound?: number;
  /**
   * Rounds without improvement of the validation metric before training stops (`early_stopping_rounds`).
   *
   * @default 20
   */
  readonly earlyStoppingRounds?: number;
  /**
   * Further static hyperparameters passed to train.py (`--key value`); see `hyperparameterRanges` on names.
   *
   * @default - none
   */
  readonly extraHyperParameters?: { readonly [name: string]: string };
}

/** Managed spot training of the tuning job's training jobs. */
export interface SpotTrainingProps {
  /**
   * Maximum time to wait for spot capacity plus run time, in seconds (at least the training max run time).
   *
   * @default - twice the training max run time
   */
  readonly maxWaitTimeInSeconds?: number;
  /**
   * Where training jobs keep checkpoints so an interrupted job resumes.
   *
   * @default - s3://<artifact bucket>/<artifact prefix>/checkpoints
   */
  readonly checkpointS3Uri?: string;
}

/** Subnets and security groups that the jobs run in. */
export interface JobVpcProps {
  /** Private subnet IDs (with an S3 gateway endpoint or NAT). */
  readonly subnetIds: readonly string[];
  /** Security group IDs. */
  readonly securityGroupIds: readonly string[];
}

/** The quality gate between evaluation and registration. */
export interface QualityGateProps {
  /**
   * Metric of evaluation.json compared with the threshold (one of the problem type's metrics).
   *
   * @default - the problem type's `defaultGateMetric` (r2 for regression, auc for binary classification)
   */
  readonly metric?: string;
  /**
   * Default value of the QualityThreshold parameter. A Minimize metric must be at most this value, a Maximize
   * metric at least this value.
   *
   * @default - 0.5 for r2, 0.7 for auc; required for other metrics
   */
  readonly threshold?: number;
}

/** Instance types the registered model declares for inference. */
export interface InferenceInstanceTypes {
  /**
   * Real-time endpoint instance types.
   *
   * @default ['ml.m5.large', 'ml.m5.xlarge']
   */
  readonly realtime?: readonly string[];
  /**
   * Batch transform instance types.
   *
   * @default ['ml.m5.xlarge']
   */
  readonly transform?: readonly string[];
}

/** How Preprocess splits the data. */
export interface DataSplitProps {
  /** @default - preprocess.py's default (0.15) */
  readonly validationFraction?: number;
  /** @default - preprocess.py's default (0.15) */
  readonly testFraction?: number;
  /** @default - preprocess.py's default (42) */
  readonly seed?: number;
}

/** Inputs of the training pipeline definition. Strings may be CDK tokens. */
export interface TrainingPipelineProps {
  /** The kind of model trained (see ml/problem_types.json). */
  readonly problemType: ProblemType;
  /** Name of the label column in the input CSV. */
  readonly labelColumn: string;
  /**
   * Feature columns, in order.
   *
   * @default - every column but the label
   */
  readonly featureColumns?: readonly string[];
  /** ARN of the role the SageMaker jobs run as. */
  readonly roleArn: string;
  /** Name of the bucket the pipeline writes its artifacts to. */
  readonly artifactBucketName: string;
  /**
   * Key prefix of the pipeline's artifacts in the bucket.
   *
   * @default 'training-pipeline'
   */
  readonly artifactPrefix?: string;
  /** Framework container images. */
  readonly imageUris: FrameworkImageUris;
  /** Locations of the ML code. */
  readonly scriptUris: TrainingScriptUris;
  /** Model package group the model is registered in. */
  readonly modelPackageGroupName: string;
  /**
   * The region the registered model's serving container runs in (`SAGEMAKER_REGION`), e.g. `Aws.REGION`.
   *
   * @default - the container's own default
   */
  readonly region?: string;
  /** Default of the InputDataUri parameter: the S3 prefix (or object) holding the CSV data. */
  readonly defaultInputDataUri: string;
  /**
   * Preprocess and Evaluate jobs.
   *
   * @default - one ml.m5.xlarge, 30 GB, 1 hour
   */
  readonly processing?: JobResources;
  /**
   * Training jobs of the tuning job.
   *
   * @default - one ml.m5.xlarge, 30 GB, 1 hour
   */
  readonly training?: JobResources;
  /**
   * Tuning budget and search space.
   *
   * @default - Bayesian, 6 jobs, 2 at a time, the default ranges
   */
  readonly tuning?: TuningProps;
  /**
   * Managed spot training for the training jobs.
   *
   * @default - on-demand instances
   */
  readonly spotTraining?: SpotTrainingProps;
  /**
   * Run the jobs in a VPC.
   *
   * @default - no VPC
   */
  readonly vpc?: JobVpcProps;
  /**
   * KMS key (ID or ARN) for job volumes and outputs.
   *
   * @default - the bucket's default encryption and AWS-managed volume keys
   */
  readonly kmsKeyId?: string;
  /**
   * The quality gate.
   *
   * @default - the problem type's default metric and threshold
   */
  readonly qualityGate?: QualityGateProps;
  /**
   * Default of the ModelApprovalStatus parameter.
   *
   * @default 'PendingManualApproval'
   */
  readonly defaultModelApprovalStatus?: 'PendingManualApproval' | 'Approved' | 'Rejected';
  /**
   * Instance types declared by the registered model package.
   *
   * @default - see `InferenceInstanceTypes`
   */
  readonly inferenceInstanceTypes?: InferenceInstanceTypes;
  /**
   * Train/validation/test split.
   *
   * @default - preprocess.py's defaults
   */
  readonly split?: DataSplitProps;
  /**
   * Step caching of Preprocess, Tune and Evaluate. SageMaker's cache key leaves out a step's outputs, so an
   * execution with the same data, code and settings reuses the earlier run's results (and their output prefix).
   *
   * @default - not cached
   */
  readonly cacheConfig?: CacheConfig;
  /**
   * Retry policies of Preprocess, Tune and Evaluate; Register gets the `Step.*` part of them.
   *
   * @default DEFAULT_JOB_RETRY_POLICIES
   */
  readonly retryPolicies?: readonly RetryPolicy[];
}

/** Retries of transient service faults, throttling and capacity shortages. */
export const DEFAULT_JOB_RETRY_POLICIES: readonly RetryPolicy[] = [
  {
    exceptionTypes: [RetryExceptionType.SERVICE_FAULT, RetryExceptionType.THROTTLING],
    intervalSeconds: 5,
    backoffRate: 2,
    maxAttempts: 3,
  },
  {
    exceptionTypes: [
      RetryExceptionType.JOB_INTERNAL_ERROR,
      RetryExceptionType.CAPACITY_ERROR,
      RetryExceptionType.RESOURCE_LIMIT,
    ],
    intervalSeconds: 60,
    backoffRate: 2,
    maxAttempts: 3,
  },
];

const DEFAULT_THRESHOLDS: { readonly [metric: string]: number } = { r2: 0.5, auc: 0.7 };
const DEFAULT_INSTANCE_TYPE = 'ml.m5.xlarge';
const APPROVAL_STATUSES = ['PendingManualApproval', 'Approved', 'Rejected'];

/** The training pipeline's props with defaults applied. */
interface ResolvedTrainingProps {
  readonly spec: ProblemTypeSpec;
  readonly prefix: string;
  readonly processing: Required<JobResources>;
  readonly training: Required<JobResources>;
  readonly tuning: Required<Omit<TuningProps, 'extraHyperParameters'>> & {
    readonly extraHyperParameters: { readonly [name: string]: string };
  };
  readonly gateMetric: string;
  readonly threshold: number;
  readonly preprocessScript: string;
  readonly evaluateScript: string;
}

function resolveResources(resources: JobResources | undefined): Required<JobResources> {
  return {
    instanceType: resources?.instanceType ?? DEFAULT_INSTANCE_TYPE,
    instanceCount: resources?.instanceCount ?? 1,
    volumeSizeInGb: resources?.volumeSizeInGb ?? 30,
    maxRuntimeInSeconds: resources?.maxRuntimeInSeconds ?? 3600,
  };
}

function checkResources(errors: PropsErrors, name: string, resources: Required<JobResources>): void {
  errors.integer(`${name}.instanceCount`, resources.instanceCount, 1, 100);
  errors.integer(`${name}.volumeSizeInGb`, resources.volumeSizeInGb, 1, 16384);
  errors.integer(`${name}.maxRuntimeInSeconds`, resources.maxRuntimeInSeconds, 1, 2419200);
  if (!isUnresolved(resources.instanceType)) {
    errors.check(
      /^ml\.[a-z0-9-]+\.[a-z0-9]+$/.test(resources.instanceType),
      `${name}.instanceType must look like 'ml.m5.xlarge', got '${resources.instanceType}'.`,
    );
  }
}

function checkRange(errors: PropsErrors, name: string, range: HyperparameterRange): void {
  const where = `tuning.hyperparameterRanges.${name}`;
  if (range.type === 'Categorical') {
    errors.check(range.values.length > 0, `${where}: a Categorical range needs at least one value.`);
    return;
  }
  if (range.type !== 'Continuous' && range.type !== 'Integer') {
    errors.add(`${where}: unknown range type '${(range as { type: string }).type}'; use Continuous, Integer or Categorical.`);
    return;
  }
  errors.check(
    Number.isFinite(range.min) && Number.isFinite(range.max) && range.min < range.max,
    `${where}: min (${range.min}) must be less than max (${range.max}).`,
  );
  if (range.type === 'Integer') {
    errors.check(
      Number.isInteger(range.min) && Number.isInteger(range.max),
      `${where}: an Integer range needs integer bounds, got ${range.min}..${range.max}.`,
    );
  }
  if (range.scaling === 'Logarithmic') {
    errors.check(range.min > 0, `${where}: Logarithmic scaling needs min > 0, got ${range.min}.`);
  }
  if (range.scaling === 'ReverseLogarithmic') {
    errors.check(
      range.min >= 0 && range.max < 1,
      `${where}: ReverseLogarithmic scaling needs 0 <= min and max < 1, got ${range.min}..${range.max}.`,
    );
  }
}

function resolveTrainingProps(props: TrainingPipelineProps): ResolvedTrainingProps {
  const errors = new PropsErrors('training pipeline props');
  let spec: ProblemTypeSpec | undefined;
  try {
    spec = problemTypeSpec(props.problemType);
  } catch (e) {
    errors.add((e as Error).message);
  }

  errors.nonEmpty('labelColumn', props.labelColumn);
  const features = props.featureColumns ?? [];
  if (props.featureColumns !== undefined) {
    errors.check(features.length > 0, 'featureColumns must not be empty; omit it to use every column but the label.');
  }
  const seen = new Set<string>();
  for (const feature of features) {
    if (isUnresolved(feature)) continue;
    errors.check(feature.trim() !== '' && !feature.includes(','), `featureColumns: '${feature}' is empty or contains a comma.`);
    errors.check(feature !== props.labelColumn, `featureColumns must not contain the label column '${feature}'.`);
    errors.check(!seen.has(feature), `featureColumns lists '${feature}' twice.`);
    seen.add(feature);
  }

  errors.nonEmpty('roleArn', props.roleArn);
  errors.nonEmpty('artifactBucketName', props.artifactBucketName);
  errors.nonEmpty('modelPackageGroupName', props.modelPackageGroupName);
  errors.nonEmpty('imageUris.sklearn', props.imageUris.sklearn);
  errors.nonEmpty('imageUris.xgboost', props.imageUris.xgboost);
  errors.s3Uri('defaultInputDataUri', props.defaultInputDataUri);
  errors.s3Uri('scriptUris.preprocess', props.scriptUris.preprocess);
  errors.s3Uri('scriptUris.evaluate', props.scriptUris.evaluate);
  errors.s3Uri('scriptUris.sourceDir', props.scriptUris.sourceDir);
  const preprocessScript = scriptFileName(props.scriptUris.preprocess);
  const evaluateScript = scriptFileName(props.scriptUris.evaluate);
  for (const [name, file] of [
    ['preprocess', preprocessScript],
    ['evaluate', evaluateScript],
  ] as const) {
    errors.check(
      file !== undefined,
      `scriptUris.${name} ('${props.scriptUris[name]}') must end in the script's file name (e.g. .../${name}.py), ` +
        'because the container runs /opt/ml/processing/input/code/<file name>.',
    );
  }

  const processing = resolveResources(props.processing);
  const training = resolveResources(props.training);
  checkResources(errors, 'processing', processing);
  checkResources(errors, 'training', training);

  const tuningProps = props.tuning ?? {};
  const tuning = {
    strategy: tuningProps.strategy ?? 'Bayesian',
    maxNumberOfTrainingJobs: tuningProps.maxNumberOfTrainingJobs ?? 6,
    maxParallelTrainingJobs: tuningProps.maxParallelTrainingJobs ?? 2,
    earlyStoppingType: tuningProps.earlyStoppingType ?? 'Off',
    hyperparameterRanges: { ...DEFAULT_HYPERPARAMETER_RANGES, ...tuningProps.hyperparameterRanges },
    numRound: tuningProps.numRound ?? 300,
    earlyStoppingRounds: tuningProps.earlyStoppingRounds ?? 20,
    extraHyperParameters: tuningProps.extraHyperParameters ?? {},
  } as const;
  errors.check(
    tuning.strategy === 'Bayesian' || tuning.strategy === 'Random',
    `tuning.strategy must be Bayesian or Random, got '${tuning.strategy}'.`,
  );
  errors.check(
    tuning.earlyStoppingType === 'Off' || tuning.earlyStoppingType === 'Auto',
    `tuning.earlyStoppingType must be Off or Auto, got '${tuning.earlyStoppingType}'.`,
  );
  errors.integer('tuning.maxNumberOfTrainingJobs', tuning.maxNumberOfTrainingJobs, 1);
  errors.integer('tuning.maxParallelTrainingJobs', tuning.maxParallelTrainingJobs, 1);
  errors.check(
    !(tuning.maxParallelTrainingJobs > tuning.maxNumberOfTrainingJobs),
    `tuning.maxParallelTrainingJobs (${tuning.maxParallelTrainingJobs}) must not exceed ` +
      `tuning.maxNumberOfTrainingJobs (${tuning.maxNumberOfTrainingJobs}).`,
  );
  errors.integer('tuning.numRound', tuning.numRound, 1);
  errors.integer('tuning.earlyStoppingRounds', tuning.earlyStoppingRounds, 1);
  for (const [name, range] of Object.entries(tuning.hyperparameterRanges)) {
    checkRange(errors, name, range);
  }
  const reserved = ['objective', 'eval_metric', 'num_round', 'early_stopping_rounds', 'sagemaker_program', 'sagemaker_submit_directory'];
  for (const name of Object.keys(tuning.extraHyperParameters)) {
    errors.check(!reserved.includes(name), `tuning.extraHyperParameters must not set '${name}'; the pipeline sets it.`);
    errors.check(
      !(name in tuning.hyperparameterRanges),
      `tuning.extraHyperParameters sets '${name}', which is also a tuned range; keep one of the two.`,
    );
  }

  if (props.spotTraining) {
    const maxWait = props.spotTraining.maxWaitTimeInSeconds;
    errors.integer('spotTraining.maxWaitTimeInSeconds', maxWait, 1, 2419200);
    if (maxWait !== undefined && !isUnresolved(maxWait) && !isUnresolved(training.maxRuntimeInSeconds)) {
      errors.check(
        maxWait >= training.maxRuntimeInSeconds,
        `spotTraining.maxWaitTimeInSeconds (${maxWait}) must be at least training.maxRuntimeInSeconds ` +
          `(${training.maxRuntimeInSeconds}).`,
      );
    }
    errors.s3Uri('spotTraining.checkpointS3Uri', props.spotTraining.checkpointS3Uri);
  }
  if (props.vpc) {
    errors.check(props.vpc.subnetIds.length > 0, 'vpc.subnetIds must list at least one subnet.');
    errors.check(props.vpc.securityGroupIds.length > 0, 'vpc.securityGroupIds must list at least one security group.');
  }

  const gateMetric = props.qualityGate?.metric ?? spec?.defaultGateMetric ?? '';
  const threshold: number | undefined = props.qualityGate?.threshold ?? DEFAULT_THRESHOLDS[gateMetric];
  if (spec) {
    const valid = Object.keys(spec.metrics);
    if (!valid.includes(gateMetric)) {
      errors.add(
        `qualityGate.metric '${gateMetric}' is not a metric of problem type '${props.problemType}'; ` +
          `use one of: ${valid.join(', ')}.`,
      );
    } else if (threshold === undefined) {
      errors.add(`qualityGate.threshold is required for metric '${gateMetric}' (defaults exist only for r2 and auc).`);
    }
  }
  if (threshold !== undefined && !isUnresolved(threshold)) {
    errors.check(Number.isFinite(threshold), `qualityGate.threshold must be a finite number, got ${threshold}.`);
  }
  if (props.defaultModelApprovalStatus !== undefined) {
    errors.check(
      APPROVAL_STATUSES.includes(props.defaultModelApprovalStatus),
      `defaultModelApprovalStatus must be one of ${APPROVAL_STATUSES.join(', ')}, got '${props.defaultModelApprovalStatus}'.`,
    );
  }
  const split = props.split ?? {};
  for (const key of ['validationFraction', 'testFraction'] as const) {
    const value = split[key];
    if (value !== undefined) {
      errors.check(value > 0 && value < 1, `split.${key} must be between 0 and 1 (exclusive), got ${value}.`);
    }
  }
  errors.check(
    (split.validationFraction ?? 0.15) + (split.testFraction ?? 0.15) < 1,
    'split.validationFraction + split.testFraction must be less than 1.',
  );
  errors.integer('split.seed', split.seed, 0);
  const instanceTypes = props.inferenceInstanceTypes;
  errors.check(instanceTypes?.realtime?.length !== 0, 'inferenceInstanceTypes.realtime must not be empty.');
  errors.check(instanceTypes?.transform?.length !== 0, 'inferenceInstanceTypes.transform must not be empty.');

  errors.throwIfAny();
  return {
    spec: spec as ProblemTypeSpec,
    prefix: normalizePrefix(props.artifactPrefix ?? 'training-pipeline'),
    processing,
    training,
    tuning,
    gateMetric,
    threshold: threshold as number,
    preprocessScript: preprocessScript as string,
    evaluateScript: evaluateScript as string,
  };
}

function processingInput(name: string, s3Uri: PipelineString, localPath: string): ProcessingInput {
  return {
    InputName: name,
    AppManaged: false,
    S3Input: {
      S3Uri: s3Uri,
      LocalPath: localPath,
      S3DataType: 'S3Prefix',
      S3InputMode: 'File',
      S3DataDistributionType: 'FullyReplicated',
      S3CompressionType: 'None',
    },
  };
}

function processingOutput(name: string, s3Uri: PipelineString, localPath: string): ProcessingOutput {
  return { OutputName: name, AppManaged: false, S3Output: { S3Uri: s3Uri, LocalPath: localPath, S3UploadMode: 'EndOfJob' } };
}

function channel(name: string, s3Uri: PipelineString): Channel {
  return {
    ChannelName: name,
    ContentType: 'text/csv',
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: s3Uri, S3DataDistributionType: 'FullyReplicated' } },
  };
}

function formatNumber(value: number): string {
  return String(value);
}

/** Key parts of `<prefix>/<parts>` without empty segments. */
function keyParts(prefix: string, ...parts: readonly PipelineValue[]): PipelineValue[] {
  return [...(prefix === '' ? [] : [prefix]), ...parts];
}

/**
 * The training pipeline: Preprocess → Tune → Evaluate → CheckQuality → Register | QualityGateFailed.
 *
 * Artifacts (under `s3://<artifactBucketName>/<artifactPrefix>/`):
 * - `<execution id>/preprocess/{train,validation,test}/`: the splits,
 * - `tuning/<training job name>/output/model.tar.gz`: each trial's model,
 * - `<execution id>/evaluation/evaluation.json`: the best model's metrics on the test split.
 *
 * Throws one error listing every invalid prop (unresolved tokens are not checked).
 */
export function trainingPipelineDefinition(props: TrainingPipelineProps): PipelineDefinition {
  const resolved = resolveTrainingProps(props);
  const { spec, prefix, processing, training, tuning } = resolved;
  const bucket = props.artifactBucketName;
  const executionId = ExecutionVariables.PipelineExecutionId;

  const inputDataUri = new ParameterString(TRAINING_PIPELINE_PARAMETERS.inputDataUri, {
    defaultValue: props.defaultInputDataUri,
  });
  const approvalStatus = new ParameterString(TRAINING_PIPELINE_PARAMETERS.modelApprovalStatus, {
    defaultValue: props.defaultModelApprovalStatus ?? 'PendingManualApproval',
  });
  const qualityThreshold = new ParameterFloat(TRAINING_PIPELINE_PARAMETERS.qualityThreshold, {
    defaultValue: resolved.threshold,
  });
  const processingInstanceType = new ParameterString(TRAINING_PIPELINE_PARAMETERS.processingInstanceType, {
    defaultValue: processing.instanceType,
  });
  const trainingInstanceType = new ParameterString(TRAINING_PIPELINE_PARAMETERS.trainingInstanceType, {
    defaultValue: training.instanceType,
  });

  const jobOptions = {
    cacheConfig: props.cacheConfig,
    retryPolicies: props.retryPolicies ?? DEFAULT_JOB_RETRY_POLICIES,
  };
  const networkConfig: ProcessingNetworkConfig | undefined = props.vpc
    ? { VpcConfig: { SecurityGroupIds: [...props.vpc.securityGroupIds], Subnets: [...props.vpc.subnetIds] } }
    : undefined;
  const vpcConfig: VpcConfig | undefined = networkConfig?.VpcConfig;
  const clusterConfig = {
    InstanceType: processingInstanceType.ref,
    InstanceCount: processing.instanceCount,
    VolumeSizeInGB: processing.volumeSizeInGb,
    VolumeKmsKeyId: props.kmsKeyId,
  };

  // ---- Preprocess
  const splitArgs: string[] = [];
  if (props.split?.validationFraction !== undefined) {
    splitArgs.push('--validation-fraction', formatNumber(props.split.validationFraction));
  }
  if (props.split?.testFraction !== undefined) {
    splitArgs.push('--test-fraction', formatNumber(props.split.testFraction));
  }
  if (props.split?.seed !== undefined) {
    splitArgs.push('--seed', formatNumber(props.split.seed));
  }
  const splitUri = (name: string) => Expressions.s3Uri(bucket, ...keyParts(prefix, executionId, 'preprocess', name));
  const preprocess = new ProcessingStep(TRAINING_PIPELINE_STEPS.preprocess, {
    ...jobOptions,
    arguments: {
      ProcessingResources: { ClusterConfig: clusterConfig },
      AppSpecification: {
        ImageUri: props.imageUris.sklearn,
        ContainerEntrypoint: ['python3', `${PROCESSING_PATHS.code}/${resolved.preprocessScript}`],
        ContainerArguments: [
          '--problem-type',
          props.problemType,
          '--label-column',
          props.labelColumn,
          ...(props.featureColumns ? ['--feature-columns', props.featureColumns.join(',')] : []),
          ...splitArgs,
          '--input-dir',
          PROCESSING_PATHS.inputData,
          '--train-dir',
          PROCESSING_PATHS.train,
          '--validation-dir',
          PROCESSING_PATHS.validation,
          '--test-dir',
          PROCESSING_PATHS.test,
        ],
      },
      RoleArn: props.roleArn,
      ProcessingInputs: [
        processingInput('data', inputDataUri.ref, PROCESSING_PATHS.inputData),
        processingInput('code', props.scriptUris.preprocess, PROCESSING_PATHS.code),
      ],
      ProcessingOutputConfig: {
        Outputs: [
          processingOutput(TRAINING_PIPELINE_OUTPUTS.train, splitUri('train'), PROCESSING_PATHS.train),
          processingOutput(TRAINING_PIPELINE_OUTPUTS.validation, splitUri('validation'), PROCESSING_PATHS.validation),
          processingOutput(TRAINING_PIPELINE_OUTPUTS.test, splitUri('test'), PROCESSING_PATHS.test),
        ],
        KmsKeyId: props.kmsKeyId,
      },
      StoppingCondition: { MaxRuntimeInSeconds: processing.maxRuntimeInSeconds },
      NetworkConfig: networkConfig,
    },
  });

  // ---- Tune
  const tuningOutputPrefix = prefix === '' ? 'tuning' : `${prefix}/tuning`;
  const continuous: ContinuousParameterRange[] = [];
  const integer: IntegerParameterRange[] = [];
  const categorical: CategoricalParameterRange[] = [];
  for (const [name, range] of Object.entries(tuning.hyperparameterRanges)) {
    if (range.type === 'Categorical') {
      categorical.push({ Name: name, Values: [...range.values] });
    } else {
      const rendered = {
        Name: name,
        MinValue: formatNumber(range.min),
        MaxValue: formatNumber(range.max),
        ScalingType: range.scaling ?? 'Auto',
      };
      (range.type === 'Integer' ? integer : continuous).push(rendered);
    }
  }
  const spot = props.spotTraining;
  const tune = new TuningStep(TRAINING_PIPELINE_STEPS.tune, {
    ...jobOptions,
    arguments: {
      HyperParameterTuningJobConfig: {
        Strategy: tuning.strategy,
        HyperParameterTuningJobObjective: {
          Type: spec.tuningObjective.Type,
          MetricName: spec.tuningObjective.MetricName,
        },
        ResourceLimits: {
          MaxNumberOfTrainingJobs: tuning.maxNumberOfTrainingJobs,
          MaxParallelTrainingJobs: tuning.maxParallelTrainingJobs,
        },
        ParameterRanges: {
          ContinuousParameterRanges: continuous,
          IntegerParameterRanges: integer,
          CategoricalParameterRanges: categorical,
        },
        TrainingJobEarlyStoppingType: tuning.earlyStoppingType,
      },
      TrainingJobDefinition: {
        StaticHyperParameters: {
          objective: spec.xgboostObjective,
          eval_metric: spec.evalMetric,
          num_round: formatNumber(tuning.numRound),
          early_stopping_rounds: formatNumber(tuning.earlyStoppingRounds),
          ...tuning.extraHyperParameters,
          sagemaker_program: JSON.stringify('train.py'),
          sagemaker_submit_directory: JSON.stringify(props.scriptUris.sourceDir),
        },
        AlgorithmSpecification: {
          TrainingImage: props.imageUris.xgboost,
          TrainingInputMode: 'File',
          MetricDefinitions: spec.metricDefinitions.map((m) => ({ Name: m.Name, Regex: m.Regex })),
        },
        RoleArn: props.roleArn,
        InputDataConfig: [
          channel('train', preprocess.outputUri(TRAINING_PIPELINE_OUTPUTS.train)),
          channel('validation', preprocess.outputUri(TRAINING_PIPELINE_OUTPUTS.validation)),
        ],
        OutputDataConfig: { S3OutputPath: `s3://${bucket}/${tuningOutputPrefix}`, KmsKeyId: props.kmsKeyId },
        HyperParameterTuningResourceConfig: {
          InstanceType: trainingInstanceType.ref,
          InstanceCount: training.instanceCount,
          VolumeSizeInGB: training.volumeSizeInGb,
          VolumeKmsKeyId: props.kmsKeyId,
        },
        StoppingCondition: {
          MaxRuntimeInSeconds: training.maxRuntimeInSeconds,
          MaxWaitTimeInSeconds: spot ? (spot.maxWaitTimeInSeconds ?? 2 * training.maxRuntimeInSeconds) : undefined,
        },
        EnableManagedSpotTraining: spot ? true : undefined,
        CheckpointConfig: spot
          ? { S3Uri: spot.checkpointS3Uri ?? `s3://${bucket}/${prefix === '' ? '' : `${prefix}/`}checkpoints` }
          : undefined,
        VpcConfig: vpcConfig,
      },
    },
  });
  const bestModelUri = tune.bestModelUri(bucket, tuningOutputPrefix);

  // ---- Evaluate
  const evaluationUri = Expressions.s3Uri(bucket, ...keyParts(prefix, executionId, 'evaluation'));
  const evaluate = new ProcessingStep(TRAINING_PIPELINE_STEPS.evaluate, {
    ...jobOptions,
    arguments: {
      ProcessingResources: { ClusterConfig: clusterConfig },
      AppSpecification: {
        ImageUri: props.imageUris.xgboost,
        ContainerEntrypoint: ['python3', `${PROCESSING_PATHS.code}/${resolved.evaluateScript}`],
        ContainerArguments: [
          '--problem-type',
          props.problemType,
          '--model-dir',
          PROCESSING_PATHS.model,
          '--test-dir',
          PROCESSING_PATHS.test,
          '--output-dir',
          PROCESSING_PATHS.evaluation,
        ],
      },
      RoleArn: props.roleArn,
      ProcessingInputs: [
        processingInput('model', bestModelUri, PROCESSING_PATHS.model),
        processingInput('test', preprocess.outputUri(TRAINING_PIPELINE_OUTPUTS.test), PROCESSING_PATHS.test),
        processingInput('code', props.scriptUris.evaluate, PROCESSING_PATHS.code),
      ],
      ProcessingOutputConfig: {
        Outputs: [processingOutput(TRAINING_PIPELINE_OUTPUTS.evaluation, evaluationUri, PROCESSING_PATHS.evaluation)],
        KmsKeyId: props.kmsKeyId,
      },
      StoppingCondition: { MaxRuntimeInSeconds: processing.maxRuntimeInSeconds },
      NetworkConfig: networkConfig,
    },
    propertyFiles: [
      {
        name: TRAINING_PIPELINE_OUTPUTS.evaluationReport,
        outputName: TRAINING_PIPELINE_OUTPUTS.evaluation,
        filePath: TRAINING_PIPELINE_OUTPUTS.evaluationFile,
      },
    ],
  });
  const report = evaluate.propertyFile(TRAINING_PIPELINE_OUTPUTS.evaluationReport);
  const metricValue = report.jsonGet<number>(`${spec.reportKey}.${resolved.gateMetric}.value`);
  const minimize = spec.metrics[resolved.gateMetric] === 'Minimize';

  // ---- Register / QualityGateFailed
  const stepRetries = (props.retryPolicies ?? DEFAULT_JOB_RETRY_POLICIES)
    .map((p) => ({ ...p, exceptionTypes: p.exceptionTypes.filter((t) => t.startsWith('Step.')) }))
    .filter((p) => p.exceptionTypes.length > 0);
  const contentTypes = ['text/csv', 'application/json'];
  const register = new RegisterModelStep(TRAINING_PIPELINE_STEPS.register, {
    retryPolicies: stepRetries,
    arguments: {
      ModelPackageGroupName: props.modelPackageGroupName,
      ModelApprovalStatus: approvalStatus.ref,
      ModelMetrics: {
        ModelQuality: {
          Statistics: {
            ContentType: 'application/json',
            S3Uri: Expressions.join(
              [evaluate.outputUri(TRAINING_PIPELINE_OUTPUTS.evaluation), TRAINING_PIPELINE_OUTPUTS.evaluationFile],
              '/',
            ),
          },
        },
      },
      InferenceSpecification: {
        Containers: [
          {
            Image: props.imageUris.xgboost,
            ModelDataUrl: bestModelUri,
            Environment: servingEnvironment(props.region),
          },
        ],
        SupportedContentTypes: contentTypes,
        SupportedResponseMIMETypes: contentTypes,
        SupportedRealtimeInferenceInstanceTypes: [
          ...(props.inferenceInstanceTypes?.realtime ?? ['ml.m5.large', 'ml.m5.xlarge']),
        ],
        SupportedTransformInstanceTypes: [...(props.inferenceInstanceTypes?.transform ?? ['ml.m5.xlarge'])],
      },
      CustomerMetadataProperties: {
        ProblemType: props.problemType,
        LabelColumn: props.labelColumn,
        QualityMetric: resolved.gateMetric,
      },
    },
  });
  const fail = new FailStep(TRAINING_PIPELINE_STEPS.qualityGateFailed, {
    errorMessage: Expressions.join(
      [
        `Quality gate failed: ${resolved.gateMetric} =`,
        metricValue,
        minimize ? 'is above the threshold' : 'is below the threshold',
        qualityThreshold.ref,
        minimize ? '(lower is better).' : '(higher is better).',
      ],
      ' ',
    ),
  });
  const checkQuality = new ConditionStep(TRAINING_PIPELINE_STEPS.checkQuality, {
    conditions: [
      minimize
        ? Condition.lessThanOrEqualTo(metricValue, qualityThreshold.ref)
        : Condition.greaterThanOrEqualTo(metricValue, qualityThreshold.ref),
    ],
    ifSteps: [register],
    elseSteps: [fail],
  });

  return buildPipelineDefinition({
    parameters: [inputDataUri, approvalStatus, qualityThreshold, processingInstanceType, trainingInstanceType],
    steps: [preprocess, tune, evaluate, checkQuality],
  });
}
