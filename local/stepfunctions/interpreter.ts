/**
 * Local mode's Step Functions interpreter: runs a definition that `checkDefinition` (./asl) accepted, with a handler
 * per Task state, following the Amazon States Language:
 * - a state's data goes InputPath → Parameters (or ItemSelector per item) → the work → ResultSelector → ResultPath
 *   (into the state's raw input) → OutputPath;
 * - a failing Task is retried by the first retrier whose ErrorEquals names its error (each retrier counts its own
 *   retries; the wait is IntervalSeconds × BackoffRate^retries, capped at MaxDelaySeconds), then caught by the first
 *   matching catcher, whose Next state gets the error output `{Error, Cause}` placed at the catcher's ResultPath;
 *   States.ALL matches every error but States.Runtime (a path that selects nothing, a payload that is not JSON…);
 * - a Map runs its ItemProcessor for each item, at most MaxConcurrency at a time, and keeps the items' order;
 * - the state machine's TimeoutSeconds ends the execution with States.Timeout.
 *
 * Task states get no timeout: Step Functions sets none on a Task without TimeoutSeconds (a field this interpreter
 * rejects), so a handler's own limit applies — for the system test, the function timeout that local mode's Lambda
 * runner enforces on each invocation.
 */
import {
  checkDefinition,
  parseIntrinsic,
  parseReferencePath,
  type Catcher,
  type ChoiceRule,
  type ChoiceState,
  type FailState,
  type ItemProcessor,
  type Json,
  type JsonObject,
  type MapState,
  type PassState,
  type ReferencePath,
  type Retrier,
  type State,
  type StateMachineDefinition,
  type TaskState,
} from './asl';

/** A Step Functions error: its name (`error`, e.g. `EndpointError`, `States.Timeout`) and its cause. */
export class StatesError extends Error {
  constructor(readonly error: string, readonly cause?: string) {
    super(cause === undefined ? error : `${error}: ${cause}`);
    this.name = error;
  }
}

/** A Task state's work: its payload in, its result out. A thrown StatesError is the state's error as it is; any other
 * thrown error fails the state with the error's name and message. */
export type TaskHandler = (payload: Json) => Promise<Json>;

export interface ExecutionOptions {
  /** Task state name → its handler; every Task state needs one. */
  readonly tasks: Readonly<Record<string, TaskHandler>>;
  /** Called as each state is entered, Map iterations included. */
  readonly onStateEntered?: (state: string) => void;
  /** How a retry waits. @default - a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type ExecutionResult =
  | { readonly status: 'SUCCEEDED'; readonly output: Json }
  | { readonly status: 'FAILED' | 'TIMED_OUT'; readonly error: string; readonly cause?: string };

const RUNTIME = 'States.Runtime';

/** A state machine loaded for local executions. */
export class StateMachine {
  readonly definition: StateMachineDefinition;

  /** @throws UnsupportedAslError when `definition` uses ASL this interpreter does not implement */
  constructor(definition: unknown) {
    this.definition = checkDefinition(definition);
  }

  /** The names of its Task states, those in Map item processors included. */
  taskStates(): string[] {
    const walk = (states: Readonly<Record<string, State>>): string[] => Object.entries(states).flatMap(([name, state]) =>
      state.Type === 'Task' ? [name] : state.Type === 'Map' ? walk(state.ItemProcessor.States) : []);
    return walk(this.definition.States);
  }

