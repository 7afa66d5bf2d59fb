import type { FailureType } from '@aws-sdk/client-codepipeline';
import { z } from 'zod';
import { describeValue, parseEvent, type Rejected, rejected } from '../shared/events';

/**
 * The job event CodePipeline sends a Lambda invoke action, and the outcome a handler ends the job with (pure).
 * Powertools' parser has no schema for it, so it is read with zod, reduced to what the handlers use; the rest passes
 * unchecked. The event carries temporary credentials (`data.artifactCredentials`): it is never logged, and no error
 * message quotes an object from it.
 * See https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-Lambda.html
 */

/** CodePipeline's job ids are UUIDs (the API's `JobId` pattern). */
const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Enough of the event to end the job: its id. Without one, nothing can be ended. */
const JobIdentitySchema = z.object({
  'CodePipeline.job': z.object({
    id: z.string().regex(JOB_ID_PATTERN, 'not a CodePipeline job id (a lowercase UUID)'),
  }),
});

/** The rest of what the handlers read: the account and the action's UserParameters. */
const JobDataSchema = z.object({
  'CodePipeline.job': z.object({
    accountId: z.string().regex(/^\d{12}$/, 'not an AWS account id (12 digits)'),
    data: z.object({
      actionConfiguration: z.object({
        configuration: z.object({
          FunctionName: z.string().optional(),
          UserParameters: z.string().optional(),
        }),
      }),
    }),
  }),
});

/** A job of a Lambda invoke action, as far as the handlers read it. */
export interface CodePipelineJob {
  readonly jobId: string;
  readonly accountId: string;
  /** The action's UserParameters: text, after CodePipeline has substituted its `#{...}` variables. */
  readonly userParameters: string | undefined;
}

/** What a handler ends a job with: success with output variables, or failure with a message. */
export type JobOutcome = JobSuccess | JobFailure;

export interface JobSuccess {
  readonly status: 'succeeded';
  /** The action's output variables (strings, never empty). */
  readonly outputVariables: Readonly<Record<string, string>>;
  /** One line for the pipeline console (the action's execution summary). */
  readonly summary: string;
  /** The id of what the action looked at (a model version ARN, an execution ARN), shown in the console. */
  readonly externalExecutionId?: string;
}

export interface JobFailure {
  readonly status: 'failed';
  /** CodePipeline's failure type: ConfigurationError, PermissionError, SystemUnavailable or JobFailed. */
  readonly type: FailureType;
  /** What was wrong, with the value, and what to do: shown in the pipeline console on the failed action. */
  readonly message: string;
  readonly externalExecutionId?: string;
}

/** A failure outcome. */
export function jobFailed(type: FailureType, message: string, externalExecutionId?: string): JobFailure {
  return externalExecutionId === undefined
    ? { status: 'failed', type, message }
    : { status: 'failed', type, message, externalExecutionId };
}

/** The outcome of {@link parseJobEvent}. */
export type ParsedJob =
  /** Not a job (or no usable id): nothing can be ended, so no AWS call is made. */
  | Rejected
  /** A job whose event is otherwise unusable: it is ended with this failure. */
  | { readonly status: 'bad-job'; readonly jobId: string; readonly failure: JobFailure }
  | { readonly status: 'job'; readonly job: CodePipelineJob };

/** Reads a CodePipeline job event: first its id (without one it is rejected), then what the handlers need. */
export function parseJobEvent(event: unknown): ParsedJob {
  const identity = parseEvent(JobIdentitySchema, event, 'a CodePipeline job event ({"CodePipeline.job": {"id": ...}})');
  if (!identity.success) {
    return rejected(identity.reason);
  }
  const jobId = identity.data['CodePipeline.job'].id;
  const data = parseEvent(JobDataSchema, event, 'a complete CodePipeline job event');
  if (!data.success) {
    return {
      status: 'bad-job',
      jobId,
      failure: jobFailed(
        'JobFailed',
        `Job ${jobId}: the event CodePipeline sent is ${data.reason}. ` +
          'Only a CodePipeline Lambda invoke action can run this function; invoke it from one.',
      ),
    };
  }
  const job = data.data['CodePipeline.job'];
  return {
    status: 'job',
    job: { jobId, accountId: job.accountId, userParameters: job.data.actionConfiguration.configuration.UserParameters },
  };
}

