import { GlueClient, StartJobRunCommand } from '@aws-sdk/client-glue';
import type { Context } from 'aws-lambda';
import { ETL_JOB_ARGUMENTS } from '../../lib/config/data-layout';
import { awsCallFailed } from '../shared/aws-errors';
import { eventIdOf, parseEvent, type Rejected, rejected } from '../shared/events';
import { createIdempotentAction } from '../shared/idempotency';
import { createLogger } from '../shared/logger';
import { decideStartEtl, type StartEtlRun } from './decide';
import { ObjectCreatedEventSchema } from './event';
import { readStartEtlSettings } from './settings';

const settings = readStartEtlSettings();
const logger = createLogger('start-etl');
const glue = new GlueClient({});

/** The ETL job run this upload started (or, for a duplicate event, the run the first delivery started). */
export interface EtlStarted {
  readonly status: 'started';
  /** Glue's id of the job run. */
  readonly jobRunId: string;
  /** The platform's run id: names the output prefixes. */
  readonly runId: string;
  readonly sourceUri: string;
  readonly outputUri: string;
}

/** What the start-etl handler returns. */
export type StartEtlResult = EtlStarted | Rejected;

/** Starts the Glue job for one object version. Errors propagate, so Lambda retries the event. */
async function startJobRun(run: StartEtlRun): Promise<EtlStarted> {
  let jobRunId: string | undefined;
  try {
    const response = await glue.send(
      new StartJobRunCommand({
        JobName: settings.etlJobName,
        Arguments: {
          [ETL_JOB_ARGUMENTS.sourceUri]: run.sourceUri,
          [ETL_JOB_ARGUMENTS.sourceVersionId]: run.versionId,
          [ETL_JOB_ARGUMENTS.runId]: run.runId,
          [ETL_JOB_ARGUMENTS.outputUri]: run.outputUri,
          [ETL_JOB_ARGUMENTS.quarantineUri]: run.quarantineUri,
        },
      }),
    );
    jobRunId = response.JobRunId;
  } catch (error) {
    throw awsCallFailed('Glue StartJobRun', `job '${settings.etlJobName}', source ${run.sourceUri}`, error);
  }
  if (jobRunId === undefined || jobRunId === '') {
    throw new Error(`Glue StartJobRun for job '${settings.etlJobName}' returned no JobRunId (source ${run.sourceUri})`);
  }
  logger.info('Started the ETL job', {
    jobName: settings.etlJobName,
    jobRunId,
    runId: run.runId,
    sourceUri: run.sourceUri,
  });
  return { status: 'started', jobRunId, runId: run.runId, sourceUri: run.sourceUri, outputUri: run.outputUri };
}

const startJobRunOnce = createIdempotentAction(startJobRun, {
  tableName: settings.idempotencyTableName,
  keyPrefix: 'start-etl',
  eventKeyJmesPath: '[bucket, key, versionId]',
  expiresAfterSeconds: settings.idempotencyExpirySeconds,
  onDuplicate: (storedResult) =>
    logger.info("Duplicate event: returning the first delivery's result", { storedResult }),
});

/**
 * S3 "Object Created" (EventBridge) → Glue `StartJobRun` of the ETL job. Parses the event, decides (pure), then
 * starts one run per bucket + key + version id. Rejected events are logged and returned without any AWS call.
 */
export async function handler(event: unknown, context: Context): Promise<StartEtlResult> {
  logger.addContext(context);
  const parsed = parseEvent(ObjectCreatedEventSchema, event, 'an S3 "Object Created" EventBridge event');
  const decision = parsed.success ? decideStartEtl(parsed.data, settings) : rejected(parsed.reason);
  if (decision.status === 'rejected') {
    logger.warn('Rejected the event; nothing started', { eventId: eventIdOf(event), reason: decision.reason });
    return decision;
  }
  return startJobRunOnce(decision, context);
}
