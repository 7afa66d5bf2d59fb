import type { ContainerDefinition } from './arguments';
import type { PipelineDefinition } from './definition';
import { ExecutionVariables, Expressions } from './expressions';
import { INSTANCE_TYPE_PATTERN } from './instance-types';
import { INFERENCE_PIPELINE_PARAMETERS, INFERENCE_PIPELINE_STEPS } from './names';
import { ParameterString, type AnyParameter } from './parameters';
import { buildPipelineDefinition } from './pipeline';
import { normalizePrefix, PropsErrors } from './private/props-validation';
import { servingEnvironment } from './serving';
import { ModelStep, RetryExceptionType, TransformStep, type CacheConfig, type RetryPolicy } from './steps';
import { isUnresolved } from './tokens';
import type { JobVpcProps } from './training';

/** Deploy an approved model package version (ModelPackageArn parameter). */
export interface ModelPackageSource {
  readonly kind: 'modelPackage';
  /**
   * Default of the ModelPackageArn parameter.
   *
   * @default - none: every execution passes ModelPackageArn
   */
  readonly defaultModelPackageArn?: string;
}

/** Deploy a model.tar.gz (ModelDataUrl parameter) with the XGBoost image and the inference script. */
export interface ModelDataSource {
  readonly kind: 'modelData';
  /** sagemaker-xgboost:1.7-1 image URI in the pipeline's region. */
  readonly imageUri: string;
  /**
   * The region the serving container runs in (`SAGEMAKER_REGION`).
   *
   * @default - the container's own default
   */
  readonly region?: string;
  /**
   * Default of the ModelDataUrl parameter.
   *
   * @default - none: every execution passes ModelDataUrl
   */
  readonly defaultModelDataUrl?: string;
}

/** Where the inference pipeline's model comes from. */
export type InferenceModelSource = ModelPackageSource | ModelDataSource;

/** Inputs of the inference (batch transform) pipeline definition. Strings may be CDK tokens. */
export interface InferencePipelineProps {
  /** ARN of the role the model and transform job run as. */
  readonly roleArn: string;
  /** Name of the bucket that receives the predictions. */
  readonly artifactBucketName: string;
  /**
   * Key prefix of the predictions; each execution writes `<prefix>/<execution id>/<input file>.out`.
   *
   * @default 'batch-predictions'
   */
  readonly predictionsPrefix?: string;
  /**
   * Model source.
   *
   * @default - { kind: 'modelPackage' }
   */
  readonly modelSource?: InferenceModelSource;
  /**
   * Default of the BatchInputUri parameter: an S3 prefix of headerless feature CSV files.
   *
   * @default - none: every execution passes BatchInputUri
   */
  readonly defaultBatchInputUri?: string;
  /**
   * Default of the TransformInstanceType parameter.
   *
   * @default 'ml.m5.xlarge'
   */
  readonly transformInstanceType?: string;
  /**
   * Transform instances.
   *
   * @default 1
   */
  readonly transformInstanceCount?: number;
  /**
   * Maximum request payload, in MB (records are batched per request).
   *
   * @default 6
   */
  readonly maxPayloadInMb?: number;
  /**
   * Run the model in a VPC.
   *
   * @default - no VPC
   */
  readonly vpc?: JobVpcProps;
  /**
   * KMS key (ID or ARN) for the transform volume and output.
   *
   * @default - the bucket's default encryption
   */
  readonly kmsKeyId?: string;
  /**
   * Step caching of BatchTransform.
   *
   * @default - not cached
   */
  readonly cacheConfig?: CacheConfig;
  /**
   * Retry policies of BatchTransform; CreateModel gets the `Step.*` part of them.
   *
   * @default - transient faults, throttling and capacity errors, 3 attempts
   */
  readonly retryPolicies?: readonly RetryPolicy[];
}

const DEFAULT_TRANSFORM_RETRY_POLICIES: readonly RetryPolicy[] = [
  {
    exceptionTypes: [RetryExceptionType.SERVICE_FAULT, RetryExceptionType.THROTTLING],
    intervalSeconds: 5,
    backoffRate: 2,
    maxAttempts: 3,
  },
  {
    exceptionTypes: [RetryExceptionType.JOB_INTERNAL_ERROR, RetryExceptionType.CAPACITY_ERROR],
    intervalSeconds: 60,
    backoffRate: 2,
    maxAttempts: 3,
  },
];

/**
 * The inference pipeline: CreateModel (from a model package, or from model data) → BatchTransform (CSV, one
 * record per line) writing predictions under `s3://<bucket>/<predictionsPrefix>/<execution id>/`.
 *
 * Throws one error listing every invalid prop (unresolved tokens are not checked).
 */
