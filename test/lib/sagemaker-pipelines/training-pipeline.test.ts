import {
  TRAINING_PIPELINE_STEPS,
  trainingPipelineDefinition,
  validatePipelineDefinition,
  type StepDefinition,
} from '../../../lib/sagemaker-pipelines';
import { ROLE_ARN, s3Input, SKLEARN_IMAGE, TRAINING_PROPS, XGBOOST_IMAGE } from './fixtures';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function stepsByName(steps: readonly StepDefinition[]): Map<string, Json> {
  const map = new Map<string, Json>();
  for (const s of steps) {
    map.set(s.Name, s);
    if (s.Type === 'Condition') {
      for (const nested of [...(s.Arguments.IfSteps as Json[]), ...(s.Arguments.ElseSteps as Json[])]) {
        map.set(nested.Name, nested);
      }
    }
  }
  return map;
}

const executionScoped = (...parts: string[]) => ({
  'Std:Join': {
    On: '/',
    Values: ['s3:/', 'mlops-artifacts', 'training', { Get: 'Execution.PipelineExecutionId' }, ...parts],
  },
});

const DEFAULT_RETRIES = [
  { ExceptionType: ['Step.SERVICE_FAULT', 'Step.THROTTLING'], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 3 },
  {
    ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.CAPACITY_ERROR', 'SageMaker.RESOURCE_LIMIT'],
    IntervalSeconds: 60,
    BackoffRate: 2,
    MaxAttempts: 3,
  },
];

const BEST_MODEL = {
  'Std:Join': {
    On: '/',
    Values: [
      's3:/',
      'mlops-artifacts',
      'training/tuning',
      { Get: 'Steps.Tune.TrainingJobSummaries[0].TrainingJobName' },
      'output/model.tar.gz',
    ],
  },
};

