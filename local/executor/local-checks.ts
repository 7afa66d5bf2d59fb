/**
 * What only local mode has to say about a definition, as issues of the shared validator's shape (`code`, `path`,
 * `message`): step types and settings it cannot run (errors, reported by name before any step runs) and settings
 * only the cloud can honour (accepted, listed in the run's summary). The shared validator reports everything else.
 */
import type { ValidationIssue } from '../../lib/sagemaker-pipelines/validator/issues';
import { isFrameworkImageUri } from '../../lib/image-uris';
import { isExpression } from '../../lib/sagemaker-pipelines/expressions';
import type { StepJson } from './definition';
import type { LocalStepType } from './types';

/** Problems that stop local mode from running a definition. */
export type LocalIssueCode =
  | 'unknown-parameter-override'
  | 'invalid-parameter-override'
  | 'missing-parameter-value'
  | 'parameter-not-in-enum'
  | 'unsupported-step-type'
  | 'unsupported-setting';

/** The requirements file the custom images of `containers/` install (the XGBoost 1.7-1 image's own pins). */
export const CUSTOM_IMAGE_REQUIREMENTS = 'requirements-container-xgboost-1.7-1.txt';

/** Settings local mode accepts and does not act on, by kind. */
export type IgnoredSettingCode =
  | 'ignored-spot-training'
  | 'ignored-checkpoints'
  | 'ignored-network'
  | 'ignored-kms-key'
  | 'ignored-instance-count'
  | 'ignored-early-stopping'
  | 'ignored-custom-image';

/** What each kind of ignored setting is, for summaries. */
export const IGNORED_SETTING_KINDS: Readonly<Record<IgnoredSettingCode, string>> = {
  'ignored-spot-training': 'managed spot training',
  'ignored-checkpoints': 'checkpoints',
  'ignored-network': 'VPC and network settings',
  'ignored-kms-key': 'KMS keys',
  'ignored-instance-count': 'more than one instance',
  'ignored-early-stopping': 'early stopping of tuning jobs',
  // A job's custom image runs with its own pins (local/executor/images.ts); the local endpoint and batch transform
  // serve with the project's Python, whose xgboost is the image's. `npm run test:containers` runs the inference code
  // under the image's pins.
  'ignored-custom-image': `custom inference images (the local endpoint and batch transform serve with the project's Python, the same xgboost; the image adds ${CUSTOM_IMAGE_REQUIREMENTS}'s pins, under which npm run test:containers tests the inference code)`,
};

/** Step types the local executor runs. */
export const SUPPORTED_STEP_TYPES: readonly LocalStepType[] = [
  'Processing',
  'Training',
  'Tuning',
  'Condition',
  'RegisterModel',
  'Model',
  'Transform',
  'Fail',
];

type Record_ = Record<string, unknown>;

