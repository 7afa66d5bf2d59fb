import './set-environment';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaContext } from '../helpers';
import { BUCKET, ETAG, KEY, mockS3Object, OBJECT_URI, objectAnswer, awsError, rejectionOf, TEST_CSV, trackedBody } from './helpers';
import { handler } from '../../../lambda/system-test/plan';

const s3 = mockClient(S3Client);
const context = lambdaContext('system-test-plan');
const HEADER = ['price', 'rooms', 'area', 'city_Paris', 'city_Lyon'];

beforeEach(() => {
  s3.reset();
  mockS3Object(s3, TEST_CSV);
});

/** `count` rows of test.csv's shape. */
function rowsOf(count: number): string {
  const lines = ['price,rooms,area'];
  for (let i = 0; i < count; i++) lines.push(`${100 + i},${i % 5},${(i * 1.5).toFixed(1)}`);
  return `${lines.join('\n')}\n`;
}

describe('system-test plan handler', () => {
  test('GIVEN test.csv and the defaults WHEN planned THEN every row is tested in one batch', async () => {
    const plan = await handler({ endpointName: 'mlops-staging', testDataUri: OBJECT_URI }, context);

    expect(plan).toEqual({
      endpointName: 'mlops-staging',
      testDataUri: OBJECT_URI,
      etag: ETAG,
      objectBytes: Buffer.byteLength(TEST_CSV),
      header: HEADER,
      rows: 5,
      totalRows: 5,
      truncated: false,
      rowsPerRequest: 1,
      requestsPerBatch: 50,
      batches: [{ index: 0, firstRow: 0, rowCount: 5 }],
    });
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: BUCKET, Key: KEY }]);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  test('GIVEN rowsPerRequest and requestsPerBatch WHEN planned THEN batches of their product, the last one shorter', async () => {
    s3.on(GetObjectCommand).callsFake(async () => objectAnswer(rowsOf(23)));

    const plan = await handler({ endpointName: 'e', testDataUri: OBJECT_URI, rowsPerRequest: 2, requestsPerBatch: 5 }, context);

    expect(plan.batches).toEqual([
      { index: 0, firstRow: 0, rowCount: 10 },
      { index: 1, firstRow: 10, rowCount: 10 },
      { index: 2, firstRow: 20, rowCount: 3 },
    ]);
    expect(plan).toMatchObject({ rows: 23, totalRows: 23, rowsPerRequest: 2, requestsPerBatch: 5 });
  });

  test('GIVEN a large object WHEN maxRows is smaller THEN only what maxRows needs is downloaded, and the plan says there is more', async () => {
    const tracked = trackedBody(rowsOf(50_000), 1024);
    s3.on(GetObjectCommand).resolves({ Body: tracked.body as never, ETag: ETAG });

    const plan = await handler({ endpointName: 'e', testDataUri: OBJECT_URI, maxRows: 100 }, context);

    expect(plan).toMatchObject({ rows: 100, totalRows: null, truncated: true, batches: [{ index: 0, firstRow: 0, rowCount: 50 }, { index: 1, firstRow: 50, rowCount: 50 }] });
    expect(tracked.chunksRead()).toBeLessThan(tracked.totalChunks / 10);
    expect(tracked.body.destroyed).toBe(true);
  });

  test('GIVEN exactly maxRows rows WHEN planned THEN nothing is truncated', async () => {
    s3.on(GetObjectCommand).callsFake(async () => objectAnswer(rowsOf(10)));

    await expect(handler({ endpointName: 'e', testDataUri: OBJECT_URI, maxRows: 10 }, context)).resolves.toMatchObject({
      rows: 10,
      totalRows: 10,
      truncated: false,
    });
  });

  test('GIVEN a prefix WHEN planned THEN the one .csv object under it is tested', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: 'pipelines/training/run-1/test/' }, { Key: 'pipelines/training/run-1/test/_SUCCESS' }, { Key: KEY }],
      IsTruncated: false,
    });

    const plan = await handler({ endpointName: 'e', testDataUri: `s3://${BUCKET}/pipelines/training/run-1/test` }, context);

    expect(plan.testDataUri).toBe(OBJECT_URI);
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input)).toEqual([
      { Bucket: BUCKET, Prefix: 'pipelines/training/run-1/test/', ContinuationToken: undefined },
    ]);
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: BUCKET, Key: KEY }]);
  });

  test('GIVEN a listing over several pages WHEN planned THEN every page is read', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'p/a.json' }], IsTruncated: true, NextContinuationToken: 'next' })
      .resolvesOnce({ Contents: [{ Key: 'p/test.csv' }], IsTruncated: false });

    await expect(handler({ endpointName: 'e', testDataUri: `s3://${BUCKET}/p/` }, context)).resolves.toMatchObject({
      testDataUri: `s3://${BUCKET}/p/test.csv`,
    });
    expect(s3.commandCalls(ListObjectsV2Command)[1].args[0].input).toMatchObject({ ContinuationToken: 'next' });
  });

  test('GIVEN CRLF line ends, a BOM, quoted column names, blank lines and missing feature values WHEN planned THEN they are read as pandas reads them', async () => {
    const csv = '\uFEFF"price","rooms, total","area ""m2"""\r\n1,2,3\r\n\r\n4,,6\r\n"7",8,\r\n';
    s3.on(GetObjectCommand).callsFake(async () => objectAnswer(csv));

    await expect(handler({ endpointName: 'e', testDataUri: OBJECT_URI }, context)).resolves.toMatchObject({
      header: ['price', 'rooms, total', 'area "m2"'],
      rows: 3,
    });
  });
});

