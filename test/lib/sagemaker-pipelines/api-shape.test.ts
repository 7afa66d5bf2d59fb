import {
  inferencePipelineDefinition,
  trainingPipelineDefinition,
  type PipelineDefinition,
  type TrainingPipelineProps,
} from '../../../lib/sagemaker-pipelines';
import { loadBotocoreSageMakerModel } from '../../helpers/api-model/botocore-model';
import {
  checkStepArguments,
  formatArgumentIssues,
  type ArgumentIssue,
  type BotocoreServiceModel,
} from '../../helpers/api-model/shape-check';
import { INFERENCE_PROPS, TRAINING_PROPS, VENV_DIR, validDefinition } from './fixtures';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Def = any;

let model: BotocoreServiceModel;

beforeAll(() => {
  // Fails every test, with the `npm run venv` hint, when the venv is missing.
  model = loadBotocoreSageMakerModel(VENV_DIR);
});

function issuesOf(mutate: (def: Def) => void): string[] {
  const def = validDefinition();
  mutate(def);
  return checkStepArguments(def, model).map((i) => `${i.path}: ${i.message}`);
}

function expectNoIssues(definition: PipelineDefinition): void {
  const issues: ArgumentIssue[] = checkStepArguments(definition, model);
  expect(formatArgumentIssues(issues)).toBe('');
}

describe('checkStepArguments on the project pipelines', () => {
  const variants: readonly [string, Partial<TrainingPipelineProps>][] = [
    ['regression', { problemType: 'regression' }],
    ['binary classification', { problemType: 'binary_classification' }],
    ['regression with spot training', { problemType: 'regression', spotTraining: { maxWaitTimeInSeconds: 7200 } }],
    ['binary classification with spot training', { problemType: 'binary_classification', spotTraining: {} }],
    [
      'regression in a VPC with KMS, caching, feature columns and custom tuning',
      {
        problemType: 'regression',
        vpc: { subnetIds: ['subnet-0abc', 'subnet-0def'], securityGroupIds: ['sg-0123'] },
        kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        cacheConfig: { enabled: true, expireAfter: 'P30D' },
        featureColumns: ['sqft', 'rooms'],
        split: { validationFraction: 0.2, testFraction: 0.1, seed: 7 },
        tuning: {
          strategy: 'Random',
          maxNumberOfTrainingJobs: 20,
          maxParallelTrainingJobs: 4,
          earlyStoppingType: 'Auto',
          hyperparameterRanges: { booster: { type: 'Categorical', values: ['gbtree', 'dart'] } },
        },
      },
    ],
  ];

  test.each(variants)('training pipeline: %s', (_name, overrides) => {
    expectNoIssues(trainingPipelineDefinition({ ...TRAINING_PROPS, ...overrides }));
  });

  test('inference pipeline from a model package', () => {
    expectNoIssues(
      inferencePipelineDefinition({
        ...INFERENCE_PROPS,
        modelSource: {
          kind: 'modelPackage',
          defaultModelPackageArn: 'arn:aws:sagemaker:eu-west-1:111122223333:model-package/house-prices/3',
        },
      }),
    );
  });

  test('inference pipeline from model data, in a VPC with KMS', () => {
    expectNoIssues(
      inferencePipelineDefinition({
        ...INFERENCE_PROPS,
        modelSource: {
          kind: 'modelData',
          imageUri: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
          region: 'us-east-1',
          defaultModelDataUrl: 's3://mlops-artifacts/training/tuning/job-001/output/model.tar.gz',
        },
        vpc: { subnetIds: ['subnet-0abc'], securityGroupIds: ['sg-0123'] },
        kmsKeyId: 'alias/mlops',
      }),
    );
  });

  test('the hand-written fixture passes', () => {
    expect(issuesOf(() => undefined)).toEqual([]);
  });
});

