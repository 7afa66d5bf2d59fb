import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { findBotocoreSageMakerModel, loadBotocoreSageMakerModel } from './botocore-model';
import { VENV_DIR } from '../../lib/sagemaker-pipelines/fixtures';

describe('loadBotocoreSageMakerModel', () => {
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'botocore-model-'));
  });

  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function writeModel(python: string, version: string, model: object, gzip = true): string {
    const dir = path.join(tmp, 'lib', python, 'site-packages', 'botocore', 'data', 'sagemaker', version);
    fs.mkdirSync(dir, { recursive: true });
    const text = Buffer.from(JSON.stringify(model));
    const file = path.join(dir, gzip ? 'service-2.json.gz' : 'service-2.json');
    fs.writeFileSync(file, gzip ? zlib.gzipSync(text) : text);
    return file;
  }

  test('loads the project venv model, which has the pipeline step request shapes', () => {
    const model = loadBotocoreSageMakerModel(VENV_DIR);
    expect(model.metadata?.serviceId).toBe('SageMaker');
    for (const shape of [
      'CreateProcessingJobRequest',
      'CreateTrainingJobRequest',
      'CreateHyperParameterTuningJobRequest',
      'CreateModelInput',
      'CreateModelPackageInput',
      'CreateTransformJobRequest',
    ]) {
      expect(model.shapes[shape]?.type).toBe('structure');
    }
  });

  test('a missing venv tells the user to run npm run venv', () => {
    expect(() => loadBotocoreSageMakerModel(path.join(tmp, 'no-venv'))).toThrow(/Run `npm run venv`/);
    expect(() => loadBotocoreSageMakerModel(tmp)).toThrow(
      `botocore's SageMaker service model was not found under ${path.join(tmp, 'lib', 'python3.*', 'site-packages', 'botocore', 'data', 'sagemaker')}.`,
    );
  });

  test('gunzips the newest API version of the newest Python', () => {
    writeModel('python3.10', '2017-07-24', { metadata: { serviceId: 'SageMaker' }, shapes: { Old: { type: 'string' } } });
    writeModel('python3.11', '2016-01-01', { metadata: { serviceId: 'SageMaker' }, shapes: { Older: { type: 'string' } } });
    const newest = writeModel('python3.11', '2017-07-24', { metadata: { serviceId: 'SageMaker' }, shapes: { New: { type: 'string' } } });
    expect(findBotocoreSageMakerModel(tmp)).toBe(newest);
    expect(Object.keys(loadBotocoreSageMakerModel(tmp).shapes)).toEqual(['New']);
  });

  test('reads an uncompressed model too, and rejects another service', () => {
    writeModel('python3.11', '2017-07-24', { metadata: { serviceId: 'S3' }, shapes: {} }, false);
    expect(() => loadBotocoreSageMakerModel(tmp)).toThrow(/is not botocore's SageMaker service model \(serviceId S3\)/);
  });
});
