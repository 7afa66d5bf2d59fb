import { z } from 'zod';
import { describeValue } from '../shared/events';
import { SYSTEM_TEST_ERRORS, SystemTestError } from './errors';

/** Limits of the system test, and why. */
export const SYSTEM_TEST_LIMITS = {
  /** Rows tested when the input does not say. */
  defaultMaxRows: 1000,
  /**
   * Rows tested at most: the Map collects every row's label and prediction into one state, and a state holds at most
   * 256 KiB (about 60 bytes per row in the worst case: two 24-character numbers, a latency, separators).
   */
  maxRows: 3000,
  defaultRowsPerRequest: 1,
  /** Rows in one InvokeEndpoint request at most (the request must also stay under {@link maxRequestBytes}). */
  maxRowsPerRequest: 1000,
  defaultRequestsPerBatch: 50,
  /** Requests one invocation of the invoke handler sends at most, one after the other. */
  maxRequestsPerBatch: 200,
  /** Map iterations at most: each adds about 7 events to an execution's history, which holds 25,000. */
  maxBatches: 1000,
  /** InvokeEndpoint's payload limit (6 MB). */
  maxRequestBytes: 6_000_000,
} as const;

/** SageMaker's endpoint name pattern. */
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

const endpointName = z
  .string()
  .regex(ENDPOINT_NAME, 'not a SageMaker endpoint name (1-63 letters, digits or hyphens, starting and ending with a letter or digit)');
const testDataUri = z.string().min(1, 'empty: expected an s3:// URI');
const wholeNumber = (min: number, max: number, why: string) =>
  z
    .number()
    .int()
    .min(min, `expected a whole number >= ${min}`)
    .max(max, `expected a whole number <= ${max} (${why})`);

/** The state machine's execution input: what to test, and how much. */
export const PlanInputSchema = z.object({
  endpointName,
  /** `s3://bucket/key.csv`, or a prefix holding exactly one .csv object. */
  testDataUri,
  maxRows: wholeNumber(1, SYSTEM_TEST_LIMITS.maxRows, "the rows' results must fit in one Step Functions state").default(
    SYSTEM_TEST_LIMITS.defaultMaxRows,
  ),
  rowsPerRequest: wholeNumber(1, SYSTEM_TEST_LIMITS.maxRowsPerRequest, 'rows per InvokeEndpoint request').default(
    SYSTEM_TEST_LIMITS.defaultRowsPerRequest,
  ),
  requestsPerBatch: wholeNumber(1, SYSTEM_TEST_LIMITS.maxRequestsPerBatch, 'requests one Lambda invocation sends').default(
    SYSTEM_TEST_LIMITS.defaultRequestsPerBatch,
  ),
});
export type PlanInput = z.output<typeof PlanInputSchema>;

/** One Map item: the rows one invocation of the invoke handler sends. */
export const InvokeInputSchema = z.object({
  endpointName,
  /** The object the plan chose: `s3://bucket/key.csv`. */
  testDataUri,
  /** 0-based index of the first data row (the row on line 2 when no value spans lines is row 0). */
  firstRow: wholeNumber(0, SYSTEM_TEST_LIMITS.maxRows - 1, 'the plan tests at most that many rows'),
  rowCount: wholeNumber(1, SYSTEM_TEST_LIMITS.maxRows, 'the plan tests at most that many rows'),
  rowsPerRequest: wholeNumber(1, SYSTEM_TEST_LIMITS.maxRowsPerRequest, 'rows per InvokeEndpoint request'),
  /** The ETag the plan read: the batch fails with TestDataChanged if the object changed since. */
  etag: z.string().min(1).nullable().optional(),
});
export type InvokeInput = z.output<typeof InvokeInputSchema>;

const finiteNumber = z.number();
/** One Map iteration's output. */
export const BatchResultSchema = z.object({
  labels: z.array(finiteNumber),
  predictions: z.array(finiteNumber),
  latenciesMs: z.array(finiteNumber.min(0, 'a latency cannot be negative')),
});
export type BatchResult = z.output<typeof BatchResultSchema>;

/** The Map's output plus the stage's thresholds (constants of the state machine). */
export const EvaluateInputSchema = z.object({
  problemType: z.enum(['regression', 'binary_classification']),
  metric: z.string().min(1),
  direction: z.enum(['Maximize', 'Minimize']),
  threshold: finiteNumber,
  maxP95LatencyMs: finiteNumber.positive('expected a number of milliseconds > 0'),
  testDataUri,
  batches: z.array(BatchResultSchema).max(SYSTEM_TEST_LIMITS.maxBatches, `expected at most ${SYSTEM_TEST_LIMITS.maxBatches} batches`),
});
export type EvaluateInput = z.output<typeof EvaluateInputSchema>;

/** Problems listed in an InvalidInput message at most. */
const MAX_PROBLEMS_SHOWN = 5;

/**
 * Parses a handler's input with `schema`; anything else is InvalidInput listing each problem as
 * `path: message (got value)` and saying what to fix.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string, fix: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '(input)' : issue.path.map(String).join('.');
    return `${path}: ${issue.message} (got ${describeInputValue(valueAt(input, issue.path))})`;
  });
  const more = problems.length > MAX_PROBLEMS_SHOWN ? `; and ${problems.length - MAX_PROBLEMS_SHOWN} more` : '';
  throw new SystemTestError(
    SYSTEM_TEST_ERRORS.invalidInput,
    `not ${what}: ${problems.slice(0, MAX_PROBLEMS_SHOWN).join('; ')}${more}. ${fix}`,
  );
}

/** Like describeValue, but NaN and infinities by name (JSON shows them as null). */
export function describeInputValue(value: unknown): string {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : describeValue(value);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
