import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createTarGz } from '../../../lib/util/tar';
import { executePipeline, type ExecutionEvent, type PipelineDefinitionJson, type StepJson } from '../../../local/executor';
import { rewriteContainerPath } from '../../../local/executor/steps/common';
import { toolkitArgValue, toolkitArgv } from '../../../local/executor/steps/training';
import { extractTarGz } from '../../../lib/util/tar';
import { BUCKET, FIXTURES, newWorkspace, processingStep, PYTHON, removeTemporaryFolders, type Workspace } from './helpers';

afterAll(removeTemporaryFolders);

function run(ws: Workspace, steps: StepJson[], events: ExecutionEvent[] = []) {
  const definition: PipelineDefinitionJson = { Version: '2020-12-01', Metadata: {}, Parameters: [], Steps: steps };
  return executePipeline({
    definition,
    pipelineName: 'paths',
    s3: ws.s3,
    registry: ws.registry,
    workDir: ws.workDir,
    python: PYTHON,
    executionId: 'run-1',
    onEvent: (e) => events.push(e),
  });
}

function trainingStep(ws: Workspace, hyperParameters: Record<string, string>, program = 'echo_args.py'): StepJson {
  ws.s3.putObject(
    `s3://${BUCKET}/code/echo.tar.gz`,
    createTarGz([{ name: 'echo_args.py', data: fs.readFileSync(path.join(FIXTURES, 'echo_args.py')) }]),
  );
  return {
    Name: 'Train',
    Type: 'Training',
    Arguments: {
      AlgorithmSpecification: { TrainingImage: 'image', TrainingInputMode: 'File' },
      RoleArn: 'arn:aws:iam::000000000000:role/local',
      OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models` },
      ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 600 },
      InputDataConfig: [
        { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/data/input` } } },
      ],
      HyperParameters: {
        sagemaker_program: JSON.stringify(program),
        sagemaker_submit_directory: JSON.stringify(`s3://${BUCKET}/code/echo.tar.gz`),
        ...hyperParameters,
      },
    },
  } as unknown as StepJson;
}

describe('outputs that stay empty', () => {
  test('a Processing output with nothing in its LocalPath succeeds with a warning naming the output', async () => {
    const ws = newWorkspace();
    const events: ExecutionEvent[] = [];
    const step = processingStep({
      name: 'Quiet',
      script: 'sleep.py',
      args: ['0'],
      outputs: [{ name: 'result', uri: `s3://${BUCKET}/quiet/result`, localPath: '/opt/ml/processing/result' }],
    });
    const record = await run(ws, [step], events);
    expect(record.status).toBe('Succeeded');
    const [warning] = record.steps[0].warnings!;
    expect(warning).toMatch(/^Output "result" is empty: nothing was written to \/opt\/ml\/processing\/result\./);
    expect(warning).toMatch(/only where they appear in the entrypoint, arguments or environment.*pass the path as an argument/);
    expect(events.filter((e) => e.type === 'stepWarning')).toEqual([
      expect.objectContaining({ type: 'stepWarning', step: 'Quiet', stepType: 'Processing', message: warning }),
    ]);
    expect(fs.readFileSync(record.steps[0].logFiles[0], 'utf8')).toContain(`[local executor] warning: ${warning}`);
    expect(JSON.parse(fs.readFileSync(path.join(record.executionDir, 'execution.json'), 'utf8')).steps[0].warnings).toEqual([warning]);
  });

  test('outputs that were written to get no warning', async () => {
    const ws = newWorkspace();
    const step = processingStep({
      name: 'Prep',
      script: 'transform_text.py',
      args: ['--input-dir', '/opt/ml/processing/input/data', '--output-dir', '/opt/ml/processing/train', '--report-dir', '/opt/ml/processing/report'],
      inputs: [{ name: 'data', uri: `s3://${BUCKET}/data/input`, localPath: '/opt/ml/processing/input/data' }],
      outputs: [{ name: 'train', uri: `s3://${BUCKET}/prep/train`, localPath: '/opt/ml/processing/train' }],
    });
    const record = await run(ws, [step]);
    expect(record.status).toBe('Succeeded');
    expect(record.steps[0].warnings).toBeUndefined();
  });

  test('a Training job that writes no model succeeds with a warning', async () => {
    const ws = newWorkspace();
    const events: ExecutionEvent[] = [];
    const record = await run(ws, [trainingStep(ws, { skip_model: 'true' })], events);
    expect(record.status).toBe('Succeeded');
    expect(record.steps[0].warnings).toEqual([expect.stringMatching(/^Training job pipelines-run-1-Train wrote no model: \/opt\/ml\/model is empty\./)]);
    expect(events.some((e) => e.type === 'stepWarning')).toBe(true);
  });
});

