/**
 * The part of the Amazon States Language (JSONPath) that local mode's Step Functions interpreter runs: exactly what
 * the system-test state machine (`lib/constructs/system-test.ts`) uses. `checkDefinition` rejects anything else when
 * a definition is loaded, naming the state and the field, so a construct change that uses more ASL fails loudly in
 * the tests instead of running here with other semantics than in the cloud.
 *
 * Implemented:
 * - states: Task (a handler per state name), Map (INLINE, ItemProcessor), Pass, Choice, Succeed, Fail;
 * - input and output: InputPath, Parameters / ItemSelector, ResultSelector, ResultPath (or null), OutputPath;
 * - paths: reference paths of `.name` and `[index]` steps from `$`; `$$.Map.Item.Index` and `$$.Map.Item.Value…` in a
 *   Map's ItemSelector; ResultPath of `.name` steps only;
 * - Retry on Task (IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds), Catch on Task and Map, with
 *   `States.ALL` or the handlers' own error names;
 * - Choice rules NumericLessThan, NumericGreaterThan and StringMatches, against literal values;
 * - the intrinsic function States.StringToJson of a path;
 * - the state machine's TimeoutSeconds.
 */

/** A JSON value, as states pass it on. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Retrier {
  readonly ErrorEquals: readonly string[];
  /** @default 1 */
  readonly IntervalSeconds?: number;
  /** Retries (not attempts) at most; 0: never retried. @default 3 */
  readonly MaxAttempts?: number;
  /** @default 2 */
  readonly BackoffRate?: number;
  /** The longest wait between two attempts. @default - no cap */
  readonly MaxDelaySeconds?: number;
}

export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  /** Where the error output (`{Error, Cause}`) goes in the state's input. @default '$' (replaces it) */
  readonly ResultPath?: string | null;
}

interface Transition {
  readonly Next?: string;
  readonly End?: boolean;
}

interface InputOutput {
  readonly InputPath?: string;
  readonly OutputPath?: string;
}

export interface TaskState extends Transition, InputOutput {
  readonly Type: 'Task';
  readonly Resource: string;
  readonly Parameters?: JsonObject;
  readonly ResultSelector?: JsonObject;
  readonly ResultPath?: string | null;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
}

export interface ItemProcessor {
  readonly ProcessorConfig?: { readonly Mode?: 'INLINE' };
  readonly StartAt: string;
  readonly States: Readonly<Record<string, State>>;
}

export interface MapState extends Transition, InputOutput {
  readonly Type: 'Map';
  /** @default '$' */
  readonly ItemsPath?: string;
  readonly ItemSelector?: JsonObject;
  readonly ItemProcessor: ItemProcessor;
  /** 0 or absent: no limit. */
  readonly MaxConcurrency?: number;
  readonly ResultSelector?: JsonObject;
  readonly ResultPath?: string | null;
  readonly Catch?: readonly Catcher[];
}

export interface PassState extends Transition, InputOutput {
  readonly Type: 'Pass';
  readonly Parameters?: JsonObject;
  readonly Result?: Json;
  readonly ResultPath?: string | null;
}

/** The Choice operators implemented, each against a literal value. */
export const CHOICE_OPERATORS = ['NumericLessThan', 'NumericGreaterThan', 'StringMatches'] as const;
export type ChoiceOperator = (typeof CHOICE_OPERATORS)[number];

export type ChoiceRule = { readonly Variable: string; readonly Next: string } & { readonly [K in ChoiceOperator]?: K extends 'StringMatches' ? string : number };

export interface ChoiceState extends InputOutput {
  readonly Type: 'Choice';
  readonly Choices: readonly ChoiceRule[];
  readonly Default?: string;
}

export interface SucceedState extends InputOutput {
  readonly Type: 'Succeed';
}

export interface FailState {
  readonly Type: 'Fail';
  readonly Error?: string;
  readonly ErrorPath?: string;
  readonly Cause?: string;
  readonly CausePath?: string;
}

