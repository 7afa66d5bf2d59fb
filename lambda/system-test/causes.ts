/**
 * The Fail messages of the system test (pure). Each states where the value lies against its bound, with the
 * direction, so it reads right whichever way the Choice state went: the Choice decides, these only word it.
 */

/** Significant digits a metric is shown with at least. */
const METRIC_DIGITS = 4;
/** Decimals a latency is shown with at least. */
const LATENCY_DECIMALS = 1;

/** Where `value` lies against `bound`. */
function relation(value: number, bound: number): string {
  if (value < bound) return 'below';
  if (value > bound) return 'above';
  return 'equal to';
}

/**
 * `value` with the fewest digits from `shown(value, digits)` (from `minDigits` up to `maxDigits`) that does not read
 * as the bound when it differs from it: 0.59996 against 0.6 shows as 0.59996, not 0.6; 200.04 ms against 200 ms as
 * 200.04, not 200.0.
 */
function showBeside(
  value: number,
  bound: number,
  shown: (value: number, digits: number) => string,
  digits: { readonly min: number; readonly max: number },
): string {
  const readsAsBound = (text: string) => value !== bound && Number(text) === bound;
  for (let count = digits.min; count <= digits.max; count++) {
    const text = shown(value, count);
    if (!readsAsBound(text)) return text;
  }
  return String(value);
}

/** A metric value: at least 4 significant digits, and every digit before the decimal point (34567.9, 0.5213). */
function significant(value: number, digits: number): string {
  const integerDigits = Math.abs(value) < 1 ? 0 : Math.floor(Math.log10(Math.abs(value))) + 1;
  return String(Number(value.toPrecision(Math.min(21, Math.max(digits, integerDigits + 1)))));
}

/** A latency in ms with `decimals` decimals (230.4). */
function fixed(value: number, decimals: number): string {
  return value.toFixed(decimals);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `r2 = 0.5213 on 1000 held-out rows of s3://.../test.csv is below the threshold 0.6 (higher is better)` */
export function metricCause(options: {
  readonly metric: string;
  readonly value: number;
  readonly threshold: number;
  readonly direction: 'Maximize' | 'Minimize';
  readonly rows: number;
  readonly testDataUri: string;
}): string {
  const { metric, value, threshold, direction, rows, testDataUri } = options;
  const better = direction === 'Maximize' ? 'higher is better' : 'lower is better';
  const shown = showBeside(value, threshold, significant, { min: METRIC_DIGITS, max: 17 });
  return (
    `${metric} = ${shown} on ${plural(rows, 'held-out row')} of ${testDataUri} is ${relation(value, threshold)} ` +
    `the threshold ${threshold} (${better})`
  );
}

/** `p95 latency 230.4 ms over 1000 requests is above the limit 200 ms` */
export function latencyCause(options: { readonly p95Ms: number; readonly maxP95Ms: number; readonly requests: number }): string {
  const { p95Ms, maxP95Ms, requests } = options;
  const shown = showBeside(p95Ms, maxP95Ms, fixed, { min: LATENCY_DECIMALS, max: 6 });
  return `p95 latency ${shown} ms over ${plural(requests, 'request')} is ${relation(p95Ms, maxP95Ms)} the limit ${maxP95Ms} ms`;
}
