import { escapeHtml as escapeXml } from '../report/html';
import type { BotocoreServiceModel } from './api-model';
import { asLocalAwsError, LocalAwsError, validationMessage } from './errors';
import { mediaType, type AwsAnswer, type AwsRequest, type ServiceProtocol } from './http-io';
import { checkShape, memberPath, type ShapeIssue } from './shape-check';

/** One operation of a query-protocol service: takes the decoded, validated request, returns the result members. */
export type QueryOperation = (input: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** Form parameters split on '.', e.g. `MessageAttributes.entry.1.Name`. */
interface ParamNode {
  value?: string;
  readonly children: Map<string, ParamNode>;
}

/**
 * A service of the awsQuery protocol (SNS): `POST /` with a form-encoded body `Action=<Op>&Version=<api version>&...`
 * whose keys follow the input shape (`List.member.N`, `Map.entry.N.<key name>`); XML answers
 * `<OpResponse><OpResult>...</OpResult><ResponseMetadata>`, errors `<ErrorResponse><Error><Type><Code><Message>`.
 */
export class QueryProtocolService implements ServiceProtocol {
  public readonly serviceId: string;
  private readonly namespace: string;

  /**
   * @param model botocore's model of the service (protocol `query`)
   * @param operations the served operations by name; any other is an `InvalidAction`
   * @param validationCode the error code of a request that does not fit the model (SNS: `InvalidParameter`)
   */
  public constructor(
    private readonly model: BotocoreServiceModel,
    private readonly operations: Readonly<Record<string, QueryOperation>>,
    private readonly validationCode: string,
  ) {
    const { serviceId, protocol, xmlNamespace } = model.metadata ?? {};
    if (protocol !== 'query' || !serviceId || !xmlNamespace) {
      throw new Error(`botocore's ${String(serviceId)} model is not a query-protocol model (protocol ${String(protocol)})`);
    }
    this.serviceId = serviceId;
    this.namespace = xmlNamespace;
  }

  public async handle(request: AwsRequest): Promise<AwsAnswer> {
    const params = new URLSearchParams(request.body.toString('utf-8'));
    const action = params.get('Action') ?? undefined;
    try {
      const type = mediaType(request.headers);
      if (request.method !== 'POST' || type !== 'application/x-www-form-urlencoded') {
        throw new LocalAwsError(
          'MalformedQueryString',
          `${this.serviceId} takes POST requests with an application/x-www-form-urlencoded body, ` +
            `not ${request.method} with '${type || '(no Content-Type)'}'.`,
        );
      }
      const run = action === undefined ? undefined : this.operations[action];
      const shapes = action === undefined ? undefined : this.model.operations?.[action];
      if (action === undefined || !run || !shapes) {
        throw new LocalAwsError(
          action === undefined ? 'MissingAction' : 'InvalidAction',
          `${action === undefined ? 'The request has no Action parameter' : `Action '${action}' is not served by the local AWS endpoint`}; ` +
            `${this.serviceId} actions served here: ${Object.keys(this.operations).join(', ')}.`,
        );
      }
      const version = params.get('Version');
      if (version !== this.model.metadata?.apiVersion) {
        throw new LocalAwsError('InvalidAction', `${action} is served for Version ${this.model.metadata?.apiVersion}, not ${String(version)}.`);
      }
      const inputShape = shapes.input?.shape;
      const input: Record<string, unknown> = {};
      const issues: ShapeIssue[] = [];
      if (inputShape) {
        const tree = paramTree(params);
        Object.assign(input, this.decode(tree, inputShape, '', issues));
        issues.push(...checkShape(this.model, inputShape, input));
      }
      if (issues.length > 0) {
        throw new LocalAwsError(this.validationCode, validationMessage(issues));
      }
      const result = await run(input);
      const resultXml = shapes.output?.shape ? this.toXml(shapes.output.shape, result) : '';
      const wrapper = shapes.output?.resultWrapper ?? `${action}Result`;
      const body =
        `<${action}Response xmlns="${this.namespace}"><${wrapper}>${resultXml}</${wrapper}>` +
        `<ResponseMetadata><RequestId>${request.requestId}</RequestId></ResponseMetadata></${action}Response>`;
      return { operation: action, response: { status: 200, headers: this.headers(request), body } };
    } catch (error) {
      return this.errorAnswer(request, action ?? '(no Action)', asLocalAwsError(error, `${this.serviceId} ${action}`));
    }
  }

  public errorAnswer(request: AwsRequest, operation: string, error: LocalAwsError): AwsAnswer {
    const type = error.statusCode >= 500 ? 'Receiver' : 'Sender';
    const body =
      `<ErrorResponse xmlns="${this.namespace}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
      `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${request.requestId}</RequestId></ErrorResponse>`;
    return { operation, errorCode: error.code, response: { status: error.statusCode, headers: this.headers(request), body } };
  }

  private headers(request: AwsRequest): Record<string, string> {
    return { 'Content-Type': 'text/xml', 'x-amzn-RequestId': request.requestId };
  }

  /** Decodes form parameters into a value of `shapeName`, recording parameters the shape does not have. */
  private decode(node: ParamNode, shapeName: string, path: string, issues: ShapeIssue[]): unknown {
    const shape = this.model.shapes[shapeName];
    switch (shape?.type) {
      case 'structure': {
        const out: Record<string, unknown> = {};
        for (const [name, child] of node.children) {
          const member = Object.entries(shape.members ?? {}).find(([key, ref]) => (ref.locationName ?? key) === name);
          if (!member) {
            issues.push({ path: memberPath(path, name), message: `unknown parameter '${name}' of ${shapeName}.` });
          } else {
            out[member[0]] = this.decode(child, member[1].shape, memberPath(path, member[0]), issues);
          }
        }
        return out;
      }
      case 'list': {
        const items = shape.flattened ? node : node.children.get(shape.member?.locationName ?? 'member');
        return indexed(items).map(([i, item]) => this.decode(item, shape.member?.shape ?? '', `${path}[${i - 1}]`, issues));
      }
      case 'map': {
        const out: Record<string, unknown> = {};
        const entries = shape.flattened ? node : node.children.get('entry');
        for (const [, entry] of indexed(entries)) {
          const key = entry.children.get(shape.key?.locationName ?? 'key')?.value ?? '';
          const value = entry.children.get(shape.value?.locationName ?? 'value');
          out[key] = value ? this.decode(value, shape.value?.shape ?? '', `${path}['${key}']`, issues) : undefined;
        }
        return out;
      }
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
        return node.value !== undefined && node.value.trim() !== '' && Number.isFinite(Number(node.value)) ? Number(node.value) : node.value;
      case 'boolean':
        return node.value === 'true' ? true : node.value === 'false' ? false : node.value;
      default:
        return node.value;
    }
  }

  /** The members of a result as XML elements (scalars, lists of `member`, maps of `entry`). */
  private toXml(shapeName: string, value: unknown): string {
    const shape = this.model.shapes[shapeName];
    if (value === undefined || value === null) return '';
    if (shape?.type === 'structure' && typeof value === 'object') {
      return Object.entries(shape.members ?? {})
        .filter(([name]) => (value as Record<string, unknown>)[name] !== undefined)
        .map(([name, ref]) => {
          const tag = ref.locationName ?? name;
          return `<${tag}>${this.toXml(ref.shape, (value as Record<string, unknown>)[name])}</${tag}>`;
        })
        .join('');
    }
    if (shape?.type === 'list' && Array.isArray(value)) {
      return value.map((item) => `<member>${this.toXml(shape.member?.shape ?? '', item)}</member>`).join('');
    }
    if (shape?.type === 'map' && typeof value === 'object') {
      return Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${this.toXml(shape.value?.shape ?? '', v)}</value></entry>`)
        .join('');
    }
    return escapeXml(value instanceof Date ? value.toISOString() : value);
  }
}

/** Splits form parameters on '.' into a tree (Action and Version left out). */
function paramTree(params: URLSearchParams): ParamNode {
  const root: ParamNode = { children: new Map() };
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    let node = root;
    for (const part of key.split('.')) {
      let child = node.children.get(part);
      if (!child) {
        child = { children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
    node.value = value;
  }
  return root;
}

/** The children of a list or map node numbered 1..N, in number order. */
function indexed(node: ParamNode | undefined): [number, ParamNode][] {
  return [...(node?.children ?? new Map<string, ParamNode>())]
    .filter(([key]) => /^[1-9]\d*$/.test(key))
    .map(([key, child]): [number, ParamNode] => [Number(key), child])
    .sort((a, b) => a[0] - b[0]);
}
