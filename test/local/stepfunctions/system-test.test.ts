import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { loadStageConfig, namePrefixOf, resourceNames, type StageConfigOverrides } from '../../../lib/config';
import { startLocalAwsEndpoint, type LocalAwsEndpoint } from '../../../local/aws';
import { LocalLambda } from '../../../local/lambda/local-lambda';
import { LocalS3 } from '../../../local/s3';
import { runSystemTest, systemTestDefinition, type LocalSystemTestDefinition } from '../../../local/stepfunctions/system-test';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

/**
 * The system test's own ASL (from the construct the deployment stack uses), run by the local Step Functions
 * interpreter with the real handlers (bundled, in their own processes, with the real SDK): test data in local S3
 * through the local AWS endpoint, and a stand-in endpoint on SageMaker Runtime's route whose answers each test
 * chooses (the real endpoint runs in the `npm run local` tests).
 */
type Answer = (features: string[][]) => { status: number; body: string; headers?: Record<string, string> };

const TEST_DATA_PREFIX = 's3://mlops-dev-artifacts/pipelines/training/exec1/preprocess/test';
const ROWS = 40;

let root: string;
let s3: LocalS3;
let aws: LocalAwsEndpoint;
let lambda: LocalLambda;
let runtime: http.Server;
let runtimeUrl: string;
let answer: Answer;
let requests = 0;

function testData(): string {
  const lines = ['target,x1,x2'];
  for (let i = 0; i < ROWS; i++) lines.push(`${(i * 1.5).toFixed(1)},${i},${(i % 7) / 10}`);
  return `${lines.join('\n')}\n`;
}

/** The stand-in answers `x1 * 1.5` (the label exactly) unless a test says otherwise. */
const perfect: Answer = (features) => ({ status: 200, body: features.map((f) => String(Number(f[0]) * 1.5)).join('\n') });

function definitionFor(overrides: StageConfigOverrides = {}): LocalSystemTestDefinition {
  const config = loadStageConfig('dev', { deployment: { systemTest: { maxRows: ROWS, rowsPerRequest: 2, threshold: 0.6, maxP95LatencyMs: 5000 } }, ...overrides });
  return systemTestDefinition(config, resourceNames(namePrefixOf('dev')), {
    artifactsBucket: 'mlops-dev-artifacts',
    dataKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/local',
  });
}

