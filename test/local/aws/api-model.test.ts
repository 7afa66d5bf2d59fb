import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { DEFAULT_VENV_DIR, findServiceModel, loadServiceModel } from '../../../local/aws/api-model';
import { checkShape } from '../../../local/aws/shape-check';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

const SAGEMAKER = { directory: 'sagemaker', serviceId: 'SageMaker' };

describe('loadServiceModel', () => {
  let tmp: string;

  beforeEach(() => {
    tmp = temporaryFolder('botocore-model-');
  });

  afterAll(removeTemporaryFolders);

  function writeModel(python: string, version: string, model: object, gzip = true): string {
    const dir = path.join(tmp, 'lib', python, 'site-packages', 'botocore', 'data', 'sagemaker', version);
    fs.mkdirSync(dir, { recursive: true });
    const text = Buffer.from(JSON.stringify(model));
    const file = path.join(dir, gzip ? 'service-2.json.gz' : 'service-2.json');
    fs.writeFileSync(file, gzip ? zlib.gzipSync(text) : text);
    return file;
  }

  test.each([
    ['glue', 'Glue', 'StartJobRun'],
    ['sagemaker', 'SageMaker', 'StartPipelineExecution'],
    ['dynamodb', 'DynamoDB', 'PutItem'],
    ['sns', 'SNS', 'Publish'],
    ['s3', 'S3', 'GetObject'],
  ])('loads the project venv model of %s, with the operations the local endpoint serves', (directory, serviceId, op) => {
    const model = loadServiceModel(DEFAULT_VENV_DIR, { directory, serviceId });
    expect(model.metadata?.serviceId).toBe(serviceId);
    expect(model.operations?.[op]?.input?.shape).toBeDefined();
  });

  test('a missing venv tells the user to run npm run venv', () => {
    expect(() => loadServiceModel(path.join(tmp, 'no-venv'), SAGEMAKER)).toThrow(/Run `npm run venv`/);
    expect(() => loadServiceModel(tmp, SAGEMAKER)).toThrow(
      `botocore's SageMaker service model was not found under ${path.join(tmp, 'lib', 'python3.*', 'site-packages', 'botocore', 'data', 'sagemaker')}.`,
    );
  });

  test('gunzips the newest API version of the newest Python (3.10 is newer than 3.9)', () => {
    writeModel('python3.9', '2017-07-24', { metadata: { serviceId: 'SageMaker' }, shapes: { Old: { type: 'string' } } });
    writeModel('python3.10', '2016-01-01', { metadata: { serviceId: 'SageMaker' }, shapes: { Older: { type: 'string' } } });
    const newest = writeModel('python3.10', '2017-07-24', { metadata: { serviceId: 'SageMaker' }, shapes: { New: { type: 'string' } } });
    expect(findServiceModel(tmp, 'sagemaker')).toBe(newest);
    expect(Object.keys(loadServiceModel(tmp, SAGEMAKER).shapes)).toEqual(['New']);
  });

  test('reads an uncompressed model too, and rejects another service', () => {
    writeModel('python3.11', '2017-07-24', { metadata: { serviceId: 'S3' }, shapes: {} }, false);
    expect(() => loadServiceModel(tmp, SAGEMAKER)).toThrow(/is not botocore's SageMaker service model \(serviceId S3\)/);
  });
});

describe('checkShape', () => {
  const glue = loadServiceModel(DEFAULT_VENV_DIR, { directory: 'glue', serviceId: 'Glue' });

  test('a valid request has no issues', () => {
    expect(checkShape(glue, 'StartJobRunRequest', { JobName: 'etl', Arguments: { '--a': 'b' }, Timeout: 5 })).toEqual([]);
  });

  test('names the member path, the value and the constraint of each issue', () => {
    expect(
      checkShape(glue, 'StartJobRunRequest', {
        JobName: 'x'.repeat(256),
        Arguments: { '--a': 1 },
        Timeout: 0,
        WorkerType: 'G.3X',
        Other: true,
      }),
    ).toEqual([
      { path: 'JobName', message: `"${'x'.repeat(76)}... is longer than 255 characters (NameString).` },
      { path: "Arguments['--a']", message: 'expected a string (GenericString), got number 1.' },
      { path: 'Timeout', message: 'value 0 is less than the minimum 1.' },
      { path: 'WorkerType', message: expect.stringMatching(/^"G\.3X" is not one of Standard, G\.1X, G\.2X/) },
      { path: 'Other', message: expect.stringMatching(/^unknown member 'Other' of StartJobRunRequest; valid members: JobName, /) },
    ]);
    expect(checkShape(glue, 'StartJobRunRequest', {})).toEqual([
      { path: 'JobName', message: "missing required member 'JobName' of StartJobRunRequest." },
    ]);
  });

  test('an interceptor takes over the values it understands', () => {
    const issues = checkShape(glue, 'StartJobRunRequest', { JobName: { Get: 'x' } }, 'Args', {
      intercept: (value) => typeof value === 'object' && value !== null && 'Get' in value,
    });
    expect(issues).toEqual([]);
  });
});
