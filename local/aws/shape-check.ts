import { isRecord, show } from '../../lib/sagemaker-pipelines/private/json';
import type { BotocoreServiceModel, BotocoreShape } from './api-model';

/** One mismatch between a value and a botocore shape. */
export interface ShapeIssue {
  /** Where, e.g. `Arguments['--run_id']` or `Steps[Tune].Arguments.ResourceConfig.InstanceCount`. */
  readonly path: string;
  /** What is wrong, with the value and the constraint. */
  readonly message: string;
}

/**
 * Lets a caller take over values it understands better than the model, e.g. pipeline expressions that stand for a
 * value. Returns true when it handled `value` (reporting any issue itself), false to check it against the shape.
 */
export type ShapeInterceptor = (
  value: unknown,
  shapeName: string,
  shape: BotocoreShape,
  path: string,
  report: (path: string, message: string) => void,
) => boolean;

/** Options of {@link ShapeChecker}. */
export interface ShapeCheckOptions {
  /** @default - every value is checked against its shape */
  readonly intercept?: ShapeInterceptor;
}

/** The botocore shape types whose values are scalars. */
export const SCALAR_SHAPE_TYPES: readonly string[] = ['string', 'integer', 'long', 'float', 'double', 'boolean', 'timestamp', 'blob'];
const MAX_LISTED_VALUES = 12;

