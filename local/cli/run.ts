import * as path from 'path';
import {
  ETL_JOB_ARGUMENTS,
  etlRunLocation,
  loadStageConfig,
  StageConfigError,
  type StageConfig,
} from '../../lib/config';
import { ETL_CATALOG_TABLE } from '../../lib/etl/job-arguments';
import { metricDirection, TRAINING_PIPELINE_OUTPUTS, TRAINING_PIPELINE_STEPS } from '../../lib/sagemaker-pipelines';
import type { ExecutionRecord } from '../executor/types';
import { LocalPlatform, localPlatformNames } from '../flow/platform';
import { LocalModelRegistry } from '../registry';
import { elapsedLabel, evaluationMetrics, formatDuration, progressPrinter, type ReportEvaluation } from '../report';
import { LocalS3 } from '../s3';
import { prepareLocalStage, type LocalStage } from '../stage';
import { UsageError, type CliOptions, type ConfigOverride } from './args';
import { generateSampleData, processingOutputUri, PYTHON, SAMPLE_DATA_LABEL, stepOf } from './data';
import { etlRunSummary, flowDelivery, FlowStoppedError, followUpload } from './ingest';
import { RunState } from './run-state';
import { deployModel } from './deploy';
import { heldOutRows, runBatchTransform } from './serve';

/** Where the CLI writes its lines (tests capture them). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** What a local run produced. */
export interface LocalRunResult {
  /** 0 when everything succeeded, 1 when the flow stopped (an upload rejected, the ETL run or a pipeline failed). */
  readonly exitCode: number;
  readonly config: StageConfig;
  /** The training execution, when the flow got that far. */
  readonly training?: ExecutionRecord;
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
  let config: StageConfig;
  try {
    config = loadStageConfig(options.stage, options.overrides);
  } catch (error) {
    if (!(error instanceof StageConfigError)) throw error;
    const lines = error.issues.map((issue) => {
      const flag = options.overridden.find((o) => o.path === issue.path)?.flag;
      return flag ? `${flag}: ${issue.message}` : `stage ${options.stage}: ${issue.message}`;
    });
    throw new UsageError(lines.join('\n       '));
  }
  // Settings that overrides cannot express (they merge objects): emptied column rules for a --data file.
  const cleared = new Set(options.overridden.filter((o) => o.flag === '--data').map((o) => o.path));
  if (cleared.size === 0) return config;
  return {
    ...config,
    dataset: {
      ...config.dataset,
      ...(cleared.has('dataset.columns') ? { columns: {} } : {}),
      ...(cleared.has('dataset.dropColumns') ? { dropColumns: [] } : {}),
    },
  };
}

