/**
 * The approved model at work: local endpoints answering held-out rows in their raw (uploaded) form and encoded, and
 * the stage's inference pipeline predicting them in a batch, started through the same SageMaker API the cloud uses.
 */
import { DATA_LAYOUT } from '../../lib/config';
import { INFERENCE_PIPELINE_PARAMETERS, INFERENCE_PIPELINE_STEPS, TRAINING_PIPELINE_OUTPUTS, TRAINING_PIPELINE_STEPS } from '../../lib/sagemaker-pipelines';
import { startLocalEndpoint, type LocalEndpoint } from '../endpoint';
import type { ExecutionRecord } from '../executor/types';
import type { LocalPlatform } from '../flow/platform';
import type { LocalModelRegistry } from '../registry';
import type { LocalS3 } from '../s3';
import type { LocalStage } from '../stage';
import { processingOutputUri, PYTHON, readHeldOut, stepOf } from './data';
import { csvCell, rawHeldOut, type RawHeldOut } from './raw-rows';
import type { RunState } from './run-state';

/** What serving needs from the run. */
export interface ServeContext {
  readonly stage: LocalStage;
  readonly s3: LocalS3;
  readonly registry: LocalModelRegistry;
  readonly platform: LocalPlatform;
  readonly workDir: string;
  readonly signal?: AbortSignal;
  say(text: string): void;
}

/** The held-out rows of the training execution's test split, with their raw form from the ETL run's schema. */
export function heldOutRows(context: ServeContext, training: ExecutionRecord, schemaUri: string): RawHeldOut {
  const { s3 } = context;
  const testUri = processingOutputUri(stepOf(training, TRAINING_PIPELINE_STEPS.preprocess), TRAINING_PIPELINE_OUTPUTS.test);
  if (!testUri) throw new Error(`the ${TRAINING_PIPELINE_STEPS.preprocess} step recorded no "test" output; cannot pick held-out rows`);
  const testObject = s3.list(testUri).find((o) => o.key.endsWith('.csv'));
  if (!testObject) throw new Error(`no test split CSV under ${testUri}`);
  const split = readHeldOut(s3.getText(testObject.uri));
  if (!s3.exists(schemaUri)) throw new Error(`the ETL run wrote no schema at ${schemaUri} (${s3.pathFor(schemaUri)})`);
  return rawHeldOut(
    s3.getText(schemaUri),
    schemaUri,
    ['label', ...split.features],
    split.rows.map((r) => [r.label, ...r.values]),
  );
}

function parseCsvPredictions(body: string): number[] {
  return body.trim().split(/\r?\n/).map(Number);
}

/**
 * Asks an endpoint for predictions of held-out rows: raw rows in CSV and in JSON (objects keyed by column), and the
 * same rows encoded. The two forms must give the same predictions.
 */
export async function checkRawAndEncoded(endpoint: LocalEndpoint, heldOut: RawHeldOut, summary: RunState): Promise<void> {
  const ask = async (body: string, contentType: string, what: string): Promise<number[]> => {
    const answer = await endpoint.invoke(body, contentType, contentType);
    if (answer.statusCode !== 200) throw new Error(`the local endpoint answered ${answer.statusCode} to ${what}: ${answer.body}`);
    return contentType === 'text/csv' ? parseCsvPredictions(answer.body) : (JSON.parse(answer.body) as { predictions: number[] }).predictions;
  };
  const csvRows = heldOut.rows.slice(0, 3);
  const jsonRows = heldOut.rows.slice(3, 6);
  const rawCsv = await ask(csvRows.map((r) => r.raw.map(csvCell).join(',')).join('\n'), 'text/csv', 'raw CSV rows');
  const rawJson = await ask(
    JSON.stringify({ instances: jsonRows.map((r) => Object.fromEntries(heldOut.columns.map((c, i) => [c, r.raw[i]]))) }),
    'application/json',
    'raw JSON rows',
  );
  const both = [...csvRows, ...jsonRows];
  const encoded = await ask(both.map((r) => r.encoded.join(',')).join('\n'), 'text/csv', 'encoded CSV rows');
  const raw = [...rawCsv, ...rawJson];
  summary.predictions = both.map((r, i) => ({
    format: i < csvRows.length ? 'text/csv (raw)' : 'application/json (raw)',
    predicted: raw[i],
    actual: Number(r.label),
  }));
  summary.encodingCheck = { rows: both.length, agree: raw.filter((p, i) => Math.abs(p - encoded[i]) <= 1e-9 * Math.max(1, Math.abs(p))).length };
  summary.printPredictions();
  if (summary.encodingCheck.agree !== both.length) {
    throw new Error(
      `the endpoint predicted differently for raw and encoded forms of the same rows (${summary.encodingCheck.agree} of ${both.length} agree): ` +
        'inference does not encode raw rows as the ETL job did',
    );
  }
}

