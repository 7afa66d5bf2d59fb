/**
 * Typed step arguments: the SageMaker API request members a pipeline step carries, without the job name (the
 * pipeline names jobs itself). Member names are those of the API so the JSON is the request; every scalar may
 * be an expression. `checkStepArguments` checks the result against the service model.
 */
import type { PipelineBoolean, PipelineEnum, PipelineNumber, PipelineString } from './expressions';

/** A string-to-string map whose values may be expressions. */
export interface StringMap {
  readonly [key: string]: PipelineString;
}

/** A key/value tag. */
export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** `VpcConfig` of jobs and models. */
export interface VpcConfig {
  readonly SecurityGroupIds: readonly PipelineString[];
  readonly Subnets: readonly PipelineString[];
}

/** `NetworkConfig` of a processing job. */
export interface ProcessingNetworkConfig {
  readonly EnableInterContainerTrafficEncryption?: PipelineBoolean;
  readonly EnableNetworkIsolation?: PipelineBoolean;
  readonly VpcConfig?: VpcConfig;
}

// ---------------------------------------------------------------- Processing

/** `ProcessingInputs[].S3Input` */
export interface ProcessingS3Input {
  readonly S3Uri: PipelineString;
  readonly LocalPath: PipelineString;
  readonly S3DataType: PipelineEnum<'S3Prefix' | 'ManifestFile'>;
  readonly S3InputMode?: PipelineEnum<'File' | 'Pipe'>;
  readonly S3DataDistributionType?: PipelineEnum<'FullyReplicated' | 'ShardedByS3Key'>;
  readonly S3CompressionType?: PipelineEnum<'None' | 'Gzip'>;
}

/** One of `ProcessingInputs`. */
export interface ProcessingInput {
  readonly InputName: string;
  readonly AppManaged?: boolean;
  readonly S3Input: ProcessingS3Input;
}

/** `ProcessingOutputConfig.Outputs[].S3Output` */
export interface ProcessingS3Output {
  readonly S3Uri: PipelineString;
  readonly LocalPath: PipelineString;
  readonly S3UploadMode: PipelineEnum<'Continuous' | 'EndOfJob'>;
}

/** One of `ProcessingOutputConfig.Outputs`. */
export interface ProcessingOutput {
  readonly OutputName: string;
  readonly AppManaged?: boolean;
  readonly S3Output: ProcessingS3Output;
}

/** Arguments of a Processing step: `CreateProcessingJob` without `ProcessingJobName`. */
export interface ProcessingJobArguments {
  readonly ProcessingResources: {
    readonly ClusterConfig: {
      readonly InstanceCount: PipelineNumber;
      readonly InstanceType: PipelineString;
      readonly VolumeSizeInGB: PipelineNumber;
      readonly VolumeKmsKeyId?: PipelineString;
    };
  };
  readonly AppSpecification: {
    readonly ImageUri: PipelineString;
    readonly ContainerEntrypoint?: readonly PipelineString[];
    readonly ContainerArguments?: readonly PipelineString[];
  };
  readonly RoleArn: PipelineString;
  readonly ProcessingInputs?: readonly ProcessingInput[];
  readonly ProcessingOutputConfig?: {
    readonly Outputs: readonly ProcessingOutput[];
    readonly KmsKeyId?: PipelineString;
  };
  readonly StoppingCondition?: { readonly MaxRuntimeInSeconds: PipelineNumber };
  readonly Environment?: StringMap;
  readonly NetworkConfig?: ProcessingNetworkConfig;
  readonly Tags?: readonly Tag[];
}

// ---------------------------------------------------------------- Training / Tuning

/** `MetricDefinitions[]` */
export interface MetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

/** `AlgorithmSpecification` of a training job (definition). */
export interface AlgorithmSpecification {
  readonly TrainingImage: PipelineString;
  readonly TrainingInputMode: PipelineEnum<'File' | 'Pipe' | 'FastFile'>;
  readonly MetricDefinitions?: readonly MetricDefinition[];
  readonly EnableSageMakerMetricsTimeSeries?: boolean;
}

/** `InputDataConfig[]` of a training job. */
export interface Channel {
  readonly ChannelName: string;
  readonly DataSource: {
    readonly S3DataSource: {
      readonly S3DataType: PipelineEnum<'S3Prefix' | 'ManifestFile' | 'AugmentedManifestFile'>;
      readonly S3Uri: PipelineString;
      readonly S3DataDistributionType?: PipelineEnum<'FullyReplicated' | 'ShardedByS3Key'>;
    };
  };
  readonly ContentType?: PipelineString;
  readonly CompressionType?: PipelineEnum<'None' | 'Gzip'>;
  readonly InputMode?: PipelineEnum<'File' | 'Pipe' | 'FastFile'>;
}

/** `OutputDataConfig` of a training job. */
export interface OutputDataConfig {
  readonly S3OutputPath: PipelineString;
  readonly KmsKeyId?: PipelineString;
}

