import { Condition } from '../conditions';
import { Expressions, type JoinExpression } from '../expressions';
import { MODEL_METADATA_KEYS, TRAINING_PIPELINE_OUTPUTS, TRAINING_PIPELINE_STEPS } from '../names';
import { metricDirection } from '../problem-types';
import { servingEnvironment } from '../serving';
import { ConditionStep, FailStep, RegisterModelStep, type ProcessingStep } from '../steps';
import type { TrainingBuildContext } from './context';
import { DEFAULT_JOB_RETRY_POLICIES } from './props';

const CONTENT_TYPES = ['text/csv', 'application/json'];

/**
 * CheckQuality: the gate metric of evaluation.json against the QualityThreshold parameter (`>=` for metrics that
 * are better higher, `<=` for lower-is-better ones). If it holds, Register adds the best model to the model package
 * group with the ModelApprovalStatus parameter; else QualityGateFailed ends the execution with a message naming
 * the metric, its value and the threshold.
 */
/** The steps whose outputs the gate and the registered version refer to. */
export interface GateInputs {
  readonly preprocess: ProcessingStep;
  readonly baseline: ProcessingStep;
  readonly evaluate: ProcessingStep;
}

export function qualityGateStep(context: TrainingBuildContext, steps: GateInputs, bestModelUri: JoinExpression): ConditionStep {
  const { evaluate } = steps;
  const { props, resolved, parameters } = context;
  const report = evaluate.propertyFile(TRAINING_PIPELINE_OUTPUTS.evaluationReport);
  const metricValue = report.jsonGet<number>(`${resolved.spec.reportKey}.${resolved.gateMetric}.value`);
  const minimize = metricDirection(props.problemType, resolved.gateMetric) === 'Minimize';

  const fail = new FailStep(TRAINING_PIPELINE_STEPS.qualityGateFailed, {
    errorMessage: Expressions.join(
      [
        `Quality gate failed: ${resolved.gateMetric} =`,
        metricValue,
        minimize ? 'is above the threshold' : 'is below the threshold',
        parameters.qualityThreshold,
        minimize ? '(lower is better).' : '(higher is better).',
      ],
      ' ',
    ),
  });
  return new ConditionStep(TRAINING_PIPELINE_STEPS.checkQuality, {
    conditions: [
      minimize
        ? Condition.lessThanOrEqualTo(metricValue, parameters.qualityThreshold)
        : Condition.greaterThanOrEqualTo(metricValue, parameters.qualityThreshold),
    ],
    ifSteps: [registerStep(context, steps, bestModelUri)],
    elseSteps: [fail],
  });
}

/**
 * Register: a model package version with the best model, its serving container, evaluation.json as its quality
 * metrics, the baseline as its data-quality metrics, and the gate and the test split in its metadata.
 */
function registerStep(context: TrainingBuildContext, steps: GateInputs, bestModelUri: JoinExpression): RegisterModelStep {
  const { props, resolved, parameters } = context;
  const { evaluate, baseline, preprocess } = steps;
  const baselineFile = (file: string) => Expressions.join([baseline.outputUri(TRAINING_PIPELINE_OUTPUTS.baseline), file], '/');
  // A RegisterModel step is no SageMaker job: of the job retry policies, only the Step.* exception types apply.
  const stepRetries = (props.retryPolicies ?? DEFAULT_JOB_RETRY_POLICIES)
    .map((p) => ({ ...p, exceptionTypes: p.exceptionTypes.filter((t) => t.startsWith('Step.')) }))
    .filter((p) => p.exceptionTypes.length > 0);
  return new RegisterModelStep(TRAINING_PIPELINE_STEPS.register, {
    retryPolicies: stepRetries,
    arguments: {
      ModelPackageGroupName: props.modelPackageGroupName,
      ModelApprovalStatus: parameters.approvalStatus,
      ModelMetrics: {
        ModelQuality: {
          Statistics: {
            ContentType: 'application/json',
            S3Uri: Expressions.join(
              [evaluate.outputUri(TRAINING_PIPELINE_OUTPUTS.evaluation), TRAINING_PIPELINE_OUTPUTS.evaluationFile],
              '/',
            ),
          },
        },
        ModelDataQuality: {
          Statistics: { ContentType: 'application/json', S3Uri: baselineFile(TRAINING_PIPELINE_OUTPUTS.baselineStatisticsFile) },
          Constraints: { ContentType: 'application/json', S3Uri: baselineFile(TRAINING_PIPELINE_OUTPUTS.baselineConstraintsFile) },
        },
      },
      InferenceSpecification: {
        Containers: [
          {
            Image: props.imageUris.inference ?? props.imageUris.xgboost,
            ModelDataUrl: bestModelUri,
            Environment: servingEnvironment(props.region),
          },
        ],
        SupportedContentTypes: CONTENT_TYPES,
        SupportedResponseMIMETypes: CONTENT_TYPES,
        SupportedRealtimeInferenceInstanceTypes: [
          ...(props.inferenceInstanceTypes?.realtime ?? ['ml.m5.large', 'ml.m5.xlarge']),
        ],
        SupportedTransformInstanceTypes: [...(props.inferenceInstanceTypes?.transform ?? ['ml.m5.xlarge'])],
      },
      // The gate a version passed, for reviewers and the approval notification (metadata values are strings).
      CustomerMetadataProperties: {
        [MODEL_METADATA_KEYS.problemType]: props.problemType,
        [MODEL_METADATA_KEYS.labelColumn]: props.labelColumn,
        [MODEL_METADATA_KEYS.qualityMetric]: resolved.gateMetric,
        [MODEL_METADATA_KEYS.qualityMetricDirection]: metricDirection(props.problemType, resolved.gateMetric),
        [MODEL_METADATA_KEYS.qualityThreshold]: Expressions.join([parameters.qualityThreshold]),
        [MODEL_METADATA_KEYS.testDataUri]: Expressions.join([preprocess.outputUri(TRAINING_PIPELINE_OUTPUTS.test)]),
      },
    },
  });
}
