import { type Rejected, rejected } from '../shared/events';
import type { NotifyEvent } from './event';
import { approvalMessage } from './messages/approval';
import { lastSegment, sameSageMakerName } from './messages/common';
import { deploymentMessage } from './messages/deployment';
import { glueLateMessage, glueStateMessage } from './messages/glue';
import { trainingJobMessage, tuningJobMessage } from './messages/jobs';
import { pipelineMessage } from './messages/pipeline';
import type { FormatOptions, ModelPackageSummary, Notification, NotificationDetails } from './notification';

export type {
  DeploymentActionSummary,
  DeploymentDetails,
  DeploymentExecutionSummary,
  EvaluationFile,
  FormatOptions,
  ModelPackageSummary,
  Notification,
  NotificationDetails,
  NotificationKind,
  PipelineStepSummary,
} from './notification';

/** The names that say which events are ours (the settings of the same names). */
export interface NotifyRules {
  readonly trainingPipelineName: string;
  readonly inferencePipelineName: string;
  readonly modelPackageGroupName: string;
  readonly etlJobName: string;
  /** The deployment CodePipeline; unset, every CodePipeline event is rejected. */
  readonly deploymentPipelineName?: string;
}

/** What the handler must read before it can write the message. */
export type NotifyLookup =
  | { readonly kind: 'none' }
  /** A failed execution: ListPipelineExecutionSteps names the failed steps and their reasons. */
  | { readonly kind: 'pipeline-steps'; readonly pipelineExecutionArn: string }
  /** A version awaiting approval: DescribeModelPackage, then its evaluation.json from S3. */
  | { readonly kind: 'model-package'; readonly modelPackageArn: string }
  /** A deployment pipeline execution: GetPipelineExecution and ListActionExecutions (the version, what failed). */
  | { readonly kind: 'deployment-execution'; readonly pipelineName: string; readonly executionId: string };

/** An event to report. */
export interface NotifyDecision {
  readonly status: 'notify';
  /** The EventBridge event id: the idempotency key (a redelivered event sends no second message). */
  readonly eventId: string;
  readonly event: NotifyEvent;
  readonly lookup: NotifyLookup;
}

const APPROVAL_PENDING = 'PendingManualApproval';
const PIPELINE_STATUSES_REPORTED = ['Failed', 'Stopped', 'Succeeded'];
const JOB_STATUSES_REPORTED = ['Failed', 'Stopped'];
const GLUE_END_STATES_REPORTED = ['FAILED', 'TIMEOUT', 'STOPPED'];
const GLUE_RUNNING_STATES = ['STARTING', 'RUNNING', 'STOPPING', 'WAITING'];
const DEPLOYMENT_STATES_REPORTED = ['SUCCEEDED', 'FAILED', 'STOPPED'];

/**
 * Decides from the event alone (pure) whether it is reported, and what must be read first. Events the monitoring
 * rules should not send (other states, other pipelines, jobs or groups) are rejected, naming the value and what
 * would be reported.
 */
