import { EXECUTION_VARIABLES } from '../../lib/sagemaker-pipelines/expressions';
import { formatSegments, parseGetPath, parseSegments, type PathSegment } from '../../lib/sagemaker-pipelines/property-path';
import type { ParameterType } from './definition';
import type { ParameterValue } from './types';

export { EXECUTION_VARIABLES };

/** A parsed `Get`: a parameter, an execution variable, or a path into a step's properties. */
export type ParsedGet =
  | { readonly root: 'Parameters'; readonly name: string }
  | { readonly root: 'Execution'; readonly name: string }
  | { readonly root: 'PipelineExperimentConfig'; readonly name: string }
  | { readonly root: 'Steps'; readonly step: string; readonly path: readonly PathSegment[] };

/** An expression that cannot be evaluated; the message names the expression. */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

/** What expressions read from the running execution. */
export interface ExpressionContext {
  /** Effective value of a parameter; undefined when no such parameter exists. */
  parameter(name: string): ParameterValue | undefined;
  parameterType(name: string): ParameterType | undefined;
  /** Value of `Execution.<name>`. */
  execution(name: string): string | undefined;
  /** Value of `PipelineExperimentConfig.<name>` (ExperimentName, TrialName); undefined when tracking is off. */
  experimentConfig(name: string): string | undefined;
  /** Describe*-shaped properties of a finished step; undefined when the step has not run. */
  stepProperties(step: string): Record<string, unknown> | undefined;
  /** Parsed JSON of a step's property file. */
  propertyFile(step: string, propertyFileName: string): unknown;
  /** Parsed JSON object stored at an S3 URI (for `Std:JsonGet` with `S3Uri`). */
  s3Json(uri: string): unknown;
}

/** Fields that SageMaker uses to index a list by name (`Outputs['train']`, `FinalMetricDataList['rmse']`). */
const LIST_KEY_FIELDS = ['OutputName', 'InputName', 'ChannelName', 'MetricName', 'PropertyFileName', 'Name', 'TrainingJobName'];

function describe(expression: unknown): string {
  return JSON.stringify(expression);
}

/** Parses `a.b[0]['c']` into segments; throws naming `context` when the path is malformed. */
export function parsePath(text: string, context: string): PathSegment[] {
  const segments = parseSegments(text);
  if (typeof segments === 'string') {
    throw new ExpressionError(`Malformed property path "${text}" in ${context}: ${segments}`);
  }
  return segments;
}

/** Parses the string of a `{"Get": ...}` expression. */
export function parseGet(expression: string): ParsedGet {
  if (typeof expression !== 'string') {
    throw new ExpressionError(`"Get" must be a string, got ${describe(expression)}`);
  }
  const parsed = parseGetPath(expression);
  if (typeof parsed === 'string') {
    throw new ExpressionError(`Malformed expression {"Get":"${expression}"}: ${parsed}`);
  }
  return parsed.root === 'Steps' ? { root: 'Steps', step: parsed.name, path: parsed.segments } : (parsed as ParsedGet);
}

export const formatPath = formatSegments;

