import {
  evaluateCondition,
  evaluateConditions,
  ExpressionError,
  parsePath,
  resolveValue,
  type ExpressionContext,
} from '../../../local/executor';

const properties: Record<string, Record<string, unknown>> = {
  Preprocess: {
    ProcessingJobName: 'pipelines-abc-Preprocess',
    ProcessingOutputConfig: {
      Outputs: [
        { OutputName: 'train', S3Output: { S3Uri: 's3://bkt/train', LocalPath: '/opt/ml/processing/train' } },
        { OutputName: 'test', S3Output: { S3Uri: 's3://bkt/test', LocalPath: '/opt/ml/processing/test' } },
      ],
    },
  },
  Tune: {
    TrainingJobSummaries: [{ TrainingJobName: 'tune-001-aa', FinalHyperParameterTuningJobObjectiveMetric: { MetricName: 'validation:rmse', Value: 0.5 } }],
    Extra: { 'key with space': 7 },
  },
  Train: { FinalMetricDataList: [{ MetricName: 'validation:rmse', Value: 1.5 }] },
};

const reports: Record<string, unknown> = {
  'Evaluate/EvaluationReport': { regression_metrics: { mse: { value: 4.5 }, r2: { value: 0.8 } }, list: [{ v: 1 }, { v: 2 }] },
};

const ctx: ExpressionContext = {
  parameter: (name) => ({ Threshold: 6, Name: 'abc', Flag: true, Count: 3 })[name],
  parameterType: (name) => ({ Threshold: 'Float', Name: 'String', Flag: 'Boolean', Count: 'Integer' })[name] as never,
  execution: (name) =>
    ({ PipelineExecutionId: 'exec123', PipelineName: 'training', StartDateTime: '2026-01-01T00:00:00.000Z' })[name],
  experimentConfig: (name) => ({ ExperimentName: 'training', TrialName: 'exec123' })[name],
  stepProperties: (name) => properties[name],
  propertyFile: (step, file) => {
    const found = reports[`${step}/${file}`];
    if (found === undefined) throw new Error(`no property file ${file} on ${step}`);
    return found;
  },
  s3Json: (uri) => {
    if (uri === 's3://bkt/doc.json') return { a: { b: 'c' } };
    throw new Error(`No object at ${uri}`);
  },
};

