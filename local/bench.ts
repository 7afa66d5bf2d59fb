/**
 * `npm run bench`: how much of a local pipeline run is the executor's own work rather than the scripts'.
 *
 * Runs the training pipeline and the inference pipeline at two data sizes in a temporary work dir without step
 * caching, then reports per step the wall time, the time inside the scripts' processes (`processMs` of the
 * execution records) and the difference, the executor's overhead. Exits with 1 when the overhead reaches the
 * target share of the run (5 %).
 *
 * Script time is the wall time during which at least one script process ran (the executor records the union of the
 * processes' intervals), so parallel trials are measured correctly.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_PARALLEL, DEFAULT_ROWS, PYTHON, UsageError, generateSampleData, processingOutputUri, readHeldOut } from './cli';
import {
  INFERENCE_PIPELINE_NAME,
  LOCAL_URIS,
  TRAINING_PIPELINE_NAME,
  localInferenceDefinition,
  localTrainingDefinition,
  stageMlCode,
} from './config';
import { executePipeline } from './executor';
import type { ExecutionRecord } from './executor/types';
import { LocalModelRegistry } from './registry';
import { formatDuration, formatTable } from './report';
import { LocalS3 } from './s3';

/** The executor may take at most this share of a run's wall time. */
export const OVERHEAD_TARGET_PERCENT = 5;

export interface BenchOptions {
  /** Rows of the smaller run. */
  readonly rows: number;
  /** The larger run has `rows * factor` rows. */
  readonly factor: number;
  readonly trials: number;
  readonly seed: number;
  /** Keep the temporary work dir (for looking at the records). */
  readonly keep: boolean;
}

export const BENCH_USAGE = `Usage: npm run bench -- [--rows N] [--factor F] [--trials N] [--seed S] [--keep]

Runs the local training and inference pipelines at N and N*F rows (default N=${DEFAULT_ROWS}, F=5, 6 trials, ${DEFAULT_PARALLEL} at
a time, no step cache) and reports the executor's overhead: wall time minus the time spent in the scripts.
Exits with 1 when the overhead is ${OVERHEAD_TARGET_PERCENT}% of the run or more.`;

/** Parses `npm run bench` arguments; throws UsageError naming the bad value. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions & { help: boolean } {
  const out = { rows: DEFAULT_ROWS, factor: 5, trials: 6, seed: 42, keep: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--keep') out.keep = true;
    else if (arg === '--help') out.help = true;
    else if (['--rows', '--factor', '--trials', '--seed'].includes(arg)) {
      const raw = argv[++i];
      const value = Number(raw);
      const min = arg === '--rows' ? 50 : arg === '--seed' ? 0 : 1;
      if (raw === undefined || !/^\d+$/.test(raw) || value < min) {
        throw new UsageError(`${arg} must be a whole number of at least ${min}, got ${raw === undefined ? 'nothing' : `"${raw}"`}`);
      }
      out[arg.slice(2) as 'rows' | 'factor' | 'trials' | 'seed'] = value;
    } else {
      throw new UsageError(`unknown option "${arg}"`);
    }
  }
  return out;
}

/** One line of the overhead table. */
export interface OverheadRow {
  readonly pipeline: string;
  readonly step: string;
  readonly wallMs: number;
  readonly processMs: number;
  readonly overheadMs: number;
}

/** Per-step wall time, script time and overhead of an execution (steps that did not run are left out). */
export function stepOverheads(record: ExecutionRecord): OverheadRow[] {
  return record.steps
    .filter((s) => s.durationMs !== undefined && (s.status === 'Succeeded' || s.status === 'Failed'))
    .map((s) => ({
      pipeline: record.pipelineName,
      step: s.name,
      wallMs: s.durationMs!,
      processMs: s.processMs,
      overheadMs: s.durationMs! - s.processMs,
    }));
}

/** A pipeline run: its record and the wall time of the `executePipeline` call that produced it. */
export interface TimedExecution {
  readonly record: ExecutionRecord;
  /** Measured around the whole call (validation, setup and record writing included). */
  readonly wallMs: number;
}

/** Totals of executions: measured wall time, time in scripts, and the difference. */
export function totalOverhead(runs: readonly TimedExecution[]): {
  wallMs: number;
  processMs: number;
  overheadMs: number;
  overheadPercent: number;
} {
  const records = runs.map((r) => r.record);
  const wallMs = runs.reduce((sum, r) => sum + r.wallMs, 0);
  const processMs = records.reduce((sum, r) => sum + r.processMs, 0);
  const overheadMs = wallMs - processMs;
  return { wallMs, processMs, overheadMs, overheadPercent: wallMs > 0 ? (overheadMs / wallMs) * 100 : 0 };
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '–';
}

