import { loadStageConfig, namePrefixOf, resourceNames, type StageConfigOverrides } from '../../../lib/config';
import { checkDefinition, parseIntrinsic, parseReferencePath, UnsupportedAslError, type JsonObject } from '../../../local/stepfunctions/asl';
import { systemTestDefinition } from '../../../local/stepfunctions/system-test';

/**
 * The load-time check of local mode's Step Functions interpreter: the system test's own ASL passes, and ASL beyond
 * what the interpreter implements is rejected with a message naming the state and the field.
 */

/** A small definition in the shape of the system test's: a Task, a Map, a Choice, Pass, Succeed and Fail states. */
function base(): Record<string, JsonObject> {
  return {
    Plan: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:111111111111:function:plan',
      Parameters: { 'testDataUri.$': '$.testDataUri', fixed: 1 },
      ResultSelector: { 'batches.$': '$.batches' },
      ResultPath: '$.plan',
      Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'WhyItFailed' }],
      Next: 'Batches',
    },
    Batches: {
      Type: 'Map',
      ItemsPath: '$.plan.batches',
      ItemSelector: { 'firstRow.$': '$$.Map.Item.Value.firstRow', 'index.$': '$$.Map.Item.Index', 'uri.$': '$.testDataUri' },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Invoke',
        States: {
          Invoke: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:111111111111:function:invoke',
            Retry: [{ ErrorEquals: ['EndpointThrottled'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 30 }],
            End: true,
          },
        },
      },
      MaxConcurrency: 2,
      ResultPath: '$.batches',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'WhyItFailed' }],
      Next: 'Compare',
    },
    Compare: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.result.metric', NumericLessThan: 0.6, Next: 'Below' },
        { Variable: '$.result.latency', NumericGreaterThan: 5000, Next: 'Below' },
      ],
      Default: 'Passed',
    },
    Passed: { Type: 'Succeed', OutputPath: '$.result' },
    Below: { Type: 'Fail', Error: 'MetricBelowThreshold', CausePath: '$.result.cause' },
    WhyItFailed: {
      Type: 'Choice',
      Choices: [{ Variable: '$.error.Cause', StringMatches: '{*', Next: 'Read' }],
      Default: 'Faulted',
    },
    Read: {
      Type: 'Pass',
      Parameters: { 'Error.$': '$.error.Error', 'Cause.$': 'States.StringToJson($.error.Cause)' },
      ResultPath: '$.error',
      Next: 'CouldNotRun',
    },
    CouldNotRun: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause.errorMessage' },
    Faulted: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  };
}

const definitionWith = (change: (states: Record<string, JsonObject>) => void, top: JsonObject = {}): JsonObject => {
  const states = base();
  change(states);
  return { StartAt: 'Plan', States: states, TimeoutSeconds: 3600, ...top };
};

/** The message `checkDefinition` throws for `definition` (fails the test when it throws none). */
function rejection(definition: unknown): string {
  try {
    checkDefinition(definition);
  } catch (error) {
    expect(error).toBeInstanceOf(UnsupportedAslError);
    return (error as Error).message;
  }
  throw new Error('the definition was accepted');
}

const invoke = (states: Record<string, JsonObject>) => (states.Batches.ItemProcessor as { States: Record<string, JsonObject> }).States.Invoke;

describe('checkDefinition accepts', () => {
  test('a definition in the shape of the system test\'s', () => {
    // GIVEN / WHEN / THEN
    expect(() => checkDefinition(definitionWith(() => undefined))).not.toThrow();
  });

  test.each<[string, StageConfigOverrides]>([
    ['r2, higher is better (NumericLessThan)', {}],
    ['rmse, lower is better (NumericGreaterThan)', { qualityGate: { metric: 'rmse', threshold: 10 } as never, deployment: { systemTest: { metric: 'rmse', threshold: 10 } } as never }],
  ])('the system-test construct\'s ASL with %s', (_, overrides) => {
    // GIVEN the dev stage with the metric
    const config = loadStageConfig('dev', overrides);

    // WHEN the construct's ASL is loaded (systemTestDefinition checks it)
    const definition = systemTestDefinition(config, resourceNames(namePrefixOf('dev')), {
      artifactsBucket: 'mlops-dev-artifacts',
      dataKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/local',
    });

    // THEN it passes, with the Choice operator of the metric's direction
    const compare = definition.asl.States.CompareWithThresholds;
    expect(compare.Type).toBe('Choice');
    expect(Object.keys(compare.Type === 'Choice' ? compare.Choices[0] : {})).toContain(overrides.qualityGate ? 'NumericGreaterThan' : 'NumericLessThan');
    expect(definition.asl.TimeoutSeconds).toBe(3600);
  });
});

