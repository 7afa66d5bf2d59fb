import { INSTANCE_TYPE_PATTERN } from '../instance-types';
import { normalizePrefix, PropsErrors, scriptFileName } from '../private/props-validation';
import { problemTypeSpec, type ProblemTypeSpec } from '../problem-types';
import { isUnresolved } from '../tokens';
import {
  DEFAULT_HYPERPARAMETER_RANGES,
  type HyperparameterRange,
  type JobResources,
  type TrainingPipelineProps,
  type TuningProps,
} from './props';

const DEFAULT_THRESHOLDS: { readonly [metric: string]: number } = { r2: 0.5, auc: 0.7 };
const DEFAULT_INSTANCE_TYPE = 'ml.m5.xlarge';
const APPROVAL_STATUSES = ['PendingManualApproval', 'Approved', 'Rejected'];

/** The training pipeline's props with defaults applied. */
export interface ResolvedTrainingProps {
  readonly spec: ProblemTypeSpec;
  readonly prefix: string;
  readonly processing: Required<JobResources>;
  readonly training: Required<JobResources>;
  readonly tuning: Required<Omit<TuningProps, 'extraHyperParameters'>> & {
    readonly extraHyperParameters: { readonly [name: string]: string };
  };
  readonly gateMetric: string;
  readonly threshold: number;
  readonly preprocessScript: string;
  readonly evaluateScript: string;
  readonly baselineScript: string;
  /** File name of baseline_statistics.py's object (the Baseline job's `code-lib` input). */
  readonly baselineStatisticsScript: string;
}

function resolveResources(resources: JobResources | undefined): Required<JobResources> {
  return {
    instanceType: resources?.instanceType ?? DEFAULT_INSTANCE_TYPE,
    instanceCount: resources?.instanceCount ?? 1,
    volumeSizeInGb: resources?.volumeSizeInGb ?? 30,
    maxRuntimeInSeconds: resources?.maxRuntimeInSeconds ?? 3600,
  };
}

function checkResources(errors: PropsErrors, name: string, resources: Required<JobResources>): void {
  errors.integer(`${name}.instanceCount`, resources.instanceCount, 1, 100);
  errors.integer(`${name}.volumeSizeInGb`, resources.volumeSizeInGb, 1, 16384);
  errors.integer(`${name}.maxRuntimeInSeconds`, resources.maxRuntimeInSeconds, 1, 2419200);
  if (!isUnresolved(resources.instanceType)) {
    errors.check(
      INSTANCE_TYPE_PATTERN.test(resources.instanceType),
      `${name}.instanceType must look like 'ml.m5.xlarge', got '${resources.instanceType}'.`,
    );
  }
}

function checkRange(errors: PropsErrors, name: string, range: HyperparameterRange): void {
  const where = `tuning.hyperparameterRanges.${name}`;
  if (range.type === 'Categorical') {
    errors.check(range.values.length > 0, `${where}: a Categorical range needs at least one value.`);
    return;
  }
  if (range.type !== 'Continuous' && range.type !== 'Integer') {
    errors.add(`${where}: unknown range type '${(range as { type: string }).type}'; use Continuous, Integer or Categorical.`);
    return;
  }
  errors.check(
    Number.isFinite(range.min) && Number.isFinite(range.max) && range.min < range.max,
    `${where}: min (${range.min}) must be less than max (${range.max}).`,
  );
  if (range.type === 'Integer') {
    errors.check(
      Number.isInteger(range.min) && Number.isInteger(range.max),
      `${where}: an Integer range needs integer bounds, got ${range.min}..${range.max}.`,
    );
  }
  if (range.scaling === 'Logarithmic') {
    errors.check(range.min > 0, `${where}: Logarithmic scaling needs min > 0, got ${range.min}.`);
  }
  if (range.scaling === 'ReverseLogarithmic') {
    errors.check(
      range.min >= 0 && range.max < 1,
      `${where}: ReverseLogarithmic scaling needs 0 <= min and max < 1, got ${range.min}..${range.max}.`,
    );
  }
}

