import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, NoSuchBucket, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { InvalidParameterException, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { LocalAwsEndpoint } from '../../../local/aws';
import { LocalS3 } from '../../../local/s3';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';
import { ACCOUNT, clientConfig, fakeBackends, REGION, startTestEndpoint } from './helpers';

const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:mlops-notifications`;
let dataDir: string;
let endpoint: LocalAwsEndpoint;
let sns: SNSClient;
let s3: S3Client;

beforeAll(async () => {
  dataDir = temporaryFolder('local-aws-');
  const localS3 = new LocalS3({ root: path.join(dataDir, 's3') });
  localS3.putObject('s3://mlops-artifacts/pipelines/training/run 1/evaluation+final.json', '{"r2": 0.91}');
  for (const name of ['a.csv', 'b.csv', 'c.csv']) localS3.putObject(`s3://mlops-artifacts/pipelines/training/x1/preprocess/test/${name}`, `${name}\n`);
  fs.mkdirSync(path.join(localS3.root, 'empty-bucket'));
  endpoint = await startTestEndpoint({ ...fakeBackends().backends, s3: localS3 }, { dataDir });
  sns = new SNSClient(clientConfig(endpoint));
  s3 = new S3Client(clientConfig(endpoint));
});

afterAll(async () => {
  sns.destroy();
  s3.destroy();
  await endpoint.close();
  removeTemporaryFolders();
});

describe('SNS Publish through the real SNSClient', () => {
  test('is recorded in order, with subject and attributes, journalled to dataDir, and answers a MessageId', async () => {
    const first = await sns.send(
      new PublishCommand({
        TopicArn: TOPIC_ARN,
        Subject: 'Model approved',
        Message: 'house-prices v3 passed the gate: r2 0.91 >= 0.8 & more',
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: 'info' },
          version: { DataType: 'Number', StringValue: '3' },
          digest: { DataType: 'Binary', BinaryValue: Buffer.from('abc') },
        },
      }),
    );
    await sns.send(new PublishCommand({ TopicArn: TOPIC_ARN, Message: 'second' }));

    expect(first.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(endpoint.published.map((m) => m.message)).toEqual(['house-prices v3 passed the gate: r2 0.91 >= 0.8 & more', 'second']);
    expect(endpoint.published[0]).toMatchObject({
      messageId: first.MessageId,
      topicArn: TOPIC_ARN,
      subject: 'Model approved',
      messageAttributes: {
        severity: { DataType: 'String', StringValue: 'info' },
        version: { DataType: 'Number', StringValue: '3' },
        digest: { DataType: 'Binary', BinaryValue: Buffer.from('abc').toString('base64') },
      },
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const journal = fs.readFileSync(path.join(dataDir, 'sns', 'published.jsonl'), 'utf-8').trim().split('\n');
    expect(journal.map((line) => JSON.parse(line).message)).toEqual(['house-prices v3 passed the gate: r2 0.91 >= 0.8 & more', 'second']);
  });

  test('a request the model or SNS rejects is InvalidParameterException naming the member, and is not recorded', async () => {
    const before = endpoint.published.length;
    await expect(sns.send(new PublishCommand({ TopicArn: TOPIC_ARN } as never))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: "1 validation error detected: Message: missing required member 'Message' of PublishInput.",
    });
    await expect(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:111122223333:t', Message: 'x' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(sns.send(new PublishCommand({ TopicArn: TOPIC_ARN, Message: 'x'.repeat(262_145) }))).rejects.toMatchObject({
      message: 'Invalid parameter: Message too long: 262145 bytes with its attributes, more than 262144.',
    });
    expect(endpoint.published).toHaveLength(before);
  });

  test('an action the endpoint does not serve is InvalidAction naming it', async () => {
    await expect(sns.send(new SubscribeCommand({ TopicArn: TOPIC_ARN, Protocol: 'email', Endpoint: 'a@example.com' }))).rejects.toMatchObject({
      name: 'InvalidAction',
      message: "Action 'Subscribe' is not served by the local AWS endpoint; SNS actions served here: Publish.",
    });
  });
});

