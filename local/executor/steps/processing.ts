import * as fs from 'fs';
import * as path from 'path';
import { StepFailure } from '../retry';
import {
  asList,
  asRecord,
  asString,
  childEnv,
  holdsNoFile,
  jobName,
  mapInterpreter,
  pathInside,
  processFailure,
  rewriteContainerPath,
  sagemakerArn,
  spawnFailure,
  timeoutMs,
} from './common';
import type { StepContext } from './context';

/** A LocalPath (`/opt/ml/processing/...`) as its folder under the job folder. */
function containerLocalPath(value: unknown, what: string, jobDir: string): string {
  const local = asString(value, what);
  const host = pathInside(jobDir, local, what);
  if (!path.posix.normalize(local).startsWith('/opt/ml/processing')) {
    throw new StepFailure(`${what} "${local}" must be under /opt/ml/processing/ (as SageMaker requires)`);
  }
  return host;
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
    ProcessingJobArn: sagemakerArn(ctx.execution, 'processing-job', name),
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
    const local = containerLocalPath(s3Input.LocalPath, `ProcessingInputs "${inputName}" LocalPath`, root);
    try {
      ctx.s3.downloadTo(uri, local, 'S3Prefix');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code) throw err;
      throw new StepFailure(`ProcessingInputs "${inputName}": ${(err as Error).message}`);
    }
  }
  const outputDirs = outputs.map((raw, i) => {
    const output = asRecord(raw, `ProcessingOutputConfig.Outputs[${i}]`);
    const s3Output = asRecord(output.S3Output, `Outputs "${String(output.OutputName)}" S3Output`);
    const dir = containerLocalPath(s3Output.LocalPath, `Outputs "${String(output.OutputName)}" LocalPath`, root);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  });
  const configDir = path.join(root, 'opt', 'ml', 'config');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(
    path.join(configDir, 'processingjobconfig.json'),
    JSON.stringify({ ProcessingJobName: name, ProcessingJobArn: sagemakerArn(ctx.execution, 'processing-job', name), ...args }, null, 2),
  );
  fs.writeFileSync(path.join(configDir, 'resourceconfig.json'), JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'] }));

  // Run
  const [command, ...entryArgs] = entrypoint.map((a) => rewriteContainerPath(a, root));
  const executable = mapInterpreter(command, ctx.pythonFor(app.ImageUri));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(environment)) env[k] = rewriteContainerPath(String(v), root);
  const logFile = ctx.newLogFile(ctx.attempt > 1 ? `${ctx.stepName}.attempt-${ctx.attempt}` : ctx.stepName);
  const processArgs = [...entryArgs, ...containerArgs.map((a) => rewriteContainerPath(a, root))];
  const timeout = timeoutMs(args.StoppingCondition);
  const started = new Date().toISOString();
  let result;
  try {
    result = await ctx.runProcess({
      command: executable,
      args: processArgs,
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

  // Outputs. An output left empty succeeds, as in SageMaker, but is most likely a script writing to a hard-coded
  // /opt/ml/... path, which local mode cannot redirect: say so.
  for (const [i, raw] of outputs.entries()) {
    const output = raw as Record<string, unknown>;
    const s3Output = output.S3Output as Record<string, unknown>;
    const uri = asString(s3Output.S3Uri, `Outputs "${String(output.OutputName)}" S3Uri`);
    if (holdsNoFile(outputDirs[i])) {
      const warning =
        `Output "${String(output.OutputName)}" is empty: nothing was written to ${String(s3Output.LocalPath)}. Local mode redirects ` +
        'container paths only where they appear in the entrypoint, arguments or environment; if the script writes to ' +
        'a hard-coded /opt/ml/... path, pass the path as an argument instead.';
      fs.appendFileSync(logFile, `[local executor] warning: ${warning}\n`);
      ctx.warn(warning);
    }
    ctx.s3.uploadDirectory(outputDirs[i], uri);
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
