import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { build } from 'esbuild';
import { HANDLER_BUNDLING, HANDLER_RUNTIME, handlerEntry, type HandlerName } from '../../lib/handlers';

/** How one invocation ended: the handler's result or the error it threw, and what it logged. */
export interface InvocationOutcome {
  readonly functionName: string;
  readonly result?: unknown;
  readonly error?: { readonly name?: string; readonly message: string };
  /** The handler's log lines (Powertools' JSON lines, the SDK's warnings). */
  readonly logs: string;
  readonly durationMs: number;
}

/** A function as local mode deploys it: a handler of `lambda/` and its environment. */
export interface LocalFunctionDefinition {
  readonly name: string;
  readonly handler: HandlerName;
  /** The environment the stack gives it (built by `lib/handlers`); the endpoint's AWS variables go over it. */
  readonly environment: Record<string, string>;
  /** @default - HANDLER_RUNTIME.timeoutSeconds, as deployed */
  readonly timeoutMs?: number;
}

const RUNNER = path.join(__dirname, 'runner.cjs');

/**
 * Lambda functions on this machine: each handler is bundled once with the bundling options the stacks use (esbuild),
 * and each invocation runs in its own Node.js process with the function's environment plus the local AWS endpoint's,
 * so the handler's SDK clients call the local endpoint as they would call AWS.
 */
export class LocalLambda {
  private readonly bundles = new Map<HandlerName, Promise<string>>();
  /** Every invocation so far, in order. */
  readonly invocations: InvocationOutcome[] = [];

  constructor(private readonly options: { readonly workDir: string; readonly awsEnvironment: Record<string, string>; readonly region: string; readonly account: string }) {}

  /** Bundles a handler (once per process) and returns the bundle's path. */
  bundle(handler: HandlerName): Promise<string> {
    let bundle = this.bundles.get(handler);
    if (!bundle) {
      const outfile = path.join(this.options.workDir, 'lambda', handler, 'index.js');
      bundle = build({
        entryPoints: [handlerEntry(handler)],
        bundle: true,
        platform: 'node',
        target: HANDLER_BUNDLING.target,
        format: HANDLER_BUNDLING.format,
        minify: HANDLER_BUNDLING.minify,
        sourcemap: HANDLER_BUNDLING.sourcemap,
        outfile,
        logLevel: 'silent',
      }).then(() => outfile);
      this.bundles.set(handler, bundle);
    }
    return bundle;
  }

  /** Invokes a function with an event, in a process of its own; resolves with how it ended (never rejects for a handler error). */
  async invoke(fn: LocalFunctionDefinition, event: unknown): Promise<InvocationOutcome> {
    const bundle = await this.bundle(fn.handler);
    const dir = fs.mkdtempSync(path.join(this.options.workDir, 'lambda', `${fn.name}-`));
    const eventFile = path.join(dir, 'event.json');
    const resultFile = path.join(dir, 'result.json');
    fs.writeFileSync(eventFile, JSON.stringify(event));
    const timeoutMs = fn.timeoutMs ?? HANDLER_RUNTIME.timeoutSeconds * 1000;
    const started = Date.now();
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--enable-source-maps', RUNNER, bundle], {
        env: {
          PATH: process.env.PATH ?? '',
          // The function's environment as deployed; the endpoint's AWS variables are what differ locally.
          ...fn.environment,
          ...this.options.awsEnvironment,
          AWS_LAMBDA_FUNCTION_NAME: fn.name,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(HANDLER_RUNTIME.memorySizeMb),
          AWS_REGION: this.options.region,
          LOCAL_LAMBDA_ARN: `arn:aws:lambda:${this.options.region}:${this.options.account}:function:${fn.name}`,
          LOCAL_LAMBDA_EVENT: eventFile,
          LOCAL_LAMBDA_RESULT: resultFile,
          LOCAL_LAMBDA_TIMEOUT_MS: String(timeoutMs),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5_000);
      child.on('error', reject);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolve({ code: exitCode, output: text });
      });
    });
    let outcome: InvocationOutcome;
    if (fs.existsSync(resultFile)) {
      const parsed = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as { result?: unknown; error?: InvocationOutcome['error'] };
      outcome = { functionName: fn.name, ...parsed, logs: output, durationMs: Date.now() - started };
    } else {
      const why = code === null ? `was killed after ${timeoutMs} ms (timeout)` : `exited with code ${code} before it returned`;
      outcome = { functionName: fn.name, error: { name: 'Runtime.ExitError', message: `${fn.name} ${why}` }, logs: output, durationMs: Date.now() - started };
    }
    fs.rmSync(dir, { recursive: true, force: true });
    this.invocations.push(outcome);
    return outcome;
  }
}
