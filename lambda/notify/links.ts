/**
 * Console links of the resources the messages name, built from the region alone (no AWS call). The shapes are the
 * consoles' own deep links as of 2026:
 * - SageMaker console: `sagemaker/home?region=<r>#/jobs/<name>` (training jobs), `#/hyper-tuning-jobs/<name>`,
 *   `#/processing-jobs/<name>`, `#/transform-jobs/<name>`, and `#/studio-landing` (the page that opens Studio,
 *   where pipelines and the model registry live).
 * - Glue Studio: `gluestudio/home?region=<r>#/job/<url-encoded job name>/run/<run id>` (a job run's details).
 * - Studio: `https://studio-<domain id>.studio.<r>.sagemaker.aws/pipelines/view/<pipeline>/executions/<id>/graph`
 *   and `.../models/registered-models/<group>/versions`: only with a domain id, which the region does not give.
 * - CloudWatch Logs: a log group filtered to the streams of one job (`#logsV2:log-groups/log-group/$252Faws...`).
 * - CodePipeline: `codesuite/codepipeline/pipelines/<name>/executions/<id>/timeline?region=<r>` (an execution).
 * Only the standard `aws` partition is covered (console.aws.amazon.com).
 */

/** `https://<region>.console.aws.amazon.com` */
function consoleHome(region: string): string {
  return `https://${region}.console.aws.amazon.com`;
}

/** A page of the SageMaker console. */
function sageMakerConsole(region: string, fragment: string): string {
  return `${consoleHome(region)}/sagemaker/home?region=${region}#/${fragment}`;
}

/** The SageMaker console's Studio page: choose the domain and user profile, then Open Studio. */
export function studioLandingUrl(region: string): string {
  return sageMakerConsole(region, 'studio-landing');
}

/** A training job in the SageMaker console. */
export function trainingJobUrl(region: string, jobName: string): string {
  return sageMakerConsole(region, `jobs/${encodeURIComponent(jobName)}`);
}

/** A hyperparameter tuning job (with its training jobs) in the SageMaker console. */
export function tuningJobUrl(region: string, jobName: string): string {
  return sageMakerConsole(region, `hyper-tuning-jobs/${encodeURIComponent(jobName)}`);
}

/** A processing job in the SageMaker console. */
export function processingJobUrl(region: string, jobName: string): string {
  return sageMakerConsole(region, `processing-jobs/${encodeURIComponent(jobName)}`);
}

/** A batch transform job in the SageMaker console. */
export function transformJobUrl(region: string, jobName: string): string {
  return sageMakerConsole(region, `transform-jobs/${encodeURIComponent(jobName)}`);
}

/** A Glue job run (status, error, logs) in Glue Studio. */
export function glueJobRunUrl(region: string, jobName: string, jobRunId: string): string {
  const job = encodeURIComponent(jobName);
  return `${consoleHome(region)}/gluestudio/home?region=${region}#/job/${job}/run/${encodeURIComponent(jobRunId)}`;
}

/** The log streams of one SageMaker job (`/aws/sagemaker/TrainingJobs` or `ProcessingJobs`) in CloudWatch Logs. */
export function sageMakerJobLogsUrl(
  region: string,
  jobType: 'TrainingJobs' | 'ProcessingJobs' | 'TransformJobs',
  jobName: string,
): string {
  // The console double-encodes the group name and single-encodes the query, then writes each '%' as '$'.
  const group = encodeURIComponent(encodeURIComponent(`/aws/sagemaker/${jobType}`)).replace(/%/g, '$');
  const filter = encodeURIComponent(`?logStreamNameFilter=${jobName}`).replace(/%/g, '$');
  return `${consoleHome(region)}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${group}${filter}`;
}

/** A pipeline execution's graph in SageMaker Studio. */
export function studioPipelineExecutionUrl(
  region: string,
  domainId: string,
  pipelineName: string,
  executionId: string,
): string {
  const pipeline = encodeURIComponent(pipelineName);
  return `${studioHome(region, domainId)}/pipelines/view/${pipeline}/executions/${encodeURIComponent(executionId)}/graph`;
}

/** The versions of a model package group in SageMaker Studio's model registry. */
export function studioModelVersionsUrl(region: string, domainId: string, groupName: string): string {
  return `${studioHome(region, domainId)}/models/registered-models/${encodeURIComponent(groupName)}/versions`;
}

function studioHome(region: string, domainId: string): string {
  return `https://studio-${domainId}.studio.${region}.sagemaker.aws`;
}

/** A CodePipeline execution (its stages, actions and their errors) in the CodePipeline console. */
export function codePipelineExecutionUrl(region: string, pipelineName: string, executionId: string): string {
  const pipeline = encodeURIComponent(pipelineName);
  return (
    `${consoleHome(region)}/codesuite/codepipeline/pipelines/${pipeline}/executions/` +
    `${encodeURIComponent(executionId)}/timeline?region=${region}`
  );
}

/** The log group of a Lambda function in CloudWatch Logs. */
export function lambdaLogsUrl(region: string, functionName: string): string {
  const group = encodeURIComponent(encodeURIComponent(`/aws/lambda/${functionName}`)).replace(/%/g, '$');
  return `${consoleHome(region)}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${group}`;
}
