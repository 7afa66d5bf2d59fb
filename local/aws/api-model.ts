import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

/** A member reference inside a botocore shape, with its wire binding where the protocol has one. */
export interface BotocoreShapeRef {
  readonly shape: string;
  /** REST protocols: where the member travels (`uri`, `header`, `querystring`, `headers`, `statusCode`). */
  readonly location?: string;
  /** The member's name on the wire (header name, query parameter, XML element, query-protocol key). */
  readonly locationName?: string;
}

/** A shape of a botocore service model (the parts the checker and the protocols read). */
export interface BotocoreShape {
  readonly type: string;
  readonly members?: { readonly [name: string]: BotocoreShapeRef };
  readonly required?: readonly string[];
  readonly member?: BotocoreShapeRef;
  readonly key?: BotocoreShapeRef;
  readonly value?: BotocoreShapeRef;
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly union?: boolean;
  readonly flattened?: boolean;
  readonly exception?: boolean;
  readonly error?: { readonly code?: string; readonly httpStatusCode?: number };
}

/** An operation of a botocore service model. */
export interface BotocoreOperation {
  readonly input?: BotocoreShapeRef;
  readonly output?: BotocoreShapeRef & { readonly resultWrapper?: string };
  readonly http?: { readonly method?: string; readonly requestUri?: string };
}

/** A botocore service model (service-2.json). */
export interface BotocoreServiceModel {
  readonly metadata?: {
    readonly apiVersion?: string;
    readonly serviceId?: string;
    /** `json`, `query`, `rest-xml`, `rest-json`, `ec2`. */
    readonly protocol?: string;
    /** JSON protocols: the `X-Amz-Target` prefix, e.g. `AWSGlue`. */
    readonly targetPrefix?: string;
    /** JSON protocols: `1.0` or `1.1`. */
    readonly jsonVersion?: string;
    readonly signingName?: string;
    readonly endpointPrefix?: string;
    readonly xmlNamespace?: string;
  };
  readonly operations?: { readonly [name: string]: BotocoreOperation };
  readonly shapes: { readonly [name: string]: BotocoreShape };
}

/** Which service model to load: botocore's folder name and the `serviceId` its metadata must carry. */
export interface ServiceModelId {
  /** botocore's data folder, e.g. `sagemaker`, `dynamodb`. */
  readonly directory: string;
  /** `metadata.serviceId`, e.g. `SageMaker`, `DynamoDB`. */
  readonly serviceId: string;
}

/** The project's Python virtualenv, where `npm run venv` installs botocore. */
export const DEFAULT_VENV_DIR = path.resolve(__dirname, '..', '..', '.venv');

/**
 * Finds botocore's model of a service in a Python virtualenv
 * (`<venv>/lib/python3.*\/site-packages/botocore/data/<directory>/<api version>/service-2.json[.gz]`); the newest
 * Python, then the newest API version wins. Returns undefined when there is none.
 */
export function findServiceModel(venvDir: string, directory: string): string | undefined {
  const libDir = path.join(venvDir, 'lib');
  if (!fs.existsSync(libDir)) {
    return undefined;
  }
  const pythons = fs
    .readdirSync(libDir)
    .filter((d) => /^python3\.\d+$/.test(d))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  for (const python of pythons.reverse()) {
    const serviceDir = path.join(libDir, python, 'site-packages', 'botocore', 'data', directory);
    if (!fs.existsSync(serviceDir)) continue;
    const versions = fs.readdirSync(serviceDir).sort().reverse();
    for (const version of versions) {
      for (const file of ['service-2.json.gz', 'service-2.json']) {
        const candidate = path.join(serviceDir, version, file);
        if (fs.existsSync(candidate)) {
          return candidate;
        }
      }
    }
  }
  return undefined;
}

/**
 * Loads botocore's model of a service from a Python virtualenv. Throws, telling the user to run `npm run venv`,
 * when the venv or botocore is missing, and naming the file when it holds another service's model.
 */
export function loadServiceModel(venvDir: string, id: ServiceModelId): BotocoreServiceModel {
  const file = findServiceModel(venvDir, id.directory);
  if (!file) {
    const where = path.join(venvDir, 'lib', 'python3.*', 'site-packages', 'botocore', 'data', id.directory);
    throw new Error(
      `botocore's ${id.serviceId} service model was not found under ${where}. ` +
        'Run `npm run venv` to create the Python virtualenv, which installs botocore.',
    );
  }
  const raw = fs.readFileSync(file);
  const text = file.endsWith('.gz') ? zlib.gunzipSync(raw).toString('utf-8') : raw.toString('utf-8');
  const model = JSON.parse(text) as BotocoreServiceModel;
  if (!model.shapes || model.metadata?.serviceId !== id.serviceId) {
    throw new Error(
      `${file} is not botocore's ${id.serviceId} service model (serviceId ${String(model.metadata?.serviceId)}).`,
    );
  }
  return model;
}