describe('checkStepArguments finds mismatches', () => {
  test('bad enum values, listing the valid ones', () => {
    const definition = JSON.parse(JSON.stringify(trainingPipelineDefinition(TRAINING_PROPS)));
    definition.Steps.find((step: { Name: string }) => step.Name === 'Tune').Arguments.HyperParameterTuningJobConfig.Strategy = 'Bayes';
    expect(checkStepArguments(definition, model)).toEqual([
      {
        stepName: 'Tune',
        path: 'Steps[Tune].Arguments.HyperParameterTuningJobConfig.Strategy',
        message: '"Bayes" is not one of Bayesian, Random, Hyperband, Grid.',
      },
    ]);
  });

  test('long enums are abbreviated', () => {
    const issues = issuesOf((def) => {
      def.Steps[0].Arguments.ProcessingResources.ClusterConfig.InstanceType = 'm5.xlarge';
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(
      /^Steps\[Prep\]\.Arguments\.ProcessingResources\.ClusterConfig\.InstanceType: "m5\.xlarge" is not one of ml\.\S+, .*, \.\.\. \(\d+ values\)\.$/,
    );
  });

  test('unknown members, listing the valid ones', () => {
    const issues = issuesOf((def) => {
      def.Steps[1].Arguments.ResourceConfig.InstanceTyp = 'ml.m5.xlarge';
      def.Steps[0].Arguments.Foo = 1;
    });
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(
      /^Steps\[Prep\]\.Arguments\.Foo: unknown member 'Foo' of CreateProcessingJobRequest; valid members: .*\bProcessingInputs\b.*\bRoleArn\b/,
    );
    expect(issues[1]).toMatch(
      /^Steps\[Train\]\.Arguments\.ResourceConfig\.InstanceTyp: unknown member 'InstanceTyp' of ResourceConfig; valid members: InstanceType, InstanceCount, VolumeSizeInGB\b/,
    );
  });

  test('missing required members, but not the names the pipeline supplies', () => {
    expect(
      issuesOf((def) => {
        delete def.Steps[0].Arguments.RoleArn;
        delete def.Steps[3].Arguments.IfSteps[0].Arguments.InferenceSpecification.Containers[0].Image;
      }),
    ).toEqual([
      "Steps[Prep].Arguments.RoleArn: missing required member 'RoleArn' of CreateProcessingJobRequest.",
      "Steps[Register].Arguments.InferenceSpecification.Containers[0].Image: missing required member 'Image' of ModelPackageContainerDefinition.",
    ]);
    // The job names are left out of every step of the fixture, and giving one is not an error either.
    expect(issuesOf((def) => (def.Steps[1].Arguments.TrainingJobName = 'explicit-name'))).toEqual([]);
  });

  test('wrong types', () => {
    expect(
      issuesOf((def) => {
        def.Steps[1].Arguments.HyperParameters.num_round = 50;
        def.Steps[1].Arguments.ResourceConfig.InstanceCount = '1';
        def.Steps[1].Arguments.StoppingCondition = [3600];
        def.Steps[0].Arguments.ProcessingInputs[0].AppManaged = 'false';
        def.Steps[0].Arguments.AppSpecification.ContainerEntrypoint = 'python3 prep.py';
        def.Steps[2].Arguments.ProcessingResources.ClusterConfig.VolumeSizeInGB = 30.5;
      }),
    ).toEqual([
      'Steps[Prep].Arguments.AppSpecification.ContainerEntrypoint: expected a list (ContainerEntrypoint), got string "python3 prep.py".',
      'Steps[Prep].Arguments.ProcessingInputs[0].AppManaged: expected true or false (AppManaged), got string "false".',
      'Steps[Train].Arguments.StoppingCondition: expected an object (StoppingCondition), got a list.',
      'Steps[Train].Arguments.ResourceConfig.InstanceCount: expected an integer (TrainingInstanceCount), got string "1".',
      "Steps[Train].Arguments.HyperParameters['num_round']: expected a string (HyperParameterValue), got number 50.",
      'Steps[Eval].Arguments.ProcessingResources.ClusterConfig.VolumeSizeInGB: expected an integer (ProcessingVolumeSizeInGB), got number 30.5.',
    ]);
  });

  test('number bounds, string lengths, list lengths and patterns', () => {
    expect(
      issuesOf((def) => {
        def.Steps[0].Arguments.ProcessingResources.ClusterConfig.InstanceCount = 0;
        def.Steps[0].Arguments.RoleArn = 'arn:aws:iam::123:role/Short';
        def.Steps[1].Arguments.AlgorithmSpecification.TrainingImage = 'x'.repeat(256);
        def.Steps[3].Arguments.IfSteps[0].Arguments.InferenceSpecification.Containers = [];
      }),
    ).toEqual([
      'Steps[Prep].Arguments.ProcessingResources.ClusterConfig.InstanceCount: value 0 is less than the minimum 1.',
      'Steps[Prep].Arguments.RoleArn: "arn:aws:iam::123:role/Short" does not match the pattern ^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$ of RoleArn.',
      `Steps[Train].Arguments.AlgorithmSpecification.TrainingImage: "${'x'.repeat(76)}... is longer than 255 characters (AlgorithmImage).`,
      'Steps[Register].Arguments.InferenceSpecification.Containers: number of items 0 is less than the minimum 1.',
    ]);
  });

  test('a Std:Join only stands for strings; no expression stands for a structure or list', () => {
    expect(
      issuesOf((def) => {
        def.Steps[1].Arguments.ResourceConfig.VolumeSizeInGB = { 'Std:Join': { On: '', Values: ['3', '0'] } };
        def.Steps[1].Arguments.ResourceConfig.InstanceCount = { Get: 'Parameters.InstanceCount' };
        def.Steps[1].Arguments.StoppingCondition = { Get: 'Parameters.Stopping' };
        def.Steps[0].Arguments.ProcessingInputs = { Get: 'Parameters.Inputs' };
        def.Steps[3].Arguments.IfSteps[0].Arguments.ModelApprovalStatus = {
          'Std:JsonGet': { PropertyFile: { Get: 'Steps.Eval.PropertyFiles.Report' }, Path: 'status' },
        };
      }),
    ).toEqual([
      'Steps[Prep].Arguments.ProcessingInputs: Get cannot stand for a list (ProcessingInputs); give the list itself.',
      'Steps[Train].Arguments.StoppingCondition: Get cannot stand for a structure (StoppingCondition); give the structure itself.',
      'Steps[Train].Arguments.ResourceConfig.VolumeSizeInGB: Std:Join yields a string, but VolumeSizeInGB is an integer.',
    ]);
  });

  test('map keys are checked against their shape', () => {
    expect(
      issuesOf((def) => {
        def.Steps[0].Arguments.Environment = { '1-2': 'x', GOOD_KEY: 'y' };
      }),
    ).toEqual([
      `Steps[Prep].Arguments.Environment['1-2'] (key): "1-2" does not match the pattern [a-zA-Z_][a-zA-Z0-9_]* of ProcessingEnvironmentKey.`,
    ]);
  });

  test('unresolved tokens are not checked', () => {
    expect(
      issuesOf((def) => {
        def.Steps[0].Arguments.RoleArn = '${Token[TOKEN.42]}';
        def.Steps[0].Arguments.ProcessingResources.ClusterConfig.InstanceType = '${Token[TOKEN.43]}';
        def.Steps[1].Arguments.ResourceConfig.InstanceCount = -1.8881545897087626e289;
      }),
    ).toEqual([]);
  });

  test('Condition and Fail steps have no API request; other step types are checked inside branches', () => {
    const issues = issuesOf((def) => {
      def.Steps[3].Arguments.ElseSteps[0].Arguments = { Anything: 1 };
      def.Steps[3].Arguments.IfSteps[0].Arguments.ModelApprovalStatus = 'Pending';
    });
    expect(issues).toEqual([
      'Steps[Register].Arguments.ModelApprovalStatus: "Pending" is not one of Approved, Rejected, PendingManualApproval.',
    ]);
  });

  test('step property references are checked against the Describe* response of the referenced step', () => {
    expect(
      issuesOf((def) => {
        def.Steps[0].Arguments.ProcessingInputs[0].S3Input.S3Uri = { Get: 'Steps.Check.Outcome' };
        def.Steps[2].Arguments.ProcessingInputs[0].S3Input.S3Uri = { Get: 'Steps.Train.ModelArtifact.S3ModelArtifacts' };
        def.Steps[2].Arguments.ProcessingInputs[1].S3Input.S3Uri = { Get: 'Steps.Train.ModelArtifacts[0]' };
        def.Steps[3].Arguments.Conditions[0].RightValue = { Get: 'Steps.Train.FinalMetricDataList[0].Valu' };
        def.Steps[3].Arguments.ElseSteps[0].Arguments.ErrorMessage = { Get: 'Steps.Check.Result' };
      }),
    ).toEqual([
      'Steps[Eval].Arguments.ProcessingInputs[0].S3Input.S3Uri.Get: "Steps.Train.ModelArtifact.S3ModelArtifacts": step \'Train\' is a Training step, whose properties (DescribeTrainingJobResponse) have no \'ModelArtifact\'.',
      'Steps[Eval].Arguments.ProcessingInputs[1].S3Input.S3Uri.Get: "Steps.Train.ModelArtifacts[0]": ModelArtifacts (structure) has no [0].',
      "Steps[Check].Arguments.Conditions[0].RightValue.Get: \"Steps.Train.FinalMetricDataList[0].Valu\": MetricData (structure) has no member 'Valu'.",
      'Steps[Stop].Arguments.ErrorMessage.Get: "Steps.Check.Result": a Condition step\'s only property is Outcome.',
    ]);
  });

  test('valid property references of every step type pass', () => {
    const def = validDefinition();
    def.Steps[3].Arguments.ElseSteps[0].Arguments.ErrorMessage = {
      'Std:Join': {
        On: ' ',
        Values: [
          { Get: 'Steps.Tune.TrainingJobSummaries[0].TrainingJobName' },
          { Get: 'Steps.Tune.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric.Value' },
          { Get: 'Steps.Train.FinalMetricDataList[0].Value' },
          { Get: "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" },
          { Get: 'Steps.Train.HyperParameters[\'num_round\']' },
          { Get: 'Steps.Check.Outcome' },
        ],
      },
    };
    def.Steps.splice(1, 0, {
      Name: 'Tune',
      Type: 'Tuning',
      Arguments: {
        HyperParameterTuningJobConfig: {
          Strategy: 'Random',
          ResourceLimits: { MaxNumberOfTrainingJobs: 2, MaxParallelTrainingJobs: 1 },
        },
        TrainingJobDefinition: def.Steps[1].Arguments,
      },
    });
    delete def.Steps[1].Arguments.TrainingJobDefinition.HyperParameters;
    def.Steps[1].Arguments.TrainingJobDefinition = {
      ...def.Steps[1].Arguments.TrainingJobDefinition,
      StaticHyperParameters: { num_round: '10' },
    };
    expect(checkStepArguments(def, model)).toEqual([]);
    const inference = inferencePipelineDefinition(INFERENCE_PROPS);
    expect(checkStepArguments(inference, model)).toEqual([]);
  });
});