/** The job id of an event, for log lines; undefined when it has none. */
export function jobIdOf(event: unknown): string | undefined {
  const parsed = JobIdentitySchema.safeParse(event);
  return parsed.success ? parsed.data['CodePipeline.job'].id : undefined;
}

/**
 * Reads the action's UserParameters as a JSON object matching `schema`. Any problem is a ConfigurationError naming
 * the value and showing `example`: the fix is in the pipeline definition, where the action is declared.
 */
export function parseUserParameters<S extends z.ZodType>(
  text: string | undefined,
  schema: S,
  example: string,
): { readonly success: true; readonly data: z.output<S> } | { readonly success: false; readonly failure: JobFailure } {
  const fix = `Set the Lambda action's UserParameters in the pipeline definition to JSON such as ${example}.`;
  const fail = (problem: string) =>
    ({ success: false, failure: jobFailed('ConfigurationError', `${problem}. ${fix}`) }) as const;
  if (text === undefined || text.trim() === '') {
    return fail('The action has no UserParameters');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return fail(`UserParameters is not JSON (${why}): got ${describeValue(text)}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return fail(`UserParameters must be a JSON object: got ${Array.isArray(json) ? 'an array' : describeValue(json)}`);
  }
  const parsed = parseEvent(schema, json, 'valid UserParameters');
  return parsed.success ? { success: true, data: parsed.data } : fail(`UserParameters are ${parsed.reason}`);
}

/** CodePipeline's limits on the texts a job result carries (FailureDetails.message, ExecutionDetails.summary). */
export const MAX_FAILURE_MESSAGE_LENGTH = 5000;
export const MAX_EXECUTION_SUMMARY_LENGTH = 2048;

/** `text` cut to `max` characters, ending in '...' when cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

const PERMISSION_ERRORS = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'KmsAccessDeniedException']);
const TRANSIENT_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'KmsThrottlingException',
  'TimeoutError',
  'RequestTimeout',
]);

/**
 * The failure for an AWS call that failed after the SDK's own retries: which call, on what, AWS's error, and what to
 * do. Access errors are PermissionErrors (grant the action to the function's role), throttling and server errors
 * SystemUnavailable (retry the stage), anything else JobFailed.
 */
export function failureFromAwsError(
  operation: string,
  context: string,
  error: unknown,
  externalExecutionId?: string,
): JobFailure {
  const original = error instanceof Error ? error : new Error(String(error));
  const fault = (error as { $fault?: unknown } | null)?.$fault;
  const said = `${operation} failed (${context}): ${original.name}: ${original.message}`;
  if (PERMISSION_ERRORS.has(original.name) || /not authorized to perform/i.test(original.message)) {
    return jobFailed(
      'PermissionError',
      `${said}. The function's execution role may not call ${operation} on it: grant it where the pipeline ` +
        'is defined (lib/), then retry the stage.',
      externalExecutionId,
    );
  }
  if (TRANSIENT_ERRORS.has(original.name) || fault === 'server') {
    return jobFailed(
      'SystemUnavailable',
      `${said}. AWS was unavailable or throttling even after the SDK's retries: retry the stage ` +
        '(Retry in the pipeline console, or aws codepipeline retry-stage-execution).',
      externalExecutionId,
    );
  }
  return jobFailed('JobFailed', `${said}.`, externalExecutionId);
}

/** Whether `error` is AWS's answer of `name` (SDK exceptions carry it as their `name`). */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}
