import type { ProblemType } from '../sagemaker-pipelines/problem-types';
import type { DatasetContract } from './dataset-contract';

/** The environments this app deploys. */
export const STAGE_NAMES = ['dev', 'staging', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** Search strategies of a SageMaker hyperparameter tuning job. */
export const TUNING_STRATEGIES = ['Bayesian', 'Random'] as const;
export type TuningStrategy = (typeof TUNING_STRATEGIES)[number];

/** An instance type and count for one kind of SageMaker job or endpoint. */
export interface InstanceConfig {
  /** SageMaker instance type, e.g. `ml.m5.xlarge`. */
  readonly instanceType: string;
  /** Number of instances (at least 1). */
  readonly instanceCount: number;
}

/** Instances for each kind of SageMaker workload. */
export interface InstancesConfig {
  /** Processing jobs (preprocess, evaluate). */
  readonly processing: InstanceConfig;
  /** Each training job started by the tuning step. */
  readonly training: InstanceConfig;
  /** Batch transform jobs of the inference pipeline. */
  readonly transform: InstanceConfig;
  /** Real-time endpoint variants (initial count; autoscaling moves between its min and max). */
  readonly endpoint: InstanceConfig;
}

/** The metric a new model must reach before it is registered. */
export interface QualityGateConfig {
  /**
   * A metric of the evaluation report for the problem type (see `ml/problem_types.json` `metrics`).
   * Metrics with direction Maximize must be >= the threshold, Minimize ones <= it.
   */
  readonly metric: string;
  /** The threshold, the default of the training pipeline's QualityThreshold parameter. */
  readonly threshold: number;
}

/** Budget of the hyperparameter tuning step. */
export interface TuningConfig {
  /** Search strategy. */
  readonly strategy: TuningStrategy;
  /** Total training jobs per tuning job (1..500). */
  readonly maxJobs: number;
  /** Training jobs run at the same time (1..maxJobs). */
  readonly maxParallelJobs: number;
  /** XGBoost boosting rounds of each training job (`num_round`, 1..10000); early stopping may end a job sooner. */
  readonly numRound: number;
}

/**
 * Step caching of both pipelines: a step whose data, code and settings match a successful earlier run reuses that
 * run's results instead of running again (a retrain on unchanged data and code costs nothing).
 */
export interface CachingConfig {
  /** Whether steps may reuse earlier results. */
  readonly enabled: boolean;
  /** How long a result stays reusable, as an ISO-8601 duration (`P30D`, `PT12H`). */
  readonly expireAfter: string;
}

/** Limits of each training job. */
export interface TrainingConfig {
  /** Maximum run time of one training job, in seconds. */
  readonly maxRuntimeSeconds: number;
  /**
   * Managed spot training. When set, training jobs run on spot capacity and may wait this long in total
   * (run time included) for it; must be >= `maxRuntimeSeconds`.
   * @default - on-demand training
   */
  readonly spotMaxWaitSeconds?: number;
}

/** Endpoint autoscaling (target tracking on invocations per instance). */
export interface AutoscalingConfig {
  /** Minimum instance count (>= 1). */
  readonly minCapacity: number;
  /** Maximum instance count (>= minCapacity). */
  readonly maxCapacity: number;
  /** Target of `SageMakerVariantInvocationsPerInstance` (invocations per instance per minute, > 0). */
  readonly targetInvocationsPerInstance: number;
  /** Seconds after a scale-in before another scale-in (0-3600). */
  readonly scaleInCooldownSeconds: number;
  /** Seconds after a scale-out before another scale-out (0-3600). */
  readonly scaleOutCooldownSeconds: number;
}

/** Where an endpoint of the deployment flow runs. */
export interface DeploymentTarget {
  /** AWS account id (12 digits). @default - the stage's account */
  readonly account?: string;
  /** AWS region. @default - the stage's region */
  readonly region?: string;
}

/** The system test of the staging endpoint: what a model must reach there before it may go to production. */
export interface SystemTestConfig {
  /**
   * The metric computed from the endpoint's predictions of the held-out test set (one of the problem type's
   * metrics, e.g. r2, rmse, auc).
   * @default - the quality gate's metric
   */
  readonly metric?: string;
  /** The value the metric must reach (`>=` for higher-is-better metrics, `<=` for lower-is-better ones). */
  readonly threshold: number;
  /** The largest p95 latency of single requests, in milliseconds. */
  readonly maxP95LatencyMs: number;
  /** Rows of the test set sent to the endpoint (at most; 1-2000: their results travel in one Step Functions payload). */
  readonly maxRows: number;
  /** Rows per request (1 measures single-row latency; 1-1000). */
  readonly rowsPerRequest: number;
}

/** Blue/green deployment of the production endpoint: a canary, then the rest, rolled back on an alarm. */
export interface CanaryConfig {
  /** Share of the new fleet's capacity that takes traffic first, in percent (1-50). */
  readonly trafficPercent: number;
  /** Minutes the canary runs before the rest of the traffic shifts (1-60). */
  readonly waitMinutes: number;
}

/** The deployment flow: staging endpoint → system test → approval → production endpoint. */
export interface DeploymentConfig {
  /** Where the staging endpoint runs. @default - the stage's own account and region */
  readonly staging?: DeploymentTarget;
  /** Where the production endpoint runs. @default - the stage's own account and region */
  readonly production?: DeploymentTarget;
  /** Share of the requests whose input and output the endpoints capture to S3, in percent (0-100). */
  readonly dataCapturePercent: number;
  /** The system test between staging and production. */
  readonly systemTest: SystemTestConfig;
  /** Production's blue/green traffic shifting. */
  readonly canary: CanaryConfig;
  /** Production alarms that roll a deployment back: model latency (p99 over a minute) and 5xx errors per minute. */
  readonly alarms: { readonly maxModelLatencyMs: number; readonly maxInvocation5xxErrors: number };
  /** When the Model Monitor data-quality job of production runs: a cron expression Model Monitor accepts. */
  readonly dataQualitySchedule: string;
}

/** Glue worker types the ETL job can run on. */
export const GLUE_WORKER_TYPES = ['G.025X', 'G.1X', 'G.2X', 'G.4X', 'G.8X'] as const;
export type GlueWorkerType = (typeof GLUE_WORKER_TYPES)[number];

/** The ETL (Glue) job and what starts it. */
export interface EtlConfig {
  /** Glue worker type (G.1X: 4 vCPU, 16 GB). */
  readonly workerType: GlueWorkerType;
  /** Number of workers (at least 2: one driver, one executor). */
  readonly numberOfWorkers: number;
  /** A run that takes longer is stopped (Glue TIMEOUT), in minutes. */
  readonly timeoutMinutes: number;
  /** A notification goes out when a run is still running after this many minutes (Glue's notify delay). */
  readonly notifyDelayMinutes: number;
  /** Runs of the job at the same time; uploads beyond it wait in Glue's queue. */
  readonly maxConcurrentRuns: number;
  /** Uploads larger than this (bytes) are rejected by start-etl, with the reason logged. */
  readonly maxObjectBytes: number;
  /** File suffixes of uploads that start a run (case-insensitive), e.g. `.csv`. */
  readonly allowedSuffixes: string[];
}

/** Alerts of the environment. */
export interface MonitoringConfig {
  /**
   * Email address subscribed to the notification topic (the subscription must be confirmed from the mail).
   * @default - no email subscription; subscribe to the topic by other means
   */
  readonly notificationEmail?: string;
}

/** An existing VPC whose private subnets the SageMaker jobs run in. */
export interface VpcConfig {
  /** Id of the VPC (`vpc-...`). */
  readonly vpcId: string;
  /** Private subnets the jobs run in (`subnet-...`), at least one. */
  readonly subnetIds: string[];
  /** Security group of the jobs (`sg-...`), or `create` to create one in the VPC. */
  readonly securityGroupId: string;
}

/**
 * Custom container images (built from `containers/` by the image build) that replace the managed SageMaker XGBoost
 * 1.7-1 image. Each is a private ECR image URI in the stage's region with a tag or digest, e.g.
 * `123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops-training:3f2c1ab`.
 */
export interface CustomImagesConfig {
  /**
   * Image of the tuning trials and the Evaluate step (runs train.py and evaluate.py).
   * @default - the managed sagemaker-xgboost:1.7-1 image
   */
  readonly training?: string;
  /**
   * Image the registered model is served with (endpoints and batch transform; runs inference.py).
   * @default - the managed sagemaker-xgboost:1.7-1 image
   */
  readonly inference?: string;
}

/** Everything that differs between dev, staging and prod. */
export interface StageConfig {
  /** Name of the environment. */
  readonly stageName: StageName;
  /** AWS account id (12 digits). */
  readonly account: string;
  /** AWS region, e.g. `eu-west-1`. */
  readonly region: string;
  /** What the model predicts; selects the objective, metrics and report key in `ml/problem_types.json`. */
  readonly problemType: ProblemType;
  /** Name of the label column in the curated CSV data. */
  readonly labelColumn: string;
  /**
   * The feature columns the model uses, in order (the inference payload's column order).
   * @default - every column of the curated CSV except the label, in file order
   */
  readonly featureColumns?: string[];
  /** What the ETL job expects of uploaded datasets and how it curates them (see `DatasetContract`). */
  readonly dataset: DatasetContract;
  /** The ETL job and its trigger. */
  readonly etl: EtlConfig;
  /** Notifications. */
  readonly monitoring: MonitoringConfig;
  /** Instance types and counts. */
  readonly instances: InstancesConfig;
  /** Quality gate of the training pipeline. */
  readonly qualityGate: QualityGateConfig;
  /** Hyperparameter tuning budget. */
  readonly tuning: TuningConfig;
  /** Training job limits. */
  readonly training: TrainingConfig;
  /** Step caching of the training and inference pipelines. */
  readonly caching: CachingConfig;
  /** Production endpoint autoscaling (target tracking on invocations per instance). */
  readonly autoscaling: AutoscalingConfig;
  /** The deployment flow of approved models. */
  readonly deployment: DeploymentConfig;
  /**
   * Delete data buckets (and their objects) and the data key when the stack is deleted.
   * Only dev may opt in; staging and prod always retain data.
   */
  readonly destroyDataOnDelete: boolean;
  /**
   * Retention of the log groups this app creates, in days (a CloudWatch Logs retention value): the ETL job's and
   * the handlers' log groups of the data flow.
   */
  readonly logRetentionDays: number;
  /**
   * Run SageMaker jobs inside this VPC.
   * @default - jobs run in SageMaker's network
   */
  readonly vpc?: VpcConfig;
  /**
   * Custom training and inference images instead of the managed framework image.
   * @default - the managed SageMaker framework images
   */
  readonly images?: CustomImagesConfig;
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

/** Values that replace the defaults of a stage (nested objects are merged, arrays replaced). */
export type StageConfigOverrides = DeepPartial<Omit<StageConfig, 'stageName'>>;
