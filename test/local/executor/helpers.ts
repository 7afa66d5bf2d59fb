import * as fs from 'fs';
import * as path from 'path';
import { createTarGz } from '../../../lib/util/tar';
import type { PipelineDefinitionJson, StepJson } from '../../../local/executor';
import { LocalModelRegistry } from '../../../local/registry';
import { LocalS3 } from '../../../local/s3';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

export { removeTemporaryFolders, temporaryFolder };

export const REPO = path.resolve(__dirname, '../../..');
export const PYTHON = path.join(REPO, '.venv', 'bin', 'python');
export const FIXTURES = path.join(__dirname, 'fixtures');
export const BUCKET = 'fixture-bucket';

export interface Workspace {
  readonly root: string;
  readonly workDir: string;
  readonly s3: LocalS3;
  readonly registry: LocalModelRegistry;
}

/** A throwaway workspace (never the repo's .local) with the fixture scripts uploaded to local S3. */
export function newWorkspace(): Workspace {
  const root = temporaryFolder('executor-');
  const workDir = path.join(root, 'work');
  const s3 = new LocalS3({ root: path.join(root, 's3') });
  const registry = new LocalModelRegistry({ root: path.join(workDir, 'registry') });
  for (const script of ['transform_text.py', 'crash.py', 'flaky.py', 'evaluate_model.py', 'sleep.py', 'spawn_sleeper.py']) {
    s3.putFile(`s3://${BUCKET}/code/${script}`, path.join(FIXTURES, script));
  }
  s3.putObject(
    `s3://${BUCKET}/code/sourcedir.tar.gz`,
    createTarGz([{ name: 'train_quadratic.py', data: fs.readFileSync(path.join(FIXTURES, 'train_quadratic.py')) }]),
  );
  s3.putObject(`s3://${BUCKET}/data/input/a.txt`, 'hello\nworld\n');
  s3.putObject(`s3://${BUCKET}/data/input/nested/b.txt`, 'second file\n');
  return { root, workDir, s3, registry };
}

export function processingStep(props: {
  name: string;
  script: string;
  args?: unknown[];
  inputs?: { name: string; uri: unknown; localPath: string }[];
  outputs?: { name: string; uri: unknown; localPath: string }[];
  env?: Record<string, unknown>;
  extra?: Partial<StepJson>;
}): StepJson {
  return {
    Name: props.name,
    Type: 'Processing',
    Arguments: {
      ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 } },
      AppSpecification: {
        ImageUri: '000000000000.dkr.ecr.local.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
        ContainerEntrypoint: ['python3', `/opt/ml/processing/input/code/${props.script}`],
        ...(props.args ? { ContainerArguments: props.args } : {}),
      },
      RoleArn: 'arn:aws:iam::000000000000:role/local',
      ProcessingInputs: [
        ...(props.inputs ?? []).map((i) => ({
          InputName: i.name,
          AppManaged: false,
          S3Input: {
            S3Uri: i.uri,
            LocalPath: i.localPath,
            S3DataType: 'S3Prefix',
            S3InputMode: 'File',
            S3DataDistributionType: 'FullyReplicated',
            S3CompressionType: 'None',
          },
        })),
        {
          InputName: 'code',
          AppManaged: false,
          S3Input: {
            S3Uri: `s3://${BUCKET}/code/${props.script}`,
            LocalPath: '/opt/ml/processing/input/code',
            S3DataType: 'S3Prefix',
            S3InputMode: 'File',
            S3DataDistributionType: 'FullyReplicated',
            S3CompressionType: 'None',
          },
        },
      ],
      ProcessingOutputConfig: {
        Outputs: (props.outputs ?? []).map((o) => ({
          OutputName: o.name,
          AppManaged: false,
          S3Output: { S3Uri: o.uri, LocalPath: o.localPath, S3UploadMode: 'EndOfJob' },
        })),
      },
      ...(props.env ? { Environment: props.env } : {}),
    },
    ...(props.extra ?? {}),
  } as StepJson;
}

export const METRIC_DEFINITIONS = [
  { Name: 'train:rmse', Regex: 'train-rmse:([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)' },
  { Name: 'validation:rmse', Regex: 'validation-rmse:([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)' },
];

