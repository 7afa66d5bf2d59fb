import { Readable } from 'stream';
import { GetObjectCommand, type GetObjectCommandOutput, type S3ClientResolvedConfig, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';

/** test.csv as preprocess.py writes it: a header, the label first, then the encoded features. */
export const TEST_CSV = [
  'price,rooms,area,city_Paris,city_Lyon',
  '250000.0,3,71.5,1,0',
  '180000.0,2,,0,1',
  '320000.0,4,95.25,1,0',
  '99000.5,1,30.0,0,0',
  '410000.0,5,120.0,1,0',
].join('\n') + '\n';

export const BUCKET = 'mlops-staging-artifacts';
export const KEY = 'pipelines/training/run-1/test/test.csv';
export const OBJECT_URI = `s3://${BUCKET}/${KEY}`;
export const ETAG = '"0123456789abcdef0123456789abcdef"';

/** A streamed object body that records how many of its chunks were read and whether it was destroyed. */
export interface TrackedBody {
  readonly body: Readable;
  readonly chunksRead: () => number;
  readonly totalChunks: number;
}

/** `content` as an S3 body in chunks of `chunkSize` bytes (small chunks split rows and characters across chunks). */
export function trackedBody(content: string | Buffer, chunkSize = 7): TrackedBody {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += chunkSize) chunks.push(bytes.subarray(start, start + chunkSize));
  let read = 0;
  function* generate() {
    for (const chunk of chunks) {
      read++;
      yield chunk;
    }
  }
  return { body: Readable.from(generate(), { objectMode: false }), chunksRead: () => read, totalChunks: chunks.length };
}

/** A GetObject answer with `content` as its body. */
export function objectAnswer(content: string | Buffer, etag = ETAG, chunkSize?: number): Partial<GetObjectCommandOutput> {
  const { body } = trackedBody(content, chunkSize);
  return {
    Body: body as unknown as GetObjectCommandOutput['Body'],
    ETag: etag,
    ContentLength: typeof content === 'string' ? Buffer.byteLength(content) : content.length,
  };
}

/** Mocks S3 so that GetObject answers `content` (a fresh stream on every call). */
export function mockS3Object(
  s3: AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>,
  content: string | Buffer,
  etag = ETAG,
): void {
  s3.on(GetObjectCommand).callsFake(async () => objectAnswer(content, etag));
}

/** An AWS SDK service error as the SDK raises it. */
export function awsError(name: string, message: string, httpStatusCode = 400, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode }, ...fields });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
