/**
 * The deployment flow on this machine, started as in the cloud by the approval of a model version (the rule the
 * deployment stack deploys): the version serves as "staging" on a local endpoint, the system-test state machine's own
 * ASL tests it there with the real handlers, and only a passing version is promoted to a local "production" endpoint,
 * which captures its requests; the data-quality check then runs on them against the training baseline.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DATA_CAPTURE_PREFIX } from '../../lib/stacks/endpoint-stack';
import { MODEL_METADATA_KEYS } from '../../lib/sagemaker-pipelines/names';
import type { LocalEndpoint } from '../endpoint';
import { runSystemTest, systemTestDefinition } from '../stepfunctions/system-test';
import type { DeploymentSummary, SystemTestSummary } from '../report';
import { PYTHON, REPO_ROOT } from './data';
import { csvCell, type RawHeldOut } from './raw-rows';
import type { RunState } from './run-state';
import { checkRawAndEncoded, serveModel, type ServeContext } from './serve';

/** The local stand-in of Model Monitor's data-quality analyzer. */
const DATA_QUALITY_SCRIPT = path.join(REPO_ROOT, 'local', 'monitor', 'data_quality.py');

/** Rows per request of the production traffic the run sends. */
const PRODUCTION_ROWS_PER_REQUEST = 5;

/** Where an endpoint captures locally: its stack's capture bucket, `datacapture/` (a local bucket named after the stack). */
function captureDir(context: ServeContext, variant: 'staging' | 'production'): string {
  return context.s3.pathFor(`s3://${context.stage.names.endpointStack(variant)}-capture/${DATA_CAPTURE_PREFIX}/`);
}

async function withEndpoint<T>(endpoint: LocalEndpoint, use: (endpoint: LocalEndpoint) => Promise<T>, say: (text: string) => void): Promise<T> {
  try {
    return await use(endpoint);
  } finally {
    await endpoint.stop();
    say(`local endpoint ${endpoint.endpointName} stopped`);
  }
}

/** The system test of the staging endpoint, with the held-out split the version records. */
async function systemTest(context: ServeContext, modelPackageArn: string, staging: LocalEndpoint): Promise<SystemTestSummary> {
  const { stage, registry, platform } = context;
  const version = registry.describeModelPackage(modelPackageArn);
  const testDataUri = version.CustomerMetadataProperties?.[MODEL_METADATA_KEYS.testDataUri];
  if (!testDataUri) throw new Error(`${modelPackageArn} records no ${MODEL_METADATA_KEYS.testDataUri}: the system test has no held-out data`);
  const definition = systemTestDefinition(stage.config, stage.names, {
    artifactsBucket: stage.resources.buckets.artifacts,
    dataKeyArn: stage.resources.kmsKeyId ?? '',
  });
  context.say(`system test ${stage.names.systemTest}: ${Object.keys(definition.tasks).join(', ')} on ${staging.endpointName} with ${testDataUri}`);
  const execution = await runSystemTest(definition, { testDataUri }, platform.lambda, { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: staging.runtimeUrl });
  const output = (execution.output ?? {}) as Partial<SystemTestSummary>;
  return {
    endpointName: staging.endpointName,
    passed: execution.status === 'SUCCEEDED',
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    ...(output.rows !== undefined ? { rows: output.rows, requests: output.requests } : {}),
    ...(output.metric ? { metric: output.metric } : {}),
    ...(output.latency ? { latency: output.latency } : {}),
    durationMs: execution.durationMs,
  };
}

/** Production traffic: the held-out rows, raw, a few per request; returns the requests sent. */
async function sendTraffic(endpoint: LocalEndpoint, heldOut: RawHeldOut): Promise<number> {
  let requests = 0;
  for (let i = 0; i < heldOut.rows.length; i += PRODUCTION_ROWS_PER_REQUEST) {
    const body = heldOut.rows.slice(i, i + PRODUCTION_ROWS_PER_REQUEST).map((r) => r.raw.map(csvCell).join(',')).join('\n');
    const answer = await endpoint.invoke(body, 'text/csv', 'text/csv');
    if (answer.statusCode !== 200) throw new Error(`production answered ${answer.statusCode} to held-out rows: ${answer.body}`);
    requests += 1;
  }
  return requests;
}

