import './set-environment';
import { lambdaContext } from '../helpers';
import { OBJECT_URI, rejectionOf } from './helpers';
import { handler } from '../../../lambda/system-test/evaluate';
import { latencyCause, metricCause } from '../../../lambda/system-test/causes';
import { nearestRankPercentile, summarizeLatencies } from '../../../lambda/system-test/latency';
import { METRIC_NAMES } from '../../../lambda/system-test/metrics';
import { PROBLEM_TYPES } from '../../../lib/sagemaker-pipelines/problem-types';

const context = lambdaContext('system-test-evaluate');

const REGRESSION = {
  problemType: 'regression',
  metric: 'r2',
  direction: 'Maximize',
  threshold: 0.6,
  maxP95LatencyMs: 200,
  testDataUri: OBJECT_URI,
  batches: [
    // labels 1..4, predictions off by 1 on the last row: mse 0.25, mae 0.25, r2 = 1 - 1/5 = 0.8
    { labels: [1, 2], predictions: [1, 2], latenciesMs: [10, 30] },
    { labels: [3, 4], predictions: [3, 5], latenciesMs: [20, 250.04] },
  ],
};

const BINARY = {
  problemType: 'binary_classification',
  metric: 'auc',
  direction: 'Maximize',
  threshold: 0.8,
  maxP95LatencyMs: 100,
  testDataUri: OBJECT_URI,
  // one positive ranked below one negative out of 2 x 2 pairs: auc 0.75
  batches: [{ labels: [0, 1, 0, 1], predictions: [0.1, 0.4, 0.6, 0.9], latenciesMs: [5, 6, 7, 8] }],
};

describe('system-test evaluate handler', () => {
  test('GIVEN regression results WHEN evaluated THEN the metric, the latency percentiles and the causes', async () => {
    await expect(handler(REGRESSION, context)).resolves.toEqual({
      rows: 4,
      requests: 4,
      metric: { name: 'r2', value: 0.8, threshold: 0.6, direction: 'Maximize' },
      latency: { p50Ms: 20, p95Ms: 250.04, p99Ms: 250.04, maxMs: 250.04, maxP95Ms: 200 },
      causes: {
        metric: `r2 = 0.8 on 4 held-out rows of ${OBJECT_URI} is above the threshold 0.6 (higher is better)`,
        latency: 'p95 latency 250.0 ms over 4 requests is above the limit 200 ms',
      },
    });
  });

  test.each([
    ['mse', 'Minimize', 0.25],
    ['rmse', 'Minimize', 0.5],
    ['mae', 'Minimize', 0.25],
    ['r2', 'Maximize', 0.8],
  ])('GIVEN metric %s (%s) THEN %d', async (metric, direction, value) => {
    await expect(handler({ ...REGRESSION, metric, direction }, context)).resolves.toMatchObject({ metric: { name: metric, value, direction } });
  });

  test('GIVEN binary classification results WHEN evaluated THEN AUC, below its threshold, says so', async () => {
    const result = await handler(BINARY, context);

    expect(result).toMatchObject({ rows: 4, requests: 4, metric: { name: 'auc', value: 0.75 }, latency: { p50Ms: 6, p95Ms: 8, p99Ms: 8, maxMs: 8 } });
    expect(result.causes).toEqual({
      metric: `auc = 0.75 on 4 held-out rows of ${OBJECT_URI} is below the threshold 0.8 (higher is better)`,
      latency: 'p95 latency 8.0 ms over 4 requests is below the limit 100 ms',
    });
  });

  test.each([
    ['accuracy', 0.5],
    ['precision', 0.5],
    ['recall', 0.5],
    ['f1', 0.5],
  ])('GIVEN binary metric %s THEN %d (cut at 0.5)', async (metric, value) => {
    await expect(handler({ ...BINARY, metric }, context)).resolves.toMatchObject({ metric: { name: metric, value } });
  });

  test('GIVEN empty batches among full ones THEN they count for nothing', async () => {
    const batches = [...REGRESSION.batches, { labels: [], predictions: [], latenciesMs: [] }];
    await expect(handler({ ...REGRESSION, batches }, context)).resolves.toMatchObject({ rows: 4, requests: 4 });
  });
});

