import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  GLUE_WORKER_TYPES,
  STAGE_NAMES,
  TUNING_STRATEGIES,
  type InstanceConfig,
  type StageConfig,
  type StageConfigOverrides,
  type StageName,
} from './stage-config';
import { DEFAULT_STAGE_CONFIGS } from './stages';
import { isConcrete, validateInteger, type Fail } from './checks';
import { validateDatasetContract } from './validate-dataset';
import { metricRange, validateDeployment } from './validate-deployment';
import { durationMs } from '../sagemaker-pipelines/duration';
import { parseEcrImageUri } from '../image-uris';
import { INSTANCE_TYPE_PATTERN } from '../sagemaker-pipelines/instance-types';
import { isProblemType, PROBLEM_TYPE_NAMES, PROBLEM_TYPES, type ProblemType } from '../sagemaker-pipelines/problem-types';

/** One invalid value of a stage config. */
export interface StageConfigIssue {
  /** Path of the setting, e.g. `qualityGate.threshold`. */
  readonly path: string;
  /** The bad value. */
  readonly value: unknown;
  /** What is allowed. */
  readonly expected: string;
  /** `<path> is <value>: <expected>` */
  readonly message: string;
}

/** Thrown when a stage's configuration is invalid; lists every problem found. */
export class StageConfigError extends Error {
  /** The messages of `issues`. */
  public readonly problems: string[];

  constructor(
    public readonly stageName: string,
    public readonly issues: readonly StageConfigIssue[],
  ) {
    super(`Invalid configuration for stage '${stageName}':\n${issues.map((p) => `  - ${p.message}`).join('\n')}`);
    this.name = 'StageConfigError';
    this.problems = issues.map((i) => i.message);
  }
}

/** True for a stage name this app knows. */
export function isStageName(name: string): name is StageName {
  return (STAGE_NAMES as readonly string[]).includes(name);
}

/**
 * The configuration of one stage: its defaults with `overrides` merged in, validated.
 *
 * Unresolved CDK tokens are not validated (their value is only known at deploy time).
 *
 * @throws Error for an unknown stage name; StageConfigError listing every invalid value.
 */
export function loadStageConfig(name: string, overrides: StageConfigOverrides = {}): StageConfig {
  if (!isStageName(name)) {
    throw new Error(`Unknown stage '${name}'. Valid stages: ${STAGE_NAMES.join(', ')}.`);
  }
  const config = deepMerge(DEFAULT_STAGE_CONFIGS[name], overrides) as StageConfig;
  const issues = stageConfigIssues(config);
  if (issues.length > 0) {
    throw new StageConfigError(name, issues);
  }
  return config;
}

const ACCOUNT_PATTERN = /^\d{12}$/;
// us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, ap-southeast-4, ...
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const VPC_ID_PATTERN = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID_PATTERN = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID_PATTERN = /^sg-[0-9a-f]{8,17}$/;
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const MAX_TUNING_JOBS = 500;
const MAX_PARALLEL_TUNING_JOBS = 100;
const LOG_RETENTION_DAYS = Object.values(RetentionDays).filter(
  (v): v is number => typeof v === 'number' && v !== RetentionDays.INFINITE,
);

/** Every problem with `config`, as messages that name the path, the bad value and what is allowed. */
export function validateStageConfig(config: StageConfig): string[] {
  return stageConfigIssues(config).map((issue) => issue.message);
}

