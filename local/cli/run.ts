import * as path from 'path';
import {
  DATA_LAYOUT,
  loadStageConfig,
  StageConfigError,
  type StageConfig,
} from '../../lib/config';
import {
  INFERENCE_PIPELINE_PARAMETERS,
  INFERENCE_PIPELINE_STEPS,
  metricDirection,
  TRAINING_PIPELINE_OUTPUTS,
  TRAINING_PIPELINE_PARAMETERS,
  TRAINING_PIPELINE_STEPS,
  type PipelineDefinition,
} from '../../lib/sagemaker-pipelines';
import { startLocalEndpoint } from '../endpoint';
import { executePipeline } from '../executor';
import type { ExecutionEventListener, ExecutionRecord } from '../executor/types';
import { LocalModelRegistry } from '../registry';
import { elapsedLabel, evaluationMetrics, formatDuration, progressPrinter, type ReportEvaluation } from '../report';
import { LocalS3 } from '../s3';
import { prepareLocalStage, type LocalStage } from '../stage';
import { UsageError, type CliOptions, type ConfigOverride } from './args';
import { generateSampleData, processingOutputUri, PYTHON, readHeldOut, SAMPLE_DATA_LABEL, stepOf } from './data';
import { RunState } from './run-state';

/** Where the CLI writes its lines (tests capture them). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** What a local run produced. */
export interface LocalRunResult {
  /** 0 when everything succeeded, 1 when a pipeline failed (e.g. the quality gate). */
  readonly exitCode: number;
  readonly config: StageConfig;
  readonly training: ExecutionRecord;
  readonly inference?: ExecutionRecord;
  readonly reportPath: string;
  readonly modelPackageArn?: string;
  readonly predictionsUri?: string;
  /** The gate metric's value on the test split, when the evaluation ran. */
  readonly gateValue?: number;
  readonly threshold: number;
  readonly totalMs: number;
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

/**
 * The stage config the run takes: the stage's settings with the command line's overrides. An override the config
 * check rejects is reported as a usage error naming the flag.
 */
export function loadRunConfig(options: Pick<CliOptions, 'stage' | 'overrides' | 'overridden'>): StageConfig {
  try {
    return loadStageConfig(options.stage, options.overrides);
  } catch (error) {
    if (!(error instanceof StageConfigError)) throw error;
    const lines = error.issues.map((issue) => {
      const flag = options.overridden.find((o) => o.path === issue.path)?.flag;
      return flag ? `${flag}: ${issue.message}` : `stage ${options.stage}: ${issue.message}`;
    });
    throw new UsageError(lines.join('\n       '));
  }
}

interface RunContext {
  readonly options: CliOptions;
  readonly stage: LocalStage;
  readonly s3: LocalS3;
  readonly registry: LocalModelRegistry;
  readonly onEvent: ExecutionEventListener;
  readonly signal?: AbortSignal;
  say(text: string): void;
}

function runPipeline(
  context: RunContext,
  definition: PipelineDefinition,
  pipelineName: string,
  parameters: Record<string, string | number | boolean>,
): Promise<ExecutionRecord> {
  const { options, stage } = context;
  return executePipeline({
    definition,
    pipelineName,
    parameters,
    workDir: options.workDir,
    s3: context.s3,
    registry: context.registry,
    python: PYTHON,
    environment: { account: stage.config.account, region: stage.config.region },
    seed: options.seed,
    onEvent: context.onEvent,
    ...(context.signal ? { signal: context.signal } : {}),
  });
}

/** The dataset the run trains on, uploaded where the training pipeline reads curated data. */
function uploadData(context: RunContext): string {
  const { options, stage, s3 } = context;
  let dataFile: string;
  if (options.data) {
    dataFile = options.data;
    context.say(`using ${dataFile} (label column "${stage.config.labelColumn}")`);
  } else {
    if (stage.config.labelColumn !== SAMPLE_DATA_LABEL) {
      throw new UsageError(
        `stage ${stage.config.stageName} labels column "${stage.config.labelColumn}", but the sample data's label is ` +
          `"${SAMPLE_DATA_LABEL}": pass --data FILE --label COL, or run a stage that labels "${SAMPLE_DATA_LABEL}"`,
      );
    }
    const { problemType } = stage.config;
    dataFile = path.join(options.workDir, 'data', `sample-${problemType}-${options.rows}-seed${options.seed}.csv`);
    generateSampleData({ rows: options.rows, seed: options.seed, problemType }, dataFile);
    context.say(`generated ${options.rows} rows of ${problemType} sample data: ${dataFile}`);
  }
  const inputUri = `s3://${stage.resources.buckets.processed}/${DATA_LAYOUT.curatedPrefix}local/`;
  s3.deletePrefix(inputUri);
  s3.putFile(`${inputUri}data.csv`, dataFile);
  context.say(`uploaded to ${inputUri}data.csv`);
  return inputUri;
}

/** The gate the stage's definition applies: its metric, direction and threshold. */
function gateOf(config: StageConfig): { metric: string; direction: 'Maximize' | 'Minimize'; threshold: number } {
  return {
    metric: config.qualityGate.metric,
    direction: metricDirection(config.problemType, config.qualityGate.metric),
    threshold: config.qualityGate.threshold,
  };
}

/** Reads `evaluation.json` of the training execution, when Evaluate ran. */
function readEvaluation(context: RunContext, training: ExecutionRecord, summary: RunState): ReportEvaluation | undefined {
  const evaluationUri = processingOutputUri(stepOf(training, TRAINING_PIPELINE_STEPS.evaluate), TRAINING_PIPELINE_OUTPUTS.evaluation);
  if (!evaluationUri) return undefined;
  const file = `${evaluationUri.replace(/\/+$/, '')}/${TRAINING_PIPELINE_OUTPUTS.evaluationFile}`;
  summary.evaluationFile = file;
  if (!context.s3.exists(file)) return undefined;
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(context.s3.getText(file)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file} (${context.s3.pathFor(file)}) is not valid JSON: ${(error as Error).message}`);
  }
  const gate = gateOf(context.stage.config);
  return { report, gateMetric: gate.metric, threshold: gate.threshold, direction: gate.direction, location: context.s3.pathFor(file) };
}

/** Serves the approved model on a local endpoint and asks it for predictions of held-out rows, in CSV and JSON. */
async function tryEndpoint(context: RunContext, training: ExecutionRecord, modelPackageArn: string, summary: RunState): Promise<string[][]> {
  const { s3, signal } = context;
  const testUri = processingOutputUri(stepOf(training, TRAINING_PIPELINE_STEPS.preprocess), TRAINING_PIPELINE_OUTPUTS.test);
  if (!testUri) throw new Error(`the ${TRAINING_PIPELINE_STEPS.preprocess} step recorded no "test" output; cannot pick held-out rows`);
  const testObject = s3.list(testUri).find((o) => o.key.endsWith('.csv'));
  if (!testObject) throw new Error(`no test split CSV under ${testUri}`);
  const heldOut = readHeldOut(s3.getText(testObject.uri));
  throwIfStopped(signal);
  const endpoint = await startLocalEndpoint({
    registry: context.registry,
    s3,
    modelPackageArn,
    python: PYTHON,
    workDir: path.join(context.options.workDir, 'endpoints'),
  });
  const stopEndpoint = (): void => void endpoint.stop();
  signal?.addEventListener('abort', stopEndpoint, { once: true });
  try {
    throwIfStopped(signal);
    context.say(`local endpoint serving ${modelPackageArn} at ${endpoint.url}`);
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
    context.say('local endpoint stopped');
  }
  return heldOut.rows.map((r) => [r.label, ...r.values]);
}

/** Batch predictions of the held-out rows (without their label) with the inference pipeline. */
async function runBatchTransform(context: RunContext, modelPackageArn: string, rows: string[][], summary: RunState): Promise<ExecutionRecord> {
  const { stage, s3 } = context;
  const batchInput = `s3://${stage.resources.buckets.raw}/${DATA_LAYOUT.batchInputPrefix}local/`;
  s3.deletePrefix(batchInput);
  s3.putObject(`${batchInput}batch.csv`, `${rows.map((r) => r.slice(1).join(',')).join('\n')}\n`);
  context.say(`wrote ${rows.length} held-out rows without the label to ${batchInput}batch.csv`);
  const inference = await runPipeline(context, stage.definitions.inference, stage.names.inferencePipeline, {
    [INFERENCE_PIPELINE_PARAMETERS.modelPackageArn]: modelPackageArn,
    [INFERENCE_PIPELINE_PARAMETERS.batchInputUri]: batchInput,
  });
  summary.inference = inference;
  const outputPath = (stepOf(inference, INFERENCE_PIPELINE_STEPS.batchTransform)?.properties?.TransformOutput as { S3OutputPath?: string } | undefined)
    ?.S3OutputPath;
  const predictionsUri = outputPath ? `${outputPath.replace(/\/+$/, '')}/batch.csv.out` : undefined;
  summary.predictionsUri = predictionsUri;
  if (predictionsUri && s3.exists(predictionsUri)) {
    const predicted = s3.getText(predictionsUri).trim().split(/\r?\n/).map(Number);
    summary.batchCheck = { predicted, actual: rows.map((r) => Number(r[0])), problemType: stage.config.problemType };
  }
  return inference;
}

/** The stage and its overrides, and the cloud-only settings the run ignores, as the run starts. */
function announce(context: RunContext, overridden: readonly ConfigOverride[]): void {
  const { config, names } = context.stage;
  context.say(`stage ${config.stageName}: pipelines ${names.trainingPipeline} and ${names.inferencePipeline}, model package group ${names.modelPackageGroup}`);
  for (const o of overridden) context.say(`  ${o.flag} sets ${o.path} = ${JSON.stringify(o.value)}`);
}

/**
 * The whole local flow with a stage's settings: data → training pipeline → approve → local endpoint → inference
 * pipeline → summary and HTML report. Returns the exit code instead of exiting, so tests can call it. When
 * `signal` is aborted, running pipelines end `Stopped` (their records say so), the local endpoint is stopped and
 * the run rejects with {@link RunStoppedError}.
 */
export async function runLocal(options: CliOptions, io: CliIo, signal?: AbortSignal, config: StageConfig = loadRunConfig(options)): Promise<LocalRunResult> {
  const t0 = Date.now();
  const s3 = new LocalS3({ root: path.join(options.workDir, 's3') });
  const registry = new LocalModelRegistry({ root: path.join(options.workDir, 'registry'), environment: config });
  const stage = prepareLocalStage(config, s3);
  const context: RunContext = {
    options,
    stage,
    s3,
    registry,
    onEvent: progressPrinter((line) => io.out(line), t0),
    signal,
    say: (text) => io.out(`${elapsedLabel(t0)} ${text}`),
  };
  const summary = new RunState(io, s3, registry, options.workDir, stage, options.overridden);
  announce(context, options.overridden);
  const gate = gateOf(config);
  const finish = (exitCode: number, extra: Partial<LocalRunResult> & { training: ExecutionRecord }): LocalRunResult => ({
    exitCode,
    config,
    reportPath: summary.writeAndPrint(),
    threshold: gate.threshold,
    gateValue: summary.evaluation ? evaluationMetrics(summary.evaluation.report).get(gate.metric)?.value : undefined,
    totalMs: Date.now() - t0,
    ...extra,
  });

  const inputUri = uploadData(context);
  throwIfStopped(signal);
  const training = await runPipeline(context, stage.definitions.training, stage.names.trainingPipeline, {
    [TRAINING_PIPELINE_PARAMETERS.inputDataUri]: inputUri,
  });
  summary.training = training;
  summary.evaluation = readEvaluation(context, training, summary);
  throwIfStopped(signal);
  if (training.status !== 'Succeeded') {
    const result = finish(1, { training });
    const failStep = training.steps.find((s) => s.type === 'Fail' && s.status === 'Failed');
    io.err('');
    io.err(
      failStep
        ? `error: the training pipeline stopped at ${failStep.name}: ${failStep.failureReason ?? training.failureReason ?? ''}`
        : `error: the training pipeline failed at ${training.failedStep ?? 'a step'}: ${training.failureReason ?? 'see the step logs'}`,
    );
    return result;
  }

  const modelPackageArn =
    (stepOf(training, TRAINING_PIPELINE_STEPS.register)?.properties?.ModelPackageArn as string | undefined) ??
    registry
      .listModelPackages(stage.names.modelPackageGroup)
      .filter((p) => p.MetadataProperties?.GeneratedBy === training.executionArn)
      .pop()?.ModelPackageArn;
  if (!modelPackageArn) {
    throw new Error(`the training pipeline succeeded but registered no model package (execution ${training.executionDir})`);
  }
  registry.updateApprovalStatus(modelPackageArn, 'Approved', 'Approved by npm run local: the quality gate passed');
  context.say(`approved ${modelPackageArn}`);
  summary.modelPackageArn = modelPackageArn;

  const heldOutRows = await tryEndpoint(context, training, modelPackageArn, summary);
  throwIfStopped(signal);
  const inference = await runBatchTransform(context, modelPackageArn, heldOutRows, summary);
  throwIfStopped(signal);
  const result = finish(inference.status === 'Succeeded' ? 0 : 1, {
    training,
    inference,
    modelPackageArn,
    predictionsUri: summary.predictionsUri,
  });
  if (inference.status !== 'Succeeded') {
    io.err(`error: the inference pipeline failed at ${inference.failedStep ?? 'a step'}: ${inference.failureReason ?? ''}`);
    return result;
  }
  io.out(`Done in ${formatDuration(Date.now() - t0)}.`);
  return result;
}
