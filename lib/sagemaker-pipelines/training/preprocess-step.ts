import { ExecutionVariables, Expressions } from '../expressions';
import { PROCESSING_PATHS, TRAINING_PIPELINE_OUTPUTS, TRAINING_PIPELINE_STEPS } from '../names';
import { ProcessingStep } from '../steps';
import { processingCluster, type TrainingBuildContext } from './context';
import { formatNumber, keyParts, processingInput, processingOutput } from './job-arguments';

/**
 * Preprocess: preprocess.py (scikit-learn image) reads the CSV data under InputDataUri and writes the train,
 * validation and test splits to `<prefix>/<execution id>/preprocess/<split>/`.
 */
export function preprocessStep(context: TrainingBuildContext): ProcessingStep {
  const { props, resolved, parameters } = context;
  const split = props.split ?? {};
  const splitArgs: string[] = [];
  if (split.validationFraction !== undefined) splitArgs.push('--validation-fraction', formatNumber(split.validationFraction));
  if (split.testFraction !== undefined) splitArgs.push('--test-fraction', formatNumber(split.testFraction));
  if (split.seed !== undefined) splitArgs.push('--seed', formatNumber(split.seed));
  const splitUri = (name: string) =>
    Expressions.s3Uri(props.artifactBucketName, ...keyParts(resolved.prefix, ExecutionVariables.PipelineExecutionId, 'preprocess', name));

  return new ProcessingStep(TRAINING_PIPELINE_STEPS.preprocess, {
    ...context.jobOptions,
    arguments: {
      ProcessingResources: { ClusterConfig: processingCluster(context) },
      AppSpecification: {
        ImageUri: props.imageUris.sklearn,
        ContainerEntrypoint: ['python3', `${PROCESSING_PATHS.code}/${resolved.preprocessScript}`],
        ContainerArguments: [
          '--problem-type',
          props.problemType,
          '--label-column',
          props.labelColumn,
          ...(props.featureColumns ? ['--feature-columns', props.featureColumns.join(',')] : []),
          ...splitArgs,
          '--input-dir',
          PROCESSING_PATHS.inputData,
          '--train-dir',
          PROCESSING_PATHS.train,
          '--validation-dir',
          PROCESSING_PATHS.validation,
          '--test-dir',
          PROCESSING_PATHS.test,
        ],
      },
      RoleArn: props.roleArn,
      ProcessingInputs: [
        processingInput('data', parameters.inputDataUri, PROCESSING_PATHS.inputData),
        processingInput('code', props.scriptUris.preprocess, PROCESSING_PATHS.code),
      ],
      ProcessingOutputConfig: {
        Outputs: [
          processingOutput(TRAINING_PIPELINE_OUTPUTS.train, splitUri('train'), PROCESSING_PATHS.train),
          processingOutput(TRAINING_PIPELINE_OUTPUTS.validation, splitUri('validation'), PROCESSING_PATHS.validation),
          processingOutput(TRAINING_PIPELINE_OUTPUTS.test, splitUri('test'), PROCESSING_PATHS.test),
        ],
        KmsKeyId: props.kmsKeyId,
      },
      StoppingCondition: { MaxRuntimeInSeconds: resolved.processing.maxRuntimeInSeconds },
      NetworkConfig: context.networkConfig,
    },
  });
}