/** The dataset the run uploads: the --data file, or generated sample data in the upload format. */
function datasetFile(options: CliOptions, stage: LocalStage, say: (text: string) => void): string {
  if (options.data) {
    say(`using ${options.data} (label column "${stage.config.labelColumn}")`);
    return options.data;
  }
  if (stage.config.labelColumn !== SAMPLE_DATA_LABEL) {
    throw new UsageError(
      `stage ${stage.config.stageName} labels column "${stage.config.labelColumn}", but the sample data's label is ` +
        `"${SAMPLE_DATA_LABEL}": pass --data FILE --label COL, or run a stage that labels "${SAMPLE_DATA_LABEL}"`,
    );
  }
  const { problemType } = stage.config;
  const file = path.join(options.workDir, 'data', `customers-${problemType}-${options.rows}-seed${options.seed}.csv`);
  generateSampleData({ rows: options.rows, seed: options.seed, problemType, format: 'upload' }, file);
  say(`generated ${options.rows} rows of ${problemType} sample data like a real upload (text categories, gaps, bad rows): ${file}`);
  return file;
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
function readEvaluation(s3: LocalS3, config: StageConfig, training: ExecutionRecord, summary: RunState): ReportEvaluation | undefined {
  const evaluationUri = processingOutputUri(stepOf(training, TRAINING_PIPELINE_STEPS.evaluate), TRAINING_PIPELINE_OUTPUTS.evaluation);
  if (!evaluationUri) return undefined;
  const file = `${evaluationUri.replace(/\/+$/, '')}/${TRAINING_PIPELINE_OUTPUTS.evaluationFile}`;
  summary.evaluationFile = file;
  if (!s3.exists(file)) return undefined;
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(s3.getText(file)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file} (${s3.pathFor(file)}) is not valid JSON: ${(error as Error).message}`);
  }
  const gate = gateOf(config);
  return { report, gateMetric: gate.metric, threshold: gate.threshold, direction: gate.direction, location: s3.pathFor(file) };
}

/** The stage and its overrides, as the run starts. */
function announce(stage: LocalStage, overridden: readonly ConfigOverride[], say: (text: string) => void): void {
  const { config, names } = stage;
  say(`stage ${config.stageName}: ETL job ${names.etlJob}, pipelines ${names.trainingPipeline} and ${names.inferencePipeline}, model package group ${names.modelPackageGroup}`);
  for (const o of overridden) say(`  ${o.flag} sets ${o.path} = ${JSON.stringify(o.value)}`);
}

/**
 * The whole local flow with a stage's settings, as deployed: the dataset is uploaded to the raw bucket → start-etl →
 * the ETL job on local Spark → start-training → the training pipeline → notify; then approve → local endpoint →
 * inference pipeline → summary and HTML report. Returns the exit code instead of exiting, so tests can call it. When
 * `signal` is aborted, the ETL run and running pipelines end stopped (their records say so), the local endpoint is
 * stopped and the run rejects with {@link RunStoppedError}.
 */
export async function runLocal(options: CliOptions, io: CliIo, signal?: AbortSignal, config: StageConfig = loadRunConfig(options)): Promise<LocalRunResult> {
  const t0 = Date.now();
  const s3 = new LocalS3({ root: path.join(options.workDir, 's3') });
  const registry = new LocalModelRegistry({ root: path.join(options.workDir, 'registry'), environment: config });
  const stage = prepareLocalStage(config, s3);
  const say = (text: string): void => io.out(`${elapsedLabel(t0)} ${text}`);
  const summary = new RunState(io, s3, registry, options.workDir, stage, options.overridden);
  announce(stage, options.overridden, say);
  const gate = gateOf(config);
  const finish = (exitCode: number, extra: Partial<LocalRunResult> = {}): LocalRunResult => ({
    exitCode,
    config,
    reportPath: summary.writeAndPrint(),
    threshold: gate.threshold,
    gateValue: summary.evaluation ? evaluationMetrics(summary.evaluation.report).get(gate.metric)?.value : undefined,
    totalMs: Date.now() - t0,
    training: summary.training,
    ...extra,
  });

  const file = datasetFile(options, stage, say);
  throwIfStopped(signal);
  const platform = await LocalPlatform.start({
    stage,
    s3,
    registry,
    workDir: options.workDir,
    python: PYTHON,
    seed: options.seed,
    onProgress: progressPrinter((line) => io.out(line), t0),
    onModelApproved: async (event) => {
      if (!approved.deploy) throw new Error(`model version ${String(event.detail.ModelPackageArn)} was approved, but this run has nothing to deploy`);
      await approved.deploy();
    },
    onInvocation: (outcome, event) => {
      const delivery = flowDelivery(outcome, event);
      summary.flow.push(delivery);
      say(`${delivery.detailType} → ${delivery.rule} → ${delivery.functionName}: ${delivery.outcome}`);
    },
    signal,
  });
  const local = localPlatformNames(stage);
  // The approval of a version starts its deployment (the deployment stack's trigger, on the local bus).
  const approved: { deploy?: () => Promise<unknown> } = {};
  summary.notifications = { topicArn: local.topicArn, messages: [], journal: path.join(options.workDir, 'aws', 'sns', 'published.jsonl') };
  const readNotifications = (): void => {
    if (summary.notifications) summary.notifications.messages = platform.endpoint.published.map((m) => ({ subject: m.subject, kind: m.messageAttributes?.kind?.StringValue }));
  };
  try {
    const sourceUri = platform.upload(file);
    say(`uploaded ${path.basename(file)} to ${sourceUri}: S3 puts "Object Created" on the event bus`);
    let ingest;
    try {
      ingest = await followUpload(platform, sourceUri, stage.names.trainingPipeline);
    } catch (error) {
      throwIfStopped(signal);
      if (!(error instanceof FlowStoppedError)) throw error;
      const etlRun = platform.glue.jobRuns[0];
      if (etlRun) summary.etl = etlRunSummary(etlRun);
      readNotifications();
      const result = finish(1);
      io.err('');
      io.err(`error: ${error.message}`);
      if (/dropColumns/.test(error.message)) io.err('hint: locally, --drop-columns COL leaves a column out (the stage contract\'s dataset.dropColumns)');
      return result;
    }
    summary.etl = etlRunSummary(ingest.etl);
    const run = etlRunLocation(stage.resources.buckets.processed, String(ingest.etl.Arguments[ETL_JOB_ARGUMENTS.runId]));
    summary.etlFiles = [
      { label: 'ETL schema', uri: run.schemaUri },
      { label: 'ETL report', uri: run.reportUri },
    ];
    summary.catalogTableFile = platform.catalog.fileOf(stage.names.etlDatabase, ETL_CATALOG_TABLE);
    const training = ingest.training;
    summary.training = training;
    summary.evaluation = readEvaluation(s3, config, training, summary);
    readNotifications();
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
    const serve = { stage, s3, registry, platform, workDir: options.workDir, signal, say };
    const heldOut = heldOutRows(serve, training, run.schemaUri);
    let deployment: Awaited<ReturnType<typeof deployModel>> | undefined;
    approved.deploy = async () => {
      deployment = await deployModel(serve, modelPackageArn, heldOut, summary);
    };
    registry.updateApprovalStatus(modelPackageArn, 'Approved', 'Approved by npm run local: the quality gate passed');
    say(`approved ${modelPackageArn}`);
    summary.modelPackageArn = modelPackageArn;
    platform.put(platform.pipelines.approvalChanged(modelPackageArn));
    await platform.idle();
    throwIfStopped(signal);
    const trigger = platform.bus.deliveries.find((d) => d.rule === 'ModelApproved');
    if (!trigger) throw new Error('the approval started no deployment: no rule matched its "SageMaker Model Package State Change" event');
    if (!trigger.ok) throw new Error(`the deployment of ${modelPackageArn} failed: ${trigger.error ?? 'no reason given'}`);
    if (!deployment?.production) {
      const test = deployment?.systemTest;
      readNotifications();
      const result = finish(1, { training, modelPackageArn });
      io.err('');
      io.err(
        `error: the system test of ${stage.names.stagingEndpoint} failed (${test?.error ?? 'no verdict'}): ${test?.cause ?? ''}; ` +
          `model version ${modelPackageArn} was not promoted to ${stage.names.productionEndpoint}`,
      );
      return result;
    }
    throwIfStopped(signal);
    const inference = await runBatchTransform(serve, modelPackageArn, heldOut, summary);
    readNotifications();
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
  } finally {
    await platform.close();
  }
}
