import {
  assertValid,
  inferencePipelineDefinition,
  trainingPipelineDefinition,
  validatePipelineDefinition,
  type ValidationIssue,
} from '../../../lib/sagemaker-pipelines';
import { INFERENCE_PROPS, TRAINING_PROPS, validDefinition } from './fixtures';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Def = any;

function issuesOf(mutate: (def: Def) => void): ValidationIssue[] {
  const def = validDefinition();
  mutate(def);
  return validatePipelineDefinition(def);
}

const step = (def: Def, name: string): Def => {
  const all: Def[] = [];
  const collect = (steps: Def[]) =>
    steps.forEach((s) => {
      all.push(s);
      if (s.Type === 'Condition') {
        collect(s.Arguments.IfSteps ?? []);
        collect(s.Arguments.ElseSteps ?? []);
      }
    });
  collect(def.Steps);
  return all.find((s) => s.Name === name);
};

describe('validatePipelineDefinition', () => {
  test('accepts a valid definition', () => {
    expect(validatePipelineDefinition(validDefinition())).toEqual([]);
  });

  test('accepts both pipelines, in their variants', () => {
    expect(validatePipelineDefinition(trainingPipelineDefinition(TRAINING_PROPS))).toEqual([]);
    expect(
      validatePipelineDefinition(
        trainingPipelineDefinition({
          ...TRAINING_PROPS,
          problemType: 'binary_classification',
          spotTraining: { maxWaitTimeInSeconds: 7200 },
          cacheConfig: { enabled: true, expireAfter: 'P7D' },
          vpc: { subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] },
          kmsKeyId: 'alias/mlops',
        }),
      ),
    ).toEqual([]);
    expect(validatePipelineDefinition(inferencePipelineDefinition(INFERENCE_PROPS))).toEqual([]);
    expect(
      validatePipelineDefinition(
        inferencePipelineDefinition({
          ...INFERENCE_PROPS,
          modelSource: { kind: 'modelData', imageUri: 'img' },
        }),
      ),
    ).toEqual([]);
  });

  test('duplicate step names, also across branches', () => {
    const issues = issuesOf((def) => {
      step(def, 'Stop').Name = 'Prep';
    });
    expect(issues).toEqual([
      {
        code: 'duplicate-step-name',
        path: 'Steps[Prep]',
        message:
          "Step name 'Prep' is used twice (at the top level and in the ElseSteps of Check); step names must be unique across all branches.",
      },
    ]);
  });

  test('invalid step names', () => {
    const issues = issuesOf((def) => {
      step(def, 'Train').Name = 'Train model';
      step(def, 'Eval').Arguments.ProcessingInputs[0].S3Input.S3Uri = { Get: 'Steps.Train model.ModelArtifacts.S3ModelArtifacts' };
      step(def, 'Register').Arguments.InferenceSpecification.Containers[0].ModelDataUrl = 'x';
      step(def, 'Stop').Name = 'S'.repeat(65);
    });
    expect(issues.filter((i) => i.code === 'invalid-step-name').map((i) => i.message)).toEqual([
      `Step name "Train model" is invalid: use 1-64 letters, digits, '-' or '_'.`,
      `Step name "${'S'.repeat(65)}" is invalid: use 1-64 letters, digits, '-' or '_'.`,
    ]);
  });

  test('references to unknown steps name the step and the path', () => {
    const issues = issuesOf((def) => {
      step(def, 'Eval').Arguments.ProcessingInputs[0].S3Input.S3Uri = { Get: 'Steps.Training.ModelArtifacts.S3ModelArtifacts' };
      step(def, 'Eval').DependsOn = ['Missing'];
    });
    expect(issues).toEqual([
      {
        code: 'unknown-step',
        path: 'Steps[Eval].Arguments.ProcessingInputs[0].S3Input.S3Uri.Get',
        message:
          `"Steps.Training.ModelArtifacts.S3ModelArtifacts" refers to step 'Training', which does not exist ` +
          '(steps: Prep, Train, Eval, Check, Register, Stop).',
      },
      expect.objectContaining({ code: 'unknown-step', path: 'Steps[Eval].DependsOn[0]' }),
    ]);
  });

  test('unknown parameters', () => {
    const issues = issuesOf((def) => {
      step(def, 'Prep').Arguments.ProcessingInputs[0].S3Input.S3Uri = { Get: 'Parameters.InputDataUri' };
    });
    expect(issues).toEqual([
      {
        code: 'unknown-parameter',
        path: 'Steps[Prep].Arguments.ProcessingInputs[0].S3Input.S3Uri.Get',
        message:
          `"Parameters.InputDataUri" reads parameter 'InputDataUri', which is not declared ` +
          '(parameters: InputData, Threshold, InstanceCount, Approval).',
      },
    ]);
  });

  test('unknown execution variables', () => {
    const issues = issuesOf((def) => {
      step(def, 'Stop').Arguments.ErrorMessage['Std:Join'].Values[3] = { Get: 'Execution.ExecutionId' };
    });
    expect(issues).toEqual([
      {
        code: 'unknown-execution-variable',
        path: 'Steps[Stop].Arguments.ErrorMessage.Std:Join.Values[3].Get',
        message:
          `"Execution.ExecutionId" reads unknown execution variable 'ExecutionId'; use one of StartDateTime, ` +
          'CurrentDateTime, PipelineName, PipelineArn, PipelineExecutionId, PipelineExecutionArn, TrainingJobName, ProcessingJobName.',
      },
    ]);
  });

  test('malformed Get paths and unknown functions', () => {
    const issues = issuesOf((def) => {
      step(def, 'Prep').Arguments.ProcessingInputs[0].S3Input.S3Uri = { Get: 'Params.InputData' };
      step(def, 'Train').Arguments.OutputDataConfig.S3OutputPath = { 'Std:Concat': ['a', 'b'] };
      step(def, 'Eval').Arguments.ProcessingInputs[0].S3Input.S3Uri = { Get: "Steps.Train.ModelArtifacts['x" };
      step(def, 'Stop').Arguments.ErrorMessage = { 'Std:Join': { Values: ['a'] } };
    });
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['invalid-expression', 'Steps[Prep].Arguments.ProcessingInputs[0].S3Input.S3Uri.Get'],
      ['invalid-expression', 'Steps[Train].Arguments.OutputDataConfig.S3OutputPath'],
      ['invalid-expression', 'Steps[Eval].Arguments.ProcessingInputs[0].S3Input.S3Uri.Get'],
      ['invalid-expression', 'Steps[Stop].Arguments.ErrorMessage.Std:Join'],
    ]);
    expect(issues[0].message).toBe("Invalid Get: 'Params.InputData' must start with Parameters., Execution., PipelineExperimentConfig. or Steps.");
    expect(issues[1].message).toBe("Unknown function 'Std:Concat'; use Std:Join or Std:JsonGet.");
  });

  test('unknown processing outputs', () => {
    const issues = issuesOf((def) => {
      step(def, 'Eval').Arguments.ProcessingInputs[1].S3Input.S3Uri = {
        Get: "Steps.Prep.ProcessingOutputConfig.Outputs['nope'].S3Output.S3Uri",
      };
      step(def, 'Train').Arguments.InputDataConfig[0].DataSource.S3DataSource.S3Uri = {
        Get: 'Steps.Prep.ProcessingOutputConfig.Outputs[5].S3Output.S3Uri',
      };
    });
    expect(issues).toEqual([
      {
        code: 'unknown-output',
        path: 'Steps[Train].Arguments.InputDataConfig[0].DataSource.S3DataSource.S3Uri.Get',
        message: '"Steps.Prep.ProcessingOutputConfig.Outputs[5].S3Output.S3Uri": step \'Prep\' has only 2 outputs.',
      },
      {
        code: 'unknown-output',
        path: 'Steps[Eval].Arguments.ProcessingInputs[1].S3Input.S3Uri.Get',
        message: `"Steps.Prep.ProcessingOutputConfig.Outputs['nope'].S3Output.S3Uri": step 'Prep' has no output 'nope' (outputs: train, test).`,
      },
    ]);
  });

  test('property files whose output does not exist', () => {
    const issues = issuesOf((def) => {
      step(def, 'Eval').PropertyFiles[0].OutputName = 'metrics';
    });
    expect(issues).toEqual([
      {
        code: 'unknown-output',
        path: 'Steps[Eval].PropertyFiles[0].OutputName',
        message:
          "Property file 'Report' of step 'Eval' reads output 'metrics', which the step does not have (outputs: evaluation).",
      },
    ]);
  });

  test('JsonGet of an undeclared property file, or of a step without property files', () => {
    const undeclared = issuesOf((def) => {
      step(def, 'Check').Arguments.Conditions[0].LeftValue['Std:JsonGet'].PropertyFile = { Get: 'Steps.Eval.PropertyFiles.Nope' };
    });
    expect(undeclared).toEqual([
      {
        code: 'unknown-property-file',
        path: 'Steps[Check].Arguments.Conditions[0].LeftValue.Std:JsonGet.PropertyFile.Get',
        message: `"Steps.Eval.PropertyFiles.Nope": step 'Eval' declares no property file 'Nope' (declared: Report).`,
      },
    ]);
    const wrongStep = issuesOf((def) => {
      step(def, 'Check').Arguments.Conditions[0].LeftValue['Std:JsonGet'].PropertyFile = { Get: 'Steps.Train.PropertyFiles.Report' };
    });
    expect(wrongStep.map((i) => i.message)).toEqual([
      `"Steps.Train.PropertyFiles.Report": step 'Train' is a Training step and has no property files.`,
    ]);
  });

  test('property files read without JsonGet, and JsonGet of a non-file', () => {
    const issues = issuesOf((def) => {
      step(def, 'Register').Arguments.InferenceSpecification.Containers[0].ModelDataUrl = { Get: 'Steps.Eval.PropertyFiles.Report' };
      step(def, 'Check').Arguments.Conditions[0].LeftValue['Std:JsonGet'].PropertyFile = { Get: 'Steps.Train.ModelArtifacts' };
    });
    expect(issues.map((i) => i.message)).toEqual([
      'Std:JsonGet reads "Steps.Train.ModelArtifacts", which is not a property file; use Steps.<step>.PropertyFiles.<name>.',
      '"Steps.Eval.PropertyFiles.Report" is a property file; read values from it with Std:JsonGet.',
    ]);
  });

  test('PropertyFiles on a step that is not a Processing step', () => {
    const issues = issuesOf((def) => {
      step(def, 'Train').PropertyFiles = [{ PropertyFileName: 'X', OutputName: 'y', FilePath: 'z.json' }];
    });
    expect(issues.map((i) => [i.code, i.message])).toEqual([
      ['invalid-property-file', "Step 'Train' is a Training step; only Processing steps declare PropertyFiles."],
    ]);
  });

  test('an else-branch step referencing an if-branch step', () => {
    const issues = issuesOf((def) => {
      step(def, 'Stop').Arguments.ErrorMessage['Std:Join'].Values.push({ Get: 'Steps.Register.ModelPackageArn' });
    });
    expect(issues).toEqual([
      {
        code: 'unreachable-reference',
        path: 'Steps[Stop].Arguments.ErrorMessage.Std:Join.Values[4].Get',
        message:
          `"Steps.Register.ModelPackageArn" in step 'Stop' (in the ElseSteps of Check) refers to step 'Register', ` +
          'which runs only in the IfSteps of Check, so it may not have run; move the steps into the same branch.',
      },
    ]);
  });

  test('a top-level step depending on a branch step', () => {
    const issues = issuesOf((def) => {
      def.Steps.push({ Name: 'After', Type: 'Fail', Arguments: { ErrorMessage: 'done' }, DependsOn: ['Register'] });
    });
    expect(issues.map((i) => [i.code, i.path])).toEqual([['unreachable-reference', 'Steps[After].DependsOn[0]']]);
    expect(issues[0].message).toContain("refers to step 'Register', which runs only in the IfSteps of Check");
  });

  test('cycles through data references are named', () => {
    const issues = issuesOf((def) => {
      step(def, 'Prep').Arguments.ProcessingInputs.push({
        InputName: 'previous',
        S3Input: { ...step(def, 'Prep').Arguments.ProcessingInputs[0].S3Input, S3Uri: { Get: 'Steps.Eval.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri' } },
      });
    });
    expect(issues).toEqual([
      {
        code: 'cycle',
        path: 'Steps[Eval]',
        message:
          'Dependency cycle: Eval -> Prep -> Eval (each step depends on the next, through property references, ' +
          'DependsOn or an enclosing Condition); break the cycle.',
      },
    ]);
  });

  test('cycles through DependsOn, including a step depending on itself', () => {
    const issues = issuesOf((def) => {
      step(def, 'Prep').DependsOn = ['Train'];
      step(def, 'Eval').DependsOn = ['Eval'];
    });
    expect(issues.map((i) => i.message.split(' (')[0])).toEqual([
      'Dependency cycle: Eval -> Eval',
      'Dependency cycle: Prep -> Train -> Prep',
    ]);
  });

  test('a condition depending on its own branch is a cycle', () => {
    const issues = issuesOf((def) => {
      step(def, 'Check').DependsOn = ['Register'];
    });
    expect(issues.map((i) => i.code)).toEqual(['unreachable-reference', 'cycle']);
    expect(issues[1].message).toContain('Check -> Register -> Check');
  });

  test('malformed conditions', () => {
    const issues = issuesOf((def) => {
      step(def, 'Check').Arguments.Conditions = [
        { Type: 'Between', LeftValue: 1, RightValue: 2 },
        { Type: 'GreaterThan', LeftValue: 1 },
        { Type: 'Not' },
        { Type: 'In', QueryValue: 'a' },
        { Type: 'Or', Conditions: [] },
        { Type: 'Equals', LeftValue: [1], RightValue: { Name: 'x' } },
        { Type: 'Not', Condition: { Type: 'In', Values: ['a'] } },
        // older SDK releases named the negated condition `Expression`, which SageMaker rejects
        { Type: 'Not', Expression: { Type: 'LessThan', LeftValue: 1, RightValue: 2 } },
      ];
    });
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'Steps[Check].Arguments.Conditions[0].Type: Unknown condition type "Between"; use one of Equals, GreaterThan, GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo, In, Not, Or.',
      'Steps[Check].Arguments.Conditions[1].RightValue: GreaterThan condition is missing its RightValue.',
      'Steps[Check].Arguments.Conditions[2].Condition: Not condition is missing the Condition it negates.',
      'Steps[Check].Arguments.Conditions[3].Values: In condition needs a non-empty Values list, got undefined.',
      'Steps[Check].Arguments.Conditions[4].Conditions: Or condition needs a non-empty Conditions list, got [].',
      'Steps[Check].Arguments.Conditions[5].LeftValue: A condition operand must be a string, number, boolean or expression, got [1].',
      'Steps[Check].Arguments.Conditions[5].RightValue: A condition operand must be a string, number, boolean or expression, got {"Name":"x"}.',
      'Steps[Check].Arguments.Conditions[6].Condition.QueryValue: In condition is missing its QueryValue.',
      "Steps[Check].Arguments.Conditions[7].Expression: Not condition names its operand 'Expression', which SageMaker rejects; name it 'Condition'.",
    ]);
  });

  test('an empty Conditions list', () => {
    const issues = issuesOf((def) => {
      step(def, 'Check').Arguments.Conditions = [];
    });
    expect(issues).toEqual([
      {
        code: 'invalid-condition',
        path: 'Steps[Check].Arguments.Conditions',
        message: "Condition step 'Check' needs a non-empty Conditions list, got [].",
      },
    ]);
  });

  test('parameter default type mismatches', () => {
    const issues = issuesOf((def) => {
      def.Parameters = [
        { Name: 'S', Type: 'String', DefaultValue: 3 },
        { Name: 'I', Type: 'Integer', DefaultValue: 1.5 },
        { Name: 'F', Type: 'Float', DefaultValue: '0.5' },
        { Name: 'B', Type: 'Boolean', DefaultValue: 'true' },
        { Name: 'E', Type: 'String', DefaultValue: 'Maybe', EnumValues: ['Yes', 'No'] },
        ...def.Parameters,
      ];
    });
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'Parameters[S].DefaultValue: Parameter \'S\' is String but its DefaultValue is 3 (number); give a string default.',
      'Parameters[I].DefaultValue: Parameter \'I\' is Integer but its DefaultValue is 1.5 (number); give a whole number default.',
      'Parameters[F].DefaultValue: Parameter \'F\' is Float but its DefaultValue is "0.5" (string); give a float default.',
      'Parameters[B].DefaultValue: Parameter \'B\' is Boolean but its DefaultValue is "true" (string); give a boolean default.',
      'Parameters[E].DefaultValue: DefaultValue "Maybe" of \'E\' is not one of its EnumValues (Yes, No).',
    ]);
  });

  test('duplicate step names in the same list', () => {
    const issues = issuesOf((def) => {
      def.Steps[2].Name = 'Train';
      def.Steps[2].PropertyFiles = undefined;
      def.Steps[3].Arguments.Conditions[0].LeftValue = 1;
    });
    expect(issues.map((i) => i.message)).toEqual([
      "Step name 'Train' is used twice (at the top level); step names must be unique across all branches.",
    ]);
  });

  test('invalid and duplicate parameters', () => {
    const issues = issuesOf((def) => {
      def.Parameters.push({ Name: 'Threshold', Type: 'Float', DefaultValue: 1 });
      def.Parameters.push({ Name: 'Bad Name', Type: 'String' });
      def.Parameters.push({ Name: 'Kind', Type: 'Double' });
    });
    expect(issues.map((i) => i.code)).toEqual(['duplicate-parameter', 'invalid-parameter', 'invalid-parameter']);
    expect(issues[2].message).toBe('Parameter \'Kind\' has type "Double"; use String, Integer, Float or Boolean.');
  });

  test('empty step lists', () => {
    expect(issuesOf((def) => (def.Steps = []))).toEqual([
      { code: 'empty-steps', path: 'Steps', message: 'The pipeline has no steps; add at least one.' },
    ]);
  });

  test('a Condition step with two empty branches is valid: SageMaker runs it, and others can read its Outcome', () => {
    expect(
      issuesOf((def) => {
        def.Steps[3].Arguments.IfSteps = [];
        def.Steps[3].Arguments.ElseSteps = [];
      }),
    ).toEqual([]);
  });

  test('unknown step types, bad Arguments and a wrong Version', () => {
    const issues = issuesOf((def) => {
      def.Version = '2021-01-01';
      step(def, 'Stop').Type = 'Lambada';
      step(def, 'Register').Arguments = 'none';
    });
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'Version: Version must be "2020-12-01", got "2021-01-01".',
      'Steps[Register].Arguments: Step \'Register\' needs an Arguments object, got "none".',
      'Steps[Stop].Type: Step \'Stop\' has unknown type "Lambada"; use one of Processing, Training, Tuning, Transform, Model, ' +
        'RegisterModel, Condition, Fail, Lambda, Callback, QualityCheck, ClarifyCheck, EMR, AutoML.',
    ]);
  });

  test('bad CacheConfig durations and members', () => {
    const issues = issuesOf((def) => {
      step(def, 'Train').CacheConfig = { Enabled: 'yes', ExpireAfter: '30 days' };
      step(def, 'Prep').CacheConfig = { Enabled: true, ExpireAfter: 'PT' };
      step(def, 'Eval').CacheConfig = { Enabled: true, ExpireAfter: 'P1DT' };
      // SageMaker caches only the step types it documents and ignores the member on others
      step(def, 'Stop').CacheConfig = { Enabled: true };
    });
    const hint = 'use an ISO-8601 duration such as P30D or PT12H (or the SDK\'s short form, e.g. 30d or T16m).';
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      `Steps[Prep].CacheConfig.ExpireAfter: CacheConfig.ExpireAfter of step 'Prep' is "PT"; ${hint}`,
      'Steps[Train].CacheConfig.Enabled: CacheConfig.Enabled of step \'Train\' must be true or false, got "yes".',
      `Steps[Train].CacheConfig.ExpireAfter: CacheConfig.ExpireAfter of step 'Train' is "30 days"; ${hint}`,
      `Steps[Eval].CacheConfig.ExpireAfter: CacheConfig.ExpireAfter of step 'Eval' is "P1DT"; ${hint}`,
    ]);
  });

  test('valid ISO-8601 durations pass', () => {
    // ISO-8601, and the forms the SageMaker Python SDK and the AWS guide write: lowercase, without P
    for (const duration of ['P30D', 'PT12H', 'P1Y2M3DT4H5M6S', 'P2W', 'PT0.5S', '30d', 'T12H', 'p30d', 'T16m', '30dT5h', '5y']) {
      expect(issuesOf((def) => (step(def, 'Train').CacheConfig = { Enabled: true, ExpireAfter: duration }))).toEqual([]);
    }
  });

  test('bad retry policies', () => {
    const issues = issuesOf((def) => {
      step(def, 'Train').RetryPolicies = [
        { ExceptionType: [], IntervalSeconds: 0, BackoffRate: -1, MaxAttempts: 21 },
        { ExceptionType: ['Step.TIMEOUT'], MaxAttempts: 2, ExpireAfterMin: 10 },
      ];
      step(def, 'Register').RetryPolicies = [{ ExceptionType: ['SageMaker.CAPACITY_ERROR'], ExpireAfterMin: 20000 }];
      step(def, 'Check').RetryPolicies = [{ ExceptionType: ['Step.THROTTLING'] }];
    });
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'Steps[Train].RetryPolicies[0].ExceptionType: ExceptionType must be a non-empty list, got [].',
      'Steps[Train].RetryPolicies[0].IntervalSeconds: IntervalSeconds must be an integer from 1 to 43200, got 0.',
      'Steps[Train].RetryPolicies[0].MaxAttempts: MaxAttempts must be an integer from 0 to 20, got 21.',
      'Steps[Train].RetryPolicies[0].BackoffRate: BackoffRate must be a non-negative number, got -1.',
      'Steps[Train].RetryPolicies[1].ExceptionType: Exception type "Step.TIMEOUT" is not retryable on a Training step; use one of Step.SERVICE_FAULT, Step.THROTTLING, SageMaker.JOB_INTERNAL_ERROR, SageMaker.CAPACITY_ERROR, SageMaker.JOB_CAPACITY_ERROR, SageMaker.RESOURCE_LIMIT.',
      'Steps[Train].RetryPolicies[1]: A retry policy takes MaxAttempts or ExpireAfterMin, not both; remove one.',
      "Steps[Check].RetryPolicies: Step 'Check' is a Condition step, which cannot be retried; remove RetryPolicies.",
      'Steps[Register].RetryPolicies[0].ExceptionType: Exception type "SageMaker.CAPACITY_ERROR" is not retryable on a RegisterModel step; use one of Step.SERVICE_FAULT, Step.THROTTLING.',
      'Steps[Register].RetryPolicies[0].ExpireAfterMin: ExpireAfterMin must be an integer from 0 to 14400, got 20000.',
    ]);
  });

  test('unresolved CDK tokens are not checked', () => {
    const issues = issuesOf((def) => {
      def.Parameters[1].DefaultValue = '${Token[TOKEN.12]}';
      step(def, 'Prep').Arguments.ProcessingInputs[0].S3Input.S3Uri = { Get: '${Token[TOKEN.13]}' };
      step(def, 'Train').CacheConfig = { Enabled: true, ExpireAfter: '${Token[TOKEN.14]}' };
      step(def, 'Eval').PropertyFiles[0].OutputName = '${Token[TOKEN.15]}';
      step(def, 'Eval').DependsOn = ['${Token[TOKEN.16]}'];
    });
    expect(issues).toEqual([]);
  });

  test('PipelineExperimentConfig expressions are checked', () => {
    const issues = issuesOf((def) => {
      def.PipelineExperimentConfig = { ExperimentName: { Get: 'Execution.PipelineName' }, TrialName: { Get: 'Execution.Trial' } };
    });
    expect(issues.map((i) => i.path)).toEqual(['PipelineExperimentConfig.TrialName.Get']);
  });

  test('input that is not a definition', () => {
    expect(validatePipelineDefinition(null)).toEqual([
      { code: 'invalid-definition', path: '', message: 'The definition must be a JSON object, got null.' },
    ]);
    expect(validatePipelineDefinition({ Version: '2020-12-01' }).map((i) => i.message)).toEqual([
      'Steps must be a list of steps, got undefined.',
    ]);
  });
});

