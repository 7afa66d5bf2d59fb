import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { executePipeline, type PipelineDefinitionJson } from '../../../local/executor';
import { runProcess } from '../../../local/executor/process';
import { newWorkspace, processingStep, PYTHON, REPO, removeTemporaryFolders, temporaryFolder } from './helpers';

afterAll(removeTemporaryFolders);

/** True while a process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/** A shell job that starts a `sleep 25` grandchild holding its stdout, records its pid, then waits. */
function sleeperJob(dir: string, thenSleep: number): { command: string; args: string[]; pidFile: string } {
  const pidFile = path.join(dir, 'grandchild.pid');
  return { command: 'sh', args: ['-c', `sleep 25 & echo $! > "${pidFile}"; sleep ${thenSleep}`], pidFile };
}

const readPid = (file: string): number => Number(fs.readFileSync(file, 'utf8').trim());

describe('runProcess and the processes a job starts', () => {
  test('the run-time limit ends the whole process group, not just the direct child', async () => {
    const dir = temporaryFolder('process-');
    const job = sleeperJob(dir, 30);
    const started = Date.now();
    const result = await runProcess({ ...job, cwd: dir, env: process.env, logFile: path.join(dir, 'log'), timeoutMs: 1000 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.timedOut).toBe(true);
    expect(await waitFor(() => !alive(readPid(job.pidFile)), 2000)).toBe(true);
  });

  test('an abort ends the whole process group', async () => {
    const dir = temporaryFolder('process-');
    const job = sleeperJob(dir, 30);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const started = Date.now();
    const result = await runProcess({ ...job, cwd: dir, env: process.env, logFile: path.join(dir, 'log'), signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.aborted).toBe(true);
    expect(await waitFor(() => !alive(readPid(job.pidFile)), 2000)).toBe(true);
  });

  test('a job that exits while a grandchild still holds its output is done, and the grandchild is stopped', async () => {
    const dir = temporaryFolder('process-');
    const job = sleeperJob(dir, 0);
    const started = Date.now();
    const result = await runProcess({ ...job, cwd: dir, env: process.env, logFile: path.join(dir, 'log') });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.exitCode).toBe(0);
    expect(await waitFor(() => !alive(readPid(job.pidFile)), 2000)).toBe(true);
  });

  test.each([
    ['gets Ctrl-C at the terminal (SIGINT to its process group)', 'process.kill(-process.pid, "SIGINT")', [null, 'SIGINT']],
    ['is ended by SIGTERM', 'process.kill(process.pid, "SIGTERM")', [null, 'SIGTERM']],
    ['calls process.exit', 'process.exit(3)', [3, null]],
  ])('jobs die with the Node process when it %s', async (_, how, expected) => {
    const dir = temporaryFolder('process-');
    const job = sleeperJob(dir, 30);
    const script = `
      require('ts-node').register({ transpileOnly: true });
      const { runProcess } = require(${JSON.stringify(path.join(REPO, 'local', 'executor', 'process.ts'))});
      const fs = require('fs');
      runProcess({ ...${JSON.stringify({ ...job, cwd: dir, logFile: path.join(dir, 'log') })}, env: process.env });
      const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(job.pidFile)})) { clearInterval(t); ${how}; } }, 50);
    `;
    // detached: the Node process leads its own process group, as a shell's foreground job does
    const node = spawn(process.execPath, ['-e', script], { cwd: REPO, stdio: 'ignore', detached: true });
    const exit = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => node.on('exit', (c, s) => resolve([c, s])));
    expect(exit).toEqual(expected);
    expect(await waitFor(() => !alive(readPid(job.pidFile)), 3000)).toBe(true);
  });
});

describe('MaxRuntimeInSeconds with a grandchild', () => {
  test('stops a Processing step whose script started a sleeper, within the limit', async () => {
    const ws = newWorkspace();
    const pidFile = path.join(ws.root, 'sleeper.pid');
    const step = processingStep({ name: 'Spawner', script: 'spawn_sleeper.py', args: [pidFile, '30'] });
    (step.Arguments as Record<string, unknown>).StoppingCondition = { MaxRuntimeInSeconds: 2 };
    const definition: PipelineDefinitionJson = { Version: '2020-12-01', Metadata: {}, Parameters: [], Steps: [step] };
    const started = Date.now();
    const record = await executePipeline({
      definition,
      pipelineName: 'process',
      s3: ws.s3,
      registry: ws.registry,
      workDir: ws.workDir,
      python: PYTHON,
      executionId: 'run-1',
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(record.failureReason).toMatch(/exceeded MaxRuntimeInSeconds \(2 s\) and was stopped/);
    expect(await waitFor(() => !alive(readPid(pidFile)), 2000)).toBe(true);
  });
});
