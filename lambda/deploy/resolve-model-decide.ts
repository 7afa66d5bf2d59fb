import { z } from 'zod';
import { MODEL_METADATA_KEYS } from '../../lib/sagemaker-pipelines/names';
import { describeValue } from '../shared/events';
import { jobFailed, type JobOutcome } from './job';
import { NO_BASELINE, NOT_RECORDED, RESOLVE_MODEL_VARIABLES as VARIABLES } from './variables';

/**
 * The decisions of `deploy/resolve-model` (pure): its UserParameters, and what the model registry's answers mean for
 * the job. The handler does the reads; these functions only interpret them.
 */

/** What the action's UserParameters look like. */
export const RESOLVE_MODEL_USER_PARAMETERS_EXAMPLE = '{"modelPackageGroupName":"mlops-dev-models"}';

/** SageMaker's `EntityName`: 1-63 letters, digits and '-', starting and ending with a letter or digit. */
const ENTITY_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** The action's UserParameters: the model package group to deploy from. Unknown keys are refused (typos). */
export const ResolveModelUserParametersSchema = z.strictObject({
  modelPackageGroupName: z
    .string()
    .regex(ENTITY_NAME_PATTERN, 'not a model package group name (1-63 letters, digits and -, no leading or trailing -)'),
});

/** Where the handler runs, for the commands in its messages. */
export interface Whereabouts {
  readonly account: string;
  readonly region: string;
}

/** The group does not exist: the action's UserParameters name the wrong one. */
export function decideMissingGroup(group: string, where: Whereabouts, said: string): JobOutcome {
  return jobFailed(
    'ConfigurationError',
    `Model package group '${group}' does not exist in account ${where.account}, region ${where.region} ` +
      `(SageMaker: ${said}). Check the modelPackageGroupName in this action's UserParameters: a stage's group is ` +
      "named mlops-<stage>-models, and the training stack creates it.",
  );
}

/** The group exists but has no Approved version: nothing to deploy until someone approves one. */
export function decideNoApprovedVersion(group: string, where: Whereabouts): JobOutcome {
  return jobFailed(
    'JobFailed',
    `Model package group '${group}' has no Approved version, so there is nothing to deploy. Approve a version ` +
      '(approving one starts this pipeline): list the pending ones with ' +
      `aws sagemaker list-model-packages --model-package-group-name ${group} --model-approval-status ` +
      `PendingManualApproval --region ${where.region}, then ` +
      `aws sagemaker update-model-package --model-package-arn <version ARN> --model-approval-status Approved ` +
      `--region ${where.region}.`,
  );
}

/** A model version as DescribeModelPackage describes it, reduced to what the decision reads. */
export interface DescribedVersion {
  readonly ModelPackageArn?: string;
  readonly ModelPackageGroupName?: string;
  readonly ModelPackageVersion?: number;
  readonly ModelApprovalStatus?: string;
  readonly ModelPackageStatus?: string;
  readonly CreationTime?: Date;
  readonly CustomerMetadataProperties?: Readonly<Record<string, string>>;
  readonly ModelMetrics?: {
    readonly ModelDataQuality?: {
      readonly Statistics?: { readonly S3Uri?: string };
      readonly Constraints?: { readonly S3Uri?: string };
    };
  };
  readonly InferenceSpecification?: {
    readonly Containers?: readonly {
      readonly Image?: string;
      readonly ModelDataUrl?: string;
      readonly ModelDataSource?: { readonly S3DataSource?: { readonly S3Uri?: string } };
    }[];
  };
}

/**
 * Decides from the latest Approved version's description: it must still be Approved, Completed, and have an
 * inference container with an image and model data; then its output variables.
 */
