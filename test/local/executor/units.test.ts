import * as fs from 'fs';
import * as path from 'path';
import { buildGraph, classifyError, MetricParser, retryDelaySeconds, StepFailure, type StepJson } from '../../../local/executor';
import { runProcess, Semaphore } from '../../../local/executor/process';
import { decodeHyperParameter, jobName, mapInterpreter, rewriteContainerPath } from '../../../local/executor/steps/common';
import { METRIC_DEFINITIONS, PYTHON, removeTemporaryFolders, temporaryFolder } from './helpers';

afterAll(removeTemporaryFolders);

describe('MetricParser', () => {
  test('the last match is the final value and the series is kept, across chunk boundaries', () => {
    const parser = new MetricParser(METRIC_DEFINITIONS);
    parser.push('[0]\ttrain-rmse:3.5\tvalidation-rmse:4.0\n[1]\ttrain-rm');
    parser.push('se:2.5\tvalidation-rmse:3.0\nnoise\n[2]\ttrain-rmse:1e-1\tvalidation-rmse:2.75');
    const metrics = parser.finish();
    expect(metrics).toEqual([
      { name: 'train:rmse', final: 0.1, values: [3.5, 2.5, 0.1] },
      { name: 'validation:rmse', final: 2.75, values: [4.0, 3.0, 2.75] },
    ]);
  });

  test('Python named groups are accepted; invalid regexes name the metric', () => {
    const parser = new MetricParser([{ Name: 'auc', Regex: 'auc=(?P<value>[0-9.]+)' }]);
    parser.push('auc=0.91\n');
    expect(parser.finish()[0].final).toBe(0.91);
    expect(() => new MetricParser([{ Name: 'bad', Regex: '([0-9' }])).toThrow(/MetricDefinitions "bad" has an invalid Regex "\(\[0-9"/);
  });
});

describe('container conventions', () => {
  test('/opt/ml paths move into the job folder; other strings stay', () => {
    expect(rewriteContainerPath('/opt/ml/processing/input', '/job')).toBe('/job/opt/ml/processing/input');
    expect(rewriteContainerPath('--model-dir=/opt/ml/model', '/job')).toBe('--model-dir=/job/opt/ml/model');
    expect(rewriteContainerPath('/opt/mlx', '/job')).toBe('/opt/mlx');
    expect(rewriteContainerPath('s3://bkt/opt/ml/x', '/job')).toBe('s3://bkt/opt/ml/x');
  });

  test('image interpreters map to the venv python', () => {
    expect(mapInterpreter('python3', '/venv/bin/python')).toBe('/venv/bin/python');
    expect(mapInterpreter('/usr/bin/python3.9', '/venv/bin/python')).toBe('/venv/bin/python');
    expect(mapInterpreter('python', '/venv/bin/python')).toBe('/venv/bin/python');
    expect(mapInterpreter('bash', '/venv/bin/python')).toBe('bash');
  });

  test('job names and hyperparameter decoding', () => {
    expect(jobName(['pipelines', 'abc123', 'My_Step', ''])).toBe('pipelines-abc123-My-Step');
    expect(jobName(['x'.repeat(40), 'y'.repeat(40)]).length).toBe(63);
    expect(decodeHyperParameter('"train.py"')).toBe('train.py');
    expect(decodeHyperParameter('5')).toBe('5');
    expect(decodeHyperParameter('reg:squarederror')).toBe('reg:squarederror');
  });
});

describe('retry mapping', () => {
  test('local failures map to SageMaker exception types', () => {
    expect(classifyError(new StepFailure('killed', 'SageMaker.JOB_INTERNAL_ERROR'))).toBe('SageMaker.JOB_INTERNAL_ERROR');
    expect(classifyError(new StepFailure('exit 1'))).toBeUndefined();
    const errno = (code: string) => Object.assign(new Error(code), { code });
    expect(classifyError(errno('ENOMEM'))).toBe('SageMaker.CAPACITY_ERROR');
    expect(classifyError(errno('EAGAIN'))).toBe('SageMaker.RESOURCE_LIMIT');
    expect(classifyError(errno('EMFILE'))).toBe('SageMaker.RESOURCE_LIMIT');
    expect(classifyError(errno('EIO'))).toBe('Step.SERVICE_FAULT');
    expect(classifyError(errno('ENOENT'))).toBeUndefined();
  });

  test('delays follow IntervalSeconds * BackoffRate^n up to MaxAttempts retries and ExpireAfterMin', () => {
    const policies = [{ ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3 }];
    const delays = [0, 1, 2, 3].map((n) => retryDelaySeconds(policies, 'Processing', 'SageMaker.JOB_INTERNAL_ERROR', n, 0));
    expect(delays).toEqual([2, 6, 18, undefined]);
    expect(retryDelaySeconds(policies, 'Processing', 'Step.SERVICE_FAULT', 0, 0)).toBeUndefined();
    expect(retryDelaySeconds(policies, 'Processing', undefined, 0, 0)).toBeUndefined();
    // defaults: 1 s, x2
    expect(retryDelaySeconds([{ ExceptionType: ['Step.SERVICE_FAULT'], MaxAttempts: 5 }], 'Training', 'Step.SERVICE_FAULT', 2, 0)).toBe(4);
    // ExpireAfterMin bounds the retry window
    const expiring = [{ ExceptionType: ['Step.SERVICE_FAULT'], ExpireAfterMin: 1 }];
    expect(retryDelaySeconds(expiring, 'Training', 'Step.SERVICE_FAULT', 10, 30_000)).toBe(1024);
    expect(retryDelaySeconds(expiring, 'Training', 'Step.SERVICE_FAULT', 10, 61_000)).toBeUndefined();
    // tuning steps do not retry JOB_INTERNAL_ERROR (SageMaker retries trials inside the tuning job)
    expect(retryDelaySeconds(policies, 'Tuning', 'SageMaker.JOB_INTERNAL_ERROR', 0, 0)).toBeUndefined();
    // the older JOB_CAPACITY_ERROR spelling matches CAPACITY_ERROR
    expect(retryDelaySeconds([{ ExceptionType: ['SageMaker.JOB_CAPACITY_ERROR'], MaxAttempts: 1 }], 'Training', 'SageMaker.CAPACITY_ERROR', 0, 0)).toBe(1);
  });
});

