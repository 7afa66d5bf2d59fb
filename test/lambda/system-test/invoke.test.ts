import './set-environment';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaContext } from '../helpers';
import { awsError, BUCKET, ETAG, KEY, mockS3Object, OBJECT_URI, objectAnswer, rejectionOf, TEST_CSV } from './helpers';
import { handler, REQUEST_TIMEOUT_MS } from '../../../lambda/system-test/invoke';

const s3 = mockClient(S3Client);
const runtime = mockClient(SageMakerRuntimeClient);
const context = lambdaContext('system-test-invoke');
const ENDPOINT = 'mlops-staging-endpoint';
const ITEM = { endpointName: ENDPOINT, testDataUri: OBJECT_URI, firstRow: 1, rowCount: 3, rowsPerRequest: 2, etag: ETAG };

/** An InvokeEndpoint answer with `text` as its body. */
function answer(text: string, contentType: string | null = 'text/csv') {
  return { Body: new TextEncoder().encode(text) as never, ContentType: contentType ?? undefined };
}

beforeEach(() => {
  s3.reset();
  runtime.reset();
  mockS3Object(s3, TEST_CSV);
  runtime.on(InvokeEndpointCommand).resolvesOnce(answer('181000.5\n318500.25\n')).resolves(answer('101000.0'));
});

describe('system-test invoke handler', () => {
  test('GIVEN a batch WHEN sent THEN its rows go to the endpoint as text/csv features, rowsPerRequest at a time, and each row gets its label and prediction', async () => {
    const result = await handler(ITEM, context);

    expect(result).toEqual({ labels: [180000, 320000, 99000.5], predictions: [181000.5, 318500.25, 101000], latenciesMs: [expect.any(Number), expect.any(Number)] });
    expect(result.latenciesMs.every((ms) => ms >= 0 && Number.isFinite(ms))).toBe(true);
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: BUCKET, Key: KEY }]);
    const calls = runtime.commandCalls(InvokeEndpointCommand);
    expect(calls.map((call) => call.args[0].input)).toEqual([
      { EndpointName: ENDPOINT, ContentType: 'text/csv', Accept: 'text/csv', Body: '2,,0,1\n4,95.25,1,0' },
      { EndpointName: ENDPOINT, ContentType: 'text/csv', Accept: 'text/csv', Body: '1,30.0,0,0' },
    ]);
    // The request timeout: SageMaker's 60 s, or less when the function has less time left.
    expect((calls[0].args as unknown[])[1]).toEqual({ requestTimeout: Math.min(REQUEST_TIMEOUT_MS, 60_000 - 2_000) });
  });

  test('GIVEN an answer of comma-separated predictions on one line THEN they are read too', async () => {
    runtime.on(InvokeEndpointCommand).resolves(answer('0.25,0.75,0.5'));

    await expect(handler({ ...ITEM, rowsPerRequest: 3 }, context)).resolves.toMatchObject({ predictions: [0.25, 0.75, 0.5] });
  });

  test('GIVEN latency WHEN measured THEN it is the wall time around each call', async () => {
    runtime.on(InvokeEndpointCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return answer('1');
    });

    const { latenciesMs } = await handler({ ...ITEM, rowCount: 2, rowsPerRequest: 1 }, context);

    expect(latenciesMs).toHaveLength(2);
    for (const ms of latenciesMs) {
      expect(ms).toBeGreaterThanOrEqual(25);
      expect(ms).toBeLessThan(1000);
    }
  });

  test.each([
    ['no etag', undefined],
    ['the etag null (S3 gave the plan none)', null],
  ])('GIVEN %s WHEN sent THEN the object is read without the check', async (_what, etag) => {
    mockS3Object(s3, TEST_CSV, '"another"');
    runtime.on(InvokeEndpointCommand).resolves(answer('1'));

    await expect(handler({ ...ITEM, etag, rowCount: 1, rowsPerRequest: 1 }, context)).resolves.toMatchObject({ labels: [180000] });
  });
});

