/** Checks of the deployment flow's settings: targets, the system test, the canary, the alarms, the schedule. */
import { PROBLEM_TYPES, type ProblemType } from '../sagemaker-pipelines/problem-types';
import { isConcrete, validateInteger, validateNumber, type Fail } from './checks';
import type { DeploymentConfig, StageConfig } from './stage-config';

const ACCOUNT_PATTERN = /^\d{12}$/;
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
/** Model Monitor's schedules: hourly, every N hours at minute 0, or daily at an hour (its documented forms). */
const MONITOR_SCHEDULE_PATTERN = /^cron\(0 (\*|\d{1,2}|\*\/\d{1,2}|\d{1,2}\/\d{1,2}) \? \* \* \*\)$/;

/** Values a metric can take: error metrics are >= 0, r2 is <= 1, rates are in [0, 1]. */
export function metricRange(metric: string): [number, number] {
  switch (metric) {
    case 'mse':
    case 'rmse':
    case 'mae':
      return [0, Infinity];
    case 'r2':
      return [-Infinity, 1];
    default:
      return [0, 1];
  }
}

/** The metric the system test computes: its own, or the quality gate's. */
export function systemTestMetric(config: Pick<StageConfig, 'deployment' | 'qualityGate'>): string {
  return config.deployment.systemTest.metric ?? config.qualityGate.metric;
}

export function validateDeployment(deployment: DeploymentConfig, problemType: ProblemType, gateMetric: string, fail: Fail): void {
  for (const [name, target] of [['staging', deployment.staging], ['production', deployment.production]] as const) {
    if (target === undefined) continue;
    if (target.account !== undefined && isConcrete(target.account) && !ACCOUNT_PATTERN.test(target.account)) {
      fail(`deployment.${name}.account`, target.account, 'expected a 12-digit AWS account id');
    }
    if (target.region !== undefined && isConcrete(target.region) && !REGION_PATTERN.test(target.region)) {
      fail(`deployment.${name}.region`, target.region, 'expected an AWS region such as eu-west-1');
    }
  }
  validateNumber('deployment.dataCapturePercent', deployment.dataCapturePercent, 0, 100, fail);

  const test = deployment.systemTest;
  const metric = test.metric ?? gateMetric;
  const metrics = PROBLEM_TYPES[problemType].metrics;
  if (!(metric in metrics)) {
    fail('deployment.systemTest.metric', metric, `expected a ${problemType} metric: one of ${Object.keys(metrics).join(', ')}`);
  } else {
    const [min, max] = metricRange(metric);
    validateNumber('deployment.systemTest.threshold', test.threshold, min, max, fail);
  }
  validateNumber('deployment.systemTest.maxP95LatencyMs', test.maxP95LatencyMs, 1, 60_000, fail);
  // The Map state's results (a label, a prediction and a latency per row) travel in one state payload (256 KiB).
  validateInteger('deployment.systemTest.maxRows', test.maxRows, 1, 2000, fail);
  validateInteger('deployment.systemTest.rowsPerRequest', test.rowsPerRequest, 1, 1000, fail);

  validateInteger('deployment.canary.trafficPercent', deployment.canary.trafficPercent, 1, 50, fail);
  validateInteger('deployment.canary.waitMinutes', deployment.canary.waitMinutes, 1, 60, fail);
  validateNumber('deployment.alarms.maxModelLatencyMs', deployment.alarms.maxModelLatencyMs, 1, 600_000, fail);
  validateInteger('deployment.alarms.maxInvocation5xxErrors', deployment.alarms.maxInvocation5xxErrors, 0, 100_000, fail);
  if (isConcrete(deployment.dataQualitySchedule) && !MONITOR_SCHEDULE_PATTERN.test(deployment.dataQualitySchedule)) {
    fail('deployment.dataQualitySchedule', deployment.dataQualitySchedule,
      'expected a Model Monitor cron: hourly "cron(0 * ? * * *)", every N hours "cron(0 */6 ? * * *)" or daily "cron(0 3 ? * * *)"');
  }
}
