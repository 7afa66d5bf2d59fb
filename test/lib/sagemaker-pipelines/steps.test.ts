import {
  Condition,
  ConditionStep,
  ExecutionVariables,
  Expressions,
  FailStep,
  ModelStep,
  ParameterFloat,
  ParameterString,
  ProcessingStep,
  RegisterModelStep,
  RetryExceptionType,
  TrainingStep,
  TransformStep,
  TuningStep,
  buildPipelineDefinition,
  type ProcessingJobArguments,
} from '../../../lib/sagemaker-pipelines';

const ROLE = 'arn:aws:iam::111122223333:role/SageMakerExecution';
const IMAGE = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1';

function processingArguments(outputs: readonly string[]): ProcessingJobArguments {
  return {
    ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 20 } },
    AppSpecification: { ImageUri: IMAGE, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/run.py'] },
    RoleArn: ROLE,
    ProcessingOutputConfig: {
      Outputs: outputs.map((name) => ({
        OutputName: name,
        AppManaged: false,
        S3Output: { S3Uri: `s3://bucket/${name}`, LocalPath: `/opt/ml/processing/${name}`, S3UploadMode: 'EndOfJob' },
      })),
    },
  };
}

describe('ProcessingStep', () => {
  test('renders Arguments, PropertyFiles, CacheConfig, RetryPolicies and DependsOn', () => {
    // GIVEN
    const step = new ProcessingStep('Evaluate', {
      arguments: processingArguments(['evaluation']),
      propertyFiles: [{ name: 'EvaluationReport', outputName: 'evaluation', filePath: 'evaluation.json' }],
      cacheConfig: { enabled: true, expireAfter: 'P30D' },
      retryPolicies: [{ exceptionTypes: [RetryExceptionType.SERVICE_FAULT, RetryExceptionType.THROTTLING], maxAttempts: 3 }],
      dependsOn: ['Train'],
    });

    // THEN
    expect(step.toDefinition()).toEqual({
      Name: 'Evaluate',
      Type: 'Processing',
      Arguments: {
        ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 20 } },
        AppSpecification: { ImageUri: IMAGE, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/run.py'] },
        RoleArn: ROLE,
        ProcessingOutputConfig: {
          Outputs: [
            {
              OutputName: 'evaluation',
              AppManaged: false,
              S3Output: { S3Uri: 's3://bucket/evaluation', LocalPath: '/opt/ml/processing/evaluation', S3UploadMode: 'EndOfJob' },
            },
          ],
        },
      },
      DependsOn: ['Train'],
      CacheConfig: { Enabled: true, ExpireAfter: 'P30D' },
      RetryPolicies: [
        { ExceptionType: ['Step.SERVICE_FAULT', 'Step.THROTTLING'], IntervalSeconds: 1, BackoffRate: 2.0, MaxAttempts: 3 },
      ],
      PropertyFiles: [{ PropertyFileName: 'EvaluationReport', OutputName: 'evaluation', FilePath: 'evaluation.json' }],
    });
  });

  test('outputUri and propertyFile().jsonGet() reference the step', () => {
    const step = new ProcessingStep('Preprocess', {
      arguments: processingArguments(['train', 'report']),
      propertyFiles: [{ name: 'Stats', outputName: 'report', filePath: 'stats.json' }],
    });

    expect(step.outputUri('train')).toEqual({
      Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri",
    });
    expect(step.propertyFile('Stats').jsonGet('rows')).toEqual({
      'Std:JsonGet': { PropertyFile: { Get: 'Steps.Preprocess.PropertyFiles.Stats' }, Path: 'rows' },
    });
    expect(step.propertyFile('Stats').ref).toEqual({ Get: 'Steps.Preprocess.PropertyFiles.Stats' });
  });

  test('unknown outputs and property files are rejected with their names', () => {
    const step = new ProcessingStep('Preprocess', { arguments: processingArguments(['train']) });
    expect(() => step.outputUri('nope')).toThrow("Step Preprocess: outputUri() names output 'nope', which is not one of the step's outputs (train).");
    expect(() => step.propertyFile('Nope')).toThrow("Step Preprocess has no property file 'Nope' (declared: none).");
    expect(
      () =>
        new ProcessingStep('Evaluate', {
          arguments: processingArguments(['evaluation']),
          propertyFiles: [{ name: 'Report', outputName: 'metrics', filePath: 'evaluation.json' }],
        }),
    ).toThrow("property file 'Report' names output 'metrics', which is not one of the step's outputs (evaluation)");
  });
});