describe('trainingPipelineDefinition', () => {
  const definition = trainingPipelineDefinition(TRAINING_PROPS);
  const steps = stepsByName(definition.Steps);

  test('has the contract step names, in order, with Register / QualityGateFailed as the branches', () => {
    expect(definition.Steps.map((s) => [s.Name, s.Type])).toEqual([
      ['Preprocess', 'Processing'],
      ['Baseline', 'Processing'],
      ['Tune', 'Tuning'],
      ['Evaluate', 'Processing'],
      ['CheckQuality', 'Condition'],
    ]);
    const check = steps.get('CheckQuality');
    expect(check.Arguments.IfSteps.map((s: Json) => [s.Name, s.Type])).toEqual([['Register', 'RegisterModel']]);
    expect(check.Arguments.ElseSteps.map((s: Json) => [s.Name, s.Type])).toEqual([['QualityGateFailed', 'Fail']]);
    expect(Object.values(TRAINING_PIPELINE_STEPS).sort()).toEqual([...steps.keys()].sort());
  });

  test('declares the parameters with their defaults', () => {
    expect(definition.Parameters).toEqual([
      { Name: 'InputDataUri', Type: 'String', DefaultValue: 's3://mlops-processed/curated/house-prices/' },
      { Name: 'ModelApprovalStatus', Type: 'String', DefaultValue: 'PendingManualApproval' },
      { Name: 'QualityThreshold', Type: 'Float', DefaultValue: 0.5 },
      { Name: 'ProcessingInstanceType', Type: 'String', DefaultValue: 'ml.m5.xlarge' },
      { Name: 'TrainingInstanceType', Type: 'String', DefaultValue: 'ml.m5.xlarge' },
    ]);
  });

  test('Preprocess runs preprocess.py on the input data and writes execution-scoped splits', () => {
    expect(steps.get('Preprocess')).toEqual({
      Name: 'Preprocess',
      Type: 'Processing',
      Arguments: {
        ProcessingResources: {
          ClusterConfig: { InstanceType: { Get: 'Parameters.ProcessingInstanceType' }, InstanceCount: 1, VolumeSizeInGB: 30 },
        },
        AppSpecification: {
          ImageUri: SKLEARN_IMAGE,
          ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/preprocess.py'],
          ContainerArguments: [
            '--problem-type', 'regression',
            '--label-column', 'target',
            '--input-dir', '/opt/ml/processing/input/data',
            '--train-dir', '/opt/ml/processing/train',
            '--validation-dir', '/opt/ml/processing/validation',
            '--test-dir', '/opt/ml/processing/test',
          ],
        },
        RoleArn: ROLE_ARN,
        ProcessingInputs: [
          s3Input('data', { Get: 'Parameters.InputDataUri' }, '/opt/ml/processing/input/data'),
          s3Input('code', 's3://mlops-artifacts/code/preprocess.py', '/opt/ml/processing/input/code'),
        ],
        ProcessingOutputConfig: {
          Outputs: ['train', 'validation', 'test'].map((name) => ({
            OutputName: name,
            AppManaged: false,
            S3Output: {
              S3Uri: executionScoped('preprocess', name),
              LocalPath: `/opt/ml/processing/${name}`,
              S3UploadMode: 'EndOfJob',
            },
          })),
        },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      },
      RetryPolicies: DEFAULT_RETRIES,
    });
  });

  test('feature columns and split settings become container arguments', () => {
    const def = trainingPipelineDefinition({
      ...TRAINING_PROPS,
      featureColumns: ['sqft', 'rooms', 'age'],
      split: { validationFraction: 0.2, testFraction: 0.1, seed: 7 },
    });
    expect(def.Steps[0].Arguments.AppSpecification).toMatchObject({
      ContainerArguments: [
        '--problem-type', 'regression',
        '--label-column', 'target',
        '--feature-columns', 'sqft,rooms,age',
        '--validation-fraction', '0.2',
        '--test-fraction', '0.1',
        '--seed', '7',
        '--input-dir', '/opt/ml/processing/input/data',
        '--train-dir', '/opt/ml/processing/train',
        '--validation-dir', '/opt/ml/processing/validation',
        '--test-dir', '/opt/ml/processing/test',
      ],
    });
  });

  test('Tune searches the XGBoost space over train.py in script mode', () => {
    const tune = steps.get('Tune');
    expect(tune.Arguments.HyperParameterTuningJobConfig).toEqual({
      Strategy: 'Bayesian',
      HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'validation:rmse' },
      ResourceLimits: { MaxNumberOfTrainingJobs: 6, MaxParallelTrainingJobs: 2 },
      ParameterRanges: {
        ContinuousParameterRanges: [
          { Name: 'eta', MinValue: '0.01', MaxValue: '0.3', ScalingType: 'Logarithmic' },
          { Name: 'min_child_weight', MinValue: '1', MaxValue: '10', ScalingType: 'Auto' },
          { Name: 'subsample', MinValue: '0.5', MaxValue: '1', ScalingType: 'Auto' },
          { Name: 'colsample_bytree', MinValue: '0.5', MaxValue: '1', ScalingType: 'Auto' },
          { Name: 'gamma', MinValue: '0', MaxValue: '5', ScalingType: 'Auto' },
        ],
        IntegerParameterRanges: [{ Name: 'max_depth', MinValue: '3', MaxValue: '10', ScalingType: 'Auto' }],
        CategoricalParameterRanges: [],
      },
      TrainingJobEarlyStoppingType: 'Off',
    });
    const channel = (name: string) => ({
      ChannelName: name,
      ContentType: 'text/csv',
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: { Get: `Steps.Preprocess.ProcessingOutputConfig.Outputs['${name}'].S3Output.S3Uri` },
          S3DataDistributionType: 'FullyReplicated',
        },
      },
    });
    expect(tune.Arguments.TrainingJobDefinition).toEqual({
      StaticHyperParameters: {
        objective: 'reg:squarederror',
        eval_metric: 'rmse',
        num_round: '300',
        early_stopping_rounds: '20',
        sagemaker_program: '"train.py"',
        sagemaker_submit_directory: '"s3://mlops-artifacts/code/sourcedir.tar.gz"',
      },
      AlgorithmSpecification: {
        TrainingImage: XGBOOST_IMAGE,
        TrainingInputMode: 'File',
        MetricDefinitions: [
          { Name: 'train:rmse', Regex: 'train-rmse:([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)' },
          { Name: 'validation:rmse', Regex: 'validation-rmse:([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)' },
        ],
      },
      RoleArn: ROLE_ARN,
      InputDataConfig: [channel('train'), channel('validation')],
      OutputDataConfig: { S3OutputPath: 's3://mlops-artifacts/training/tuning' },
      HyperParameterTuningResourceConfig: {
        InstanceType: { Get: 'Parameters.TrainingInstanceType' },
        InstanceCount: 1,
        VolumeSizeInGB: 30,
      },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    });
    expect(tune.RetryPolicies).toEqual(DEFAULT_RETRIES);
  });

  test('Evaluate scores the best tuning job model on the test split and declares the report', () => {
    const evaluate = steps.get('Evaluate');
    expect(evaluate.Arguments.AppSpecification).toEqual({
      ImageUri: XGBOOST_IMAGE,
      ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/evaluate.py'],
      ContainerArguments: [
        '--problem-type', 'regression',
        '--model-dir', '/opt/ml/processing/model',
        '--test-dir', '/opt/ml/processing/test',
        '--output-dir', '/opt/ml/processing/evaluation',
      ],
    });
    expect(evaluate.Arguments.ProcessingInputs).toEqual([
      s3Input('model', BEST_MODEL, '/opt/ml/processing/model'),
      s3Input('test', { Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri" }, '/opt/ml/processing/test'),
      s3Input('code', 's3://mlops-artifacts/code/evaluate.py', '/opt/ml/processing/input/code'),
    ]);
    expect(evaluate.Arguments.ProcessingOutputConfig).toEqual({
      Outputs: [
        {
          OutputName: 'evaluation',
          AppManaged: false,
          S3Output: { S3Uri: executionScoped('evaluation'), LocalPath: '/opt/ml/processing/evaluation', S3UploadMode: 'EndOfJob' },
        },
      ],
    });
    expect(evaluate.PropertyFiles).toEqual([
      { PropertyFileName: 'EvaluationReport', OutputName: 'evaluation', FilePath: 'evaluation.json' },
    ]);
  });

  test('Baseline describes the training split in Model Monitor\'s formats, next to the execution\'s other outputs', () => {
    const baseline = steps.get('Baseline');
    expect(baseline.Arguments.AppSpecification).toEqual({
      ImageUri: SKLEARN_IMAGE,
      ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/baseline.py'],
      ContainerArguments: ['--train-dir', '/opt/ml/processing/train', '--output-dir', '/opt/ml/processing/baseline'],
    });
    expect(baseline.Arguments.ProcessingInputs).toEqual([
      s3Input('train', { Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" }, '/opt/ml/processing/train'),
      s3Input('code', 's3://mlops-artifacts/code/baseline.py', '/opt/ml/processing/input/code'),
      s3Input('code-lib', 's3://mlops-artifacts/code/baseline_statistics.py', '/opt/ml/processing/input/code-lib'),
    ]);
    // baseline.py imports the module by the path its environment names (the object keeps its S3 key's name)
    expect(baseline.Arguments.Environment).toEqual({
      BASELINE_STATISTICS_MODULE: '/opt/ml/processing/input/code-lib/baseline_statistics.py',
    });
    expect(baseline.Arguments.ProcessingOutputConfig.Outputs).toEqual([
      {
        OutputName: 'baseline',
        AppManaged: false,
        S3Output: { S3Uri: executionScoped('baseline'), LocalPath: '/opt/ml/processing/baseline', S3UploadMode: 'EndOfJob' },
      },
    ]);
  });

  test('CheckQuality wants r2 (Maximize) at least the threshold', () => {
    expect(steps.get('CheckQuality').Arguments.Conditions).toEqual([
      {
        Type: 'GreaterThanOrEqualTo',
        LeftValue: {
          'Std:JsonGet': {
            PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' },
            Path: 'regression_metrics.r2.value',
          },
        },
        RightValue: { Get: 'Parameters.QualityThreshold' },
      },
    ]);
  });

  test('a Minimize gate metric compares with LessThanOrEqualTo and explains itself on failure', () => {
    const def = trainingPipelineDefinition({ ...TRAINING_PROPS, qualityGate: { metric: 'rmse', threshold: 4.5 } });
    const byName = stepsByName(def.Steps);
    const metric = {
      'Std:JsonGet': {
        PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' },
        Path: 'regression_metrics.rmse.value',
      },
    };
    expect(byName.get('CheckQuality').Arguments.Conditions).toEqual([
      { Type: 'LessThanOrEqualTo', LeftValue: metric, RightValue: { Get: 'Parameters.QualityThreshold' } },
    ]);
    expect(byName.get('QualityGateFailed')).toEqual({
      Name: 'QualityGateFailed',
      Type: 'Fail',
      Arguments: {
        ErrorMessage: {
          'Std:Join': {
            On: ' ',
            Values: [
              'Quality gate failed: rmse =',
              metric,
              'is above the threshold',
              { Get: 'Parameters.QualityThreshold' },
              '(lower is better).',
            ],
          },
        },
      },
    });
    expect(def.Parameters.find((p) => p.Name === 'QualityThreshold')).toEqual({
      Name: 'QualityThreshold',
      Type: 'Float',
      DefaultValue: 4.5,
    });
  });

  test('binary classification uses its objective, metrics and auc gate', () => {
    const def = trainingPipelineDefinition({ ...TRAINING_PROPS, problemType: 'binary_classification' });
    const byName = stepsByName(def.Steps);
    const tune = byName.get('Tune').Arguments;
    expect(tune.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective).toEqual({
      Type: 'Maximize',
      MetricName: 'validation:auc',
    });
    expect(tune.TrainingJobDefinition.StaticHyperParameters).toMatchObject({ objective: 'binary:logistic', eval_metric: 'auc' });
    expect(tune.TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions.map((m: Json) => m.Name)).toEqual([
      'train:auc',
      'validation:auc',
    ]);
    expect(byName.get('CheckQuality').Arguments.Conditions[0]).toMatchObject({
      Type: 'GreaterThanOrEqualTo',
      LeftValue: { 'Std:JsonGet': { Path: 'binary_classification_metrics.auc.value' } },
    });
    expect(def.Parameters.find((p) => p.Name === 'QualityThreshold')?.DefaultValue).toBe(0.7);
  });

  test('Register registers the best model with its metrics and inference code', () => {
    expect(steps.get('Register')).toEqual({
      Name: 'Register',
      Type: 'RegisterModel',
      Arguments: {
        ModelPackageGroupName: 'house-prices',
        ModelApprovalStatus: { Get: 'Parameters.ModelApprovalStatus' },
        ModelMetrics: {
          ModelQuality: {
            Statistics: {
              ContentType: 'application/json',
              S3Uri: {
                'Std:Join': {
                  On: '/',
                  Values: [{ Get: "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri" }, 'evaluation.json'],
                },
              },
            },
          },
          ModelDataQuality: {
            Statistics: {
              ContentType: 'application/json',
              S3Uri: { 'Std:Join': { On: '/', Values: [{ Get: "Steps.Baseline.ProcessingOutputConfig.Outputs['baseline'].S3Output.S3Uri" }, 'statistics.json'] } },
            },
            Constraints: {
              ContentType: 'application/json',
              S3Uri: { 'Std:Join': { On: '/', Values: [{ Get: "Steps.Baseline.ProcessingOutputConfig.Outputs['baseline'].S3Output.S3Uri" }, 'constraints.json'] } },
            },
          },
        },
        InferenceSpecification: {
          Containers: [
            {
              Image: XGBOOST_IMAGE,
              ModelDataUrl: BEST_MODEL,
              Environment: {
                SAGEMAKER_PROGRAM: 'inference.py',
                SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
                SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
                SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: 'text/csv',
              },
            },
          ],
          SupportedContentTypes: ['text/csv', 'application/json'],
          SupportedResponseMIMETypes: ['text/csv', 'application/json'],
          SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large', 'ml.m5.xlarge'],
          SupportedTransformInstanceTypes: ['ml.m5.xlarge'],
        },
        CustomerMetadataProperties: {
          ProblemType: 'regression',
          LabelColumn: 'target',
          QualityMetric: 'r2',
          QualityMetricDirection: 'Maximize',
          QualityThreshold: { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.QualityThreshold' }] } },
          TestDataUri: { 'Std:Join': { On: '', Values: [{ Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri" }] } },
        },
      },
      RetryPolicies: [DEFAULT_RETRIES[0]],
    });
  });

  test('spot training, checkpoints, VPC, KMS, caching and custom tuning', () => {
    const def = trainingPipelineDefinition({
      ...TRAINING_PROPS,
      spotTraining: { maxWaitTimeInSeconds: 5400, checkpointS3Uri: 's3://mlops-artifacts/checkpoints' },
      vpc: { subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] },
      kmsKeyId: 'alias/mlops',
      cacheConfig: { enabled: true, expireAfter: 'P7D' },
      retryPolicies: [{ exceptionTypes: ['SageMaker.CAPACITY_ERROR'], maxAttempts: 5 }],
      tuning: {
        strategy: 'Random',
        maxNumberOfTrainingJobs: 10,
        maxParallelTrainingJobs: 5,
        hyperparameterRanges: {
          eta: { type: 'Continuous', min: 0.05, max: 0.5, scaling: 'Linear' },
          booster: { type: 'Categorical', values: ['gbtree', 'dart'] },
        },
        numRound: 50,
        earlyStoppingRounds: 5,
        extraHyperParameters: { lambda: '1.5' },
      },
      processing: { instanceType: 'ml.c5.2xlarge', volumeSizeInGb: 50 },
      training: { instanceCount: 2, maxRuntimeInSeconds: 1800 },
    });
    const byName = stepsByName(def.Steps);
    const tune = byName.get('Tune');
    const job = tune.Arguments.TrainingJobDefinition;
    expect(job.EnableManagedSpotTraining).toBe(true);
    expect(job.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 1800, MaxWaitTimeInSeconds: 5400 });
    expect(job.CheckpointConfig).toEqual({ S3Uri: 's3://mlops-artifacts/checkpoints' });
    expect(job.VpcConfig).toEqual({ SecurityGroupIds: ['sg-1'], Subnets: ['subnet-1'] });
    expect(job.OutputDataConfig).toEqual({ S3OutputPath: 's3://mlops-artifacts/training/tuning', KmsKeyId: 'alias/mlops' });
    expect(job.HyperParameterTuningResourceConfig).toMatchObject({ InstanceCount: 2, VolumeKmsKeyId: 'alias/mlops' });
    expect(job.StaticHyperParameters).toMatchObject({ num_round: '50', early_stopping_rounds: '5', lambda: '1.5' });
    expect(tune.Arguments.HyperParameterTuningJobConfig).toMatchObject({
      Strategy: 'Random',
      ResourceLimits: { MaxNumberOfTrainingJobs: 10, MaxParallelTrainingJobs: 5 },
    });
    const ranges = tune.Arguments.HyperParameterTuningJobConfig.ParameterRanges;
    expect(ranges.ContinuousParameterRanges[0]).toEqual({ Name: 'eta', MinValue: '0.05', MaxValue: '0.5', ScalingType: 'Linear' });
    expect(ranges.CategoricalParameterRanges).toEqual([{ Name: 'booster', Values: ['gbtree', 'dart'] }]);
    for (const name of ['Preprocess', 'Tune', 'Evaluate']) {
      expect(byName.get(name).CacheConfig).toEqual({ Enabled: true, ExpireAfter: 'P7D' });
      expect(byName.get(name).RetryPolicies).toEqual([
        { ExceptionType: ['SageMaker.CAPACITY_ERROR'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 5 },
      ]);
    }
    // Register only takes Step.* exception types, and none are left.
    expect(byName.get('Register').RetryPolicies).toBeUndefined();
    const preprocess = byName.get('Preprocess').Arguments;
    expect(preprocess.NetworkConfig).toEqual({ VpcConfig: { SecurityGroupIds: ['sg-1'], Subnets: ['subnet-1'] } });
    expect(preprocess.ProcessingResources.ClusterConfig).toEqual({
      InstanceType: { Get: 'Parameters.ProcessingInstanceType' },
      InstanceCount: 1,
      VolumeSizeInGB: 50,
      VolumeKmsKeyId: 'alias/mlops',
    });
    expect(preprocess.ProcessingOutputConfig.KmsKeyId).toBe('alias/mlops');
    expect(def.Parameters.find((p) => p.Name === 'ProcessingInstanceType')?.DefaultValue).toBe('ml.c5.2xlarge');
    expect(validatePipelineDefinition(def)).toEqual([]);
  });

  test('spot training defaults to twice the run time and a checkpoint prefix under the artifacts', () => {
    const job = trainingPipelineDefinition({ ...TRAINING_PROPS, spotTraining: {} }).Steps.find((s) => s.Name === 'Tune')?.Arguments.TrainingJobDefinition as Json;
    expect(job.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 });
    expect(job.CheckpointConfig).toEqual({ S3Uri: 's3://mlops-artifacts/training/checkpoints' });
  });

  test('CDK tokens pass through untouched', () => {
    const bucket = '${Token[TOKEN.101]}';
    const def = trainingPipelineDefinition({
      ...TRAINING_PROPS,
      artifactBucketName: bucket,
      roleArn: '${Token[TOKEN.102]}',
      modelPackageGroupName: '${Token[TOKEN.103]}',
      scriptUris: {
        preprocess: `s3://${bucket}/code/preprocess.py`,
        evaluate: `s3://${bucket}/code/evaluate.py`,
        baseline: `s3://${bucket}/code/baseline.py`,
        baselineStatistics: `s3://${bucket}/code/baseline_statistics.py`,
        sourceDir: '${Token[TOKEN.104]}',
      },
      defaultInputDataUri: '${Token[TOKEN.105]}',
    });
    const byName = stepsByName(def.Steps);
    expect(byName.get('Preprocess').Arguments.RoleArn).toBe('${Token[TOKEN.102]}');
    expect(byName.get('Tune').Arguments.TrainingJobDefinition.OutputDataConfig.S3OutputPath).toBe(`s3://${bucket}/training/tuning`);
    expect(byName.get('Tune').Arguments.TrainingJobDefinition.StaticHyperParameters.sagemaker_submit_directory).toBe(
      '"${Token[TOKEN.104]}"',
    );
    expect(byName.get('Register').Arguments.InferenceSpecification.Containers[0].ModelDataUrl['Std:Join'].Values[1]).toBe(bucket);
    expect(validatePipelineDefinition(def)).toEqual([]);
  });
});
