import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { escapeHtml as escapeXml } from '../report/html';
import { formatS3Uri, parseS3Uri, type LocalS3 } from '../s3';
import type { BotocoreServiceModel } from './api-model';
import { LocalAwsError, validationMessage } from './errors';
import { headerValue, type AwsAnswer, type AwsRequest, type ServiceProtocol } from './http-io';
import { checkShape } from './shape-check';

/** Request members local S3 serves, by operation; any other one that is set is answered with NotImplemented, naming it. */
const SERVED_MEMBERS: Readonly<Record<string, ReadonlySet<string>>> = {
  GetObject: new Set(['Bucket', 'Key', 'ChecksumMode', 'ExpectedBucketOwner', 'RequestPayer']),
  HeadObject: new Set(['Bucket', 'Key', 'ChecksumMode', 'ExpectedBucketOwner', 'RequestPayer']),
  ListObjectsV2: new Set(['Bucket', 'Prefix', 'ContinuationToken', 'MaxKeys', 'StartAfter', 'EncodingType', 'ExpectedBucketOwner', 'RequestPayer']),
};

/** S3's page size of ListObjectsV2. */
const MAX_KEYS = 1000;

/**
 * S3's REST-XML protocol for GetObject and HeadObject, path-style (`GET|HEAD /<bucket>/<key>`), and ListObjectsV2
 * (`GET /<bucket>?list-type=2`), reading objects from local S3. The SDK's S3 endpoint rules address buckets path-style when the endpoint host is an IP address
 * (`url#isIp`), as `http://127.0.0.1:<port>` is. Errors are S3's XML `<Error><Code>` documents (no body for HEAD,
 * as S3 does, so the SDK raises `NotFound`).
 */
export class S3RestXmlService implements ServiceProtocol {
  public readonly serviceId = 'S3';

  /**
   * @param model botocore's S3 model
   * @param s3 local S3 to read objects from; without it every request is NotImplemented
   */
  public constructor(
    private readonly model: BotocoreServiceModel,
    private readonly s3: LocalS3 | undefined,
  ) {}

