import { GlueClient, StartJobRunCommand } from '@aws-sdk/client-glue';
import type { LocalAwsEndpoint } from '../../../local/aws';
import { clientConfig, JOB_RUN_ID, rawRequest, startTestEndpoint } from './helpers';

let endpoint: LocalAwsEndpoint;

beforeAll(async () => {
  endpoint = await startTestEndpoint();
});

afterAll(async () => {
  await endpoint.close();
});

const glueJson = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSGlue.StartJobRun' };

/** After every bad request, a good one through the SDK still works. */
async function stillServes(): Promise<void> {
  const glue = new GlueClient(clientConfig(endpoint));
  try {
    expect((await glue.send(new StartJobRunCommand({ JobName: 'etl' }))).JobRunId).toBe(JOB_RUN_ID);
  } finally {
    glue.destroy();
  }
}

describe('malformed requests get AWS-shaped errors, and the endpoint keeps serving', () => {
  test.each([
    ['malformed JSON', { headers: glueJson, body: '{"JobName": ' }, 400, 'SerializationException', /^The request body is not valid JSON: /],
    ['a JSON array body', { headers: glueJson, body: '[]' }, 400, 'SerializationException', /must be a JSON object/],
    [
      'the wrong content type',
      { headers: { ...glueJson, 'content-type': 'text/plain' }, body: '{}' },
      400,
      'SerializationException',
      /^Content-Type 'text\/plain' is not application\/x-amz-json-1\.1, which Glue requests use\.$/,
    ],
    [
      'no X-Amz-Target',
      { headers: { 'content-type': 'application/x-amz-json-1.1' }, body: '{}' },
      400,
      'UnknownOperationException',
      /^The request has no X-Amz-Target header; Glue requests name their operation as 'AWSGlue\.<Operation>'\.$/,
    ],
    [
      "another service's X-Amz-Target",
      { headers: { ...glueJson, 'x-amz-target': 'SageMaker.StartPipelineExecution' }, body: '{}' },
      400,
      'UnknownOperationException',
      /^X-Amz-Target 'SageMaker\.StartPipelineExecution' is not a Glue operation/,
    ],
    ['no signature', { headers: glueJson, body: '{}', service: null }, 403, 'MissingAuthenticationToken', /^The request is not signed/],
    [
      'a signature for a service not served',
      { headers: { ...glueJson, 'x-amz-target': 'AmazonSQS.SendMessage' }, body: '{}', service: 'sqs' },
      400,
      'UnknownOperationException',
      /^The request is signed for service 'sqs', which the local AWS endpoint does not serve \(served: glue, sagemaker, dynamodb, sns, s3\)\.$/,
    ],
    [
      'an oversized body',
      { headers: glueJson, body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20) },
      413,
      'RequestEntityTooLarge',
      /^The request body has 10485761 bytes, more than the local endpoint's limit of 10485760 bytes/,
    ],
  ])('%s', async (_what, request, status, code, message) => {
    const answer = await rawRequest(endpoint, request);

    expect(answer.status).toBe(status);
    expect(answer.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.headers['x-amzn-errortype']).toBe(code);
    const body = JSON.parse(answer.body);
    expect(body.__type).toBe(code);
    expect(body.Message ?? body.message).toMatch(message);
    await stillServes();
  });

  test('SNS-shaped and S3-shaped requests get XML errors', async () => {
    const noAction = await rawRequest(endpoint, {
      service: 'sns',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Version=2010-03-31&TopicArn=x',
    });
    expect(noAction.status).toBe(400);
    expect(noAction.body).toMatch(/^<ErrorResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/"><Error><Type>Sender<\/Type><Code>MissingAction<\/Code>/);

    const unsigned = await rawRequest(endpoint, { service: null, method: 'GET', path: '/bucket/key' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toContain('<Code>MissingAuthenticationToken</Code>');

    const badEscape = await rawRequest(endpoint, { service: 's3', method: 'GET', path: '/bucket/%E0%A4%A' });
    expect(badEscape.status).toBe(400);
    expect(badEscape.body).toContain('<Code>InvalidURI</Code>');
    await stillServes();
  });

  test('every request is in the request log, with its status, error code and duration', () => {
    const logged = endpoint.requests.filter((r) => r.status >= 400);
    expect(logged.map((r) => r.errorCode)).toEqual(
      expect.arrayContaining(['SerializationException', 'UnknownOperationException', 'MissingAuthenticationToken', 'RequestEntityTooLarge']),
    );
    expect(endpoint.requests.every((r) => r.durationMs >= 0 && r.requestId.length === 36)).toBe(true);
  });
});

test('environment points every SDK client at the endpoint, with dummy credentials and one attempt per call', () => {
  expect(endpoint.environment).toMatchObject({
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_ENDPOINT_URL_GLUE: endpoint.url,
    AWS_ENDPOINT_URL_SAGEMAKER: endpoint.url,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint.url,
    AWS_ENDPOINT_URL_SNS: endpoint.url,
    AWS_ENDPOINT_URL_S3: endpoint.url,
    AWS_REGION: 'eu-west-1',
    AWS_MAX_ATTEMPTS: '1',
  });
  expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test('close() is safe to call twice and frees the port', async () => {
  const other = await startTestEndpoint();
  await Promise.all([other.close(), other.close()]);
  await expect(rawRequest(other, { headers: glueJson, body: '{}' })).rejects.toThrow(/ECONNREFUSED/);
});

test('a missing botocore model is an error at start naming npm run venv', async () => {
  await expect(startTestEndpoint(undefined, { venvDir: '/nonexistent-venv' })).rejects.toThrow(
    /^botocore's Glue service model was not found under \/nonexistent-venv\/lib\/python3\.\*\/site-packages\/botocore\/data\/glue\. Run `npm run venv`/,
  );
});
