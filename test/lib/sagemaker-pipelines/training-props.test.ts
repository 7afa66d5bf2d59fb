import { trainingPipelineDefinition } from '../../../lib/sagemaker-pipelines';
import { TRAINING_PROPS } from './fixtures';

describe('trainingPipelineDefinition props validation', () => {
  test('an unknown problem type lists the supported ones', () => {
    expect(() => trainingPipelineDefinition({ ...TRAINING_PROPS, problemType: 'multiclass' as never })).toThrow(
      "Unknown problem type 'multiclass'. Use one of: regression, binary_classification (see ml/problem_types.json).",
    );
  });

  test('a gate metric of another problem type lists the valid ones', () => {
    expect(() => trainingPipelineDefinition({ ...TRAINING_PROPS, qualityGate: { metric: 'auc' } })).toThrow(
      "qualityGate.metric 'auc' is not a metric of problem type 'regression'; use one of: mse, rmse, mae, r2.",
    );
  });

  test('a non-default gate metric needs a threshold', () => {
    expect(() => trainingPipelineDefinition({ ...TRAINING_PROPS, qualityGate: { metric: 'mae' } })).toThrow(
      "qualityGate.threshold is required for metric 'mae'",
    );
  });

  test('every problem is reported at once', () => {
    let message = '';
    try {
      trainingPipelineDefinition({
        ...TRAINING_PROPS,
        featureColumns: ['target', 'a,b'],
        tuning: {
          maxNumberOfTrainingJobs: 2,
          maxParallelTrainingJobs: 3,
          hyperparameterRanges: {
            eta: { type: 'Continuous', min: 0, max: 0.3, scaling: 'Logarithmic' },
            max_depth: { type: 'Integer', min: 10, max: 3 },
          },
          extraHyperParameters: { objective: 'reg:linear' },
        },
        spotTraining: { maxWaitTimeInSeconds: 60 },
        scriptUris: {
          ...TRAINING_PROPS.scriptUris,
          preprocess: 'preprocess.py',
          evaluate: 's3://bucket/${Token[TOKEN.1]}',
          baselineStatistics: 's3://bucket/lib/',
        },
        training: { instanceCount: 0, instanceType: 'm5.large' },
        split: { validationFraction: 0.6, testFraction: 0.5 },
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'Invalid training pipeline props:',
      "  - featureColumns must not contain the label column 'target'.",
      "  - featureColumns: 'a,b' is empty or contains a comma.",
      "  - scriptUris.preprocess must be an S3 URI like s3://bucket/key, got 'preprocess.py'.",
      "  - scriptUris.evaluate ('s3://bucket/${Token[TOKEN.1]}') must end in the script's file name (e.g. .../evaluate.py), because the container runs /opt/ml/processing/input/code/<file name>.",
      "  - scriptUris.baselineStatistics ('s3://bucket/lib/') must end in the module's file name (e.g. .../baseline_statistics.py), because baseline.py imports /opt/ml/processing/input/code-lib/<file name>.",
      '  - training.instanceCount must be an integer from 1 to 100, got 0.',
      "  - training.instanceType must look like 'ml.m5.xlarge', got 'm5.large'.",
      '  - tuning.maxParallelTrainingJobs (3) must not exceed tuning.maxNumberOfTrainingJobs (2).',
      '  - tuning.hyperparameterRanges.eta: Logarithmic scaling needs min > 0, got 0.',
      '  - tuning.hyperparameterRanges.max_depth: min (10) must be less than max (3).',
      "  - tuning.extraHyperParameters must not set 'objective'; the pipeline sets it.",
      '  - spotTraining.maxWaitTimeInSeconds (60) must be at least training.maxRuntimeInSeconds (3600).',
      '  - split.validationFraction + split.testFraction must be less than 1.',
    ]);
  });
});
