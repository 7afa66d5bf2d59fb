import { ipInRange, parseCidr, parseIpAddress } from './ip-address';

/** A value at a leaf of an event: what EventBridge compares. Objects are not leaves. */
export type Leaf = string | number | boolean | null;

/** One alternative of a pattern field: it matches a leaf value, or (only `exists: false`) an absent field. */
export interface Alternative {
  readonly test: (value: Leaf) => boolean;
  readonly matchesAbsent: boolean;
}

/** The operators EventBridge documents for a match expression (`{ "<operator>": ... }`). */
export const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr'] as const;

const ANYTHING_BUT_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'];
const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='];

/** Receives each problem found, as a sentence naming the bad value. */
export type Report = (problem: string) => void;

/** A value as JSON, for messages. */
export const show = (value: unknown): string => JSON.stringify(value) ?? String(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
/** True for a value EventBridge compares: a string, a finite number, a boolean or null. */
export const isLeaf = (value: unknown): value is Leaf =>
  value === null || isString(value) || isNumber(value) || typeof value === 'boolean';
/** True for a JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An alternative that is a plain JSON value: exact match, type included (`5` never equals `"5"`). */
export function exactAlternative(expected: Leaf): Alternative {
  const ip = isString(expected) ? parseIpAddress(expected) : undefined;
  // An IP literal in a pattern matches the same address however the event spells it ("::1" and "0:0::1").
  const sameIp = (value: Leaf): boolean => {
    const other = ip && isString(value) ? parseIpAddress(value) : undefined;
    return other !== undefined && other.family === ip?.family && other.value === ip.value;
  };
  return { matchesAbsent: false, test: (value) => value === expected || sameIp(value) };
}

/**
 * Compiles an EventBridge wildcard (`*` = any run of characters, `\*` = a literal asterisk, `\\` = a backslash) into
 * an anchored regular expression, or reports why it is invalid.
 */
export function compileWildcard(text: string, report: Report): RegExp | undefined {
  let source = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '*') {
      if (text[i + 1] === '*') return void report(`wildcard ${show(text)} has consecutive "*" at position ${i}`);
      source += '.*';
    } else if (char === '\\') {
      const next = text[++i];
      if (next !== '*' && next !== '\\') {
        return void report(`wildcard ${show(text)} escapes ${show(next ?? '')} at position ${i - 1}: only "\\*" and "\\\\" are allowed`);
      }
      source += `\\${next}`;
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

/** Compiles `{ "prefix" | "suffix": "x" | { "equals-ignore-case": "x" } }` into a string test. */
function affixTest(operator: 'prefix' | 'suffix', operand: unknown, report: Report): ((s: string) => boolean) | undefined {
  const ignoreCase = isObject(operand) && Object.keys(operand).length === 1 && 'equals-ignore-case' in operand;
  const affix = ignoreCase ? operand['equals-ignore-case'] : operand;
  if (!isString(affix)) {
    return void report(`${operator} takes a string or { "equals-ignore-case": string }, not ${show(operand)}`);
  }
  const fold = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
  return operator === 'prefix' ? (s) => fold(s).startsWith(fold(affix)) : (s) => fold(s).endsWith(fold(affix));
}

/** Compiles the operators that test strings (the ones `anything-but` can negate, too). */
function stringTest(operator: string, operand: unknown, report: Report): ((s: string) => boolean) | undefined {
  if (operator === 'prefix' || operator === 'suffix') return affixTest(operator, operand, report);
  if (!isString(operand)) return void report(`${operator} takes a string, not ${show(operand)}`);
  if (operator === 'equals-ignore-case') return (s) => s.toLowerCase() === operand.toLowerCase();
  const regex = compileWildcard(operand, report);
  return regex && ((s) => regex.test(s));
}

function anythingBut(operand: unknown, report: Report): ((value: Leaf) => boolean) | undefined {
  if (isObject(operand)) {
    const [operator, ...extra] = Object.keys(operand);
    if (!ANYTHING_BUT_OPERATORS.includes(operator) || extra.length > 0) {
      return void report(`anything-but takes one of ${ANYTHING_BUT_OPERATORS.join(', ')}, not ${show(operand)}`);
    }
    const inner = operand[operator];
    const values = Array.isArray(inner) ? inner : [inner];
    if (values.length === 0 || !values.every(isString)) {
      return void report(`anything-but ${operator} takes a string or a non-empty list of strings, not ${show(inner)}`);
    }
    const tests = values.map((value) => stringTest(operator, value, report));
    if (!tests.every((test) => test !== undefined)) return undefined;
    return (value) => isString(value) && !tests.some((test) => test(value));
  }
  const values = Array.isArray(operand) ? operand : [operand];
  if (values.length === 0 || !(values.every(isString) || values.every(isNumber))) {
    return void report(`anything-but takes a string, a number, or a non-empty list of only strings or only numbers, not ${show(operand)}`);
  }
  // Only strings and numbers are compared; null, booleans and absent fields never match.
  return (value) => (isString(value) || isNumber(value)) && !values.some((excluded) => excluded === value);
}

function numeric(operand: unknown, report: Report): ((value: Leaf) => boolean) | undefined {
  const bad = (why: string): undefined => void report(`numeric ${show(operand)}: ${why}`);
  if (!Array.isArray(operand)) return bad('must be a list such as [">", 0, "<=", 5]');
  const pairs: Array<[string, number]> = [];
  for (let i = 0; i < operand.length; i += 2) {
    const [op, bound] = [operand[i], operand[i + 1]];
    if (!isString(op) || !NUMERIC_OPERATORS.includes(op)) return bad(`${show(op)} is not one of ${NUMERIC_OPERATORS.join(' ')}`);
    if (!isNumber(bound)) return bad(`${show(op)} needs a number after it, not ${show(bound)}`);
    pairs.push([op, bound]);
  }
  const [first, second] = pairs;
  if (!first) return bad('is empty');
  if (pairs.length > 2 || (second && (!first[0].startsWith('>') || !second[0].startsWith('<')))) {
    return bad('is one comparison, or a lower bound (">" or ">=") followed by an upper bound ("<" or "<=")');
  }
  if (second && first[1] > second[1]) return bad(`lower bound ${first[1]} is above upper bound ${second[1]}`);
  const holds = (x: number, [op, bound]: [string, number]): boolean =>
    op === '=' ? x === bound : op === '<' ? x < bound : op === '<=' ? x <= bound : op === '>' ? x > bound : x >= bound;
  // Numeric matching works on JSON numbers only: "5" (a string) is not 5.
  return (value) => isNumber(value) && pairs.every((pair) => holds(value, pair));
}

/**
 * Compiles one match expression (`{ "prefix": "us-" }`, `{ "numeric": [">", 0] }`, ...) into an alternative.
 * Problems go to `report`; the result is `undefined` when there were any.
 */
export function compileMatchExpression(expression: Record<string, unknown>, report: Report): Alternative | undefined {
  const keys = Object.keys(expression);
  if (keys.length !== 1) {
    return void report(`a match expression has exactly one operator, not ${keys.length}: ${show(expression)}`);
  }
  const [operator] = keys;
  const operand = expression[operator];
  const onStrings = (test: ((s: string) => boolean) | undefined): Alternative | undefined =>
    test && { matchesAbsent: false, test: (value) => isString(value) && test(value) };
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
    case 'wildcard':
      return onStrings(stringTest(operator, operand, report));
    case 'anything-but':
    case 'numeric': {
      const test = (operator === 'numeric' ? numeric : anythingBut)(operand, report);
      return test && { matchesAbsent: false, test };
    }
    case 'exists':
      if (typeof operand !== 'boolean') return void report(`exists takes true or false, not ${show(operand)}`);
      // exists works on leaves: a leaf value (null included) exists; an absent field or an object does not.
      return { matchesAbsent: !operand, test: () => operand };
    case 'cidr': {
      const range = isString(operand) ? parseCidr(operand) : `cidr takes a string, not ${show(operand)}`;
      if (isString(range)) return void report(range);
      return { matchesAbsent: false, test: (value) => isString(value) && ipInRange(value, range) };
    }
    default:
      if (operator === 'Ref' || operator.startsWith('Fn::')) {
        return void report(`${show(expression)} is an unresolved CloudFormation value; substitute it before matching`);
      }
      return void report(`unknown operator ${show(operator)}; EventBridge supports ${OPERATORS.join(', ')}`);
  }
}
