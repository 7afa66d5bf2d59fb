import {
  type ActionExecutionDetail,
  CodePipelineClient,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
  type PipelineExecution,
} from '@aws-sdk/client-codepipeline';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  ListPipelineExecutionStepsCommand,
  type PipelineExecutionStep,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { awsCallFailed } from '../shared/aws-errors';
import { eventIdOf, parseEvent, type Rejected, rejected } from '../shared/events';
import { createIdempotentAction } from '../shared/idempotency';
import { createLogger } from '../shared/logger';
import {
  decideApprovalRequest,
  decideNotify,
  type DeploymentDetails,
  type EvaluationFile,
  formatNotification,
  type NotificationDetails,
  type NotificationKind,
  type NotifyDecision,
  parseS3Uri,
} from './decide';
import { NotifyEventSchema } from './event';
import { readNotifySettings } from './settings';

const settings = readNotifySettings();
const logger = createLogger('notify');
const sns = new SNSClient({});
const sageMaker = new SageMakerClient({});
const s3 = new S3Client({});
const codePipeline = new CodePipelineClient({});

/** An execution has a handful of steps; the bound only guards against a paging loop. */
const MAX_STEP_PAGES = 20;
/** A deployment execution has a handful of actions (and retries); the bound only guards against a paging loop. */
const MAX_ACTION_PAGES = 10;
/** evaluation.json is a few hundred bytes; a larger object is not read. */
const MAX_EVALUATION_BYTES = 1024 * 1024;

/** The message this event produced (or, for a duplicate event, the one the first delivery published). */
export interface Published {
  readonly status: 'published';
  readonly eventId: string;
  readonly kind: NotificationKind;
  readonly subject: string;
  /** SNS's id of the published message. */
  readonly messageId: string;
}

/** What the notify handler returns. */
export type NotifyResult = Published | Rejected;

/** The steps of a failed execution, oldest first. AWS errors propagate, so Lambda retries the event. */
async function listExecutionSteps(pipelineExecutionArn: string): Promise<PipelineExecutionStep[]> {
  const steps: PipelineExecutionStep[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    try {
      const response = await sageMaker.send(
        new ListPipelineExecutionStepsCommand({
          PipelineExecutionArn: pipelineExecutionArn,
          SortOrder: 'Ascending',
          MaxResults: 100,
          NextToken: nextToken,
        }),
      );
      steps.push(...(response.PipelineExecutionSteps ?? []));
      nextToken = response.NextToken;
    } catch (error) {
      throw awsCallFailed('SageMaker ListPipelineExecutionSteps', `execution ${pipelineExecutionArn}`, error);
    }
    pages++;
  } while (nextToken !== undefined && nextToken !== '' && pages < MAX_STEP_PAGES);
  return steps;
}

/**
 * The version's evaluation.json. A missing object (NoSuchKey) is reported in the message, since a retry cannot
 * bring it back; other errors (access, KMS, throttling) propagate, so Lambda retries the event. S3 answers
 * NoSuchKey only to a caller that may list the prefix (s3:ListBucket); to others a missing object is AccessDenied.
 */
async function readEvaluationFile(uri: string, account: string): Promise<EvaluationFile> {
  const location = parseS3Uri(uri);
  if (location === undefined) {
    return { status: 'not-s3', uri };
  }
  try {
    const response = await s3.send(
      // The platform's buckets are in the event's account: never read a same-named bucket someone else owns.
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key, ExpectedBucketOwner: account }),
    );
    const bytes = response.ContentLength;
    if (bytes !== undefined && bytes > MAX_EVALUATION_BYTES) {
      (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return { status: 'too-large', uri, bytes };
    }
    return { status: 'read', uri, text: (await response.Body?.transformToString('utf-8')) ?? '' };
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: unknown }).name === 'NoSuchKey') {
      return { status: 'not-found', uri };
    }
    throw awsCallFailed('S3 GetObject', uri, error);
  }
}

/**
 * A deployment pipeline execution and its actions (with their errors and output variables). An execution or pipeline
 * CodePipeline no longer knows is said in the message, since a retry cannot bring it back; other errors propagate,
 * so Lambda retries the event.
 */
