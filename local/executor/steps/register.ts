import type { CreateModelPackageRequest, InferenceSpecification, ModelApprovalStatus } from '../../registry';
import { StepFailure } from '../retry';
import { asRecord, asString } from './common';
import type { StepContext } from './context';

/** Runs a RegisterModel step: a new version in the local model registry, with metrics from the statistics file. */
export async function runRegisterModelStep(ctx: StepContext): Promise<Record<string, unknown>> {
  const args = ctx.args;
  const group = asString(args.ModelPackageGroupName, 'ModelPackageGroupName');
  const spec = args.InferenceSpecification as InferenceSpecification | undefined;
  for (const [i, container] of (spec?.Containers ?? []).entries()) {
    const url = container.ModelDataUrl;
    if (typeof url === 'string' && url.startsWith('s3://') && !ctx.s3.exists(url)) {
      throw new StepFailure(
        `InferenceSpecification.Containers[${i}].ModelDataUrl ${url} does not exist in local S3; ` +
          'register the artifact the training/tuning step wrote',
      );
    }
  }
  let metrics: unknown;
  const quality = (args.ModelMetrics as Record<string, unknown> | undefined)?.ModelQuality as Record<string, unknown> | undefined;
  const statistics = quality?.Statistics;
  if (statistics !== undefined) {
    const uri = asString(asRecord(statistics, 'ModelMetrics.ModelQuality.Statistics').S3Uri, 'ModelMetrics.ModelQuality.Statistics.S3Uri');
    let text: string;
    try {
      text = ctx.s3.getText(uri);
    } catch (err) {
      throw new StepFailure(`ModelMetrics.ModelQuality.Statistics: ${(err as Error).message}`);
    }
    try {
      metrics = JSON.parse(text);
    } catch (err) {
      throw new StepFailure(`ModelMetrics.ModelQuality.Statistics ${uri} is not valid JSON (${(err as Error).message})`);
    }
  }
  const request: CreateModelPackageRequest = {
    ...(args as Record<string, unknown>),
    ModelPackageGroupName: group,
    ModelApprovalStatus: (args.ModelApprovalStatus ?? 'PendingManualApproval') as ModelApprovalStatus,
  };
  try {
    const created = ctx.registry.createModelPackage(request, { metrics, generatedBy: ctx.execution.executionArn });
    return { ...created };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw err;
    throw new StepFailure((err as Error).message);
  }
}