describe('expressions', () => {
  test('Get of parameters and execution variables', () => {
    expect(resolveValue({ Get: 'Parameters.Threshold' }, ctx)).toBe(6);
    expect(resolveValue({ Get: 'Parameters.Flag' }, ctx)).toBe(true);
    expect(resolveValue({ Get: 'Execution.PipelineExecutionId' }, ctx)).toBe('exec123');
    expect(() => resolveValue({ Get: 'Parameters.Missing' }, ctx)).toThrow('Cannot resolve {"Get":"Parameters.Missing"}: no parameter "Missing"');
    expect(() => resolveValue({ Get: 'Execution.Nope' }, ctx)).toThrow(/unknown execution variable "Nope" \(use one of StartDateTime/);
    expect(resolveValue({ Get: 'PipelineExperimentConfig.TrialName' }, ctx)).toBe('exec123');
    expect(() => resolveValue({ Get: 'PipelineExperimentConfig.RunName' }, ctx)).toThrow(/experiment tracking off/);
  });

  test('step property paths with .a, [0] and [\'key\'] (lists indexed by their name field)', () => {
    expect(resolveValue({ Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" }, ctx)).toBe('s3://bkt/train');
    expect(resolveValue({ Get: 'Steps.Preprocess.ProcessingOutputConfig.Outputs[1].S3Output.S3Uri' }, ctx)).toBe('s3://bkt/test');
    expect(resolveValue({ Get: 'Steps.Tune.TrainingJobSummaries[0].TrainingJobName' }, ctx)).toBe('tune-001-aa');
    expect(resolveValue({ Get: "Steps.Train.FinalMetricDataList['validation:rmse'].Value" }, ctx)).toBe(1.5);
    expect(resolveValue({ Get: "Steps.Tune.Extra['key with space']" }, ctx)).toBe(7);
  });

  test('unresolvable paths name the expression and what is available', () => {
    expect(() => resolveValue({ Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['validation'].S3Output.S3Uri" }, ctx)).toThrow(
      `Cannot resolve {"Get":"Steps.Preprocess.ProcessingOutputConfig.Outputs['validation'].S3Output.S3Uri"}: ProcessingOutputConfig.Outputs has no element named 'validation' (available: train, test)`,
    );
    expect(() => resolveValue({ Get: 'Steps.Tune.TrainingJobSummaries[3].TrainingJobName' }, ctx)).toThrow(
      /TrainingJobSummaries has 1 element\(s\), so \[3\] is out of range/,
    );
    expect(() => resolveValue({ Get: 'Steps.Preprocess.ProcessingJobStatus' }, ctx)).toThrow(
      /\(root\) has no property "ProcessingJobStatus" \(available: ProcessingJobName, ProcessingOutputConfig\)/,
    );
    expect(() => resolveValue({ Get: 'Steps.Evaluate.ProcessingJobName' }, ctx)).toThrow(/step "Evaluate" has not run/);
    expect(() => resolveValue({ Get: 'Steps.Preprocess.ProcessingJobName[0]' }, ctx)).toThrow(/ProcessingJobName is not a list/);
    expect(() => resolveValue({ Get: 'Steps.Preprocess..ProcessingJobName' }, ctx)).toThrow(ExpressionError);
    expect(() => resolveValue({ Get: 'Steps.Preprocess.Outputs[train]' }, ctx)).toThrow(/must be a number or a quoted key/);
    expect(() => resolveValue({ Get: 'Foo.Bar' }, ctx)).toThrow(/must start with Parameters\., Execution\., PipelineExperimentConfig\. or Steps\./);
  });

  test('Std:Join formats values like SageMaker (Float parameters keep a decimal point)', () => {
    expect(
      resolveValue(
        { 'Std:Join': { On: '/', Values: ['s3:/', 'bkt', { Get: 'Execution.PipelineExecutionId' }, { Get: 'Parameters.Count' }, 'x'] } },
        ctx,
      ),
    ).toBe('s3://bkt/exec123/3/x');
    expect(resolveValue({ 'Std:Join': { On: ' ', Values: ['MSE >', { Get: 'Parameters.Threshold' }, { Get: 'Parameters.Flag' }] } }, ctx)).toBe(
      'MSE > 6.0 true',
    );
  });

  test('Std:JsonGet reads property files and S3 JSON with dotted and indexed paths', () => {
    const jsonGet = (pathText: string) => ({
      'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: pathText },
    });
    expect(resolveValue(jsonGet('regression_metrics.mse.value'), ctx)).toBe(4.5);
    expect(resolveValue(jsonGet('list[1].v'), ctx)).toBe(2);
    expect(resolveValue(jsonGet("regression_metrics['r2'].value"), ctx)).toBe(0.8);
    expect(() => resolveValue(jsonGet('regression_metrics.rmse.value'), ctx)).toThrow(
      /Cannot resolve \{"Std:JsonGet".*regression_metrics has no property "rmse" \(available: mse, r2\)/,
    );
    expect(resolveValue({ 'Std:JsonGet': { S3Uri: 's3://bkt/doc.json', Path: 'a.b' } }, ctx)).toBe('c');
    expect(() =>
      resolveValue({ 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.Other' }, Path: 'a' } }, ctx),
    ).toThrow(/no property file Other on Evaluate/);
    expect(() => resolveValue({ 'Std:JsonGet': { PropertyFile: 'EvaluationReport', Path: 'a' } }, ctx)).toThrow(
      /"PropertyFile" must be \{"Get":"Steps.<Step>.PropertyFiles.<Name>"\}/,
    );
  });

  test('resolves deeply and leaves plain objects alone', () => {
    expect(
      resolveValue({ A: [{ Get: 'Parameters.Name' }, 1, null], B: { Get: 'Parameters.Count', Other: 1 }, C: { D: { Get: 'Parameters.Flag' } } }, ctx),
    ).toEqual({ A: ['abc', 1, null], B: { Get: 'Parameters.Count', Other: 1 }, C: { D: true } });
  });

  test('parsePath', () => {
    expect(parsePath("a.b[0]['c.d'][\"e\"]", 'test')).toEqual([
      { kind: 'member', name: 'a' },
      { kind: 'member', name: 'b' },
      { kind: 'index', index: 0 },
      { kind: 'key', key: 'c.d' },
      { kind: 'key', key: 'e' },
    ]);
    expect(() => parsePath('a.', 'test')).toThrow(/ends with "\."/);
    expect(() => parsePath("a['b'", 'test')).toThrow(/unclosed "\["/);
  });
});

describe('conditions', () => {
  const mse = { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: 'regression_metrics.mse.value' } };
  const cond = (Type: string, LeftValue: unknown, RightValue: unknown) => ({ Type, LeftValue, RightValue });

  test.each([
    ['Equals', 4.5, 4.5, true],
    ['Equals', 4.5, '4.5', true],
    ['Equals', 'abc', 'abd', false],
    ['Equals', true, true, true],
    ['GreaterThan', 5, 4.5, true],
    ['GreaterThan', 4.5, 4.5, false],
    ['GreaterThanOrEqualTo', 4.5, 4.5, true],
    ['LessThan', 4, 4.5, true],
    ['LessThan', 4.5, 4.5, false],
    ['LessThanOrEqualTo', 4.5, 4.5, true],
    ['LessThanOrEqualTo', 4.6, 4.5, false],
    ['LessThan', 'a', 'b', true],
  ])('%s(%p, %p) is %p', (type, left, right, expected) => {
    expect(evaluateCondition(cond(type, left, right), ctx)).toBe(expected);
  });

  test('operands are expressions', () => {
    expect(evaluateCondition(cond('LessThanOrEqualTo', mse, { Get: 'Parameters.Threshold' }), ctx)).toBe(true);
    expect(evaluateCondition(cond('GreaterThan', mse, { Get: 'Parameters.Threshold' }), ctx)).toBe(false);
  });

  test('In, Not, Or, and the ANDed list', () => {
    expect(evaluateCondition({ Type: 'In', QueryValue: { Get: 'Parameters.Name' }, Values: ['x', 'abc'] }, ctx)).toBe(true);
    expect(evaluateCondition({ Type: 'In', QueryValue: 3, Values: [1, 2] }, ctx)).toBe(false);
    expect(evaluateCondition({ Type: 'Not', Condition: cond('Equals', 1, 1) }, ctx)).toBe(false);
    expect(evaluateCondition({ Type: 'Not', Condition: cond('Equals', 1, 2) }, ctx)).toBe(true);
    expect(evaluateCondition({ Type: 'Or', Conditions: [cond('Equals', 1, 2), cond('Equals', 2, 2)] }, ctx)).toBe(true);
    expect(evaluateCondition({ Type: 'Or', Conditions: [cond('Equals', 1, 2), cond('Equals', 2, 3)] }, ctx)).toBe(false);
    expect(evaluateConditions([cond('Equals', 1, 1), cond('LessThan', 1, 2)], ctx)).toBe(true);
    expect(evaluateConditions([cond('Equals', 1, 1), cond('LessThan', 3, 2)], ctx)).toBe(false);
  });

  test('errors name the condition and the values', () => {
    expect(() => evaluateCondition(cond('GreaterThan', 'abc', 1), ctx)).toThrow(/compares "abc" with 1: GreaterThan needs two numbers/);
    expect(() => evaluateCondition({ Type: 'Between', LeftValue: 1 }, ctx)).toThrow(/unsupported Type "Between"/);
    expect(() => evaluateConditions({}, ctx)).toThrow(/"Conditions" must be a list/);
    // a broken operand in an Or is reported even if another branch is true
    expect(() => evaluateCondition({ Type: 'Or', Conditions: [cond('Equals', 1, 1), cond('Equals', { Get: 'Parameters.Nope' }, 1)] }, ctx)).toThrow(
      /no parameter "Nope"/,
    );
  });
});
