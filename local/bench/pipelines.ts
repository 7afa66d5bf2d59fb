/**
 * The pipeline section of `npm run bench`: how much of a local pipeline run is the executor's own work rather than
 * the scripts'.
 *
 * Runs the training pipeline and the inference pipeline at two data sizes in a temporary work dir without step
 * caching, then reports per step the wall time, the time inside the scripts' processes (`processMs` of the
 * execution records) and the difference, the executor's overhead. The section fails when the overhead reaches the
 * target share of the run (5 %).
 *
 * Script time is the wall time during which at least one script process ran (the executor records the union of the
 * processes' intervals), so parallel trials are measured correctly.
 */
import * as path from 'path';
import { DATA_LAYOUT, loadStageConfig } from '../../lib/config';
import {
  INFERENCE_PIPELINE_PARAMETERS,
  TRAINING_PIPELINE_OUTPUTS,
  TRAINING_PIPELINE_PARAMETERS,
  TRAINING_PIPELINE_STEPS,
} from '../../lib/sagemaker-pipelines';
import { generateSampleData, processingOutputUri, PYTHON, readHeldOut, stepOf } from '../cli/data';
import { executePipeline } from '../executor';
import type { ExecutionRecord } from '../executor/types';
import { LocalModelRegistry } from '../registry';
import { formatDuration, formatTable } from '../report';
import { LocalS3 } from '../s3';
import { prepareLocalStage } from '../stage';
import type { BenchOptions, BenchSectionResult } from './usage';

/** Tuning trials run at the same time in the bench (the dev stage's). */
export const BENCH_PARALLEL = 2;

/** The executor may take at most this share of a run's wall time. */
export const OVERHEAD_TARGET_PERCENT = 5;

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

/**
 * Runs both pipelines of the dev stage once on `rows` rows in `workDir`, without step caching, with `trials` trials
 * and a gate every model passes (the bench measures the executor, not the model); returns their records.
 */
export async function benchRun(rows: number, options: BenchOptions, workDir: string): Promise<TimedExecution[]> {
  const config = loadStageConfig('dev', {
    tuning: { maxJobs: options.trials, maxParallelJobs: Math.min(BENCH_PARALLEL, options.trials) },
    caching: { enabled: false },
    qualityGate: { threshold: -1e9 },
  });
  const s3 = new LocalS3({ root: path.join(workDir, 's3') });
  const registry = new LocalModelRegistry({ root: path.join(workDir, 'registry'), environment: config });
  const stage = prepareLocalStage(config, s3);
  const dataFile = path.join(workDir, 'data', 'data.csv');
  generateSampleData({ rows, seed: options.seed, problemType: config.problemType }, dataFile);
  const inputUri = `s3://${stage.resources.buckets.processed}/${DATA_LAYOUT.curatedPrefix}bench/`;
  s3.putFile(`${inputUri}data.csv`, dataFile);
  const common = { workDir, s3, registry, python: PYTHON, seed: options.seed, environment: config };
  let started = Date.now();
  const training = await executePipeline({
    ...common,
    pipelineName: stage.names.trainingPipeline,
    definition: stage.definitions.training,
    parameters: { [TRAINING_PIPELINE_PARAMETERS.inputDataUri]: inputUri, [TRAINING_PIPELINE_PARAMETERS.modelApprovalStatus]: 'Approved' },
  });
  const trainingMs = Date.now() - started;
  if (training.status !== 'Succeeded') {
    throw new Error(`the training pipeline failed at ${training.failedStep}: ${training.failureReason}`);
  }
  const arn = stepOf(training, TRAINING_PIPELINE_STEPS.register)?.properties?.ModelPackageArn as string;
  const testUri = processingOutputUri(stepOf(training, TRAINING_PIPELINE_STEPS.preprocess), TRAINING_PIPELINE_OUTPUTS.test)!;
  const heldOut = readHeldOut(s3.getText(s3.list(testUri).find((o) => o.key.endsWith('.csv'))!.uri));
  const batchUri = `s3://${stage.resources.buckets.raw}/${DATA_LAYOUT.batchInputPrefix}bench/`;
  s3.putObject(`${batchUri}batch.csv`, `${heldOut.rows.map((r) => r.values.join(',')).join('\n')}\n`);
  started = Date.now();
  const inference = await executePipeline({
    ...common,
    pipelineName: stage.names.inferencePipeline,
    definition: stage.definitions.inference,
    parameters: { [INFERENCE_PIPELINE_PARAMETERS.modelPackageArn]: arn, [INFERENCE_PIPELINE_PARAMETERS.batchInputUri]: batchUri },
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

/**
 * The pipeline section of `npm run bench`: both pipelines at two data sizes, the executor's overhead of each run.
 * Passes when the overhead stays under {@link OVERHEAD_TARGET_PERCENT} of every run.
 */
export async function pipelineBench(options: BenchOptions, root: string, log: (line: string) => void): Promise<BenchSectionResult> {
  let worst = 0;
  for (const rows of [options.rows, options.rows * options.factor]) {
    log(`\n== ${rows} rows: training pipeline (${options.trials} trials, ${Math.min(BENCH_PARALLEL, options.trials)} at a time) + inference pipeline`);
    const started = Date.now();
    const runs = await benchRun(rows, options, path.join(root, `rows-${rows}`));
    log(`(with data generation: ${formatDuration(Date.now() - started)})\n`);
    log(overheadTable(runs));
    const total = totalOverhead(runs);
    worst = Math.max(worst, total.overheadPercent);
    log(
      `\nexecutor overhead at ${rows} rows: ${formatDuration(total.overheadMs)} of ${formatDuration(total.wallMs)} = ` +
        `${total.overheadPercent.toFixed(2)}% (target < ${OVERHEAD_TARGET_PERCENT}%)`,
    );
  }
  const ok = worst < OVERHEAD_TARGET_PERCENT;
  return {
    name: 'pipelines',
    ok,
    verdict: `the largest executor overhead was ${worst.toFixed(2)}% of a run (target < ${OVERHEAD_TARGET_PERCENT}%)`,
  };
}