export function resolveTrainingProps(props: TrainingPipelineProps): ResolvedTrainingProps {
  const errors = new PropsErrors('training pipeline props');
  let spec: ProblemTypeSpec | undefined;
  try {
    spec = problemTypeSpec(props.problemType);
  } catch (e) {
    errors.add((e as Error).message);
  }

  errors.nonEmpty('labelColumn', props.labelColumn);
  const features = props.featureColumns ?? [];
  if (props.featureColumns !== undefined) {
    errors.check(features.length > 0, 'featureColumns must not be empty; omit it to use every column but the label.');
  }
  const seen = new Set<string>();
  for (const feature of features) {
    if (isUnresolved(feature)) continue;
    errors.check(feature.trim() !== '' && !feature.includes(','), `featureColumns: '${feature}' is empty or contains a comma.`);
    errors.check(feature !== props.labelColumn, `featureColumns must not contain the label column '${feature}'.`);
    errors.check(!seen.has(feature), `featureColumns lists '${feature}' twice.`);
    seen.add(feature);
  }

  errors.nonEmpty('roleArn', props.roleArn);
  errors.nonEmpty('artifactBucketName', props.artifactBucketName);
  errors.nonEmpty('modelPackageGroupName', props.modelPackageGroupName);
  errors.nonEmpty('imageUris.sklearn', props.imageUris.sklearn);
  errors.nonEmpty('imageUris.xgboost', props.imageUris.xgboost);
  errors.s3Uri('defaultInputDataUri', props.defaultInputDataUri);
  errors.s3Uri('scriptUris.preprocess', props.scriptUris.preprocess);
  errors.s3Uri('scriptUris.evaluate', props.scriptUris.evaluate);
  errors.s3Uri('scriptUris.baseline', props.scriptUris.baseline);
  errors.s3Uri('scriptUris.baselineStatistics', props.scriptUris.baselineStatistics);
  errors.s3Uri('scriptUris.sourceDir', props.scriptUris.sourceDir);
  const preprocessScript = scriptFileName(props.scriptUris.preprocess);
  const evaluateScript = scriptFileName(props.scriptUris.evaluate);
  const baselineScript = scriptFileName(props.scriptUris.baseline);
  const baselineStatisticsScript = scriptFileName(props.scriptUris.baselineStatistics);
  for (const [name, file] of [
    ['preprocess', preprocessScript],
    ['evaluate', evaluateScript],
    ['baseline', baselineScript],
  ] as const) {
    errors.check(
      file !== undefined,
      `scriptUris.${name} ('${props.scriptUris[name]}') must end in the script's file name (e.g. .../${name}.py), ` +
        'because the container runs /opt/ml/processing/input/code/<file name>.',
    );
  }
  errors.check(
    baselineStatisticsScript !== undefined,
    `scriptUris.baselineStatistics ('${props.scriptUris.baselineStatistics}') must end in the module's file name ` +
      '(e.g. .../baseline_statistics.py), because baseline.py imports /opt/ml/processing/input/code-lib/<file name>.',
  );

  const processing = resolveResources(props.processing);
  const training = resolveResources(props.training);
  checkResources(errors, 'processing', processing);
  checkResources(errors, 'training', training);

  const tuningProps = props.tuning ?? {};
  const tuning = {
    strategy: tuningProps.strategy ?? 'Bayesian',
    maxNumberOfTrainingJobs: tuningProps.maxNumberOfTrainingJobs ?? 6,
    maxParallelTrainingJobs: tuningProps.maxParallelTrainingJobs ?? 2,
    earlyStoppingType: tuningProps.earlyStoppingType ?? 'Off',
    hyperparameterRanges: { ...DEFAULT_HYPERPARAMETER_RANGES, ...tuningProps.hyperparameterRanges },
    numRound: tuningProps.numRound ?? 300,
    earlyStoppingRounds: tuningProps.earlyStoppingRounds ?? 20,
    extraHyperParameters: tuningProps.extraHyperParameters ?? {},
  } as const;
  errors.check(
    tuning.strategy === 'Bayesian' || tuning.strategy === 'Random',
    `tuning.strategy must be Bayesian or Random, got '${tuning.strategy}'.`,
  );
  errors.check(
    tuning.earlyStoppingType === 'Off' || tuning.earlyStoppingType === 'Auto',
    `tuning.earlyStoppingType must be Off or Auto, got '${tuning.earlyStoppingType}'.`,
  );
  errors.integer('tuning.maxNumberOfTrainingJobs', tuning.maxNumberOfTrainingJobs, 1);
  errors.integer('tuning.maxParallelTrainingJobs', tuning.maxParallelTrainingJobs, 1);
  errors.check(
    !(tuning.maxParallelTrainingJobs > tuning.maxNumberOfTrainingJobs),
    `tuning.maxParallelTrainingJobs (${tuning.maxParallelTrainingJobs}) must not exceed ` +
      `tuning.maxNumberOfTrainingJobs (${tuning.maxNumberOfTrainingJobs}).`,
  );
  errors.integer('tuning.numRound', tuning.numRound, 1);
  errors.integer('tuning.earlyStoppingRounds', tuning.earlyStoppingRounds, 1);
  for (const [name, range] of Object.entries(tuning.hyperparameterRanges)) {
    checkRange(errors, name, range);
  }
  const reserved = ['objective', 'eval_metric', 'num_round', 'early_stopping_rounds', 'sagemaker_program', 'sagemaker_submit_directory'];
  for (const name of Object.keys(tuning.extraHyperParameters)) {
    errors.check(!reserved.includes(name), `tuning.extraHyperParameters must not set '${name}'; the pipeline sets it.`);
    errors.check(
      !(name in tuning.hyperparameterRanges),
      `tuning.extraHyperParameters sets '${name}', which is also a tuned range; keep one of the two.`,
    );
  }

  if (props.spotTraining) {
    const maxWait = props.spotTraining.maxWaitTimeInSeconds;
    errors.integer('spotTraining.maxWaitTimeInSeconds', maxWait, 1, 2419200);
    if (maxWait !== undefined && !isUnresolved(maxWait) && !isUnresolved(training.maxRuntimeInSeconds)) {
      errors.check(
        maxWait >= training.maxRuntimeInSeconds,
        `spotTraining.maxWaitTimeInSeconds (${maxWait}) must be at least training.maxRuntimeInSeconds ` +
          `(${training.maxRuntimeInSeconds}).`,
      );
    }
    errors.s3Uri('spotTraining.checkpointS3Uri', props.spotTraining.checkpointS3Uri);
  }
  if (props.vpc) {
    errors.check(props.vpc.subnetIds.length > 0, 'vpc.subnetIds must list at least one subnet.');
    errors.check(props.vpc.securityGroupIds.length > 0, 'vpc.securityGroupIds must list at least one security group.');
  }

  const gateMetric = props.qualityGate?.metric ?? spec?.defaultGateMetric ?? '';
  const threshold: number | undefined = props.qualityGate?.threshold ?? DEFAULT_THRESHOLDS[gateMetric];
  if (spec) {
    const valid = Object.keys(spec.metrics);
    if (!valid.includes(gateMetric)) {
      errors.add(
        `qualityGate.metric '${gateMetric}' is not a metric of problem type '${props.problemType}'; ` +
          `use one of: ${valid.join(', ')}.`,
      );
    } else if (threshold === undefined) {
      errors.add(`qualityGate.threshold is required for metric '${gateMetric}' (defaults exist only for r2 and auc).`);
    }
  }
  if (threshold !== undefined && !isUnresolved(threshold)) {
    errors.check(Number.isFinite(threshold), `qualityGate.threshold must be a finite number, got ${threshold}.`);
  }
  if (props.defaultModelApprovalStatus !== undefined) {
    errors.check(
      APPROVAL_STATUSES.includes(props.defaultModelApprovalStatus),
      `defaultModelApprovalStatus must be one of ${APPROVAL_STATUSES.join(', ')}, got '${props.defaultModelApprovalStatus}'.`,
    );
  }
  const split = props.split ?? {};
  for (const key of ['validationFraction', 'testFraction'] as const) {
    const value = split[key];
    if (value !== undefined) {
      errors.check(value > 0 && value < 1, `split.${key} must be between 0 and 1 (exclusive), got ${value}.`);
    }
  }
  errors.check(
    (split.validationFraction ?? 0.15) + (split.testFraction ?? 0.15) < 1,
    'split.validationFraction + split.testFraction must be less than 1.',
  );
  errors.integer('split.seed', split.seed, 0);
  const instanceTypes = props.inferenceInstanceTypes;
  errors.check(instanceTypes?.realtime?.length !== 0, 'inferenceInstanceTypes.realtime must not be empty.');
  errors.check(instanceTypes?.transform?.length !== 0, 'inferenceInstanceTypes.transform must not be empty.');

  errors.throwIfAny();
  return {
    spec: spec as ProblemTypeSpec,
    prefix: normalizePrefix(props.artifactPrefix ?? 'training-pipeline'),
    processing,
    training,
    tuning,
    gateMetric,
    threshold: threshold as number,
    preprocessScript: preprocessScript as string,
    evaluateScript: evaluateScript as string,
    baselineScript: baselineScript as string,
    baselineStatisticsScript: baselineStatisticsScript as string,
  };
}
