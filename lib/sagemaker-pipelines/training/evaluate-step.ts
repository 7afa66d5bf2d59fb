import { ExecutionVariables, Expressions, type JoinExpression } from '../expressions';
import { PROCESSING_PATHS, TRAINING_PIPELINE_OUTPUTS, TRAINING_PIPELINE_STEPS } from '../names';
import { ProcessingStep } from '../steps';
import { processingCluster, type TrainingBuildContext } from './context';
import { keyParts, processingInput, processingOutput } from './job-arguments';

/**
 * Evaluate: evaluate.py (XGBoost image) scores the best model on the test split and writes
 * `<prefix>/<execution id>/evaluation/evaluation.json`, declared as the property file `EvaluationReport`.
 */
export function evaluateStep(context: TrainingBuildContext, preprocess: ProcessingStep, bestModelUri: JoinExpression): ProcessingStep {
  const { props, resolved } = context;
  const evaluationUri = Expressions.s3Uri(
    props.artifactBucketName,
    ...keyParts(resolved.prefix, ExecutionVariables.PipelineExecutionId, 'evaluation'),
  );
  return new ProcessingStep(TRAINING_PIPELINE_STEPS.evaluate, {
    ...context.jobOptions,
    arguments: {
      ProcessingResources: { ClusterConfig: processingCluster(context) },
      AppSpecification: {
        ImageUri: props.imageUris.xgboost,
        ContainerEntrypoint: ['python3', `${PROCESSING_PATHS.code}/${resolved.evaluateScript}`],
        ContainerArguments: [
          '--problem-type',
          props.problemType,
          '--model-dir',
          PROCESSING_PATHS.model,
          '--test-dir',
          PROCESSING_PATHS.test,
          '--output-dir',
          PROCESSING_PATHS.evaluation,
        ],
      },
      RoleArn: props.roleArn,
      ProcessingInputs: [
        processingInput('model', bestModelUri, PROCESSING_PATHS.model),
        processingInput('test', preprocess.outputUri(TRAINING_PIPELINE_OUTPUTS.test), PROCESSING_PATHS.test),
        processingInput('code', props.scriptUris.evaluate, PROCESSING_PATHS.code),
      ],
      ProcessingOutputConfig: {
        Outputs: [processingOutput(TRAINING_PIPELINE_OUTPUTS.evaluation, evaluationUri, PROCESSING_PATHS.evaluation)],
        KmsKeyId: props.kmsKeyId,
      },
      StoppingCondition: { MaxRuntimeInSeconds: resolved.processing.maxRuntimeInSeconds },
      NetworkConfig: context.networkConfig,
    },
    propertyFiles: [
      {
        name: TRAINING_PIPELINE_OUTPUTS.evaluationReport,
        outputName: TRAINING_PIPELINE_OUTPUTS.evaluation,
        filePath: TRAINING_PIPELINE_OUTPUTS.evaluationFile,
      },
    ],
  });
}
