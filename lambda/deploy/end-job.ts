import {
  type CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import type { Logger } from '@aws-lambda-powertools/logger';
import { awsCallFailed } from '../shared/aws-errors';
import {
  cut,
  isAwsError,
  type JobFailure,
  jobFailed,
  type JobOutcome,
  MAX_EXECUTION_SUMMARY_LENGTH,
  MAX_FAILURE_MESSAGE_LENGTH,
} from './job';

/** CodePipeline's limit on all output variables of one action together, in bytes. */
export const MAX_OUTPUT_VARIABLES_BYTES = 122_880;
/** The characters CodePipeline allows in a variable name. */
const VARIABLE_NAME_PATTERN = /^[A-Za-z0-9@_-]{1,128}$/;

/** How the job ended; what the handlers return (Lambda ignores it for CodePipeline's asynchronous invocations). */
export type JobEnded =
  | {
      readonly status: 'succeeded';
      readonly jobId: string;
      readonly outputVariables: Readonly<Record<string, string>>;
      readonly summary: string;
    }
  | { readonly status: 'failed'; readonly jobId: string; readonly failureType: string; readonly message: string }
  /**
   * CodePipeline refused the result because the job had already ended: a redelivered job (Lambda retries an
   * asynchronous invocation whose first attempt ended the job but failed afterwards), or a job that timed out.
   * The first result stands; nothing else is done.
   */
  | { readonly status: 'already-ended'; readonly jobId: string; readonly reason: string };

/**
 * Why `variables` cannot be output (names, values that are not non-empty text, total size), or undefined. A problem
 * is a bug of the handler, so the job fails naming it rather than CodePipeline refusing the result.
 */
export function outputVariablesProblem(variables: Readonly<Record<string, string>>): string | undefined {
  const problems: string[] = [];
  let bytes = 0;
  for (const [name, value] of Object.entries(variables)) {
    if (!VARIABLE_NAME_PATTERN.test(name)) {
      problems.push(`the name ${JSON.stringify(name)} has characters other than A-Z a-z 0-9 @ _ -`);
    }
    if (typeof value !== 'string' || value === '') {
      problems.push(`${name} is ${JSON.stringify(value) ?? 'undefined'}, not a non-empty string`);
    }
    bytes += Buffer.byteLength(name) + Buffer.byteLength(String(value));
  }
  if (bytes > MAX_OUTPUT_VARIABLES_BYTES) {
    problems.push(`they take ${bytes} bytes, more than CodePipeline's ${MAX_OUTPUT_VARIABLES_BYTES} per action`);
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

/**
 * Ends job `jobId` with `outcome`: PutJobSuccessResult with the output variables, or PutJobFailureResult with the
 * message. A job that has already ended (InvalidJobStateException) is left as it is: that makes a redelivered job
 * harmless, since CodePipeline keeps one result per job. If CodePipeline refuses a success result for good
 * (ValidationException, OutputVariablesSizeExceededException), the job is failed naming why, so the pipeline does not
 * wait for the action's timeout. Any other error of PutJob* propagates: the invocation fails and Lambda retries it.
 */
export async function endJob(
  client: CodePipelineClient,
  jobId: string,
  outcome: JobOutcome,
  logger: Logger,
): Promise<JobEnded> {
  if (outcome.status === 'succeeded') {
    const problem = outputVariablesProblem(outcome.outputVariables);
    if (problem !== undefined) {
      const failure = jobFailed('JobFailed', `The function produced invalid output variables: ${problem}.`);
      return failJob(client, jobId, failure, logger);
    }
    const summary = cut(outcome.summary, MAX_EXECUTION_SUMMARY_LENGTH);
    try {
      await client.send(
        new PutJobSuccessResultCommand({
          jobId,
          outputVariables: { ...outcome.outputVariables },
          executionDetails: {
            summary,
            ...(outcome.externalExecutionId === undefined ? {} : { externalExecutionId: outcome.externalExecutionId }),
          },
        }),
      );
    } catch (error) {
      if (isAwsError(error, 'InvalidJobStateException')) {
        return alreadyEnded(jobId, 'PutJobSuccessResult', error, logger);
      }
      if (isAwsError(error, 'ValidationException', 'OutputVariablesSizeExceededException')) {
        const { name, message } = error as Error;
        const failure = jobFailed(
          'JobFailed',
          `CodePipeline refused the job's success result (${name}: ${message}); its output variables were: ` +
            `${Object.keys(outcome.outputVariables).join(', ')}. Report this: the function must produce variables ` +
            'that CodePipeline accepts.',
          outcome.externalExecutionId,
        );
        return failJob(client, jobId, failure, logger);
      }
      throw awsCallFailed('CodePipeline PutJobSuccessResult', `job ${jobId}`, error);
    }
    logger.info('Ended the job: succeeded', { jobId, summary, outputVariables: outcome.outputVariables });
    return { status: 'succeeded', jobId, outputVariables: outcome.outputVariables, summary };
  }
  return failJob(client, jobId, outcome, logger);
}

async function failJob(
  client: CodePipelineClient,
  jobId: string,
  failure: JobFailure,
  logger: Logger,
): Promise<JobEnded> {
  const message = cut(failure.message, MAX_FAILURE_MESSAGE_LENGTH);
  try {
    await client.send(
      new PutJobFailureResultCommand({
        jobId,
        failureDetails: {
          type: failure.type,
          message,
          ...(failure.externalExecutionId === undefined ? {} : { externalExecutionId: failure.externalExecutionId }),
        },
      }),
    );
  } catch (error) {
    if (isAwsError(error, 'InvalidJobStateException')) {
      return alreadyEnded(jobId, 'PutJobFailureResult', error, logger);
    }
    throw awsCallFailed('CodePipeline PutJobFailureResult', `job ${jobId}, failure: ${cut(message, 300)}`, error);
  }
  logger.warn('Ended the job: failed', { jobId, failureType: failure.type, message });
  return { status: 'failed', jobId, failureType: failure.type, message };
}

function alreadyEnded(jobId: string, operation: string, error: unknown, logger: Logger): JobEnded {
  const reason =
    `CodePipeline ${operation} answered ${(error as Error).name}: ${(error as Error).message}; the job had ` +
    'already ended (a redelivered job, or one that timed out), so its first result stands';
  logger.warn('The job had already ended; nothing changed', { jobId, reason });
  return { status: 'already-ended', jobId, reason };
}