describe('system-test invoke handler refuses an invalid item with InvalidInput, without any AWS call', () => {
  test.each<[string, unknown, RegExp]>([
    ['a string', 'batch-1', /^not a system test batch: \(input\): Invalid input: expected object, received string/],
    ['no firstRow', { ...ITEM, firstRow: undefined }, /firstRow: Invalid input: expected number, received undefined \(got nothing\)/],
    ['a negative firstRow', { ...ITEM, firstRow: -1 }, /firstRow: expected a whole number >= 0 \(got -1\)/],
    ['rowCount 0', { ...ITEM, rowCount: 0 }, /rowCount: expected a whole number >= 1 \(got 0\)/],
    ['a fractional rowsPerRequest', { ...ITEM, rowsPerRequest: 1.5 }, /rowsPerRequest: Invalid input: expected int, received number \(got 1.5\)/],
    ['rowCount NaN', { ...ITEM, rowCount: NaN }, /rowCount: Invalid input: expected number, received NaN \(got NaN\)/],
    ['an empty etag', { ...ITEM, etag: '' }, /etag: .*\(got ""\)/],
    ['a bad endpoint name', { ...ITEM, endpointName: 'staging_endpoint' }, /endpointName: not a SageMaker endpoint name .* \(got "staging_endpoint"\)/],
    ['a prefix instead of the object', { ...ITEM, testDataUri: `s3://${BUCKET}/pipelines/test/` }, /testDataUri "s3:\/\/.*\/pipelines\/test\/" does not name a .csv object: expected s3:\/\/<bucket>\/<key>.csv, the object the plan returned/],
    ['a URI that is not S3', { ...ITEM, testDataUri: '/tmp/test.csv' }, /testDataUri "\/tmp\/test.csv" is not an S3 URI/],
    ['a batch past the most a test reads', { ...ITEM, firstRow: 2990, rowCount: 20 }, /^firstRow 2990 \+ rowCount 20 goes past row 3000, the most a system test reads: pass a batch of the plan$/],
    ['a huge rowCount', { ...ITEM, rowCount: 1e7 }, /rowCount: expected a whole number <= 3000/],
    ['more requests than a batch sends', { ...ITEM, rowCount: 500, rowsPerRequest: 2 }, /^rowCount 500 at rowsPerRequest 2 makes 250 requests; a batch sends at most 200: pass a batch of the plan$/],
  ])('GIVEN %s', async (_what, input, message) => {
    const error = await rejectionOf(handler(input, context));

    expect(error).toMatchObject({ name: 'InvalidInput', message: expect.stringMatching(message) });
    expect(s3.calls()).toHaveLength(0);
    expect(runtime.calls()).toHaveLength(0);
  });
});

describe('system-test invoke handler: test data', () => {
  test('GIVEN the object changed since the plan THEN TestDataChanged, and nothing is sent', async () => {
    mockS3Object(s3, TEST_CSV, '"ffff"');

    await expect(handler(ITEM, context)).rejects.toMatchObject({
      name: 'TestDataChanged',
      message: `${OBJECT_URI} changed since the plan read it (ETag "ffff", planned ${ETAG}): the rows would not be the planned ones; run the system test again`,
    });
    expect(runtime.calls()).toHaveLength(0);
  });

  test('GIVEN a batch past the end of the object THEN MalformedTestData, and nothing is sent', async () => {
    await expect(handler({ ...ITEM, firstRow: 3, rowCount: 4 }, context)).rejects.toMatchObject({
      name: 'MalformedTestData',
      message: `${OBJECT_URI} holds 5 data rows, so rows 3-6 of this batch are not all there: pass a batch of the plan, or plan again`,
    });
    expect(runtime.calls()).toHaveLength(0);
  });

  test('GIVEN a bad row in the batch THEN MalformedTestData names its line, and nothing is sent', async () => {
    s3.on(GetObjectCommand).callsFake(async () => objectAnswer('price,rooms\n1,2\n3,x\n'));

    await expect(handler({ ...ITEM, firstRow: 0, rowCount: 2 }, context)).rejects.toMatchObject({
      name: 'MalformedTestData',
      message: expect.stringMatching(/^line 3 of .* has "x" in feature column "rooms"/),
    });
    expect(runtime.calls()).toHaveLength(0);
  });

  test('GIVEN a bad row before the batch THEN it is only skipped (the plan checked it)', async () => {
    s3.on(GetObjectCommand).callsFake(async () => objectAnswer('price,rooms\n1,x\n3,4\n'));
    runtime.on(InvokeEndpointCommand).resolves(answer('3.5'));

    await expect(handler({ ...ITEM, firstRow: 1, rowCount: 1 }, context)).resolves.toMatchObject({ labels: [3], predictions: [3.5] });
  });

  test('GIVEN the object is gone THEN TestDataNotFound', async () => {
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 'The specified key does not exist.', 404));

    await expect(handler(ITEM, context)).rejects.toMatchObject({ name: 'TestDataNotFound' });
    expect(runtime.calls()).toHaveLength(0);
  });
});

