import type { Json, JsonObject } from '../../../local/stepfunctions/asl';
import { StateMachine, StatesError, retryDelaySeconds, wildcardMatches, type ExecutionOptions, type TaskHandler } from '../../../local/stepfunctions/interpreter';

/**
 * Local mode's Step Functions interpreter on small definitions: the data flow of each state type, Retry and Catch,
 * Map, Choice, Fail and Succeed, and the state machine's timeout. Retries wait through a recorded sleep.
 */

/** A state machine of `states`, starting at the first. */
function machine(states: Record<string, JsonObject>, top: JsonObject = {}): StateMachine {
  return new StateMachine({ StartAt: Object.keys(states)[0], States: states, ...top });
}

/** Runs with `tasks`, recording the states entered and the retries' waits. */
async function run(sm: StateMachine, input: Json, tasks: Record<string, TaskHandler> = {}, options: Partial<ExecutionOptions> = {}) {
  const states: string[] = [];
  const sleeps: number[] = [];
  const result = await sm.run(input, {
    tasks,
    onStateEntered: (name) => states.push(name),
    sleep: async (ms) => void sleeps.push(ms),
    ...options,
  });
  return { result, states, sleeps };
}

/** A handler that fails with `error` (and `cause`) its first `times` calls, then returns `result`. */
function failing(times: number, error: string | string[], result: Json = 'ok'): TaskHandler & { calls: number } {
  const handler = Object.assign(async () => {
    handler.calls += 1;
    if (handler.calls <= times) throw new StatesError(Array.isArray(error) ? error[handler.calls - 1] : error, `attempt ${handler.calls}`);
    return result;
  }, { calls: 0 });
  return handler;
}

/** A Task state: the end, unless `fields` has a Next. */
const task = (fields: JsonObject = {}): JsonObject => ({ Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:f', ...('Next' in fields ? {} : { End: true }), ...fields });
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('input and output processing', () => {
  test('a Task applies InputPath, Parameters, ResultSelector, ResultPath and OutputPath in that order', async () => {
    // GIVEN a Task that uses every field of the data flow
    const sm = machine({
      Work: task({
        InputPath: '$.job',
        Parameters: { 'id.$': '$.id', fixed: 7, nested: { 'first.$': '$.items[0]' } },
        ResultSelector: { 'total.$': '$.sum', 'echo.$': '$.payload' },
        ResultPath: '$.job.outcome',
        OutputPath: '$.job',
      }),
    });
    const payloads: Json[] = [];
    const work: TaskHandler = async (payload) => {
      payloads.push(payload);
      return { sum: 42, payload, ignored: true };
    };

    // WHEN it runs
    const { result } = await run(sm, { job: { id: 'a', items: ['x', 'y'] }, other: 1 }, { Work: work });

    // THEN the handler got the Parameters filled from the InputPath's selection, and the output is the OutputPath's
    // selection of the raw input with the selected result at ResultPath
    expect(payloads).toEqual([{ id: 'a', fixed: 7, nested: { first: 'x' } }]);
    expect(result).toEqual({
      status: 'SUCCEEDED',
      output: { id: 'a', items: ['x', 'y'], outcome: { total: 42, echo: { id: 'a', fixed: 7, nested: { first: 'x' } } } },
    });
  });

  test('without fields a Task passes its input to the handler and outputs the result; ResultPath null keeps the input', async () => {
    // GIVEN two Tasks, the second discarding its result
    const sm = machine({ First: task({ Next: 'Second' }), Second: task({ ResultPath: null }) });

    // WHEN they run
    const { result } = await run(sm, { a: 1 }, { First: async (input) => ({ from: input }), Second: async () => 'dropped' });

    // THEN
    expect(result).toEqual({ status: 'SUCCEEDED', output: { from: { a: 1 } } });
  });

  test('a Pass state fills its Parameters, States.StringToJson parses a string, and Result is taken as is', async () => {
    // GIVEN
    const sm = machine({
      Parse: { Type: 'Pass', Parameters: { 'Error.$': '$.error.Error', 'Cause.$': 'States.StringToJson($.error.Cause)' }, ResultPath: '$.error', Next: 'Constant' },
      Constant: { Type: 'Pass', Result: { fixed: true }, ResultPath: '$.constant', End: true },
    });

    // WHEN
    const { result } = await run(sm, { error: { Error: 'E', Cause: '{"errorMessage":"boom","n":[1]}' } });

    // THEN
    expect(result).toEqual({ status: 'SUCCEEDED', output: { error: { Error: 'E', Cause: { errorMessage: 'boom', n: [1] } }, constant: { fixed: true } } });
  });

  test('States.StringToJson of a string that is not JSON fails with States.IntrinsicFailure', async () => {
    // GIVEN / WHEN
    const sm = machine({ Parse: { Type: 'Pass', Parameters: { 'v.$': 'States.StringToJson($.text)' }, End: true } });
    const { result } = await run(sm, { text: 'not json' });

    // THEN
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.IntrinsicFailure', cause: expect.stringMatching(/Parse\.Parameters\.v\.\$.*not JSON/) });
  });

  test('a path that selects nothing fails the execution with States.Runtime, naming the state and the path', async () => {
    // GIVEN a Parameters path to a missing field, under a Catch of States.ALL
    const sm = machine({
      Work: task({ Parameters: { 'x.$': '$.missing' }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }] }),
      Handled: { Type: 'Succeed' },
    });

    // WHEN
    const { result, states } = await run(sm, { present: 1 }, { Work: async () => 'never' });

    // THEN States.ALL does not catch States.Runtime
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: expect.stringMatching(/^Work\.Parameters\.x\.\$: \$\.missing selects nothing/) });
    expect(states).toEqual(['Work']);
  });
});