export type State = TaskState | MapState | PassState | ChoiceState | SucceedState | FailState;

export interface StateMachineDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, State>>;
  /** The execution fails with States.Timeout after this long. @default - no limit */
  readonly TimeoutSeconds?: number;
  readonly Comment?: string;
}

/** A reference path: `$` (the state's data) or `$$` (the context object), then `.name` and `[index]` steps. */
export interface ReferencePath {
  readonly text: string;
  readonly root: '$' | '$$';
  readonly steps: readonly (string | number)[];
}

/** The reference path `text` is, or undefined when it is none (or uses JSONPath beyond reference paths). */
export function parseReferencePath(text: string): ReferencePath | undefined {
  const root = text.startsWith('$$') ? '$$' : text.startsWith('$') ? '$' : undefined;
  if (root === undefined) return undefined;
  const step = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(0|[1-9][0-9]*)\]/y;
  const steps: (string | number)[] = [];
  step.lastIndex = root.length;
  while (step.lastIndex < text.length) {
    const match = step.exec(text);
    if (!match) return undefined;
    steps.push(match[1] ?? Number(match[2]));
  }
  return { text, root, steps };
}

/** An intrinsic function call in a payload template: `States.StringToJson(<reference path>)`. */
export interface IntrinsicCall {
  readonly name: 'States.StringToJson';
  readonly argument: ReferencePath;
}

/** The call `text` is (an Error naming what is not implemented), or undefined when `text` calls no intrinsic. */
export function parseIntrinsic(text: string): IntrinsicCall | Error | undefined {
  if (!text.startsWith('States.')) return undefined;
  const call = /^(States\.[A-Za-z0-9]+)\((.*)\)$/s.exec(text);
  if (!call) return new Error(`${text} is not an intrinsic function call`);
  if (call[1] !== 'States.StringToJson') return new Error(`the intrinsic function ${call[1]} is not implemented (only States.StringToJson is)`);
  const argument = parseReferencePath(call[2].trim());
  if (argument?.root !== '$') return new Error(`States.StringToJson takes one reference path from $ here, not ${call[2]}`);
  return { name: 'States.StringToJson', argument };
}

/** Thrown by `checkDefinition`: every problem of the definition, each naming its state and field. */
export class UnsupportedAslError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The state machine uses ASL that local mode's Step Functions interpreter does not implement:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'UnsupportedAslError';
  }
}

