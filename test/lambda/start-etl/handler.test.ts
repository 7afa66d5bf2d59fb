import './set-environment';
import { GlueClient, StartJobRunCommand } from '@aws-sdk/client-glue';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import sample from '../../fixtures/events/aws.s3/object-created.json';
import { lambdaContext, mockIdempotencyTable, variant } from '../helpers';
import { handler } from '../../../lambda/start-etl';

const glue = mockClient(GlueClient);
const table = mockIdempotencyTable();
const context = lambdaContext('start-etl');
const warn = jest.spyOn(Logger.prototype, 'warn');

/** The sample upload, moved under raw/ as a CSV: an upload that starts the ETL job. */
const upload = (key = 'raw/house-prices.csv') => variant(sample, (e) => (e.detail.object.key = key));

const JOB_RUN_ID = 'jr_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

beforeEach(() => {
  glue.reset();
  table.items.clear();
  table.dynamodb.resetHistory();
  warn.mockClear();
  glue.on(StartJobRunCommand).resolves({ JobRunId: JOB_RUN_ID });
});

describe('start-etl handler', () => {
  test('GIVEN a CSV uploaded under raw/ WHEN handled THEN starts the ETL job with the run arguments', async () => {
    const result = await handler(upload(), context);

    expect(result).toEqual({
      status: 'started',
      jobRunId: JOB_RUN_ID,
      runId: 'house-prices-f6ed16032346',
      sourceUri: 's3://amzn-s3-demo-bucket1/raw/house-prices.csv',
      outputUri: 's3://mlops-test-processed/curated/house-prices-f6ed16032346/',
    });
    expect(glue.commandCalls(StartJobRunCommand).map((call) => call.args[0].input)).toEqual([
      {
        JobName: 'mlops-test-etl',
        Arguments: {
          '--source_uri': 's3://amzn-s3-demo-bucket1/raw/house-prices.csv',
          '--source_version_id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
          '--run_id': 'house-prices-f6ed16032346',
          '--output_uri': 's3://mlops-test-processed/curated/house-prices-f6ed16032346/',
          '--quarantine_uri': 's3://mlops-test-processed/quarantine/house-prices-f6ed16032346/',
        },
      },
    ]);
    const [record] = [...table.items.values()];
    expect(record.status).toEqual({ S: 'COMPLETED' });
    expect(record.id.S).toMatch(/^start-etl#[A-Za-z0-9+/]{22}==$/);
  });

  test('GIVEN the same upload delivered twice WHEN handled THEN one job run, and the duplicate returns the first result', async () => {
    const first = await handler(upload(), context);
    const second = await handler(upload(), context);

    expect(second).toEqual(first);
    expect(glue.commandCalls(StartJobRunCommand)).toHaveLength(1);
    const puts = table.dynamodb.calls().filter((call) => call.args[0].constructor.name === 'PutItemCommand');
    expect(puts).toHaveLength(2);
    await expect(puts[1].returnValue).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  test('GIVEN a new version of the same key WHEN handled THEN starts another run with another run id', async () => {
    const first = await handler(upload(), context);
    const second = await handler(variant(upload(), (e) => (e.detail.object['version-id'] = 'Xb0.vk3lDy7.fCkyT1iKzT1PTxYqh8eZ')), context);

    expect(glue.commandCalls(StartJobRunCommand)).toHaveLength(2);
    expect(second).toMatchObject({ status: 'started' });
    expect(second).not.toMatchObject({ runId: (first as { runId: string }).runId });
  });

  test('GIVEN a duplicate while the first delivery is still in progress WHEN handled THEN throws so Lambda retries, starting nothing', async () => {
    let release: () => void = () => undefined;
    glue.on(StartJobRunCommand).callsFake(
      () => new Promise((resolve) => (release = () => resolve({ JobRunId: JOB_RUN_ID }))),
    );
    const first = handler(upload(), context);
    await new Promise((resolve) => setImmediate(resolve));

    await expect(handler(upload(), context)).rejects.toThrow(/already an execution in progress/);
    release();
    await expect(first).resolves.toMatchObject({ status: 'started' });
    expect(glue.commandCalls(StartJobRunCommand)).toHaveLength(1);
  });

  test.each([
    ['ThrottlingException', 'Rate exceeded'],
    ['ConcurrentRunsExceededException', 'Concurrent runs exceeded for mlops-test-etl'],
    ['InternalServiceException', 'Internal service error'],
  ])('GIVEN Glue fails with %s WHEN handled THEN the error propagates and the retry starts the job', async (name, message) => {
    glue
      .on(StartJobRunCommand)
      .rejectsOnce(Object.assign(new Error(message), { name }))
      .resolves({ JobRunId: JOB_RUN_ID });

    const failure = handler(upload(), context);

    await expect(failure).rejects.toThrow(`Glue StartJobRun failed (job 'mlops-test-etl', source s3://amzn-s3-demo-bucket1/raw/house-prices.csv): ${name}: ${message}`);
    await expect(failure).rejects.toMatchObject({ name, cause: expect.objectContaining({ name }) });
    expect(table.items.size).toBe(0);
    await expect(handler(upload(), context)).resolves.toMatchObject({ status: 'started', jobRunId: JOB_RUN_ID });
    expect(glue.commandCalls(StartJobRunCommand)).toHaveLength(2);
  });

  test('GIVEN the newer S3 event shape and an upload over IPv6 WHEN handled THEN accepted (unread fields are not checked)', async () => {
    const event = variant(upload(), (e) =>
      Object.assign(e.detail, {
        'event-version': '1.1',
        'source-ip-address': '2001:db8::1',
        bucket: { name: 'amzn-s3-demo-bucket1', 'aws-generated-tags': { 'aws:cloudformation:logical-id': 'Raw' } },
      }),
    );

    await expect(handler(event, context)).resolves.toMatchObject({ status: 'started' });
  });

  test('GIVEN Glue answers without a JobRunId WHEN handled THEN fails naming the job, leaving no record', async () => {
    glue.on(StartJobRunCommand).resolves({});

    await expect(handler(upload(), context)).rejects.toThrow(
      "Glue StartJobRun for job 'mlops-test-etl' returned no JobRunId (source s3://amzn-s3-demo-bucket1/raw/house-prices.csv)",
    );
    expect(table.items.size).toBe(0);
  });

  test('GIVEN a key with spaces, accents and a literal + WHEN handled THEN the source URI keeps the key exactly', async () => {
    const result = await handler(upload('raw/2024/Données été+(v2).CSV'), context);

    expect(result).toMatchObject({ status: 'started', sourceUri: 's3://amzn-s3-demo-bucket1/raw/2024/Données été+(v2).CSV' });
    expect(glue.commandCalls(StartJobRunCommand)[0].args[0].input.Arguments?.['--run_id']).toMatch(/^donnees-ete-v2-[0-9a-f]{12}$/);
  });
});

describe('start-etl handler rejects, without any AWS call', () => {
  const withObject = (edit: (object: Record<string, unknown>) => void) =>
    variant(upload(), (e) => edit(e.detail.object as unknown as Record<string, unknown>));

  test.each<[string, unknown, RegExp]>([
    ['a string', 'raw/house-prices.csv', /\(event\): Invalid input: expected object, received string/],
    ['null', null, /\(event\): Invalid input: expected object, received null/],
    ['an array', [upload()], /\(event\): Invalid input: expected object, received array/],
    ['another detail-type', variant(upload(), (e) => (e['detail-type'] = 'Object Deleted')), /detail-type: Invalid input: expected "Object Created" \(got "Object Deleted"\)/],
    ['another source', variant(upload(), (e) => (e.source = 'aws.glue')), /source: Invalid input: expected "aws.s3" \(got "aws.glue"\)/],
    ['no detail', variant(upload(), (e) => Reflect.deleteProperty(e, 'detail')), /detail: Invalid input: expected object/],
    ['no object key', withObject((o) => Reflect.deleteProperty(o, 'key')), /detail\.object\.key: Invalid input: expected string/],
    ['no object size', withObject((o) => Reflect.deleteProperty(o, 'size')), /detail\.object\.size: Invalid input: expected number/],
    ['a size that is text', withObject((o) => Object.assign(o, { size: '5' })), /detail\.object\.size: .*\(got "5"\)/],
    ['a time that is not ISO 8601', variant(upload(), (e) => (e.time = 'yesterday')), /time: .*\(got "yesterday"\)/],
    ['another bucket', variant(upload(), (e) => (e.detail.bucket.name = 'someone-elses-bucket')), /bucket 'someone-elses-bucket' is not the raw bucket 'amzn-s3-demo-bucket1'/],
    ['the unchanged AWS sample (key outside raw/)', sample, /key "example-key" is not under 'raw\/'/],
    ['a look-alike prefix', upload('rawdata/house-prices.csv'), /key "rawdata\/house-prices.csv" is not under 'raw\/'/],
    ['a folder marker', upload('raw/2024/'), /key "raw\/2024\/" is a folder marker/],
    ['another suffix', upload('raw/house-prices.parquet'), /does not end with an allowed suffix \(\.csv\)/],
    ['an empty object', withObject((o) => Object.assign(o, { size: 0 })), /is empty \(0 bytes\)/],
    ['an object above MAX_OBJECT_BYTES', withObject((o) => Object.assign(o, { size: 1_000_001 })), /has 1000001 bytes, more than the limit of 1000000/],
    ['a newline in the key', upload('raw/house\nprices.csv'), /unsafe character U\+000A at position 9/],
    ['a NUL in the key', upload('raw/house\u0000prices.csv'), /unsafe character U\+0000 at position 9/],
    ['a C1 control character in the key', upload('raw/house\u0085prices.csv'), /unsafe character U\+0085/],
    ['a lone surrogate in the key', upload('raw/house\ud800prices.csv'), /unsafe character U\+D800/],
    ['glob characters in the key', upload('raw/house-prices[1].csv'), /Spark reads as a glob pattern/],
    ['a .. segment in the key', upload('raw/../house-prices.csv'), /empty, '\.' or '\.\.' path segment/],
    ['an empty segment in the key', upload('raw//house-prices.csv'), /empty, '\.' or '\.\.' path segment/],
    ['no version id', withObject((o) => Reflect.deleteProperty(o, 'version-id')), /has no object version id \(got null\); the raw bucket must have versioning enabled/],
    ['the "null" version id of an unversioned object', withObject((o) => Object.assign(o, { 'version-id': 'null' })), /has no object version id \(got "null"\)/],
  ])('GIVEN %s', async (_what, event, reason) => {
    const result = await handler(event, context);

    expect(result).toEqual({ status: 'rejected', reason: expect.stringMatching(reason) });
    expect(glue.calls()).toHaveLength(0);
    expect(table.dynamodb.calls()).toHaveLength(0);
    expect(warn).toHaveBeenCalledWith('Rejected the event; nothing started', {
      eventId: typeof event === 'object' && event !== null && !Array.isArray(event) ? sample.id : undefined,
      reason: (result as { reason: string }).reason,
    });
  });
});
