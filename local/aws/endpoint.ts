import { randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { DEFAULT_VENV_DIR } from './api-model';
import type { KeySchema } from './dynamodb/tables';
import { asLocalAwsError, LocalAwsError } from './errors';
import { headerValue, mediaType, readBody, signingServiceOf, type AwsAnswer, type AwsRequest, type ServiceProtocol } from './http-io';
import { createServices, SERVICE_MODELS, type LocalAwsBackends } from './services';
import type { PublishedMessage } from './sns';

/** One request the endpoint answered. */
export interface ServedRequest {
  /** The service's id (`Glue`, `SageMaker`, `DynamoDB`, `SNS`, `S3`), or `unknown`. */
  readonly service: string;
  /** The operation, or what was asked for when it is not served. */
  readonly operation: string;
  readonly status: number;
  /** The AWS error code of an error answer. */
  readonly errorCode?: string;
  /** Milliseconds from the first byte read to the answer written. */
  readonly durationMs: number;
  readonly requestId: string;
  /** ISO-8601 time the request arrived. */
  readonly time: string;
}

/** Options of {@link startLocalAwsEndpoint}. */
export interface LocalAwsEndpointOptions {
  /** What answers the Glue and SageMaker operations and S3 reads. */
  readonly backends: LocalAwsBackends;
  /** The region the handlers run in (AWS_REGION of `environment`). */
  readonly region: string;
  /** The account (AWS_ACCOUNT_ID of `environment`). */
  readonly account: string;
  /** @default - `<repo>/.venv`, where `npm run venv` installs botocore, whose service models the endpoint checks requests with */
  readonly venvDir?: string;
  /** @default - in memory: DynamoDB tables and the SNS journal are not kept */
  readonly dataDir?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Key schemas of DynamoDB tables by name. @default - every table has the partition key `id` */
  readonly dynamoDbKeySchemas?: Readonly<Record<string, KeySchema>>;
}

/** A running local AWS endpoint. */
export interface LocalAwsEndpoint {
  /** `http://127.0.0.1:<port>`: an IP address, so that S3 clients address buckets path-style. */
  readonly url: string;
  /** Everything a handler process needs to call the endpoint with the real SDK clients (see `endpointEnvironment`). */
  readonly environment: Readonly<Record<string, string>>;
  /** Every SNS Publish received, in order. */
  readonly published: readonly PublishedMessage[];
  /** Every request answered, in order. */
  readonly requests: readonly ServedRequest[];
  /** Stops listening and closes open (keep-alive) connections. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The variables that point the AWS SDK (v3) of a handler at the endpoint: one endpoint URL per served service and
 * `AWS_ENDPOINT_URL` for any other (so no call can reach AWS), the region, dummy credentials (the endpoint does not
 * check signatures), one attempt per call (a failing backend fails the call at once), and no FIPS, dual-stack or
 * instance-metadata lookups.
 */
export function endpointEnvironment(url: string, region: string, account: string): Record<string, string> {
  const perService = Object.fromEntries(Object.keys(SERVICE_MODELS).map((name) => [`AWS_ENDPOINT_URL_${name.toUpperCase()}`, url]));
  return {
    AWS_ENDPOINT_URL: url,
    ...perService,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCOUNT_ID: account,
    AWS_ACCESS_KEY_ID: 'LOCALMODEACCESSKEY',
    AWS_SECRET_ACCESS_KEY: 'local-mode-secret-access-key',
    AWS_SESSION_TOKEN: '',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_USE_FIPS_ENDPOINT: 'false',
    AWS_USE_DUALSTACK_ENDPOINT: 'false',
  };
}

/** The protocol to answer in when the signature names no served service: guessed from the request's shape. */
function guessService(services: Map<string, ServiceProtocol>, request: AwsRequest): ServiceProtocol {
  const target = headerValue(request.headers, 'x-amz-target') ?? '';
  if (target.startsWith('DynamoDB_')) return services.get('dynamodb')!;
  if (target !== '' || mediaType(request.headers).startsWith('application/x-amz-json')) return services.get('glue')!;
  if (mediaType(request.headers) === 'application/x-www-form-urlencoded') return services.get('sns')!;
  return services.get('s3')!;
}

/** Reads, routes and answers one request; never rejects. */
async function answer(services: Map<string, ServiceProtocol>, incoming: http.IncomingMessage): Promise<{ service: string; answer: AwsAnswer }> {
  const request: AwsRequest = {
    method: incoming.method ?? 'GET',
    url: new URL(incoming.url ?? '/', 'http://local'),
    headers: incoming.headers,
    body: Buffer.alloc(0),
    requestId: randomUUID(),
  };
  const signedFor = signingServiceOf(incoming.headers);
  const known = signedFor === undefined ? undefined : services.get(signedFor);
  const service = known ?? guessService(services, request);
  const fail = (operation: string, error: LocalAwsError) => ({
    service: known?.serviceId ?? 'unknown',
    answer: service.errorAnswer(request, operation, error),
  });
  try {
    Object.assign(request, { body: await readBody(incoming) });
  } catch (error) {
    return fail('(body)', asLocalAwsError(error, 'Reading the request'));
  }
  if (!incoming.headers.authorization) {
    return fail(
      '(unsigned)',
      new LocalAwsError('MissingAuthenticationToken', 'The request is not signed: AWS SDK clients sign every request (SigV4); set AWS credentials (any values do here).', 403),
    );
  }
  if (!known) {
    return fail(
      `(${signedFor ?? 'unknown service'})`,
      new LocalAwsError(
        'UnknownOperationException',
        `The request is signed for service '${signedFor ?? '?'}', which the local AWS endpoint does not serve ` +
          `(served: ${[...services.keys()].join(', ')}).`,
      ),
    );
  }
  return { service: known.serviceId, answer: await known.handle(request) };
}

/**
 * Starts the local AWS endpoint: an HTTP server on 127.0.0.1 speaking the wire protocols of the operations the
 * handlers call — Glue and SageMaker (awsJson1_1, answered by the backends), DynamoDB (awsJson1_0: GetItem, PutItem,
 * UpdateItem, DeleteItem, served here), SNS (awsQuery: Publish, recorded) and S3 (REST-XML: GetObject, HeadObject
 * from local S3). Every request is checked against botocore's model of its service before anything runs. Throws,
 * naming `npm run venv`, when a model is missing.
 */
export async function startLocalAwsEndpoint(options: LocalAwsEndpointOptions): Promise<LocalAwsEndpoint> {
  const published: PublishedMessage[] = [];
  const requests: ServedRequest[] = [];
  const services = createServices({
    backends: options.backends,
    region: options.region,
    venvDir: options.venvDir ?? DEFAULT_VENV_DIR,
    dataDir: options.dataDir,
    dynamoDbKeySchemas: options.dynamoDbKeySchemas,
    published,
  });
  const server = http.createServer((incoming, outgoing) => {
    const started = performance.now();
    const time = new Date().toISOString();
    void answer(services, incoming).then(({ service, answer: { operation, response, errorCode } }) => {
      const body = incoming.method === 'HEAD' ? undefined : response.body;
      outgoing.writeHead(response.status, {
        ...response.headers,
        ...(body !== undefined && !('Content-Length' in response.headers) && { 'Content-Length': String(Buffer.byteLength(body)) }),
      });
      outgoing.end(body);
      requests.push({
        service,
        operation,
        status: response.status,
        ...(errorCode !== undefined && { errorCode }),
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        requestId: String(response.headers['x-amzn-RequestId']),
        time,
      });
    }).catch((error: Error) => outgoing.destroy(error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    environment: endpointEnvironment(url, options.region, options.account),
    published,
    requests,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
