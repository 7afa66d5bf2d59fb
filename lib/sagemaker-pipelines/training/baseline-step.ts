import { ExecutionVariables, Expressions } from '../expressions';
import { PROCESSING_ENVIRONMENT, PROCESSING_PATHS, TRAINING_PIPELINE_OUTPUTS, TRAINING_PIPELINE_STEPS } from '../names';
import { ProcessingStep } from '../steps';
import { processingCluster, type TrainingBuildContext } from './context';
import { keyParts, processingInput, processingOutput } from './job-arguments';

/**
 * Baseline: baseline.py (scikit-learn image) describes the training split as the production endpoint will receive
 * it (raw feature columns, positional) in Model Monitor's formats, `statistics.json` and `constraints.json`, under
 * `<prefix>/<execution id>/baseline/`. Register records them as the version's data-quality baseline; the production
 * endpoint's monitoring schedule checks captured requests against them.
 *
 * The code is two files, each its own input: baseline.py in `code` (the entrypoint) and the module it imports,
 * baseline_statistics.py, in `code-lib` beside it. A downloaded object keeps its S3 key's name (for a CDK asset, a
 * content hash), so the job's environment names the module's file (`BASELINE_STATISTICS_MODULE`). Both URIs are in
 * the step's arguments, so a change to either file changes the step's cache key.
 */
export function baselineStep(context: TrainingBuildContext, preprocess: ProcessingStep): ProcessingStep {
  const { props, resolved } = context;
  const baselineUri = Expressions.s3Uri(
    props.artifactBucketName,
    ...keyParts(resolved.prefix, ExecutionVariables.PipelineExecutionId, 'baseline'),
  );
  return new ProcessingStep(TRAINING_PIPELINE_STEPS.baseline, {
    ...context.jobOptions,
    arguments: {
      ProcessingResources: { ClusterConfig: processingCluster(context) },
      AppSpecification: {
        ImageUri: props.imageUris.sklearn,
        ContainerEntrypoint: ['python3', `${PROCESSING_PATHS.code}/${resolved.baselineScript}`],
        ContainerArguments: ['--train-dir', PROCESSING_PATHS.train, '--output-dir', PROCESSING_PATHS.baseline],
      },
      RoleArn: props.roleArn,
      ProcessingInputs: [
        processingInput('train', preprocess.outputUri(TRAINING_PIPELINE_OUTPUTS.train), PROCESSING_PATHS.train),
        processingInput('code', props.scriptUris.baseline, PROCESSING_PATHS.code),
        processingInput('code-lib', props.scriptUris.baselineStatistics, PROCESSING_PATHS.codeLib),
      ],
      ProcessingOutputConfig: {
        Outputs: [processingOutput(TRAINING_PIPELINE_OUTPUTS.baseline, baselineUri, PROCESSING_PATHS.baseline)],
        KmsKeyId: props.kmsKeyId,
      },
      StoppingCondition: { MaxRuntimeInSeconds: resolved.processing.maxRuntimeInSeconds },
      Environment: {
        [PROCESSING_ENVIRONMENT.baselineStatisticsModule]: `${PROCESSING_PATHS.codeLib}/${resolved.baselineStatisticsScript}`,
      },
      NetworkConfig: context.networkConfig,
    },
  });
}
