import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createTarGz } from '../../../lib/util/tar';
import { startLocalEndpoint, type LocalEndpoint } from '../../../local/endpoint';
import type { LocalModelRegistry } from '../../../local/registry';
import type { LocalS3 } from '../../../local/s3';
import { BUCKET, PYTHON, readTestRows, registerTrainedModel } from './model-fixture';

const GROUP = 'endpoint-test';

describe('local endpoint', () => {
  let work: string;
  let s3: LocalS3;
  let registry: LocalModelRegistry;
  let testFile: string;
  let endpoint: LocalEndpoint | undefined;

  beforeAll(() => {
    // GIVEN a real model: sample data → preprocess.py → train.py (few rounds), packaged like SageMaker does
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'endpoint-test-'));
    ({ s3, registry, testFile } = registerTrainedModel(work, GROUP));
  });

  afterAll(async () => {
    await endpoint?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('serves the latest approved model: CSV and JSON rows get predictions, bad payloads a 4xx with a message', async () => {
    // WHEN the group's latest approved version is served
    endpoint = await startLocalEndpoint({ registry, s3, group: GROUP, python: PYTHON, workDir: path.join(work, 'endpoints') });
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoint.modelPackageArn).toMatch(/model-package\/endpoint-test\/1$/);
    // by default it answers SageMaker Runtime as the group's name, one AllTraffic variant, nothing captured
    expect(endpoint).toMatchObject({ runtimeUrl: endpoint.url, endpointName: GROUP, variantName: 'AllTraffic', dataCaptureDir: undefined });
    expect(await endpoint.ping()).toBe(true);
    const { features, rows } = readTestRows(testFile);
    const sample = rows.slice(0, 5);

    // THEN CSV rows (features only, no header) get one prediction per line
    const csv = await endpoint.invoke(sample.map((r) => r.values.join(',')).join('\n'), 'text/csv', 'text/csv');
    expect(csv.statusCode).toBe(200);
    const csvPredictions = csv.body.trim().split('\n').map(Number);
    expect(csvPredictions).toHaveLength(5);
    csvPredictions.forEach((p) => expect(Number.isFinite(p)).toBe(true));
    // the model learned something: predictions are in the range of the labels, not constant
    const labels = rows.map((r) => r.label);
    expect(Math.min(...csvPredictions)).toBeGreaterThan(Math.min(...labels) - 500);
    expect(Math.max(...csvPredictions)).toBeLessThan(Math.max(...labels) + 500);
    expect(new Set(csvPredictions.map((p) => p.toFixed(3))).size).toBeGreaterThan(1);

    // and JSON instances get the same predictions
    const json = await endpoint.invoke(JSON.stringify({ instances: sample.map((r) => r.values) }), 'application/json', 'application/json');
    expect(json.statusCode).toBe(200);
    const jsonPredictions = (JSON.parse(json.body) as { predictions: number[] }).predictions;
    expect(jsonPredictions).toHaveLength(5);
    jsonPredictions.forEach((p, i) => expect(p).toBeCloseTo(csvPredictions[i], 3));

    // and rows keyed by feature name too
    const objects = sample.map((r) => Object.fromEntries(features.map((f, i) => [f, r.values[i]])));
    const keyed = await endpoint.invoke(JSON.stringify(objects), 'application/json', 'application/json');
    expect(keyed.statusCode).toBe(200);
    expect((JSON.parse(keyed.body) as { predictions: number[] }).predictions[0]).toBeCloseTo(csvPredictions[0], 3);

    // a malformed CSV payload is a 400 that says what is wrong
    const bad = await endpoint.invoke('not,a,number\n', 'text/csv', 'text/csv');
    expect(bad.statusCode).toBe(400);
    expect((JSON.parse(bad.body) as { error: string }).error.length).toBeGreaterThan(10);
    // a row with the wrong number of features too
    const short = await endpoint.invoke('1,2,3\n', 'text/csv');
    expect(short.statusCode).toBe(400);
    expect((JSON.parse(short.body) as { error: string }).error).toMatch(/\b8\b|feature/);
    // an unsupported content type is a 415
    const unsupported = await endpoint.invoke('<x/>', 'application/xml');
    expect(unsupported.statusCode).toBe(415);
    expect((JSON.parse(unsupported.body) as { error: string }).error).toMatch(/application\/xml/);

    // WHEN stopped THEN it no longer answers, and stopping again is harmless
    await endpoint.stop();
    expect(await endpoint.ping()).toBe(false);
    await endpoint.stop();
  });

  test('a model the server cannot load fails fast with the server stderr in the error', async () => {
    // GIVEN an approved package whose model.tar.gz holds no model file
    s3.putObject(`s3://${BUCKET}/models/empty.tar.gz`, createTarGz([{ name: 'README.txt', data: Buffer.from('no model') }]));
    const pkg = registry.createModelPackage({
      ModelPackageGroupName: 'broken-model',
      ModelApprovalStatus: 'Approved',
      InferenceSpecification: {
        Containers: [
          {
            Image: 'xgboost',
            ModelDataUrl: `s3://${BUCKET}/models/empty.tar.gz`,
            Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: `s3://${BUCKET}/code/sourcedir.tar.gz` },
          },
        ],
      },
    });
    // THEN starting it rejects with the reason from the server
    await expect(
      startLocalEndpoint({ registry, s3, modelPackageArn: pkg.ModelPackageArn, python: PYTHON, workDir: path.join(work, 'endpoints') }),
    ).rejects.toThrow(/exited \(code 1\) before it was ready[\s\S]*Server stderr:[\s\S]*xgboost-model/);
  });

  test('explains what is missing when nothing can be served', async () => {
    await expect(startLocalEndpoint({ registry, s3, group: 'no-such-group', workDir: work })).rejects.toThrow(
      /"no-such-group" has no Approved version/,
    );
    const pending = registry.createModelPackage({
      ModelPackageGroupName: 'no-container',
      InferenceSpecification: { Containers: [{ Image: 'xgboost' }] },
    });
    await expect(startLocalEndpoint({ registry, s3, modelPackageArn: pending.ModelPackageArn, workDir: work })).rejects.toThrow(
      /lacks ModelDataUrl, Environment\.SAGEMAKER_SUBMIT_DIRECTORY, Environment\.SAGEMAKER_PROGRAM/,
    );
  });
});
