import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createTarGz, tarGzDirectory } from '../../../lib/util/tar';
import { startLocalEndpoint, type LocalEndpoint } from '../../../local/endpoint';
import { LocalModelRegistry } from '../../../local/registry';
import { LocalS3 } from '../../../local/s3';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const ML = path.join(ROOT, 'ml');
const GROUP = 'endpoint-test';
const BUCKET = 'local-endpoint-test';

function python(args: string[], env: Record<string, string> = {}): string {
  return execFileSync(PYTHON, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe' });
}

/** Held-out rows of test.csv: header, then label first and the features. */
function readTestRows(file: string): { features: string[]; rows: { label: number; values: number[] }[] } {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const columns = header.split(',');
  return {
    features: columns.slice(1),
    rows: lines.map((line) => {
      const cells = line.split(',').map(Number);
      return { label: cells[0], values: cells.slice(1) };
    }),
  };
}

describe('local endpoint', () => {
  let work: string;
  let s3: LocalS3;
  let registry: LocalModelRegistry;
  let testFile: string;
  let endpoint: LocalEndpoint | undefined;

  beforeAll(() => {
    // GIVEN a real model: sample data → preprocess.py → train.py (few rounds), packaged like SageMaker does
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'endpoint-test-'));
    s3 = new LocalS3({ root: path.join(work, 's3') });
    registry = new LocalModelRegistry({ root: path.join(work, 'registry') });
    const d = (name: string): string => path.join(work, 'job', name);
    python([path.join(ML, 'sample_data.py'), '--rows', '300', '--seed', '3', '--problem-type', 'regression', '--output', path.join(d('raw'), 'data.csv')]);
    python([
      path.join(ML, 'preprocess.py'),
      '--problem-type', 'regression',
      '--label-column', 'target',
      '--input-dir', d('raw'),
      '--train-dir', d('train'),
      '--validation-dir', d('validation'),
      '--test-dir', d('test'),
    ]);
    python([path.join(ML, 'train.py'), '--num_round', '15', '--max_depth', '3', '--nthread', '1'], {
      SM_CHANNEL_TRAIN: d('train'),
      SM_CHANNEL_VALIDATION: d('validation'),
      SM_MODEL_DIR: d('model'),
      SM_OUTPUT_DATA_DIR: d('output'),
    });
    testFile = path.join(d('test'), 'test.csv');
    s3.putObject(`s3://${BUCKET}/models/model.tar.gz`, tarGzDirectory(d('model')));
    s3.putObject(
      `s3://${BUCKET}/code/sourcedir.tar.gz`,
      createTarGz(['train.py', 'inference.py'].map((name) => ({ name, data: fs.readFileSync(path.join(ML, name)) }))),
    );
    const pkg = registry.createModelPackage({
      ModelPackageGroupName: GROUP,
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
            ModelDataUrl: `s3://${BUCKET}/models/model.tar.gz`,
            Environment: {
              SAGEMAKER_PROGRAM: 'inference.py',
              SAGEMAKER_SUBMIT_DIRECTORY: `s3://${BUCKET}/code/sourcedir.tar.gz`,
            },
          },
        ],
      },
    });
    registry.updateApprovalStatus(pkg.ModelPackageArn, 'Approved');
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