describe('TrainingStep', () => {
  test('renders the training request and references its model artifacts', () => {
    const instanceType = new ParameterString('TrainingInstanceType', { defaultValue: 'ml.m5.xlarge' });
    const step = new TrainingStep('Train', {
      arguments: {
        AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
        RoleArn: ROLE,
        OutputDataConfig: { S3OutputPath: 's3://bucket/models' },
        ResourceConfig: { InstanceType: instanceType.ref, InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 },
        HyperParameters: { num_round: '50' },
        EnableManagedSpotTraining: true,
      },
    });

    expect(step.toDefinition()).toEqual({
      Name: 'Train',
      Type: 'Training',
      Arguments: {
        AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
        RoleArn: ROLE,
        OutputDataConfig: { S3OutputPath: 's3://bucket/models' },
        ResourceConfig: { InstanceType: { Get: 'Parameters.TrainingInstanceType' }, InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 },
        HyperParameters: { num_round: '50' },
        EnableManagedSpotTraining: true,
      },
    });
    expect(step.modelArtifactsUri()).toEqual({ Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' });
    expect(step.trainingJobName()).toEqual({ Get: 'Steps.Train.TrainingJobName' });
  });
});

describe('TuningStep', () => {
  const tune = new TuningStep('Tune', {
    arguments: {
      HyperParameterTuningJobConfig: {
        Strategy: 'Random',
        HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'validation:rmse' },
        ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 },
        ParameterRanges: {
          ContinuousParameterRanges: [{ Name: 'eta', MinValue: '0.01', MaxValue: '0.3', ScalingType: 'Logarithmic' }],
          IntegerParameterRanges: [{ Name: 'max_depth', MinValue: '3', MaxValue: '8' }],
          CategoricalParameterRanges: [{ Name: 'booster', Values: ['gbtree', 'dart'] }],
        },
      },
      TrainingJobDefinition: {
        AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
        RoleArn: ROLE,
        OutputDataConfig: { S3OutputPath: 's3://artifacts/training/tuning' },
        HyperParameterTuningResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
        StaticHyperParameters: { objective: 'reg:squarederror' },
      },
    },
  });

  test('renders the tuning request', () => {
    expect(tune.toDefinition()).toEqual({
      Name: 'Tune',
      Type: 'Tuning',
      Arguments: {
        HyperParameterTuningJobConfig: {
          Strategy: 'Random',
          HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'validation:rmse' },
          ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 },
          ParameterRanges: {
            ContinuousParameterRanges: [{ Name: 'eta', MinValue: '0.01', MaxValue: '0.3', ScalingType: 'Logarithmic' }],
            IntegerParameterRanges: [{ Name: 'max_depth', MinValue: '3', MaxValue: '8' }],
            CategoricalParameterRanges: [{ Name: 'booster', Values: ['gbtree', 'dart'] }],
          },
        },
        TrainingJobDefinition: {
          AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
          RoleArn: ROLE,
          OutputDataConfig: { S3OutputPath: 's3://artifacts/training/tuning' },
          HyperParameterTuningResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 },
          StaticHyperParameters: { objective: 'reg:squarederror' },
        },
      },
    });
  });

  test('bestModelUri joins the output path with the best training job name', () => {
    expect(tune.bestModelUri('artifacts', 'training/tuning')).toEqual({
      'Std:Join': {
        On: '/',
        Values: [
          's3:/',
          'artifacts',
          'training/tuning',
          { Get: 'Steps.Tune.TrainingJobSummaries[0].TrainingJobName' },
          'output/model.tar.gz',
        ],
      },
    });
    expect(tune.topModelUri(2, 'artifacts', 'p')).toEqual({
      'Std:Join': {
        On: '/',
        Values: ['s3:/', 'artifacts', 'p', { Get: 'Steps.Tune.TrainingJobSummaries[2].TrainingJobName' }, 'output/model.tar.gz'],
      },
    });
    expect(tune.bestTrainingJobName()).toEqual({ Get: 'Steps.Tune.BestTrainingJob.TrainingJobName' });
    expect(() => tune.topTrainingJobName(-1)).toThrow('rank must be a non-negative integer, got -1');
  });
});

