import type { PipelineDefinition } from '../definition';
import { TRAINING_PIPELINE_PARAMETERS } from '../names';
import { ParameterFloat, ParameterString } from '../parameters';
import { buildPipelineDefinition } from '../pipeline';
import type { TrainingBuildContext } from './context';
import { baselineStep } from './baseline-step';
import { evaluateStep } from './evaluate-step';
import { preprocessStep } from './preprocess-step';
import { DEFAULT_JOB_RETRY_POLICIES, type TrainingPipelineProps } from './props';
import { qualityGateStep } from './quality-gate';
import { resolveTrainingProps } from './resolve';
import { tuneStep } from './tune-step';

export * from './props';

/**
 * The training pipeline: Preprocess → (Baseline, Tune → Evaluate) → CheckQuality → Register | QualityGateFailed.
 *
 * Artifacts (under `s3://<artifactBucketName>/<artifactPrefix>/`):
 * - `<execution id>/preprocess/{train,validation,test}/`: the splits,
 * - `tuning/<training job name>/output/model.tar.gz`: each trial's model,
 * - `<execution id>/evaluation/evaluation.json`: the best model's metrics on the test split,
 * - `<execution id>/baseline/{statistics,constraints}.json`: the training split's data-quality baseline.
 *
 * Throws one error listing every invalid prop (unresolved tokens are not checked).
 */
export function trainingPipelineDefinition(props: TrainingPipelineProps): PipelineDefinition {
  const resolved = resolveTrainingProps(props);
  const inputDataUri = new ParameterString(TRAINING_PIPELINE_PARAMETERS.inputDataUri, {
    defaultValue: props.defaultInputDataUri,
  });
  const approvalStatus = new ParameterString(TRAINING_PIPELINE_PARAMETERS.modelApprovalStatus, {
    defaultValue: props.defaultModelApprovalStatus ?? 'PendingManualApproval',
  });
  const qualityThreshold = new ParameterFloat(TRAINING_PIPELINE_PARAMETERS.qualityThreshold, {
    defaultValue: resolved.threshold,
  });
  const processingInstanceType = new ParameterString(TRAINING_PIPELINE_PARAMETERS.processingInstanceType, {
    defaultValue: resolved.processing.instanceType,
  });
  const trainingInstanceType = new ParameterString(TRAINING_PIPELINE_PARAMETERS.trainingInstanceType, {
    defaultValue: resolved.training.instanceType,
  });
  const networkConfig = props.vpc
    ? { VpcConfig: { SecurityGroupIds: [...props.vpc.securityGroupIds], Subnets: [...props.vpc.subnetIds] } }
    : undefined;
  const context: TrainingBuildContext = {
    props,
    resolved,
    parameters: {
      inputDataUri: inputDataUri.ref,
      approvalStatus: approvalStatus.ref,
      qualityThreshold: qualityThreshold.ref,
      processingInstanceType: processingInstanceType.ref,
      trainingInstanceType: trainingInstanceType.ref,
    },
    jobOptions: { cacheConfig: props.cacheConfig, retryPolicies: props.retryPolicies ?? DEFAULT_JOB_RETRY_POLICIES },
    networkConfig,
    vpcConfig: networkConfig?.VpcConfig,
  };

  const preprocess = preprocessStep(context);
  const baseline = baselineStep(context, preprocess);
  const tune = tuneStep(context, preprocess);
  const evaluate = evaluateStep(context, preprocess, tune.bestModelUri);
  const checkQuality = qualityGateStep(context, { preprocess, baseline, evaluate }, tune.bestModelUri);
  return buildPipelineDefinition({
    parameters: [inputDataUri, approvalStatus, qualityThreshold, processingInstanceType, trainingInstanceType],
    steps: [preprocess, baseline, tune.step, evaluate, checkQuality],
  });
}
