import type { StageConfig, StageName } from './stage-config';

/**
 * Placeholder account and region: synth works offline without credentials. Deployments override them
 * (`-c devAccount=123456789012 -c devRegion=eu-west-1`).
 */
const PLACEHOLDER_ACCOUNT = '111111111111';
const PLACEHOLDER_REGION = 'us-east-1';

/** Defaults of each stage, before overrides. */
export const DEFAULT_STAGE_CONFIGS: Readonly<Record<StageName, StageConfig>> = {
  dev: {
    stageName: 'dev',
    account: PLACEHOLDER_ACCOUNT,
    region: PLACEHOLDER_REGION,
    problemType: 'regression',
    labelColumn: 'target',
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
    autoscaling: { minCapacity: 1, maxCapacity: 2, targetInvocationsPerInstance: 100 },
    destroyDataOnDelete: false,
    logRetentionDays: 30,
  },
  staging: {
    stageName: 'staging',
    account: PLACEHOLDER_ACCOUNT,
    region: PLACEHOLDER_REGION,
    problemType: 'regression',
    labelColumn: 'target',
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
    autoscaling: { minCapacity: 1, maxCapacity: 2, targetInvocationsPerInstance: 200 },
    destroyDataOnDelete: false,
    logRetentionDays: 90,
  },
  prod: {
    stageName: 'prod',
    account: PLACEHOLDER_ACCOUNT,
    region: PLACEHOLDER_REGION,
    problemType: 'regression',
    labelColumn: 'target',
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
    autoscaling: { minCapacity: 2, maxCapacity: 6, targetInvocationsPerInstance: 500 },
    destroyDataOnDelete: false,
    logRetentionDays: 365,
  },
};