  /** Runs an execution with `input`; a failed execution resolves with its error and cause. */
  async run(input: Json, options: ExecutionOptions): Promise<ExecutionResult> {
    const missing = this.taskStates().filter((name) => typeof options.tasks[name] !== 'function');
    if (missing.length > 0) throw new Error(`no handler for the Task state(s) ${missing.join(', ')}`);
    const execution = new Execution(options);
    const seconds = this.definition.TimeoutSeconds;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<ExecutionResult>((resolve) => {
      if (seconds === undefined) return;
      timer = setTimeout(() => {
        const error = new StatesError('States.Timeout', `the execution ran longer than its TimeoutSeconds (${seconds} s)`);
        execution.stop(error);
        resolve({ status: 'TIMED_OUT', error: error.error, cause: error.cause });
      }, seconds * 1000);
    });
    const finished = execution.runStates(this.definition, structuredClone(input)).then(
      (output): ExecutionResult => ({ status: 'SUCCEEDED', output }),
      (thrown: unknown): ExecutionResult => {
        if (!(thrown instanceof StatesError)) throw thrown;
        return { status: 'FAILED', error: thrown.error, ...(thrown.cause === undefined ? {} : { cause: thrown.cause }) };
      },
    );
    // After a timeout the execution's end is of no interest; only an interpreter fault would reject it.
    finished.catch(() => undefined);
    try {
      return await Promise.race([finished, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A state's outcome: its output, and the next state (none: its scope ends with this output). */
interface Step {
  readonly output: Json;
  readonly next?: string;
}

/** The context object of a Map item, as its ItemSelector sees it. */
type Context = { readonly Map: { readonly Item: { readonly Index: number; readonly Value: Json } } };

class Execution {
  private stopped: StatesError | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly options: ExecutionOptions) {}

  /** Ends the execution: no state is entered and no Map item or retry is started after this. */
  stop(error: StatesError): void {
    this.stopped = error;
    this.abort.abort();
  }

  /** Runs a scope (the machine or a Map's item processor) from its StartAt to its end. */
  async runStates(scope: StateMachineDefinition | ItemProcessor, input: Json): Promise<Json> {
    let name = scope.StartAt;
    let data = input;
    for (;;) {
      if (this.stopped) throw this.stopped;
      this.options.onStateEntered?.(name);
      const step = await this.runState(name, scope.States[name], data);
      if (step.next === undefined) return step.output;
      name = step.next;
      data = step.output;
    }
  }

  private runState(name: string, state: State, raw: Json): Promise<Step> | Step {
    switch (state.Type) {
      case 'Task':
        return this.catching(name, state, raw, () => this.task(name, state, raw));
      case 'Map':
        return this.catching(name, state, raw, () => this.map(name, state, raw));
      case 'Pass':
        return this.pass(name, state, raw);
      case 'Choice':
        return this.choice(name, state, raw);
      case 'Succeed':
        return { output: select(state.OutputPath, select(state.InputPath, raw, name, 'InputPath'), name, 'OutputPath') };
      case 'Fail':
        throw failure(name, state, raw);
    }
  }

  private async task(name: string, state: TaskState, raw: Json): Promise<Step> {
    const input = select(state.InputPath, raw, name, 'InputPath');
    const payload = state.Parameters === undefined ? input : fill(state.Parameters, input, undefined, `${name}.Parameters`);
    const handler = this.options.tasks[name];
    const result = await this.retrying(state.Retry ?? [], async () => {
      try {
        return await handler(structuredClone(payload));
      } catch (thrown) {
        if (thrown instanceof StatesError) throw thrown;
        throw thrown instanceof Error ? new StatesError(thrown.name || 'Error', thrown.message) : new StatesError('Error', String(thrown));
      }
    });
    return finish(name, state, raw, result ?? null);
  }

  private async map(name: string, state: MapState, raw: Json): Promise<Step> {
    const input = select(state.InputPath, raw, name, 'InputPath');
    const items = select(state.ItemsPath, input, name, 'ItemsPath');
    if (!Array.isArray(items)) throw new StatesError(RUNTIME, `${name}: ItemsPath ${state.ItemsPath ?? '$'} selects ${JSON.stringify(items).slice(0, 100)}, not an array`);
    const results: Json[] = items.map(() => null);
    let nextItem = 0;
    let failed: StatesError | undefined;
    // Each worker takes the next item; after an item fails, no item starts, and the Map fails once the items
    // already running have ended (their handlers cannot be interrupted; their results are dropped).
    const worker = async (): Promise<void> => {
      while (failed === undefined && this.stopped === undefined && nextItem < items.length) {
        const index = nextItem++;
        try {
          const context: Context = { Map: { Item: { Index: index, Value: items[index] } } };
          const itemInput = state.ItemSelector === undefined ? items[index] : fill(state.ItemSelector, input, context, `${name}.ItemSelector`);
          results[index] = await this.runStates(state.ItemProcessor, itemInput);
        } catch (thrown) {
          if (!(thrown instanceof StatesError)) throw thrown;
          failed ??= thrown;
        }
      }
    };
    const workers = state.MaxConcurrency ? Math.min(state.MaxConcurrency, items.length) : items.length;
    await Promise.all(Array.from({ length: workers }, worker));
    if (this.stopped) throw this.stopped;
    if (failed) throw failed;
    return finish(name, state, raw, results);
  }

  private pass(name: string, state: PassState, raw: Json): Step {
    const input = select(state.InputPath, raw, name, 'InputPath');
    const result = state.Result !== undefined ? structuredClone(state.Result) : state.Parameters !== undefined ? fill(state.Parameters, input, undefined, `${name}.Parameters`) : input;
    const output = select(state.OutputPath, placeResult(state.ResultPath, raw, result, name, 'ResultPath'), name, 'OutputPath');
    return { output, next: state.Next };
  }

  private choice(name: string, state: ChoiceState, raw: Json): Step {
    const input = select(state.InputPath, raw, name, 'InputPath');
    const rule = state.Choices.find((candidate) => matches(candidate, input, name));
    const next = rule?.Next ?? state.Default;
    if (next === undefined) throw new StatesError('States.NoChoiceMatched', `no rule of ${name} matched and it has no Default`);
    return { output: select(state.OutputPath, input, name, 'OutputPath'), next };
  }

  /** Runs a Task or Map state's work; an error its Catch names goes to the catcher's Next state. */
  private async catching(name: string, state: TaskState | MapState, raw: Json, work: () => Promise<Step>): Promise<Step> {
    try {
      return await work();
    } catch (thrown) {
      if (!(thrown instanceof StatesError) || this.stopped) throw thrown;
      const catcher = (state.Catch ?? []).find((candidate: Catcher) => names(candidate.ErrorEquals, thrown));
      if (!catcher) throw thrown;
      const errorOutput: JsonObject = { Error: thrown.error, ...(thrown.cause === undefined ? {} : { Cause: thrown.cause }) };
      return { output: placeResult(catcher.ResultPath, raw, errorOutput, name, 'Catch.ResultPath'), next: catcher.Next };
    }
  }

  private async retrying(retriers: readonly Retrier[], attempt: () => Promise<Json>): Promise<Json> {
    const retries = retriers.map(() => 0);
    for (;;) {
      try {
        return await attempt();
      } catch (thrown) {
        if (!(thrown instanceof StatesError) || this.stopped) throw thrown;
        const index = retriers.findIndex((retrier) => names(retrier.ErrorEquals, thrown));
        if (index < 0 || retries[index] >= (retriers[index].MaxAttempts ?? 3)) throw thrown;
        const ms = retryDelaySeconds(retriers[index], retries[index]) * 1000;
        retries[index] += 1;
        await (this.options.sleep ? this.options.sleep(ms) : sleep(ms, this.abort.signal));
        if (this.stopped) throw this.stopped;
      }
    }
  }
}

/** The wait before a retry, after `retries` retries by the same retrier. */
export function retryDelaySeconds(retrier: Retrier, retries: number): number {
  const seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** retries;
  return retrier.MaxDelaySeconds === undefined ? seconds : Math.min(seconds, retrier.MaxDelaySeconds);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** True when ErrorEquals `errorNames` names `error` (States.ALL: any error but States.Runtime). */
function names(errorNames: readonly string[], error: StatesError): boolean {
  if (error.error === RUNTIME) return false;
  return errorNames.includes('States.ALL') || errorNames.includes(error.error);
}

/** ResultSelector → ResultPath → OutputPath, and the transition. */
function finish(name: string, state: TaskState | MapState, raw: Json, result: Json): Step {
  const selected = state.ResultSelector === undefined ? result : fill(state.ResultSelector, result, undefined, `${name}.ResultSelector`);
  const output = select(state.OutputPath, placeResult(state.ResultPath, raw, selected, name, 'ResultPath'), name, 'OutputPath');
  return { output, next: state.Next };
}

function failure(name: string, state: FailState, raw: Json): StatesError {
  const text = (path: string | undefined, literal: string | undefined, field: string): string | undefined => {
    if (path === undefined) return literal;
    const value = select(path, raw, name, field);
    if (typeof value !== 'string') throw new StatesError(RUNTIME, `${name}: ${field} ${path} selects ${JSON.stringify(value).slice(0, 100)}, not a string`);
    return value;
  };
  return new StatesError(text(state.ErrorPath, state.Error, 'ErrorPath') ?? '', text(state.CausePath, state.Cause, 'CausePath'));
}

/** Whether a Choice rule matches; a value of another type than the operator's does not match. */
function matches(rule: ChoiceRule, input: Json, name: string): boolean {
  const value = select(rule.Variable, input, name, 'Variable');
  if (rule.NumericLessThan !== undefined) return typeof value === 'number' && value < rule.NumericLessThan;
  if (rule.NumericGreaterThan !== undefined) return typeof value === 'number' && value > rule.NumericGreaterThan;
  if (rule.StringMatches !== undefined) return typeof value === 'string' && wildcardMatches(rule.StringMatches, value);
  throw new StatesError(RUNTIME, `${name}: a Choice rule without an implemented operator`);
}

/** StringMatches: `*` stands for any characters; `\*` is a literal `*` and `\\` a literal `\`. */
export function wildcardMatches(pattern: string, value: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) source += escapeRegExp(pattern[++i]);
    else source += c === '*' ? '.*' : escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 's').test(value);
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The value at a reference path (undefined: nothing there). */
function lookUp(path: ReferencePath, data: Json, context: Context | undefined): Json | undefined {
  let node: unknown = path.root === '$' ? data : context;
  for (const step of path.steps) {
    if (typeof step === 'number' ? !Array.isArray(node) : typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string | number, unknown>)[step];
    if (node === undefined) return undefined;
  }
  return node as Json | undefined;
}

/** InputPath, OutputPath, ItemsPath, Variable, ErrorPath, CausePath: `$` when absent; selecting nothing is States.Runtime. */
function select(pathText: string | undefined, data: Json, name: string, field: string): Json {
  if (pathText === undefined || pathText === '$') return data;
  const value = lookUp(parseReferencePath(pathText)!, data, undefined);
  if (value === undefined) throw new StatesError(RUNTIME, `${name}: ${field} ${pathText} selects nothing in ${preview(data)}`);
  return value;
}

/** ResultPath: null keeps the raw input, `$` (the default) replaces it, `$.a.b` puts the result there. */
function placeResult(pathText: string | null | undefined, raw: Json, result: Json, name: string, field: string): Json {
  if (pathText === null) return raw;
  const steps = parseReferencePath(pathText ?? '$')!.steps as string[];
  if (steps.length === 0) return result;
  const mismatch = () => new StatesError('States.ResultPathMatchFailure', `${name}: ${field} ${pathText} cannot be applied to ${preview(raw)}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw mismatch();
  const output = structuredClone(raw) as JsonObject;
  let node = output;
  steps.forEach((step, i) => {
    if (i === steps.length - 1) {
      node[step] = result;
      return;
    }
    const child = node[step];
    if (child === undefined) node[step] = {};
    else if (typeof child !== 'object' || child === null || Array.isArray(child)) throw mismatch();
    node = node[step] as JsonObject;
  });
  return output;
}

/** A payload template filled from `data` (and the Map item's context): `key.$` fields take a path's value or a call's. */
function fill(template: JsonObject, data: Json, context: Context | undefined, where: string): JsonObject {
  const output: JsonObject = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) output[key.slice(0, -2)] = evaluate(String(value), data, context, `${where}.${key}`);
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) output[key] = fill(value, data, context, `${where}.${key}`);
    else output[key] = structuredClone(value);
  }
  return output;
}

function evaluate(expression: string, data: Json, context: Context | undefined, where: string): Json {
  const call = parseIntrinsic(expression);
  const path = call === undefined ? parseReferencePath(expression)! : (call as { argument: ReferencePath }).argument;
  const value = lookUp(path, data, context);
  if (value === undefined) throw new StatesError(RUNTIME, `${where}: ${path.text} selects nothing in ${preview(path.root === '$' ? data : (context as unknown as Json))}`);
  if (call === undefined) return structuredClone(value);
  // States.StringToJson
  if (typeof value !== 'string') throw new StatesError('States.IntrinsicFailure', `${where}: States.StringToJson takes a string, got ${preview(value)}`);
  try {
    return JSON.parse(value) as Json;
  } catch {
    throw new StatesError('States.IntrinsicFailure', `${where}: States.StringToJson: not JSON: ${value.slice(0, 200)}`);
  }
}

const preview = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
};
