import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { extractTarGz } from '../../lib/util/tar';
import type { LocalModelRegistry, ModelPackage } from '../registry';
import { resolveServingCode } from '../serving-code';
import type { LocalS3 } from '../s3';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The Python server that gives an inference program SageMaker's endpoint HTTP contract. */
export const SERVE_SCRIPT = path.join(REPO_ROOT, 'local', 'runtime', 'serve.py');
/** The project's virtualenv Python. */
export const DEFAULT_PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');
const DEFAULT_READY_TIMEOUT_MS = 60_000;
const STDERR_KEEP_BYTES = 16 * 1024;
/** The production variant name SageMaker's SDKs give a single-variant endpoint. */
export const DEFAULT_VARIANT_NAME = 'AllTraffic';
/** EndpointName and VariantName: up to 63 letters, digits and hyphens, starting and ending with a letter or digit. */
const NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const NAME_MAX_LENGTH = 63;

/**
 * Data capture of the endpoint, as an endpoint config's DataCaptureConfig: sampled requests and responses are
 * written as SageMaker's data-capture JSON Lines under
 * `<destinationDir>/<endpointName>/<variantName>/yyyy/mm/dd/hh/<mm>-<ss>-<mmm>-<uuid>.jsonl` (UTC).
 */
export interface LocalDataCaptureOptions {
  /** The local folder standing for the capture S3 prefix (DataCaptureConfig.DestinationS3Uri). */
  readonly destinationDir: string;
  /**
   * The share of invocations captured (InitialSamplingPercentage), a whole number from 0 to 100; sampling is
   * spread evenly: exactly that many of every 100 consecutive successful invocations.
   */
  readonly samplingPercentage: number;
  /** Capture the request (CaptureMode Input). @default true */
  readonly captureInput?: boolean;
  /** Capture the response (CaptureMode Output). @default true */
  readonly captureOutput?: boolean;
  /**
   * The endpoint's production variant: the capture folder below the endpoint's, and what InvokeEndpoint answers in
   * `x-Amzn-Invoked-Production-Variant`.
   * @default 'AllTraffic'
   */
  readonly variantName?: string;
}

export interface StartLocalEndpointOptions {
  readonly registry: LocalModelRegistry;
  readonly s3: LocalS3;
  /**
   * The model package version to serve.
   * @default - the latest Approved version of `group`
   */
  readonly modelPackageArn?: string;
  /** Model package group whose latest Approved version is served (when `modelPackageArn` is not given). */
  readonly group?: string;
  /** @default - the project's .venv Python */
  readonly python?: string;
  /** Folder where the model and the code are extracted (a sub-folder per model package version). */
  readonly workDir: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** How long to wait for the server to load the model and listen. @default 60000 */
  readonly readyTimeoutMs?: number;
  /** @default - local/runtime/serve.py */
  readonly serveScript?: string;
  /**
   * The EndpointName SageMaker Runtime's route answers to (`POST /endpoints/<endpointName>/invocations`); any other
   * name gets the ValidationError "Endpoint <name> of account <account> not found.".
   * @default - the model package group's name
   */
  readonly endpointName?: string;
  /** @default - nothing is captured */
  readonly dataCapture?: LocalDataCaptureOptions;
}

/** An HTTP answer of the endpoint. */
export interface InvocationResponse {
  readonly statusCode: number;
  readonly contentType: string;
  readonly body: string;
}