describe('checkDefinition rejects, naming the state and the field', () => {
  test.each<[string, (states: Record<string, JsonObject>) => void, RegExp]>([
    ['a state type', (s) => { s.Passed = { Type: 'Wait', Seconds: 1, Next: 'Below' }; }, /state Passed, field Type: "Wait" is not implemented/],
    ['a Parallel state', (s) => { s.Passed = { Type: 'Parallel', Branches: [], End: true }; }, /state Passed, field Type: "Parallel" is not implemented/],
    ['a Task timeout', (s) => { s.Plan.TimeoutSeconds = 60; }, /state Plan, field TimeoutSeconds: not implemented on a Task state/],
    ['a Task heartbeat', (s) => { s.Plan.HeartbeatSeconds = 10; }, /state Plan, field HeartbeatSeconds: not implemented/],
    ['Retry on a Map', (s) => { s.Batches.Retry = [{ ErrorEquals: ['States.ALL'] }]; }, /state Batches, field Retry: not implemented on a Map state/],
    ['a distributed Map', (s) => { (s.Batches.ItemProcessor as JsonObject).ProcessorConfig = { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }; }, /state Batches, field ItemProcessor\.ProcessorConfig: only \{ "Mode": "INLINE" \}/],
    ['an ItemReader', (s) => { s.Batches.ItemReader = { Resource: 'arn:aws:states:::s3:getObject' }; }, /state Batches, field ItemReader: not implemented/],
    ['the deprecated Iterator', (s) => { s.Batches.Iterator = s.Batches.ItemProcessor; }, /state Batches, field Iterator: not implemented/],
    ['the Choice operator NumericEquals', (s) => { s.Compare.Choices = [{ Variable: '$.v', NumericEquals: 1, Next: 'Passed' }]; }, /state Compare, field Choices\[0\]\.NumericEquals: the Choice operator NumericEquals is not implemented/],
    ['the Choice operator And', (s) => { s.Compare.Choices = [{ And: [{ Variable: '$.v', NumericLessThan: 1 }], Next: 'Passed' }]; }, /state Compare, field Choices\[0\]\.And: the Choice operator And is not implemented/],
    ['a Choice operator on a path', (s) => { s.Compare.Choices = [{ Variable: '$.v', NumericLessThanPath: '$.w', Next: 'Passed' }]; }, /state Compare, field Choices\[0\]\.NumericLessThanPath: the Choice operator NumericLessThanPath/],
    ['a Choice value of the wrong type', (s) => { s.Compare.Choices = [{ Variable: '$.v', NumericLessThan: '1', Next: 'Passed' }]; }, /state Compare, field Choices\[0\]\.NumericLessThan: expected a number/],
    ['a JSONPath wildcard', (s) => { s.Batches.ItemsPath = '$.plan.batches[*]'; }, /state Batches, field ItemsPath: "\$\.plan\.batches\[\*\]" is not a reference path/],
    ['a deep scan', (s) => { s.Plan.Parameters = { 'x.$': '$..testDataUri' }; }, /state Plan, field Parameters\.x\.\$: "\$\.\.testDataUri" is not a reference path/],
    ['bracket notation', (s) => { s.Passed.OutputPath = "$['result']"; }, /state Passed, field OutputPath: .* is not a reference path/],
    ['a null InputPath', (s) => { s.Passed.InputPath = null; }, /state Passed, field InputPath: null is not a reference path/],
    ['a ResultPath with an index', (s) => { s.Plan.ResultPath = '$.plans[0]'; }, /state Plan, field ResultPath: "\$\.plans\[0\]" is not null or a path of \.name steps/],
    ['the context object outside an ItemSelector', (s) => { s.Plan.Parameters = { 'input.$': '$$.Execution.Input' }; }, /state Plan, field Parameters\.input\.\$: the context object path \$\$\.Execution\.Input is not implemented/],
    ['$$.Map.Item outside an ItemSelector', (s) => { invoke(s).Parameters = { 'v.$': '$$.Map.Item.Value' }; }, /state Invoke, field Parameters\.v\.\$: the context object path \$\$\.Map\.Item\.Value is not implemented/],
    ['the intrinsic States.Format', (s) => { s.Read.Parameters = { 'Cause.$': "States.Format('{}', $.error.Cause)" }; }, /state Read, field Parameters\.Cause\.\$: the intrinsic function States\.Format is not implemented/],
    ['an intrinsic in CausePath', (s) => { s.Faulted.CausePath = 'States.JsonToString($.error)'; }, /state Faulted, field CausePath: .* is not a reference path/],
    ['paths inside an array', (s) => { s.Plan.Parameters = { list: [{ 'x.$': '$.a' }] }; }, /state Plan, field Parameters\.list: paths inside arrays are not implemented/],
    ['JitterStrategy', (s) => { invoke(s).Retry = [{ ErrorEquals: ['EndpointThrottled'], JitterStrategy: 'FULL' }]; }, /state Invoke, field Retry\[0\]\.JitterStrategy: not implemented/],
    ['States.TaskFailed', (s) => { s.Plan.Catch = [{ ErrorEquals: ['States.TaskFailed'], Next: 'Faulted' }]; }, /state Plan, field Catch\[0\]\.ErrorEquals: States\.TaskFailed is not implemented/],
    ['States.ALL before another catcher', (s) => { s.Plan.Catch = [{ ErrorEquals: ['States.ALL'], Next: 'Faulted' }, { ErrorEquals: ['E'], Next: 'Faulted' }]; }, /state Plan, field Catch\[0\]\.ErrorEquals: States\.ALL must be alone and in the last catcher/],
    ['a BackoffRate below 1', (s) => { s.Plan.Retry = [{ ErrorEquals: ['E'], BackoffRate: 0.5 }]; }, /state Plan, field Retry\[0\]\.BackoffRate: expected a number >= 1/],
    ['a transition to no state', (s) => { s.Plan.Next = 'Nowhere'; }, /state Plan, field Next: "Nowhere" is no state of the state machine/],
    ['a transition out of a Map\'s processor', (s) => { invoke(s).Next = 'Passed'; delete invoke(s).End; }, /state Invoke, field Next: "Passed" is no state of the ItemProcessor of Batches/],
    ['both Next and End', (s) => { s.Plan.End = true; }, /state Plan, field Next: expected exactly one of Next or End: true/],
    ['a Fail state with Error and ErrorPath', (s) => { s.Below.ErrorPath = '$.e'; }, /state Below, field Error: expected exactly one of Error or ErrorPath/],
  ])('%s', (_, change, message) => {
    // GIVEN a definition with the change
    const definition = definitionWith(change);

    // WHEN it is checked / THEN the message names the state and the field
    expect(rejection(definition)).toMatch(message);
  });

  test('fields of the state machine itself', () => {
    // GIVEN / WHEN / THEN
    expect(rejection(definitionWith(() => undefined, { QueryLanguage: 'JSONata' }))).toMatch(/the state machine, field QueryLanguage: not implemented/);
    expect(rejection(definitionWith(() => undefined, { TimeoutSeconds: 1.5 }))).toMatch(/the state machine, field TimeoutSeconds: expected a positive integer/);
    expect(rejection(definitionWith(() => undefined, { StartAt: 'Nowhere' }))).toMatch(/the state machine, field StartAt: "Nowhere" is no state/);
  });

  test('every problem at once, one per line', () => {
    // GIVEN two unsupported fields in two states
    const definition = definitionWith((s) => {
      s.Plan.TimeoutSeconds = 60;
      s.Compare.Choices = [{ Variable: '$.v', StringEquals: 'x', Next: 'Passed' }];
    });

    // WHEN
    const message = rejection(definition);

    // THEN
    expect(message.split('\n')).toEqual([
      'The state machine uses ASL that local mode\'s Step Functions interpreter does not implement:',
      '  - state Plan, field TimeoutSeconds: not implemented on a Task state',
      '  - state Compare, field Choices[0].StringEquals: the Choice operator StringEquals is not implemented (only NumericLessThan, NumericGreaterThan, StringMatches are)',
    ]);
  });
});

