import { DATA_LAYOUT, TRAINING_ARTIFACT_PREFIX } from '../config/data-layout';
import type { StageConfig } from '../config/stage-config';
import type { PipelineDefinition } from './definition';
import { inferencePipelineDefinition, type InferencePipelineProps } from './inference-pipeline';
import {
  trainingPipelineDefinition,
  type FrameworkImageUris,
  type JobVpcProps,
  type TrainingPipelineProps,
  type TrainingScriptUris,
} from './training';

/**
 * The resources of one environment that its pipelines name. In the cloud these are CDK tokens (bucket names from
 * the data stack, the execution role's ARN, asset URIs); in local mode, the local stand-ins. Nothing else differs.
 */
export interface PipelineResources {
  /** The region the serving container runs in (`SAGEMAKER_REGION` of registered models). */
  readonly region: string;
  /** The role the pipelines' jobs run as. */
  readonly roleArn: string;
  /** Bucket names. */
  readonly buckets: {
    /** Uploads under `raw/`, batch inputs under `batch/`. */
    readonly raw: string;
    /** Curated data under `curated/`: the training pipeline's default input. */
    readonly processed: string;
    /** Pipeline outputs under `pipelines/` and predictions under `predictions/`. */
    readonly artifacts: string;
  };
  /**
   * KMS key (ARN) of job volumes and outputs.
   * @default - the buckets' default encryption and AWS-managed volume keys
   */
  readonly kmsKeyId?: string;
  /** The framework images in the environment's region. */
  readonly imageUris: FrameworkImageUris;
  /** Where the ML scripts are. */
  readonly scriptUris: TrainingScriptUris;
  /** The model package group new models are registered in. */
  readonly modelPackageGroupName: string;
  /**
   * Subnets and security groups of the jobs (when the stage config names a VPC).
   * @default - SageMaker's network
   */
  readonly vpc?: JobVpcProps;
}

/** The props of an environment's two pipeline definitions. */
export interface StagePipelineProps {
  readonly training: TrainingPipelineProps;
  readonly inference: InferencePipelineProps;
}

/**
 * The training and inference pipeline props of a stage: its config (problem, label, instances, tuning budget,
 * quality gate, spot, caching) applied to its resources. The training stack and local mode both call this, so the
 * definition local mode runs is the one the stage deploys, with other resource names.
 */
export function stagePipelineProps(config: StageConfig, resources: PipelineResources): StagePipelineProps {
  const { instances } = config;
  const cacheConfig = config.caching.enabled ? { enabled: true, expireAfter: config.caching.expireAfter } : undefined;
  const training: TrainingPipelineProps = {
    problemType: config.problemType,
    labelColumn: config.labelColumn,
    featureColumns: config.featureColumns,
    region: resources.region,
    roleArn: resources.roleArn,
    artifactBucketName: resources.buckets.artifacts,
    artifactPrefix: TRAINING_ARTIFACT_PREFIX,
    imageUris: stageImageUris(config, resources.imageUris),
    scriptUris: resources.scriptUris,
    modelPackageGroupName: resources.modelPackageGroupName,
    defaultInputDataUri: `s3://${resources.buckets.processed}/${DATA_LAYOUT.curatedPrefix}`,
    processing: { instanceType: instances.processing.instanceType, instanceCount: instances.processing.instanceCount },
    training: {
      instanceType: instances.training.instanceType,
      instanceCount: instances.training.instanceCount,
      maxRuntimeInSeconds: config.training.maxRuntimeSeconds,
    },
    tuning: {
      strategy: config.tuning.strategy,
      maxNumberOfTrainingJobs: config.tuning.maxJobs,
      maxParallelTrainingJobs: config.tuning.maxParallelJobs,
      numRound: config.tuning.numRound,
    },
    spotTraining: config.training.spotMaxWaitSeconds === undefined
      ? undefined
      : { maxWaitTimeInSeconds: config.training.spotMaxWaitSeconds },
    vpc: resources.vpc,
    kmsKeyId: resources.kmsKeyId,
    qualityGate: { metric: config.qualityGate.metric, threshold: config.qualityGate.threshold },
    inferenceInstanceTypes: {
      realtime: [instances.endpoint.instanceType],
      transform: [instances.transform.instanceType],
    },
    cacheConfig,
  };
  const inference: InferencePipelineProps = {
    roleArn: resources.roleArn,
    artifactBucketName: resources.buckets.artifacts,
    predictionsPrefix: DATA_LAYOUT.predictionsPrefix,
    modelSource: { kind: 'modelPackage' },
    defaultBatchInputUri: `s3://${resources.buckets.raw}/${DATA_LAYOUT.batchInputPrefix}`,
    transformInstanceType: instances.transform.instanceType,
    transformInstanceCount: instances.transform.instanceCount,
    vpc: resources.vpc,
    kmsKeyId: resources.kmsKeyId,
    cacheConfig,
  };
  return { training, inference };
}

/**
 * The images a stage's pipelines run: the managed framework images, with the stage's custom training image (tuning
 * trials, Evaluate) and inference image (the registered model) in place of XGBoost's when `images` names them.
 */
export function stageImageUris(config: Pick<StageConfig, 'images'>, managed: FrameworkImageUris): FrameworkImageUris {
  const { training, inference } = config.images ?? {};
  // The serving image is set explicitly: a custom training image alone must not become the serving image.
  return { ...managed, xgboost: training ?? managed.xgboost, inference: inference ?? managed.inference ?? managed.xgboost };
}

/** The two pipeline definitions of a stage (see {@link stagePipelineProps}). */
export function stagePipelineDefinitions(
  config: StageConfig,
  resources: PipelineResources,
): { readonly training: PipelineDefinition; readonly inference: PipelineDefinition } {
  const props = stagePipelineProps(config, resources);
  return { training: trainingPipelineDefinition(props.training), inference: inferencePipelineDefinition(props.inference) };
}
