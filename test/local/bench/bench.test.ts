import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  endpointBench,
  endpointTable,
  endpointVerdict,
  latencySummary,
  median,
  percentile,
  throughput,
  type EndpointMeasurement,
} from '../../../local/bench/endpoint';
import { benchRun, overheadTable, stepOverheads, totalOverhead } from '../../../local/bench/pipelines';
import { etlBench, growthExponent, rowsPerSecond } from '../../../local/bench/etl';
import { BenchUsageError, DEFAULT_BENCH_ROWS, parseBenchArgs } from '../../../local/bench/usage';
import { inferenceRecord, trainingRecord } from '../report/fixture';

describe('bench arithmetic', () => {
  test('per-step overhead is wall time minus script time; steps that did not run are left out', () => {
    const rows = stepOverheads(trainingRecord());
    expect(rows.map((r) => r.step)).toEqual(['Preprocess', 'Tune', 'Evaluate', 'CheckQuality', 'Register']);
    expect(rows[0]).toEqual({ pipeline: 'local-training', step: 'Preprocess', wallMs: 2000, processMs: 1900, overheadMs: 100 });
    // cached steps ran no process, so they say nothing about overhead
    expect(stepOverheads(inferenceRecord()).map((r) => r.step)).toEqual(['BatchTransform']);
  });

  test('the total uses the measured wall time of the calls', () => {
    const training = { ...trainingRecord(), processMs: 19_000 };
    const total = totalOverhead([
      { record: training, wallMs: 20_000 },
      { record: inferenceRecord(), wallMs: 3_000 },
    ]);
    expect(total).toEqual({ wallMs: 23_000, processMs: 21_300, overheadMs: 1_700, overheadPercent: (1_700 / 23_000) * 100 });
  });

  test('the table lists every step and the total with a percentage', () => {
    const table = overheadTable([{ record: inferenceRecord(), wallMs: 3_000 }]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^pipeline\s+step\s+wall\s+in scripts\s+overhead\s+overhead %$/);
    expect(table).toMatch(/local-inference\s+BatchTransform\s+2\.5 s\s+2\.3 s\s+200 ms\s+8\.0%/);
    expect(lines[lines.length - 1]).toMatch(/^total .*3\.0 s\s+2\.3 s\s+700 ms\s+23\.33%$/);
  });

  test('ETL growth: the exponent of time ∝ rows^k between the smallest and the largest size', () => {
    expect(growthExponent([{ rows: 100_000, seconds: 10 }, { rows: 1_000_000, seconds: 100 }])).toBeCloseTo(1, 10);
    expect(growthExponent([{ rows: 100_000, seconds: 10 }, { rows: 1_000_000, seconds: 20 }])).toBeCloseTo(Math.log10(2), 10);
    expect(growthExponent([{ rows: 100, seconds: 1 }])).toBeUndefined();
    expect(rowsPerSecond({ rows: 1_000_000, seconds: 20 })).toBe(50_000);
  });

  test('arguments', () => {
    expect(parseBenchArgs([])).toEqual({
      etlRows: [100_000, 1_000_000],
      rows: DEFAULT_BENCH_ROWS,
      factor: 5,
      trials: 6,
      seed: 42,
      keep: false,
      only: ['etl', 'pipelines', 'endpoint', 'synth'],
      help: false,
    });
    expect(parseBenchArgs(['--etl-rows', '1000, 5000', '--only', 'etl'])).toMatchObject({ etlRows: [1000, 5000], only: ['etl'] });
    expect(() => parseBenchArgs(['--etl-rows', '5000,1000'])).toThrow('--etl-rows must list sizes from smallest to largest, got "5000,1000"');
    expect(() => parseBenchArgs(['--etl-rows', '50'])).toThrow('--etl-rows must be a whole number of at least 100, got "50"');
    expect(parseBenchArgs(['--rows', '300', '--factor', '2', '--trials', '3', '--keep', '--only', 'pipelines'])).toMatchObject({
      rows: 300,
      factor: 2,
      trials: 3,
      keep: true,
    });
    expect(() => parseBenchArgs(['--rows', '10'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--rows', '10'])).toThrow('--rows must be a whole number of at least 50, got "10"');
    expect(() => parseBenchArgs(['--factor'])).toThrow("Option '--factor <value>' argument missing");
    expect(() => parseBenchArgs(['--fast'])).toThrow("Unknown option '--fast'");
    expect(() => parseBenchArgs(['--only', 'pipelines,gpu'])).toThrow('--only names unknown section "gpu": use etl, pipelines, endpoint, synth');
    expect(parseBenchArgs(['--only', 'endpoint'])).toMatchObject({ only: ['endpoint'] });
  });
});

describe('endpoint bench arithmetic', () => {
  const measurement = (p99: number, batchMs: number[]): EndpointMeasurement => ({
    latency: { count: 1000, p50: 0.8, p99, mean: 1.1, max: 30 },
    connections: 1,
    batchRows: 10_000,
    batchMs,
  });

  test('percentiles by nearest rank, median, latency summary and rows per second', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    // 1,000 requests: p99 is the 990th smallest, so the 10 slowest do not count
    const thousand = [...Array.from({ length: 990 }, () => 1), ...Array.from({ length: 10 }, () => 50)];
    expect(percentile(thousand, 99)).toBe(1);
    expect(percentile([...thousand, 50], 99)).toBe(50);
    expect(() => percentile([], 50)).toThrow('percentile of no values');
    expect(() => percentile([1], 0)).toThrow('percentile 0 is not in (0, 100]');
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(latencySummary([1, 2, 3, 10])).toEqual({ count: 4, p50: 2, p99: 10, mean: 4, max: 10 });
    expect(throughput(10_000, 40)).toBe(250_000);
  });

  test('passes only when p99 < 10 ms and more than 250,000 rows/s', () => {
    expect(endpointVerdict(measurement(9.99, [30, 20, 25]))).toEqual({
      ok: true,
      verdict: 'single row p50 0.80 ms, p99 9.99 ms (target < 10 ms); 10,000 rows at 400,000 rows/s (target > 250,000)',
    });
    expect(endpointVerdict(measurement(10, [20])).ok).toBe(false);
    // exactly 250,000 rows/s (40 ms) is not more than the target
    expect(endpointVerdict(measurement(1, [40])).ok).toBe(false);
    expect(endpointVerdict(measurement(1, [39.9])).ok).toBe(true);
  });

  test('the table shows each measure against its target', () => {
    const table = endpointTable(measurement(12.5, [50, 45, 60]));
    expect(table).toMatch(/^measure\s+value\s+target\s+result$/m);
    expect(table).toMatch(/single row p50 \(1000 requests, 1 connection\)\s+0\.80 ms/);
    expect(table).toMatch(/single row p99\s+12\.50 ms\s+< 10 ms\s+MISSED/);
    expect(table).toMatch(/10,000-row CSV request \(median of 3\)\s+50\.00 ms/);
    expect(table).toMatch(/rows per second\s+200,000\s+> 250,000\s+MISSED/);
  });
});

describe('bench run', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('runs both pipelines without cache and accounts for every millisecond', async () => {
    const runs = await benchRun(400, { rows: 400, factor: 1, trials: 2, seed: 5, keep: false, only: ['pipelines'], etlRows: [] }, dir);
    expect(runs.map((r) => r.record.pipelineName)).toEqual(['mlops-dev-training', 'mlops-dev-inference']);
    for (const run of runs) {
      expect(run.record.status).toBe('Succeeded');
      expect(run.record.steps.some((s) => s.status === 'Cached')).toBe(false);
      // script time is real and never more than the wall time around the call
      expect(run.record.processMs).toBeGreaterThan(0);
      expect(run.record.processMs).toBeLessThanOrEqual(run.wallMs);
    }
    const total = totalOverhead(runs);
    expect(total.overheadMs).toBeGreaterThanOrEqual(0);
    expect(total.overheadPercent).toBeLessThan(100);
    expect(overheadTable(runs)).toMatch(/Tune[\s\S]*BatchTransform[\s\S]*total/);
  });

  test('the ETL section runs the stage\'s job at each size and reports rows per second', async () => {
    const lines: string[] = [];
    const result = await etlBench(
      { rows: 400, factor: 1, trials: 1, seed: 5, keep: false, only: ['etl'], etlRows: [200, 400] },
      path.join(dir, 'etl'),
      (line) => lines.push(line),
    );
    const text = lines.join('\n');
    expect(text).toMatch(/== etl: the mlops-dev-etl job on uploads of 200 and 400 rows/);
    expect(text).toMatch(/^ {2}200 rows: [\d.]+ s \([\d,]+ rows\/s\), \d+ out, \d+ set aside$/m);
    expect(text).toMatch(/time grows as rows\^-?[\d.]+: 2× the rows took [\d.]+× the time/);
    expect(result).toEqual({ name: 'etl', ok: true, verdict: expect.stringMatching(/^400 rows in [\d.]+ s \([\d,]+ rows\/s\); target < 30 s$/) });
  });

  test('the endpoint section trains a model, serves it and measures latency on one kept-alive connection', async () => {
    const lines: string[] = [];
    const result = await endpointBench(
      { rows: 400, factor: 1, trials: 1, seed: 5, keep: false, only: ['endpoint'], etlRows: [] },
      path.join(dir, 'endpoint'),
      (line) => lines.push(line),
      { requests: 40, warmup: 5, batchRows: 500, batchRepeats: 3, trainingRows: 400, trials: 1 },
    );
    const text = lines.join('\n');
    expect(text).toMatch(/== endpoint: 40 single-row requests on one kept-alive connection, 3 requests of 500 CSV rows/);
    expect(text).toMatch(/trained arn:aws:sagemaker:.*:model-package\/.+\/1 on 400 rows/);
    // every measured request reused the warm-up's connection
    expect(text).toMatch(/single row p50 \(40 requests, 1 connection\)\s+[\d.]+ ms/);
    expect(text).toMatch(/500-row CSV request \(median of 3\)\s+[\d.]+ ms/);
    // the verdict depends on the machine's load; its form does not
    expect(result).toEqual({
      name: 'endpoint',
      ok: expect.any(Boolean),
      verdict: expect.stringMatching(/^single row p50 [\d.]+ ms, p99 [\d.]+ ms \(target < 10 ms\); 500 rows at [\d,]+ rows\/s \(target > 250,000\)$/),
    });
  });
});