function isRecord(value: unknown): value is Record_ {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` when it is a literal (not an expression, which is only known when the step runs). */
function literal(value: unknown): unknown {
  return isExpression(value) ? undefined : value;
}

function member(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Settings of a step's Arguments that local mode cannot run, as messages naming the setting and what to use.
 * Called on the definition before anything runs (expressions are skipped) and again on the resolved Arguments
 * when the step starts.
 */
export function unsupportedSettings(type: string, args: unknown): string[] {
  const problems: string[] = [];
  const add = (message: string): void => {
    problems.push(message);
  };
  if (!isRecord(args)) return problems;
  switch (type) {
    case 'Processing': {
      const entrypoint = member(args, 'AppSpecification', 'ContainerEntrypoint');
      if (!isExpression(entrypoint) && (!Array.isArray(entrypoint) || entrypoint.length === 0)) {
        add('AppSpecification.ContainerEntrypoint is missing: local mode cannot run an image\'s default entrypoint; name the command (e.g. ["python3", "/opt/ml/processing/input/code/script.py"])');
      }
      list(args.ProcessingInputs).forEach((input, i) => {
        const name = String(member(input, 'InputName') ?? `#${i + 1}`);
        if (isRecord(input) && input.S3Input === undefined && input.DatasetDefinition !== undefined) {
          add(`ProcessingInputs "${name}": DatasetDefinition (Athena / Redshift) inputs do not run locally; use an S3Input`);
        }
        const s3Input = member(input, 'S3Input');
        if (literal(member(s3Input, 'S3InputMode')) === 'Pipe') add(`ProcessingInputs "${name}": S3InputMode Pipe does not run locally; use File`);
        if (literal(member(s3Input, 'S3CompressionType')) === 'Gzip') add(`ProcessingInputs "${name}": S3CompressionType Gzip does not run locally; use None`);
        if (literal(member(s3Input, 'S3DataType')) === 'ManifestFile') add(`ProcessingInputs "${name}": S3DataType ManifestFile does not run locally; use S3Prefix`);
      });
      break;
    }
    case 'Training':
      trainingProblems(args, args.HyperParameters, add);
      break;
    case 'Tuning':
      if (args.TrainingJobDefinitions !== undefined) {
        add('TrainingJobDefinitions (several algorithms in one tuning job) does not run locally; use one TrainingJobDefinition');
      }
      trainingProblems(args.TrainingJobDefinition, member(args, 'TrainingJobDefinition', 'StaticHyperParameters'), add);
      break;
    case 'Transform': {
      const input = member(args, 'TransformInput');
      const dataType = literal(member(input, 'DataSource', 'S3DataSource', 'S3DataType'));
      if (dataType !== undefined && dataType !== 'S3Prefix') add(`TransformInput S3DataType ${String(dataType)} does not run locally; use S3Prefix`);
      const compression = literal(member(input, 'CompressionType'));
      if (compression !== undefined && compression !== 'None') add(`TransformInput CompressionType ${String(compression)} does not run locally; use None`);
      const split = literal(member(input, 'SplitType'));
      if (split !== undefined && split !== 'Line' && split !== 'None') add(`TransformInput SplitType ${String(split)} does not run locally; use Line or None`);
      const assemble = literal(member(args, 'TransformOutput', 'AssembleWith'));
      if (assemble !== undefined && assemble !== 'Line' && assemble !== 'None') add(`TransformOutput AssembleWith ${String(assemble)} does not run locally; use None or Line`);
      const processing = member(args, 'DataProcessing');
      if (
        isRecord(processing) &&
        ((processing.InputFilter ?? '$') !== '$' || (processing.OutputFilter ?? '$') !== '$' || (processing.JoinSource ?? 'None') !== 'None')
      ) {
        add('DataProcessing (InputFilter / OutputFilter / JoinSource) does not run locally; filter the data in a Processing step');
      }
      break;
    }
    case 'Model': {
      const containers = args.Containers;
      if (args.PrimaryContainer === undefined && !(Array.isArray(containers) && containers.length === 1)) {
        add('a Model needs a PrimaryContainer (or exactly one entry in Containers): inference pipelines of several containers do not run locally');
      }
      break;
    }
    default:
      break;
  }
  return problems;
}

function trainingProblems(definition: unknown, hyperParameters: unknown, add: (message: string) => void): void {
  const mode = literal(member(definition, 'AlgorithmSpecification', 'TrainingInputMode'));
  if (mode === 'Pipe') add('TrainingInputMode Pipe does not run locally; use File');
  if (isRecord(definition) && member(definition, 'AlgorithmSpecification', 'TrainingImage') === undefined
    && member(definition, 'AlgorithmSpecification', 'AlgorithmName') !== undefined) {
    add('AlgorithmSpecification.AlgorithmName (a Marketplace or custom algorithm resource) does not run locally; use a TrainingImage in script mode');
  }
  if (isRecord(hyperParameters) || hyperParameters === undefined) {
    for (const name of ['sagemaker_program', 'sagemaker_submit_directory']) {
      if (!isRecord(hyperParameters) || hyperParameters[name] === undefined) {
        add(`the ${name} hyperparameter is missing: local mode runs script mode only (a built-in algorithm's own code does not run locally); set sagemaker_program and sagemaker_submit_directory`);
      }
    }
  }
  list(member(definition, 'InputDataConfig')).forEach((channel, i) => {
    const name = String(member(channel, 'ChannelName') ?? `#${i + 1}`);
    const dataType = literal(member(channel, 'DataSource', 'S3DataSource', 'S3DataType'));
    if (dataType !== undefined && dataType !== 'S3Prefix') add(`channel "${name}": S3DataType ${String(dataType)} does not run locally; use S3Prefix`);
    if (literal(member(channel, 'CompressionType')) === 'Gzip') add(`channel "${name}": CompressionType Gzip does not run locally; use None`);
    if (literal(member(channel, 'InputMode')) === 'Pipe') add(`channel "${name}": InputMode Pipe does not run locally; use File`);
  });
}