export interface LocalEndpoint {
  /** Base URL, e.g. `http://127.0.0.1:43123`. */
  readonly url: string;
  /**
   * The endpoint URL for SageMaker Runtime clients: `new SageMakerRuntimeClient({ endpoint: runtimeUrl, ... })`
   * sends `InvokeEndpointCommand({ EndpointName: endpointName, ... })` to `<runtimeUrl>/endpoints/<name>/invocations`.
   */
  readonly runtimeUrl: string;
  /** The EndpointName InvokeEndpoint takes. */
  readonly endpointName: string;
  /** The one production variant (`x-Amzn-Invoked-Production-Variant`). */
  readonly variantName: string;
  /** Folder of the captured invocations, `<destinationDir>/<endpointName>/<variantName>` (with `dataCapture`). */
  readonly dataCaptureDir?: string;
  /** The model package version being served. */
  readonly modelPackageArn: string;
  /** Folders the model and the code were extracted to. */
  readonly modelDir: string;
  readonly codeDir: string;
  /** `POST /invocations` (SageMaker's InvokeEndpoint contract). Resolves with any status; rejects only if no answer. */
  invoke(body: string | Buffer, contentType: string, accept?: string): Promise<InvocationResponse>;
  /** `GET /ping`: true when the server answers 200. */
  ping(): Promise<boolean>;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). Safe to call twice. */
  stop(): Promise<void>;
}

/** What the endpoint needs from a model package's first container. */
export interface ServingContainer {
  readonly modelPackageArn: string;
  readonly modelDataUrl: string;
  /** SAGEMAKER_SUBMIT_DIRECTORY: a folder in the model (`/opt/ml/model/code`) or a source tarball's S3 URI. */
  readonly sourceDirUri: string;
  readonly program: string;
}

/** Throws unless `name` is a valid EndpointName / VariantName; the message names the option and the value. */
export function checkEndpointName(option: string, name: string): void {
  if (name.length > NAME_MAX_LENGTH || !NAME_PATTERN.test(name)) {
    throw new Error(
      `${option} "${name}" is not a SageMaker endpoint or variant name: use 1 to ${NAME_MAX_LENGTH} letters, digits and ` +
        'hyphens, starting and ending with a letter or digit',
    );
  }
}

/** Throws unless the data-capture options can work; the message names the option and the value. */
export function checkDataCapture(capture: LocalDataCaptureOptions): void {
  if (typeof capture.destinationDir !== 'string' || capture.destinationDir.trim() === '') {
    throw new Error(`dataCapture.destinationDir ${JSON.stringify(capture.destinationDir)} is empty: pass the folder to capture into`);
  }
  const percent = capture.samplingPercentage;
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new Error(
      `dataCapture.samplingPercentage ${String(percent)} is not a whole number from 0 to 100 (InitialSamplingPercentage): ` +
        'pass e.g. 100 to capture every invocation',
    );
  }
  if (capture.captureInput === false && capture.captureOutput === false) {
    throw new Error('dataCapture with captureInput and captureOutput both false captures nothing: capture at least one of them');
  }
  if (capture.variantName !== undefined) checkEndpointName('dataCapture.variantName', capture.variantName);
}

/** Region and account of a model package ARN (what SageMaker Runtime's errors name). */
function accountOf(arn: string): { region: string; account: string } {
  const match = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):/.exec(arn);
  return match ? { region: match[1], account: match[2] } : { region: 'us-east-1', account: '111111111111' };
}

function captureMode(capture: LocalDataCaptureOptions): 'Input' | 'Output' | 'InputAndOutput' {
  const input = capture.captureInput !== false;
  const output = capture.captureOutput !== false;
  return input && output ? 'InputAndOutput' : input ? 'Input' : 'Output';
}

function resolvePackage(options: StartLocalEndpointOptions): ModelPackage {
  if (options.modelPackageArn) {
    const pkg = options.registry.describeModelPackage(options.modelPackageArn);
    if (pkg.ModelApprovalStatus === 'Rejected') {
      throw new Error(`Model package ${pkg.ModelPackageArn} is Rejected; approve it or serve another version`);
    }
    return pkg;
  }
  if (!options.group) {
    throw new Error('startLocalEndpoint needs modelPackageArn or group (to serve the group\'s latest approved version)');
  }
  const latest = options.registry.latestApproved(options.group);
  if (!latest) {
    const versions = options.registry.listModelPackages(options.group);
    throw new Error(
      `Model package group "${options.group}" has no Approved version in ${options.registry.root} ` +
        `(${versions.length} version(s): ${versions.map((v) => `${v.ModelPackageVersion}=${v.ModelApprovalStatus}`).join(', ') || 'none'}); ` +
        'approve one with LocalModelRegistry.updateApprovalStatus(arn, "Approved")',
    );
  }
  return latest;
}

