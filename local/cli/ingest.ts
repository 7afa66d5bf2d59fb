/**
 * The start of a local run, as in the cloud: the dataset is uploaded to the raw bucket, and the stage's rules, handlers,
 * ETL job and training pipeline take it from there. This module reads what happened: the handler invocations, the ETL
 * run, the training execution and the notifications.
 */
import { ETL_JOB_ARGUMENTS } from '../../lib/config';
import { HANDLERS } from '../../lib/handlers';
import type { AwsEvent } from '../events/aws-events';
import type { ExecutionRecord } from '../executor/types';
import type { LocalPlatform } from '../flow/platform';
import type { LocalJobRun } from '../glue/job-runner';
import type { InvocationOutcome } from '../lambda/local-lambda';
import type { EtlRunSummary, FlowDelivery } from '../report';

/** One line saying how an invocation ended, from its result (the handlers return `{ status, ... }`). */
export function invocationOutcome(outcome: InvocationOutcome): string {
  if (outcome.error) return outcome.error.message;
  const result = (outcome.result ?? {}) as Record<string, unknown>;
  switch (result.status) {
    case 'started':
      if (typeof result.pipelineExecutionArn === 'string') return `started execution ${result.pipelineExecutionArn.split('/').pop()}`;
      return `started ETL run ${String(result.jobRunId).slice(0, 15)}… (run id ${String(result.runId)})`;
    case 'rejected':
      return `rejected: ${String(result.reason)}`;
    case 'published':
      return `published "${String(result.subject)}"`;
    default:
      return JSON.stringify(result).slice(0, 200);
  }
}

/** A delivery as the summary shows it. */
export function flowDelivery(outcome: InvocationOutcome, event: AwsEvent & { readonly rule: string }): FlowDelivery {
  return {
    rule: event.rule,
    detailType: event.detailType,
    functionName: outcome.functionName,
    outcome: invocationOutcome(outcome),
    ok: outcome.error === undefined && (outcome.result as { status?: unknown } | undefined)?.status !== 'rejected',
    durationMs: outcome.durationMs,
  };
}

/** The ETL run's summary from its job run and report line. */
export function etlRunSummary(run: LocalJobRun): EtlRunSummary {
  const report = run.report ?? {};
  const number = (key: string) => (typeof report[key] === 'number' ? (report[key] as number) : undefined);
  const byReason = report.quarantinedByReason;
  return {
    jobName: run.JobName,
    jobRunId: run.Id,
    state: run.JobRunState,
    executionSeconds: run.ExecutionTime,
    sourceUri: run.Arguments[ETL_JOB_ARGUMENTS.sourceUri],
    outputUri: run.Arguments[ETL_JOB_ARGUMENTS.outputUri],
    quarantineUri: run.Arguments[ETL_JOB_ARGUMENTS.quarantineUri],
    errorMessage: run.ErrorMessage,
    rowsIn: number('rowsIn'),
    rowsOut: number('rowsOut'),
    rowsQuarantined: number('rowsQuarantined'),
    quarantinedByReason: byReason && typeof byReason === 'object' ? (byReason as Record<string, number>) : undefined,
    schemaSource: typeof report.schemaSource === 'string' ? report.schemaSource : undefined,
  };
}

/** Why the flow stopped before a training execution, when it did. */
export class FlowStoppedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowStoppedError';
  }
}

/** What the upload led to. */
export interface IngestResult {
  readonly etl: LocalJobRun;
  readonly training: ExecutionRecord;
}

/**
 * Waits until the upload's flow has settled and returns the ETL run and the training execution it started. Throws
 * {@link FlowStoppedError} saying where and why the flow stopped: the upload rejected by start-etl, the ETL run
 * failed, the run's success rejected by start-training.
 */
export async function followUpload(platform: LocalPlatform, sourceUri: string, trainingPipeline: string): Promise<IngestResult> {
  await platform.idle();
  const invocations = platform.lambda.invocations;
  const said = (handler: string) => invocations.filter((i) => i.functionName.endsWith(`-${handler}`)).map(invocationOutcome);
  const etl = platform.glue.jobRuns.find((run) => run.Arguments[ETL_JOB_ARGUMENTS.sourceUri] === sourceUri);
  if (!etl) {
    throw new FlowStoppedError(
      `the upload did not start the ETL job: start-etl said ${said(HANDLERS.startEtl).join('; ') || 'nothing (no rule matched the upload)'}`,
    );
  }
  if (etl.JobRunState !== 'SUCCEEDED') {
    throw new FlowStoppedError(`the ETL run ${etl.Id} ended ${etl.JobRunState}: ${etl.ErrorMessage ?? 'no message'} (log: ${etl.logFile})`);
  }
  const execution = platform.pipelines.started.find((e) => e.pipelineName === trainingPipeline);
  if (!execution) {
    throw new FlowStoppedError(
      `the ETL run succeeded but did not start training: start-training said ${said(HANDLERS.startTraining).join('; ') || 'nothing'}`,
    );
  }
  return { etl, training: await execution.done };
}