describe('container paths stay inside the job folder', () => {
  const escape = '/opt/ml/processing/../../../../etc/x';

  test.each([
    ['an input LocalPath', { inputs: [{ name: 'data', uri: `s3://${BUCKET}/data/input`, localPath: escape }] }, 'ProcessingInputs "data" LocalPath'],
    ['an output LocalPath', { outputs: [{ name: 'out', uri: `s3://${BUCKET}/out`, localPath: escape }] }, 'Outputs "out" LocalPath'],
    ['an argument', { args: [escape] }, 'Container path'],
    ['a --flag= argument', { args: [`--out=${escape}`] }, 'Container path'],
  ])('%s with ".." fails the step, naming the value', async (_, props, what) => {
    const ws = newWorkspace();
    const record = await run(ws, [processingStep({ name: 'Escape', script: 'sleep.py', ...props })]);
    expect(record.status).toBe('Failed');
    expect(record.steps[0].failureReason).toBe(
      `${what} "${escape}" has a ".." segment; local mode maps it into the job folder, so use a path without ".."`,
    );
    expect(fs.existsSync(path.join(record.executionDir, 'steps', '..', '..', '..', 'etc'))).toBe(false);
  });

  test('rewriteContainerPath maps plain container paths into the job folder and normalises them', () => {
    expect(rewriteContainerPath('/opt/ml/processing//input/./data', '/jobs/a')).toBe('/jobs/a/opt/ml/processing/input/data');
    expect(rewriteContainerPath('--x=/opt/ml/model', '/jobs/a')).toBe('--x=/jobs/a/opt/ml/model');
    expect(rewriteContainerPath('/etc/passwd', '/jobs/a')).toBe('/etc/passwd');
    expect(() => rewriteContainerPath('/opt/ml/../../x', '/jobs/a')).toThrow(/"\/opt\/ml\/..\/..\/x" has a ".." segment/);
  });

  test('a sagemaker_program outside the code folder fails the training job, naming the value', async () => {
    const ws = newWorkspace();
    const record = await run(ws, [trainingStep(ws, {}, '../../../../tmp/evil.py')]);
    expect(record.status).toBe('Failed');
    expect(record.steps[0].failureReason).toBe(
      'sagemaker_program "../../../../tmp/evil.py" has a ".." segment; local mode maps it into the job folder, so use a path without ".."',
    );
  });
});

describe('training hyperparameters on the command line', () => {
  test('values are formatted like the SageMaker training toolkit: JSON-decoded, then Python str()', () => {
    expect(toolkitArgValue('true')).toBe('True');
    expect(toolkitArgValue('1e-3')).toBe('0.001');
    expect(toolkitArgValue('"abc"')).toBe('abc');
    expect(toolkitArgValue('5')).toBe('5');
    expect(toolkitArgValue('reg:squarederror')).toBe('reg:squarederror');
    expect(toolkitArgv({ max_depth: '5', a: '1.0', eta: '"0.3"' })).toEqual(['-a', '1.0', '--eta', '0.3', '--max_depth', '5']);
  });

  test('the formatting matches Python for every kind of JSON value', () => {
    const values = ['true', 'false', 'null', '1e-3', '1.0', '1e3', '0.00001', '1e16', '-2.5e-7', '0.1', '12345678901234567890', '-0', '-0.0',
      '"it\'s"', '[1, "a", true, null]', '{"b": 1, "a": "x", "c": [1.5, "y"]}', 'not json', ' 7 ', 'NaN'];
    const script = [
      'import json, sys',
      'for v in json.loads(sys.argv[1]):',
      '    try: x = json.loads(v)',
      '    except ValueError: x = v',
      '    print(json.dumps(",".join("%s=%s" % kv for kv in sorted(x.items())) if hasattr(x, "items") else "" if x is None else str(x)))',
    ].join('\n');
    const python = spawnSync(PYTHON, ['-c', script, JSON.stringify(values)], { encoding: 'utf8' });
    expect(python.stderr).toBe('');
    expect(values.map((v) => toolkitArgValue(v))).toEqual(python.stdout.trim().split('\n').map((l) => JSON.parse(l)));
  });

  test('the script gets that argv and SM_HPS holds the decoded values', async () => {
    const ws = newWorkspace();
    const record = await run(ws, [trainingStep(ws, { flag: 'true', eta: '1e-3', name: '"abc"', rounds: '5', objective: 'reg:squarederror' })]);
    expect(record.status).toBe('Succeeded');
    const modelDir = path.join(ws.root, 'model');
    extractTarGz(ws.s3.getObject(`s3://${BUCKET}/models/pipelines-run-1-Train/output/model.tar.gz`), modelDir);
    const model = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
    expect(model.argv).toEqual(['--eta', '0.001', '--flag', 'True', '--name', 'abc', '--objective', 'reg:squarederror', '--rounds', '5']);
    expect(model.hps).toEqual({ eta: 0.001, flag: true, name: 'abc', objective: 'reg:squarederror', rounds: 5 });
  });
});
