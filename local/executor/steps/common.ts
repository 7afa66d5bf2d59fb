import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ProcessResult } from '../process';
import { StepFailure } from '../retry';
import type { ExecutionIdentity } from './context';

/** The ARN of a SageMaker resource the execution creates, in its account and region. */
export function sagemakerArn(execution: Pick<ExecutionIdentity, 'region' | 'account'>, resource: string, name: string): string {
  return `arn:aws:sagemaker:${execution.region}:${execution.account}:${resource}/${name}`;
}

/** A SageMaker-style job name: letters, digits and hyphens, at most `max` characters. */
export function jobName(parts: readonly string[], max = 63): string {
  const cleaned = parts
    .map((p) => p.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter((p) => p !== '')
    .join('-')
    .replace(/-{2,}/g, '-');
  return cleaned.slice(0, max).replace(/-+$/, '');
}

/**
 * `relative` (a container path such as `/opt/ml/processing/x`, or a path relative to `dir`) as a path inside `dir`.
 * Throws naming the value when it has a `..` segment or would otherwise end up outside `dir`.
 */
export function pathInside(dir: string, relative: string, what: string): string {
  if (relative.split('/').includes('..')) {
    throw new StepFailure(`${what} "${relative}" has a ".." segment; local mode maps it into the job folder, so use a path without ".."`);
  }
  const resolved = path.join(dir, path.posix.normalize(relative));
  const rel = path.relative(dir, resolved);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new StepFailure(`${what} "${relative}" resolves outside the job folder ${dir}`);
  }
  return resolved;
}

/** True when a folder holds no file (at any depth). */
export function holdsNoFile(dir: string): boolean {
  if (!fs.existsSync(dir)) return true;
  return fs.readdirSync(dir, { withFileTypes: true }).every((e) => e.isDirectory() && holdsNoFile(path.join(dir, e.name)));
}

/** `/opt/ml/...` (also in `--flag=/opt/ml/...`) → the same path under the job folder. */
export function rewriteContainerPath(value: string, jobDir: string): string {
  if (value === '/opt/ml' || value.startsWith('/opt/ml/')) return pathInside(jobDir, value, 'Container path');
  const eq = value.indexOf('=/opt/ml/');
  if (eq >= 0) return `${value.slice(0, eq + 1)}${pathInside(jobDir, value.slice(eq + 1), 'Container path')}`;
  return value;
}

/** A container's python interpreter (`python3`, `/usr/bin/python3.9`, ...) runs as the venv python. */
export function mapInterpreter(command: string, python: string): string {
  return /^python(\d+(\.\d+)?)?$/.test(path.basename(command)) ? python : command;
}

/** Environment for child processes: the executor's own, plus Python settings that keep runs clean. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    ...extra,
  };
}

export function cpuCount(): number {
  return Math.max(1, os.cpus().length);
}

/** Decodes a JSON-encoded hyperparameter (`"\"train.py\""` → `train.py`); other strings are returned as they are. */
export function decodeHyperParameter(value: unknown): string {
  const text = String(value);
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'string') return parsed;
  } catch {
    // not JSON: use as is
  }
  return text;
}

/** The failure of a child process, with exit code and stderr tail; signals map to JOB_INTERNAL_ERROR. */
export function processFailure(what: string, result: ProcessResult, logFile: string, timeoutSeconds?: number): StepFailure {
  if (result.aborted) return new StepFailure(`${what} was stopped because the execution was stopped. Log: ${logFile}`);
  if (result.timedOut) {
    return new StepFailure(
      `${what} exceeded MaxRuntimeInSeconds (${timeoutSeconds} s) and was stopped. Log: ${logFile}` +
        (result.stderrTail ? `\nLast lines of stderr:\n${result.stderrTail}` : ''),
    );
  }
  const how = result.exitCode !== null ? `exited with code ${result.exitCode}` : `was killed by signal ${result.signal}`;
  const tail = result.stderrTail ? `\nLast lines of stderr:\n${result.stderrTail}` : ' (no stderr output)';
  return new StepFailure(
    `${what} ${how}.${tail}\nFull log: ${logFile}`,
    result.exitCode === null ? 'SageMaker.JOB_INTERNAL_ERROR' : undefined,
  );
}

/** Maps a spawn error (e.g. missing interpreter) to a clear message, keeping its errno code. */
export function spawnFailure(command: string, err: NodeJS.ErrnoException): Error {
  const hint =
    err.code === 'ENOENT'
      ? ` The interpreter was not found; create the Python environment with "npm run venv" or pass the python option.`
      : '';
  const out = new Error(`Could not start "${command}": ${err.message}.${hint}`) as NodeJS.ErrnoException;
  out.code = err.code;
  return out;
}

export function timeoutMs(stoppingCondition: unknown): { ms?: number; seconds?: number } {
  const seconds = (stoppingCondition as { MaxRuntimeInSeconds?: unknown } | undefined)?.MaxRuntimeInSeconds;
  if (typeof seconds === 'number' && seconds > 0) return { ms: seconds * 1000, seconds };
  return {};
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new StepFailure(`${what} must be an object, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

export function asString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new StepFailure(`${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function asList(value: unknown, what: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new StepFailure(`${what} must be a list, got ${JSON.stringify(value)}`);
  return value;
}
