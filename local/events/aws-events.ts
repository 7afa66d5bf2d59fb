/**
 * The events AWS services put on the default event bus, as local mode's runners put them: the same source,
 * detail-type and detail fields as the samples AWS publishes (test/fixtures/events), so the deployed rules' patterns
 * and the handlers' schemas see what they would see in the cloud.
 */
import { randomBytes } from 'crypto';

/** An event before the bus adds its envelope (id, time, account, region). */
export interface AwsEvent {
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly resources: readonly string[];
}

/** S3 "Object Created" (EventBridge notifications of the bucket), for a `PutObject`. */
export function objectCreatedEvent(props: {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly versionId: string;
  readonly requester: string;
}): AwsEvent {
  return {
    source: 'aws.s3',
    detailType: 'Object Created',
    detail: {
      version: '0',
      bucket: { name: props.bucket },
      object: {
        key: props.key,
        size: props.size,
        etag: props.etag,
        'version-id': props.versionId,
        sequencer: Date.now().toString(16).toUpperCase().padStart(16, '0'),
      },
      'request-id': randomBytes(8).toString('hex').toUpperCase(),
      requester: props.requester,
      'source-ip-address': '127.0.0.1',
      reason: 'PutObject',
    },
    resources: [`arn:aws:s3:::${props.bucket}`],
  };
}

/** The states a Glue job run ends in; each one is a "Glue Job State Change". */
export type GlueEndState = 'SUCCEEDED' | 'FAILED' | 'TIMEOUT' | 'STOPPED';

/** Glue "Glue Job State Change": a run ended. */
export function glueJobStateChangeEvent(props: {
  readonly jobName: string;
  readonly jobRunId: string;
  readonly state: GlueEndState;
  readonly message: string;
}): AwsEvent {
  return {
    source: 'aws.glue',
    detailType: 'Glue Job State Change',
    detail: {
      jobName: props.jobName,
      severity: props.state === 'SUCCEEDED' || props.state === 'STOPPED' ? 'INFO' : 'ERROR',
      state: props.state,
      jobRunId: props.jobRunId,
      message: props.message,
    },
    resources: [],
  };
}

/** Glue "Glue Job Run Status": a run still going after its job's notify delay. */
export function glueJobRunStatusEvent(props: {
  readonly jobName: string;
  readonly jobRunId: string;
  readonly notifyDelayMinutes: number;
  readonly startedOn: string;
}): AwsEvent {
  return {
    source: 'aws.glue',
    detailType: 'Glue Job Run Status',
    detail: {
      jobName: props.jobName,
      severity: 'INFO',
      notificationCondition: { NotifyDelayAfter: props.notifyDelayMinutes },
      state: 'RUNNING',
      jobRunId: props.jobRunId,
      message: 'Job is in RUNNING state',
      startedOn: props.startedOn,
    },
    resources: [],
  };
}

/** SageMaker "Model Building Pipeline Execution Status Change". */
export function pipelineExecutionStatusChangeEvent(props: {
  readonly pipelineArn: string;
  readonly executionArn: string;
  readonly status: string;
  readonly previousStatus?: string;
  readonly startTime: string;
  readonly endTime?: string;
  readonly displayName?: string;
  readonly description?: string;
}): AwsEvent {
  return {
    source: 'aws.sagemaker',
    detailType: 'SageMaker Model Building Pipeline Execution Status Change',
    detail: {
      ...(props.displayName !== undefined ? { pipelineExecutionDisplayName: props.displayName } : {}),
      currentPipelineExecutionStatus: props.status,
      ...(props.previousStatus !== undefined ? { previousPipelineExecutionStatus: props.previousStatus } : {}),
      executionStartTime: secondsPrecision(props.startTime),
      ...(props.endTime !== undefined ? { executionEndTime: secondsPrecision(props.endTime) } : {}),
      ...(props.description !== undefined ? { pipelineExecutionDescription: props.description } : {}),
      pipelineArn: props.pipelineArn,
      pipelineExecutionArn: props.executionArn,
    },
    resources: [props.pipelineArn, props.executionArn],
  };
}

/** SageMaker "Training Job State Change": the job as DescribeTrainingJob describes it. */
export function trainingJobStateChangeEvent(job: Record<string, unknown> & { TrainingJobArn: string }): AwsEvent {
  return { source: 'aws.sagemaker', detailType: 'SageMaker Training Job State Change', detail: job, resources: [job.TrainingJobArn] };
}

/** SageMaker "HyperParameter Tuning Job State Change": the job as DescribeHyperParameterTuningJob describes it. */
export function tuningJobStateChangeEvent(job: Record<string, unknown> & { HyperParameterTuningJobArn: string }): AwsEvent {
  return {
    source: 'aws.sagemaker',
    detailType: 'SageMaker HyperParameter Tuning Job State Change',
    detail: job,
    resources: [job.HyperParameterTuningJobArn],
  };
}

/** SageMaker "Model Package State Change": the version as DescribeModelPackage describes it. */
export function modelPackageStateChangeEvent(modelPackage: Record<string, unknown> & { ModelPackageArn: string }): AwsEvent {
  return {
    source: 'aws.sagemaker',
    detailType: 'SageMaker Model Package State Change',
    detail: modelPackage,
    resources: [modelPackage.ModelPackageArn],
  };
}

/** `2021-03-15T16:03:13Z`: how SageMaker's pipeline events write times. */
function secondsPrecision(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