/** Follows a path into a value; throws naming `context` and what is available when a segment does not resolve. */
export function walkPath(value: unknown, segments: readonly PathSegment[], context: string): unknown {
  let current = value;
  for (let n = 0; n < segments.length; n++) {
    const seg = segments[n];
    const where = formatPath(segments.slice(0, n)) || '(root)';
    const fail = (why: string): never => {
      throw new ExpressionError(`Cannot resolve ${context}: ${why}`);
    };
    if (seg.kind === 'index') {
      if (!Array.isArray(current)) fail(`${where} is not a list, so [${seg.index}] does not apply`);
      const list = current as unknown[];
      if (seg.index >= list.length) fail(`${where} has ${list.length} element(s), so [${seg.index}] is out of range`);
      current = list[seg.index];
      continue;
    }
    const name = seg.kind === 'member' ? seg.name : seg.key;
    if (Array.isArray(current)) {
      const match = current.find(
        (item) =>
          item !== null &&
          typeof item === 'object' &&
          LIST_KEY_FIELDS.some((f) => (item as Record<string, unknown>)[f] === name),
      );
      if (match === undefined) {
        const names = current
          .map((item) => {
            if (item === null || typeof item !== 'object') return undefined;
            const f = LIST_KEY_FIELDS.find((k) => typeof (item as Record<string, unknown>)[k] === 'string');
            return f ? String((item as Record<string, unknown>)[f]) : undefined;
          })
          .filter((x): x is string => x !== undefined);
        fail(`${where} has no element named '${name}' (available: ${names.join(', ') || 'none'})`);
      }
      current = match;
      continue;
    }
    if (current === null || typeof current !== 'object') {
      fail(`${where} is ${describe(current)}, which has no property "${name}"`);
    }
    const obj = current as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(obj, name)) {
      fail(`${where} has no property "${name}" (available: ${Object.keys(obj).join(', ') || 'none'})`);
    }
    current = obj[name];
  }
  return current;
}

type ExpressionKind = 'Get' | 'Std:Join' | 'Std:JsonGet';

/** The expression kind when `value` is a single-key expression object. */
export function expressionKind(value: unknown): ExpressionKind | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0];
  return key === 'Get' || key === 'Std:Join' || key === 'Std:JsonGet' ? key : undefined;
}

function formatForJoin(raw: unknown, resolved: unknown, ctx: ExpressionContext): string {
  if (resolved === null || resolved === undefined) return '';
  if (typeof resolved === 'number') {
    // SageMaker prints Float parameters with a decimal point (6.0, not 6).
    if (expressionKind(raw) === 'Get') {
      const get = (raw as { Get: string }).Get;
      if (get.startsWith('Parameters.') && ctx.parameterType(get.slice('Parameters.'.length)) === 'Float') {
        return Number.isInteger(resolved) ? resolved.toFixed(1) : String(resolved);
      }
    }
    return String(resolved);
  }
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'boolean') return resolved ? 'true' : 'false';
  return JSON.stringify(resolved);
}

/** Resolves a value and formats it as text the way `Std:Join` formats each of its values (Float parameters as `6.0`). */
export function resolveToText(value: unknown, ctx: ExpressionContext): string {
  return formatForJoin(value, resolveValue(value, ctx), ctx);
}

function evaluateGet(expression: string, ctx: ExpressionContext): unknown {
  const parsed = parseGet(expression);
  const context = `{"Get":"${expression}"}`;
  if (parsed.root === 'Parameters') {
    const value = ctx.parameter(parsed.name);
    if (value === undefined) throw new ExpressionError(`Cannot resolve ${context}: no parameter "${parsed.name}"`);
    return value;
  }
  if (parsed.root === 'Execution') {
    const value = ctx.execution(parsed.name);
    if (value === undefined) {
      throw new ExpressionError(
        `Cannot resolve ${context}: unknown execution variable "${parsed.name}" (use one of ${EXECUTION_VARIABLES.join(', ')})`,
      );
    }
    return value;
  }
  if (parsed.root === 'PipelineExperimentConfig') {
    const value = ctx.experimentConfig(parsed.name);
    if (value === undefined) {
      throw new ExpressionError(`Cannot resolve ${context}: the definition turns experiment tracking off (PipelineExperimentConfig is null)`);
    }
    return value;
  }
  const properties = ctx.stepProperties(parsed.step);
  if (properties === undefined) {
    throw new ExpressionError(`Cannot resolve ${context}: step "${parsed.step}" has not run (no properties yet)`);
  }
  return walkPath(properties, parsed.path, context);
}