describe('system-test invoke handler: what the endpoint answers', () => {
  const ROWS = `rows 1-2 (lines 3-4 of ${OBJECT_URI})`;

  test.each<[string, string, Error, RegExp]>([
    ['ThrottlingException', 'EndpointThrottled', awsError('ThrottlingException', 'Rate exceeded', 400), new RegExp(`^endpoint '${ENDPOINT}' could not take the request for rows 1-2 \\(lines 3-4 of .*\\) \\(ThrottlingException: Rate exceeded\\): the state machine retries with backoff`)],
    ['an HTTP 429 of another name', 'EndpointThrottled', awsError('TooManyRequests', 'Slow down', 429), /\(TooManyRequests: Slow down\): the state machine retries/],
    ['ServiceUnavailable', 'EndpointThrottled', awsError('ServiceUnavailable', 'Service is unavailable', 503), /\(ServiceUnavailable: Service is unavailable\)/],
    ['ModelNotReadyException', 'EndpointThrottled', awsError('ModelNotReadyException', 'Model is loading', 424), /ModelNotReadyException/],
    [
      'a ModelError',
      'EndpointError',
      awsError('ModelError', 'Received client error (400) from primary with message "bad row"', 424, { OriginalStatusCode: 400, OriginalMessage: 'could not convert string to float', LogStreamArn: 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/sagemaker/Endpoints/e' }),
      new RegExp(`^the model behind endpoint '${ENDPOINT}' answered rows 1-2 \\(lines 3-4 of .*\\) with status 400: "could not convert string to float" \\(log stream arn:aws:logs:.*\\)\\. Check the model's logs`),
    ],
    ['an unknown endpoint (ValidationError)', 'EndpointError', awsError('ValidationError', `Endpoint ${ENDPOINT} of account 111122223333 not found.`, 400), new RegExp(`^SageMaker refused the request to endpoint '${ENDPOINT}' for .* \\(ValidationError: Endpoint ${ENDPOINT} of account 111122223333 not found\\.\\): check that the endpoint exists and is InService`)],
    ['a request timeout', 'EndpointError', Object.assign(new Error('a request has exceeded the configured 58000 ms requestTimeout.'), { name: 'TimeoutError' }), /did not answer rows 1-2 .* within 58000 ms/],
    ['InternalFailure', 'InternalFailure', awsError('InternalFailure', 'An internal error occurred', 500), new RegExp(`^SageMaker InvokeEndpoint failed \\(endpoint '${ENDPOINT}', rows 1-2 \\(lines 3-4 of .*\\)\\): InternalFailure: An internal error occurred$`)],
  ])('GIVEN %s THEN the batch fails at once, as %s', async (_what, name, error, message) => {
    runtime.on(InvokeEndpointCommand).rejects(error);

    const thrown = await rejectionOf(handler(ITEM, context));

    expect(thrown).toMatchObject({ name, message: expect.stringMatching(message) });
    expect(thrown.message).toContain(ROWS);
    expect(thrown.cause).toBe(error);
    expect(runtime.commandCalls(InvokeEndpointCommand)).toHaveLength(1);
  });

  test.each<[string, string, string | null, RegExp]>([
    ['fewer predictions than rows', '0.5\n', 'text/csv', new RegExp(`^endpoint '${ENDPOINT}' answered ${ROWS.replace(/[()]/g, '\\$&')} with 1 prediction for 2 rows \\(the text/csv answer "0.5\\\\n"\\): the model must answer text/csv with one number per row$`)],
    ['more predictions than rows', '0.5\n0.6\n0.7', 'text/csv', /with 3 predictions for 2 rows/],
    ['an empty answer', '', 'text/csv', /with 0 predictions for 2 rows \(the text\/csv answer ""\)/],
    ['nan', '0.5\nnan', 'text/csv', /with "nan" as prediction 2, which is not a finite number \(the text\/csv answer "0.5\\nnan"\)/],
    ['Infinity', 'inf\n1', 'text/csv', /with "inf" as prediction 1, which is not a finite number/],
    ['JSON instead of CSV', '{"predictions": [0.5, 0.6]}', 'application/json', /with "\{\\"predictions\\": \[0.5" as prediction 1, which is not a finite number \(the application\/json answer/],
    ['a label instead of a number', 'yes\nno', null, /with "yes" as prediction 1, which is not a finite number \(the untyped answer "yes\\nno"\)/],
    ['two values per row', '0.1,0.9\n0.8,0.2', 'text/csv', /with 4 predictions for 2 rows/],
  ])('GIVEN %s THEN EndpointError quotes what came back', async (_what, body, contentType, message) => {
    runtime.on(InvokeEndpointCommand).resolves(answer(body, contentType));

    await expect(handler(ITEM, context)).rejects.toMatchObject({ name: 'EndpointError', message: expect.stringMatching(message) });
    expect(runtime.commandCalls(InvokeEndpointCommand)).toHaveLength(1);
  });

  test('GIVEN a long answer THEN the message quotes its first 200 characters', async () => {
    runtime.on(InvokeEndpointCommand).resolves(answer('x'.repeat(5000)));

    const error = await rejectionOf(handler(ITEM, context));

    expect(error.message).toContain(`"${'x'.repeat(200)}..."`);
    expect(error.message.length).toBeLessThan(1000);
  });

  test('GIVEN the function is about to time out THEN EndpointError says so before sending, instead of being cut off', async () => {
    const short = { ...context, getRemainingTimeInMillis: () => 2_500 };

    await expect(handler(ITEM, short)).rejects.toMatchObject({
      name: 'EndpointError',
      message: expect.stringMatching(/^the batch ran out of time before rows 1-2 .*: endpoint '.*' answered 0 requests in 0 ms; lower requestsPerBatch or give the function more time$/),
    });
    expect(runtime.calls()).toHaveLength(0);
  });
});
