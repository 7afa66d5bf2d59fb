import type { IncomingHttpHeaders, IncomingMessage } from 'http';
import { LocalAwsError } from './errors';

/** Requests larger than this are answered with `RequestEntityTooLarge` (413) without being buffered. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** One request as the protocols see it: its body fully read. */
export interface AwsRequest {
  readonly method: string;
  /** Path and query, as sent (path still URL-encoded). */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The id the response carries in `x-amzn-RequestId`. */
  readonly requestId: string;
}

/** What a protocol answers. */
export interface AwsResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Omitted for HEAD requests. */
  readonly body?: string | Buffer;
}

/** A protocol's answer to one request, with the operation it took the request for. */
export interface AwsAnswer {
  /** The operation, e.g. `StartJobRun`; what was asked for when it is not served (`PUT /b/k`, `Action=Subscribe`). */
  readonly operation: string;
  readonly response: AwsResponse;
  /** The AWS error code when the answer is an error. */
  readonly errorCode?: string;
}

/** One AWS protocol of the endpoint (JSON, query, REST-XML), bound to one service. */
export interface ServiceProtocol {
  /** The service's id in botocore's model, e.g. `Glue`, for the request log. */
  readonly serviceId: string;
  /** Answers a request signed for this service. Never rejects: errors are answers. */
  handle(request: AwsRequest): Promise<AwsAnswer>;
  /** The error answer in this service's protocol (for errors found before `handle`: auth, size). */
  errorAnswer(request: AwsRequest, operation: string, error: LocalAwsError): AwsAnswer;
}

/**
 * Reads a request body, up to `maxBytes`. A larger body is drained (so the client reads the answer instead of a
 * reset connection) and rejected with `RequestEntityTooLarge`.
 */
export function readBody(request: IncomingMessage, maxBytes = MAX_REQUEST_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > maxBytes;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      if (tooLarge) {
        reject(
          new LocalAwsError(
            'RequestEntityTooLarge',
            `The request body has ${Math.max(size, declared)} bytes, more than the local endpoint's limit of ` +
              `${maxBytes} bytes; AWS APIs take far smaller requests (S3 uploads are not served here).`,
            413,
          ),
        );
      } else {
        resolve(Buffer.concat(chunks));
      }
    });
  });
}

/** The signing service of a SigV4 `Authorization` header (`Credential=AKID/date/region/<service>/aws4_request`). */
export function signingServiceOf(headers: IncomingHttpHeaders): string | undefined {
  const match = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/.exec(headers.authorization ?? '');
  return match?.[1];
}

/** The single value of a request header (the first, if sent twice). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** `type/subtype` of a Content-Type header, lowercase, without parameters. */
export function mediaType(headers: IncomingHttpHeaders): string {
  return (headerValue(headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
}
