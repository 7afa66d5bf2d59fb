/** Hand-written definitions and props shared by the pipeline-definition tests. */
import * as path from 'path';
import type { InferencePipelineProps, TrainingPipelineProps } from '../../../lib/sagemaker-pipelines';

/** The project's Python virtualenv, which holds botocore's service models. */
export const VENV_DIR = path.join(__dirname, '..', '..', '..', '.venv');

export const ROLE_ARN = 'arn:aws:iam::111122223333:role/PipelineExecution';
export const SKLEARN_IMAGE = '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
export const XGBOOST_IMAGE = '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1';

/** Training pipeline props with every required member. */
export const TRAINING_PROPS: TrainingPipelineProps = {
  problemType: 'regression',
  labelColumn: 'target',
  roleArn: ROLE_ARN,
  artifactBucketName: 'mlops-artifacts',
  artifactPrefix: 'training',
  imageUris: { sklearn: SKLEARN_IMAGE, xgboost: XGBOOST_IMAGE },
  scriptUris: {
    preprocess: 's3://mlops-artifacts/code/preprocess.py',
    evaluate: 's3://mlops-artifacts/code/evaluate.py',
    baseline: 's3://mlops-artifacts/code/baseline.py',
    baselineStatistics: 's3://mlops-artifacts/code/baseline_statistics.py',
    sourceDir: 's3://mlops-artifacts/code/sourcedir.tar.gz',
  },
  modelPackageGroupName: 'house-prices',
  defaultInputDataUri: 's3://mlops-processed/curated/house-prices/',
};

/** Inference pipeline props with every required member. */
export const INFERENCE_PROPS: InferencePipelineProps = {
  roleArn: ROLE_ARN,
  artifactBucketName: 'mlops-artifacts',
  defaultBatchInputUri: 's3://mlops-raw/batch/',
};

export const s3Input = (name: string, uri: unknown, localPath: string) => ({
  InputName: name,
  AppManaged: false,
  S3Input: {
    S3Uri: uri,
    LocalPath: localPath,
    S3DataType: 'S3Prefix',
    S3InputMode: 'File',
    S3DataDistributionType: 'FullyReplicated',
    S3CompressionType: 'None',
  },
});

const s3Output = (name: string) => ({
  OutputName: name,
  AppManaged: false,
  S3Output: { S3Uri: `s3://bucket/run/${name}`, LocalPath: `/opt/ml/processing/${name}`, S3UploadMode: 'EndOfJob' },
});

/**
 * A small valid definition: Prep → Train → Eval → Check (Register | Stop). Returns a fresh copy each call so
 * tests can break it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function validDefinition(): any {
  return {
    Version: '2020-12-01',
    Metadata: {},
    Parameters: [
      { Name: 'InputData', Type: 'String', DefaultValue: 's3://bucket/data.csv' },
      { Name: 'Threshold', Type: 'Float', DefaultValue: 6.0 },
      { Name: 'InstanceCount', Type: 'Integer', DefaultValue: 1 },
      { Name: 'Approval', Type: 'String', DefaultValue: 'PendingManualApproval' },
    ],
    Steps: [
      {
        Name: 'Prep',
        Type: 'Processing',
        Arguments: {
          ProcessingResources: {
            ClusterConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: { Get: 'Parameters.InstanceCount' }, VolumeSizeInGB: 30 },
          },
          AppSpecification: { ImageUri: SKLEARN_IMAGE, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/prep.py'] },
          RoleArn: ROLE_ARN,
          ProcessingInputs: [s3Input('input', { Get: 'Parameters.InputData' }, '/opt/ml/processing/input')],
          ProcessingOutputConfig: { Outputs: [s3Output('train'), s3Output('test')] },
        },
      },
      {
        Name: 'Train',
        Type: 'Training',
        Arguments: {
          AlgorithmSpecification: { TrainingImage: XGBOOST_IMAGE, TrainingInputMode: 'File' },
          OutputDataConfig: { S3OutputPath: 's3://bucket/models' },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 },
          ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 },
          RoleArn: ROLE_ARN,
          InputDataConfig: [
            {
              ChannelName: 'train',
              ContentType: 'text/csv',
              DataSource: {
                S3DataSource: {
                  S3DataType: 'S3Prefix',
                  S3Uri: { Get: "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" },
                  S3DataDistributionType: 'FullyReplicated',
                },
              },
            },
          ],
          HyperParameters: { num_round: '50' },
        },
        RetryPolicies: [
          { ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR'], IntervalSeconds: 30, BackoffRate: 2.0, MaxAttempts: 2 },
        ],
        CacheConfig: { Enabled: true, ExpireAfter: 'PT12H' },
      },
      {
        Name: 'Eval',
        Type: 'Processing',
        Arguments: {
          ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 } },
          AppSpecification: { ImageUri: XGBOOST_IMAGE, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/eval.py'] },
          RoleArn: ROLE_ARN,
          ProcessingInputs: [
            s3Input('model', { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' }, '/opt/ml/processing/model'),
            s3Input('test', { Get: "Steps.Prep.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri" }, '/opt/ml/processing/test'),
          ],
          ProcessingOutputConfig: { Outputs: [s3Output('evaluation')] },
        },
        PropertyFiles: [{ PropertyFileName: 'Report', OutputName: 'evaluation', FilePath: 'evaluation.json' }],
      },
      {
        Name: 'Check',
        Type: 'Condition',
        Arguments: {
          Conditions: [
            {
              Type: 'LessThanOrEqualTo',
              LeftValue: {
                'Std:JsonGet': { PropertyFile: { Get: 'Steps.Eval.PropertyFiles.Report' }, Path: 'regression_metrics.mse.value' },
              },
              RightValue: { Get: 'Parameters.Threshold' },
            },
          ],
          IfSteps: [
            {
              Name: 'Register',
              Type: 'RegisterModel',
              Arguments: {
                ModelPackageGroupName: 'group',
                ModelApprovalStatus: { Get: 'Parameters.Approval' },
                InferenceSpecification: {
                  Containers: [{ Image: XGBOOST_IMAGE, ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' } }],
                  SupportedContentTypes: ['text/csv'],
                  SupportedResponseMIMETypes: ['text/csv'],
                },
              },
            },
          ],
          ElseSteps: [
            {
              Name: 'Stop',
              Type: 'Fail',
              Arguments: {
                ErrorMessage: {
                  'Std:Join': { On: ' ', Values: ['MSE above', { Get: 'Parameters.Threshold' }, 'in', { Get: 'Execution.PipelineExecutionId' }] },
                },
              },
            },
          ],
        },
      },
    ],
  };
}