describe('system-test evaluate handler refuses invalid input with InvalidInput', () => {
  const batch = REGRESSION.batches[0];

  test.each<[string, unknown, RegExp]>([
    ['a string', 'results', /^not a system test evaluation input: \(input\): Invalid input: expected object, received string/],
    ['no batches', { ...REGRESSION, batches: undefined }, /batches: Invalid input: expected array, received undefined \(got nothing\)/],
    ['an unknown problem type', { ...REGRESSION, problemType: 'multiclass' }, /problemType: Invalid option: expected one of "regression"\|"binary_classification" \(got "multiclass"\)/],
    ['a metric of another problem type', { ...REGRESSION, metric: 'auc' }, /^metric "auc" is not a regression metric: use one of mse, rmse, mae, r2 \(the stage's qualityGate.metric\)$/],
    ['a direction that does not fit the metric', { ...REGRESSION, direction: 'Minimize' }, /^direction Minimize does not fit r2, which is Maximize in ml\/problem_types.json: pass Maximize$/],
    ['a threshold as a string', { ...REGRESSION, threshold: '0.6' }, /threshold: Invalid input: expected number, received string \(got "0.6"\)/],
    ['a latency limit of 0', { ...REGRESSION, maxP95LatencyMs: 0 }, /maxP95LatencyMs: expected a number of milliseconds > 0 \(got 0\)/],
    ['NaN among the predictions', { ...REGRESSION, batches: [{ ...batch, predictions: [1, NaN] }] }, /batches.0.predictions.1: Invalid input: expected number, received NaN \(got NaN\)/],
    ['Infinity among the labels', { ...REGRESSION, batches: [{ ...batch, labels: [Infinity, 1] }] }, /batches.0.labels.0: .* \(got Infinity\)/],
    ['a negative latency', { ...REGRESSION, batches: [{ ...batch, latenciesMs: [-1, 2] }] }, /batches.0.latenciesMs.0: a latency cannot be negative \(got -1\)/],
    ['a prediction as a string', { ...REGRESSION, batches: [{ ...batch, predictions: ['1', 2] }] }, /batches.0.predictions.0: Invalid input: expected number, received string \(got "1"\)/],
    ['fewer predictions than labels', { ...REGRESSION, batches: [batch, { labels: [3, 4], predictions: [3], latenciesMs: [1] }] }, /^batch 1 has 2 labels but 1 predictions: each batch result needs one prediction per label/],
    ['more latencies than rows', { ...REGRESSION, batches: [{ ...batch, latenciesMs: [1, 2, 3] }] }, /^batch 0 has 2 rows but 3 latencies/],
    ['rows without latencies', { ...REGRESSION, batches: [{ ...batch, latenciesMs: [] }] }, /^batch 0 has 2 rows but 0 latencies/],
    ['a testDataUri that is not an object', { ...REGRESSION, testDataUri: 's3://bucket-a/prefix/' }, /testDataUri "s3:\/\/bucket-a\/prefix\/" does not name a .csv object/],
    ['too many batches', { ...REGRESSION, batches: Array.from({ length: 1001 }, () => batch) }, /batches: expected at most 1000 batches/],
  ])('GIVEN %s', async (_what, input, message) => {
    const error = await rejectionOf(handler(input, context));

    expect(error).toMatchObject({ name: 'InvalidInput', message: expect.stringMatching(message) });
  });

  test('GIVEN many problems THEN the first five are listed and the rest counted', async () => {
    const predictions = Array.from({ length: 8 }, () => 'x');
    const error = await rejectionOf(handler({ ...REGRESSION, batches: [{ labels: predictions.map(() => 1), predictions, latenciesMs: [1] }] }, context));

    expect(error.message).toMatch(/batches.0.predictions.4: .*; and 3 more\. The state machine passes the Map output/);
  });
});

describe('system-test evaluate handler: a metric that cannot be computed is MetricUndefined', () => {
  test.each<[string, unknown, RegExp]>([
    ['no batches', { ...REGRESSION, batches: [] }, /^no held-out rows were scored, so no metric can be computed/],
    ['only empty batches', { ...BINARY, batches: [{ labels: [], predictions: [], latenciesMs: [] }] }, /^no held-out rows were scored/],
    ['one class only', { ...BINARY, batches: [{ labels: [1, 1], predictions: [0.2, 0.9], latenciesMs: [1] }] }, /^the 2 held-out rows hold only class 1: AUC needs both classes .* raise maxRows or test with a split that holds both classes$/],
    ['one class, for accuracy too (as evaluate.py)', { ...BINARY, metric: 'accuracy', batches: [{ labels: [0], predictions: [0.2], latenciesMs: [1] }] }, /^the 1 held-out row holds only class 0/],
    ['labels that are not 0/1', { ...BINARY, batches: [{ labels: [0, 1, 2, 3, 4, 5, 6], predictions: [0, 0, 0, 0, 0, 0, 0], latenciesMs: [1] }] }, /^binary_classification labels must be 0\/1, the held-out rows have \[0,1,2,3,4\] and more: test with the test split of a binary_classification training run$/],
    ['a regression overflow', { ...REGRESSION, metric: 'mse', direction: 'Minimize', batches: [{ labels: [1e200, 0], predictions: [-1e200, 0], latenciesMs: [1] }] }, /^mse is Infinity on these 2 rows/],
  ])('GIVEN %s', async (_what, input, message) => {
    const error = await rejectionOf(handler(input, context));

    expect(error).toMatchObject({ name: 'MetricUndefined', message: expect.stringMatching(message) });
  });
});

describe('latency percentiles (nearest rank)', () => {
  const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1);

  test.each([
    [50, 10],
    [95, 19],
    [99, 20],
    [100, 20],
    [1, 1],
  ])('GIVEN 1..20 THEN p%d is %d, a measured value', (percent, value) => {
    expect(nearestRankPercentile(oneToTwenty, percent)).toBe(value);
  });

  test('GIVEN 1000 values THEN p95 is the 950th, p99 the 990th', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(summarizeLatencies([...values].reverse())).toEqual({ p50Ms: 500, p95Ms: 950, p99Ms: 990, maxMs: 1000 });
  });

  test('GIVEN one value THEN every percentile is it; GIVEN none THEN an error', () => {
    expect(summarizeLatencies([42.5])).toEqual({ p50Ms: 42.5, p95Ms: 42.5, p99Ms: 42.5, maxMs: 42.5 });
    expect(() => nearestRankPercentile([], 50)).toThrow('no values');
  });
});