const COMMON = ['Type', 'Comment'];
const STATE_FIELDS: Readonly<Record<State['Type'], readonly string[]>> = {
  Task: [...COMMON, 'Resource', 'InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath', 'Retry', 'Catch', 'Next', 'End'],
  Map: [...COMMON, 'InputPath', 'ItemsPath', 'ItemSelector', 'ItemProcessor', 'MaxConcurrency', 'ResultSelector', 'ResultPath', 'OutputPath', 'Catch', 'Next', 'End'],
  Pass: [...COMMON, 'InputPath', 'Parameters', 'Result', 'ResultPath', 'OutputPath', 'Next', 'End'],
  Choice: [...COMMON, 'InputPath', 'OutputPath', 'Choices', 'Default'],
  Succeed: [...COMMON, 'InputPath', 'OutputPath'],
  Fail: [...COMMON, 'Error', 'ErrorPath', 'Cause', 'CausePath'],
};
const MACHINE_FIELDS = ['StartAt', 'States', 'TimeoutSeconds', 'Comment'];
const PROCESSOR_FIELDS = ['ProcessorConfig', 'StartAt', 'States', 'Comment'];
const RETRIER_FIELDS = ['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'Comment'];
const CATCHER_FIELDS = ['ErrorEquals', 'Next', 'ResultPath', 'Comment'];

type Raw = Record<string, unknown>;
const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const isInteger = (value: unknown, min: number): value is number => typeof value === 'number' && Number.isInteger(value) && value >= min;

/**
 * Checks that `definition` stays inside the ASL this interpreter implements and is well formed (transitions to
 * existing states, one of Next or End, valid paths and retriers), and returns it typed.
 *
 * @throws UnsupportedAslError listing every problem, each naming the state and the field
 */
export function checkDefinition(definition: unknown): StateMachineDefinition {
  const problems: string[] = [];
  if (!isObject(definition)) throw new UnsupportedAslError(['the definition is not a JSON object']);
  const where = 'the state machine';
  for (const key of Object.keys(definition)) {
    if (!MACHINE_FIELDS.includes(key)) problems.push(`${where}, field ${key}: not implemented`);
  }
  if (definition.TimeoutSeconds !== undefined && !isInteger(definition.TimeoutSeconds, 1)) {
    problems.push(`${where}, field TimeoutSeconds: expected a positive integer, got ${JSON.stringify(definition.TimeoutSeconds)}`);
  }
  checkStates(definition, where, problems);
  if (problems.length > 0) throw new UnsupportedAslError(problems);
  return definition as unknown as StateMachineDefinition;
}

/** The states of the machine or of a Map's ItemProcessor: a scope whose transitions stay inside it. */
function checkStates(scope: Raw, where: string, problems: string[]): void {
  if (!isObject(scope.States) || Object.keys(scope.States).length === 0) {
    problems.push(`${where}, field States: expected an object of states`);
    return;
  }
  const states = scope.States;
  const target = (state: string, field: string, next: unknown) => {
    if (typeof next !== 'string' || !(next in states)) problems.push(`state ${state}, field ${field}: ${JSON.stringify(next)} is no state of ${where}`);
  };
  if (typeof scope.StartAt !== 'string' || !(scope.StartAt in states)) {
    problems.push(`${where}, field StartAt: ${JSON.stringify(scope.StartAt)} is no state of ${where}`);
  }
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) {
      problems.push(`state ${name}: expected an object`);
      continue;
    }
    const say = (field: string, text: string) => problems.push(`state ${name}, field ${field}: ${text}`);
    const fields = STATE_FIELDS[state.Type as State['Type']] as readonly string[] | undefined;
    if (!fields) {
      say('Type', `${JSON.stringify(state.Type)} is not implemented (only ${Object.keys(STATE_FIELDS).join(', ')} are)`);
      continue;
    }
    for (const key of Object.keys(state)) if (!fields.includes(key)) say(key, `not implemented on a ${String(state.Type)} state`);

    for (const field of ['InputPath', 'OutputPath', 'ItemsPath', 'ErrorPath', 'CausePath'] as const) {
      if (field in state && fields.includes(field)) checkPath(state[field], (text) => say(field, text));
    }
    if ('ResultPath' in state) checkResultPath(state.ResultPath, (text) => say('ResultPath', text));
    for (const field of ['Parameters', 'ResultSelector', 'ItemSelector'] as const) {
      if (field in state && fields.includes(field)) checkTemplate(state[field], field === 'ItemSelector', field, (at, text) => say(at, text));
    }

    if (state.Type === 'Choice') {
      checkChoices(state.Choices, (field, text) => say(field, text), (field, next) => target(name, field, next));
      if (state.Default !== undefined) target(name, 'Default', state.Default);
    } else if (state.Type === 'Task' || state.Type === 'Map' || state.Type === 'Pass') {
      if ((state.Next === undefined) === (state.End !== true)) say(state.Next === undefined ? 'End' : 'Next', 'expected exactly one of Next or End: true');
      if (state.End !== undefined && state.End !== true) say('End', 'expected true');
      if (state.Next !== undefined) target(name, 'Next', state.Next);
    } else if (state.Type === 'Fail') {
      if ((state.Error === undefined) === (state.ErrorPath === undefined)) say('Error', 'expected exactly one of Error or ErrorPath');
      if (state.Cause !== undefined && state.CausePath !== undefined) say('Cause', 'expected at most one of Cause or CausePath');
      for (const field of ['Error', 'Cause'] as const) if (state[field] !== undefined && typeof state[field] !== 'string') say(field, 'expected a string');
    }

    if (state.Type === 'Task' && typeof state.Resource !== 'string') say('Resource', 'expected a string');
    if ('Retry' in state && state.Type === 'Task') checkErrorHandlers(state.Retry, 'Retry', RETRIER_FIELDS, say, () => undefined);
    if ('Catch' in state && fields.includes('Catch')) {
      checkErrorHandlers(state.Catch, 'Catch', CATCHER_FIELDS, say, (field, catcher) => {
        target(name, `${field}.Next`, catcher.Next);
        if ('ResultPath' in catcher) checkResultPath(catcher.ResultPath, (text) => say(`${field}.ResultPath`, text));
      });
    }
    if (state.Type === 'Map') {
      if (state.MaxConcurrency !== undefined && !isInteger(state.MaxConcurrency, 0)) say('MaxConcurrency', 'expected a non-negative integer');
      checkProcessor(state.ItemProcessor, name, say, problems);
    }
  }
}