describe('buildGraph', () => {
  test('edges from data references, DependsOn and condition branches', () => {
    const steps = [
      { Name: 'A', Type: 'Processing', Arguments: {} },
      { Name: 'B', Type: 'Training', Arguments: { X: { 'Std:Join': { On: '', Values: [{ Get: 'Steps.A.ProcessingJobName' }] } } }, DependsOn: ['A'] },
      {
        Name: 'C',
        Type: 'Condition',
        Arguments: {
          Conditions: [{ Type: 'Equals', LeftValue: { Get: 'Steps.B.TrainingJobStatus' }, RightValue: 'Completed' }],
          IfSteps: [{ Name: 'D', Type: 'Model', Arguments: { PrimaryContainer: { ModelDataUrl: { Get: 'Steps.B.ModelArtifacts.S3ModelArtifacts' } } } }],
          ElseSteps: [{ Name: 'E', Type: 'Fail', Arguments: { ErrorMessage: 'no' } }],
        },
      },
    ] as StepJson[];
    const { graph } = buildGraph(steps);
    expect(graph.nodes).toEqual([
      { name: 'A', type: 'Processing' },
      { name: 'B', type: 'Training' },
      { name: 'C', type: 'Condition' },
      { name: 'D', type: 'Model', branch: { condition: 'C', side: 'if' } },
      { name: 'E', type: 'Fail', branch: { condition: 'C', side: 'else' } },
    ]);
    expect(graph.edges).toEqual([
      { from: 'A', to: 'B', kind: 'data' },
      { from: 'A', to: 'B', kind: 'dependsOn' },
      { from: 'B', to: 'C', kind: 'data' },
      { from: 'C', to: 'D', kind: 'if' },
      { from: 'B', to: 'D', kind: 'data' },
      { from: 'C', to: 'E', kind: 'else' },
    ]);
  });
});

describe('runProcess', () => {
  const tmp = () => temporaryFolder('proc-');

  test('streams output to the log file and keeps the stderr tail', async () => {
    const dir = tmp();
    const log = path.join(dir, 'x.log');
    const result = await runProcess({
      command: PYTHON,
      args: ['-c', 'import sys\nprint("out")\nfor i in range(30): print(f"err {i}", file=sys.stderr)\nsys.exit(4)'],
      cwd: dir,
      env: process.env,
      logFile: log,
    });
    expect(result.exitCode).toBe(4);
    expect(result.stderrTail.split('\n')).toHaveLength(20);
    expect(result.stderrTail.split('\n')[19]).toBe('err 29');
    const text = fs.readFileSync(log, 'utf8');
    expect(text).toContain('out\n');
    expect(text).toContain('err 0\n');
    expect(text).toContain('[local executor] exit code 4');
  });

  test('kills a process that exceeds its timeout', async () => {
    const dir = tmp();
    const started = Date.now();
    const result = await runProcess({
      command: PYTHON,
      args: ['-c', 'import time; time.sleep(30)'],
      cwd: dir,
      env: process.env,
      logFile: path.join(dir, 'x.log'),
      timeoutMs: 300,
    });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('rejects with the spawn error when the command does not exist', async () => {
    const dir = tmp();
    await expect(
      runProcess({ command: path.join(dir, 'nope'), args: [], cwd: dir, env: process.env, logFile: path.join(dir, 'x.log') }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('Semaphore bounds concurrency', async () => {
    const semaphore = new Semaphore(2);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const release = await semaphore.acquire();
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 10));
        active--;
        release();
      }),
    );
    expect(peak).toBe(2);
  });
});
