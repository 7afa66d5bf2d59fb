import { RetryExceptionType, type CacheConfig, type RetryPolicy } from '../steps';
import type { ProblemType } from '../problem-types';

/** Container image URIs of the SageMaker framework images the pipeline runs. */
export interface FrameworkImageUris {
  /** sagemaker-scikit-learn:1.2-1-cpu-py3 in the pipeline's region; runs preprocess.py. */
  readonly sklearn: string;
  /** sagemaker-xgboost:1.7-1 in the pipeline's region (or a custom image built on it); runs train.py and evaluate.py. */
  readonly xgboost: string;
  /**
   * Image the registered model is served with (runs inference.py).
   * @default - the `xgboost` image
   */
  readonly inference?: string;
}

/** S3 locations of the ML code. */
export interface TrainingScriptUris {
  /** S3 URI of preprocess.py (the URI must end in the file name). */
  readonly preprocess: string;
  /** S3 URI of evaluate.py (the URI must end in the file name). */
  readonly evaluate: string;
  /** S3 URI of baseline.py (the URI must end in the file name). */
  readonly baseline: string;
  /**
   * S3 URI of baseline_statistics.py, the column statistics baseline.py imports (the URI must end in the file name).
   * The Baseline job downloads it to /opt/ml/processing/input/code-lib/ and names the file in its environment.
   */
  readonly baselineStatistics: string;
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
