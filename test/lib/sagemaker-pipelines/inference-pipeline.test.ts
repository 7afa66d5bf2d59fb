import { inferencePipelineDefinition, validatePipelineDefinition } from '../../../lib/sagemaker-pipelines';
import { INFERENCE_PROPS, ROLE_ARN, XGBOOST_IMAGE } from './fixtures';

const TRANSFORM_ARGUMENTS = {
  ModelName: { Get: 'Steps.CreateModel.ModelName' },
  TransformInput: {
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: { Get: 'Parameters.BatchInputUri' } } },
    ContentType: 'text/csv',
    CompressionType: 'None',
    SplitType: 'Line',
  },
  TransformOutput: {
    S3OutputPath: {
      'Std:Join': {
        On: '/',
        Values: ['s3:/', 'mlops-artifacts', 'batch-predictions', { Get: 'Execution.PipelineExecutionId' }],
      },
    },
    Accept: 'text/csv',
    AssembleWith: 'Line',
  },
  TransformResources: { InstanceType: { Get: 'Parameters.TransformInstanceType' }, InstanceCount: 1 },
  BatchStrategy: 'MultiRecord',
  MaxPayloadInMB: 6,
};

describe('inferencePipelineDefinition', () => {
  test('model-package mode: CreateModel from the ModelPackageArn parameter, then BatchTransform', () => {
    const definition = inferencePipelineDefinition(INFERENCE_PROPS);
    expect(definition).toEqual({
      Version: '2020-12-01',
      Metadata: {},
      Parameters: [
        { Name: 'ModelPackageArn', Type: 'String' },
        { Name: 'BatchInputUri', Type: 'String', DefaultValue: 's3://mlops-raw/batch/' },
        { Name: 'TransformInstanceType', Type: 'String', DefaultValue: 'ml.m5.xlarge' },
      ],
      Steps: [
        {
          Name: 'CreateModel',
          Type: 'Model',
          Arguments: { ExecutionRoleArn: ROLE_ARN, PrimaryContainer: { ModelPackageName: { Get: 'Parameters.ModelPackageArn' } } },
          RetryPolicies: [
            { ExceptionType: ['Step.SERVICE_FAULT', 'Step.THROTTLING'], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 3 },
          ],
        },
        {
          Name: 'BatchTransform',
          Type: 'Transform',
          Arguments: TRANSFORM_ARGUMENTS,
          RetryPolicies: [
            { ExceptionType: ['Step.SERVICE_FAULT', 'Step.THROTTLING'], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 3 },
            {
              ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.CAPACITY_ERROR'],
              IntervalSeconds: 60,
              BackoffRate: 2,
              MaxAttempts: 3,
            },
          ],
        },
      ],
    });
    expect(validatePipelineDefinition(definition)).toEqual([]);
  });

  test('a default model package ARN becomes the parameter default', () => {
    const arn = 'arn:aws:sagemaker:eu-west-1:111122223333:model-package/house-prices/3';
    const definition = inferencePipelineDefinition({
      ...INFERENCE_PROPS,
      modelSource: { kind: 'modelPackage', defaultModelPackageArn: arn },
    });
    expect(definition.Parameters[0]).toEqual({ Name: 'ModelPackageArn', Type: 'String', DefaultValue: arn });
  });

  test('model-data mode: image, ModelDataUrl parameter and the inference script environment', () => {
    const definition = inferencePipelineDefinition({
      ...INFERENCE_PROPS,
      predictionsPrefix: '/scores/daily/',
      transformInstanceType: 'ml.c5.xlarge',
      transformInstanceCount: 2,
      maxPayloadInMb: 20,
      kmsKeyId: 'alias/mlops',
      vpc: { subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] },
      cacheConfig: { enabled: true, expireAfter: 'PT1H' },
      modelSource: {
        kind: 'modelData',
        imageUri: XGBOOST_IMAGE,
        region: 'eu-west-1',
        defaultModelDataUrl: 's3://mlops-artifacts/training/tuning/job-1/output/model.tar.gz',
      },
    });
    expect(definition.Parameters.map((p) => [p.Name, p.DefaultValue])).toEqual([
      ['ModelDataUrl', 's3://mlops-artifacts/training/tuning/job-1/output/model.tar.gz'],
      ['BatchInputUri', 's3://mlops-raw/batch/'],
      ['TransformInstanceType', 'ml.c5.xlarge'],
    ]);
    expect(definition.Steps[0].Arguments).toEqual({
      ExecutionRoleArn: ROLE_ARN,
      PrimaryContainer: {
        Image: XGBOOST_IMAGE,
        ModelDataUrl: { Get: 'Parameters.ModelDataUrl' },
        Environment: {
          SAGEMAKER_PROGRAM: 'inference.py',
          SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
          SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: 'text/csv',
          SAGEMAKER_REGION: 'eu-west-1',
        },
      },
      VpcConfig: { SecurityGroupIds: ['sg-1'], Subnets: ['subnet-1'] },
    });
    expect(definition.Steps[1].Arguments).toEqual({
      ...TRANSFORM_ARGUMENTS,
      TransformOutput: {
        ...TRANSFORM_ARGUMENTS.TransformOutput,
        S3OutputPath: {
          'Std:Join': { On: '/', Values: ['s3:/', 'mlops-artifacts', 'scores/daily', { Get: 'Execution.PipelineExecutionId' }] },
        },
        KmsKeyId: 'alias/mlops',
      },
      TransformResources: { InstanceType: { Get: 'Parameters.TransformInstanceType' }, InstanceCount: 2, VolumeKmsKeyId: 'alias/mlops' },
      MaxPayloadInMB: 20,
    });
    expect(definition.Steps[1].CacheConfig).toEqual({ Enabled: true, ExpireAfter: 'PT1H' });
    expect(validatePipelineDefinition(definition)).toEqual([]);
  });

  test('invalid props are reported together; tokens are not checked', () => {
    expect(() =>
      inferencePipelineDefinition({
        ...INFERENCE_PROPS,
        defaultBatchInputUri: 'batch/',
        transformInstanceCount: 0,
        transformInstanceType: 'large',
        modelSource: { kind: 'modelPackage', defaultModelPackageArn: 'house-prices/3' },
      }),
    ).toThrow(
      [
        'Invalid inference pipeline props:',
        "  - defaultBatchInputUri must be an S3 URI like s3://bucket/key, got 'batch/'.",
        '  - transformInstanceCount must be an integer from 1 to 100, got 0.',
        "  - transformInstanceType must look like 'ml.m5.xlarge', got 'large'.",
        '  - modelSource.defaultModelPackageArn must be a model package version ARN ' +
          "(arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>), got 'house-prices/3'.",
      ].join('\n'),
    );
    expect(() =>
      inferencePipelineDefinition({
        roleArn: '${Token[TOKEN.1]}',
        artifactBucketName: '${Token[TOKEN.2]}',
        defaultBatchInputUri: 's3://${Token[TOKEN.2]}/batch/',
        modelSource: { kind: 'modelPackage', defaultModelPackageArn: '${Token[TOKEN.3]}' },
      }),
    ).not.toThrow();
  });
});