describe('S3 GetObject / HeadObject through the real S3Client (path-style, as the endpoint rules pick for an IP host)', () => {
  const Bucket = 'mlops-artifacts';
  const Key = 'pipelines/training/run 1/evaluation+final.json';

  test('GetObject returns the object from local S3, with its length and ETag', async () => {
    const response = await s3.send(new GetObjectCommand({ Bucket, Key }));

    expect(await response.Body?.transformToString()).toBe('{"r2": 0.91}');
    expect(response).toMatchObject({ ContentLength: 12, ETag: `"${createHash('md5').update('{"r2": 0.91}').digest('hex')}"` });
    expect(response.LastModified).toBeInstanceOf(Date);
    expect(endpoint.requests.at(-1)).toMatchObject({ service: 'S3', operation: 'GetObject', status: 200 });
  });

  test('HeadObject returns the metadata only', async () => {
    const response = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    expect(response.ContentLength).toBe(12);
    expect(response.ETag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  test('a missing key is NoSuchKey, a missing bucket NoSuchBucket (HEAD: NotFound, as S3 answers without a body)', async () => {
    const missingKey = s3.send(new GetObjectCommand({ Bucket, Key: 'pipelines/none.json' }));
    await expect(missingKey).rejects.toBeInstanceOf(NoSuchKey);
    await expect(missingKey).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key }))).rejects.toBeInstanceOf(NoSuchBucket);
    await expect(s3.send(new GetObjectCommand({ Bucket: 'empty-bucket', Key }))).rejects.toBeInstanceOf(NoSuchKey);
    await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 'pipelines/none.json' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
  });

  test('what local S3 does not serve is NotImplemented, naming the member', async () => {
    await expect(s3.send(new GetObjectCommand({ Bucket, Key, Range: 'bytes=0-1' }))).rejects.toMatchObject({
      name: 'NotImplemented',
      message: "local S3 serves whole, current objects and plain listings: GetObject with Range ('Range') is not served here.",
    });
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await expect(s3.send(new PutObjectCommand({ Bucket, Key: 'x', Body: 'y' }))).rejects.toMatchObject({
      name: 'NotImplemented',
      message: expect.stringMatching(/^PUT \/mlops-artifacts\/x\S* is not served by the local AWS endpoint; its S3 serves GetObject and HeadObject/),
    });
    await expect(s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'pipelines/', Delimiter: '/' }))).rejects.toMatchObject({
      name: 'NotImplemented',
      message: "local S3 serves whole, current objects and plain listings: ListObjectsV2 with Delimiter ('delimiter') is not served here.",
    });
  });
});

describe('S3 ListObjectsV2 through the real S3Client', () => {
  const Bucket = 'mlops-artifacts';
  const prefix = 'pipelines/training/x1/preprocess/test/';

  test('lists the objects under a prefix in key order, with their size and ETag', async () => {
    const response = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: prefix }));
    expect(response).toMatchObject({ Name: Bucket, Prefix: prefix, KeyCount: 3, IsTruncated: false });
    expect(response.Contents?.map((o) => [o.Key, o.Size, o.ETag])).toEqual(['a.csv', 'b.csv', 'c.csv'].map((name) => [
      `${prefix}${name}`, 6, `"${createHash('md5').update(`${name}\n`).digest('hex')}"`,
    ]));
    expect(response.Contents?.[0].LastModified).toBeInstanceOf(Date);
  });

  test('pages with MaxKeys and continuation tokens, and starts after a key', async () => {
    const first = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, MaxKeys: 2 }));
    expect(first.Contents?.map((o) => o.Key)).toEqual([`${prefix}a.csv`, `${prefix}b.csv`]);
    expect(first.IsTruncated).toBe(true);
    const second = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, MaxKeys: 2, ContinuationToken: first.NextContinuationToken }));
    expect(second).toMatchObject({ IsTruncated: false, KeyCount: 1 });
    expect(second.Contents?.map((o) => o.Key)).toEqual([`${prefix}c.csv`]);
    const after = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, StartAfter: `${prefix}a.csv` }));
    expect(after.Contents?.map((o) => o.Key)).toEqual([`${prefix}b.csv`, `${prefix}c.csv`]);
  });

  test('an empty prefix lists nothing, a missing bucket is NoSuchBucket, a forged token InvalidArgument', async () => {
    const none = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'nothing/' }));
    expect(none).toMatchObject({ KeyCount: 0, IsTruncated: false });
    expect(none.Contents).toBeUndefined();
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' }))).rejects.toBeInstanceOf(NoSuchBucket);
    await expect(s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken: 'forged' }))).rejects.toMatchObject({ name: 'InvalidArgument' });
  });
});