export function trainingDefinitionArgs(staticHps: Record<string, string>): Record<string, unknown> {
  return {
    AlgorithmSpecification: {
      TrainingImage: '000000000000.dkr.ecr.local.amazonaws.com/sagemaker-xgboost:1.7-1',
      TrainingInputMode: 'File',
      MetricDefinitions: METRIC_DEFINITIONS,
    },
    RoleArn: 'arn:aws:iam::000000000000:role/local',
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models` },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
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
    StaticHyperParameters: {
      sagemaker_program: '"train_quadratic.py"',
      sagemaker_submit_directory: `"s3://${BUCKET}/code/sourcedir.tar.gz"`,
      ...staticHps,
    },
  };
}

/** A small training pipeline in the shape of the real one: Prep → Tune → Evaluate → Check → Register | Fail. */
export function fixturePipeline(options: { strategy?: string; trials?: number; cache?: boolean } = {}): PipelineDefinitionJson {
  const cache = options.cache ? { CacheConfig: { Enabled: true, ExpireAfter: 'P1D' } } : {};
  const bestModel = {
    'Std:Join': {
      On: '/',
      Values: ['s3:/', BUCKET, 'models', { Get: 'Steps.Tune.TrainingJobSummaries[0].TrainingJobName' }, 'output/model.tar.gz'],
    },
  };
  const evalPrefix = { 'Std:Join': { On: '/', Values: [`s3://${BUCKET}/eval`, { Get: 'Execution.PipelineExecutionId' }] } };
  return {
    Version: '2020-12-01',
    Metadata: {},
    Parameters: [
      { Name: 'InputUri', Type: 'String', DefaultValue: `s3://${BUCKET}/data/input` },
      { Name: 'Threshold', Type: 'Float', DefaultValue: 1.0 },
      { Name: 'ApprovalStatus', Type: 'String', DefaultValue: 'PendingManualApproval' },
    ],
    Steps: [
      processingStep({
        name: 'Prep',
        script: 'transform_text.py',
        args: [
          '--input-dir',
          '/opt/ml/processing/input/data',
          '--output-dir',
          '/opt/ml/processing/train',
          '--report-dir',
          '/opt/ml/processing/report',
          '--score',
          '0.25',
        ],
        inputs: [{ name: 'data', uri: { Get: 'Parameters.InputUri' }, localPath: '/opt/ml/processing/input/data' }],
        outputs: [
          { name: 'train', uri: `s3://${BUCKET}/prep/train`, localPath: '/opt/ml/processing/train' },
          { name: 'report', uri: `s3://${BUCKET}/prep/report`, localPath: '/opt/ml/processing/report' },
        ],
        env: { FIXTURE_ENV: '/opt/ml/processing/report' },
        extra: { PropertyFiles: [{ PropertyFileName: 'PrepReport', OutputName: 'report', FilePath: 'report.json' }], ...cache },
      }),
      {
        Name: 'Tune',
        Type: 'Tuning',
        Arguments: {
          HyperParameterTuningJobConfig: {
            Strategy: options.strategy ?? 'Random',
            ResourceLimits: { MaxNumberOfTrainingJobs: options.trials ?? 3, MaxParallelTrainingJobs: 2 },
            TrainingJobEarlyStoppingType: 'Off',
            HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'validation:rmse' },
            ParameterRanges: {
              ContinuousParameterRanges: [{ Name: 'x', MinValue: '0', MaxValue: '1', ScalingType: 'Linear' }],
              IntegerParameterRanges: [{ Name: 'depth', MinValue: '1', MaxValue: '8', ScalingType: 'Auto' }],
              CategoricalParameterRanges: [{ Name: 'booster', Values: ['gbtree', 'dart'] }],
            },
          },
          TrainingJobDefinition: trainingDefinitionArgs({ rounds: '3' }),
        },
        ...cache,
      },
      processingStep({
        name: 'Evaluate',
        script: 'evaluate_model.py',
        args: ['--model-dir', '/opt/ml/processing/model', '--output-dir', '/opt/ml/processing/evaluation'],
        inputs: [{ name: 'model', uri: bestModel, localPath: '/opt/ml/processing/model' }],
        outputs: [{ name: 'evaluation', uri: evalPrefix, localPath: '/opt/ml/processing/evaluation' }],
        extra: { PropertyFiles: [{ PropertyFileName: 'EvaluationReport', OutputName: 'evaluation', FilePath: 'evaluation.json' }] },
      }),
      {
        Name: 'Check',
        Type: 'Condition',
        Arguments: {
          Conditions: [
            {
              Type: 'LessThanOrEqualTo',
              LeftValue: {
                'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: 'regression_metrics.rmse.value' },
              },
              RightValue: { Get: 'Parameters.Threshold' },
            },
          ],
          IfSteps: [
            {
              Name: 'Register',
              Type: 'RegisterModel',
              Arguments: {
                ModelPackageGroupName: 'fixture-models',
                ModelApprovalStatus: { Get: 'Parameters.ApprovalStatus' },
                ModelMetrics: {
                  ModelQuality: {
                    Statistics: {
                      ContentType: 'application/json',
                      S3Uri: { 'Std:Join': { On: '/', Values: [evalPrefix, 'evaluation.json'] } },
                    },
                  },
                },
                InferenceSpecification: {
                  Containers: [
                    {
                      Image: '000000000000.dkr.ecr.local.amazonaws.com/sagemaker-xgboost:1.7-1',
                      ModelDataUrl: bestModel,
                      Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: `s3://${BUCKET}/code/sourcedir.tar.gz` },
                    },
                  ],
                  SupportedContentTypes: ['text/csv'],
                  SupportedResponseMIMETypes: ['text/csv'],
                },
              },
            },
          ],
          ElseSteps: [
            {
              Name: 'QualityGateFailed',
              Type: 'Fail',
              Arguments: {
                ErrorMessage: {
                  'Std:Join': {
                    On: ' ',
                    Values: [
                      'rmse',
                      { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: 'regression_metrics.rmse.value' } },
                      'is above the threshold',
                      { Get: 'Parameters.Threshold' },
                    ],
                  },
                },
              },
            },
          ],
        },
      },
    ],
  };
}