/** The printed table of one data size. */
export function overheadTable(runs: readonly TimedExecution[]): string {
  const rows = runs.flatMap((run) => stepOverheads(run.record)).map((r) => [
    r.pipeline,
    r.step,
    formatDuration(r.wallMs),
    formatDuration(r.processMs),
    formatDuration(r.overheadMs),
    percent(r.overheadMs, r.wallMs),
  ]);
  const total = totalOverhead(runs);
  rows.push([
    'total',
    '(whole executePipeline calls)',
    formatDuration(total.wallMs),
    formatDuration(total.processMs),
    formatDuration(total.overheadMs),
    `${total.overheadPercent.toFixed(2)}%`,
  ]);
  return formatTable(['pipeline', 'step', 'wall', 'in scripts', 'overhead', 'overhead %'], rows, [
    'left',
    'left',
    'right',
    'right',
    'right',
    'right',
  ]);
}

/** Runs both pipelines once on `rows` rows in `workDir`; returns their records. */
export async function benchRun(rows: number, options: BenchOptions, workDir: string): Promise<TimedExecution[]> {
  const s3 = new LocalS3({ root: path.join(workDir, 's3') });
  const registry = new LocalModelRegistry({ root: path.join(workDir, 'registry') });
  const dataFile = path.join(workDir, 'data', 'data.csv');
  generateSampleData({ rows, seed: options.seed, problemType: 'regression' }, dataFile);
  s3.putFile(`${LOCAL_URIS.rawInput}data.csv`, dataFile);
  const scriptUris = stageMlCode(s3);
  const common = { workDir, s3, registry, python: PYTHON, seed: options.seed, maxParallel: DEFAULT_PARALLEL, cache: false };
  let started = Date.now();
  const training = await executePipeline({
    ...common,
    pipelineName: TRAINING_PIPELINE_NAME,
    definition: localTrainingDefinition({
      problemType: 'regression',
      labelColumn: 'target',
      scriptUris,
      trials: options.trials,
      parallel: Math.min(DEFAULT_PARALLEL, options.trials),
      strategy: 'Bayesian',
      seed: options.seed,
      cache: false,
    }),
    // The bench measures the executor, not the model: a gate every model passes keeps the run going.
    parameters: { InputDataUri: LOCAL_URIS.rawInput, QualityThreshold: -1e9, ModelApprovalStatus: 'Approved' },
  });
  const trainingMs = Date.now() - started;
  if (training.status !== 'Succeeded') {
    throw new Error(`the training pipeline failed at ${training.failedStep}: ${training.failureReason}`);
  }
  const arn = training.steps.find((s) => s.name === 'Register')?.properties?.ModelPackageArn as string;
  const testUri = processingOutputUri(training.steps.find((s) => s.name === 'Preprocess'), 'test')!;
  const heldOut = readHeldOut(s3.getText(s3.list(testUri).find((o) => o.key.endsWith('.csv'))!.uri));
  s3.putObject(`${LOCAL_URIS.batchInput}batch.csv`, `${heldOut.rows.map((r) => r.values.join(',')).join('\n')}\n`);
  started = Date.now();
  const inference = await executePipeline({
    ...common,
    pipelineName: INFERENCE_PIPELINE_NAME,
    definition: localInferenceDefinition({ cache: false }),
    parameters: { ModelPackageArn: arn, BatchInputUri: LOCAL_URIS.batchInput },
  });
  const inferenceMs = Date.now() - started;
  if (inference.status !== 'Succeeded') {
    throw new Error(`the inference pipeline failed at ${inference.failedStep}: ${inference.failureReason}`);
  }
  return [
    { record: training, wallMs: trainingMs },
    { record: inference, wallMs: inferenceMs },
  ];
}

export async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions & { help: boolean };
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\n\n${BENCH_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(BENCH_USAGE);
    return 0;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-'));
  let worst = 0;
  try {
    for (const rows of [options.rows, options.rows * options.factor]) {
      console.log(`\n== ${rows} rows: training pipeline (${options.trials} trials, ${Math.min(DEFAULT_PARALLEL, options.trials)} at a time) + inference pipeline`);
      const started = Date.now();
      const runs = await benchRun(rows, options, path.join(root, `rows-${rows}`));
      console.log(`(with data generation: ${formatDuration(Date.now() - started)})\n`);
      console.log(overheadTable(runs));
      const total = totalOverhead(runs);
      worst = Math.max(worst, total.overheadPercent);
      console.log(
        `\nexecutor overhead at ${rows} rows: ${formatDuration(total.overheadMs)} of ${formatDuration(total.wallMs)} = ` +
          `${total.overheadPercent.toFixed(2)}% (target < ${OVERHEAD_TARGET_PERCENT}%)`,
      );
    }
  } finally {
    if (options.keep) console.log(`\nwork dir kept: ${root}`);
    else fs.rmSync(root, { recursive: true, force: true });
  }
  const ok = worst < OVERHEAD_TARGET_PERCENT;
  console.log(
    `\n${ok ? 'OK' : 'FAIL'}: the largest executor overhead was ${worst.toFixed(2)}% of a run ` +
      `(target < ${OVERHEAD_TARGET_PERCENT}%)`,
  );
  return ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`error: ${(error as Error).message}`);
      process.exitCode = 1;
    },
  );
}
