import { StepFailure } from '../retry';
import { asRecord, jobName, sagemakerArn } from './common';
import type { StepContext } from './context';
import type { LocalModel } from './model-store';

/** Runs a Model step: records the model (resolving a model package to its container) for Transform steps. */
export async function runModelStep(ctx: StepContext): Promise<Record<string, unknown>> {
  const args = ctx.args;
  let container: Record<string, unknown>;
  if (args.PrimaryContainer !== undefined) {
    container = asRecord(args.PrimaryContainer, 'PrimaryContainer');
  } else {
    container = asRecord((args.Containers as unknown[] | undefined)?.[0], 'Containers[0]');
  }
  let image = container.Image as string | undefined;
  let modelDataUrl = container.ModelDataUrl as string | undefined;
  let environment = (container.Environment ?? {}) as Record<string, string>;
  const packageName = container.ModelPackageName as string | undefined;
  if (packageName !== undefined) {
    let pkg;
    try {
      pkg = ctx.registry.describeModelPackage(String(packageName));
    } catch (err) {
      throw new StepFailure(`PrimaryContainer.ModelPackageName: ${(err as Error).message}`);
    }
    const source = pkg.InferenceSpecification?.Containers[0];
    if (!source) throw new StepFailure(`Model package ${pkg.ModelPackageArn} has no inference container`);
    image = source.Image;
    modelDataUrl = source.ModelDataUrl;
    environment = { ...(source.Environment ?? {}), ...environment };
  }
  if (typeof modelDataUrl === 'string' && modelDataUrl.startsWith('s3://') && !ctx.s3.exists(modelDataUrl)) {
    throw new StepFailure(`ModelDataUrl ${modelDataUrl} does not exist in local S3`);
  }
  const name = jobName(['pipelines', ctx.execution.executionId, ctx.stepName]);
  const model: LocalModel = {
    ModelName: name,
    ModelArn: sagemakerArn(ctx.execution, 'model', name.toLowerCase()),
    PrimaryContainer: {
      ...(image !== undefined ? { Image: image } : {}),
      ...(modelDataUrl !== undefined ? { ModelDataUrl: modelDataUrl } : {}),
      Environment: Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v)])),
      ...(packageName !== undefined ? { ModelPackageName: String(packageName) } : {}),
    },
    ...(args.ExecutionRoleArn !== undefined ? { ExecutionRoleArn: String(args.ExecutionRoleArn) } : {}),
    CreationTime: new Date().toISOString(),
  };
  ctx.models.save(model);
  return { ...model };
}