describe('Choice', () => {
  const choice = (rule: JsonObject) => machine({
    Decide: { Type: 'Choice', Choices: [{ Variable: '$.v', ...rule, Next: 'Matched' }], Default: 'Otherwise' },
    Matched: { Type: 'Succeed' },
    Otherwise: { Type: 'Succeed' },
  });

  test.each<[string, JsonObject, Json, 'Matched' | 'Otherwise']>([
    ['NumericLessThan below', { NumericLessThan: 0.6 }, 0.5, 'Matched'],
    ['NumericLessThan equal', { NumericLessThan: 0.6 }, 0.6, 'Otherwise'],
    ['NumericLessThan on a string', { NumericLessThan: 0.6 }, '0.5', 'Otherwise'],
    ['NumericGreaterThan above', { NumericGreaterThan: 5000 }, 5000.5, 'Matched'],
    ['NumericGreaterThan equal', { NumericGreaterThan: 5000 }, 5000, 'Otherwise'],
    ['NumericGreaterThan on null', { NumericGreaterThan: 5000 }, null, 'Otherwise'],
    ['StringMatches a prefix', { StringMatches: '{*' }, '{"errorType":"E"}', 'Matched'],
    ['StringMatches not the prefix', { StringMatches: '{*' }, 'Task timed out', 'Otherwise'],
    ['StringMatches with * inside', { StringMatches: 'log-*.txt' }, 'log-2024.txt', 'Matched'],
    ['StringMatches an escaped *', { StringMatches: 'a\\*b' }, 'a*b', 'Matched'],
    ['StringMatches an escaped * literally', { StringMatches: 'a\\*b' }, 'axxb', 'Otherwise'],
    ['StringMatches on a number', { StringMatches: '*' }, 1, 'Otherwise'],
  ])('%s', async (_, rule, value, expected) => {
    // GIVEN / WHEN
    const { states } = await run(choice(rule), { v: value });

    // THEN
    expect(states).toEqual(['Decide', expected]);
  });

  test('the first matching rule wins, and the Choice passes its input on', async () => {
    // GIVEN two rules that both match
    const sm = machine({
      Decide: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.metric', NumericLessThan: 0.6, Next: 'MetricBelow' },
          { Variable: '$.latency', NumericGreaterThan: 10, Next: 'LatencyAbove' },
        ],
      },
      MetricBelow: { Type: 'Succeed' },
      LatencyAbove: { Type: 'Succeed' },
    });

    // WHEN
    const { result, states } = await run(sm, { metric: 0.1, latency: 99 });

    // THEN
    expect(states).toEqual(['Decide', 'MetricBelow']);
    expect(result).toEqual({ status: 'SUCCEEDED', output: { metric: 0.1, latency: 99 } });
  });

  test('no match and no Default fails with States.NoChoiceMatched; a missing Variable with States.Runtime', async () => {
    // GIVEN
    const sm = machine({ Decide: { Type: 'Choice', Choices: [{ Variable: '$.v', NumericLessThan: 1, Next: 'Done' }] }, Done: { Type: 'Succeed' } });

    // WHEN / THEN
    expect((await run(sm, { v: 5 })).result).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
    expect((await run(sm, { w: 5 })).result).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: expect.stringMatching(/Decide: Variable \$\.v selects nothing/) });
  });

  test('wildcardMatches: * is any run of characters, \\* and \\\\ are literal', () => {
    expect(wildcardMatches('*', '')).toBe(true);
    expect(wildcardMatches('a*c*e', 'abcde')).toBe(true);
    expect(wildcardMatches('a*c', 'abcd')).toBe(false);
    expect(wildcardMatches('a.c', 'abc')).toBe(false);
    expect(wildcardMatches('a\\\\b', 'a\\b')).toBe(true);
    expect(wildcardMatches('{*', '{\n}')).toBe(true);
  });
});

