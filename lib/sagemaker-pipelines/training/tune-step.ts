import type { CategoricalParameterRange, ContinuousParameterRange, IntegerParameterRange } from '../arguments';
import type { JoinExpression } from '../expressions';
import { TRAINING_PIPELINE_OUTPUTS, TRAINING_PIPELINE_STEPS } from '../names';
import { TuningStep, type ProcessingStep } from '../steps';
import type { TrainingBuildContext } from './context';
import { channel, formatNumber } from './job-arguments';
import type { HyperparameterRange } from './props';

/** The Tune step and where its best model is. */
export interface TuneStepResult {
  readonly step: TuningStep;
  /** `s3://<bucket>/<prefix>/tuning/<best training job>/output/model.tar.gz` */
  readonly bestModelUri: JoinExpression;
}

/**
 * Tune: a hyperparameter tuning job over train.py (script mode on the XGBoost image) on Preprocess's train and
 * validation splits; the objective metric is parsed from the training log by the problem type's
 * `MetricDefinitions`. Models go to `<prefix>/tuning/<training job name>/output/model.tar.gz`.
 */
export function tuneStep(context: TrainingBuildContext, preprocess: ProcessingStep): TuneStepResult {
  const { props, resolved } = context;
  const { spec, prefix, training, tuning } = resolved;
  const bucket = props.artifactBucketName;
  const tuningOutputPrefix = prefix === '' ? 'tuning' : `${prefix}/tuning`;
  const spot = props.spotTraining;
  const step = new TuningStep(TRAINING_PIPELINE_STEPS.tune, {
    ...context.jobOptions,
    arguments: {
      HyperParameterTuningJobConfig: {
        Strategy: tuning.strategy,
        HyperParameterTuningJobObjective: {
          Type: spec.tuningObjective.Type,
          MetricName: spec.tuningObjective.MetricName,
        },
        ResourceLimits: {
          MaxNumberOfTrainingJobs: tuning.maxNumberOfTrainingJobs,
          MaxParallelTrainingJobs: tuning.maxParallelTrainingJobs,
        },
        ParameterRanges: parameterRanges(tuning.hyperparameterRanges),
        TrainingJobEarlyStoppingType: tuning.earlyStoppingType,
      },
      TrainingJobDefinition: {
        StaticHyperParameters: {
          objective: spec.xgboostObjective,
          eval_metric: spec.evalMetric,
          num_round: formatNumber(tuning.numRound),
          early_stopping_rounds: formatNumber(tuning.earlyStoppingRounds),
          ...tuning.extraHyperParameters,
          sagemaker_program: JSON.stringify('train.py'),
          sagemaker_submit_directory: JSON.stringify(props.scriptUris.sourceDir),
        },
        AlgorithmSpecification: {
          TrainingImage: props.imageUris.xgboost,
          TrainingInputMode: 'File',
          MetricDefinitions: spec.metricDefinitions.map((m) => ({ Name: m.Name, Regex: m.Regex })),
        },
        RoleArn: props.roleArn,
        InputDataConfig: [
          channel('train', preprocess.outputUri(TRAINING_PIPELINE_OUTPUTS.train)),
          channel('validation', preprocess.outputUri(TRAINING_PIPELINE_OUTPUTS.validation)),
        ],
        OutputDataConfig: { S3OutputPath: `s3://${bucket}/${tuningOutputPrefix}`, KmsKeyId: props.kmsKeyId },
        HyperParameterTuningResourceConfig: {
          InstanceType: context.parameters.trainingInstanceType,
          InstanceCount: training.instanceCount,
          VolumeSizeInGB: training.volumeSizeInGb,
          VolumeKmsKeyId: props.kmsKeyId,
        },
        StoppingCondition: {
          MaxRuntimeInSeconds: training.maxRuntimeInSeconds,
          MaxWaitTimeInSeconds: spot ? (spot.maxWaitTimeInSeconds ?? 2 * training.maxRuntimeInSeconds) : undefined,
        },
        EnableManagedSpotTraining: spot ? true : undefined,
        CheckpointConfig: spot
          ? { S3Uri: spot.checkpointS3Uri ?? `s3://${bucket}/${prefix === '' ? '' : `${prefix}/`}checkpoints` }
          : undefined,
        VpcConfig: context.vpcConfig,
      },
    },
  });
  return { step, bestModelUri: step.bestModelUri(bucket, tuningOutputPrefix) };
}

/** The ranges by kind, as the tuning job's `ParameterRanges`. */
function parameterRanges(ranges: { readonly [name: string]: HyperparameterRange }) {
  const continuous: ContinuousParameterRange[] = [];
  const integer: IntegerParameterRange[] = [];
  const categorical: CategoricalParameterRange[] = [];
  for (const [name, range] of Object.entries(ranges)) {
    if (range.type === 'Categorical') {
      categorical.push({ Name: name, Values: [...range.values] });
    } else {
      const rendered = {
        Name: name,
        MinValue: formatNumber(range.min),
        MaxValue: formatNumber(range.max),
        ScalingType: range.scaling ?? 'Auto',
      };
      (range.type === 'Integer' ? integer : continuous).push(rendered);
    }
  }
  return { ContinuousParameterRanges: continuous, IntegerParameterRanges: integer, CategoricalParameterRanges: categorical };
}