function checkProcessor(processor: unknown, map: string, say: (field: string, text: string) => void, problems: string[]): void {
  if (!isObject(processor)) {
    say('ItemProcessor', 'expected an object with StartAt and States');
    return;
  }
  for (const key of Object.keys(processor)) if (!PROCESSOR_FIELDS.includes(key)) say(`ItemProcessor.${key}`, 'not implemented');
  const config = processor.ProcessorConfig;
  if (config !== undefined) {
    if (!isObject(config) || Object.keys(config).some((key) => key !== 'Mode') || (config.Mode !== undefined && config.Mode !== 'INLINE')) {
      say('ItemProcessor.ProcessorConfig', `only { "Mode": "INLINE" } is implemented, got ${JSON.stringify(config)}`);
    }
  }
  checkStates(processor, `the ItemProcessor of ${map}`, problems);
}

/** A path field: a reference path from `$`. */
function checkPath(value: unknown, say: (text: string) => void): void {
  const path = typeof value === 'string' ? parseReferencePath(value) : undefined;
  if (path?.root !== '$') say(`${JSON.stringify(value)} is not a reference path from $ of .name and [index] steps (the only paths implemented)`);
}

/** ResultPath: null, `$`, or `.name` steps from `$`. */
function checkResultPath(value: unknown, say: (text: string) => void): void {
  if (value === null) return;
  const path = typeof value === 'string' ? parseReferencePath(value) : undefined;
  if (path?.root !== '$' || path.steps.some((step) => typeof step === 'number')) say(`${JSON.stringify(value)} is not null or a path of .name steps from $ (the only ResultPaths implemented)`);
}

/** A payload template (Parameters, ItemSelector, ResultSelector): `key.$` fields hold a path or States.StringToJson. */
function checkTemplate(template: unknown, itemSelector: boolean, at: string, say: (field: string, text: string) => void): void {
  if (!isObject(template)) {
    say(at, 'expected a JSON object');
    return;
  }
  for (const [key, value] of Object.entries(template)) {
    const field = `${at}.${key}`;
    if (key.endsWith('.$')) {
      if (typeof value !== 'string') {
        say(field, 'expected a path or an intrinsic function call');
        continue;
      }
      const intrinsic = parseIntrinsic(value);
      if (intrinsic instanceof Error) say(field, intrinsic.message);
      else if (intrinsic === undefined) checkTemplatePath(value, itemSelector, (text) => say(field, text));
    } else if (isObject(value)) {
      checkTemplate(value, itemSelector, field, say);
    } else if (Array.isArray(value) && JSON.stringify(value).includes('.$"')) {
      say(field, 'paths inside arrays are not implemented');
    }
  }
}