export function inferencePipelineDefinition(props: InferencePipelineProps): PipelineDefinition {
  const source: InferenceModelSource = props.modelSource ?? { kind: 'modelPackage' };
  const errors = new PropsErrors('inference pipeline props');
  errors.nonEmpty('roleArn', props.roleArn);
  errors.nonEmpty('artifactBucketName', props.artifactBucketName);
  errors.s3Uri('defaultBatchInputUri', props.defaultBatchInputUri);
  errors.integer('transformInstanceCount', props.transformInstanceCount, 1, 100);
  errors.integer('maxPayloadInMb', props.maxPayloadInMb, 0, 100);
  if (props.transformInstanceType !== undefined && !isUnresolved(props.transformInstanceType)) {
    errors.check(
      INSTANCE_TYPE_PATTERN.test(props.transformInstanceType),
      `transformInstanceType must look like 'ml.m5.xlarge', got '${props.transformInstanceType}'.`,
    );
  }
  if (source.kind === 'modelData') {
    errors.nonEmpty('modelSource.imageUri', source.imageUri);
    errors.s3Uri('modelSource.defaultModelDataUrl', source.defaultModelDataUrl);
  } else if (source.kind === 'modelPackage') {
    const arn = source.defaultModelPackageArn;
    if (arn !== undefined && !isUnresolved(arn)) {
      errors.check(
        /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/.+$/.test(arn),
        `modelSource.defaultModelPackageArn must be a model package version ARN ` +
          `(arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>), got '${arn}'.`,
      );
    }
  } else {
    errors.add(`modelSource.kind must be 'modelPackage' or 'modelData', got '${(source as { kind: string }).kind}'.`);
  }
  if (props.vpc) {
    errors.check(props.vpc.subnetIds.length > 0, 'vpc.subnetIds must list at least one subnet.');
    errors.check(props.vpc.securityGroupIds.length > 0, 'vpc.securityGroupIds must list at least one security group.');
  }
  errors.throwIfAny();

  const batchInputUri = new ParameterString(INFERENCE_PIPELINE_PARAMETERS.batchInputUri, {
    defaultValue: props.defaultBatchInputUri,
  });
  const instanceType = new ParameterString(INFERENCE_PIPELINE_PARAMETERS.transformInstanceType, {
    defaultValue: props.transformInstanceType ?? 'ml.m5.xlarge',
  });
  let modelParameter: ParameterString;
  let container: ContainerDefinition;
  if (source.kind === 'modelData') {
    modelParameter = new ParameterString(INFERENCE_PIPELINE_PARAMETERS.modelDataUrl, {
      defaultValue: source.defaultModelDataUrl,
    });
    container = {
      Image: source.imageUri,
      ModelDataUrl: modelParameter.ref,
      Environment: servingEnvironment(source.region),
    };
  } else {
    modelParameter = new ParameterString(INFERENCE_PIPELINE_PARAMETERS.modelPackageArn, {
      defaultValue: source.defaultModelPackageArn,
    });
    container = { ModelPackageName: modelParameter.ref };
  }

  const retryPolicies = props.retryPolicies ?? DEFAULT_TRANSFORM_RETRY_POLICIES;
  const model = new ModelStep(INFERENCE_PIPELINE_STEPS.createModel, {
    retryPolicies: retryPolicies
      .map((p) => ({ ...p, exceptionTypes: p.exceptionTypes.filter((t) => t.startsWith('Step.')) }))
      .filter((p) => p.exceptionTypes.length > 0),
    arguments: {
      ExecutionRoleArn: props.roleArn,
      PrimaryContainer: container,
      VpcConfig: props.vpc
        ? { SecurityGroupIds: [...props.vpc.securityGroupIds], Subnets: [...props.vpc.subnetIds] }
        : undefined,
    },
  });

  const prefix = normalizePrefix(props.predictionsPrefix ?? 'batch-predictions');
  const transform = new TransformStep(INFERENCE_PIPELINE_STEPS.batchTransform, {
    cacheConfig: props.cacheConfig,
    retryPolicies,
    arguments: {
      ModelName: model.modelName(),
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: batchInputUri.ref } },
        ContentType: 'text/csv',
        CompressionType: 'None',
        SplitType: 'Line',
      },
      TransformOutput: {
        S3OutputPath: Expressions.s3Uri(
          props.artifactBucketName,
          ...(prefix === '' ? [] : [prefix]),
          ExecutionVariables.PipelineExecutionId,
        ),
        Accept: 'text/csv',
        AssembleWith: 'Line',
        KmsKeyId: props.kmsKeyId,
      },
      TransformResources: {
        InstanceType: instanceType.ref,
        InstanceCount: props.transformInstanceCount ?? 1,
        VolumeKmsKeyId: props.kmsKeyId,
      },
      BatchStrategy: 'MultiRecord',
      MaxPayloadInMB: props.maxPayloadInMb ?? 6,
    },
  });

  const parameters: AnyParameter[] = [modelParameter, batchInputUri, instanceType];
  return buildPipelineDefinition({ parameters, steps: [model, transform] });
}