  public async handle(request: AwsRequest): Promise<AwsAnswer> {
    const [, bucket = '', ...keyParts] = request.url.pathname.split('/');
    const key = keyParts.join('/');
    const listing = request.method === 'GET' && key === '' && request.url.searchParams.get('list-type') === '2';
    const operation = listing ? 'ListObjectsV2' : request.method === 'GET' ? 'GetObject' : request.method === 'HEAD' ? 'HeadObject' : undefined;
    const asked = `${request.method} ${request.url.pathname}${request.url.search}`;
    const xId = request.url.searchParams.get('x-id');
    if (!operation || bucket === '' || (key === '' && !listing) || (xId !== null && xId !== operation)) {
      return this.errorAnswer(request, asked, notServed(asked));
    }
    if (operation === 'ListObjectsV2') return this.list(request, decodePathPart(bucket));
    try {
      const input = this.readInput(request, operation, { Bucket: decodePathPart(bucket), Key: decodePathPart(key) }) as { Bucket: string; Key: string };
      const file = this.objectFile(input.Bucket, input.Key);
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        throw new LocalAwsError('NoSuchKey', 'The specified key does not exist.', 404, { Key: input.Key });
      }
      const body = fs.readFileSync(file);
      const headers = {
        ...this.headers(request),
        'Content-Type': 'binary/octet-stream',
        'Content-Length': String(body.length),
        ETag: `"${createHash('md5').update(body).digest('hex')}"`,
        'Last-Modified': fs.statSync(file).mtime.toUTCString(),
      };
      return { operation, response: { status: 200, headers, ...(operation === 'GetObject' && { body }) } };
    } catch (error) {
      const failure =
        error instanceof LocalAwsError ? error : new LocalAwsError('InternalError', `local S3 failed: ${(error as Error).message}`, 500);
      return this.errorAnswer(request, operation, failure);
    }
  }

  public errorAnswer(request: AwsRequest, operation: string, error: LocalAwsError): AwsAnswer {
    const fields = Object.entries(error.fields)
      .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
      .join('');
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>${fields}` +
      `<RequestId>${request.requestId}</RequestId><HostId>local</HostId></Error>`;
    const headers = { ...this.headers(request), 'Content-Type': 'application/xml' };
    return {
      operation,
      errorCode: error.code,
      response: { status: error.statusCode, headers, ...(request.method !== 'HEAD' && { body }) },
    };
  }

  private headers(request: AwsRequest): Record<string, string> {
    return { 'x-amzn-RequestId': request.requestId, 'x-amz-request-id': request.requestId, 'x-amz-id-2': 'local' };
  }

  /** ListObjectsV2: every object under the prefix in key order, a page of MaxKeys (1000) at a time. */
  private list(request: AwsRequest, bucket: string): AwsAnswer {
    try {
      const input = this.readInput(request, 'ListObjectsV2', { Bucket: bucket });
      this.checkBucket(bucket);
      const prefix = typeof input.Prefix === 'string' ? input.Prefix : '';
      const maxKeys = typeof input.MaxKeys === 'number' ? Math.min(input.MaxKeys, MAX_KEYS) : MAX_KEYS;
      const token = typeof input.ContinuationToken === 'string' ? input.ContinuationToken : undefined;
      let after = typeof input.StartAfter === 'string' ? input.StartAfter : '';
      if (token !== undefined) {
        const decoded = Buffer.from(token, 'base64url').toString('utf8');
        if (!decoded.startsWith('k:')) throw new LocalAwsError('InvalidArgument', 'The continuation token provided is incorrect', 400, { ArgumentName: 'continuation-token' });
        after = decoded.slice(2);
      }
      const objects = (this.s3 as LocalS3).list(formatS3Uri(bucket, prefix)).filter((o) => o.key > after);
      const page = objects.slice(0, maxKeys);
      const truncated = objects.length > page.length;
      const encode = input.EncodingType === 'url' ? (text: string) => encodeURIComponent(text).replace(/%2F/g, '/') : (text: string) => text;
      const contents = page.map((o) => {
        const etag = createHash('md5').update(fs.readFileSync(o.localPath)).digest('hex');
        return `<Contents><Key>${escapeXml(encode(o.key))}</Key><LastModified>${fs.statSync(o.localPath).mtime.toISOString()}</LastModified>` +
          `<ETag>"${etag}"</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      });
      const next = truncated ? Buffer.from(`k:${page[page.length - 1].key}`, 'utf8').toString('base64url') : undefined;
      const body =
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(encode(prefix))}</Prefix><KeyCount>${page.length}</KeyCount>` +
        `<MaxKeys>${maxKeys}</MaxKeys>${input.EncodingType === 'url' ? '<EncodingType>url</EncodingType>' : ''}<IsTruncated>${truncated}</IsTruncated>` +
        contents.join('') +
        (token !== undefined ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '') +
        (next !== undefined ? `<NextContinuationToken>${next}</NextContinuationToken>` : '') +
        '</ListBucketResult>';
      return { operation: 'ListObjectsV2', response: { status: 200, headers: { ...this.headers(request), 'Content-Type': 'application/xml' }, body: Buffer.from(body) } };
    } catch (error) {
      const failure =
        error instanceof LocalAwsError ? error : new LocalAwsError('InternalError', `local S3 failed: ${(error as Error).message}`, 500);
      return this.errorAnswer(request, 'ListObjectsV2', failure);
    }
  }

  /** The operation's input from the URI, headers and query, checked against the model. */
  private readInput(request: AwsRequest, operation: string, fromPath: Record<string, string>): Record<string, unknown> {
    const shapeName = this.model.operations?.[operation]?.input?.shape ?? '';
    const input: Record<string, unknown> = { ...fromPath };
    const known = new Set(['x-id', ...(operation === 'ListObjectsV2' ? ['list-type'] : [])]);
    for (const [name, ref] of Object.entries(this.model.shapes[shapeName]?.members ?? {})) {
      const wireName = ref.locationName ?? name;
      const type = this.model.shapes[ref.shape]?.type;
      let value: string | null | undefined;
      if (ref.location === 'header') value = headerValue(request.headers, wireName);
      if (ref.location === 'querystring') {
        known.add(wireName);
        value = request.url.searchParams.get(wireName);
      }
      if (value === undefined || value === null) continue;
      input[name] = type === 'integer' && /^\d+$/.test(value) ? Number(value) : value;
      if (!SERVED_MEMBERS[operation]?.has(name)) {
        throw new LocalAwsError('NotImplemented', `local S3 serves whole, current objects and plain listings: ${operation} with ${name} ('${wireName}') is not served here.`, 501);
      }
    }
    const unknown = [...request.url.searchParams.keys()].find((name) => !known.has(name));
    if (unknown !== undefined) {
      throw notServed(`${request.method} ${request.url.pathname}?${unknown}`);
    }
    const issues = checkShape(this.model, shapeName, input);
    if (issues.length > 0) {
      throw new LocalAwsError('InvalidArgument', validationMessage(issues));
    }
    return input;
  }

  /** Throws NoSuchBucket (or NotImplemented without local S3) unless the bucket exists. */
  private checkBucket(bucket: string): void {
    if (!this.s3) {
      throw new LocalAwsError('NotImplemented', 'The local AWS endpoint was started without an S3 backend (backends.s3).', 501);
    }
    if (!fs.existsSync(path.join(this.s3.root, bucket))) {
      throw new LocalAwsError('NoSuchBucket', 'The specified bucket does not exist.', 404, { BucketName: bucket });
    }
  }

  /** The local file of an object, once its bucket is known to exist. */
  private objectFile(bucket: string, key: string): string {
    if (!this.s3) {
      throw new LocalAwsError('NotImplemented', 'The local AWS endpoint was started without an S3 backend (backends.s3).', 501);
    }
    const uri = formatS3Uri(bucket, key);
    try {
      parseS3Uri(uri);
    } catch (error) {
      const code = (error as Error).message.includes('bucket name') ? 'InvalidBucketName' : 'NotImplemented';
      throw new LocalAwsError(code, (error as Error).message, code === 'InvalidBucketName' ? 400 : 501, { BucketName: bucket });
    }
    if (!fs.existsSync(path.join(this.s3.root, bucket))) {
      throw new LocalAwsError('NoSuchBucket', 'The specified bucket does not exist.', 404, { BucketName: bucket });
    }
    return this.s3.pathFor(uri);
  }
}

/** A URL-encoded bucket name or key, decoded; InvalidURI when its %-escapes are not UTF-8. */
function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new LocalAwsError('InvalidURI', `Couldn't parse the specified URI: '${part}' has a malformed %-escape.`);
  }
}

function notServed(asked: string): LocalAwsError {
  return new LocalAwsError(
    'NotImplemented',
    `${asked} is not served by the local AWS endpoint; its S3 serves GetObject and HeadObject (GET/HEAD /<bucket>/<key>) and ListObjectsV2 (GET /<bucket>?list-type=2) only.`,
    501,
  );
}
