/**
 * The EventBridge event patterns of the platform's rules, as plain JSON built from the resources they match (tokens
 * in the cloud, local names in local mode). The stacks give them to `events.Rule`; local mode's event bus routes
 * its events with the same patterns; tests match them against AWS's published sample events.
 */
import { DATA_LAYOUT } from '../config/data-layout';

/** An EventBridge event pattern (content filtering), as EventBridge stores it. */
export interface EventPatternJson {
  readonly [field: string]: unknown;
}

/** Statuses of a pipeline execution that end it. */
export const PIPELINE_END_STATUSES = ['Succeeded', 'Failed', 'Stopped'] as const;

/** An object created under `raw/` in the raw bucket: a dataset to curate (the start-etl rule). */
export function datasetUploadedPattern(rawBucketName: string): EventPatternJson {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: { bucket: { name: [rawBucketName] }, object: { key: [{ prefix: DATA_LAYOUT.rawPrefix }] } },
  };
}

/** A run of the ETL job that succeeded: its output is ready to train on (the start-training rule). */
export function etlSucceededPattern(etlJobName: string): EventPatternJson {
  return {
    source: ['aws.glue'],
    'detail-type': ['Glue Job State Change'],
    detail: { jobName: [etlJobName], state: ['SUCCEEDED'] },
  };
}

/** A run of the ETL job that failed, timed out or was stopped, or that runs past its notify delay. */
export function etlProblemPattern(etlJobName: string): EventPatternJson {
  return {
    source: ['aws.glue'],
    $or: [
      { 'detail-type': ['Glue Job State Change'], detail: { jobName: [etlJobName], state: ['FAILED', 'TIMEOUT', 'STOPPED'] } },
      { 'detail-type': ['Glue Job Run Status'], detail: { jobName: [etlJobName] } },
    ],
  };
}

/** An execution of one of the pipelines that ended (succeeded, failed or was stopped). */
export function pipelineExecutionEndedPattern(pipelineArns: readonly string[]): EventPatternJson {
  return {
    source: ['aws.sagemaker'],
    'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
    detail: { pipelineArn: [...pipelineArns], currentPipelineExecutionStatus: [...PIPELINE_END_STATUSES] },
  };
}

/**
 * A training job or hyperparameter tuning job of the platform that failed or was stopped. The jobs the pipelines
 * start have generated names, but they run as the platform's SageMaker execution role: the pattern matches on it.
 */
export function trainingProblemPattern(executionRoleArn: string): EventPatternJson {
  return {
    source: ['aws.sagemaker'],
    $or: [
      {
        'detail-type': ['SageMaker Training Job State Change'],
        detail: { RoleArn: [executionRoleArn], TrainingJobStatus: ['Failed', 'Stopped'] },
      },
      {
        'detail-type': ['SageMaker HyperParameter Tuning Job State Change'],
        detail: {
          TrainingJobDefinition: { RoleArn: [executionRoleArn] },
          HyperParameterTuningJobStatus: ['Failed', 'Stopped'],
        },
      },
    ],
  };
}

/** A new version in the model package group that waits for a person to approve it. */
export function modelPendingApprovalPattern(modelPackageGroupName: string): EventPatternJson {
  return {
    source: ['aws.sagemaker'],
    'detail-type': ['SageMaker Model Package State Change'],
    detail: { ModelPackageGroupName: [modelPackageGroupName], ModelApprovalStatus: ['PendingManualApproval'] },
  };
}

/** A version of the model package group that was approved: it starts the model deployment pipeline. */
export function modelApprovedPattern(modelPackageGroupName: string): EventPatternJson {
  return {
    source: ['aws.sagemaker'],
    'detail-type': ['SageMaker Model Package State Change'],
    detail: { ModelPackageGroupName: [modelPackageGroupName], ModelApprovalStatus: ['Approved'] },
  };
}

/** An execution of the model deployment pipeline that ended (succeeded, failed or was stopped). */
export function deploymentEndedPattern(pipelineName: string): EventPatternJson {
  return {
    source: ['aws.codepipeline'],
    'detail-type': ['CodePipeline Pipeline Execution State Change'],
    detail: { pipeline: [pipelineName], state: ['SUCCEEDED', 'FAILED', 'STOPPED'] },
  };
}