describe('system-test plan handler refuses invalid input with InvalidInput, without any AWS call', () => {
  const valid = { endpointName: 'mlops-staging', testDataUri: OBJECT_URI };

  test.each<[string, unknown, RegExp]>([
    ['a string', 'mlops-staging', /^not a system test input: \(input\): Invalid input: expected object, received string \(got "mlops-staging"\)/],
    ['null', null, /\(input\): Invalid input: expected object, received null/],
    ['no endpointName', { testDataUri: OBJECT_URI }, /endpointName: Invalid input: expected string, received undefined \(got nothing\)/],
    ['an endpoint name with a space', { ...valid, endpointName: 'my endpoint' }, /endpointName: not a SageMaker endpoint name .* \(got "my endpoint"\)/],
    ['an endpoint name of 64 characters', { ...valid, endpointName: 'e'.repeat(64) }, /endpointName: not a SageMaker endpoint name/],
    ['no testDataUri', { endpointName: 'e' }, /testDataUri: Invalid input: expected string/],
    ['an https URL', { ...valid, testDataUri: 'https://example.com/test.csv' }, /testDataUri "https:\/\/example.com\/test.csv" is not an S3 URI: expected s3:\/\/<bucket>\/<key>.csv or s3:\/\/<bucket>\/<prefix>\//],
    ['a bucket name in capitals', { ...valid, testDataUri: 's3://My_Bucket/test.csv' }, /has the bucket name "My_Bucket", which is not an S3 bucket name/],
    ['a whole bucket', { ...valid, testDataUri: `s3://${BUCKET}/` }, /names a whole bucket/],
    ['a newline in the key', { ...valid, testDataUri: `s3://${BUCKET}/a\nb.csv` }, /unsafe character U\+000A/],
    ['maxRows as a string', { ...valid, maxRows: '1000' }, /maxRows: Invalid input: expected number, received string \(got "1000"\)/],
    ['a fractional maxRows', { ...valid, maxRows: 10.5 }, /maxRows: Invalid input: expected int, received number \(got 10.5\)/],
    ['maxRows 0', { ...valid, maxRows: 0 }, /maxRows: expected a whole number >= 1 \(got 0\)/],
    ['a huge maxRows', { ...valid, maxRows: 1e9 }, /maxRows: expected a whole number <= 3000 \(the rows' results must fit in one Step Functions state\) \(got 1000000000\)/],
    ['maxRows NaN', { ...valid, maxRows: NaN }, /maxRows: Invalid input: expected number, received NaN \(got NaN\)/],
    ['rowsPerRequest Infinity', { ...valid, rowsPerRequest: Infinity }, /rowsPerRequest: .* \(got Infinity\)/],
    ['a negative requestsPerBatch', { ...valid, requestsPerBatch: -5 }, /requestsPerBatch: expected a whole number >= 1 \(got -5\)/],
    ['more batches than a Map should run', { ...valid, maxRows: 3000, rowsPerRequest: 1, requestsPerBatch: 2 }, /maxRows 3000 with rowsPerRequest 1 and requestsPerBatch 2 makes 1500 batches; a system test runs at most 1000/],
  ])('GIVEN %s', async (_what, input, message) => {
    const error = await rejectionOf(handler(input, context));

    expect(error).toMatchObject({ name: 'InvalidInput', message: expect.stringMatching(message) });
    expect(s3.calls()).toHaveLength(0);
  });

  test('GIVEN several problems THEN the message lists each, and unknown fields are ignored', async () => {
    const error = await rejectionOf(
      handler({ endpointName: 1, testDataUri: 2, maxRows: 'a', rowsPerRequest: 'b', requestsPerBatch: 'c', extra: 1 }, context),
    );

    expect(error.message).toMatch(
      /^not a system test input: endpointName: .* \(got 1\); testDataUri: .* \(got 2\); maxRows: .* \(got "a"\); rowsPerRequest: .* \(got "b"\); requestsPerBatch: .* \(got "c"\)\. Start the system test with \{"endpointName"/,
    );
    expect(error.message).not.toMatch(/extra/);
  });
});

describe('system-test plan handler: test data that is missing or unusable', () => {
  test.each<[string, string, Error, RegExp]>([
    ['no such key', 'TestDataNotFound', awsError('NoSuchKey', 'The specified key does not exist.', 404), new RegExp(`^object ${OBJECT_URI} does not exist \\(NoSuchKey\\): set testDataUri to the training pipeline's test split`)],
    ['no such bucket', 'TestDataNotFound', awsError('NoSuchBucket', 'The specified bucket does not exist.', 404), new RegExp(`^bucket '${BUCKET}' does not exist \\(NoSuchBucket\\)`)],
    ['access denied', 'AccessDenied', awsError('AccessDenied', 'Access Denied', 403), new RegExp(`^S3 GetObject failed \\(reading the test data ${OBJECT_URI}\\): AccessDenied: Access Denied$`)],
  ])('GIVEN GetObject fails with %s THEN %s', async (_what, name, error, message) => {
    s3.on(GetObjectCommand).rejects(error);

    const thrown = await rejectionOf(handler({ endpointName: 'e', testDataUri: OBJECT_URI }, context));

    expect(thrown).toMatchObject({ name, message: expect.stringMatching(message) });
    expect(thrown.cause).toBe(error);
  });

  test('GIVEN a prefix without a .csv object THEN TestDataNotFound says what it holds', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'p/train.parquet' }, { Key: 'p/_SUCCESS' }], IsTruncated: false });

    await expect(handler({ endpointName: 'e', testDataUri: `s3://${BUCKET}/p/` }, context)).rejects.toMatchObject({
      name: 'TestDataNotFound',
      message: `no .csv object under s3://${BUCKET}/p/ (it holds 2 other objects): set testDataUri to the training pipeline's test split (the folder of test.csv, or test.csv itself)`,
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  test('GIVEN a prefix holding more objects than a test split folder should THEN InvalidInput after 10 pages', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'p/part.json' }], IsTruncated: true, NextContinuationToken: 'more' });

    await expect(handler({ endpointName: 'e', testDataUri: `s3://${BUCKET}/p/` }, context)).rejects.toMatchObject({
      name: 'InvalidInput',
      message: `s3://${BUCKET}/p/ holds more than 10000 objects: set testDataUri to the test .csv object itself`,
    });
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(10);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  test('GIVEN an empty prefix THEN TestDataNotFound', async () => {
    s3.on(ListObjectsV2Command).resolves({ IsTruncated: false });

    await expect(handler({ endpointName: 'e', testDataUri: `s3://${BUCKET}/nothing-here/` }, context)).rejects.toMatchObject({
      name: 'TestDataNotFound',
      message: expect.stringContaining('(it holds nothing)'),
    });
  });

  test('GIVEN a prefix of a bucket that does not exist THEN TestDataNotFound', async () => {
    s3.on(ListObjectsV2Command).rejects(awsError('NoSuchBucket', 'The specified bucket does not exist.', 404));

    await expect(handler({ endpointName: 'e', testDataUri: 's3://no-such-bucket/p/' }, context)).rejects.toMatchObject({
      name: 'TestDataNotFound',
      message: "bucket 'no-such-bucket' of testDataUri s3://no-such-bucket/p/ does not exist: check the URI",
    });
  });

  test('GIVEN a prefix with two .csv objects THEN MalformedTestData names both', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'p/test.csv' }, { Key: 'p/old/test.csv' }], IsTruncated: false });

    await expect(handler({ endpointName: 'e', testDataUri: `s3://${BUCKET}/p/` }, context)).rejects.toMatchObject({
      name: 'MalformedTestData',
      message: `s3://${BUCKET}/p/ holds more than one .csv object (s3://${BUCKET}/p/test.csv, s3://${BUCKET}/p/old/test.csv): set testDataUri to the one to test with`,
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  test.each<[string, string | Buffer, RegExp]>([
    ['an empty object', '', new RegExp(`^${OBJECT_URI} is empty: expected test.csv with a header`)],
    ['only blank lines', '\n\n\r\n', /is empty/],
    ['a header only', 'price,rooms,area\n', new RegExp(`^${OBJECT_URI} has a header \\(3 columns\\) but no data rows`)],
    ['a header of one column', 'price\n1\n', /the header of .* \(line 1\) has 1 column \("price"\): expected the label column and at least one feature column/],
    ['a first line of numbers (train.csv has no header)', '1.5,2,3\n4,5,6\n', /line 1 of .* is numbers \("1.5,2,3"\.\.\.\), not a header: use the test split/],
    ['a short row', 'price,rooms,area\n1,2,3\n4,5\n', /^line 3 of .* has 2 values but the header has 3 columns/],
    ['a long row', 'price,rooms,area\n1,2,3,4\n', /^line 2 of .* has 4 values but the header has 3 columns/],
    ['text in a feature', 'price,rooms,area\n1,2,3\n4,two,6\n', /^line 3 of .* has "two" in feature column "rooms", which is not a finite number: features of test.csv are encoded numbers \(leave a missing value empty\)/],
    ['text in the label', 'price,rooms\ncheap,2\n', /^line 2 of .* has the label "cheap" \(column "price"\), which is not a finite number/],
    ['an empty label', 'price,rooms\n,2\n', /^line 2 of .* has no label \(column "price" is empty\)/],
    ['NaN written out', 'price,rooms\n1,NaN\n', /has "NaN" in feature column "rooms", which is not a finite number/],
    ['inf', 'price,rooms\n1,inf\n', /has "inf" in feature column "rooms"/],
    ['a number too large for a double', 'price,rooms\n1e999,1\n', /has the label "1e999" .* which is not a finite number/],
    ['a hex number', 'price,rooms\n1,0x1F\n', /has "0x1F" in feature column "rooms"/],
    ['an unclosed quote', 'price,rooms\n1,"2\n3,4\n', /^line 2 of .* opens a quoted value that is never closed/],
    ['text after a closing quote', 'price,rooms\n1,"2"x\n', /^line 2 of .* has "x" right after a closing quote/],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from('price,rooms\n1,2\n3,'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]), /is not UTF-8 text \(line 3 holds a byte sequence that is not UTF-8\)/],
    ['a line longer than 1 MiB', `price,rooms\n1,${'9'.repeat(1024 * 1024)}\n`, /^line 2 of .* is longer than 1048576 characters/],
  ])('GIVEN %s THEN MalformedTestData names the line', async (_what, content, message) => {
    s3.on(GetObjectCommand).callsFake(async () => objectAnswer(content, ETAG, 4096));

    const error = await rejectionOf(handler({ endpointName: 'e', testDataUri: OBJECT_URI }, context));

    expect(error).toMatchObject({ name: 'MalformedTestData', message: expect.stringMatching(message) });
  });

  test('GIVEN a bad row after maxRows THEN it is not read, and the plan stands', async () => {
    s3.on(GetObjectCommand).callsFake(async () => objectAnswer('price,rooms\n1,2\n3,4\n5,x\n'));

    await expect(handler({ endpointName: 'e', testDataUri: OBJECT_URI, maxRows: 2 }, context)).resolves.toMatchObject({ rows: 2, truncated: true });
  });

  test('GIVEN rows too wide for one InvokeEndpoint request THEN InvalidInput says to lower rowsPerRequest', async () => {
    const features = Array.from({ length: 100_000 }, () => '1.2345').join(',');
    const header = ['label', ...Array.from({ length: 100_000 }, (_, i) => `f${i}`)].join(',');
    const csv = `${header}\n${Array.from({ length: 10 }, () => `1,${features}`).join('\n')}\n`;
    s3.on(GetObjectCommand).callsFake(async () => objectAnswer(csv, ETAG, 65536));

    const error = await rejectionOf(handler({ endpointName: 'e', testDataUri: OBJECT_URI, rowsPerRequest: 10 }, context));

    expect(error).toMatchObject({
      name: 'InvalidInput',
      message: expect.stringMatching(/^rowsPerRequest 10 makes a request of 6999999 bytes for rows 0-9 \(lines 2-11 of .*\), over InvokeEndpoint's 6000000-byte limit: lower rowsPerRequest$/),
    });
  });
});