/** Every problem with `config`: the path, the bad value and what is allowed. */
export function stageConfigIssues(config: StageConfig): StageConfigIssue[] {
  const problems: StageConfigIssue[] = [];
  const fail = (path: string, value: unknown, expected: string): void => {
    problems.push({ path, value, expected, message: `${path} is ${JSON.stringify(value)}: ${expected}` });
  };

  if (isConcrete(config.account) && !ACCOUNT_PATTERN.test(config.account)) {
    fail('account', config.account, 'expected a 12-digit AWS account id, e.g. 123456789012');
  }
  if (isConcrete(config.region) && !REGION_PATTERN.test(config.region)) {
    fail('region', config.region, 'expected an AWS region such as us-east-1 or eu-west-1');
  }

  const problemTypeKnown = isProblemType(config.problemType);
  if (!problemTypeKnown) {
    fail('problemType', config.problemType, `expected one of ${PROBLEM_TYPE_NAMES.join(', ')}`);
  }
  if (isConcrete(config.labelColumn) && (typeof config.labelColumn !== 'string' || config.labelColumn.trim() === '')) {
    fail('labelColumn', config.labelColumn, 'expected the non-empty name of the label column');
  }
  if (config.featureColumns !== undefined) {
    validateFeatureColumns(config.featureColumns, config.labelColumn, fail);
  }

  for (const kind of ['processing', 'training', 'transform', 'endpoint'] as const) {
    validateInstance(`instances.${kind}`, config.instances[kind], fail);
  }

  if (problemTypeKnown) {
    validateQualityGate(config, config.problemType, fail);
  }

  const { strategy, maxJobs, maxParallelJobs } = config.tuning;
  if (!(TUNING_STRATEGIES as readonly string[]).includes(strategy)) {
    fail('tuning.strategy', strategy, `expected one of ${TUNING_STRATEGIES.join(', ')}`);
  }
  const maxJobsValid = validateInteger('tuning.maxJobs', maxJobs, 1, MAX_TUNING_JOBS, fail);
  const maxParallelValid = validateInteger('tuning.maxParallelJobs', maxParallelJobs, 1, MAX_PARALLEL_TUNING_JOBS, fail);
  if (maxJobsValid && maxParallelValid && isConcrete(maxJobs) && isConcrete(maxParallelJobs) && maxParallelJobs > maxJobs) {
    fail('tuning.maxParallelJobs', maxParallelJobs, `must be <= tuning.maxJobs (${maxJobs})`);
  }

  validateInteger('tuning.numRound', config.tuning.numRound, 1, 10_000, fail);

  const { enabled, expireAfter } = config.caching;
  if (typeof enabled !== 'boolean') {
    fail('caching.enabled', enabled, 'expected true or false');
  }
  if (isConcrete(expireAfter) && durationMs(expireAfter) === undefined) {
    fail('caching.expireAfter', expireAfter, 'expected an ISO-8601 duration such as P30D or PT12H');
  }

  const { maxRuntimeSeconds, spotMaxWaitSeconds } = config.training;
  const runtimeValid = validateInteger('training.maxRuntimeSeconds', maxRuntimeSeconds, 1, 28 * 24 * 3600, fail);
  if (spotMaxWaitSeconds !== undefined) {
    const waitValid = validateInteger('training.spotMaxWaitSeconds', spotMaxWaitSeconds, 1, 28 * 24 * 3600, fail);
    if (waitValid && runtimeValid && isConcrete(spotMaxWaitSeconds) && isConcrete(maxRuntimeSeconds)
      && spotMaxWaitSeconds < maxRuntimeSeconds) {
      fail('training.spotMaxWaitSeconds', spotMaxWaitSeconds,
        `must be >= training.maxRuntimeSeconds (${maxRuntimeSeconds}): the wait time includes the run time`);
    }
  }

  const { minCapacity, maxCapacity, targetInvocationsPerInstance, scaleInCooldownSeconds, scaleOutCooldownSeconds } = config.autoscaling;
  validateInteger('autoscaling.scaleInCooldownSeconds', scaleInCooldownSeconds, 0, 3600, fail);
  validateInteger('autoscaling.scaleOutCooldownSeconds', scaleOutCooldownSeconds, 0, 3600, fail);
  const minValid = validateInteger('autoscaling.minCapacity', minCapacity, 1, 1000, fail);
  const maxValid = validateInteger('autoscaling.maxCapacity', maxCapacity, 1, 1000, fail);
  if (minValid && maxValid && isConcrete(minCapacity) && isConcrete(maxCapacity) && minCapacity > maxCapacity) {
    fail('autoscaling.minCapacity', minCapacity, `must be <= autoscaling.maxCapacity (${maxCapacity})`);
  }
  if (isConcrete(targetInvocationsPerInstance)
    && !(Number.isFinite(targetInvocationsPerInstance) && targetInvocationsPerInstance > 0)) {
    fail('autoscaling.targetInvocationsPerInstance', targetInvocationsPerInstance, 'expected a number > 0');
  }

  if (typeof config.destroyDataOnDelete !== 'boolean') {
    fail('destroyDataOnDelete', config.destroyDataOnDelete, 'expected true or false');
  } else if (config.destroyDataOnDelete && config.stageName !== 'dev') {
    fail('destroyDataOnDelete', config.destroyDataOnDelete,
      `only the dev stage may delete its data with the stack; ${config.stageName} always retains it (set false)`);
  }

  if (isConcrete(config.logRetentionDays) && !LOG_RETENTION_DAYS.includes(config.logRetentionDays)) {
    fail('logRetentionDays', config.logRetentionDays, `expected one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }

  if (config.vpc !== undefined) {
    validateVpc(config.vpc, fail);
  }
  if (config.images !== undefined) {
    validateImages(config.images, config.region, fail);
  }
  validateDatasetContract(config.dataset, config.labelColumn, fail);
  validateEtl(config.etl, fail);
  if (isProblemType(config.problemType)) validateDeployment(config.deployment, config.problemType, config.qualityGate.metric, fail);
  const email = config.monitoring?.notificationEmail;
  if (email !== undefined && isConcrete(email) && !EMAIL_PATTERN.test(email)) {
    fail('monitoring.notificationEmail', email, 'expected an email address such as ml-team@example.com');
  }
  return problems;
}

function validateEtl(etl: StageConfig['etl'], fail: Fail): void {
  if (!(GLUE_WORKER_TYPES as readonly string[]).includes(etl.workerType)) {
    fail('etl.workerType', etl.workerType, `expected one of ${GLUE_WORKER_TYPES.join(', ')}`);
  }
  validateInteger('etl.numberOfWorkers', etl.numberOfWorkers, 2, 299, fail);
  const timeoutValid = validateInteger('etl.timeoutMinutes', etl.timeoutMinutes, 1, 2880, fail);
  const delayValid = validateInteger('etl.notifyDelayMinutes', etl.notifyDelayMinutes, 1, 2880, fail);
  if (timeoutValid && delayValid && etl.notifyDelayMinutes >= etl.timeoutMinutes) {
    fail('etl.notifyDelayMinutes', etl.notifyDelayMinutes, `must be < etl.timeoutMinutes (${etl.timeoutMinutes}): a run times out before its delay notification`);
  }
  validateInteger('etl.maxConcurrentRuns', etl.maxConcurrentRuns, 1, 1000, fail);
  validateInteger('etl.maxObjectBytes', etl.maxObjectBytes, 1, Number.MAX_SAFE_INTEGER, fail);
  if (!Array.isArray(etl.allowedSuffixes) || etl.allowedSuffixes.length === 0) {
    fail('etl.allowedSuffixes', etl.allowedSuffixes, 'expected at least one file suffix such as ".csv"');
  } else {
    etl.allowedSuffixes.forEach((suffix, i) => {
      if (typeof suffix !== 'string' || !/^\.[A-Za-z0-9.]{1,20}$/.test(suffix)) {
        fail(`etl.allowedSuffixes[${i}]`, suffix, 'expected a suffix starting with "." such as ".csv" or ".csv.gz"');
      }
    });
  }
}

function validateInstance(path: string, instance: InstanceConfig, fail: Fail): void {
  const { instanceType, instanceCount } = instance;
  if (isConcrete(instanceType) && !(typeof instanceType === 'string' && INSTANCE_TYPE_PATTERN.test(instanceType))) {
    fail(`${path}.instanceType`, instanceType, 'expected a SageMaker instance type starting with "ml.", e.g. ml.m5.xlarge');
  }
  validateInteger(`${path}.instanceCount`, instanceCount, 1, 100, fail);
}

function validateQualityGate(config: StageConfig, problemType: ProblemType, fail: Fail): void {
  const { metric, threshold } = config.qualityGate;
  const metrics = PROBLEM_TYPES[problemType].metrics;
  if (!(metric in metrics)) {
    fail('qualityGate.metric', metric, `expected a ${problemType} metric: one of ${Object.keys(metrics).join(', ')}`);
    return;
  }
  if (!isConcrete(threshold)) return;
  const [min, max] = metricRange(metric);
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < min || threshold > max) {
    const range = min === -Infinity ? `<= ${max}` : max === Infinity ? `>= ${min}` : `between ${min} and ${max}`;
    fail('qualityGate.threshold', threshold, `expected a number ${range} for metric ${metric}`);
  }
}

function validateImages(images: NonNullable<StageConfig['images']>, region: string, fail: Fail): void {
  if (!isPlainObject(images)) {
    fail('images', images, 'expected an object such as { training: "<ECR image URI>", inference: "<ECR image URI>" }, or omit it for the managed images');
    return;
  }
  for (const key of Object.keys(images)) {
    if (key !== 'training' && key !== 'inference') fail(`images.${key}`, images[key as keyof typeof images], 'unknown image: expected training or inference');
  }
  for (const kind of ['training', 'inference'] as const) {
    const uri = images[kind];
    if (uri === undefined || !isConcrete(uri)) continue;
    const parsed = typeof uri === 'string' ? parseEcrImageUri(uri) : undefined;
    if (parsed === undefined) {
      fail(`images.${kind}`, uri, 'expected a private ECR image URI with a tag or digest, e.g. '
        + `123456789012.dkr.ecr.${isConcrete(region) ? region : 'us-east-1'}.amazonaws.com/mlops-${kind}:<commit id>; omit it for the managed image`);
    } else if (isConcrete(region) && parsed.region !== region) {
      fail(`images.${kind}`, uri, `the image is in ${parsed.region} but the stage runs in ${region}: SageMaker pulls images from its own region; push the image to ${region}`);
    }
  }
}

function validateVpc(vpc: NonNullable<StageConfig['vpc']>, fail: Fail): void {
  if (isConcrete(vpc.vpcId) && !VPC_ID_PATTERN.test(vpc.vpcId)) {
    fail('vpc.vpcId', vpc.vpcId, 'expected a VPC id such as vpc-0123456789abcdef0');
  }
  if (!Array.isArray(vpc.subnetIds) || vpc.subnetIds.length === 0) {
    fail('vpc.subnetIds', vpc.subnetIds, 'expected at least one subnet id such as subnet-0123456789abcdef0');
  } else {
    vpc.subnetIds.forEach((id, i) => {
      if (isConcrete(id) && !SUBNET_ID_PATTERN.test(id)) {
        fail(`vpc.subnetIds[${i}]`, id, 'expected a subnet id such as subnet-0123456789abcdef0');
      }
    });
  }
  const sg = vpc.securityGroupId;
  if (isConcrete(sg) && sg !== 'create' && !SECURITY_GROUP_ID_PATTERN.test(sg)) {
    fail('vpc.securityGroupId', sg, 'expected a security group id such as sg-0123456789abcdef0, or "create"');
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: object, overrides: object): object {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return result;
}

function validateFeatureColumns(columns: readonly string[], labelColumn: string, fail: Fail): void {
  if (!Array.isArray(columns) || columns.length === 0) {
    fail('featureColumns', columns, 'expected a non-empty list of column names; omit it to use every column but the label');
    return;
  }
  const seen = new Set<string>();
  columns.forEach((column, i) => {
    if (!isConcrete(column)) return;
    if (typeof column !== 'string' || column.trim() === '' || column.includes(',')) {
      fail(`featureColumns[${i}]`, column, 'expected a non-empty column name without commas');
    } else if (column === labelColumn) {
      fail(`featureColumns[${i}]`, column, `the label column '${labelColumn}' cannot also be a feature`);
    } else if (seen.has(column)) {
      fail(`featureColumns[${i}]`, column, 'listed twice; name each feature once');
    }
    seen.add(column);
  });
}
