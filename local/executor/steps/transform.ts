import * as fs from 'fs';
import * as path from 'path';
import { extractTarGz } from '../../../lib/util/tar';
import { resolveServingCode } from '../../serving-code';
import { StepFailure } from '../retry';
import {
  asRecord,
  asString,
  childEnv,
  decodeHyperParameter,
  jobName,
  processFailure,
  sagemakerArn,
  spawnFailure,
} from './common';
import type { StepContext } from './context';

/**
 * Runs a Transform step: the model's artifact and inference code (SAGEMAKER_SUBMIT_DIRECTORY /
 * SAGEMAKER_PROGRAM) are extracted into the job folder and the batch runner sends every input record
 * through the program; outputs go to `<S3OutputPath>/<relative input path>.out`.
 */
export async function runTransformStep(ctx: StepContext): Promise<Record<string, unknown>> {
  const args = ctx.args;
  const name = jobName(['pipelines', ctx.execution.executionId, ctx.stepName, ctx.attempt > 1 ? `a${ctx.attempt}` : '']);
  const created = new Date().toISOString();
  const modelName = asString(args.ModelName, 'ModelName');
  const input = asRecord(args.TransformInput, 'TransformInput');
  const output = asRecord(args.TransformOutput, 'TransformOutput');
  const source = asRecord(asRecord(input.DataSource, 'TransformInput.DataSource').S3DataSource, 'TransformInput.DataSource.S3DataSource');
  const inputUri = asString(source.S3Uri, 'TransformInput.DataSource.S3DataSource.S3Uri');
  const outputUri = asString(output.S3OutputPath, 'TransformOutput.S3OutputPath');
  const splitType = String(input.SplitType ?? 'None');
  const contentType = String(input.ContentType ?? 'text/csv');
  const accept = String(output.Accept ?? contentType);
  const batchStrategy = String(args.BatchStrategy ?? 'MultiRecord');
  const assembleWith = String(output.AssembleWith ?? 'None');

  let model;
  try {
    model = ctx.models.get(modelName);
  } catch (err) {
    throw new StepFailure((err as Error).message);
  }
  const env = { ...(model.PrimaryContainer.Environment ?? {}) };
  const program = env.SAGEMAKER_PROGRAM ? decodeHyperParameter(env.SAGEMAKER_PROGRAM) : undefined;
  const submitDir = env.SAGEMAKER_SUBMIT_DIRECTORY ? decodeHyperParameter(env.SAGEMAKER_SUBMIT_DIRECTORY) : undefined;
  if (!program || !submitDir) {
    throw new StepFailure(
      `Model ${modelName} has no SAGEMAKER_PROGRAM / SAGEMAKER_SUBMIT_DIRECTORY environment; local batch transform runs ` +
        'script-mode inference code only (set both on the model container)',
    );
  }
  const modelDataUrl = model.PrimaryContainer.ModelDataUrl;
  if (!modelDataUrl) throw new StepFailure(`Model ${modelName} has no ModelDataUrl`);

  const root = ctx.jobDir;
  const codeDir = path.join(root, 'opt', 'ml', 'code');
  const modelDir = path.join(root, 'opt', 'ml', 'model');
  const inputDir = path.join(root, 'opt', 'ml', 'transform', 'input');
  const outputDir = path.join(root, 'opt', 'ml', 'transform', 'output');
  for (const d of [codeDir, modelDir, inputDir, outputDir]) fs.mkdirSync(d, { recursive: true });
  const extract = (uri: string, dest: string, what: string): void => {
    let data: Buffer;
    try {
      data = ctx.s3.getObject(uri);
    } catch (err) {
      throw new StepFailure(`${what}: ${(err as Error).message}`);
    }
    try {
      extractTarGz(data, dest);
    } catch (err) {
      throw new StepFailure(`${what} ${uri}: ${(err as Error).message}`);
    }
  };
  extract(modelDataUrl, modelDir, 'ModelDataUrl');
  let programDir: string;
  try {
    programDir = resolveServingCode({ submitDirectory: submitDir, program, modelDir, codeDir, s3: ctx.s3 });
  } catch (err) {
    throw new StepFailure((err as Error).message);
  }
  try {
    ctx.s3.downloadTo(inputUri, inputDir, 'S3Prefix');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw err;
    throw new StepFailure(`TransformInput: ${(err as Error).message}`);
  }
  if (!fs.existsSync(ctx.transformRunner)) {
    throw new StepFailure(`Batch transform runner not found at ${ctx.transformRunner}; it ships as local/runtime/transform.py`);
  }

  const runnerArgs = [
    ctx.transformRunner,
    '--code-dir',
    programDir,
    '--program',
    program,
    '--model-dir',
    modelDir,
    '--input-dir',
    inputDir,
    '--output-dir',
    outputDir,
    '--content-type',
    contentType,
    '--accept',
    accept,
    '--split-type',
    splitType,
    '--batch-strategy',
    batchStrategy,
    '--assemble-with',
    assembleWith,
  ];
  if (typeof args.MaxPayloadInMB === 'number') runnerArgs.push('--max-payload-mb', String(args.MaxPayloadInMB));
  const extraEnv: Record<string, string> = { SM_MODEL_DIR: modelDir };
  for (const [k, v] of Object.entries({ ...env, ...((args.Environment ?? {}) as Record<string, unknown>) })) extraEnv[k] = String(v);
  const logFile = ctx.newLogFile(ctx.attempt > 1 ? `${ctx.stepName}.attempt-${ctx.attempt}` : ctx.stepName);
  const started = new Date().toISOString();
  let result;
  try {
    result = await ctx.runProcess({ command: ctx.python, args: runnerArgs, cwd: root, env: childEnv(extraEnv), logFile });
  } catch (err) {
    throw spawnFailure(ctx.python, err as NodeJS.ErrnoException);
  }
  const ended = new Date().toISOString();
  const describe = (extra: Record<string, unknown>): Record<string, unknown> => ({
    TransformJobName: name,
    TransformJobArn: sagemakerArn(ctx.execution, 'transform-job', name.toLowerCase()),
    ModelName: modelName,
    TransformInput: args.TransformInput,
    TransformOutput: args.TransformOutput,
    TransformResources: args.TransformResources,
    BatchStrategy: batchStrategy,
    ...(args.Environment !== undefined ? { Environment: args.Environment } : {}),
    CreationTime: created,
    TransformStartTime: started,
    TransformEndTime: ended,
    ...extra,
  });
  if (result.exitCode !== 0) {
    const failure = processFailure(`Transform job ${name} (step "${ctx.stepName}")`, result, logFile);
    ctx.setProperties(describe({ TransformJobStatus: 'Failed', FailureReason: failure.message }));
    throw failure;
  }
  ctx.s3.uploadDirectory(outputDir, outputUri);
  return describe({ TransformJobStatus: 'Completed' });
}
