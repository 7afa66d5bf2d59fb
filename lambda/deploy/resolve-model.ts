import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { Context } from 'aws-lambda';
import { createLogger } from '../shared/logger';
import {
  type CodePipelineJob,
  failureFromAwsError,
  isAwsError,
  type JobOutcome,
  parseUserParameters,
} from './job';
import { type JobResult, runJob } from './run-job';
import {
  decideMissingGroup,
  decideModelVersion,
  decideNoApprovedVersion,
  RESOLVE_MODEL_USER_PARAMETERS_EXAMPLE,
  ResolveModelUserParametersSchema,
  type Whereabouts,
} from './resolve-model-decide';

const logger = createLogger('deploy/resolve-model');
const sageMaker = new SageMakerClient({});
const codePipeline = new CodePipelineClient({});

/** SageMaker answers a missing group with a ValidationException (or ResourceNotFound) saying so. */
function isMissingGroup(error: unknown): boolean {
  return (
    isAwsError(error, 'ValidationException', 'ResourceNotFound', 'ResourceNotFoundException') &&
    /does not exist|not found|cannot be found/i.test((error as Error).message)
  );
}

/** Reads the registry and decides. Never throws for an AWS error: each one becomes the job's failure. */
async function resolveModel(job: CodePipelineJob): Promise<JobOutcome> {
  const parameters = parseUserParameters(
    job.userParameters,
    ResolveModelUserParametersSchema,
    RESOLVE_MODEL_USER_PARAMETERS_EXAMPLE,
  );
  if (!parameters.success) {
    return parameters.failure;
  }
  const group = parameters.data.modelPackageGroupName;
  const where: Whereabouts = { account: job.accountId, region: await sageMaker.config.region() };

  let latestArn: string | undefined;
  try {
    const listed = await sageMaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: group,
        ModelApprovalStatus: 'Approved',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 1,
      }),
    );
    latestArn = listed.ModelPackageSummaryList?.[0]?.ModelPackageArn;
  } catch (error) {
    return isMissingGroup(error)
      ? decideMissingGroup(group, where, (error as Error).message)
      : failureFromAwsError('SageMaker ListModelPackages', `group '${group}', Approved versions`, error);
  }

  if (latestArn === undefined || latestArn === '') {
    // No Approved version: tell a missing group (a configuration error) from an empty one.
    try {
      await sageMaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: group }));
    } catch (error) {
      return isMissingGroup(error)
        ? decideMissingGroup(group, where, (error as Error).message)
        : failureFromAwsError('SageMaker DescribeModelPackageGroup', `group '${group}'`, error);
    }
    return decideNoApprovedVersion(group, where);
  }

  let described;
  try {
    described = await sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: latestArn }));
  } catch (error) {
    return failureFromAwsError('SageMaker DescribeModelPackage', latestArn, error, latestArn);
  }
  return decideModelVersion(group, latestArn, described, where);
}

/**
 * CodePipeline Lambda invoke action (asynchronous): finds the latest Approved version of the model package group
 * named in the action's UserParameters (`{"modelPackageGroupName": "..."}`), checks that an endpoint can serve it,
 * and ends the job with its ARN, version and gate as output variables (`variables.ts`), or with a failure that says
 * what is wrong and what to do. Every job is ended, unless PutJob* itself fails: then the invocation fails and Lambda
 * retries it. An event that is not a job is rejected without any AWS call. A redelivered job repeats only reads;
 * CodePipeline refuses its second result, and the first stands.
 */
export async function handler(event: unknown, context: Context): Promise<JobResult> {
  logger.addContext(context);
  return runJob(event, resolveModel, { logger, codePipeline, doing: 'resolving the model version' });
}
