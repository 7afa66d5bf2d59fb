import type { ProcessingNetworkConfig, VpcConfig } from '../arguments';
import type { GetExpression } from '../expressions';
import type { CacheConfig, RetryPolicy } from '../steps';
import type { TrainingPipelineProps } from './props';
import type { ResolvedTrainingProps } from './resolve';

/** What every step builder of the training pipeline takes: the props, their resolved form and shared settings. */
export interface TrainingBuildContext {
  readonly props: TrainingPipelineProps;
  readonly resolved: ResolvedTrainingProps;
  /** Parameter references. */
  readonly parameters: {
    readonly inputDataUri: GetExpression<string>;
    readonly approvalStatus: GetExpression<string>;
    readonly qualityThreshold: GetExpression<number>;
    readonly processingInstanceType: GetExpression<string>;
    readonly trainingInstanceType: GetExpression<string>;
  };
  /** Caching and retries of the job steps. */
  readonly jobOptions: { readonly cacheConfig?: CacheConfig; readonly retryPolicies: readonly RetryPolicy[] };
  /** Network of the processing jobs (undefined: SageMaker's network). */
  readonly networkConfig?: ProcessingNetworkConfig;
  /** Network of the training jobs. */
  readonly vpcConfig?: VpcConfig;
}

/** The cluster of Preprocess and Evaluate. */
export function processingCluster(context: TrainingBuildContext) {
  const { resolved, parameters, props } = context;
  return {
    InstanceType: parameters.processingInstanceType,
    InstanceCount: resolved.processing.instanceCount,
    VolumeSizeInGB: resolved.processing.volumeSizeInGb,
    VolumeKmsKeyId: props.kmsKeyId,
  };
}