function listValues(values: readonly string[]): string {
  return values.length <= MAX_LISTED_VALUES
    ? values.join(', ')
    : `${values.slice(0, MAX_LISTED_VALUES).join(', ')}, ... (${values.length} values)`;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${show(value)}`;
}

/** `Parent.Member`, or `Member` at the root. */
export function memberPath(parent: string, member: string): string {
  return parent === '' ? member : `${parent}.${member}`;
}

/**
 * Checks JSON values against the shapes of a botocore service model: structures (unknown and missing required
 * members, unions), lists and maps (sizes, items, keys), strings (enums, lengths, patterns), numbers (types and
 * bounds), booleans, timestamps (ISO-8601 or epoch seconds) and blobs (base64 strings). Issues accumulate in
 * `issues`; one checker can check many values.
 */
export class ShapeChecker {
  /** Every issue found so far, in the order found. */
  public readonly issues: ShapeIssue[] = [];
  private readonly patterns = new Map<string, RegExp | null>();

  public constructor(
    private readonly model: BotocoreServiceModel,
    private readonly options: ShapeCheckOptions = {},
  ) {}

  /** Records an issue at `path`. */
  public readonly report = (path: string, message: string): void => {
    this.issues.push({ path, message });
  };

  /**
   * Checks `value` against shape `shapeName` at `path`. `omitted`: required members of this (structure) shape that
   * the caller supplies itself, so their absence is no issue.
   */
  public check(value: unknown, shapeName: string, path: string, omitted: readonly string[] = []): void {
    const shape = this.model.shapes[shapeName];
    if (!shape) {
      this.report(path, `the service model has no shape '${shapeName}'.`);
      return;
    }
    if (this.options.intercept?.(value, shapeName, shape, path, this.report)) {
      return;
    }
    switch (shape.type) {
      case 'structure':
        return this.checkStructure(value, shapeName, shape, path, omitted);
      case 'list':
        return this.checkList(value, shapeName, shape, path);
      case 'map':
        return this.checkMap(value, shapeName, shape, path);
      case 'string':
        return this.checkString(value, shapeName, shape, path);
      case 'integer':
      case 'long':
      case 'float':
      case 'double': {
        const integer = shape.type === 'integer' || shape.type === 'long';
        if (typeof value !== 'number' || !(integer ? Number.isInteger(value) : Number.isFinite(value))) {
          this.report(path, `expected ${integer ? 'an integer' : 'a number'} (${shapeName}), got ${describe(value)}.`);
        } else {
          this.checkBounds(value, shape, path, 'value');
        }
        return;
      }
      case 'boolean':
        if (typeof value !== 'boolean') {
          this.report(path, `expected true or false (${shapeName}), got ${describe(value)}.`);
        }
        return;
      case 'timestamp':
        if (!(typeof value === 'number' || (typeof value === 'string' && !Number.isNaN(Date.parse(value))))) {
          this.report(path, `expected a timestamp (ISO-8601 string or epoch seconds), got ${describe(value)}.`);
        }
        return;
      case 'blob':
        if (typeof value !== 'string') {
          this.report(path, `expected base64 data as a string, got ${describe(value)}.`);
        }
        return;
      default:
        this.report(path, `unsupported shape type '${shape.type}' of ${shapeName}.`);
    }
  }

  private checkStructure(
    value: unknown,
    shapeName: string,
    shape: BotocoreShape,
    path: string,
    omitted: readonly string[],
  ): void {
    if (!isRecord(value)) {
      this.report(path, `expected an object (${shapeName}), got ${describe(value)}.`);
      return;
    }
    const members = shape.members ?? {};
    const names = Object.keys(members);
    for (const [key, memberValue] of Object.entries(value)) {
      const ref = members[key];
      if (!ref) {
        this.report(memberPath(path, key), `unknown member '${key}' of ${shapeName}; valid members: ${names.join(', ')}.`);
        continue;
      }
      this.check(memberValue, ref.shape, memberPath(path, key));
    }
    for (const required of shape.required ?? []) {
      if (value[required] === undefined && !omitted.includes(required)) {
        this.report(memberPath(path, required), `missing required member '${required}' of ${shapeName}.`);
      }
    }
    if (shape.union) {
      const set = Object.keys(value).filter((k) => value[k] !== undefined);
      if (set.length !== 1) {
        this.report(path, `${shapeName} takes exactly one of ${names.join(', ')}; got ${set.length ? set.join(', ') : 'none'}.`);
      }
    }
  }

  private checkList(value: unknown, shapeName: string, shape: BotocoreShape, path: string): void {
    if (!Array.isArray(value)) {
      this.report(path, `expected a list (${shapeName}), got ${describe(value)}.`);
      return;
    }
    this.checkBounds(value.length, shape, path, 'number of items');
    if (shape.member) {
      const member = shape.member.shape;
      value.forEach((item, i) => this.check(item, member, `${path}[${i}]`));
    }
  }

  private checkMap(value: unknown, shapeName: string, shape: BotocoreShape, path: string): void {
    if (!isRecord(value)) {
      this.report(path, `expected an object (map ${shapeName}), got ${describe(value)}.`);
      return;
    }
    const entries = Object.entries(value);
    this.checkBounds(entries.length, shape, path, 'number of entries');
    for (const [key, item] of entries) {
      if (shape.key) {
        this.check(key, shape.key.shape, `${path}['${key}'] (key)`);
      }
      if (shape.value) {
        this.check(item, shape.value.shape, `${path}['${key}']`);
      }
    }
  }

  private checkString(value: unknown, shapeName: string, shape: BotocoreShape, path: string): void {
    if (typeof value !== 'string') {
      this.report(path, `expected a string (${shapeName}), got ${describe(value)}.`);
      return;
    }
    if (shape.enum && !shape.enum.includes(value)) {
      this.report(path, `${show(value)} is not one of ${listValues(shape.enum)}.`);
      return;
    }
    if (shape.min !== undefined && value.length < shape.min) {
      this.report(path, `${show(value)} is shorter than ${shape.min} characters (${shapeName}).`);
    }
    if (shape.max !== undefined && value.length > shape.max) {
      this.report(path, `${show(value)} is longer than ${shape.max} characters (${shapeName}).`);
    }
    if (shape.pattern) {
      const pattern = this.compile(shape.pattern);
      if (pattern && !pattern.test(value)) {
        this.report(path, `${show(value)} does not match the pattern ${shape.pattern} of ${shapeName}.`);
      }
    }
  }

  private checkBounds(value: number, shape: BotocoreShape, path: string, what: string): void {
    if (shape.min !== undefined && value < shape.min) {
      this.report(path, `${what} ${value} is less than the minimum ${shape.min}.`);
    }
    if (shape.max !== undefined && value > shape.max) {
      this.report(path, `${what} ${value} is more than the maximum ${shape.max}.`);
    }
  }

  /** Compiles a botocore pattern; patterns that JavaScript cannot compile with their meaning are skipped. */
  private compile(source: string): RegExp | null {
    let pattern = this.patterns.get(source);
    if (pattern === undefined) {
      pattern = null;
      try {
        pattern = new RegExp(source, 'u');
      } catch {
        // Without the u flag, \p{...} would silently mean "p{...}": only fall back when there is none.
        if (!/\\[pP]\{/.test(source)) {
          try {
            pattern = new RegExp(source);
          } catch {
            pattern = null;
          }
        }
      }
      this.patterns.set(source, pattern);
    }
    return pattern;
  }
}

/** Checks `value` against shape `shapeName` of `model`; returns the issues (none when it fits). */
export function checkShape(
  model: BotocoreServiceModel,
  shapeName: string,
  value: unknown,
  path = '',
  options: ShapeCheckOptions = {},
): ShapeIssue[] {
  const checker = new ShapeChecker(model, options);
  checker.check(value, shapeName, path);
  return checker.issues;
}