/** `ResourceConfig` of a training job. */
export interface TrainingResourceConfig {
  readonly InstanceType: PipelineString;
  readonly InstanceCount: PipelineNumber;
  readonly VolumeSizeInGB: PipelineNumber;
  readonly VolumeKmsKeyId?: PipelineString;
}

/** `StoppingCondition` of a training job. */
export interface StoppingCondition {
  readonly MaxRuntimeInSeconds?: PipelineNumber;
  /** Only with managed spot training; at least `MaxRuntimeInSeconds`. */
  readonly MaxWaitTimeInSeconds?: PipelineNumber;
}

/** `CheckpointConfig` of a training job. */
export interface CheckpointConfig {
  readonly S3Uri: PipelineString;
  readonly LocalPath?: PipelineString;
}

/** Arguments of a Training step: `CreateTrainingJob` without `TrainingJobName`. */
export interface TrainingJobArguments {
  readonly AlgorithmSpecification: AlgorithmSpecification;
  readonly RoleArn: PipelineString;
  readonly InputDataConfig?: readonly Channel[];
  readonly OutputDataConfig: OutputDataConfig;
  readonly ResourceConfig: TrainingResourceConfig;
  readonly StoppingCondition: StoppingCondition;
  /** All values are strings. */
  readonly HyperParameters?: StringMap;
  readonly EnableManagedSpotTraining?: PipelineBoolean;
  readonly CheckpointConfig?: CheckpointConfig;
  readonly VpcConfig?: VpcConfig;
  readonly EnableNetworkIsolation?: PipelineBoolean;
  readonly EnableInterContainerTrafficEncryption?: PipelineBoolean;
  readonly Environment?: StringMap;
  readonly Tags?: readonly Tag[];
}

/** `ContinuousParameterRanges[]`; bounds are strings. */
export interface ContinuousParameterRange {
  readonly Name: string;
  readonly MinValue: PipelineString;
  readonly MaxValue: PipelineString;
  readonly ScalingType?: 'Auto' | 'Linear' | 'Logarithmic' | 'ReverseLogarithmic';
}

/** `IntegerParameterRanges[]`; bounds are strings. */
export interface IntegerParameterRange {
  readonly Name: string;
  readonly MinValue: PipelineString;
  readonly MaxValue: PipelineString;
  readonly ScalingType?: 'Auto' | 'Linear' | 'Logarithmic' | 'ReverseLogarithmic';
}

/** `CategoricalParameterRanges[]` */
export interface CategoricalParameterRange {
  readonly Name: string;
  readonly Values: readonly PipelineString[];
}

/** `HyperParameterTuningJobConfig` */
export interface HyperParameterTuningJobConfig {
  readonly Strategy: 'Bayesian' | 'Random' | 'Hyperband' | 'Grid';
  readonly HyperParameterTuningJobObjective?: {
    readonly Type: 'Minimize' | 'Maximize';
    readonly MetricName: string;
  };
  readonly ResourceLimits: {
    readonly MaxNumberOfTrainingJobs?: PipelineNumber;
    readonly MaxParallelTrainingJobs: PipelineNumber;
    readonly MaxRuntimeInSeconds?: PipelineNumber;
  };
  readonly ParameterRanges?: {
    readonly ContinuousParameterRanges?: readonly ContinuousParameterRange[];
    readonly IntegerParameterRanges?: readonly IntegerParameterRange[];
    readonly CategoricalParameterRanges?: readonly CategoricalParameterRange[];
  };
  readonly TrainingJobEarlyStoppingType?: 'Off' | 'Auto';
  readonly RandomSeed?: number;
}

/** `HyperParameterTuningResourceConfig` of a tuning job's training definition. */
export interface HyperParameterTuningResourceConfig {
  readonly InstanceType: PipelineString;
  readonly InstanceCount: PipelineNumber;
  readonly VolumeSizeInGB: PipelineNumber;
  readonly VolumeKmsKeyId?: PipelineString;
}

/** `TrainingJobDefinition` of a tuning job. */
export interface HyperParameterTrainingJobDefinition {
  readonly AlgorithmSpecification: AlgorithmSpecification;
  readonly RoleArn: PipelineString;
  readonly InputDataConfig?: readonly Channel[];
  readonly OutputDataConfig: OutputDataConfig;
  /** Give either this or `HyperParameterTuningResourceConfig`. */
  readonly ResourceConfig?: TrainingResourceConfig;
  readonly HyperParameterTuningResourceConfig?: HyperParameterTuningResourceConfig;
  readonly StoppingCondition: StoppingCondition;
  /** All values are strings. */
  readonly StaticHyperParameters?: StringMap;
  readonly EnableManagedSpotTraining?: PipelineBoolean;
  readonly CheckpointConfig?: CheckpointConfig;
  readonly VpcConfig?: VpcConfig;
  readonly EnableNetworkIsolation?: PipelineBoolean;
  readonly EnableInterContainerTrafficEncryption?: PipelineBoolean;
  readonly Environment?: StringMap;
}