export function decideNotify(event: NotifyEvent, rules: NotifyRules): NotifyDecision | Rejected {
  const notify = (lookup: NotifyLookup): NotifyDecision => ({ status: 'notify', eventId: event.id, event, lookup });
  switch (event['detail-type']) {
    case 'SageMaker Model Building Pipeline Execution Status Change': {
      const { pipelineArn, pipelineExecutionArn, currentPipelineExecutionStatus: status } = event.detail;
      const name = lastSegment(pipelineArn);
      if (pipelineRole(name, rules) === undefined) {
        return rejected(
          `pipeline '${name}' is neither the training pipeline '${rules.trainingPipelineName}' ` +
            `nor the inference pipeline '${rules.inferencePipelineName}'`,
        );
      }
      if (!PIPELINE_STATUSES_REPORTED.includes(status)) {
        return rejected(
          `execution ${lastSegment(pipelineExecutionArn)} of pipeline '${name}' is ${status}; ` +
            `notify reports ${PIPELINE_STATUSES_REPORTED.join(', ')} executions only`,
        );
      }
      return notify(status === 'Failed' ? { kind: 'pipeline-steps', pipelineExecutionArn } : { kind: 'none' });
    }
    case 'SageMaker Training Job State Change': {
      const { TrainingJobName: name, TrainingJobStatus: status, TuningJobArn: tuningJobArn } = event.detail;
      if (!JOB_STATUSES_REPORTED.includes(status)) {
        return rejected(`training job '${name}' is ${status}; notify reports Failed and Stopped jobs only`);
      }
      if (status === 'Stopped' && tuningJobArn !== undefined) {
        return rejected(
          `training job '${name}' is a trial of tuning job '${lastSegment(tuningJobArn)}', stopped by it ` +
            '(early stopping, or the tuning job was stopped): the tuning job reports its own end',
        );
      }
      return notify({ kind: 'none' });
    }
    case 'SageMaker HyperParameter Tuning Job State Change': {
      const { HyperParameterTuningJobName: name, HyperParameterTuningJobStatus: status } = event.detail;
      if (!JOB_STATUSES_REPORTED.includes(status)) {
        return rejected(`tuning job '${name}' is ${status}; notify reports Failed and Stopped jobs only`);
      }
      return notify({ kind: 'none' });
    }
    case 'Glue Job State Change':
    case 'Glue Job Run Status': {
      const { jobName, jobRunId, state } = event.detail;
      if (jobName !== rules.etlJobName) {
        return rejected(`event is for Glue job '${jobName}', not the ETL job '${rules.etlJobName}'`);
      }
      const kind = event['detail-type'];
      const reported = kind === 'Glue Job State Change' ? GLUE_END_STATES_REPORTED : GLUE_RUNNING_STATES;
      if (!reported.includes(state)) {
        return rejected(
          `"${kind}" of ETL run ${jobRunId} in state ${state}; notify reports ${reported.join(', ')} only`,
        );
      }
      return notify({ kind: 'none' });
    }
    case 'SageMaker Model Package State Change': {
      const { ModelPackageGroupName: group, ModelPackageArn: arn, ModelApprovalStatus: approval } = event.detail;
      const status = event.detail.ModelPackageStatus;
      if (!sameSageMakerName(group, rules.modelPackageGroupName)) {
        return rejected(
          `model package group '${group}' is not the platform's group '${rules.modelPackageGroupName}'`,
        );
      }
      if (approval !== APPROVAL_PENDING) {
        return rejected(
          `model version ${arn} is ${approval}: notify asks for approval of ${APPROVAL_PENDING} versions only`,
        );
      }
      if (status !== undefined && status !== 'Completed') {
        return rejected(
          `model version ${arn} has ModelPackageStatus ${status}; the approval request goes out once it is Completed`,
        );
      }
      return notify({ kind: 'model-package', modelPackageArn: arn });
    }
    case 'CodePipeline Pipeline Execution State Change': {
      const { pipeline, 'execution-id': executionId, state } = event.detail;
      if (rules.deploymentPipelineName === undefined) {
        return rejected(
          `event is for CodePipeline pipeline '${pipeline}', but notify knows no deployment pipeline ` +
            '(DEPLOYMENT_PIPELINE_NAME is not set), so it reports no CodePipeline events',
        );
      }
      // CodePipeline names are case-sensitive (unlike SageMaker's).
      if (pipeline !== rules.deploymentPipelineName) {
        return rejected(
          `event is for CodePipeline pipeline '${pipeline}', not the deployment pipeline '${rules.deploymentPipelineName}'`,
        );
      }
      if (!DEPLOYMENT_STATES_REPORTED.includes(state)) {
        return rejected(
          `execution ${executionId} of pipeline '${pipeline}' is ${state}; notify reports ` +
            `${DEPLOYMENT_STATES_REPORTED.join(', ')} executions only`,
        );
      }
      return notify({ kind: 'deployment-execution', pipelineName: pipeline, executionId });
    }
  }
}

/**
 * The message for `event` (pure): what happened, where, when, why, what to do next, and console links. `details`
 * holds what the handler read for it (the failed execution's steps; the model version and its evaluation.json);
 * a missing detail is said in the text instead of failing. Local mode calls this too, so both print the same.
 */
export function formatNotification(
  event: NotifyEvent,
  details: NotificationDetails = {},
  options: FormatOptions = {},
): Notification {
  switch (event['detail-type']) {
    case 'SageMaker Model Building Pipeline Execution Status Change':
      return pipelineMessage(event, details.steps, options);
    case 'SageMaker Training Job State Change':
      return trainingJobMessage(event);
    case 'SageMaker HyperParameter Tuning Job State Change':
      return tuningJobMessage(event);
    case 'Glue Job State Change':
      return glueStateMessage(event);
    case 'Glue Job Run Status':
      return glueLateMessage(event);
    case 'SageMaker Model Package State Change':
      return approvalMessage(event, details, options);
    case 'CodePipeline Pipeline Execution State Change':
      return deploymentMessage(event, details.deployment);
  }
}

/**
 * Decides from DescribeModelPackage (pure): a version approved or rejected since the event (a late or redelivered
 * event) needs no request.
 */
export function decideApprovalRequest(
  modelPackageArn: string,
  modelPackage: ModelPackageSummary,
): Rejected | undefined {
  const now = modelPackage.ModelApprovalStatus;
  if (now !== undefined && now !== APPROVAL_PENDING) {
    return rejected(
      `model version ${modelPackageArn} is ${now} by now (the event said ${APPROVAL_PENDING}): nothing awaits approval`,
    );
  }
  return undefined;
}

/** `s3://bucket/key` → bucket and key; undefined for anything else. */
export function parseS3Uri(uri: string): { readonly bucket: string; readonly key: string } | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
  return match === null ? undefined : { bucket: match[1], key: match[2] };
}

/** Which of the platform's pipelines `name` is (SageMaker compares names without case). */
function pipelineRole(name: string, rules: NotifyRules): 'training' | 'inference' | undefined {
  if (sameSageMakerName(name, rules.trainingPipelineName)) {
    return 'training';
  }
  return sameSageMakerName(name, rules.inferencePipelineName) ? 'inference' : undefined;
}

