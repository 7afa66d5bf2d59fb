import * as fs from 'fs';
import * as path from 'path';
import { StepFailure } from '../retry';
import {
  asList,
  asRecord,
  asString,
  childEnv,
  jobName,
  mapInterpreter,
  processFailure,
  rewriteContainerPath,
  sagemakerArn,
  spawnFailure,
  timeoutMs,
} from './common';
import type { StepContext } from './context';

function containerLocalPath(value: unknown, what: string): string {
  const local = asString(value, what);
  if (!local.startsWith('/opt/ml/processing')) {
    throw new StepFailure(`${what} "${local}" must be under /opt/ml/processing/ (as SageMaker requires)`);
  }
  return local;
}

/** Runs a Processing step: stage inputs, run the entrypoint with the venv python, upload outputs. */
export async function runProcessingStep(ctx: StepContext): Promise<Record<string, unknown>> {
  const args = ctx.args;
  const name = jobName(['pipelines', ctx.execution.executionId, ctx.stepName, ctx.attempt > 1 ? `a${ctx.attempt}` : '']);
  const root = ctx.jobDir;
  const created = new Date().toISOString();
  const app = asRecord(args.AppSpecification, `Step "${ctx.stepName}" AppSpecification`);
  const entrypoint = asList(app.ContainerEntrypoint, 'AppSpecification.ContainerEntrypoint').map(String);
  const containerArgs = asList(app.ContainerArguments, 'AppSpecification.ContainerArguments').map(String);
  const environment = (args.Environment ?? {}) as Record<string, unknown>;
  const inputs = asList(args.ProcessingInputs, 'ProcessingInputs');
  const outputConfig = (args.ProcessingOutputConfig ?? {}) as Record<string, unknown>;
  const outputs = asList(outputConfig.Outputs, 'ProcessingOutputConfig.Outputs');
  const describe = (extra: Record<string, unknown>): Record<string, unknown> => ({
    ProcessingJobName: name,
    ProcessingJobArn: sagemakerArn('processing-job', name),
    ...(args.ProcessingInputs !== undefined ? { ProcessingInputs: args.ProcessingInputs } : {}),
    ...(args.ProcessingOutputConfig !== undefined ? { ProcessingOutputConfig: args.ProcessingOutputConfig } : {}),
    ProcessingResources: args.ProcessingResources,
    AppSpecification: args.AppSpecification,
    ...(args.Environment !== undefined ? { Environment: args.Environment } : {}),
    ...(args.StoppingCondition !== undefined ? { StoppingCondition: args.StoppingCondition } : {}),
    ...(args.NetworkConfig !== undefined ? { NetworkConfig: args.NetworkConfig } : {}),
    RoleArn: args.RoleArn,
    CreationTime: created,
    ...extra,
  });

  // Inputs
  for (const [i, raw] of inputs.entries()) {
    const input = asRecord(raw, `ProcessingInputs[${i}]`);
    const inputName = String(input.InputName ?? `input-${i + 1}`);
    if (input.S3Input === undefined) {
      throw new StepFailure(`ProcessingInputs "${inputName}": only S3Input is supported locally (not DatasetDefinition)`);
    }
    const s3Input = asRecord(input.S3Input, `ProcessingInputs "${inputName}" S3Input`);
    const uri = asString(s3Input.S3Uri, `ProcessingInputs "${inputName}" S3Uri`);
    const local = containerLocalPath(s3Input.LocalPath, `ProcessingInputs "${inputName}" LocalPath`);
    if (s3Input.S3InputMode === 'Pipe') throw new StepFailure(`ProcessingInputs "${inputName}": Pipe mode is not supported locally; use File`);
    if (s3Input.S3CompressionType === 'Gzip') {
      throw new StepFailure(`ProcessingInputs "${inputName}": S3CompressionType Gzip is not supported locally; use None`);
    }
    const dataType = s3Input.S3DataType === 'ManifestFile' ? undefined : s3Input.S3DataType;
    if (dataType === undefined && s3Input.S3DataType !== undefined) {
      throw new StepFailure(`ProcessingInputs "${inputName}": S3DataType ManifestFile is not supported locally`);
    }
    try {
      ctx.s3.downloadTo(uri, rewriteContainerPath(local, root), 'S3Prefix');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code) throw err;
      throw new StepFailure(`ProcessingInputs "${inputName}": ${(err as Error).message}`);
    }
  }
  for (const [i, raw] of outputs.entries()) {
    const output = asRecord(raw, `ProcessingOutputConfig.Outputs[${i}]`);
    const s3Output = asRecord(output.S3Output, `Outputs "${String(output.OutputName)}" S3Output`);
    fs.mkdirSync(rewriteContainerPath(containerLocalPath(s3Output.LocalPath, `Outputs "${String(output.OutputName)}" LocalPath`), root), {
      recursive: true,
    });
  }
  const configDir = path.join(root, 'opt', 'ml', 'config');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(
    path.join(configDir, 'processingjobconfig.json'),
    JSON.stringify({ ProcessingJobName: name, ProcessingJobArn: sagemakerArn('processing-job', name), ...args }, null, 2),
  );
  fs.writeFileSync(path.join(configDir, 'resourceconfig.json'), JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'] }));

  // Run
  const [command, ...entryArgs] = entrypoint.map((a) => rewriteContainerPath(a, root));
  const executable = mapInterpreter(command, ctx.python);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(environment)) env[k] = rewriteContainerPath(String(v), root);
  const logFile = ctx.newLogFile(ctx.attempt > 1 ? `${ctx.stepName}.attempt-${ctx.attempt}` : ctx.stepName);
  const timeout = timeoutMs(args.StoppingCondition);
  const started = new Date().toISOString();
  let result;
  try {
    result = await ctx.runProcess({
      command: executable,
      args: [...entryArgs, ...containerArgs.map((a) => rewriteContainerPath(a, root))],
      cwd: root,
      env: childEnv(env),
      logFile,
      timeoutMs: timeout.ms,
    });
  } catch (err) {
    throw spawnFailure(executable, err as NodeJS.ErrnoException);
  }
  const ended = new Date().toISOString();
  if (result.timedOut || result.exitCode !== 0) {
    const failure = processFailure(`Processing job ${name} (step "${ctx.stepName}")`, result, logFile, timeout.seconds);
    ctx.setProperties(
      describe({
        ProcessingJobStatus: 'Failed',
        FailureReason: failure.message,
        ExitMessage: result.stderrTail,
        ProcessingStartTime: started,
        ProcessingEndTime: ended,
        LastModifiedTime: ended,
      }),
    );
    throw failure;
  }

  // Outputs
  for (const raw of outputs) {
    const output = raw as Record<string, unknown>;
    const s3Output = output.S3Output as Record<string, unknown>;
    const uri = asString(s3Output.S3Uri, `Outputs "${String(output.OutputName)}" S3Uri`);
    ctx.s3.uploadDirectory(rewriteContainerPath(String(s3Output.LocalPath), root), uri);
  }
  const done = new Date().toISOString();
  return describe({
    ProcessingJobStatus: 'Completed',
    ExitMessage: '',
    ProcessingStartTime: started,
    ProcessingEndTime: ended,
    LastModifiedTime: done,
  });
}
