import { DATA_LAYOUT, ETL_JOB_ARGUMENTS, ETL_RUN_ID_PATTERN } from '../../lib/config/data-layout';
import { type Rejected, rejected } from '../shared/events';
import { findUnsafeCharacter, stableHash } from '../shared/text';
import type { GlueJobStateChangeEvent } from './event';

/** A successful run of the ETL job: training may start once its arguments check out. */
export interface SucceededEtlRun {
  readonly status: 'succeeded';
  readonly jobName: string;
  /** Glue's run id: the idempotency key of start-training. */
  readonly jobRunId: string;
}

/** Decides from the state-change event alone (pure): only SUCCEEDED runs of our ETL job go on. */
export function decideFromStateChange(
  event: GlueJobStateChangeEvent,
  rules: { readonly etlJobName: string },
): SucceededEtlRun | Rejected {
  const { jobName, jobRunId, state, message } = event.detail;
  if (jobName !== rules.etlJobName) {
    return rejected(`event is for Glue job '${jobName}', not the ETL job '${rules.etlJobName}'`);
  }
  if (state !== 'SUCCEEDED') {
    const said = message === undefined ? '' : ` (${JSON.stringify(message.slice(0, 300))})`;
    return rejected(`ETL run ${jobRunId} ended in state ${state}${said}; training starts only after SUCCEEDED`);
  }
  return { status: 'succeeded', jobName, jobRunId };
}

/** Everything `StartPipelineExecution` needs for one ETL run. */
export interface StartTraining {
  readonly status: 'start';
  readonly jobRunId: string;
  /** The platform's ETL run id (`--run_id`). */
  readonly runId: string;
  /** The run's curated output: the pipeline's InputDataUri. */
  readonly inputDataUri: string;
  readonly displayName: string;
  readonly description: string;
  readonly clientRequestToken: string;
}

/** Pipeline parameter values are at most 1024 characters (SageMaker's `String1024`). */
const MAX_PARAMETER_VALUE_LENGTH = 1024;
/** SageMaker's limit on `PipelineExecutionDescription`. */
const MAX_DESCRIPTION_LENGTH = 3072;

/**
 * Decides from the run's `Arguments` (as Glue `GetJobRun` returns them, pure): the output URI must be a folder
 * under the processed bucket's `curated/` prefix and the run id must be valid, so that training reads only data
 * this platform curated.
 */
export function decideTrainingInput(
  run: SucceededEtlRun,
  args: Readonly<Record<string, string>> | undefined,
  rules: { readonly processedBucketName: string },
): StartTraining | Rejected {
  const what = `ETL run ${run.jobRunId} of job '${run.jobName}'`;
  if (args === undefined || Object.keys(args).length === 0) {
    return rejected(`Glue GetJobRun returned no Arguments for ${what}; runs started by start-etl always have them`);
  }
  const outputUri = args[ETL_JOB_ARGUMENTS.outputUri];
  const runId = args[ETL_JOB_ARGUMENTS.runId];
  if (outputUri === undefined || outputUri === '') {
    return rejected(`${what} has no ${ETL_JOB_ARGUMENTS.outputUri} argument, so there is no curated data to train on`);
  }
  const shown = JSON.stringify(outputUri);
  const unsafe = findUnsafeCharacter(outputUri);
  if (unsafe !== undefined) {
    return rejected(`${what} has output URI ${shown} with the unsafe character ${unsafe}`);
  }
  const curatedPrefix = `s3://${rules.processedBucketName}/${DATA_LAYOUT.curatedPrefix}`;
  const rest = outputUri.startsWith(curatedPrefix) ? outputUri.slice(curatedPrefix.length) : undefined;
  if (rest === undefined || rest === '') {
    return rejected(
      `${what} wrote to ${shown}, not to a folder under ${curatedPrefix}; training reads only curated data`,
    );
  }
  if (!rest.endsWith('/') || rest.slice(0, -1).split('/').some((s) => s === '' || s === '.' || s === '..')) {
    return rejected(
      `${what} has output URI ${shown}; expected a folder such as ${curatedPrefix}<run id>/ (ending in '/')`,
    );
  }
  if (outputUri.length > MAX_PARAMETER_VALUE_LENGTH) {
    return rejected(
      `${what} has an output URI of ${outputUri.length} characters; pipeline parameters take at most 1024`,
    );
  }
  if (runId === undefined || !ETL_RUN_ID_PATTERN.test(runId)) {
    return rejected(
      `${what} has ${ETL_JOB_ARGUMENTS.runId} ${JSON.stringify(runId ?? null)}, ` +
        `which does not match ${ETL_RUN_ID_PATTERN}`,
    );
  }
  const sourceUri = args[ETL_JOB_ARGUMENTS.sourceUri];
  const from = sourceUri !== undefined && findUnsafeCharacter(sourceUri) === undefined ? ` from ${sourceUri}` : '';
  const description = `Curated data of ETL run ${runId} (Glue job ${run.jobName}, run ${run.jobRunId})${from}`;
  return {
    status: 'start',
    jobRunId: run.jobRunId,
    runId,
    inputDataUri: outputUri,
    displayName: pipelineDisplayName(runId),
    description: description.slice(0, MAX_DESCRIPTION_LENGTH),
    clientRequestToken: pipelineClientRequestToken(run.jobRunId),
  };
}

/**
 * `etl-<run id>`: readable in the SageMaker console. Execution display names are 1-82 characters matching
 * `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}`; a run id (at most 63 of [a-z0-9-]) fits once trailing '-' are dropped.
 */
export function pipelineDisplayName(runId: string): string {
  return `etl-${runId}`.slice(0, 82).replace(/-+$/, '');
}

/**
 * The `ClientRequestToken` of the execution for Glue run `jobRunId`: 64 hex characters of its SHA-256. SageMaker
 * takes 32-128 characters; Glue run ids (`jr_` + 64 hex, up to 255 characters for retried attempts) do not always
 * fit, so the token is a hash, the same on every retry.
 */
export function pipelineClientRequestToken(jobRunId: string): string {
  return stableHash(['start-training', jobRunId]);
}
