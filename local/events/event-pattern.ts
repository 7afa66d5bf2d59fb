/**
 * EventBridge event patterns, as AWS documents them ("Amazon EventBridge event patterns", "Content filtering in
 * Amazon EventBridge event patterns", "Comparison operators for use in event patterns"): used by tests to check
 * every CDK rule against AWS's sample events, and by local mode's event bus to route events to the same handlers.
 *
 * - A pattern is an object; each field holds a list of alternatives (OR) or a nested pattern object; every field
 *   must match (AND); `$or` lists pattern objects of which one must match.
 * - An alternative is a JSON value (exact, type-sensitive match) or a match expression with one operator
 *   (see {@link OPERATORS}).
 * - Arrays in the event match if any element does; the fields of one nested pattern must all match in the same
 *   array element. An empty array, an object, or a missing field has no leaf value: only `exists: false` matches it.
 */
import { compileMatchExpression, exactAlternative, isLeaf, isObject, show, type Alternative, type Leaf } from './pattern-operators';

export { OPERATORS } from './pattern-operators';

/** EventBridge rejects patterns whose `$or`s expand to more combinations than this. */
export const MAX_OR_COMBINATIONS = 1000;

/** Thrown by {@link matchesEventPattern} and {@link compileEventPattern} for a pattern EventBridge would reject. */
export class InvalidEventPatternError extends Error {
  /** Each problem, naming the path of the bad part (e.g. `detail.state[0]`) and the bad value. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid event pattern: ${problems.join('; ')}`);
    this.name = 'InvalidEventPatternError';
    this.problems = problems;
  }
}

interface CompiledPattern {
  readonly leaves: ReadonlyArray<readonly [string, readonly Alternative[]]>;
  readonly children: ReadonlyArray<readonly [string, CompiledPattern]>;
  readonly ors: ReadonlyArray<readonly CompiledPattern[]>;
}

function compileAlternatives(values: unknown[], path: string, problems: string[]): Alternative[] {
  if (values.length === 0) problems.push(`${path}: empty list; list at least one value or match expression`);
  const alternatives: Alternative[] = [];
  values.forEach((value, i) => {
    const at = `${path}[${i}]`;
    if (isLeaf(value)) {
      alternatives.push(exactAlternative(value));
    } else if (isObject(value)) {
      const alternative = compileMatchExpression(value, (problem) => problems.push(`${at}: ${problem}`));
      if (alternative) alternatives.push(alternative);
    } else {
      problems.push(`${at}: ${show(value)} is not a string, number, true, false, null or match expression`);
    }
  });
  return alternatives;
}

function compileObject(pattern: Record<string, unknown>, path: string, problems: string[]): CompiledPattern {
  const leaves: Array<[string, Alternative[]]> = [];
  const children: Array<[string, CompiledPattern]> = [];
  const ors: CompiledPattern[][] = [];
  if (Object.keys(pattern).length === 0) problems.push(`${path || 'the pattern'}: empty object; give at least one field to match`);
  for (const [name, value] of Object.entries(pattern)) {
    const fieldPath = path === '' ? name : `${path}.${name}`;
    if (name === '$or') {
      if (Array.isArray(value) && value.length >= 2 && value.every(isObject)) {
        ors.push(value.map((branch, i) => compileObject(branch, `${fieldPath}[${i}]`, problems)));
      } else {
        problems.push(`${fieldPath}: must be a list of at least two pattern objects, not ${show(value)}`);
      }
    } else if (Array.isArray(value)) {
      leaves.push([name, compileAlternatives(value, fieldPath, problems)]);
    } else if (isObject(value)) {
      children.push([name, compileObject(value, fieldPath, problems)]);
    } else {
      problems.push(`${fieldPath}: ${show(value)} must be in a list (${show([value])}) or be a nested pattern object`);
    }
  }
  return { leaves, children, ors };
}

/** How many plain (OR-free) patterns the `$or`s of `node` expand to: EventBridge's complexity measure. */
function combinations(node: CompiledPattern): number {
  const ways = (branches: readonly CompiledPattern[]): number => branches.reduce((sum, b) => sum + combinations(b), 0);
  const fromChildren = node.children.reduce((product, [, child]) => product * combinations(child), 1);
  return node.ors.reduce((product, branches) => product * ways(branches), fromChildren);
}

function compile(pattern: unknown): { compiled?: CompiledPattern; problems: string[] } {
  if (!isObject(pattern)) return { problems: [`the pattern must be a JSON object, not ${show(pattern)}`] };
  const problems: string[] = [];
  const compiled = compileObject(pattern, '', problems);
  const count = combinations(compiled);
  if (count > MAX_OR_COMBINATIONS) {
    problems.push(`the pattern's $or lists expand to ${count} combinations; EventBridge allows ${MAX_OR_COMBINATIONS}`);
  }
  return { compiled, problems };
}

/** The leaf values at a field: arrays are flattened; objects are not leaves; missing means none. */
function leavesOf(value: unknown): Leaf[] {
  return Array.isArray(value) ? value.flatMap(leavesOf) : isLeaf(value) ? [value] : [];
}

function fieldOf(object: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, name) ? object[name] : undefined;
}

function matchNode(node: CompiledPattern, value: unknown): boolean {
  if (Array.isArray(value)) {
    // A nested pattern matches if one element (at any array depth) matches all of its fields.
    const elements = value.flat(Infinity).filter(isObject);
    if (elements.length > 0) return elements.some((element) => matchNode(node, element));
  }
  const fields = isObject(value) ? value : {};
  return (
    node.leaves.every(([name, alternatives]) => {
      const leaves = leavesOf(fieldOf(fields, name));
      if (leaves.length === 0) return alternatives.some((alternative) => alternative.matchesAbsent);
      return alternatives.some((alternative) => leaves.some((leaf) => alternative.test(leaf)));
    }) &&
    node.children.every(([name, child]) => matchNode(child, fieldOf(fields, name))) &&
    node.ors.every((branches) => branches.some((branch) => matchNode(branch, fields)))
  );
}

/**
 * Checks an event pattern against EventBridge's documented rules.
 * @param pattern - the parsed pattern (as in a CloudFormation `EventPattern` or `PutRule`).
 * @returns one sentence per problem, each naming the bad part's path and value; empty if the pattern is valid.
 */
export function validateEventPattern(pattern: unknown): string[] {
  return compile(pattern).problems;
}

/**
 * Compiles a pattern once, for matching many events (local mode's event bus).
 * @throws InvalidEventPatternError if the pattern is invalid.
 */
export function compileEventPattern(pattern: unknown): (event: unknown) => boolean {
  const { compiled, problems } = compile(pattern);
  if (!compiled || problems.length > 0) throw new InvalidEventPatternError(problems);
  return (event) => matchNode(compiled, event);
}

/**
 * Whether `event` matches `pattern`, as EventBridge decides it.
 * @param pattern - the parsed event pattern.
 * @param event - the parsed event (usually with `source`, `detail-type` and `detail`).
 * @throws InvalidEventPatternError if the pattern is invalid: a rule with such a pattern could not be deployed.
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}
