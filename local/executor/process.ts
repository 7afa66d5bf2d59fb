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
/** How long to wait for the output pipes to close once the job's main process has exited. */
const CLOSE_GRACE_MS = 2000;

/**
 * Process groups of running jobs. Jobs run in their own group (so a timeout or abort also ends what they
 * started), which also means they no longer get the terminal's Ctrl-C or die with this process: they are killed
 * here when this process exits, or is ended by SIGINT / SIGTERM / SIGHUP that nobody else handles.
 */
const liveGroups = new Set<number>();
const EXIT_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

function killLiveGroups(): void {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
}

function onExitSignal(signal: NodeJS.Signals): void {
  // Another listener (e.g. the CLI stopping the execution) decides what this signal does; the 'exit' hook still
  // cleans up if it ends the process.
  if (process.listenerCount(signal) > 1) return;
  killLiveGroups();
  setExitHooks(false);
  process.kill(process.pid, signal); // the default action, now that no listener is left
}

function setExitHooks(on: boolean): void {
  if (on) {
    process.on('exit', killLiveGroups);
    for (const s of EXIT_SIGNALS) process.on(s, onExitSignal);
  } else {
    process.removeListener('exit', killLiveGroups);
    for (const s of EXIT_SIGNALS) process.removeListener(s, onExitSignal);
  }
}

function trackGroup(pid: number): void {
  if (liveGroups.size === 0) setExitHooks(true);
  liveGroups.add(pid);
}

function untrackGroup(pid: number): void {
  if (liveGroups.delete(pid) && liveGroups.size === 0) setExitHooks(false);
}

/** Last `lines` lines of a text. */
export function tailLines(text: string, lines: number): string {
  const all = text.replace(/\s+$/, '').split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

/**
 * Runs one child process in its own process group, streaming its output to a log file (no polling); resolves
 * when it exits. As when a SageMaker job's container stops, a timeout, an abort and the end of the main process
 * end the whole group, so processes the job started cannot keep the step running.
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
      detached: true,
    });
    const pid = child.pid;
    if (pid !== undefined) trackGroup(pid);
    const kill = (signal: NodeJS.Signals): void => {
      if (pid !== undefined) killGroup(pid, signal);
    };
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            kill('SIGKILL');
          }, options.timeoutMs)
        : undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let closeTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      aborted = true;
      kill('SIGTERM');
      killTimer = setTimeout(() => kill('SIGKILL'), ABORT_GRACE_MS);
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanUp = (): void => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      if (closeTimer) clearTimeout(closeTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) untrackGroup(pid);
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
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      cleanUp();
      child.stdout.destroy();
      child.stderr.destroy();
      const durationMs = Date.now() - started;
      log.end(
        `[local executor] exit code ${exitCode === null ? `none (signal ${signal})` : exitCode} after ${durationMs} ms\n`,
        () => resolve({ exitCode, signal, timedOut, aborted, durationMs, stderrTail: tailLines(stderrTail, 20) }),
      );
    };
    child.on('exit', (exitCode, signal) => {
      // The job ends with its main process: stop what it left running, then give the pipes a moment to drain.
      kill('SIGKILL');
      closeTimer = setTimeout(() => finish(exitCode, signal), CLOSE_GRACE_MS);
    });
    child.on('close', (exitCode, signal) => finish(exitCode, signal));
  });
}