async function readDeployment(pipelineName: string, executionId: string): Promise<DeploymentDetails> {
  const context = `pipeline '${pipelineName}', execution ${executionId}`;
  const gone = (error: unknown) =>
    error instanceof Error && ['PipelineExecutionNotFoundException', 'PipelineNotFoundException'].includes(error.name);
  const answered = (operation: string, error: unknown) =>
    `CodePipeline ${operation} answered ${(error as Error).name}: ${(error as Error).message}`;
  let execution: PipelineExecution | undefined;
  try {
    const response = await codePipeline.send(
      new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId: executionId }),
    );
    execution = response.pipelineExecution;
  } catch (error) {
    if (gone(error)) {
      return { problem: answered('GetPipelineExecution', error) };
    }
    throw awsCallFailed('CodePipeline GetPipelineExecution', context, error);
  }
  const actions: ActionExecutionDetail[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    try {
      const response = await codePipeline.send(
        new ListActionExecutionsCommand({
          pipelineName,
          filter: { pipelineExecutionId: executionId },
          maxResults: 100,
          nextToken,
        }),
      );
      actions.push(...(response.actionExecutionDetails ?? []));
      nextToken = response.nextToken;
    } catch (error) {
      if (gone(error)) {
        return { execution, problem: answered('ListActionExecutions', error) };
      }
      throw awsCallFailed('CodePipeline ListActionExecutions', context, error);
    }
    pages++;
  } while (nextToken !== undefined && nextToken !== '' && pages < MAX_ACTION_PAGES);
  return { execution, actions };
}

/** Reads what the message needs (see `NotifyLookup`); a version no longer awaiting approval is rejected. */
async function readDetails(decision: NotifyDecision): Promise<NotificationDetails | Rejected> {
  const { lookup } = decision;
  if (lookup.kind === 'pipeline-steps') {
    return { steps: await listExecutionSteps(lookup.pipelineExecutionArn) };
  }
  if (lookup.kind === 'deployment-execution') {
    return { deployment: await readDeployment(lookup.pipelineName, lookup.executionId) };
  }
  if (lookup.kind === 'model-package') {
    let modelPackage;
    try {
      modelPackage = await sageMaker.send(
        new DescribeModelPackageCommand({ ModelPackageName: lookup.modelPackageArn }),
      );
    } catch (error) {
      throw awsCallFailed('SageMaker DescribeModelPackage', lookup.modelPackageArn, error);
    }
    const stale = decideApprovalRequest(lookup.modelPackageArn, modelPackage);
    if (stale !== undefined) {
      return stale;
    }
    const uri = modelPackage.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
    const evaluation = uri === undefined ? undefined : await readEvaluationFile(uri, decision.event.account);
    return { modelPackage, evaluation };
  }
  return {};
}

/** Reads the details, writes the message and publishes it. Errors propagate, so Lambda retries the event. */
async function sendNotification(decision: NotifyDecision): Promise<NotifyResult> {
  const details = await readDetails(decision);
  if ('status' in details) {
    logger.warn('Rejected the event after reading its details; nothing published', {
      eventId: decision.eventId,
      reason: details.reason,
    });
    return details;
  }
  const notification = formatNotification(decision.event, details, settings);
  let messageId: string | undefined;
  try {
    const response = await sns.send(
      new PublishCommand({
        TopicArn: settings.topicArn,
        Subject: notification.subject,
        Message: notification.message,
        MessageAttributes: { kind: { DataType: 'String', StringValue: notification.kind } },
      }),
    );
    messageId = response.MessageId;
  } catch (error) {
    throw awsCallFailed('SNS Publish', `topic ${settings.topicArn}, event ${decision.eventId}`, error);
  }
  if (messageId === undefined || messageId === '') {
    throw new Error(`SNS Publish returned no MessageId (topic ${settings.topicArn}, event ${decision.eventId})`);
  }
  logger.info('Published the notification', {
    eventId: decision.eventId,
    kind: notification.kind,
    subject: notification.subject,
    messageId,
  });
  const { kind, subject } = notification;
  return { status: 'published', eventId: decision.eventId, kind, subject, messageId };
}

const sendNotificationOnce = createIdempotentAction(sendNotification, {
  tableName: settings.idempotencyTableName,
  keyPrefix: 'notify',
  eventKeyJmesPath: 'eventId',
  expiresAfterSeconds: settings.idempotencyExpirySeconds,
  onDuplicate: (storedResult) =>
    logger.info("Duplicate event: returning the first delivery's result", { storedResult }),
});

/**
 * EventBridge (the monitoring stack's rules) → one readable SNS message per event: failed, stopped or succeeded
 * pipeline executions (naming the failed steps), failed or stopped training and tuning jobs, failed, timed-out,
 * stopped or late ETL runs, model versions awaiting approval (with their metrics against the quality gate and
 * the commands to approve or reject), and succeeded, failed or stopped executions of the model deployment pipeline
 * (the version in production, or the failed action and its error). Events the rules should not send are rejected
 * without any AWS call. One
 * message per EventBridge event id: Powertools idempotency around the reads and the publish.
 */
export async function handler(event: unknown, context: Context): Promise<NotifyResult> {
  logger.addContext(context);
  const parsed = parseEvent(NotifyEventSchema, event, 'an event the notify rules send');
  const decision = parsed.success ? decideNotify(parsed.data, settings) : rejected(parsed.reason);
  if (decision.status === 'rejected') {
    logger.warn('Rejected the event; nothing published', { eventId: eventIdOf(event), reason: decision.reason });
    return decision;
  }
  return sendNotificationOnce(decision, context);
}