describe('ModelStep, TransformStep and RegisterModelStep', () => {
  test('a model feeds a transform through modelName()', () => {
    const model = new ModelStep('CreateModel', {
      arguments: { ExecutionRoleArn: ROLE, PrimaryContainer: { ModelPackageName: { Get: 'Parameters.ModelPackageArn' } } },
      retryPolicies: [{ exceptionTypes: [RetryExceptionType.THROTTLING], expireAfterMin: 30, intervalSeconds: 10, backoffRate: 1.5 }],
    });
    const transform = new TransformStep('BatchTransform', {
      arguments: {
        ModelName: model.modelName(),
        TransformInput: {
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/batch' } },
          ContentType: 'text/csv',
          SplitType: 'Line',
        },
        TransformOutput: { S3OutputPath: Expressions.s3Uri('bucket', 'out', ExecutionVariables.PipelineExecutionId), AssembleWith: 'Line' },
        TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
      },
    });

    expect(model.toDefinition()).toEqual({
      Name: 'CreateModel',
      Type: 'Model',
      Arguments: { ExecutionRoleArn: ROLE, PrimaryContainer: { ModelPackageName: { Get: 'Parameters.ModelPackageArn' } } },
      RetryPolicies: [{ ExceptionType: ['Step.THROTTLING'], IntervalSeconds: 10, BackoffRate: 1.5, ExpireAfterMin: 30 }],
    });
    expect(transform.toDefinition()).toEqual({
      Name: 'BatchTransform',
      Type: 'Transform',
      Arguments: {
        ModelName: { Get: 'Steps.CreateModel.ModelName' },
        TransformInput: {
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/batch' } },
          ContentType: 'text/csv',
          SplitType: 'Line',
        },
        TransformOutput: {
          S3OutputPath: { 'Std:Join': { On: '/', Values: ['s3:/', 'bucket', 'out', { Get: 'Execution.PipelineExecutionId' }] } },
          AssembleWith: 'Line',
        },
        TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
      },
    });
    expect(transform.outputUri()).toEqual({ Get: 'Steps.BatchTransform.TransformOutput.S3OutputPath' });
  });

  test('RegisterModel renders the model package request', () => {
    const status = new ParameterString('ModelApprovalStatus', { defaultValue: 'PendingManualApproval' });
    const register = new RegisterModelStep('Register', {
      arguments: {
        ModelPackageGroupName: 'churn-models',
        ModelApprovalStatus: status.ref,
        InferenceSpecification: {
          Containers: [{ Image: IMAGE, ModelDataUrl: 's3://bucket/model.tar.gz' }],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
        ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://bucket/evaluation.json' } } },
      },
    });
    expect(register.toDefinition()).toEqual({
      Name: 'Register',
      Type: 'RegisterModel',
      Arguments: {
        ModelPackageGroupName: 'churn-models',
        ModelApprovalStatus: { Get: 'Parameters.ModelApprovalStatus' },
        InferenceSpecification: {
          Containers: [{ Image: IMAGE, ModelDataUrl: 's3://bucket/model.tar.gz' }],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
        ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://bucket/evaluation.json' } } },
      },
    });
    expect(register.modelPackageArn()).toEqual({ Get: 'Steps.Register.ModelPackageArn' });
  });
});

describe('ConditionStep, conditions and FailStep', () => {
  test('nests full branch steps and renders every condition type', () => {
    const threshold = new ParameterFloat('Threshold', { defaultValue: 0.8 });
    const metric = Expressions.jsonGet('Evaluate', 'Report', 'binary_classification_metrics.auc.value');
    const fail = new FailStep('Failed', { errorMessage: Expressions.join(['auc', metric, 'below', threshold.ref], ' ') });
    const ok = new FailStep('Passed');
    const step = new ConditionStep('Check', {
      conditions: [
        Condition.greaterThanOrEqualTo(metric, threshold.ref),
        Condition.or(Condition.equals('a', 'a'), Condition.greaterThan(2, 1), Condition.lessThan(1, 2)),
        Condition.not(Condition.lessThanOrEqualTo(metric, 0)),
        Condition.in({ Get: 'Execution.PipelineName' }, ['training', 'retraining']),
      ],
      ifSteps: [ok],
      elseSteps: [fail],
    });

    expect(step.toDefinition()).toEqual({
      Name: 'Check',
      Type: 'Condition',
      Arguments: {
        Conditions: [
          {
            Type: 'GreaterThanOrEqualTo',
            LeftValue: {
              'Std:JsonGet': {
                PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.Report' },
                Path: 'binary_classification_metrics.auc.value',
              },
            },
            RightValue: { Get: 'Parameters.Threshold' },
          },
          {
            Type: 'Or',
            Conditions: [
              { Type: 'Equals', LeftValue: 'a', RightValue: 'a' },
              { Type: 'GreaterThan', LeftValue: 2, RightValue: 1 },
              { Type: 'LessThan', LeftValue: 1, RightValue: 2 },
            ],
          },
          {
            Type: 'Not',
            Condition: {
              Type: 'LessThanOrEqualTo',
              LeftValue: {
                'Std:JsonGet': {
                  PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.Report' },
                  Path: 'binary_classification_metrics.auc.value',
                },
              },
              RightValue: 0,
            },
          },
          { Type: 'In', QueryValue: { Get: 'Execution.PipelineName' }, Values: ['training', 'retraining'] },
        ],
        IfSteps: [{ Name: 'Passed', Type: 'Fail', Arguments: { ErrorMessage: '' } }],
        ElseSteps: [
          {
            Name: 'Failed',
            Type: 'Fail',
            Arguments: {
              ErrorMessage: {
                'Std:Join': {
                  On: ' ',
                  Values: [
                    'auc',
                    {
                      'Std:JsonGet': {
                        PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.Report' },
                        Path: 'binary_classification_metrics.auc.value',
                      },
                    },
                    'below',
                    { Get: 'Parameters.Threshold' },
                  ],
                },
              },
            },
          },
        ],
      },
    });
    expect(step.outcome()).toEqual({ Get: 'Steps.Check.Outcome' });
  });
});

describe('buildPipelineDefinition', () => {
  test('renders version, metadata, parameters, experiment config and steps', () => {
    const reason = new ParameterString('Reason', { defaultValue: 'manual' });
    const definition = buildPipelineDefinition({
      parameters: [reason],
      steps: [new FailStep('Stop', { errorMessage: reason.ref, displayName: 'Stop here', description: 'Always fails' })],
      experimentConfig: {
        experimentName: ExecutionVariables.PipelineName,
        trialName: ExecutionVariables.PipelineExecutionId,
      },
    });
    expect(definition).toEqual({
      Version: '2020-12-01',
      Metadata: {},
      Parameters: [{ Name: 'Reason', Type: 'String', DefaultValue: 'manual' }],
      PipelineExperimentConfig: {
        ExperimentName: { Get: 'Execution.PipelineName' },
        TrialName: { Get: 'Execution.PipelineExecutionId' },
      },
      Steps: [
        {
          Name: 'Stop',
          Type: 'Fail',
          Arguments: { ErrorMessage: { Get: 'Parameters.Reason' } },
          DisplayName: 'Stop here',
          Description: 'Always fails',
        },
      ],
    });
    // The definition is plain data: it survives a JSON round trip unchanged.
    expect(JSON.parse(JSON.stringify(definition))).toEqual(definition);
  });
});
