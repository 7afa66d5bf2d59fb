/**
 * Names of the two pipelines' steps, parameters, outputs and container paths: what handlers, stacks, local mode
 * and tests refer to. This module imports nothing, so a Lambda bundle can take these names without the builder.
 */

/** Step names of the training pipeline. */
export const TRAINING_PIPELINE_STEPS = {
  preprocess: 'Preprocess',
  baseline: 'Baseline',
  tune: 'Tune',
  evaluate: 'Evaluate',
  checkQuality: 'CheckQuality',
  register: 'Register',
  qualityGateFailed: 'QualityGateFailed',
} as const;

/** Parameter names of the training pipeline. */
export const TRAINING_PIPELINE_PARAMETERS = {
  inputDataUri: 'InputDataUri',
  modelApprovalStatus: 'ModelApprovalStatus',
  qualityThreshold: 'QualityThreshold',
  processingInstanceType: 'ProcessingInstanceType',
  trainingInstanceType: 'TrainingInstanceType',
} as const;

/** Names of the Preprocess outputs, the Evaluate output and the property file. */
export const TRAINING_PIPELINE_OUTPUTS = {
  train: 'train',
  validation: 'validation',
  test: 'test',
  evaluation: 'evaluation',
  evaluationReport: 'EvaluationReport',
  evaluationFile: 'evaluation.json',
  /** The data-quality baseline of the training split (Model Monitor's formats). */
  baseline: 'baseline',
  baselineStatisticsFile: 'statistics.json',
  baselineConstraintsFile: 'constraints.json',
} as const;

/** Keys of the metadata a registered model version carries (CustomerMetadataProperties). */
export const MODEL_METADATA_KEYS = {
  problemType: 'ProblemType',
  labelColumn: 'LabelColumn',
  qualityMetric: 'QualityMetric',
  qualityMetricDirection: 'QualityMetricDirection',
  qualityThreshold: 'QualityThreshold',
  /** The held-out test split of the training execution: what the system test sends to the staging endpoint. */
  testDataUri: 'TestDataUri',
} as const;

/** Container paths used by the training pipeline's processing jobs. */
export const PROCESSING_PATHS = {
  code: '/opt/ml/processing/input/code',
  /** The modules a job's script imports (Baseline: baseline_statistics.py), beside its `code` folder. */
  codeLib: '/opt/ml/processing/input/code-lib',
  inputData: '/opt/ml/processing/input/data',
  train: '/opt/ml/processing/train',
  validation: '/opt/ml/processing/validation',
  test: '/opt/ml/processing/test',
  model: '/opt/ml/processing/model',
  evaluation: '/opt/ml/processing/evaluation',
  baseline: '/opt/ml/processing/baseline',
} as const;

/** Environment variables the training pipeline's processing jobs read. */
export const PROCESSING_ENVIRONMENT = {
  /**
   * Container path of baseline_statistics.py in the Baseline job, which baseline.py imports. SageMaker names each
   * downloaded object after its S3 key, for a CDK asset its content hash (`<hash>.py`), so the step names the file.
   */
  baselineStatisticsModule: 'BASELINE_STATISTICS_MODULE',
} as const;

/** Step names of the inference pipeline. */
export const INFERENCE_PIPELINE_STEPS = {
  createModel: 'CreateModel',
  batchTransform: 'BatchTransform',
} as const;

/** Parameter names of the inference pipeline. */
export const INFERENCE_PIPELINE_PARAMETERS = {
  modelPackageArn: 'ModelPackageArn',
  modelDataUrl: 'ModelDataUrl',
  batchInputUri: 'BatchInputUri',
  transformInstanceType: 'TransformInstanceType',
} as const;