/** Arguments of a Tuning step: `CreateHyperParameterTuningJob` without `HyperParameterTuningJobName`. */
export interface TuningJobArguments {
  readonly HyperParameterTuningJobConfig: HyperParameterTuningJobConfig;
  readonly TrainingJobDefinition: HyperParameterTrainingJobDefinition;
  readonly Tags?: readonly Tag[];
}

// ---------------------------------------------------------------- Models

/** A model container (`PrimaryContainer` / `Containers[]`). */
export interface ContainerDefinition {
  readonly Image?: PipelineString;
  readonly ModelDataUrl?: PipelineString;
  /** Deploy from a versioned model package (its ARN or name) instead of `Image` + `ModelDataUrl`. */
  readonly ModelPackageName?: PipelineString;
  readonly Environment?: StringMap;
  readonly Mode?: 'SingleModel' | 'MultiModel';
}

/** Arguments of a Model step: `CreateModel` without `ModelName`. */
export interface ModelArguments {
  readonly ExecutionRoleArn?: PipelineString;
  readonly PrimaryContainer?: ContainerDefinition;
  readonly Containers?: readonly ContainerDefinition[];
  readonly VpcConfig?: VpcConfig;
  readonly EnableNetworkIsolation?: PipelineBoolean;
  readonly Tags?: readonly Tag[];
}

/** A container of a model package's `InferenceSpecification`. */
export interface ModelPackageContainerDefinition {
  readonly Image: PipelineString;
  readonly ModelDataUrl?: PipelineString;
  readonly Environment?: StringMap;
  readonly Framework?: string;
  readonly FrameworkVersion?: string;
}

/** `MetricsSource` of model metrics. */
export interface MetricsSource {
  readonly ContentType: PipelineString;
  readonly S3Uri: PipelineString;
  readonly ContentDigest?: PipelineString;
}

/** Arguments of a RegisterModel step: `CreateModelPackage` without name and description. */
export interface RegisterModelArguments {
  readonly ModelPackageGroupName: PipelineString;
  readonly ModelApprovalStatus?: PipelineEnum<'Approved' | 'Rejected' | 'PendingManualApproval'>;
  readonly InferenceSpecification: {
    readonly Containers: readonly ModelPackageContainerDefinition[];
    readonly SupportedContentTypes?: readonly string[];
    readonly SupportedResponseMIMETypes?: readonly string[];
    readonly SupportedRealtimeInferenceInstanceTypes?: readonly PipelineString[];
    readonly SupportedTransformInstanceTypes?: readonly PipelineString[];
  };
  readonly ModelMetrics?: {
    readonly ModelQuality?: { readonly Statistics?: MetricsSource; readonly Constraints?: MetricsSource };
    readonly ModelDataQuality?: { readonly Statistics?: MetricsSource; readonly Constraints?: MetricsSource };
  };
  readonly CustomerMetadataProperties?: StringMap;
  readonly Domain?: string;
  readonly Task?: string;
  readonly Tags?: readonly Tag[];
}

// ---------------------------------------------------------------- Transform

/** Arguments of a Transform step: `CreateTransformJob` without `TransformJobName`. */
export interface TransformJobArguments {
  readonly ModelName: PipelineString;
  readonly TransformInput: {
    readonly DataSource: {
      readonly S3DataSource: {
        readonly S3DataType: PipelineEnum<'S3Prefix' | 'ManifestFile' | 'AugmentedManifestFile'>;
        readonly S3Uri: PipelineString;
      };
    };
    readonly ContentType?: PipelineString;
    readonly CompressionType?: PipelineEnum<'None' | 'Gzip'>;
    readonly SplitType?: PipelineEnum<'None' | 'Line' | 'RecordIO' | 'TFRecord'>;
  };
  readonly TransformOutput: {
    readonly S3OutputPath: PipelineString;
    readonly Accept?: PipelineString;
    readonly AssembleWith?: PipelineEnum<'None' | 'Line'>;
    readonly KmsKeyId?: PipelineString;
  };
  readonly TransformResources: {
    readonly InstanceType: PipelineString;
    readonly InstanceCount: PipelineNumber;
    readonly VolumeKmsKeyId?: PipelineString;
  };
  readonly BatchStrategy?: PipelineEnum<'MultiRecord' | 'SingleRecord'>;
  readonly MaxConcurrentTransforms?: PipelineNumber;
  readonly MaxPayloadInMB?: PipelineNumber;
  readonly Environment?: StringMap;
  readonly DataProcessing?: {
    readonly InputFilter?: string;
    readonly OutputFilter?: string;
    readonly JoinSource?: 'Input' | 'None';
  };
  readonly Tags?: readonly Tag[];
}