function checkTemplatePath(text: string, itemSelector: boolean, say: (text: string) => void): void {
  const path = parseReferencePath(text);
  if (path?.root === '$') return;
  if (path?.root === '$$') {
    const [map, item, key] = path.steps;
    const mapItem = map === 'Map' && item === 'Item' && (key === 'Value' || (key === 'Index' && path.steps.length === 3));
    if (itemSelector && mapItem) return;
    say(`the context object path ${text} is not implemented (only $$.Map.Item.Index and $$.Map.Item.Value… in a Map's ItemSelector are)`);
    return;
  }
  say(`${JSON.stringify(text)} is not a reference path of .name and [index] steps (the only paths implemented)`);
}

function checkChoices(
  choices: unknown,
  say: (field: string, text: string) => void,
  target: (field: string, next: unknown) => void,
): void {
  if (!Array.isArray(choices) || choices.length === 0) {
    say('Choices', 'expected a non-empty array of rules');
    return;
  }
  choices.forEach((rule, i) => {
    const field = `Choices[${i}]`;
    if (!isObject(rule)) {
      say(field, 'expected an object');
      return;
    }
    target(`${field}.Next`, rule.Next);
    const operators = Object.keys(rule).filter((key) => !['Variable', 'Next', 'Comment'].includes(key));
    for (const operator of operators) {
      if (!(CHOICE_OPERATORS as readonly string[]).includes(operator)) say(`${field}.${operator}`, `the Choice operator ${operator} is not implemented (only ${CHOICE_OPERATORS.join(', ')} are)`);
    }
    if (operators.length !== 1) say(field, `expected exactly one comparison, got ${operators.length === 0 ? 'none' : operators.join(', ')}`);
    if (!('Variable' in rule)) say(`${field}.Variable`, 'missing');
    else checkPath(rule.Variable, (text) => say(`${field}.Variable`, text));
    for (const operator of operators) {
      const expected = operator === 'StringMatches' ? 'string' : 'number';
      if ((CHOICE_OPERATORS as readonly string[]).includes(operator) && typeof rule[operator] !== expected) say(`${field}.${operator}`, `expected a ${expected}`);
    }
  });
}

/** Retry or Catch: an array of retriers or catchers, `States.ALL` alone and in the last one. */
function checkErrorHandlers(
  handlers: unknown,
  field: 'Retry' | 'Catch',
  allowed: readonly string[],
  say: (field: string, text: string) => void,
  each: (field: string, handler: Raw) => void,
): void {
  if (!Array.isArray(handlers)) {
    say(field, 'expected an array');
    return;
  }
  handlers.forEach((handler, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(handler)) {
      say(at, 'expected an object');
      return;
    }
    for (const key of Object.keys(handler)) if (!allowed.includes(key)) say(`${at}.${key}`, 'not implemented');
    const names = handler.ErrorEquals;
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string' || n === '')) {
      say(`${at}.ErrorEquals`, 'expected a non-empty array of error names');
    } else {
      for (const name of names as string[]) {
        if (name.startsWith('States.') && name !== 'States.ALL') say(`${at}.ErrorEquals`, `${name} is not implemented (only States.ALL and the handlers' own error names are)`);
      }
      if (names.includes('States.ALL') && (names.length > 1 || i !== handlers.length - 1)) say(`${at}.ErrorEquals`, `States.ALL must be alone and in the last ${field === 'Retry' ? 'retrier' : 'catcher'}`);
    }
    if (field === 'Retry') {
      for (const [key, min] of [['IntervalSeconds', 1], ['MaxAttempts', 0], ['MaxDelaySeconds', 1]] as const) {
        if (handler[key] !== undefined && !isInteger(handler[key], min)) say(`${at}.${key}`, `expected an integer >= ${min}`);
      }
      if (handler.BackoffRate !== undefined && !(typeof handler.BackoffRate === 'number' && handler.BackoffRate >= 1)) say(`${at}.BackoffRate`, 'expected a number >= 1');
    }
    each(at, handler);
  });
}
