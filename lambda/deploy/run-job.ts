import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Rejected } from '../shared/events';
import { endJob, type JobEnded } from './end-job';
import { type CodePipelineJob, jobFailed, jobIdOf, type JobOutcome, parseJobEvent } from './job';

/** What a deploy handler returns: how the job ended, or why the event was not a job. */
export type JobResult = JobEnded | Rejected;

/** What {@link runJob} works with: the handler's logger and CodePipeline client, created once at module scope. */
export interface JobRunner {
  readonly logger: Logger;
  readonly codePipeline: CodePipelineClient;
  /** What the work does, for the log line of an unexpected error ("resolving the model version"). */
  readonly doing: string;
}

/**
 * The frame of every deploy handler: parse the job event → do the work → end the job. An event without a job id is
 * rejected without any AWS call (there is nothing to end); a job whose event is otherwise unusable is failed; the
 * work turns AWS errors into failures itself, and an unexpected error (a bug) still fails the job, so the pipeline
 * fails now rather than at the action's timeout. Only an error of PutJob* propagates, so Lambda retries.
 */
export async function runJob(
  event: unknown,
  work: (job: CodePipelineJob) => Promise<JobOutcome>,
  runner: JobRunner,
): Promise<JobResult> {
  const { logger, codePipeline } = runner;
  const parsed = parseJobEvent(event);
  if (parsed.status === 'rejected') {
    logger.warn('Rejected the event; no job ended', { jobId: jobIdOf(event), reason: parsed.reason });
    return parsed;
  }
  if (parsed.status === 'bad-job') {
    return endJob(codePipeline, parsed.jobId, parsed.failure, logger);
  }
  let outcome: JobOutcome;
  try {
    outcome = await work(parsed.job);
  } catch (error) {
    const said = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    logger.error(`Unexpected error while ${runner.doing}`, { jobId: parsed.job.jobId, error });
    outcome = jobFailed(
      'JobFailed',
      `The function failed unexpectedly while ${runner.doing} (${said}). Retry the stage; report it if it recurs.`,
    );
  }
  return endJob(codePipeline, parsed.job.jobId, outcome, logger);
}
