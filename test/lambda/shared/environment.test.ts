import { createLogger } from '../../../lambda/shared/logger';
import { readStartEtlSettings } from '../../../lambda/start-etl/settings';
import { readStartTrainingSettings } from '../../../lambda/start-training/settings';

const ETL = {
  RAW_BUCKET_NAME: 'mlops-dev-raw',
  PROCESSED_BUCKET_NAME: 'mlops-dev-processed',
  ETL_JOB_NAME: 'mlops-dev-etl',
  IDEMPOTENCY_TABLE_NAME: 'mlops-dev-idempotency',
};

describe('readStartEtlSettings', () => {
  test('GIVEN the required variables THEN optional ones take their defaults', () => {
    expect(readStartEtlSettings(ETL)).toEqual({
      rawBucketName: 'mlops-dev-raw',
      processedBucketName: 'mlops-dev-processed',
      etlJobName: 'mlops-dev-etl',
      idempotencyTableName: 'mlops-dev-idempotency',
      allowedSuffixes: ['.csv'],
      maxObjectBytes: 1024 ** 3,
      objectKeyEncoding: 'none',
      idempotencyExpirySeconds: 604800,
    });
  });

  test('GIVEN optional variables THEN they are parsed (suffix list trimmed and lowercased)', () => {
    const settings = readStartEtlSettings({
      ...ETL,
      ALLOWED_SUFFIXES: ' .CSV, .csv.gz ,',
      MAX_OBJECT_BYTES: '5000',
      OBJECT_KEY_ENCODING: 'url',
      IDEMPOTENCY_EXPIRY_SECONDS: '3600',
    });
    expect(settings).toMatchObject({
      allowedSuffixes: ['.csv', '.csv.gz'],
      maxObjectBytes: 5000,
      objectKeyEncoding: 'url',
      idempotencyExpirySeconds: 3600,
    });
  });

  test('GIVEN missing variables THEN one error names each of them and what it should hold', () => {
    expect(() => readStartEtlSettings({ RAW_BUCKET_NAME: 'mlops-dev-raw', ETL_JOB_NAME: ' ' })).toThrow(
      'Invalid handler environment: PROCESSED_BUCKET_NAME is not set (expected the processed bucket: an S3 bucket name); ' +
        'ETL_JOB_NAME is not set (expected the Glue ETL job name); ' +
        'IDEMPOTENCY_TABLE_NAME is not set (expected the idempotency DynamoDB table name). ' +
        'The CDK construct that deploys this handler sets these variables; set them yourself when running it elsewhere.',
    );
  });

  test.each([
    ['RAW_BUCKET_NAME', 'My_Bucket', /RAW_BUCKET_NAME='My_Bucket' is invalid: not an S3 bucket name/],
    ['MAX_OBJECT_BYTES', '-1', /MAX_OBJECT_BYTES='-1' is invalid: not positive/],
    ['MAX_OBJECT_BYTES', '1.5', /MAX_OBJECT_BYTES='1.5' is invalid: not a whole number/],
    ['MAX_OBJECT_BYTES', 'lots', /MAX_OBJECT_BYTES='lots' is invalid/],
    ['OBJECT_KEY_ENCODING', 'base64', /OBJECT_KEY_ENCODING='base64' is invalid: .*one of none, url/],
    ['ALLOWED_SUFFIXES', 'csv', /ALLOWED_SUFFIXES='csv' is invalid: each suffix starts with '\.'/],
  ])('GIVEN %s=%s THEN the error names the variable and the value', (name, value, message) => {
    expect(() => readStartEtlSettings({ ...ETL, [name]: value })).toThrow(message);
  });
});

describe('readStartTrainingSettings', () => {
  test('GIVEN the required variables THEN reads them', () => {
    expect(
      readStartTrainingSettings({
        ETL_JOB_NAME: 'mlops-dev-etl',
        PROCESSED_BUCKET_NAME: 'mlops-dev-processed',
        TRAINING_PIPELINE_NAME: 'mlops-dev-training',
        IDEMPOTENCY_TABLE_NAME: 'mlops-dev-idempotency',
      }),
    ).toEqual({
      etlJobName: 'mlops-dev-etl',
      processedBucketName: 'mlops-dev-processed',
      trainingPipelineName: 'mlops-dev-training',
      idempotencyTableName: 'mlops-dev-idempotency',
      idempotencyExpirySeconds: 604800,
    });
  });

  test('GIVEN no TRAINING_PIPELINE_NAME THEN the error names it', () => {
    expect(() => readStartTrainingSettings({ ETL_JOB_NAME: 'j', PROCESSED_BUCKET_NAME: 'mlops-dev-processed', IDEMPOTENCY_TABLE_NAME: 't' })).toThrow(
      /TRAINING_PIPELINE_NAME is not set \(expected the SageMaker training pipeline name\)/,
    );
  });
});

describe('createLogger', () => {
  test('GIVEN no variables THEN logs at INFO under the default service name', () => {
    const logger = createLogger('start-etl', {});
    expect(logger.getLevelName()).toBe('INFO');
  });

  test('GIVEN POWERTOOLS_LOG_LEVEL in lower case THEN accepted', () => {
    expect(createLogger('start-etl', { POWERTOOLS_LOG_LEVEL: 'debug' }).getLevelName()).toBe('DEBUG');
  });

  test('GIVEN a misspelt POWERTOOLS_LOG_LEVEL THEN the cold start fails naming it', () => {
    expect(() => createLogger('start-etl', { POWERTOOLS_LOG_LEVEL: 'VERBOSE' })).toThrow(
      /POWERTOOLS_LOG_LEVEL='VERBOSE' is invalid: .*\(expected the log level: one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT/,
    );
  });
});

describe('handler modules', () => {
  test.each([
    ['start-etl', '../../../lambda/start-etl', /RAW_BUCKET_NAME is not set/],
    ['start-training', '../../../lambda/start-training', /TRAINING_PIPELINE_NAME is not set/],
  ])('GIVEN %s loaded without its required variables THEN the cold start fails naming them', async (_name, path, message) => {
    const saved = process.env;
    process.env = { PATH: saved.PATH, AWS_REGION: 'us-east-1' };
    try {
      await jest.isolateModulesAsync(async () => {
        await expect(import(path)).rejects.toThrow(message);
      });
    } finally {
      process.env = saved;
    }
  });
});