/** Captured requests under a capture folder (one JSON line each). */
function capturedRequests(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let count = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.jsonl')) {
      count += fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8').split('\n').filter((l) => l.trim() !== '').length;
    }
  }
  return count;
}

/** The data-quality check of the captured requests against the version's baseline. */
function checkDataQuality(context: ServeContext, modelPackageArn: string, capture: string): DeploymentSummary['dataQuality'] {
  const quality = context.registry.describeModelPackage(modelPackageArn).ModelMetrics?.ModelDataQuality as
    | { Statistics?: { S3Uri?: string } }
    | undefined;
  const statistics = quality?.Statistics?.S3Uri;
  if (!statistics) return undefined;
  const baselineDir = path.dirname(context.s3.pathFor(statistics));
  const outputDir = path.join(context.workDir, 'monitoring', context.stage.names.productionEndpoint);
  fs.rmSync(outputDir, { recursive: true, force: true });
  const result = spawnSync(PYTHON, [DATA_QUALITY_SCRIPT, '--baseline-dir', baselineDir, '--capture-dir', capture, '--output-dir', outputDir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the data-quality check failed (exit ${result.status}): ${(result.stderr || result.stdout).trim()}`);
  const reportPath = path.join(outputDir, 'constraint_violations.json');
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as { violations: { feature_name: string; constraint_check_type: string; description: string }[] };
  return {
    violations: report.violations.map((v) => ({ feature: v.feature_name, check: v.constraint_check_type, description: v.description })),
    reportPath,
  };
}

/**
 * Deploys an approved version: staging (and the raw/encoded check) → the system test → production only if it
 * passed → production traffic, captured → the data-quality check. Returns what it did; `summary.deployment` has it.
 */
export async function deployModel(context: ServeContext, modelPackageArn: string, heldOut: RawHeldOut, summary: RunState): Promise<DeploymentSummary> {
  const { stage, say } = context;
  const { names, config } = stage;
  const percent = config.deployment.dataCapturePercent;
  const staging = await serveModel(context, modelPackageArn, { endpointName: names.stagingEndpoint, capture: { dir: captureDir(context, 'staging'), percent } });
  const test = await withEndpoint(staging, async (endpoint) => {
    await checkRawAndEncoded(endpoint, heldOut, summary);
    return systemTest(context, modelPackageArn, endpoint);
  }, say);
  let deployment: DeploymentSummary = { modelPackageArn, stagingEndpoint: names.stagingEndpoint, systemTest: test };
  summary.deployment = deployment;
  if (!test.passed) {
    say(`system test FAILED (${test.error}): ${test.cause ?? ''}; ${names.productionEndpoint} is not updated`);
    return deployment;
  }
  say(`system test passed: promoting ${modelPackageArn} to ${names.productionEndpoint}`);
  const capture = captureDir(context, 'production');
  fs.rmSync(capture, { recursive: true, force: true });
  const production = await serveModel(context, modelPackageArn, { endpointName: names.productionEndpoint, capture: { dir: capture, percent } });
  const requests = await withEndpoint(production, (endpoint) => sendTraffic(endpoint, heldOut), say);
  const captured = capturedRequests(capture);
  say(`${names.productionEndpoint} answered ${requests} requests of held-out rows; ${captured} captured at ${percent}%`);
  deployment = {
    ...deployment,
    production: { endpointName: names.productionEndpoint, requests, capturedRequests: captured, capturePercent: percent },
    dataQuality: captured > 0 ? checkDataQuality(context, modelPackageArn, capture) : undefined,
  };
  summary.deployment = deployment;
  return deployment;
}
