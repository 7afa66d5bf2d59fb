import * as fs from 'fs';
import * as path from 'path';
import { executePipeline, PipelineDefinitionError, type PipelineDefinitionJson } from '../../../local/executor';
import { BUCKET, fixturePipeline, newWorkspace, processingStep, PYTHON, removeTemporaryFolders, type Workspace } from './helpers';

afterAll(removeTemporaryFolders);

function run(ws: Workspace, definition: PipelineDefinitionJson | string, extra: Record<string, unknown> = {}) {
  return executePipeline({
    definition,
    pipelineName: 'failures',
    s3: ws.s3,
    registry: ws.registry,
    workDir: ws.workDir,
    python: PYTHON,
    executionId: 'run-1',
    retryDelayScale: 0,
    ...extra,
  });
}

function single(step: ReturnType<typeof processingStep>, extraSteps: PipelineDefinitionJson['Steps'] = []): PipelineDefinitionJson {
  return { Version: '2020-12-01', Metadata: {}, Parameters: [], Steps: [step, ...extraSteps] };
}

const executionDir = (ws: Workspace) => path.join(ws.workDir, 'executions', 'failures', 'run-1');

describe('step failures', () => {
  test('a script that exits non-zero fails the step and the execution with its exit code and stderr tail', async () => {
    const ws = newWorkspace();
    const after = processingStep({ name: 'After', script: 'transform_text.py', extra: { DependsOn: ['Crash'] } });
    const record = await run(ws, single(processingStep({ name: 'Crash', script: 'crash.py', args: ['3'] }), [after]));
    expect(record.status).toBe('Failed');
    expect(record.failedStep).toBe('Crash');
    expect(record.failureReason).toContain('Step "Crash" failed: Processing job pipelines-run-1-Crash (step "Crash") exited with code 3.');
    expect(record.failureReason).toContain("ValueError: label column 'target' not found");
    // only the last 20 stderr lines
    expect(record.failureReason).toContain('noise line 29');
    expect(record.failureReason).not.toContain('noise line 10\n');
    const crash = record.steps.find((s) => s.name === 'Crash')!;
    expect(crash.status).toBe('Failed');
    expect(crash.attempts).toHaveLength(1);
    expect(crash.attempts[0].exceptionType).toBeUndefined();
    expect(crash.properties).toMatchObject({ ProcessingJobStatus: 'Failed', ExitMessage: expect.stringContaining('ValueError') });
    expect(record.steps.find((s) => s.name === 'After')).toMatchObject({
      status: 'NotExecuted',
      notExecutedReason: expect.stringMatching(/depends on "Crash", which failed/),
    });
    expect(fs.readFileSync(crash.logFiles[0], 'utf8')).toContain('noise line 0');
  });

  test('RetryPolicies retry a process killed by a signal (SageMaker.JOB_INTERNAL_ERROR) and record the attempts', async () => {
    const ws = newWorkspace();
    const marker = path.join(ws.root, 'flaky-marker');
    const step = processingStep({
      name: 'Flaky',
      script: 'flaky.py',
      args: [marker, '/opt/ml/processing/out'],
      outputs: [{ name: 'out', uri: `s3://${BUCKET}/flaky`, localPath: '/opt/ml/processing/out' }],
      extra: {
        RetryPolicies: [{ ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2 }],
      },
    });
    const events: string[] = [];
    const record = await run(ws, single(step), {
      onEvent: (e: { type: string; willRetry?: boolean; retryInSeconds?: number }) =>
        events.push(e.type === 'stepFailed' ? `failed:${e.willRetry}:${e.retryInSeconds}` : e.type),
    });
    expect(record.status).toBe('Succeeded');
    const flaky = record.steps[0];
    expect(flaky.attempts.map((a) => [a.attempt, a.status, a.exceptionType])).toEqual([
      [1, 'Failed', 'SageMaker.JOB_INTERNAL_ERROR'],
      [2, 'Succeeded', undefined],
    ]);
    expect(flaky.attempts[0].failureReason).toMatch(/was killed by signal SIGKILL/);
    expect(events).toContain('failed:true:1');
    expect(ws.s3.getText(`s3://${BUCKET}/flaky/ok.txt`)).toBe('ok');
    expect(flaky.properties!.ProcessingJobName).toBe('pipelines-run-1-Flaky-a2');
    expect(flaky.logFiles.map((f) => path.basename(f))).toEqual(['Flaky.log', 'Flaky.attempt-2.log']);
  });

  test('a failure whose type no policy lists is not retried', async () => {
    const ws = newWorkspace();
    const step = processingStep({
      name: 'Crash',
      script: 'crash.py',
      extra: { RetryPolicies: [{ ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR', 'Step.SERVICE_FAULT'], MaxAttempts: 3 }] },
    });
    const record = await run(ws, single(step));
    expect(record.status).toBe('Failed');
    expect(record.steps[0].attempts).toHaveLength(1);
  });

  test('retries stop after MaxAttempts retries, waiting IntervalSeconds * BackoffRate^n', async () => {
    const ws = newWorkspace();
    const step = processingStep({
      name: 'Flaky',
      script: 'flaky.py',
      args: ['always', '/opt/ml/processing/out'],
      extra: { RetryPolicies: [{ ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 2 }] },
    });
    const waits: (number | undefined)[] = [];
    const record = await run(ws, single(step), {
      onEvent: (e: { type: string; retryInSeconds?: number }) => {
        if (e.type === 'stepFailed') waits.push(e.retryInSeconds);
      },
    });
    expect(record.status).toBe('Failed');
    expect(record.steps[0].attempts.map((a) => a.status)).toEqual(['Failed', 'Failed', 'Failed']);
    expect(waits).toEqual([2, 6, undefined]);
    expect(record.failureReason).toMatch(/was killed by signal SIGKILL/);
  });

  test('MaxRuntimeInSeconds stops a job that runs too long', async () => {
    const ws = newWorkspace();
    const step = processingStep({ name: 'Slow', script: 'sleep.py', args: ['30'] });
    (step.Arguments as Record<string, unknown>).StoppingCondition = { MaxRuntimeInSeconds: 1 };
    const started = Date.now();
    const record = await run(ws, single(step));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(record.failureReason).toMatch(/exceeded MaxRuntimeInSeconds \(1 s\) and was stopped/);
    expect(record.steps[0].attempts[0].exceptionType).toBeUndefined();
  });

  test('an aborted signal stops the execution: running jobs are terminated and nothing else starts', async () => {
    const ws = newWorkspace();
    const slow = processingStep({ name: 'Slow', script: 'sleep.py', args: ['30'] });
    const after = processingStep({ name: 'After', script: 'sleep.py', args: ['0'], extra: { DependsOn: ['Slow'] } });
    const controller = new AbortController();
    const started = Date.now();
    const finished: string[] = [];
    const record = await run(ws, single(slow, [after]), {
      signal: controller.signal,
      onEvent: (e: { type: string; status?: string }) => {
        if (e.type === 'stepStarted') setTimeout(() => controller.abort(new Error('interrupted by the user')), 300);
        if (e.type === 'executionFinished') finished.push(String(e.status));
      },
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(record.status).toBe('Stopped');
    expect(finished).toEqual(['Stopped']);
    expect(record.failureReason).toBe('Execution stopped: interrupted by the user');
    expect(record.steps.map((s) => [s.name, s.status])).toEqual([
      ['Slow', 'Failed'],
      ['After', 'NotExecuted'],
    ]);
    expect(record.steps[0].failureReason).toMatch(/was stopped because the execution was stopped/);
    expect(record.steps[1].notExecutedReason).toMatch(/stopped|failed/);
    expect(JSON.parse(fs.readFileSync(path.join(executionDir(ws), 'execution.json'), 'utf8')).status).toBe('Stopped');
  });

  test('a missing input fails the step, naming the URI and what to do', async () => {
    const ws = newWorkspace();
    const step = processingStep({
      name: 'Prep',
      script: 'transform_text.py',
      inputs: [{ name: 'data', uri: `s3://${BUCKET}/nothing/here`, localPath: '/opt/ml/processing/input/data' }],
    });
    const record = await run(ws, single(step));
    expect(record.failureReason).toMatch(/ProcessingInputs "data": No objects found under s3:\/\/fixture-bucket\/nothing\/here .*Upload the data first/);
  });

  test('an unresolvable property path fails the step, naming the expression and what exists', async () => {
    const ws = newWorkspace();
    const first = processingStep({
      name: 'First',
      script: 'transform_text.py',
      args: ['--input-dir', '/opt/ml/processing/input/data', '--output-dir', '/opt/ml/processing/o', '--report-dir', '/opt/ml/processing/r'],
      inputs: [{ name: 'data', uri: `s3://${BUCKET}/data/input`, localPath: '/opt/ml/processing/input/data' }],
      outputs: [{ name: 'o', uri: `s3://${BUCKET}/o`, localPath: '/opt/ml/processing/o' }],
    });
    const second = processingStep({
      name: 'Second',
      script: 'transform_text.py',
      inputs: [{ name: 'data', uri: { Get: 'Steps.First.ProcessingOutputConfig.Outputs[0].S3Output.Uri' }, localPath: '/opt/ml/processing/x' }],
    });
    const record = await run(ws, single(first, [second]));
    expect(record.failedStep).toBe('Second');
    expect(record.failureReason).toContain(
      'Cannot resolve {"Get":"Steps.First.ProcessingOutputConfig.Outputs[0].S3Output.Uri"}: ProcessingOutputConfig.Outputs[0].S3Output has no property "Uri" (available: S3Uri, LocalPath, S3UploadMode)',
    );
  });

  test.each([
    ['a scalar Get', { Get: 'Parameters.F' }, '6.0'],
    ['Std:Join', { 'Std:Join': { On: ' ', Values: ['F is', { Get: 'Parameters.F' }] } }, 'F is 6.0'],
  ])('a Fail step ErrorMessage from %s formats a Float parameter as SageMaker does', async (_, message, expected) => {
    const ws = newWorkspace();
    const definition: PipelineDefinitionJson = {
      Version: '2020-12-01',
      Metadata: {},
      Parameters: [{ Name: 'F', Type: 'Float', DefaultValue: 6 }],
      Steps: [{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: message } }],
    };
    const record = await run(ws, definition);
    expect(record.failureReason).toBe(expected);
    expect(record.steps[0].properties).toEqual({ ErrorMessage: expected });
  });

  test('a tuning step fails only when every trial fails', async () => {
    const ws = newWorkspace();
    const definition = fixturePipeline();
    const tune = definition.Steps[1] as unknown as { Arguments: { TrainingJobDefinition: { StaticHyperParameters: Record<string, string> } } };
    tune.Arguments.TrainingJobDefinition.StaticHyperParameters.fail = 'yes';
    const record = await run(ws, definition);
    expect(record.failedStep).toBe('Tune');
    expect(record.failureReason).toMatch(/All 3 training jobs of tuning job Tune-run-1 failed; first failure \(Tune-run-1-001-[0-9a-f]{8}\)/);
    expect(record.failureReason).toContain('training failed on purpose');
    const trials = record.steps.find((s) => s.name === 'Tune')!.trials!;
    expect(trials.map((t) => t.status)).toEqual(['Failed', 'Failed', 'Failed']);
    expect(record.steps.find((s) => s.name === 'Evaluate')!.status).toBe('NotExecuted');
  });
});

describe('definitions that cannot run', () => {
  async function expectRejected(ws: Workspace, definition: unknown, message: RegExp, extra: Record<string, unknown> = {}) {
    await expect(run(ws, definition as PipelineDefinitionJson, extra)).rejects.toThrow(message);
    // nothing ran: no execution (or step) folder was created
    expect(fs.existsSync(executionDir(ws))).toBe(false);
    expect(fs.existsSync(path.join(ws.workDir, 'executions'))).toBe(false);
  }

  test('malformed JSON', async () => {
    await expectRejected(newWorkspace(), '{"Steps": [', /Invalid pipeline definition: definition is not valid JSON/);
  });

  test('a reference to a step that does not exist', async () => {
    const ws = newWorkspace();
    const definition = fixturePipeline();
    const tune = definition.Steps[1] as unknown as {
      Arguments: { TrainingJobDefinition: { InputDataConfig: { DataSource: { S3DataSource: { S3Uri: unknown } } }[] } };
    };
    tune.Arguments.TrainingJobDefinition.InputDataConfig[0].DataSource.S3DataSource.S3Uri = {
      Get: "Steps.Prepare.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri",
    };
    await expectRejected(ws, definition, /Prepare/);
    await expect(run(ws, definition)).rejects.toBeInstanceOf(PipelineDefinitionError);
  });

  test('an unsupported step type', async () => {
    const ws = newWorkspace();
    const definition = fixturePipeline();
    (definition.Steps as unknown[]).push({ Name: 'Emr', Type: 'EMR', Arguments: {} });
    await expectRejected(ws, definition, /step "Emr" has Type "EMR", which local mode does not run \(it runs: Processing, Training/);
  });

  test('unknown parameter overrides and type mismatches name the value', async () => {
    const ws = newWorkspace();
    await expectRejected(ws, fixturePipeline(), /unknown parameter override "Treshold" \(=0\.5\); the pipeline declares: InputUri, Threshold, ApprovalStatus/, {
      parameters: { Treshold: 0.5 },
    });
    await expectRejected(ws, fixturePipeline(), /override for parameter "Threshold" is "high", but the parameter is Float: pass a number/, {
      parameters: { Threshold: 'high' },
    });
    await expectRejected(ws, fixturePipeline(), /override for parameter "InputUri" is 5, but the parameter is String/, {
      parameters: { InputUri: 5 },
    });
  });

  test('a cycle through DependsOn', async () => {
    const ws = newWorkspace();
    const a = processingStep({ name: 'A', script: 'crash.py', extra: { DependsOn: ['B'] } });
    const b = processingStep({ name: 'B', script: 'crash.py', extra: { DependsOn: ['A'] } });
    await expectRejected(ws, single(a, [b]), /cycle/i);
  });

  test('a missing python interpreter is reported before anything runs', async () => {
    await expectRejected(newWorkspace(), fixturePipeline(), /Python interpreter not found at \/no\/such\/python; create the environment with "npm run venv"/, {
      python: '/no/such/python',
    });
  });
});