/** Reads ModelDataUrl, SAGEMAKER_SUBMIT_DIRECTORY and SAGEMAKER_PROGRAM of a model package's first container. */
export function servingContainer(pkg: ModelPackage): ServingContainer {
  const container = pkg.InferenceSpecification?.Containers?.[0];
  const where = `model package ${pkg.ModelPackageArn}`;
  if (!container) throw new Error(`${where} has no InferenceSpecification.Containers; register it with a container`);
  const env = container.Environment ?? {};
  const missing = [
    container.ModelDataUrl ? undefined : 'ModelDataUrl',
    env.SAGEMAKER_SUBMIT_DIRECTORY ? undefined : 'Environment.SAGEMAKER_SUBMIT_DIRECTORY',
    env.SAGEMAKER_PROGRAM ? undefined : 'Environment.SAGEMAKER_PROGRAM',
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    throw new Error(`${where}: its container lacks ${missing.join(', ')} (needed to serve the model locally)`);
  }
  return {
    modelPackageArn: pkg.ModelPackageArn,
    modelDataUrl: container.ModelDataUrl!,
    sourceDirUri: env.SAGEMAKER_SUBMIT_DIRECTORY,
    program: env.SAGEMAKER_PROGRAM,
  };
}

function extractFromS3(s3: LocalS3, uri: string, dest: string, what: string): void {
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  let data: Buffer;
  try {
    data = s3.getObject(uri);
  } catch (error) {
    throw new Error(`Cannot read the ${what} ${uri}: ${(error as Error).message}`);
  }
  try {
    extractTarGz(data, dest);
  } catch (error) {
    throw new Error(`The ${what} ${uri} is not a valid .tar.gz: ${(error as Error).message}`);
  }
}

/** Keeps the last `limit` bytes of a stream's text. */
class Tail {
  private text = '';
  constructor(private readonly limit: number) {}
  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > this.limit) this.text = this.text.slice(this.text.length - this.limit);
  }
  toString(): string {
    return this.text.trim();
  }
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Never leave a server behind when the CLI or a test process ends without calling stop().
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
}

/**
 * Serves a registered model the way a SageMaker endpoint would: extracts the package's model.tar.gz and source
 * tarball from local S3, starts local/runtime/serve.py with the package's SAGEMAKER_PROGRAM, and waits until it
 * prints `READY <url>`. Rejects with the server's stderr when it exits or does not get ready in time.
 *
 * The server answers the container's contract (`GET /ping`, `POST /invocations`) and SageMaker Runtime's
 * InvokeEndpoint (`POST /endpoints/<endpointName>/invocations`) as the AWS SDK calls it: point a
 * `SageMakerRuntimeClient` at `runtimeUrl`. With `dataCapture`, sampled successful invocations are written as
 * SageMaker's data-capture JSON Lines under `dataCaptureDir`.
 */
