import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** A counting semaphore: at most `slots` holders at once, FIFO. */
export class Semaphore {
  private available: number;
  private readonly waiters: (() => void)[] = [];

  constructor(slots: number) {
    this.available = Math.max(1, Math.floor(slots));
  }

  async acquire(): Promise<() => void> {
    if (this.available > 0) {
      this.available--;
    } else {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.available++;
    };
  }
}

export interface RunProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  readonly logFile: string;
  /** Kill the process after this long. */
  readonly timeoutMs?: number;
  /** Stops the process (SIGTERM, then SIGKILL after a grace period) when aborted. */
  readonly signal?: AbortSignal;
  /** Called with each chunk of output (stdout and stderr), e.g. to parse metrics as they appear. */
  readonly onOutput?: (chunk: string) => void;
}

export interface ProcessResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** True when the process was stopped through `signal`. */
  readonly aborted: boolean;
  /** Wall time of the child process. */
  readonly durationMs: number;
  /** Last lines written to stderr. */
  readonly stderrTail: string;
}

const TAIL_BYTES = 16 * 1024;
const ABORT_GRACE_MS = 3000;

/** Last `lines` lines of a text. */
export function tailLines(text: string, lines: number): string {
  const all = text.replace(/\s+$/, '').split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

/**
 * Runs one child process, streaming its output to a log file (no polling); resolves when it exits.
 * Rejects only when the process cannot be started (with the spawn error, whose `code` says why).
 */
export function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.createWriteStream(options.logFile, { flags: 'a' });
  log.write(`$ ${[options.command, ...options.args].map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
  const started = Date.now();
  return new Promise<ProcessResult>((resolve, reject) => {
    let stderrTail = '';
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs)
        : undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      aborted = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), ABORT_GRACE_MS);
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanUp = (): void => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      options.onOutput?.(chunk.toString('utf8'));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      log.write(chunk);
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-TAIL_BYTES);
      options.onOutput?.(chunk.toString('utf8'));
    });
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      cleanUp();
      log.end(`[local executor] could not start ${options.command}: ${err.message}\n`);
      reject(err);
    });
    child.on('close', (exitCode, signal) => {
      if (settled) return;
      settled = true;
      cleanUp();
      const durationMs = Date.now() - started;
      log.end(
        `[local executor] exit code ${exitCode === null ? `none (signal ${signal})` : exitCode} after ${durationMs} ms\n`,
        () => resolve({ exitCode, signal, timedOut, aborted, durationMs, stderrTail: tailLines(stderrTail, 20) }),
      );
    });
  });
}