/** Settings of a step only the cloud can honour: local mode runs the step without them. */
export function ignoredSettings(step: StepJson, path: string): ValidationIssue<IgnoredSettingCode>[] {
  const issues: ValidationIssue<IgnoredSettingCode>[] = [];
  const args = step.Arguments;
  if (!isRecord(args)) return issues;
  const note = (code: IgnoredSettingCode, at: string, why: string): void => {
    issues.push({ code, path: `${path}.Arguments.${at}`, message: `${IGNORED_SETTING_KINDS[code]} (${at}) ${why}` });
  };
  const kms = (at: string, value: unknown): void => {
    if (value !== undefined) note('ignored-kms-key', at, 'do not apply: local files are not encrypted');
  };
  const count = (at: string, value: unknown): void => {
    if (typeof value === 'number' && value > 1) note('ignored-instance-count', at, `is ${value}: the job runs once, on this machine`);
  };
  const image = (at: string, value: unknown): void => {
    if (typeof value === 'string' && !isFrameworkImageUri(value)) {
      note('ignored-custom-image', at, `is ${value}: not pulled; the model is served with the project's Python, as for the managed image`);
    }
  };
  const training = (prefix: string, definition: unknown, resources: string): void => {
    if (!isRecord(definition)) return;
    if (definition.EnableManagedSpotTraining === true) note('ignored-spot-training', `${prefix}EnableManagedSpotTraining`, 'does not apply: the job runs on this machine');
    if (member(definition, 'StoppingCondition', 'MaxWaitTimeInSeconds') !== undefined) {
      note('ignored-spot-training', `${prefix}StoppingCondition.MaxWaitTimeInSeconds`, 'does not apply: nothing waits for spot capacity');
    }
    if (definition.CheckpointConfig !== undefined) note('ignored-checkpoints', `${prefix}CheckpointConfig`, 'are not synced: a local job is never interrupted');
    if (definition.VpcConfig !== undefined) note('ignored-network', `${prefix}VpcConfig`, 'do not apply: jobs use this machine\'s network');
    if (definition.EnableNetworkIsolation === true) note('ignored-network', `${prefix}EnableNetworkIsolation`, 'is not enforced locally');
    kms(`${prefix}OutputDataConfig.KmsKeyId`, member(definition, 'OutputDataConfig', 'KmsKeyId'));
    kms(`${prefix}${resources}.VolumeKmsKeyId`, member(definition, resources, 'VolumeKmsKeyId'));
    count(`${prefix}${resources}.InstanceCount`, member(definition, resources, 'InstanceCount'));
  };
  switch (step.Type) {
    case 'Processing':
      if (args.NetworkConfig !== undefined) note('ignored-network', 'NetworkConfig', 'do not apply: jobs use this machine\'s network');
      kms('ProcessingResources.ClusterConfig.VolumeKmsKeyId', member(args, 'ProcessingResources', 'ClusterConfig', 'VolumeKmsKeyId'));
      kms('ProcessingOutputConfig.KmsKeyId', member(args, 'ProcessingOutputConfig', 'KmsKeyId'));
      count('ProcessingResources.ClusterConfig.InstanceCount', member(args, 'ProcessingResources', 'ClusterConfig', 'InstanceCount'));
      break;
    case 'Training':
      training('', args, 'ResourceConfig');
      break;
    case 'Tuning':
      training('TrainingJobDefinition.', args.TrainingJobDefinition, 'HyperParameterTuningResourceConfig');
      if (member(args, 'HyperParameterTuningJobConfig', 'TrainingJobEarlyStoppingType') === 'Auto') {
        note('ignored-early-stopping', 'HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType', 'is Auto: every trial runs to its end');
      }
      break;
    case 'Transform':
      kms('TransformOutput.KmsKeyId', member(args, 'TransformOutput', 'KmsKeyId'));
      kms('TransformResources.VolumeKmsKeyId', member(args, 'TransformResources', 'VolumeKmsKeyId'));
      count('TransformResources.InstanceCount', member(args, 'TransformResources', 'InstanceCount'));
      break;
    case 'RegisterModel':
      list(member(args, 'InferenceSpecification', 'Containers')).forEach((container, i) => {
        image(`InferenceSpecification.Containers[${i}].Image`, member(container, 'Image'));
      });
      break;
    case 'Model':
      image('PrimaryContainer.Image', member(args, 'PrimaryContainer', 'Image'));
      if (args.VpcConfig !== undefined) note('ignored-network', 'VpcConfig', 'do not apply: the model runs on this machine');
      if (args.EnableNetworkIsolation === true) note('ignored-network', 'EnableNetworkIsolation', 'is not enforced locally');
      break;
    default:
      break;
  }
  return issues;
}