export async function startLocalEndpoint(options: StartLocalEndpointOptions): Promise<LocalEndpoint> {
  if (options.endpointName !== undefined) checkEndpointName('endpointName', options.endpointName);
  if (options.dataCapture) checkDataCapture(options.dataCapture);
  const pkg = resolvePackage(options);
  const container = servingContainer(pkg);
  const endpointName = options.endpointName ?? pkg.ModelPackageGroupName;
  checkEndpointName('endpointName (the model package group\'s name by default)', endpointName);
  const variantName = options.dataCapture?.variantName ?? DEFAULT_VARIANT_NAME;
  const { region, account } = accountOf(pkg.ModelPackageArn);
  const base = path.resolve(options.workDir, `${pkg.ModelPackageGroupName}-${pkg.ModelPackageVersion}`);
  const modelDir = path.join(base, 'model');
  const codeDir = path.join(base, 'code');
  extractFromS3(options.s3, container.modelDataUrl, modelDir, 'model artifact');
  const programDir = resolveServingCode({
    submitDirectory: container.sourceDirUri,
    program: container.program,
    modelDir,
    codeDir,
    s3: options.s3,
  });

  const python = options.python ?? DEFAULT_PYTHON;
  const script = options.serveScript ?? SERVE_SCRIPT;
  if (!fs.existsSync(python)) {
    throw new Error(`Python not found at ${python}: create the venv with \`npm run venv\` or pass python`);
  }
  const args = [
    script,
    '--code-dir',
    programDir,
    '--program',
    container.program,
    '--model-dir',
    modelDir,
    '--host',
    options.host ?? '127.0.0.1',
    '--port',
    '0',
    '--endpoint-name',
    endpointName,
    '--variant-name',
    variantName,
    '--account',
    account,
    '--region',
    region,
  ];
  let dataCaptureDir: string | undefined;
  if (options.dataCapture) {
    const destination = path.resolve(options.dataCapture.destinationDir);
    dataCaptureDir = path.join(destination, endpointName, variantName);
    args.push(
      '--capture-dir',
      destination,
      '--capture-percent',
      String(options.dataCapture.samplingPercentage),
      '--capture-mode',
      captureMode(options.dataCapture),
    );
  }
  const child = spawn(python, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
  });
  track(child);
  const stderr = new Tail(STDERR_KEEP_BYTES);
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    let settled = false;
    const finish = (error: Error | undefined, value?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error) reject(error);
      else resolve(value!);
    };
    const describe = (): string => `${python} ${args.join(' ')}`;
    const onData = (chunk: Buffer): void => {
      stdout += chunk.toString();
      const match = /^READY (http:\/\/\S+)\s*$/m.exec(stdout);
      if (match) finish(undefined, match[1]);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      // Let the last stderr chunk arrive before reporting it.
      setImmediate(() =>
        finish(
          new Error(
            `The local endpoint server exited (${signal ?? `code ${code}`}) before it was ready.\n` +
              `Command: ${describe()}\nServer stderr:\n${stderr.toString() || '(empty)'}`,
          ),
        ),
      );
    };
    const onError = (error: Error): void => finish(new Error(`Cannot start ${python}: ${error.message}`));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(
        new Error(
          `The local endpoint server did not print READY within ${timeoutMs} ms (loading the model of ` +
            `${pkg.ModelPackageArn}).\nCommand: ${describe()}\nServer stderr:\n${stderr.toString() || '(empty)'}`,
        ),
      );
    }, timeoutMs);
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
  // Keep draining stdout so the server never blocks on a full pipe.
  child.stdout!.resume();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    if (!stopping) {
      stopping = (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
      })();
    }
    return stopping;
  };

  const invoke = async (body: string | Buffer, contentType: string, accept?: string): Promise<InvocationResponse> => {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The local endpoint at ${url} is not running. Server stderr:\n${stderr.toString() || '(empty)'}`);
    }
    const headers: Record<string, string> = { 'Content-Type': contentType };
    if (accept) headers.Accept = accept;
    const response = await fetch(`${url}/invocations`, { method: 'POST', body, headers });
    return {
      statusCode: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
  };

  const ping = async (): Promise<boolean> => {
    try {
      return (await fetch(`${url}/ping`)).status === 200;
    } catch {
      return false;
    }
  };

  return {
    url,
    runtimeUrl: url,
    endpointName,
    variantName,
    dataCaptureDir,
    modelPackageArn: pkg.ModelPackageArn,
    modelDir,
    codeDir: programDir,
    invoke,
    ping,
    stop,
  };
}