beforeAll(async () => {
  root = temporaryFolder('system-test-');
  s3 = new LocalS3({ root: path.join(root, 's3') });
  s3.putObject(`${TEST_DATA_PREFIX}/test.csv`, testData());
  aws = await startLocalAwsEndpoint({ backends: { s3 }, region: 'us-east-1', account: '111111111111' });
  lambda = new LocalLambda({ workDir: root, awsEnvironment: aws.environment, region: 'us-east-1', account: '111111111111' });
  runtime = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests += 1;
      const features = Buffer.concat(chunks).toString('utf8').trim().split('\n').map((line) => line.split(','));
      const { status, body, headers } = answer(features);
      response.writeHead(status, { 'Content-Type': status === 200 ? 'text/csv' : 'application/json', ...headers });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => runtime.listen(0, '127.0.0.1', resolve));
  runtimeUrl = `http://127.0.0.1:${(runtime.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await aws.close();
  await new Promise((resolve) => runtime.close(resolve));
  removeTemporaryFolders();
});

beforeEach(() => {
  answer = perfect;
  requests = 0;
});

const run = (definition: LocalSystemTestDefinition, testDataUri = TEST_DATA_PREFIX) =>
  runSystemTest(definition, { testDataUri }, lambda, { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: runtimeUrl });

describe('the system test state machine, run locally', () => {
  const definition = definitionFor();

  test('its ASL is the construct\'s: Plan, a Map of invocations, Evaluate, the Choice, with the handlers as Lambda tasks', () => {
    expect(Object.keys(definition.asl.States)).toEqual(expect.arrayContaining(['PlanBatches', 'InvokeBatches', 'Evaluate', 'CompareWithThresholds']));
    expect(Object.fromEntries(Object.entries(definition.tasks).map(([state, fn]) => [state, fn.handler]))).toEqual({
      PlanBatches: 'system-test/plan',
      InvokeEndpoint: 'system-test/invoke',
      Evaluate: 'system-test/evaluate',
    });
  });

  test('a model that predicts well passes with its metric and latency figures', async () => {
    const execution = await run(definition);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({
      rows: ROWS,
      requests: ROWS / 2,
      metric: { name: 'r2', value: 1, threshold: 0.6, direction: 'Maximize' },
      latency: { p50Ms: expect.any(Number), p95Ms: expect.any(Number), maxP95Ms: 5000 },
    });
    expect(requests).toBe(ROWS / 2);
    expect(execution.states).toEqual(expect.arrayContaining(['PlanBatches', 'InvokeBatches', 'InvokeEndpoint', 'Evaluate', 'CompareWithThresholds', 'Passed']));
  });

  test('a model below the threshold fails with a cause naming the metric, its value and the threshold', async () => {
    answer = (features) => ({ status: 200, body: features.map(() => '20').join('\n') });
    const execution = await run(definition);
    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'MetricBelowThreshold',
      cause: expect.stringMatching(/^r2 = -?[\d.]+ on 40 held-out rows of s3:\/\/mlops-dev-artifacts\/\S+test\.csv is below the threshold 0\.6 \(higher is better\)$/),
    });
  });

  test('an endpoint that errors fails the test with the endpoint\'s error, after no retries', async () => {
    answer = () => ({
      status: 424,
      body: JSON.stringify({ OriginalStatusCode: 500, OriginalMessage: 'model crashed', message: 'Received server error (500) from model' }),
      headers: { 'x-amzn-ErrorType': 'ModelError' },
    });
    const execution = await run(definition);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'EndpointError', cause: expect.stringMatching(/model crashed/) });
    expect(execution.states).not.toContain('Evaluate');
  });

  test('malformed test data fails the test before any request, naming the line', async () => {
    s3.putObject('s3://mlops-dev-artifacts/pipelines/training/bad/preprocess/test/test.csv', 'target,x1\n1,2\n3,hello\n');
    const execution = await run(definition, 's3://mlops-dev-artifacts/pipelines/training/bad/preprocess/test');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'MalformedTestData', cause: expect.stringMatching(/line 3/) });
    expect(requests).toBe(0);
  });

  test('a throttled request is retried by the Map\'s Retry after its interval, and the test passes', async () => {
    // GIVEN an endpoint that throttles its first request only, and four rows (one batch of two requests)
    const small = definitionFor({ deployment: { systemTest: { maxRows: 4, rowsPerRequest: 2, threshold: 0.6, maxP95LatencyMs: 5000 } } });
    let throttled = 0;
    answer = (features) => (throttled++ === 0
      ? { status: 429, body: JSON.stringify({ message: 'Rate exceeded' }), headers: { 'x-amzn-ErrorType': 'ThrottlingException' } }
      : perfect(features));

    // WHEN
    const execution = await run(small);

    // THEN the batch's Task ran again after the retrier's first interval (2 s), within the same state, and passed
    expect(execution.status).toBe('SUCCEEDED');
    const invokes = execution.invocations.filter((i) => i.functionName.endsWith('system-test-invoke'));
    expect(invokes.map((i) => i.error?.name)).toEqual(['EndpointThrottled', undefined]);
    expect(execution.states.filter((s) => s === 'InvokeEndpoint')).toHaveLength(1);
    expect(execution.durationMs).toBeGreaterThanOrEqual(2000);
  });

  test('a slow endpoint fails the latency limit', async () => {
    const strict = definitionFor({ deployment: { systemTest: { maxRows: 4, rowsPerRequest: 2, threshold: 0.6, maxP95LatencyMs: 1 } } });
    answer = (features) => {
      const until = Date.now() + 20;
      while (Date.now() < until) { /* a slow model */ }
      return perfect(features);
    };
    const execution = await run(strict);
    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'LatencyAboveThreshold',
      cause: expect.stringMatching(/^p95 latency [\d.]+ ms over 2 requests is above the limit 1 ms$/),
    });
  });
});
