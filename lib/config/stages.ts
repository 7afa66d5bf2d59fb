import type { DatasetContract } from './dataset-contract';
import type { DeploymentConfig, EtlConfig, StageConfig, StageName } from './stage-config';

/**
 * Placeholder account and region: synth works offline without credentials. Deployments override them
 * (`-c devAccount=123456789012 -c devRegion=eu-west-1`).
 */
const PLACEHOLDER_ACCOUNT = '111111111111';
const PLACEHOLDER_REGION = 'us-east-1';

/**
 * The contract of the sample data (`ml/sample_data.py --format upload`): its two category columns with their
 * values, its numeric columns that a stray word must not turn into text (their rows are set aside instead), and
 * plausible ranges; other columns are inferred (numeric, or categorical up to 50 values). Duplicates and rows without
 * a label are set aside; a file with more than half of its rows set aside fails.
 */
const SAMPLE_DATASET_CONTRACT: DatasetContract = {
  columns: {
    age: { type: 'numeric', min: 18, max: 100 },
    income_k: { type: 'numeric', min: 0, nulls: 'impute-median' },
    days_since_last_order: { type: 'numeric', min: 0, nulls: 'impute-median' },
    plan: { type: 'categorical', values: ['basic', 'plus', 'pro'] },
    region: { type: 'categorical', values: ['north', 'south', 'east', 'west'] },
  },
  maxCategories: 50,
  deduplicate: true,
  maxQuarantinedFraction: 0.5,
};

/** One small Glue run at a time per upload, 30 minutes at most. */
const ETL_DEFAULTS: EtlConfig = {
  workerType: 'G.1X',
  numberOfWorkers: 2,
  timeoutMinutes: 30,
  notifyDelayMinutes: 15,
  maxConcurrentRuns: 2,
  maxObjectBytes: 1024 * 1024 * 1024,
  allowedSuffixes: ['.csv'],
};

/**
 * The deployment flow's defaults: endpoints in the stage's own account, a fifth of the requests captured, the system
 * test on up to 1,000 held-out rows one per request, a 10% canary for 5 minutes, rollback on p99 model latency
 * above 1 s or any 5xx, data quality checked hourly.
 */
function deploymentDefaults(test: { threshold: number; maxP95LatencyMs: number }): DeploymentConfig {
  return {
    dataCapturePercent: 20,
    systemTest: { threshold: test.threshold, maxP95LatencyMs: test.maxP95LatencyMs, maxRows: 1000, rowsPerRequest: 1 },
    canary: { trafficPercent: 10, waitMinutes: 5 },
    alarms: { maxModelLatencyMs: 1000, maxInvocation5xxErrors: 0 },
    dataQualitySchedule: 'cron(0 * ? * * *)',
  };
}

/** Defaults of each stage, before overrides. */
export const DEFAULT_STAGE_CONFIGS: Readonly<Record<StageName, StageConfig>> = {
  dev: {
    stageName: 'dev',
    account: PLACEHOLDER_ACCOUNT,
    region: PLACEHOLDER_REGION,
    problemType: 'regression',
    labelColumn: 'target',
    dataset: SAMPLE_DATASET_CONTRACT,
    etl: ETL_DEFAULTS,
    monitoring: {},
    instances: {
      processing: { instanceType: 'ml.m5.large', instanceCount: 1 },
      training: { instanceType: 'ml.m5.large', instanceCount: 1 },
      transform: { instanceType: 'ml.m5.large', instanceCount: 1 },
      endpoint: { instanceType: 'ml.m5.large', instanceCount: 1 },
    },
    qualityGate: { metric: 'r2', threshold: 0.6 },
    tuning: { strategy: 'Bayesian', maxJobs: 4, maxParallelJobs: 2, numRound: 300 },
    caching: { enabled: true, expireAfter: 'P30D' },
    training: { maxRuntimeSeconds: 3600, spotMaxWaitSeconds: 7200 },
    autoscaling: { minCapacity: 1, maxCapacity: 2, targetInvocationsPerInstance: 100, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 60 },
    deployment: deploymentDefaults({ threshold: 0.6, maxP95LatencyMs: 500 }),
    destroyDataOnDelete: false,
    logRetentionDays: 30,
  },
  staging: {
    stageName: 'staging',
    account: PLACEHOLDER_ACCOUNT,
    region: PLACEHOLDER_REGION,
    problemType: 'regression',
    labelColumn: 'target',
    dataset: SAMPLE_DATASET_CONTRACT,
    etl: ETL_DEFAULTS,
    monitoring: {},
    instances: {
      processing: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
      training: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
      transform: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
      endpoint: { instanceType: 'ml.m5.large', instanceCount: 1 },
    },
    qualityGate: { metric: 'r2', threshold: 0.7 },
    tuning: { strategy: 'Bayesian', maxJobs: 10, maxParallelJobs: 2, numRound: 300 },
    caching: { enabled: true, expireAfter: 'P30D' },
    training: { maxRuntimeSeconds: 3600 },
    autoscaling: { minCapacity: 1, maxCapacity: 2, targetInvocationsPerInstance: 200, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 60 },
    deployment: deploymentDefaults({ threshold: 0.7, maxP95LatencyMs: 300 }),
    destroyDataOnDelete: false,
    logRetentionDays: 90,
  },
  prod: {
    stageName: 'prod',
    account: PLACEHOLDER_ACCOUNT,
    region: PLACEHOLDER_REGION,
    problemType: 'regression',
    labelColumn: 'target',
    dataset: SAMPLE_DATASET_CONTRACT,
    etl: { ...ETL_DEFAULTS, numberOfWorkers: 4, maxConcurrentRuns: 4 },
    monitoring: {},
    instances: {
      processing: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
      training: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
      transform: { instanceType: 'ml.m5.xlarge', instanceCount: 2 },
      endpoint: { instanceType: 'ml.m5.xlarge', instanceCount: 2 },
    },
    qualityGate: { metric: 'r2', threshold: 0.7 },
    tuning: { strategy: 'Bayesian', maxJobs: 20, maxParallelJobs: 4, numRound: 300 },
    caching: { enabled: true, expireAfter: 'P30D' },
    training: { maxRuntimeSeconds: 7200 },
    autoscaling: { minCapacity: 2, maxCapacity: 6, targetInvocationsPerInstance: 500, scaleInCooldownSeconds: 600, scaleOutCooldownSeconds: 60 },
    deployment: deploymentDefaults({ threshold: 0.7, maxP95LatencyMs: 200 }),
    destroyDataOnDelete: false,
    logRetentionDays: 365,
  },
};
