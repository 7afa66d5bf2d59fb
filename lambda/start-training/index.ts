import { GetJobRunCommand, GlueClient } from '@aws-sdk/client-glue';
import { SageMakerClient, StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import type { Context } from 'aws-lambda';
import { TRAINING_PIPELINE_PARAMETERS } from '../../lib/sagemaker-pipelines/names';
import { awsCallFailed } from '../shared/aws-errors';
import { eventIdOf, parseEvent, type Rejected, rejected } from '../shared/events';
import { createIdempotentAction } from '../shared/idempotency';
import { createLogger } from '../shared/logger';
import { decideFromStateChange, decideTrainingInput, type StartTraining, type SucceededEtlRun } from './decide';
import { GlueJobStateChangeEventSchema } from './event';
import { readStartTrainingSettings } from './settings';

const settings = readStartTrainingSettings();
const logger = createLogger('start-training');
const glue = new GlueClient({});
const sageMaker = new SageMakerClient({});

/** The training pipeline execution this ETL run started (or, for a duplicate event, the first one). */
export interface TrainingStarted {
  readonly status: 'started';
  readonly pipelineExecutionArn: string;
  /** Glue's id of the ETL run whose output is the input. */
  readonly jobRunId: string;
  /** The curated data URI passed as the pipeline's InputDataUri. */
  readonly inputDataUri: string;
}

/** What the start-training handler returns. */
export type StartTrainingResult = TrainingStarted | Rejected;

/** Reads the arguments start-etl gave the run. AWS errors propagate, so Lambda retries the event. */
async function readRunArguments(run: SucceededEtlRun): Promise<Record<string, string> | undefined> {
  try {
    const response = await glue.send(new GetJobRunCommand({ JobName: run.jobName, RunId: run.jobRunId }));
    return response.JobRun?.Arguments;
  } catch (error) {
    throw awsCallFailed('Glue GetJobRun', `job '${run.jobName}', run ${run.jobRunId}`, error);
  }
}

/** Starts the training pipeline on the run's curated output. AWS errors propagate, so Lambda retries the event. */
async function startPipeline(start: StartTraining): Promise<TrainingStarted> {
  const context = `pipeline '${settings.trainingPipelineName}', ETL run ${start.jobRunId}`;
  let pipelineExecutionArn: string | undefined;
  try {
    const response = await sageMaker.send(
      new StartPipelineExecutionCommand({
        PipelineName: settings.trainingPipelineName,
        PipelineExecutionDisplayName: start.displayName,
        PipelineExecutionDescription: start.description,
        PipelineParameters: [{ Name: TRAINING_PIPELINE_PARAMETERS.inputDataUri, Value: start.inputDataUri }],
        ClientRequestToken: start.clientRequestToken,
      }),
    );
    pipelineExecutionArn = response.PipelineExecutionArn;
  } catch (error) {
    throw awsCallFailed('SageMaker StartPipelineExecution', context, error);
  }
  if (pipelineExecutionArn === undefined || pipelineExecutionArn === '') {
    throw new Error(`SageMaker StartPipelineExecution returned no ARN (${context})`);
  }
  logger.info('Started the training pipeline', { pipelineExecutionArn, jobRunId: start.jobRunId, runId: start.runId });
  return { status: 'started', pipelineExecutionArn, jobRunId: start.jobRunId, inputDataUri: start.inputDataUri };
}

const startPipelineOnce = createIdempotentAction(startPipeline, {
  tableName: settings.idempotencyTableName,
  keyPrefix: 'start-training',
  eventKeyJmesPath: 'jobRunId',
  expiresAfterSeconds: settings.idempotencyExpirySeconds,
  onDuplicate: (storedResult) =>
    logger.info("Duplicate event: returning the first delivery's result", { storedResult }),
});

/**
 * Glue "Job State Change" (EventBridge) → SageMaker `StartPipelineExecution` of the training pipeline with the
 * run's curated output. Only SUCCEEDED runs of the ETL job go on; other events are rejected without any AWS call.
 * Then GetJobRun (a read, repeated on duplicates) gives the run's output, checked by the second, pure decision; a
 * rejected run starts nothing and stores nothing, so a fixed configuration applies to the next delivery. One
 * execution per Glue run id: Powertools idempotency around StartPipelineExecution, and its client request token.
 */
export async function handler(event: unknown, context: Context): Promise<StartTrainingResult> {
  logger.addContext(context);
  const parsed = parseEvent(GlueJobStateChangeEventSchema, event, 'a "Glue Job State Change" EventBridge event');
  const decision = parsed.success ? decideFromStateChange(parsed.data, settings) : rejected(parsed.reason);
  if (decision.status === 'rejected') {
    logger.warn('Rejected the event; nothing started', { eventId: eventIdOf(event), reason: decision.reason });
    return decision;
  }
  const start = decideTrainingInput(decision, await readRunArguments(decision), settings);
  if (start.status === 'rejected') {
    logger.warn('Rejected the ETL run; training not started', { jobRunId: decision.jobRunId, reason: start.reason });
    return start;
  }
  return startPipelineOnce(start, context);
}
