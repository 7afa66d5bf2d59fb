import type { BotocoreServiceModel } from './api-model';
import { asLocalAwsError, LocalAwsError, validationMessage } from './errors';
import { headerValue, mediaType, type AwsAnswer, type AwsRequest, type ServiceProtocol } from './http-io';
import { checkShape } from './shape-check';

/** One operation of a JSON service: takes the validated request, returns the response (before wire encoding). */
export type JsonOperation = (input: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>;

/**
 * A service of the awsJson1_0 / awsJson1_1 protocols (Glue, SageMaker, DynamoDB): `POST /` with
 * `X-Amz-Target: <targetPrefix>.<Operation>` and a JSON body; JSON answers, errors as `{"__type", "message"}` with
 * the `x-amzn-ErrorType` header. Requests are checked against the operation's input shape before the operation
 * runs; responses against its output shape, so a backend that answers what AWS never would is found here.
 */
export class JsonProtocolService implements ServiceProtocol {
  public readonly serviceId: string;
  private readonly targetPrefix: string;
  private readonly contentType: string;

  /**
   * @param model botocore's model of the service (protocol `json`)
   * @param operations the served operations by name; any other is an `UnknownOperationException`
   */
  public constructor(
    private readonly model: BotocoreServiceModel,
    private readonly operations: Readonly<Record<string, JsonOperation>>,
  ) {
    const { serviceId, targetPrefix, jsonVersion, protocol } = model.metadata ?? {};
    if (protocol !== 'json' || !serviceId || !targetPrefix || !jsonVersion) {
      throw new Error(`botocore's ${String(serviceId)} model is not a JSON-protocol model (protocol ${String(protocol)})`);
    }
    this.serviceId = serviceId;
    this.targetPrefix = targetPrefix;
    this.contentType = `application/x-amz-json-${jsonVersion}`;
  }

  public async handle(request: AwsRequest): Promise<AwsAnswer> {
    const target = headerValue(request.headers, 'x-amz-target');
    const operation = target?.startsWith(`${this.targetPrefix}.`) ? target.slice(this.targetPrefix.length + 1) : undefined;
    try {
      if (request.method !== 'POST') {
        throw new LocalAwsError('UnknownOperationException', `${this.serviceId} takes POST requests, not ${request.method}.`);
      }
      if (operation === undefined) {
        throw new LocalAwsError(
          'UnknownOperationException',
          target === undefined
            ? `The request has no X-Amz-Target header; ${this.serviceId} requests name their operation as '${this.targetPrefix}.<Operation>'.`
            : `X-Amz-Target '${target}' is not a ${this.serviceId} operation; expected '${this.targetPrefix}.<Operation>'.`,
        );
      }
      const run = this.operations[operation];
      const shapes = this.model.operations?.[operation];
      if (!run || !shapes) {
        throw new LocalAwsError(
          'UnknownOperationException',
          `${this.serviceId} operation '${operation}' is not served by the local AWS endpoint ` +
            `(served: ${Object.keys(this.operations).join(', ')}).`,
        );
      }
      const input = this.parseBody(request);
      const inputShape = shapes.input?.shape;
      const issues = inputShape ? checkShape(this.model, inputShape, input) : [];
      if (issues.length > 0) {
        throw new LocalAwsError('ValidationException', validationMessage(issues));
      }
      const output = await run(input);
      const outputShape = shapes.output?.shape;
      const wire = outputShape ? toJsonWire(this.model, outputShape, output) : {};
      const problems = outputShape ? checkShape(this.model, outputShape, wire) : [];
      if (problems.length > 0) {
        throw new LocalAwsError(
          'InternalFailure',
          `local mode's ${this.serviceId} backend answered ${operation} with a response that ${validationMessage(problems)}`,
          500,
        );
      }
      return {
        operation,
        response: { status: 200, headers: this.headers(request), body: JSON.stringify(wire) },
      };
    } catch (error) {
      return this.errorAnswer(request, operation ?? target ?? '(no X-Amz-Target)', asLocalAwsError(error, `${this.serviceId} ${operation}`));
    }
  }

  public errorAnswer(request: AwsRequest, operation: string, error: LocalAwsError): AwsAnswer {
    // Glue and SageMaker model their errors with a `Message` member, DynamoDB with `message`.
    const messageKey = this.model.shapes[error.code]?.members?.Message ? 'Message' : 'message';
    const body = { __type: error.code, [messageKey]: error.message, ...error.fields };
    return {
      operation,
      errorCode: error.code,
      response: {
        status: error.statusCode,
        headers: { ...this.headers(request), 'x-amzn-ErrorType': error.code },
        body: JSON.stringify(body),
      },
    };
  }

  private headers(request: AwsRequest): Record<string, string> {
    return { 'Content-Type': this.contentType, 'x-amzn-RequestId': request.requestId };
  }

  private parseBody(request: AwsRequest): Record<string, unknown> {
    const type = mediaType(request.headers);
    if (type !== this.contentType) {
      throw new LocalAwsError(
        'SerializationException',
        `Content-Type '${type || '(none)'}' is not ${this.contentType}, which ${this.serviceId} requests use.`,
      );
    }
    let input: unknown;
    try {
      input = JSON.parse(request.body.length === 0 ? '{}' : request.body.toString('utf-8'));
    } catch (error) {
      throw new LocalAwsError('SerializationException', `The request body is not valid JSON: ${(error as Error).message}.`);
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new LocalAwsError('SerializationException', 'The request body must be a JSON object of the request members.');
    }
    return input as Record<string, unknown>;
  }
}

/**
 * A backend's response as JSON protocols send it: timestamps (Date, ISO-8601 string or epoch seconds) become epoch
 * seconds, blobs (Buffer, Uint8Array) base64 strings; everything else is kept for the output check to judge.
 */
export function toJsonWire(model: BotocoreServiceModel, shapeName: string, value: unknown): unknown {
  const shape = model.shapes[shapeName];
  if (value === null || value === undefined || !shape) {
    return value;
  }
  switch (shape.type) {
    case 'timestamp':
      if (value instanceof Date) return value.getTime() / 1000;
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value) / 1000;
      return value;
    case 'blob':
      return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
    case 'list':
      return Array.isArray(value) && shape.member ? value.map((item) => toJsonWire(model, shape.member!.shape, item)) : value;
    case 'map':
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (item === undefined) continue;
        const memberShape = shape.type === 'map' ? shape.value?.shape : shape.members?.[key]?.shape;
        out[key] = memberShape ? toJsonWire(model, memberShape, item) : item;
      }
      return out;
    }
    default:
      return value;
  }
}
