import * as fs from 'fs';
import * as path from 'path';
import { executePipeline } from '../../../local/executor';
import { CUSTOM_IMAGE_VENV, customImageInterpreters, customImagePython, jobImage } from '../../../local/executor/images';
import { BUCKET, newWorkspace, processingStep, PYTHON } from './helpers';

const CUSTOM = '111111111111.dkr.ecr.us-east-1.amazonaws.com/mlops-platform/training:src-0123456789abcdef';
const MANAGED = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';

/** A Processing step on `image` that writes which interpreter ran it. */
function whoRuns(name: string, image: string) {
  const step = processingStep({
    name,
    script: 'transform_text.py',
    args: ['--input-dir', '/opt/ml/processing/input/data', '--output-dir', '/opt/ml/processing/output', '--report-dir', '/opt/ml/processing/report'],
    inputs: [{ name: 'data', uri: `s3://${BUCKET}/data/input/`, localPath: '/opt/ml/processing/input/data' }],
    outputs: [
      { name: 'out', uri: `s3://${BUCKET}/out/${name}/`, localPath: '/opt/ml/processing/output' },
      { name: 'report', uri: `s3://${BUCKET}/report/${name}/`, localPath: '/opt/ml/processing/report' },
    ],
  });
  (step.Arguments as { AppSpecification: { ImageUri: string } }).AppSpecification.ImageUri = image;
  return step;
}

/** A stand-in interpreter: records that it ran, then runs the project's Python. */
function recordingPython(dir: string): { python: string; calls: () => string[] } {
  const log = path.join(dir, 'calls.log');
  const python = path.join(dir, 'python');
  fs.writeFileSync(python, `#!/usr/bin/env bash\necho "$@" >> "${log}"\nexec "${PYTHON}" "$@"\n`, { mode: 0o755 });
  return { python, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
}

describe('custom images in local mode', () => {
  test('a stage\'s custom images map to the custom-image virtualenv; a job step names its image', () => {
    expect(customImageInterpreters(undefined)).toEqual({});
    expect(customImageInterpreters({ training: CUSTOM }, '/py')).toEqual({ [CUSTOM]: '/py' });
    expect(customImageInterpreters({ training: CUSTOM, inference: `${CUSTOM}-serving` })).toEqual({
      [CUSTOM]: customImagePython(),
      [`${CUSTOM}-serving`]: customImagePython(),
    });
    expect(jobImage(whoRuns('P', CUSTOM))).toBe(CUSTOM);
    expect(jobImage({ Name: 'T', Type: 'Tuning', Arguments: { TrainingJobDefinition: { AlgorithmSpecification: { TrainingImage: CUSTOM } } } })).toBe(CUSTOM);
    expect(jobImage({ Name: 'C', Type: 'Condition', Arguments: {} })).toBeUndefined();
    expect(customImagePython('/repo')).toBe(`/repo/${CUSTOM_IMAGE_VENV}/bin/python`);
  });

  test('GIVEN a step on the stage\'s custom image and one on a managed image WHEN executed THEN only the first runs with the custom image\'s interpreter', async () => {
    const ws = newWorkspace();
    const custom = recordingPython(ws.root);
    const record = await executePipeline({
      definition: { Version: '2020-12-01', Parameters: [], Steps: [whoRuns('OnCustom', CUSTOM), whoRuns('OnManaged', MANAGED)] },
      pipelineName: 'custom-images',
      s3: ws.s3,
      registry: ws.registry,
      workDir: ws.workDir,
      imageInterpreters: customImageInterpreters({ training: CUSTOM }, custom.python),
      cache: false,
    });
    expect(record.status).toBe('Succeeded');
    expect(custom.calls()).toHaveLength(1);
    expect(custom.calls()[0]).toContain('transform_text.py');
  });

  test('a missing interpreter for a custom image stops the execution before any step runs, naming the step, the image and the fix', async () => {
    const ws = newWorkspace();
    await expect(executePipeline({
      definition: { Version: '2020-12-01', Parameters: [], Steps: [whoRuns('OnManaged', MANAGED), whoRuns('OnCustom', CUSTOM)] },
      pipelineName: 'custom-images',
      s3: ws.s3,
      registry: ws.registry,
      workDir: ws.workDir,
      imageInterpreters: { [CUSTOM]: path.join(ws.root, 'no-such-venv', 'bin', 'python') },
    })).rejects.toThrow(
      `step "OnCustom" runs the custom image ${CUSTOM}, which local mode runs with that image's pinned requirements in ${path.join(ws.root, 'no-such-venv', 'bin', 'python')}: it is missing. Create it with "bash scripts/container-parity.sh xgboost"`,
    );
    expect(fs.existsSync(path.join(ws.workDir, 'executions'))).toBe(false);
  });
});
