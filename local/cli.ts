import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { PipelineDefinition } from '../lib/sagemaker-pipelines';
import {
  INFERENCE_PIPELINE_NAME,
  LOCAL_URIS,
  ML_DIR,
  REPO_ROOT,
  TRAINING_PIPELINE_NAME,
  localInferenceDefinition,
  localTrainingDefinition,
  modelPackageGroupName,
  qualityGateOf,
  stageMlCode,
} from './config';
import { startLocalEndpoint } from './endpoint';
import { executePipeline } from './executor';
import type { ExecutionEventListener, ExecutionRecord, StepRecord } from './executor/types';
import { LocalModelRegistry, parseModelPackageArn } from './registry';
import {
  elapsedLabel,
  evaluationMetrics,
  formatDuration,
  formatPredictions,
  formatRunSummary,
  progressPrinter,
  writeReport,
  type BatchCheck,
  type ReportEvaluation,
  type ReportPrediction,
} from './report';
import { LocalS3 } from './s3';

/** Problem types the sample data and the ML scripts support. */
export const CLI_PROBLEM_TYPES = ['regression', 'binary_classification'] as const;
export type CliProblemType = (typeof CLI_PROBLEM_TYPES)[number];

/** Tuning strategies that the local executor runs. */
export const CLI_STRATEGIES = ['Random', 'Bayesian'] as const;
export type CliStrategy = (typeof CLI_STRATEGIES)[number];

/** Sample size of `npm run local`; chosen so that the whole flow stays well under 3 minutes on 2 cores. */
export const DEFAULT_ROWS = 20_000;
/** Tuning trials of `npm run local`. */
export const DEFAULT_TRIALS = 6;
/** Trials run at the same time. */
export const DEFAULT_PARALLEL = 2;
export const DEFAULT_SEED = 42;
export const DEFAULT_WORK_DIR = '.local';
const MIN_ROWS = 50;
const MAX_ROWS = 10_000_000;
const MAX_TRIALS = 100;

/** Everything `npm run local` can be told on its command line. */
export interface CliOptions {
  /** Rows of generated sample data (ignored with `data`). */
  readonly rows: number;
  /** Tuning trials (training jobs of the tuning step). */
  readonly trials: number;
  /** Trials run at the same time (1..trials). */
  readonly parallel: number;
  /** Seed of the sample data, the data split and the tuning search. */
  readonly seed: number;
  /** Quality-gate threshold. @default - the problem type's default (see local/config.ts) */
  readonly threshold?: number;
  readonly problemType: CliProblemType;
  /** A CSV file with a header to train on instead of sample data (absolute path). */
  readonly data?: string;
  /** The label column of `data` (`target` for sample data). */
  readonly label: string;
  readonly strategy: CliStrategy;
  /** XGBoost boosting rounds per trial. @default - the pipeline definition's default */
  readonly numRound?: number;
  /** Folder for local S3, execution records, registry and report (absolute path). */
  readonly workDir: string;
  /** Whether steps may reuse the results of earlier identical runs. */
  readonly cache: boolean;
  /** `--help` was given: print usage and do nothing else. */
  readonly help: boolean;
}

export const USAGE = `Usage: npm run local -- [options]

Runs the training pipeline, a local endpoint and the inference pipeline on this machine (no AWS, no Docker).

Options:
  --rows N                 rows of generated sample data (default ${DEFAULT_ROWS}; at least ${MIN_ROWS})
  --trials N               hyperparameter tuning trials (default ${DEFAULT_TRIALS}; 1..${MAX_TRIALS})
  --parallel N             trials run at the same time (default ${DEFAULT_PARALLEL}, at most --trials)
  --seed S                 seed for sample data, split and tuning (default ${DEFAULT_SEED})
  --threshold X            quality gate: the r2 (regression) or auc (binary_classification) the model must
                           reach on the test split (default: the training pipeline's QualityThreshold default)
  --problem-type T         regression | binary_classification (default regression)
  --data FILE              train on this CSV file (with a header) instead of sample data; needs --label
  --label COL              the label column of --data (must be numeric)
  --strategy S             tuning strategy: Random | Bayesian (default Bayesian)
  --num-round N            XGBoost boosting rounds per trial (default: the pipeline's, 300 with early stopping)
  --work-dir DIR           where local S3, executions, registry and report go (default: the project's
                           ${DEFAULT_WORK_DIR} folder)
  --no-cache               run every step even if an identical earlier run could be reused
  --help                   show this help

Examples:
  npm run local
  npm run local -- --problem-type binary_classification --trials 4
  npm run local -- --data ./my-data.csv --label price --threshold 0.5`;

