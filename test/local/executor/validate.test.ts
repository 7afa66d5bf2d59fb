import { validatePipelineDefinition } from '../../../lib/sagemaker-pipelines';
import { PipelineDefinitionError, type PipelineDefinitionJson } from '../../../local/executor';
import { prepareDefinition } from '../../../local/executor/validate';
import { fixturePipeline } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Def = any;

function issuesOf(definition: PipelineDefinitionJson, overrides: Record<string, unknown> = {}): PipelineDefinitionError['issues'] {
  try {
    prepareDefinition(definition, overrides);
  } catch (err) {
    if (err instanceof PipelineDefinitionError) return err.issues;
    throw err;
  }
  return [];
}

function mutated(mutate: (def: Def) => void): PipelineDefinitionJson {
  const definition = fixturePipeline() as Def;
  mutate(definition);
  return definition;
}

describe('what local mode says of a definition before anything runs', () => {
  test.each<[string, (def: Def) => void]>([
    ['a DependsOn on a missing step', (def) => (def.Steps[2].DependsOn = ['Nowhere'])],
    ['a Get of an undeclared parameter', (def) => (def.Steps[0].Arguments.ProcessingInputs[0].S3Input.S3Uri = { Get: 'Parameters.Nope' })],
    ['a cycle', (def) => {
      def.Steps[0].DependsOn = ['Evaluate'];
    }],
    ['a duplicate step name', (def) => (def.Steps[2].Name = 'Prep')],
    ['a bad cache duration', (def) => (def.Steps[0].CacheConfig = { Enabled: true, ExpireAfter: 'thirty days' })],
    ['a retry exception type the step cannot have', (def) => (def.Steps[3].RetryPolicies = [{ ExceptionType: ['SageMaker.CAPACITY_ERROR'] }])],
  ])('%s: the shared validator\'s issues, unchanged and nothing added', (_, mutate) => {
    const definition = mutated(mutate);
    const shared = validatePipelineDefinition(definition);
    expect(shared.length).toBeGreaterThan(0);
    expect(issuesOf(definition)).toEqual(shared);
  });

  test('parameter overrides are local mode\'s own check, reported in the same shape', () => {
    expect(issuesOf(fixturePipeline(), { Treshold: 0.5, Threshold: 'high', InputUri: 5 })).toEqual([
      {
        code: 'unknown-parameter-override',
        path: 'Parameters[Treshold]',
        message: 'unknown parameter override "Treshold" (=0.5); the pipeline declares: InputUri, Threshold, ApprovalStatus',
      },
      {
        code: 'invalid-parameter-override',
        path: 'Parameters[Threshold]',
        message: 'override for parameter "Threshold" is "high", but the parameter is Float: pass a number',
      },
      {
        code: 'invalid-parameter-override',
        path: 'Parameters[InputUri]',
        message: 'override for parameter "InputUri" is 5, but the parameter is String: pass a string',
      },
    ]);
  });

  test('a parameter without a default needs an override; an override must be one of its EnumValues', () => {
    const definition = mutated((def) => {
      delete def.Parameters[0].DefaultValue;
      def.Parameters[2].EnumValues = ['PendingManualApproval', 'Approved'];
    });
    expect(issuesOf(definition, { ApprovalStatus: 'Rejected' }).map((i) => [i.code, i.path])).toEqual([
      ['missing-parameter-value', 'Parameters[InputUri]'],
      ['parameter-not-in-enum', 'Parameters[ApprovalStatus]'],
    ]);
    expect(issuesOf(definition, { InputUri: 's3://b/x', ApprovalStatus: 'Approved' })).toEqual([]);
  });

  test('step types and settings local mode cannot run are named, with their step', () => {
    const definition = mutated((def) => {
      def.Steps.push({ Name: 'Notify', Type: 'Lambda', Arguments: {}, FunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f' });
      def.Steps[0].Arguments.ProcessingInputs[0].S3Input.S3InputMode = 'Pipe';
      delete def.Steps[1].Arguments.TrainingJobDefinition.StaticHyperParameters.sagemaker_program;
    });
    expect(issuesOf(definition)).toEqual([
      {
        code: 'unsupported-setting',
        path: 'Steps[Prep].Arguments',
        message: 'step "Prep": ProcessingInputs "data": S3InputMode Pipe does not run locally; use File',
      },
      {
        code: 'unsupported-setting',
        path: 'Steps[Tune].Arguments',
        message:
          'step "Tune": the sagemaker_program hyperparameter is missing: local mode runs script mode only (a built-in ' +
          "algorithm's own code does not run locally); set sagemaker_program and sagemaker_submit_directory",
      },
      {
        code: 'unsupported-step-type',
        path: 'Steps[Notify].Type',
        message:
          'step "Notify" has Type "Lambda", which local mode does not run (it runs: Processing, Training, Tuning, ' +
          'Condition, RegisterModel, Model, Transform, Fail)',
      },
    ]);
  });

  test('cloud-only settings are accepted and listed as ignored', () => {
    const definition = mutated((def) => {
      const tune = def.Steps[1].Arguments;
      tune.TrainingJobDefinition.EnableManagedSpotTraining = true;
      tune.TrainingJobDefinition.StoppingCondition = { MaxRuntimeInSeconds: 60, MaxWaitTimeInSeconds: 120 };
      tune.TrainingJobDefinition.CheckpointConfig = { S3Uri: 's3://b/checkpoints' };
      tune.TrainingJobDefinition.VpcConfig = { Subnets: ['subnet-1'], SecurityGroupIds: ['sg-1'] };
      tune.HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType = 'Auto';
      def.Steps[0].Arguments.ProcessingOutputConfig.KmsKeyId = 'arn:aws:kms:us-east-1:111111111111:key/k';
      def.Steps[0].Arguments.ProcessingResources.ClusterConfig.InstanceCount = 2;
    });
    const prepared = prepareDefinition(definition);
    expect(prepared.ignored.map((i) => [i.code, i.path])).toEqual([
      ['ignored-kms-key', 'Steps[Prep].Arguments.ProcessingOutputConfig.KmsKeyId'],
      ['ignored-instance-count', 'Steps[Prep].Arguments.ProcessingResources.ClusterConfig.InstanceCount'],
      ['ignored-spot-training', 'Steps[Tune].Arguments.TrainingJobDefinition.EnableManagedSpotTraining'],
      ['ignored-spot-training', 'Steps[Tune].Arguments.TrainingJobDefinition.StoppingCondition.MaxWaitTimeInSeconds'],
      ['ignored-checkpoints', 'Steps[Tune].Arguments.TrainingJobDefinition.CheckpointConfig'],
      ['ignored-network', 'Steps[Tune].Arguments.TrainingJobDefinition.VpcConfig'],
      ['ignored-early-stopping', 'Steps[Tune].Arguments.HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType'],
    ]);
    expect(prepared.ignored[1].message).toBe('more than one instance (ProcessingResources.ClusterConfig.InstanceCount) is 2: the job runs once, on this machine');
  });
});
