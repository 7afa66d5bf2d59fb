import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
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
      only: ['etl', 'pipelines'],
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
    expect(() => parseBenchArgs(['--only', 'pipelines,gpu'])).toThrow('--only names unknown section "gpu": use etl, pipelines');
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
});
