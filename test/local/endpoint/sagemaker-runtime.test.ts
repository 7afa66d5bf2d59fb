import {
  InvokeEndpointCommand,
  ModelError,
  SageMakerRuntimeClient,
  ValidationError,
  type InvokeEndpointCommandInput,
  type InvokeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker-runtime';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startLocalEndpoint, type LocalEndpoint } from '../../../local/endpoint';
import type { LocalModelRegistry } from '../../../local/registry';
import type { LocalS3 } from '../../../local/s3';
import { PYTHON, readTestRows, registerTrainedModel } from './model-fixture';

const GROUP = 'runtime-test';

/** One side of a SageMaker data-capture record. */
interface CapturedPayload {
  readonly observedContentType: string;
  readonly mode: 'INPUT' | 'OUTPUT';
  readonly data: string;
  readonly encoding: 'CSV' | 'JSON' | 'BASE64';
}

/** A SageMaker data-capture record (one line of a capture file). */
interface CaptureRecord {
  readonly captureData: { readonly endpointInput?: CapturedPayload; readonly endpointOutput?: CapturedPayload };
  readonly eventMetadata: { readonly eventId: string; readonly inferenceId?: string; readonly inferenceTime: string };
  readonly eventVersion: string;
}

/** Every data-capture record under a folder, with the path of its file relative to the folder. */
function captured(folder: string): { file: string; record: CaptureRecord }[] {
  if (!fs.existsSync(folder)) return [];
  return (fs.readdirSync(folder, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((file) =>
      fs
        .readFileSync(path.join(folder, file), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => ({ file, record: JSON.parse(line) as CaptureRecord })),
    );
}

describe('SageMaker Runtime InvokeEndpoint against the local endpoint, with the real AWS SDK client', () => {
  let work: string;
  let s3: LocalS3;
  let registry: LocalModelRegistry;
  let csvRows: string[];
  const running: LocalEndpoint[] = [];
  const clients: SageMakerRuntimeClient[] = [];

  const clientFor = (endpoint: LocalEndpoint): SageMakerRuntimeClient => {
    const client = new SageMakerRuntimeClient({
      endpoint: endpoint.runtimeUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCALENDPOINT', secretAccessKey: 'local-secret' },
      maxAttempts: 1,
    });
    clients.push(client);
    return client;
  };
  const start = async (options: Partial<Parameters<typeof startLocalEndpoint>[0]> = {}): Promise<LocalEndpoint> => {
    const endpoint = await startLocalEndpoint({ registry, s3, group: GROUP, python: PYTHON, workDir: path.join(work, 'endpoints'), ...options });
    running.push(endpoint);
    return endpoint;
  };

  beforeAll(() => {
    // GIVEN a trained model registered and approved
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-test-'));
    let testFile: string;
    ({ s3, registry, testFile } = registerTrainedModel(work, GROUP));
    csvRows = readTestRows(testFile).rows.map((r) => r.values.join(','));
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await Promise.all(running.map((e) => e.stop()));
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('success, an unknown endpoint, a model error and bad headers, each as the SDK reads them; every success captured', async () => {
    // WHEN served as "churn-prod" with every invocation captured
    const captureRoot = path.join(work, 'capture');
    const endpoint = await start({ endpointName: 'churn-prod', dataCapture: { destinationDir: captureRoot, samplingPercentage: 100 } });
    expect(endpoint).toMatchObject({ endpointName: 'churn-prod', variantName: 'AllTraffic', runtimeUrl: endpoint.url });
    expect(endpoint.dataCaptureDir).toBe(path.join(captureRoot, 'churn-prod', 'AllTraffic'));
    const client = clientFor(endpoint);
    const invoke = (input: Partial<InvokeEndpointCommandInput>): Promise<InvokeEndpointCommandOutput> =>
      client.send(new InvokeEndpointCommand({ EndpointName: 'churn-prod', Body: csvRows[0], ContentType: 'text/csv', ...input }));

    // THEN InvokeEndpoint answers with the model's predictions, their content type and the variant
    const body = csvRows.slice(0, 3).join('\n');
    const answer = await client.send(
      new InvokeEndpointCommand({
        EndpointName: 'churn-prod',
        Body: new TextEncoder().encode(body),
        ContentType: 'text/csv',
        Accept: 'text/csv',
        CustomAttributes: 'trace-id=abc',
        InferenceId: 'request-1',
      }),
    );
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(answer.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.ContentType).toBe('text/csv');
    expect(answer.InvokedProductionVariant).toBe('AllTraffic');
    const predictions = new TextDecoder().decode(answer.Body).split('\n').map(Number);
    expect(predictions).toHaveLength(3);
    predictions.forEach((p) => expect(Number.isFinite(p)).toBe(true));
    // the same predictions as the container route
    const direct = await endpoint.invoke(body, 'text/csv', 'text/csv');
    expect(direct.body.split('\n').map(Number)).toEqual(predictions);

    const json = await invoke({ Body: JSON.stringify({ instances: [csvRows[0].split(',').map(Number)] }), ContentType: 'application/json' });
    expect(json.ContentType).toBe('application/json');
    expect(JSON.parse(new TextDecoder().decode(json.Body))).toEqual({ predictions: [expect.closeTo(predictions[0], 6)] });

    // an endpoint name that is not this endpoint's: the ValidationError of SageMaker Runtime
    const account = endpoint.modelPackageArn.split(':')[4];
    const unknown = invoke({ EndpointName: 'churn-staging' });
    await expect(unknown).rejects.toBeInstanceOf(ValidationError);
    await expect(unknown).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Endpoint churn-staging of account ${account} not found.`,
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });

    // a payload the model refuses: ModelError (424) carrying the model's status and message
    const refused = invoke({ Body: 'not,a,number' });
    await expect(refused).rejects.toBeInstanceOf(ModelError);
    const modelError = (await refused.catch((e: unknown) => e)) as ModelError;
    expect(modelError.$metadata.httpStatusCode).toBe(424);
    expect(modelError.OriginalStatusCode).toBe(400);
    expect(JSON.parse(modelError.OriginalMessage!)).toEqual({ error: expect.stringMatching(/^CSV line 1, column 1: 'not' is not a number/) });
    expect(modelError.message).toMatch(/^Received client error \(400\) from primary with message "\{"error": "CSV line 1, column 1: 'not' is not a number/);
    expect(modelError.LogStreamArn).toBe(`arn:aws:logs:us-east-1:${account}:log-group:/aws/sagemaker/Endpoints/churn-prod`);
    // the SDK's default content type for a blob (application/octet-stream) is the model's 415
    await expect(invoke({ ContentType: undefined })).rejects.toMatchObject({ name: 'ModelError', OriginalStatusCode: 415 });

    // headers that break the operation's constraints, or ask for what this endpoint does not have
    await expect(invoke({ InferenceId: 'x'.repeat(65) })).rejects.toMatchObject({
      name: 'ValidationError',
      message: `1 validation error detected: Value '${'x'.repeat(65)}' at 'inferenceId' failed to satisfy constraint: Member must have length less than or equal to 64`,
    });
    await expect(invoke({ TargetVariant: 'blue' })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^Target variant blue is not a production variant of endpoint churn-prod: its one variant is AllTraffic/),
    });
    await expect(invoke({ TargetModel: 'model-a.tar.gz' })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Endpoint churn-prod is not a multi-model endpoint: call InvokeEndpoint without TargetModel.',
    });

    // AND every successful invocation (either route) is captured in SageMaker's layout and record format
    const records = captured(endpoint.dataCaptureDir!);
    expect(records).toHaveLength(3);
    for (const { file } of records) expect(file).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d{2}-\d{2}-\d{3}-[0-9a-f-]{36}\.jsonl$/);
    const first = records[0].record;
    expect(first).toEqual({
      captureData: {
        endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: body, encoding: 'CSV' },
        endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: predictions.map(String).join('\n'), encoding: 'CSV' },
      },
      eventMetadata: { eventId: expect.stringMatching(/^[0-9a-f-]{36}$/), inferenceId: 'request-1', inferenceTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/) },
      eventVersion: '0',
    });
    // the hour folder is the inference time's (UTC)
    const time = first.eventMetadata.inferenceTime;
    expect(records[0].file.startsWith(`${time.slice(0, 4)}/${time.slice(5, 7)}/${time.slice(8, 10)}/${time.slice(11, 13)}/`)).toBe(true);
    expect(records.map((r) => r.record.captureData.endpointInput?.encoding)).toEqual(['CSV', 'CSV', 'JSON']);
    expect(records[2].record.captureData.endpointOutput).toMatchObject({ observedContentType: 'application/json', encoding: 'JSON' });
  });

  test('samples the given percentage of invocations, input only, into the variant\'s folder', async () => {
    // WHEN 25% of the invocations are captured, without their output, as variant "blue"
    const captureRoot = path.join(work, 'capture-sampled');
    const endpoint = await start({
      endpointName: 'churn-sampled',
      dataCapture: { destinationDir: captureRoot, samplingPercentage: 25, captureOutput: false, variantName: 'blue' },
    });
    const client = clientFor(endpoint);
    for (let i = 0; i < 40; i++) {
      const answer = await client.send(new InvokeEndpointCommand({ EndpointName: 'churn-sampled', Body: csvRows[i % csvRows.length], ContentType: 'text/csv' }));
      expect(answer.InvokedProductionVariant).toBe('blue');
    }

    // THEN exactly 10 of the 40 are captured, spread evenly, with their input only
    expect(endpoint.dataCaptureDir).toBe(path.join(captureRoot, 'churn-sampled', 'blue'));
    const records = captured(endpoint.dataCaptureDir!);
    expect(records).toHaveLength(10);
    expect(records.map((r) => r.record.captureData.endpointInput?.data)).toEqual(
      [3, 7, 11, 15, 19, 23, 27, 31, 35, 39].map((i) => csvRows[i % csvRows.length]),
    );
    for (const { record } of records) expect(Object.keys(record.captureData)).toEqual(['endpointInput']);
  });

  test('refuses options that cannot work, naming the value', async () => {
    const destinationDir = path.join(work, 'never');
    await expect(start({ endpointName: 'churn_prod' })).rejects.toThrow(
      'endpointName "churn_prod" is not a SageMaker endpoint or variant name: use 1 to 63 letters, digits and hyphens',
    );
    await expect(start({ dataCapture: { destinationDir, samplingPercentage: 12.5 } })).rejects.toThrow(
      'dataCapture.samplingPercentage 12.5 is not a whole number from 0 to 100',
    );
    await expect(start({ dataCapture: { destinationDir, samplingPercentage: 101 } })).rejects.toThrow(/samplingPercentage 101 is not/);
    await expect(start({ dataCapture: { destinationDir, samplingPercentage: 5, captureInput: false, captureOutput: false } })).rejects.toThrow(
      'dataCapture with captureInput and captureOutput both false captures nothing',
    );
    await expect(start({ dataCapture: { destinationDir, samplingPercentage: 5, variantName: 'blue green' } })).rejects.toThrow(
      'dataCapture.variantName "blue green" is not a SageMaker endpoint or variant name',
    );
    expect(fs.existsSync(destinationDir)).toBe(false);
  });
});