export function decideModelVersion(
  group: string,
  arn: string,
  version: DescribedVersion,
  where: Whereabouts,
): JobOutcome {
  const number = version.ModelPackageVersion ?? Number(arn.slice(arn.lastIndexOf('/') + 1));
  if (!Number.isInteger(number) || number < 1) {
    return jobFailed(
      'JobFailed',
      `The latest Approved entry of model package group '${group}', ${arn}, has no version number: it is not a ` +
        'version of the group. Approve a version that the training pipeline registered.',
      arn,
    );
  }
  const what = `Version ${number} of model package group '${group}' (${arn})`;
  const reject =
    `aws sagemaker update-model-package --model-package-arn ${arn} --model-approval-status Rejected ` +
    `--approval-description "<why>" --region ${where.region}`;
  if (version.ModelApprovalStatus !== 'Approved') {
    return jobFailed(
      'JobFailed',
      `${what} was the latest Approved version when listed, but is ${describeValue(version.ModelApprovalStatus)} ` +
        'now (its approval changed meanwhile). Nothing was deployed; the next approval starts the pipeline again.',
      arn,
    );
  }
  if (version.ModelPackageStatus !== undefined && version.ModelPackageStatus !== 'Completed') {
    return jobFailed(
      'JobFailed',
      `${what} is Approved but its ModelPackageStatus is ${version.ModelPackageStatus}, not Completed, so it ` +
        `cannot be deployed. Wait for it to complete, or reject it: ${reject}.`,
      arn,
    );
  }
  const containers = version.InferenceSpecification?.Containers ?? [];
  const container = containers[0];
  if (container === undefined) {
    return jobFailed(
      'JobFailed',
      `${what} has no inference container (InferenceSpecification.Containers is empty), so no endpoint can serve ` +
        `it. Versions registered by the training pipeline always have one: reject this version (${reject}) and ` +
        'approve one that the pipeline registered.',
      arn,
    );
  }
  const image = container.Image?.trim();
  const modelData = (container.ModelDataUrl ?? container.ModelDataSource?.S3DataSource?.S3Uri)?.trim();
  if (image === undefined || image === '' || modelData === undefined || modelData === '') {
    const missing = [image ? undefined : 'no Image', modelData ? undefined : 'no ModelDataUrl (nor ModelDataSource)']
      .filter((text) => text !== undefined)
      .join(' and ');
    return jobFailed(
      'JobFailed',
      `${what} has an inference container with ${missing}, so no endpoint can serve it. Reject it (${reject}) and ` +
        'approve a version that the training pipeline registered.',
      arn,
    );
  }

  const metadata = version.CustomerMetadataProperties ?? {};
  const testDataUri = metadata[MODEL_METADATA_KEYS.testDataUri]?.trim();
  if (testDataUri === undefined || !/^s3:\/\/[^/]+\/./.test(testDataUri)) {
    return jobFailed(
      'JobFailed',
      `${what} records ${testDataUri === undefined ? 'no' : `the invalid ${describeValue(testDataUri)} as its`} ` +
        `${MODEL_METADATA_KEYS.testDataUri} (CustomerMetadataProperties): the system test needs the held-out test ` +
        'set of the training execution that registered it, as an s3:// URI. Versions registered by the current ' +
        'training pipeline record it: run the training pipeline again and approve the new version.',
      arn,
    );
  }
  const recorded = (key: string) => {
    const value = metadata[key]?.trim();
    return value === undefined || value === '' ? NOT_RECORDED : value;
  };
  const metric = recorded(MODEL_METADATA_KEYS.qualityMetric);
  const direction = recorded(MODEL_METADATA_KEYS.qualityMetricDirection);
  const threshold = recorded(MODEL_METADATA_KEYS.qualityThreshold);
  // Both files or neither: the endpoint stack creates the monitoring schedule only with both.
  const dataQuality = version.ModelMetrics?.ModelDataQuality;
  const constraints = dataQuality?.Constraints?.S3Uri?.trim() ?? '';
  const statistics = dataQuality?.Statistics?.S3Uri?.trim() ?? '';
  const baseline =
    constraints !== '' && statistics !== '' ? { constraints, statistics } : { constraints: NO_BASELINE, statistics: NO_BASELINE };
  const registeredAt = isoTime(version.CreationTime);
  const gate =
    metric === NOT_RECORDED || threshold === NOT_RECORDED
      ? 'gate not recorded'
      : `gate ${metric} ${direction === 'Minimize' ? '<=' : direction === 'Maximize' ? '>=' : 'vs'} ${threshold}`;
  const summary = `${group} version ${number}, registered ${registeredAt ?? 'at an unknown time'}, ${gate}`;
  return {
    status: 'succeeded',
    outputVariables: {
      [VARIABLES.modelPackageArn]: arn,
      [VARIABLES.modelPackageGroupName]: group,
      [VARIABLES.modelPackageVersion]: String(number),
      [VARIABLES.modelDataUrl]: modelData,
      [VARIABLES.modelImage]: image,
      [VARIABLES.registeredAt]: registeredAt ?? NOT_RECORDED,
      [VARIABLES.qualityMetric]: metric,
      [VARIABLES.qualityMetricDirection]: direction,
      [VARIABLES.qualityThreshold]: threshold,
      [VARIABLES.modelSummary]: summary,
      [VARIABLES.testDataUri]: testDataUri,
      [VARIABLES.baselineConstraintsUri]: baseline.constraints,
      [VARIABLES.baselineStatisticsUri]: baseline.statistics,
    },
    summary: `Deploying ${summary}`,
    externalExecutionId: arn,
  };
}

/** `2026-11-30T10:00:00Z`, or undefined. */
function isoTime(time: Date | undefined): string | undefined {
  return time === undefined || Number.isNaN(time.getTime()) ? undefined : time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