describe('paths and intrinsic functions', () => {
  test('parseReferencePath reads .name and [index] steps from $ or $$', () => {
    expect(parseReferencePath('$')).toEqual({ text: '$', root: '$', steps: [] });
    expect(parseReferencePath('$.a.b_2[10].c')).toEqual({ text: '$.a.b_2[10].c', root: '$', steps: ['a', 'b_2', 10, 'c'] });
    expect(parseReferencePath('$$.Map.Item.Value')).toMatchObject({ root: '$$', steps: ['Map', 'Item', 'Value'] });
    for (const text of ['a.b', '$.', '$.a[01]', '$.a-b', '$[\'a\']', '$.a[*]', '$.a[0:2]', '$..a', '$.a[?(@.x)]']) expect(parseReferencePath(text)).toBeUndefined();
  });

  test('parseIntrinsic knows States.StringToJson of a path, and names the others', () => {
    expect(parseIntrinsic('$.a')).toBeUndefined();
    expect(parseIntrinsic('States.StringToJson($.error.Cause)')).toMatchObject({ name: 'States.StringToJson', argument: { steps: ['error', 'Cause'] } });
    expect(parseIntrinsic('States.Array($.a)')).toEqual(new Error('the intrinsic function States.Array is not implemented (only States.StringToJson is)'));
    expect(parseIntrinsic("States.StringToJson('{}')")).toBeInstanceOf(Error);
  });
});
