/**
 * The endpoint section of `npm run bench`: how fast the local endpoint answers, as a client sees it.
 *
 * Trains a small model with the dev stage's training pipeline on generated sample rows (as the pipeline section
 * does, in the section's own work dir), serves the registered version with `startLocalEndpoint`, then measures
 *   - single-row latency: sequential requests of one CSV row each on one kept-alive connection (an http.Agent with
 *     keepAlive and maxSockets 1), after a warm-up; p50 and p99 by the nearest-rank method;
 *   - throughput: rows per second of a 10,000-row CSV request (the median of a few such requests).
 * Fails when p99 reaches {@link P99_TARGET_MS} or the throughput does not exceed {@link ROWS_PER_SECOND_TARGET}.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { DATA_LAYOUT, loadStageConfig } from '../../lib/config';
import { TRAINING_PIPELINE_PARAMETERS, TRAINING_PIPELINE_STEPS } from '../../lib/sagemaker-pipelines';
import { generateSampleData, PYTHON, stepOf } from '../cli/data';
import { startLocalEndpoint } from '../endpoint';
import { executePipeline } from '../executor';
import { LocalModelRegistry } from '../registry';
import { formatTable } from '../report';
import { LocalS3 } from '../s3';
import { prepareLocalStage } from '../stage';
import type { BenchOptions, BenchSectionResult } from './usage';

/** Single-row requests must answer within this at the 99th percentile. */
export const P99_TARGET_MS = 10;
/** A 10,000-row CSV request must be answered at more than this many rows per second. */
export const ROWS_PER_SECOND_TARGET = 250_000;

/** How much the section measures; `npm run bench` uses {@link DEFAULT_ENDPOINT_BENCH}. */
export interface EndpointBenchSettings {
  /** Sequential single-row requests measured (after the warm-up). */
  readonly requests: number;
  /** Unmeasured single-row requests first (imports, caches, the connection). */
  readonly warmup: number;
  /** Rows of the large CSV request. */
  readonly batchRows: number;
  /** Large requests measured; their median counts. */
  readonly batchRepeats: number;
  /** Rows the model is trained on. */
  readonly trainingRows: number;
  /** Tuning trials of the training pipeline (the model's quality is not the point). */
  readonly trials: number;
}

export const DEFAULT_ENDPOINT_BENCH: EndpointBenchSettings = {
  requests: 1_000,
  warmup: 50,
  batchRows: 10_000,
  batchRepeats: 5,
  trainingRows: 2_000,
  trials: 2,
};

/** The value at percentile `p` (0 < p <= 100) by the nearest-rank method: the smallest value with p% at or below. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values: measure at least one request');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile ${p} is not in (0, 100]`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

/** Summary of request latencies in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

export function latencySummary(latenciesMs: readonly number[]): LatencySummary {
  return {
    count: latenciesMs.length,
    p50: percentile(latenciesMs, 50),
    p99: percentile(latenciesMs, 99),
    mean: latenciesMs.reduce((sum, v) => sum + v, 0) / latenciesMs.length,
    max: Math.max(...latenciesMs),
  };
}

/** Rows per second of a request of `rows` rows answered in `ms` milliseconds. */
export function throughput(rows: number, ms: number): number {
  return ms > 0 ? (rows * 1000) / ms : Infinity;
}

/** The median of the values (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** What the section measured. */
export interface EndpointMeasurement {
  readonly latency: LatencySummary;
  /** Connections the single-row requests used (1 when kept alive throughout). */
  readonly connections: number;
  readonly batchRows: number;
  /** Wall time of each large request, ms. */
  readonly batchMs: readonly number[];
}

/** Whether the measurement meets both targets, and one line saying so. */
export function endpointVerdict(m: EndpointMeasurement): { ok: boolean; verdict: string } {
  const rowsPerSecond = throughput(m.batchRows, median(m.batchMs));
  const ok = m.latency.p99 < P99_TARGET_MS && rowsPerSecond > ROWS_PER_SECOND_TARGET;
  return {
    ok,
    verdict:
      `single row p50 ${m.latency.p50.toFixed(2)} ms, p99 ${m.latency.p99.toFixed(2)} ms (target < ${P99_TARGET_MS} ms); ` +
      `${m.batchRows.toLocaleString('en-US')} rows at ${Math.round(rowsPerSecond).toLocaleString('en-US')} rows/s ` +
      `(target > ${ROWS_PER_SECOND_TARGET.toLocaleString('en-US')})`,
  };
}

/** The printed table: each measurement against its target. */
export function endpointTable(m: EndpointMeasurement): string {
  const rowsPerSecond = throughput(m.batchRows, median(m.batchMs));
  const ms = (v: number): string => `${v.toFixed(2)} ms`;
  const mark = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
  return formatTable(
    ['measure', 'value', 'target', 'result'],
    [
      [`single row p50 (${m.latency.count} requests, ${m.connections} connection${m.connections === 1 ? '' : 's'})`, ms(m.latency.p50), '', ''],
      ['single row p99', ms(m.latency.p99), `< ${P99_TARGET_MS} ms`, mark(m.latency.p99 < P99_TARGET_MS)],
      ['single row mean / max', `${m.latency.mean.toFixed(2)} / ${m.latency.max.toFixed(2)} ms`, '', ''],
      [
        `${m.batchRows.toLocaleString('en-US')}-row CSV request (median of ${m.batchMs.length})`,
        ms(median(m.batchMs)),
        '',
        '',
      ],
      ['rows per second', Math.round(rowsPerSecond).toLocaleString('en-US'), `> ${ROWS_PER_SECOND_TARGET.toLocaleString('en-US')}`, mark(rowsPerSecond > ROWS_PER_SECOND_TARGET)],
    ],
    ['left', 'right', 'left', 'left'],
  );
}