/** A bad command line: the message names the value; `USAGE` says what is allowed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const VALUE_FLAGS = [
  'rows',
  'trials',
  'parallel',
  'seed',
  'threshold',
  'problem-type',
  'data',
  'label',
  'strategy',
  'work-dir',
  'num-round',
] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];
const SWITCH_FLAGS = ['no-cache', 'help'] as const;
type SwitchFlag = (typeof SWITCH_FLAGS)[number];

function isValueFlag(name: string): name is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(name);
}
function isSwitchFlag(name: string): name is SwitchFlag {
  return (SWITCH_FLAGS as readonly string[]).includes(name);
}

function parseInteger(flag: string, raw: string, min: number, max: number): number {
  if (!/^[+]?\d+$/.test(raw.trim())) {
    throw new UsageError(`--${flag} must be a whole number between ${min} and ${max}, got "${raw}"`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new UsageError(`--${flag} must be between ${min} and ${max}, got ${raw}`);
  }
  return value;
}

function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  const match = choices.find((choice) => choice.toLowerCase() === raw.toLowerCase());
  if (match === undefined) {
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got "${raw}"`);
  }
  return match;
}

/** Reads the header line of a CSV file (without loading the whole file). */
export function readCsvHeader(file: string): string[] {
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    const read = fs.readSync(fd, chunk, 0, chunk.length, 0);
    const text = chunk.subarray(0, read).toString('utf8').replace(/^\uFEFF/, '');
    const line = text.split(/\r?\n/, 1)[0] ?? '';
    return line
      .split(',')
      .map((column) => column.trim().replace(/^"(.*)"$/, '$1'))
      .filter((column) => column.length > 0);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Parses the command line of `npm run local` (the arguments after the script name).
 * Relative paths are resolved against `cwd`; without --work-dir the work dir is `defaultWorkDir`.
 * Throws `UsageError` naming the bad flag and value.
 */
export function parseCliArgs(
  argv: readonly string[],
  cwd: string = process.cwd(),
  defaultWorkDir: string = path.join(REPO_ROOT, DEFAULT_WORK_DIR),
): CliOptions {
  const values = new Map<ValueFlag, string>();
  const switches = new Set<SwitchFlag>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`unexpected argument "${arg}": options start with -- (see --help)`);
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (isSwitchFlag(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value, got "${arg}"`);
      switches.add(name);
      continue;
    }
    if (!isValueFlag(name)) {
      throw new UsageError(`unknown option "--${name}"`);
    }
    let value: string | undefined;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new UsageError(`--${name} needs a value`);
      }
      i++;
    }
    if (value.trim() === '') throw new UsageError(`--${name} needs a value, got an empty string`);
    if (values.has(name)) throw new UsageError(`--${name} is given twice ("${values.get(name)}" and "${value}")`);
    values.set(name, value);
  }

  const help = switches.has('help');
  const rows = values.has('rows') ? parseInteger('rows', values.get('rows')!, MIN_ROWS, MAX_ROWS) : DEFAULT_ROWS;
  const trials = values.has('trials') ? parseInteger('trials', values.get('trials')!, 1, MAX_TRIALS) : DEFAULT_TRIALS;
  const parallel = values.has('parallel')
    ? parseInteger('parallel', values.get('parallel')!, 1, MAX_TRIALS)
    : Math.min(DEFAULT_PARALLEL, trials);
  if (parallel > trials) {
    throw new UsageError(`--parallel must not exceed --trials (${trials}), got ${parallel}`);
  }
  const seed = values.has('seed') ? parseInteger('seed', values.get('seed')!, 0, 2 ** 31 - 1) : DEFAULT_SEED;

  let threshold: number | undefined;
  if (values.has('threshold')) {
    const raw = values.get('threshold')!;
    threshold = Number(raw);
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw.trim()) || !Number.isFinite(threshold)) {
      throw new UsageError(`--threshold must be a number (e.g. 0.7), got "${raw}"`);
    }
  }

  const problemType = values.has('problem-type')
    ? parseChoice('problem-type', values.get('problem-type')!, CLI_PROBLEM_TYPES)
    : 'regression';
  const strategy = values.has('strategy') ? parseChoice('strategy', values.get('strategy')!, CLI_STRATEGIES) : 'Bayesian';

  let data: string | undefined;
  let label = 'target';
  if (values.has('data') && values.has('rows')) {
    throw new UsageError(`--rows ${values.get('rows')} only applies to sample data; --data trains on every row of its file`);
  }
  if (values.has('data')) {
    data = path.resolve(cwd, values.get('data')!);
    if (!fs.existsSync(data) || !fs.statSync(data).isFile()) {
      throw new UsageError(`--data file "${values.get('data')}" does not exist (looked at ${data})`);
    }
    if (!values.has('label')) {
      throw new UsageError(`--data needs --label COL naming the label column of ${values.get('data')}`);
    }
    label = values.get('label')!;
    const header = readCsvHeader(data);
    if (!header.includes(label)) {
      throw new UsageError(
        `--label "${label}" is not a column of ${values.get('data')}; its header has: ${header.join(', ') || '(nothing)'}`,
      );
    }
    if (header.length < 2) {
      throw new UsageError(`--data file "${values.get('data')}" needs a label column and at least one feature column`);
    }
  } else if (values.has('label')) {
    throw new UsageError(`--label "${values.get('label')}" only applies with --data FILE (sample data uses "target")`);
  }

  const numRound = values.has('num-round') ? parseInteger('num-round', values.get('num-round')!, 1, 10_000) : undefined;
  const workDir = values.has('work-dir') ? path.resolve(cwd, values.get('work-dir')!) : defaultWorkDir;
  return {
    rows,
    trials,
    parallel,
    seed,
    threshold,
    problemType,
    data,
    label,
    strategy,
    numRound,
    workDir,
    cache: !switches.has('no-cache'),
    help,
  };
}

// ====================================================================================== the local flow

/** Where the CLI writes its lines (tests capture them). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** What a local run produced. */
export interface LocalRunResult {
  /** 0 when everything succeeded, 1 when a pipeline failed (e.g. the quality gate). */
  readonly exitCode: number;
  readonly training: ExecutionRecord;
  readonly inference?: ExecutionRecord;
  readonly reportPath: string;
  readonly modelPackageArn?: string;
  readonly predictionsUri?: string;
  /** The gate metric's value on the test split, when the evaluation ran. */
  readonly gateValue?: number;
  readonly threshold?: number;
  readonly totalMs: number;
}

/** The project's virtualenv Python, which runs every script locally. */
export const PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');

/** The S3 URI of a Processing step's output, from its Describe*-shaped properties. */
export function processingOutputUri(step: StepRecord | undefined, outputName: string): string | undefined {
  const outputs = (step?.properties?.ProcessingOutputConfig as { Outputs?: unknown } | undefined)?.Outputs;
  const list: unknown[] = Array.isArray(outputs) ? outputs : outputs && typeof outputs === 'object' ? Object.values(outputs) : [];
  for (const output of list) {
    const o = output as { OutputName?: unknown; S3Output?: { S3Uri?: unknown } };
    if (o.OutputName === outputName && typeof o.S3Output?.S3Uri === 'string') return o.S3Output.S3Uri;
  }
  return undefined;
}

function stepOf(record: ExecutionRecord, name: string): StepRecord | undefined {
  return record.steps.find((s) => s.name === name);
}

/** Held-out rows of test.csv (header; label first, then the features). */
export interface HeldOut {
  readonly features: string[];
  readonly rows: { readonly label: string; readonly values: string[] }[];
}

export function readHeldOut(text: string): HeldOut {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new Error('the test split has no rows');
  const header = lines[0].split(',');
  return {
    features: header.slice(1),
    rows: lines.slice(1).map((line) => {
      const cells = line.split(',');
      return { label: cells[0], values: cells.slice(1) };
    }),
  };
}

async function runPipeline(
  definition: PipelineDefinition,
  pipelineName: string,
  parameters: Record<string, string | number | boolean>,
  context: {
    workDir: string;
    s3: LocalS3;
    registry: LocalModelRegistry;
    seed: number;
    parallel: number;
    cache: boolean;
    signal?: AbortSignal;
  },
  onEvent: ExecutionEventListener,
): Promise<ExecutionRecord> {
  return executePipeline({
    definition,
    pipelineName,
    parameters,
    workDir: context.workDir,
    s3: context.s3,
    registry: context.registry,
    python: PYTHON,
    seed: context.seed,
    maxParallel: context.parallel,
    cache: context.cache,
    onEvent,
    ...(context.signal ? { signal: context.signal } : {}),
  });
}

/** The run was stopped through its signal (Ctrl-C / SIGTERM). */
export class RunStoppedError extends Error {
  constructor(reason: unknown) {
    super(`stopped${reason instanceof Error ? `: ${reason.message}` : reason !== undefined ? `: ${String(reason)}` : ''}`);
    this.name = 'RunStoppedError';
  }
}

function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RunStoppedError(signal.reason);
}

/** Writes `options.rows` rows of sample data with ml/sample_data.py. */
export function generateSampleData(
  options: Pick<CliOptions, 'rows' | 'seed' | 'problemType'>,
  file: string,
): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const result = spawnSync(
    PYTHON,
    [
      path.join(ML_DIR, 'sample_data.py'),
      '--rows',
      String(options.rows),
      '--seed',
      String(options.seed),
      '--problem-type',
      options.problemType,
      '--output',
      file,
    ],
    { encoding: 'utf8' },
  );
  if (result.error) throw new Error(`Cannot run ${PYTHON}: ${result.error.message} (create the venv with \`npm run venv\`)`);
  if (result.status !== 0) {
    throw new Error(`ml/sample_data.py failed (exit ${result.status}):\n${result.stderr.trim()}`);
  }
}

/** A JSON object in local S3; undefined when there is no such object (the step that writes it did not run). */
function readJsonIfExists(s3: LocalS3, uri: string): Record<string, unknown> | undefined {
  if (!s3.exists(uri)) return undefined;
  try {
    return JSON.parse(s3.getText(uri)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${uri} (${s3.pathFor(uri)}) is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The whole local flow: data → training pipeline → approve → local endpoint → inference pipeline → summary and
 * HTML report. Returns the exit code instead of exiting, so tests can call it. When `signal` is aborted, running
 * pipelines end `Stopped` (their records say so), the local endpoint is stopped and the run rejects with
 * {@link RunStoppedError}.
 */
export async function runLocal(options: CliOptions, io: CliIo = consoleIo, signal?: AbortSignal): Promise<LocalRunResult> {
  const t0 = Date.now();
  const workDir = options.workDir;
  const s3 = new LocalS3({ root: path.join(workDir, 's3') });
  const registry = new LocalModelRegistry({ root: path.join(workDir, 'registry') });
  const context = { workDir, s3, registry, seed: options.seed, parallel: options.parallel, cache: options.cache, signal };
  const onEvent = progressPrinter((line) => io.out(line), t0);
  const say = (text: string): void => io.out(`${elapsedLabel(t0)} ${text}`);

  // ---- data
  let dataFile: string;
  if (options.data) {
    dataFile = options.data;
    say(`using ${dataFile} (label column "${options.label}")`);
  } else {
    dataFile = path.join(workDir, 'data', `sample-${options.problemType}-${options.rows}-seed${options.seed}.csv`);
    generateSampleData(options, dataFile);
    say(`generated ${options.rows} rows of ${options.problemType} sample data: ${dataFile}`);
  }
  s3.deletePrefix(LOCAL_URIS.rawInput);
  const inputUri = `${LOCAL_URIS.rawInput}data.csv`;
  s3.putFile(inputUri, dataFile);
  say(`uploaded to ${inputUri}`);
  const scriptUris = stageMlCode(s3);
  say(`staged preprocess.py, evaluate.py and sourcedir.tar.gz under ${LOCAL_URIS.code}`);

  // ---- training pipeline
  const problemType = options.problemType;
  const trainingDefinition = localTrainingDefinition({
    problemType,
    labelColumn: options.label,
    scriptUris,
    trials: options.trials,
    parallel: options.parallel,
    strategy: options.strategy,
    seed: options.seed,
    numRound: options.numRound,
    cache: options.cache,
  });
  const gate = qualityGateOf(trainingDefinition, problemType);
  const threshold = options.threshold ?? gate.defaultThreshold;
  throwIfStopped(signal);
  const trainingParameters: Record<string, string | number> = { InputDataUri: LOCAL_URIS.rawInput };
  if (options.threshold !== undefined) trainingParameters.QualityThreshold = options.threshold;
  const training = await runPipeline(trainingDefinition, TRAINING_PIPELINE_NAME, trainingParameters, context, onEvent);

  const evaluationUri = processingOutputUri(stepOf(training, 'Evaluate'), 'evaluation');
  const evaluationFile = evaluationUri ? `${evaluationUri.replace(/\/+$/, '')}/evaluation.json` : undefined;
  const evaluationReport = evaluationFile ? readJsonIfExists(s3, evaluationFile) : undefined;
  const gateValue = evaluationReport
    ? evaluationMetrics(evaluationReport).get(gate.metric)?.value
    : undefined;
  const evaluation: ReportEvaluation | undefined =
    evaluationReport && threshold !== undefined
      ? {
          report: evaluationReport,
          gateMetric: gate.metric,
          threshold,
          direction: gate.direction,
          location: s3.pathFor(evaluationFile!),
        }
      : undefined;

  const summary = new RunState(io, s3, registry, workDir);
  summary.training = training;
  summary.evaluation = evaluation;
  summary.evaluationFile = evaluationFile;
  throwIfStopped(signal);

  if (training.status !== 'Succeeded') {
    const reportPath = summary.writeReport();
    summary.print(reportPath);
    const failStep = training.steps.find((s) => s.type === 'Fail' && s.status === 'Failed');
    io.err('');
    io.err(
      failStep
        ? `error: the training pipeline stopped at ${failStep.name}: ${failStep.failureReason ?? training.failureReason ?? ''}`
        : `error: the training pipeline failed at ${training.failedStep ?? 'a step'}: ${training.failureReason ?? 'see the step logs'}`,
    );
    return { exitCode: 1, training, reportPath, gateValue, threshold, totalMs: Date.now() - t0 };
  }

  // ---- approve
  const registerStep = stepOf(training, 'Register');
  const modelPackageArn =
    (registerStep?.properties?.ModelPackageArn as string | undefined) ??
    registry
      .listModelPackages(modelPackageGroupName(problemType))
      .filter((p) => p.MetadataProperties?.GeneratedBy === training.executionArn)
      .pop()?.ModelPackageArn;
  if (!modelPackageArn) {
    throw new Error(`the training pipeline succeeded but registered no model package (execution ${training.executionDir})`);
  }
  registry.updateApprovalStatus(modelPackageArn, 'Approved', 'Approved by npm run local: the quality gate passed');
  say(`approved ${modelPackageArn}`);
  summary.modelPackageArn = modelPackageArn;

  // ---- local endpoint with held-out rows
  const testUri = processingOutputUri(stepOf(training, 'Preprocess'), 'test');
  if (!testUri) throw new Error('the Preprocess step recorded no "test" output; cannot pick held-out rows');
  const testObject = s3.list(testUri).find((o) => o.key.endsWith('.csv'));
  if (!testObject) throw new Error(`no test split CSV under ${testUri}`);
  const heldOut = readHeldOut(s3.getText(testObject.uri));
  throwIfStopped(signal);
  const endpoint = await startLocalEndpoint({
    registry,
    s3,
    modelPackageArn,
    python: PYTHON,
    workDir: path.join(workDir, 'endpoints'),
  });
  const stopEndpoint = (): void => void endpoint.stop();
  signal?.addEventListener('abort', stopEndpoint, { once: true });
  try {
    throwIfStopped(signal);
    say(`local endpoint serving ${modelPackageArn} at ${endpoint.url}`);
    const csvRows = heldOut.rows.slice(0, 3);
    const jsonRows = heldOut.rows.slice(3, 6);
    const csv = await endpoint.invoke(csvRows.map((r) => r.values.join(',')).join('\n'), 'text/csv', 'text/csv');
    if (csv.statusCode !== 200) throw new Error(`the local endpoint answered ${csv.statusCode} to CSV rows: ${csv.body}`);
    const csvPredictions = csv.body.trim().split(/\r?\n/).map(Number);
    const json = await endpoint.invoke(
      JSON.stringify({ instances: jsonRows.map((r) => r.values.map(Number)) }),
      'application/json',
      'application/json',
    );
    if (json.statusCode !== 200) throw new Error(`the local endpoint answered ${json.statusCode} to JSON rows: ${json.body}`);
    const jsonPredictions = (JSON.parse(json.body) as { predictions: number[] }).predictions;
    summary.predictions = [
      ...csvRows.map((r, i) => ({ format: 'text/csv', predicted: csvPredictions[i], actual: Number(r.label) })),
      ...jsonRows.map((r, i) => ({ format: 'application/json', predicted: jsonPredictions[i], actual: Number(r.label) })),
    ];
    summary.printPredictions();
  } catch (error) {
    throwIfStopped(signal); // a request that failed because the endpoint was stopped
    throw error;
  } finally {
    signal?.removeEventListener('abort', stopEndpoint);
    await endpoint.stop();
    say('local endpoint stopped');
  }
  throwIfStopped(signal);

  // ---- inference pipeline (batch transform of the held-out rows without the label)
  s3.deletePrefix(LOCAL_URIS.batchInput);
  const batchUri = `${LOCAL_URIS.batchInput}batch.csv`;
  s3.putObject(batchUri, `${heldOut.rows.map((r) => r.values.join(',')).join('\n')}\n`);
  say(`wrote ${heldOut.rows.length} held-out rows without the label to ${batchUri}`);
  const inference = await runPipeline(
    localInferenceDefinition({ cache: options.cache }),
    INFERENCE_PIPELINE_NAME,
    { ModelPackageArn: modelPackageArn, BatchInputUri: LOCAL_URIS.batchInput },
    context,
    onEvent,
  );
  summary.inference = inference;
  throwIfStopped(signal);
  const outputPath = (stepOf(inference, 'BatchTransform')?.properties?.TransformOutput as { S3OutputPath?: string } | undefined)
    ?.S3OutputPath;
  const predictionsUri = outputPath ? `${outputPath.replace(/\/+$/, '')}/batch.csv.out` : undefined;
  summary.predictionsUri = predictionsUri;
  if (predictionsUri && s3.exists(predictionsUri)) {
    const predicted = s3.getText(predictionsUri).trim().split(/\r?\n/).map(Number);
    summary.batchCheck = { predicted, actual: heldOut.rows.map((r) => Number(r.label)), problemType };
  }

  const reportPath = summary.writeReport();
  summary.print(reportPath);
  if (inference.status !== 'Succeeded') {
    io.err(`error: the inference pipeline failed at ${inference.failedStep ?? 'a step'}: ${inference.failureReason ?? ''}`);
    return { exitCode: 1, training, inference, reportPath, modelPackageArn, gateValue, threshold, totalMs: Date.now() - t0 };
  }
  io.out(`Done in ${formatDuration(Date.now() - t0)}.`);
  return {
    exitCode: 0,
    training,
    inference,
    reportPath,
    modelPackageArn,
    predictionsUri,
    gateValue,
    threshold,
    totalMs: Date.now() - t0,
  };
}

/** What the run produced so far: writes the HTML report and prints the text summary from it. */
class RunState {
  training?: ExecutionRecord;
  inference?: ExecutionRecord;
  evaluation?: ReportEvaluation;
  evaluationFile?: string;
  modelPackageArn?: string;
  predictions: ReportPrediction[] = [];
  predictionsUri?: string;
  batchCheck?: BatchCheck;

  constructor(
    private readonly io: CliIo,
    private readonly s3: LocalS3,
    private readonly registry: LocalModelRegistry,
    private readonly workDir: string,
  ) {}

  printPredictions(): void {
    this.io.out('');
    this.io.out('Local endpoint predictions on held-out rows:');
    this.io.out(formatPredictions(this.predictions));
    this.io.out('');
  }

  /** Labelled local paths of everything the run wrote (S3 objects with their URIs). */
  artifacts(reportPath?: string): { label: string; path: string }[] {
    const out: { label: string; path: string }[] = [];
    if (this.modelPackageArn) {
      const pkg = this.registry.describeModelPackage(this.modelPackageArn);
      const modelUri = pkg.InferenceSpecification?.Containers?.[0]?.ModelDataUrl;
      if (modelUri) out.push({ label: 'Model', path: `${this.s3.pathFor(modelUri)}  (${modelUri})` });
    }
    if (this.evaluationFile) out.push({ label: 'evaluation.json', path: this.s3.pathFor(this.evaluationFile) });
    if (this.predictionsUri) out.push({ label: 'Batch predictions', path: this.s3.pathFor(this.predictionsUri) });
    if (this.modelPackageArn) {
      const { group, version } = parseModelPackageArn(this.modelPackageArn);
      out.push({
        label: 'Registry entry',
        path: `${path.join(this.registry.root, group, `${version}.json`)}  (${this.modelPackageArn}, Approved)`,
      });
    }
    for (const record of [this.training, this.inference]) {
      if (record) {
        out.push({ label: `Execution record (${record.pipelineName})`, path: path.join(record.executionDir, 'execution.json') });
      }
    }
    if (reportPath) out.push({ label: 'HTML report', path: reportPath });
    return out;
  }

  writeReport(): string {
    const id = this.training?.executionId ?? new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join(this.workDir, 'reports', `run-${id}.html`);
    const records = [this.training, this.inference].filter((r): r is ExecutionRecord => r !== undefined);
    writeReport(file, records, {
      title: 'npm run local',
      evaluation: this.evaluation,
      predictions: this.predictions,
      artifacts: this.artifacts(file),
    });
    return file;
  }

  print(reportPath: string): void {
    this.io.out(
      formatRunSummary({
        training: this.training,
        inference: this.inference,
        evaluation: this.evaluation,
        batchCheck: this.batchCheck,
        artifacts: this.artifacts(reportPath),
      }),
    );
  }
}

/** Exit codes after a stop by signal, as shells report them (128 + signal number). */
const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Entry point of `npm run local`: parses the arguments, runs the flow, returns the process exit code.
 * When `signal` is aborted the run stops (execution records end `Stopped`) and the exit code is 1; the command
 * line entry turns that into 130 (SIGINT) or 143 (SIGTERM).
 */
export async function main(argv: readonly string[], io: CliIo = consoleIo, signal?: AbortSignal): Promise<number> {
  let options: CliOptions;
  try {
    // npm runs scripts in the package folder; INIT_CWD is where the user typed the command.
    options = parseCliArgs(argv, process.env.INIT_CWD ?? process.cwd());
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}`);
      io.err('');
      io.err(USAGE);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  try {
    const result = await runLocal(options, io, signal);
    return result.exitCode;
  } catch (error) {
    io.err(error instanceof RunStoppedError ? error.message : `error: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  // Ctrl-C / SIGTERM stop the run cleanly: running jobs are ended, the execution records say Stopped, the local
  // endpoint is stopped; then the process exits with 130 / 143. A second signal ends it at once.
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (received: NodeJS.Signals): void => {
    if (stoppedBy) process.exit(SIGNAL_EXIT_CODES[received] ?? 1);
    stoppedBy = received;
    process.stderr.write(`\n${received}: stopping (send it again to exit at once)\n`);
    controller.abort(new Error(`interrupted by ${received}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main(process.argv.slice(2), consoleIo, controller.signal).then(
    (code) => {
      process.exitCode = stoppedBy ? SIGNAL_EXIT_CODES[stoppedBy] : code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = stoppedBy ? SIGNAL_EXIT_CODES[stoppedBy] : 1;
    },
  );
}