describe('assertValid', () => {
  test('returns a valid definition', () => {
    const def = validDefinition();
    expect(assertValid(def)).toBe(def);
  });

  test('throws one error listing every issue', () => {
    const def = validDefinition();
    def.Steps[3].Arguments.ElseSteps[0].Name = 'Register';
    def.Parameters[1].DefaultValue = 'high';
    expect(() => assertValid(def, 'training pipeline')).toThrow(
      'Invalid training pipeline definition (2 issues):\n' +
        '  - Parameters[Threshold].DefaultValue: Parameter \'Threshold\' is Float but its DefaultValue is "high" (string); give a float default.\n' +
        "  - Steps[Register]: Step name 'Register' is used twice (in the IfSteps of Check and in the ElseSteps of Check); step names must be unique across all branches.",
    );
  });

  test('forms the SageMaker Python SDK writes: Std:JsonGet by S3Uri, PipelineExperimentConfig reads, a null config', () => {
    expect(
      issuesOf((def) => {
        def.PipelineExperimentConfig = null;
        step(def, 'Stop').Arguments.ErrorMessage = {
          'Std:Join': {
            On: ' ',
            Values: [
              { Get: 'PipelineExperimentConfig.ExperimentName' },
              { Get: 'Execution.TrainingJobName' },
              { 'Std:JsonGet': { S3Uri: { 'Std:Join': { On: '/', Values: ['s3://b', { Get: 'Execution.PipelineExecutionId' }, 'r.json'] } }, Path: 'a.b' } },
            ],
          },
        };
      }),
    ).toEqual([]);
  });

  test('what those forms read is still checked', () => {
    const issues = issuesOf((def) => {
      step(def, 'Stop').Arguments.ErrorMessage = {
        'Std:Join': {
          On: ' ',
          Values: [
            { Get: 'PipelineExperimentConfig.RunName' },
            { 'Std:JsonGet': { S3Uri: { Get: 'Parameters.Nope' }, Path: 'a' } },
            { 'Std:JsonGet': { S3Uri: 7, Path: 'a' } },
          ],
        },
      };
    });
    expect(issues.map((i) => `${i.code} ${i.path}`)).toEqual([
      'invalid-expression Steps[Stop].Arguments.ErrorMessage.Std:Join.Values[0].Get',
      'unknown-parameter Steps[Stop].Arguments.ErrorMessage.Std:Join.Values[1].Std:JsonGet.S3Uri.Get',
      'invalid-expression Steps[Stop].Arguments.ErrorMessage.Std:Join.Values[2].Std:JsonGet.S3Uri',
    ]);
    expect(issues[0].message).toContain("use one of ExperimentName, TrialName");
  });

  test('every step type of the format is known, and job steps need the arguments their API request requires', () => {
    const issues = issuesOf((def) => {
      def.Steps.push({ Name: 'Notify', Type: 'Lambda', Arguments: { anything: 1 }, FunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f' });
      def.Steps.push({ Name: 'Wait', Type: 'Callback', Arguments: {}, SqsQueueUrl: 'https://sqs' });
      def.Steps.push({ Name: 'Emr', Type: 'EMR', Arguments: { ClusterId: 'j-1' }, RetryPolicies: [{ ExceptionType: ['Step.SERVICE_FAULT'] }] });
      delete step(def, 'Train').Arguments.RoleArn;
    });
    expect(issues).toEqual([
      {
        code: 'missing-argument',
        path: 'Steps[Train].Arguments.RoleArn',
        message: "Training step 'Train' has no RoleArn in its Arguments; the request SageMaker makes from them requires it.",
      },
    ]);
  });
});
