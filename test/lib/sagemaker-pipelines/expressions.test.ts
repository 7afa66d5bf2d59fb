import {
  Expressions,
  ExecutionVariables,
  ParameterBoolean,
  ParameterFloat,
  ParameterInteger,
  ParameterString,
  expressionKind,
  isExpression,
  isUnresolved,
  toJsonValue,
} from '../../../lib/sagemaker-pipelines';

describe('expressions', () => {
  test('Get of a parameter, a step property and an execution variable', () => {
    expect(Expressions.get('Parameters.InputDataUri')).toEqual({ Get: 'Parameters.InputDataUri' });
    expect(Expressions.stepProperty('Train', 'ModelArtifacts.S3ModelArtifacts')).toEqual({
      Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts',
    });
    expect(Expressions.stepProperty('Tune', '[0]')).toEqual({ Get: 'Steps.Tune[0]' });
    expect(ExecutionVariables.PipelineExecutionId).toEqual({ Get: 'Execution.PipelineExecutionId' });
    expect(ExecutionVariables.StartDateTime).toEqual({ Get: 'Execution.StartDateTime' });
  });

  test('Std:Join with a separator and nested expressions', () => {
    const threshold = new ParameterFloat('Threshold', { defaultValue: 0.5 });
    expect(Expressions.join(['metric below', threshold.ref], ' ')).toEqual({
      'Std:Join': { On: ' ', Values: ['metric below', { Get: 'Parameters.Threshold' }] },
    });
    expect(Expressions.join(['a', 'b'])).toEqual({ 'Std:Join': { On: '', Values: ['a', 'b'] } });
  });

  test('s3Uri joins "s3:/", the bucket and the key parts on "/"', () => {
    expect(Expressions.s3Uri('my-bucket', 'prefix', ExecutionVariables.PipelineExecutionId, 'train')).toEqual({
      'Std:Join': {
        On: '/',
        Values: ['s3:/', 'my-bucket', 'prefix', { Get: 'Execution.PipelineExecutionId' }, 'train'],
      },
    });
  });

  test('Std:JsonGet reads a path of a property file', () => {
    expect(Expressions.jsonGet('Evaluate', 'EvaluationReport', 'regression_metrics.mse.value')).toEqual({
      'Std:JsonGet': {
        PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' },
        Path: 'regression_metrics.mse.value',
      },
    });
  });

  test('expressionKind recognises exactly the three expression forms', () => {
    expect(expressionKind({ Get: 'Parameters.X' })).toBe('Get');
    expect(expressionKind({ 'Std:Join': { On: '', Values: [] } })).toBe('Std:Join');
    expect(expressionKind({ 'Std:JsonGet': {} })).toBe('Std:JsonGet');
    expect(expressionKind({ Get: 'x', Other: 1 })).toBeUndefined();
    expect(expressionKind('Parameters.X')).toBeUndefined();
    expect(expressionKind(['Get'])).toBeUndefined();
    expect(isExpression({ Get: 'Execution.PipelineName' })).toBe(true);
    expect(isExpression({ Name: 'x' })).toBe(false);
  });

  test('toJsonValue drops undefined members and keeps nested expressions', () => {
    expect(toJsonValue({ a: 1, b: undefined, c: [{ Get: 'Parameters.X' }, undefined], d: { e: undefined } })).toEqual({
      a: 1,
      c: [{ Get: 'Parameters.X' }],
      d: {},
    });
    expect(() => toJsonValue(() => 1)).toThrow(/function has no JSON form/);
  });
});

describe('parameters', () => {
  test('each parameter type renders its definition and a typed reference', () => {
    const uri = new ParameterString('InputDataUri', { defaultValue: 's3://bucket/data/' });
    const count = new ParameterInteger('InstanceCount', { defaultValue: 2 });
    const threshold = new ParameterFloat('QualityThreshold', { defaultValue: 0.75 });
    const flag = new ParameterBoolean('SkipEvaluation', { defaultValue: false });
    const required = new ParameterString('ModelPackageArn');
    const status = new ParameterString('Status', { defaultValue: 'Approved', enumValues: ['Approved', 'Rejected'] });

    expect([uri, count, threshold, flag, required, status].map((p) => p.toDefinition())).toEqual([
      { Name: 'InputDataUri', Type: 'String', DefaultValue: 's3://bucket/data/' },
      { Name: 'InstanceCount', Type: 'Integer', DefaultValue: 2 },
      { Name: 'QualityThreshold', Type: 'Float', DefaultValue: 0.75 },
      { Name: 'SkipEvaluation', Type: 'Boolean', DefaultValue: false },
      { Name: 'ModelPackageArn', Type: 'String' },
      { Name: 'Status', Type: 'String', DefaultValue: 'Approved', EnumValues: ['Approved', 'Rejected'] },
    ]);
    expect(threshold.ref).toEqual({ Get: 'Parameters.QualityThreshold' });
    expect(flag.ref).toEqual({ Get: 'Parameters.SkipEvaluation' });
  });
});

describe('isUnresolved', () => {
  test('detects CDK string, list and number tokens', () => {
    expect(isUnresolved('${Token[TOKEN.123]}')).toBe(true);
    expect(isUnresolved('s3://${Token[Bucket.Name.45]}/key')).toBe(true);
    expect(isUnresolved('#{Token[TOKEN.7]}')).toBe(true);
    expect(isUnresolved(['a', '#{Token[TOKEN.7]}'])).toBe(true);
    expect(isUnresolved('-1.8881545897087626e+289')).toBe(true);
    // CDK's encoding of the number token with id 0.
    expect(isUnresolved(-1.8881545897087626e289)).toBe(true);
  });

  test('plain values are resolved', () => {
    expect(isUnresolved('s3://bucket/key')).toBe(false);
    expect(isUnresolved('Token')).toBe(false);
    expect(isUnresolved(42)).toBe(false);
    expect(isUnresolved(0.5)).toBe(false);
    expect(isUnresolved(-1e300)).toBe(false);
    expect(isUnresolved(undefined)).toBe(false);
    expect(isUnresolved({ Get: 'Parameters.X' })).toBe(false);
  });
});