describe('the Fail messages', () => {
  const base = { metric: 'r2', threshold: 0.6, direction: 'Maximize' as const, rows: 1000, testDataUri: 's3://b/test.csv' };

  test.each<[string, Partial<Parameters<typeof metricCause>[0]>, string]>([
    ['a value below a Maximize threshold', { value: 0.52134 }, 'r2 = 0.5213 on 1000 held-out rows of s3://b/test.csv is below the threshold 0.6 (higher is better)'],
    ['a value that would round to the threshold', { value: 0.59996 }, 'r2 = 0.59996 on 1000 held-out rows of s3://b/test.csv is below the threshold 0.6 (higher is better)'],
    ['a value equal to the threshold', { value: 0.6 }, 'r2 = 0.6 on 1000 held-out rows of s3://b/test.csv is equal to the threshold 0.6 (higher is better)'],
    ['a large Minimize value', { metric: 'rmse', direction: 'Minimize', value: 34567.891, threshold: 30000 }, 'rmse = 34567.9 on 1000 held-out rows of s3://b/test.csv is above the threshold 30000 (lower is better)'],
    ['a tiny value', { metric: 'mse', direction: 'Minimize', value: 0.000012345678, threshold: 0.00001 }, 'mse = 0.00001235 on 1000 held-out rows of s3://b/test.csv is above the threshold 0.00001 (lower is better)'],
    ['a negative r2 on one row', { value: -1.25, rows: 1 }, 'r2 = -1.25 on 1 held-out row of s3://b/test.csv is below the threshold 0.6 (higher is better)'],
  ])('GIVEN %s', (_what, options, expected) => {
    expect(metricCause({ ...base, value: 0, ...options })).toBe(expected);
  });

  test.each([
    [230.44, 200, 1000, 'p95 latency 230.4 ms over 1000 requests is above the limit 200 ms'],
    [200.04, 200, 1000, 'p95 latency 200.04 ms over 1000 requests is above the limit 200 ms'],
    [199.99, 200, 1, 'p95 latency 199.99 ms over 1 request is below the limit 200 ms'],
    [200, 200, 5, 'p95 latency 200.0 ms over 5 requests is equal to the limit 200 ms'],
  ])('GIVEN p95 %d ms against %d ms THEN the message', (p95Ms, maxP95Ms, requests, expected) => {
    expect(latencyCause({ p95Ms, maxP95Ms, requests })).toBe(expected);
  });
});

test('METRIC_NAMES are the metrics of ml/problem_types.json', () => {
  for (const [problemType, names] of Object.entries(METRIC_NAMES)) {
    expect([...names].sort()).toEqual(Object.keys(PROBLEM_TYPES[problemType as keyof typeof PROBLEM_TYPES].metrics).sort());
  }
});