/** One POST on `agent`; resolves with the status, the body and whether the connection was a kept-alive one. */
function post(agent: http.Agent, url: URL, body: string): Promise<{ status: number; body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: '/invocations',
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'text/csv', Accept: 'text/csv', 'Content-Length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), reused: request.reusedSocket }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Trains a model with the dev stage's training pipeline on `rows` sample rows; returns the registry, S3 and the version. */
async function trainModel(
  rows: number,
  trials: number,
  seed: number,
  workDir: string,
): Promise<{ s3: LocalS3; registry: LocalModelRegistry; modelPackageArn: string }> {
  const config = loadStageConfig('dev', {
    tuning: { maxJobs: trials, maxParallelJobs: Math.min(2, trials) },
    caching: { enabled: false },
    qualityGate: { threshold: -1e9 },
  });
  const s3 = new LocalS3({ root: path.join(workDir, 's3') });
  const registry = new LocalModelRegistry({ root: path.join(workDir, 'registry'), environment: config });
  const stage = prepareLocalStage(config, s3);
  const dataFile = path.join(workDir, 'data', 'training.csv');
  generateSampleData({ rows, seed, problemType: config.problemType }, dataFile);
  const inputUri = `s3://${stage.resources.buckets.processed}/${DATA_LAYOUT.curatedPrefix}bench-endpoint/`;
  s3.putFile(`${inputUri}data.csv`, dataFile);
  const training = await executePipeline({
    workDir,
    s3,
    registry,
    python: PYTHON,
    seed,
    environment: config,
    pipelineName: stage.names.trainingPipeline,
    definition: stage.definitions.training,
    parameters: { [TRAINING_PIPELINE_PARAMETERS.inputDataUri]: inputUri, [TRAINING_PIPELINE_PARAMETERS.modelApprovalStatus]: 'Approved' },
  });
  if (training.status !== 'Succeeded') {
    throw new Error(`the training pipeline failed at ${training.failedStep}: ${training.failureReason}`);
  }
  const modelPackageArn = stepOf(training, TRAINING_PIPELINE_STEPS.register)?.properties?.ModelPackageArn;
  if (typeof modelPackageArn !== 'string') throw new Error('the training pipeline registered no model package');
  return { s3, registry, modelPackageArn };
}

/** CSV feature rows (no header, no label) of generated sample data, as requests send them. */
function requestRows(rows: number, seed: number, workDir: string): string[] {
  const file = path.join(workDir, 'data', 'requests.csv');
  generateSampleData({ rows, seed, problemType: loadStageConfig('dev').problemType }, file);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1); // header; then label first
  return lines.map((line) => line.slice(line.indexOf(',') + 1));
}

function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Serves the model and measures; the endpoint is stopped before returning. */
export async function measureEndpoint(
  settings: EndpointBenchSettings,
  seed: number,
  workDir: string,
  log: (line: string) => void,
): Promise<EndpointMeasurement> {
  const started = Date.now();
  const { s3, registry, modelPackageArn } = await trainModel(settings.trainingRows, settings.trials, seed, workDir);
  const rows = requestRows(Math.max(settings.batchRows, settings.requests), seed + 1, workDir);
  log(`  trained ${modelPackageArn} on ${settings.trainingRows.toLocaleString('en-US')} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const endpoint = await startLocalEndpoint({ registry, s3, modelPackageArn, python: PYTHON, workDir: path.join(workDir, 'endpoints') });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const url = new URL(endpoint.url);
    const ask = async (body: string, expectedLines: number): Promise<{ reused: boolean }> => {
      const answer = await post(agent, url, body);
      const lines = answer.body.split('\n').length;
      if (answer.status !== 200 || lines !== expectedLines) {
        throw new Error(`the local endpoint answered ${answer.status} with ${lines} line(s) to a ${expectedLines}-row request: ${answer.body.slice(0, 300)}`);
      }
      return answer;
    };
    for (let i = 0; i < settings.warmup; i++) await ask(rows[i % rows.length], 1);
    const latencies: number[] = [];
    let connections = 0;
    for (let i = 0; i < settings.requests; i++) {
      const t = process.hrtime.bigint();
      const { reused } = await ask(rows[i % rows.length], 1);
      latencies.push(elapsedMs(t));
      if (!reused) connections += 1;
    }
    const batch = `${rows.slice(0, settings.batchRows).join('\n')}\n`;
    await ask(batch, settings.batchRows); // warm-up
    const batchMs: number[] = [];
    for (let i = 0; i < settings.batchRepeats; i++) {
      const t = process.hrtime.bigint();
      await ask(batch, settings.batchRows);
      batchMs.push(elapsedMs(t));
    }
    // The warm-up opened the connection the measured requests should all reuse.
    return { latency: latencySummary(latencies), connections: connections + (settings.warmup > 0 ? 1 : 0), batchRows: settings.batchRows, batchMs };
  } finally {
    agent.destroy();
    await endpoint.stop();
  }
}

/** The endpoint section of `npm run bench`. */
export async function endpointBench(
  options: BenchOptions,
  workDir: string,
  log: (line: string) => void,
  settings: EndpointBenchSettings = DEFAULT_ENDPOINT_BENCH,
): Promise<BenchSectionResult> {
  log(
    `\n== endpoint: ${settings.requests.toLocaleString('en-US')} single-row requests on one kept-alive connection, ` +
      `${settings.batchRepeats} requests of ${settings.batchRows.toLocaleString('en-US')} CSV rows`,
  );
  const measurement = await measureEndpoint(settings, options.seed, workDir, log);
  log('');
  log(endpointTable(measurement));
  return { name: 'endpoint', ...endpointVerdict(measurement) };
}