describe('Retry', () => {
  test('waits IntervalSeconds × BackoffRate^n between attempts, and stops after MaxAttempts retries', async () => {
    // GIVEN a task that always fails with a retried error
    const sm = machine({ Work: task({ Retry: [{ ErrorEquals: ['Throttled'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 3 }] }) });
    const work = failing(10, 'Throttled');

    // WHEN
    const { result, sleeps } = await run(sm, {}, { Work: work });

    // THEN one attempt and three retries, after 2, 4 and 8 s
    expect(work.calls).toBe(4);
    expect(sleeps).toEqual([2000, 4000, 8000]);
    expect(result).toEqual({ status: 'FAILED', error: 'Throttled', cause: 'attempt 4' });
  });

  test('MaxDelaySeconds caps the wait; a later success ends the retries', async () => {
    // GIVEN the system test's throttling retrier, and a task that is throttled five times
    const sm = machine({ Work: task({ Retry: [{ ErrorEquals: ['EndpointThrottled'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 30 }] }) });
    const work = failing(5, 'EndpointThrottled', 'done');

    // WHEN
    const { result, sleeps } = await run(sm, {}, { Work: work });

    // THEN the fifth wait (32 s) is cut to 30 s
    expect(sleeps).toEqual([2000, 4000, 8000, 16000, 30000]);
    expect(result).toEqual({ status: 'SUCCEEDED', output: 'done' });
  });

  test('defaults: 1 s, rate 2, 3 retries; MaxAttempts 0 never retries; other errors are not retried', async () => {
    // GIVEN
    const defaults = machine({ Work: task({ Retry: [{ ErrorEquals: ['E'] }] }) });
    const never = machine({ Work: task({ Retry: [{ ErrorEquals: ['E'], MaxAttempts: 0 }] }) });

    // WHEN / THEN
    expect((await run(defaults, {}, { Work: failing(10, 'E') })).sleeps).toEqual([1000, 2000, 4000]);
    const once = failing(10, 'E');
    expect((await run(never, {}, { Work: once })).sleeps).toEqual([]);
    expect(once.calls).toBe(1);
    const other = failing(10, 'Other');
    expect((await run(defaults, {}, { Work: other })).result).toMatchObject({ status: 'FAILED', error: 'Other' });
    expect(other.calls).toBe(1);
  });

  test('each retrier counts its own retries, and an exhausted retrier hands the error to Catch', async () => {
    // GIVEN two retriers and a task failing with ErrorA, ErrorB, ErrorC, ErrorB
    const sm = machine({
      Work: task({
        Retry: [{ ErrorEquals: ['ErrorA', 'ErrorB'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2 }, { ErrorEquals: ['ErrorC'], IntervalSeconds: 5 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Z' }],
      }),
      Z: { Type: 'Succeed' },
    });
    const work = failing(4, ['ErrorA', 'ErrorB', 'ErrorC', 'ErrorB']);

    // WHEN
    const { result, sleeps, states } = await run(sm, {}, { Work: work });

    // THEN waits of 1 and 2 s (first retrier), 5 s (second), then the first is exhausted: caught
    expect(sleeps).toEqual([1000, 2000, 5000]);
    expect(states).toEqual(['Work', 'Z']);
    expect(result).toEqual({ status: 'SUCCEEDED', output: { Error: 'ErrorB', Cause: 'attempt 4' } });
  });

  test('retryDelaySeconds', () => {
    expect(retryDelaySeconds({ ErrorEquals: ['E'] }, 0)).toBe(1);
    expect(retryDelaySeconds({ ErrorEquals: ['E'], IntervalSeconds: 3, BackoffRate: 1.5 }, 2)).toBe(6.75);
    expect(retryDelaySeconds({ ErrorEquals: ['E'], IntervalSeconds: 2, MaxDelaySeconds: 3 }, 4)).toBe(3);
  });
});

describe('Catch', () => {
  test('ResultPath puts the error output into the state\'s input; without it the error output replaces the input', async () => {
    // GIVEN two catchers with and without a ResultPath
    const sm = (resultPath?: string) => machine({
      Work: task({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled', ...(resultPath ? { ResultPath: resultPath } : {}) }] }),
      Handled: { Type: 'Succeed' },
    });
    const work = async () => {
      throw new StatesError('MalformedTestData', '{"errorType":"MalformedTestData","errorMessage":"line 3"}');
    };

    // WHEN / THEN
    expect((await run(sm('$.error'), { testDataUri: 's3://b/k' }, { Work: work })).result).toEqual({
      status: 'SUCCEEDED',
      output: { testDataUri: 's3://b/k', error: { Error: 'MalformedTestData', Cause: '{"errorType":"MalformedTestData","errorMessage":"line 3"}' } },
    });
    expect((await run(sm(), { testDataUri: 's3://b/k' }, { Work: work })).result).toEqual({
      status: 'SUCCEEDED',
      output: { Error: 'MalformedTestData', Cause: '{"errorType":"MalformedTestData","errorMessage":"line 3"}' },
    });
  });

  test('the first catcher that names the error is taken; a plain thrown Error fails with its name and message', async () => {
    // GIVEN
    const sm = machine({
      Work: task({ Catch: [{ ErrorEquals: ['TypeError'], Next: 'Specific' }, { ErrorEquals: ['States.ALL'], Next: 'Any' }] }),
      Specific: { Type: 'Succeed' },
      Any: { Type: 'Succeed' },
    });

    // WHEN
    const { result, states } = await run(sm, {}, { Work: async () => { throw new TypeError('bad'); } });

    // THEN
    expect(states).toEqual(['Work', 'Specific']);
    expect(result).toEqual({ status: 'SUCCEEDED', output: { Error: 'TypeError', Cause: 'bad' } });
  });

  test('a ResultPath that cannot be applied fails with States.ResultPathMatchFailure, which Catch can take', async () => {
    // GIVEN a ResultPath under a field that is a string
    const sm = machine({
      Work: task({ ResultPath: '$.name.result', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handled' }] }),
      Handled: { Type: 'Succeed' },
    });

    // WHEN
    const { result } = await run(sm, { name: 'text' }, { Work: async () => 1 });

    // THEN
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { name: 'text', error: { Error: 'States.ResultPathMatchFailure' } } });
  });
});

describe('Map', () => {
  const mapOf = (fields: JsonObject = {}, others: Record<string, JsonObject> = {}) => machine({
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemSelector: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'shared.$': '$.shared' },
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Item', States: { Item: task() } },
      ResultPath: '$.results',
      ...('Next' in fields ? {} : { End: true }),
      ...fields,
    },
    ...others,
  });

  /** An item handler that takes `ms(value)` ms and records how many run at once. */
  function timed(ms: (value: number) => number) {
    const stats = { running: 0, most: 0, started: [] as number[] };
    const handler: TaskHandler = async (payload) => {
      const { index, value, shared } = payload as { index: number; value: number; shared: string };
      stats.started.push(index);
      stats.running += 1;
      stats.most = Math.max(stats.most, stats.running);
      await delay(ms(value));
      stats.running -= 1;
      return `${shared}:${index}:${value}`;
    };
    return { handler, stats };
  }

  test('runs the processor per item with $$.Map.Item in ItemSelector, keeping the items\' order', async () => {
    // GIVEN items that finish in reverse order
    const { handler } = timed((value) => 40 - value * 10);

    // WHEN
    const { result, states } = await run(mapOf({ MaxConcurrency: 0 }), { items: [1, 2, 3], shared: 's' }, { Item: handler });

    // THEN
    expect(result).toEqual({ status: 'SUCCEEDED', output: { items: [1, 2, 3], shared: 's', results: ['s:0:1', 's:1:2', 's:2:3'] } });
    expect(states).toEqual(['Each', 'Item', 'Item', 'Item']);
  });

  test('MaxConcurrency bounds the items running at once; 0 runs them all at once', async () => {
    // GIVEN
    const two = timed(() => 15);
    const all = timed(() => 15);
    const items = [0, 1, 2, 3, 4, 5, 6];

    // WHEN
    await run(mapOf({ MaxConcurrency: 2 }), { items, shared: 's' }, { Item: two.handler });
    await run(mapOf({ MaxConcurrency: 0 }), { items, shared: 's' }, { Item: all.handler });

    // THEN
    expect(two.stats.most).toBe(2);
    expect(two.stats.started).toEqual(items);
    expect(all.stats.most).toBe(items.length);
  });

  test('an empty list gives an empty result without entering the processor', async () => {
    // GIVEN / WHEN
    const { result, states } = await run(mapOf(), { items: [], shared: 's' }, { Item: async () => 'never' });

    // THEN
    expect(result).toEqual({ status: 'SUCCEEDED', output: { items: [], shared: 's', results: [] } });
    expect(states).toEqual(['Each']);
  });

  test('a failing item fails the Map with its error: no item starts after it, running items end, Catch takes it', async () => {
    // GIVEN items 0 and 1 running when item 1 fails, item 0 still running, and a catcher
    const started: number[] = [];
    const ended: number[] = [];
    const handler: TaskHandler = async (payload) => {
      const { index } = payload as { index: number };
      started.push(index);
      await delay(index === 1 ? 5 : 30);
      ended.push(index);
      if (index === 1) throw new StatesError('EndpointError', 'model crashed');
      return index;
    };
    const sm = mapOf(
      { MaxConcurrency: 2, Next: 'Never', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }] },
      { Never: { Type: 'Succeed' }, Caught: { Type: 'Succeed' } },
    );

    // WHEN
    const { result, states } = await run(sm, { items: [10, 11, 12, 13], shared: 's' }, { Item: handler });

    // THEN
    expect(started).toEqual([0, 1]);
    expect(ended.sort()).toEqual([0, 1]);
    expect(states).toEqual(['Each', 'Item', 'Item', 'Caught']);
    expect(result).toEqual({ status: 'SUCCEEDED', output: { items: [10, 11, 12, 13], shared: 's', error: { Error: 'EndpointError', Cause: 'model crashed' } } });
  });

  test('ItemsPath that selects no array fails with States.Runtime', async () => {
    // GIVEN / WHEN
    const { result } = await run(mapOf(), { items: 'nope', shared: 's' }, { Item: async () => 1 });

    // THEN
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: expect.stringMatching(/Each: ItemsPath \$\.items selects "nope", not an array/) });
  });
});

describe('Fail and Succeed', () => {
  test('Fail takes its error and cause from ErrorPath and CausePath', async () => {
    // GIVEN / WHEN
    const sm = machine({ Failed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause.errorMessage' } });
    const { result } = await run(sm, { error: { Error: 'EndpointError', Cause: { errorMessage: 'model crashed' } } });

    // THEN
    expect(result).toEqual({ status: 'FAILED', error: 'EndpointError', cause: 'model crashed' });
  });

  test('Fail with a literal Error and a CausePath or a Cause; a CausePath that selects no string is States.Runtime', async () => {
    // GIVEN
    const sm = machine({ Verdict: { Type: 'Fail', Error: 'MetricBelowThreshold', CausePath: '$.causes.metric' } });

    // WHEN / THEN
    expect((await run(sm, { causes: { metric: 'r2 = 0.1 is below 0.6' } })).result).toEqual({ status: 'FAILED', error: 'MetricBelowThreshold', cause: 'r2 = 0.1 is below 0.6' });
    expect((await run(sm, { causes: { metric: 0.1 } })).result).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: expect.stringMatching(/Verdict: CausePath/) });
    expect((await run(machine({ Failed: { Type: 'Fail', Error: 'E', Cause: 'why' } }), {})).result).toEqual({ status: 'FAILED', error: 'E', cause: 'why' });
  });

  test('Succeed outputs its OutputPath\'s selection', async () => {
    // GIVEN / WHEN
    const { result } = await run(machine({ Passed: { Type: 'Succeed', OutputPath: '$.result' } }), { result: { metric: 1 }, plan: {} });

    // THEN
    expect(result).toEqual({ status: 'SUCCEEDED', output: { metric: 1 } });
  });
});

describe('the state machine\'s TimeoutSeconds', () => {
  test('an execution that runs longer times out with States.Timeout, and enters no state after that', async () => {
    // GIVEN a one-second limit and a task that takes longer
    const sm = machine({ Slow: task({ Next: 'After' }), After: { Type: 'Succeed' } }, { TimeoutSeconds: 1 });
    let release: () => void = () => undefined;
    const slow: TaskHandler = () => new Promise((resolve) => {
      release = () => resolve('late');
    });
    const started = Date.now();

    // WHEN
    const { result, states } = await run(sm, {}, { Slow: slow });
    release();
    await delay(10);

    // THEN
    expect(result).toEqual({ status: 'TIMED_OUT', error: 'States.Timeout', cause: 'the execution ran longer than its TimeoutSeconds (1 s)' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(states).toEqual(['Slow']);
  });

  test('a Task has no timeout of its own: without TimeoutSeconds a slow handler is waited for', async () => {
    // GIVEN / WHEN
    const { result } = await run(machine({ Slow: task() }), {}, { Slow: () => delay(50).then(() => 'done') });

    // THEN
    expect(result).toEqual({ status: 'SUCCEEDED', output: 'done' });
  });
});

describe('running', () => {
  test('every Task state needs a handler', async () => {
    // GIVEN a Task inside a Map without a handler
    const sm = machine({ Each: { Type: 'Map', ItemProcessor: { StartAt: 'Item', States: { Item: task() } }, End: true } });

    // WHEN / THEN
    expect(sm.taskStates()).toEqual(['Item']);
    await expect(sm.run([], { tasks: {} })).rejects.toThrow('no handler for the Task state(s) Item');
  });

  test('the handler gets a copy of its payload, and the execution a copy of its input', async () => {
    // GIVEN a handler that changes its payload
    const input = { list: [1] };
    const sm = machine({ Work: task({ ResultPath: '$.r' }) });

    // WHEN
    const { result } = await run(sm, input, { Work: async (payload) => {
      (payload as { list: number[] }).list.push(2);
      return 'r';
    } });

    // THEN
    expect(input).toEqual({ list: [1] });
    expect(result).toEqual({ status: 'SUCCEEDED', output: { list: [1], r: 'r' } });
  });
});