/** Starts a local endpoint serving a model version (stopped when the run is). */
export async function serveModel(
  context: ServeContext,
  modelPackageArn: string,
  options: { readonly endpointName: string; readonly capture?: { readonly dir: string; readonly percent: number } },
): Promise<LocalEndpoint> {
  const endpoint = await startLocalEndpoint({
    registry: context.registry,
    s3: context.s3,
    modelPackageArn,
    python: PYTHON,
    workDir: `${context.workDir}/endpoints`,
    endpointName: options.endpointName,
    ...(options.capture ? { dataCapture: { destinationDir: options.capture.dir, samplingPercentage: options.capture.percent } } : {}),
  });
  context.signal?.addEventListener('abort', () => void endpoint.stop(), { once: true });
  context.say(`local endpoint ${options.endpointName} serving ${modelPackageArn} at ${endpoint.url}`);
  return endpoint;
}

/** Batch predictions of the held-out rows, raw and without their label, with the stage's inference pipeline. */
export async function runBatchTransform(context: ServeContext, modelPackageArn: string, heldOut: RawHeldOut, summary: RunState): Promise<ExecutionRecord> {
  const { stage, s3, platform } = context;
  const batchInput = `s3://${stage.resources.buckets.raw}/${DATA_LAYOUT.batchInputPrefix}local/`;
  s3.deletePrefix(batchInput);
  s3.putObject(`${batchInput}batch.csv`, `${heldOut.rows.map((r) => r.raw.map(csvCell).join(',')).join('\n')}\n`);
  context.say(`wrote ${heldOut.rows.length} held-out rows, raw and without the label, to ${batchInput}batch.csv`);
  const { PipelineExecutionArn } = await platform.pipelines.startPipelineExecution({
    PipelineName: stage.names.inferencePipeline,
    PipelineParameters: [
      { Name: INFERENCE_PIPELINE_PARAMETERS.modelPackageArn, Value: modelPackageArn },
      { Name: INFERENCE_PIPELINE_PARAMETERS.batchInputUri, Value: batchInput },
    ],
  });
  const execution = platform.pipelines.started.find((e) => e.executionArn === PipelineExecutionArn);
  if (!execution) throw new Error(`the inference execution ${PipelineExecutionArn} was not recorded`);
  const inference = await execution.done;
  await platform.idle(); // its notification
  summary.inference = inference;
  const outputPath = (stepOf(inference, INFERENCE_PIPELINE_STEPS.batchTransform)?.properties?.TransformOutput as { S3OutputPath?: string } | undefined)
    ?.S3OutputPath;
  const predictionsUri = outputPath ? `${outputPath.replace(/\/+$/, '')}/batch.csv.out` : undefined;
  summary.predictionsUri = predictionsUri;
  if (predictionsUri && s3.exists(predictionsUri)) {
    summary.batchCheck = {
      predicted: parseCsvPredictions(s3.getText(predictionsUri)),
      actual: heldOut.rows.map((r) => Number(r.label)),
      problemType: stage.config.problemType,
    };
  }
  return inference;
}