function evaluateJsonGet(args: unknown, ctx: ExpressionContext): unknown {
  const context = `{"Std:JsonGet":${describe(args)}}`;
  if (args === null || typeof args !== 'object') {
    throw new ExpressionError(`Malformed expression ${context}: expected {"PropertyFile":..., "Path":...}`);
  }
  const { PropertyFile, Path, S3Uri } = args as { PropertyFile?: unknown; Path?: unknown; S3Uri?: unknown };
  const jsonPath = resolveValue(Path, ctx);
  if (typeof jsonPath !== 'string' || jsonPath === '') {
    throw new ExpressionError(`Malformed expression ${context}: "Path" must be a non-empty string`);
  }
  let document: unknown;
  if (PropertyFile !== undefined) {
    const ref = expressionKind(PropertyFile) === 'Get' ? (PropertyFile as { Get: string }).Get : undefined;
    const parsed = ref !== undefined ? parseGet(ref) : undefined;
    if (
      !parsed ||
      parsed.root !== 'Steps' ||
      parsed.path.length !== 2 ||
      parsed.path[0].kind !== 'member' ||
      parsed.path[0].name !== 'PropertyFiles'
    ) {
      throw new ExpressionError(
        `Malformed expression ${context}: "PropertyFile" must be {"Get":"Steps.<Step>.PropertyFiles.<Name>"}`,
      );
    }
    const fileSeg = parsed.path[1];
    const fileName = fileSeg.kind === 'member' ? fileSeg.name : fileSeg.kind === 'key' ? fileSeg.key : String(fileSeg.index);
    try {
      document = ctx.propertyFile(parsed.step, fileName);
    } catch (err) {
      throw new ExpressionError(`Cannot resolve ${context}: ${(err as Error).message}`);
    }
  } else if (S3Uri !== undefined) {
    const uri = resolveValue(S3Uri, ctx);
    if (typeof uri !== 'string') throw new ExpressionError(`Malformed expression ${context}: "S3Uri" must be a string`);
    try {
      document = ctx.s3Json(uri);
    } catch (err) {
      throw new ExpressionError(`Cannot resolve ${context}: ${(err as Error).message}`);
    }
  } else {
    throw new ExpressionError(`Malformed expression ${context}: needs "PropertyFile" (or "S3Uri")`);
  }
  return walkPath(document, parsePath(jsonPath, context), context);
}

/** Evaluates every expression inside `value` (deeply); plain values are returned unchanged (copied). */
export function resolveValue(value: unknown, ctx: ExpressionContext): unknown {
  const kind = expressionKind(value);
  if (kind === 'Get') return evaluateGet((value as { Get: string }).Get, ctx);
  if (kind === 'Std:JsonGet') return evaluateJsonGet((value as Record<string, unknown>)['Std:JsonGet'], ctx);
  if (kind === 'Std:Join') {
    const args = (value as Record<string, unknown>)['Std:Join'] as { On?: unknown; Values?: unknown } | null;
    const context = `{"Std:Join":${describe(args)}}`;
    if (!args || typeof args !== 'object' || !Array.isArray(args.Values)) {
      throw new ExpressionError(`Malformed expression ${context}: expected {"On": string, "Values": [...]}`);
    }
    const on = args.On === undefined ? '' : resolveValue(args.On, ctx);
    if (typeof on !== 'string') throw new ExpressionError(`Malformed expression ${context}: "On" must be a string`);
    return args.Values.map((raw) => formatForJoin(raw, resolveValue(raw, ctx), ctx)).join(on);
  }
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, ctx));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveValue(v, ctx);
    return out;
  }
  return value;
}

/** Every `Get` string inside a value (including those inside Std:Join / Std:JsonGet). */
export function collectGets(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) collectGets(v, out);
  } else if (value !== null && typeof value === 'object') {
    if (expressionKind(value) === 'Get') {
      out.push(String((value as { Get: unknown }).Get));
      return out;
    }
    for (const v of Object.values(value)) collectGets(v, out);
  }
  return out;
}

/** Names of the steps a value reads from (`Get Steps.<name>...`). */
export function referencedSteps(value: unknown): Set<string> {
  const steps = new Set<string>();
  for (const get of collectGets(value)) {
    if (!get.startsWith('Steps.')) continue;
    try {
      const parsed = parseGet(get);
      if (parsed.root === 'Steps') steps.add(parsed.step);
    } catch {
      // Malformed references are reported by the validator.
    }
  }
  return steps;
}
