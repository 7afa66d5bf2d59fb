import { Token } from 'aws-cdk-lib';
import {
  DEFAULT_STAGE_CONFIGS,
  loadStageConfig,
  StageConfigError,
  STAGE_NAMES,
  type StageConfigOverrides,
} from '../../../lib/config';

/** The message loadStageConfig throws for `overrides` on `stage`. */
function errorFor(overrides: StageConfigOverrides, stage = 'dev'): string {
  try {
    loadStageConfig(stage, overrides);
  } catch (e) {
    expect(e).toBeInstanceOf(StageConfigError);
    return (e as Error).message;
  }
  throw new Error('expected loadStageConfig to throw');
}

describe('loadStageConfig', () => {
  test.each(STAGE_NAMES)('the %s defaults are valid and offline-friendly', (stage) => {
    const config = loadStageConfig(stage);
    expect(config.stageName).toBe(stage);
    expect(config.account).toBe('111111111111');
    expect(config.region).toBe('us-east-1');
    expect(config.destroyDataOnDelete).toBe(false);
  });

  test('overrides replace values and merge nested objects', () => {
    const config = loadStageConfig('staging', {
      account: '123456789012',
      region: 'eu-west-1',
      instances: { training: { instanceType: 'ml.c5.2xlarge' } },
      tuning: { maxJobs: 30 },
    });
    expect(config.account).toBe('123456789012');
    expect(config.region).toBe('eu-west-1');
    expect(config.instances.training).toEqual({ instanceType: 'ml.c5.2xlarge', instanceCount: 1 });
    expect(config.instances.processing).toEqual(DEFAULT_STAGE_CONFIGS.staging.instances.processing);
    expect(config.tuning).toEqual({ ...DEFAULT_STAGE_CONFIGS.staging.tuning, maxJobs: 30 });
  });

  test('undefined overrides keep the defaults', () => {
    expect(loadStageConfig('prod', { account: undefined })).toEqual(DEFAULT_STAGE_CONFIGS.prod);
  });

  test('does not mutate the defaults', () => {
    const before = JSON.stringify(DEFAULT_STAGE_CONFIGS);
    loadStageConfig('dev', { instances: { training: { instanceCount: 3 } } });
    expect(JSON.stringify(DEFAULT_STAGE_CONFIGS)).toBe(before);
  });

  test('an unknown stage name lists the valid ones', () => {
    expect(() => loadStageConfig('qa')).toThrow("Unknown stage 'qa'. Valid stages: dev, staging, prod.");
  });

  test('a bad account id is named', () => {
    expect(errorFor({ account: '1234' })).toContain('account is "1234": expected a 12-digit AWS account id');
  });

  test('a bad region is named', () => {
    expect(errorFor({ region: 'Europe' })).toContain('region is "Europe": expected an AWS region such as us-east-1');
  });

  test('accepts partition-specific regions', () => {
    expect(loadStageConfig('dev', { region: 'us-gov-west-1' }).region).toBe('us-gov-west-1');
    expect(loadStageConfig('dev', { region: 'cn-northwest-1' }).region).toBe('cn-northwest-1');
  });

  test('an instance type must start with "ml."', () => {
    expect(errorFor({ instances: { training: { instanceType: 'm5.large' } } }))
      .toContain('instances.training.instanceType is "m5.large": expected a SageMaker instance type starting with "ml."');
  });

  test('an instance count must be a positive integer', () => {
    expect(errorFor({ instances: { endpoint: { instanceCount: 0 } } }))
      .toContain('instances.endpoint.instanceCount is 0: expected an integer between 1 and 100');
  });

  test('an unknown problem type lists the known ones', () => {
    expect(errorFor({ problemType: 'ranking' as never }))
      .toContain('problemType is "ranking": expected one of regression, binary_classification');
  });

  test('an empty label column is rejected', () => {
    expect(errorFor({ labelColumn: ' ' })).toContain('labelColumn is " ": expected the non-empty name of the label column');
  });

  test('feature columns, when given, are a non-empty list of distinct names other than the label', () => {
    expect(loadStageConfig('dev', { featureColumns: ['age', 'income'] }).featureColumns).toEqual(['age', 'income']);
    expect(loadStageConfig('dev').featureColumns).toBeUndefined();
    expect(errorFor({ featureColumns: [] })).toContain('featureColumns is []: expected a non-empty list of column names');
    expect(errorFor({ featureColumns: ['age', 'target'] }))
      .toContain('featureColumns[1] is "target": the label column \'target\' cannot also be a feature');
    expect(errorFor({ featureColumns: ['age', 'age'] })).toContain('featureColumns[1] is "age": listed twice');
    expect(errorFor({ featureColumns: ['a,b'] })).toContain('featureColumns[0] is "a,b": expected a non-empty column name without commas');
  });

  test('the quality-gate metric must belong to the problem type', () => {
    expect(errorFor({ qualityGate: { metric: 'auc' } }))
      .toContain('qualityGate.metric is "auc": expected a regression metric: one of mse, rmse, mae, r2');
  });

  test('a rate threshold must be within [0, 1]', () => {
    expect(errorFor({ problemType: 'binary_classification', qualityGate: { metric: 'auc', threshold: 1.5 } }))
      .toContain('qualityGate.threshold is 1.5: expected a number between 0 and 1 for metric auc');
  });

  test('an r2 threshold must be <= 1', () => {
    expect(errorFor({ qualityGate: { metric: 'r2', threshold: 2 } }))
      .toContain('qualityGate.threshold is 2: expected a number <= 1 for metric r2');
  });

  test('an error-metric threshold must be >= 0', () => {
    expect(errorFor({ qualityGate: { metric: 'rmse', threshold: -1 } }))
      .toContain('qualityGate.threshold is -1: expected a number >= 0 for metric rmse');
  });

  test('an unknown tuning strategy lists the allowed ones', () => {
    expect(errorFor({ tuning: { strategy: 'Genetic' as never } }))
      .toContain('tuning.strategy is "Genetic": expected one of Bayesian, Random');
  });

  test('max parallel tuning jobs must not exceed max jobs', () => {
    expect(errorFor({ tuning: { maxJobs: 4, maxParallelJobs: 8 } }))
      .toContain('tuning.maxParallelJobs is 8: must be <= tuning.maxJobs (4)');
  });

  test('max tuning jobs is bounded', () => {
    expect(errorFor({ tuning: { maxJobs: 501 } })).toContain('tuning.maxJobs is 501: expected an integer between 1 and 500');
  });

  test('the spot wait time must cover the run time', () => {
    expect(errorFor({ training: { maxRuntimeSeconds: 3600, spotMaxWaitSeconds: 60 } }))
      .toContain('training.spotMaxWaitSeconds is 60: must be >= training.maxRuntimeSeconds (3600)');
  });

  test('autoscaling min capacity must not exceed max capacity', () => {
    expect(errorFor({ autoscaling: { minCapacity: 5, maxCapacity: 2 } }))
      .toContain('autoscaling.minCapacity is 5: must be <= autoscaling.maxCapacity (2)');
  });

  test('the autoscaling target must be positive', () => {
    expect(errorFor({ autoscaling: { targetInvocationsPerInstance: 0 } }))
      .toContain('autoscaling.targetInvocationsPerInstance is 0: expected a number > 0');
  });

  test('autoscaling cooldowns are whole seconds up to an hour', () => {
    expect(errorFor({ autoscaling: { scaleInCooldownSeconds: -1, scaleOutCooldownSeconds: 3601 } })).toEqual(expect.stringContaining(
      'autoscaling.scaleInCooldownSeconds is -1: expected an integer between 0 and 3600',
    ));
    expect(errorFor({ autoscaling: { scaleOutCooldownSeconds: 3601 } })).toContain('autoscaling.scaleOutCooldownSeconds is 3601');
  });

  test('the deployment flow: targets, the system test, the canary, the alarms and the monitoring schedule are checked', () => {
    const message = errorFor({
      deployment: {
        staging: { account: '123', region: 'mars-1' },
        dataCapturePercent: 120,
        systemTest: { metric: 'auc', threshold: 0.5, maxP95LatencyMs: 0, maxRows: 20_000, rowsPerRequest: 0 },
        canary: { trafficPercent: 80, waitMinutes: 0 },
        alarms: { maxModelLatencyMs: -5, maxInvocation5xxErrors: 1.5 },
        dataQualitySchedule: 'rate(1 hour)',
      },
    });
    for (const expected of [
      'deployment.staging.account is "123": expected a 12-digit AWS account id',
      'deployment.staging.region is "mars-1": expected an AWS region such as eu-west-1',
      'deployment.dataCapturePercent is 120: expected a number between 0 and 100',
      'deployment.systemTest.metric is "auc": expected a regression metric: one of mse, rmse, mae, r2',
      'deployment.systemTest.maxP95LatencyMs is 0: expected a number between 1 and 60000',
      'deployment.systemTest.maxRows is 20000: expected an integer between 1 and 2000',
      'deployment.systemTest.rowsPerRequest is 0: expected an integer between 1 and 1000',
      'deployment.canary.trafficPercent is 80: expected an integer between 1 and 50',
      'deployment.canary.waitMinutes is 0: expected an integer between 1 and 60',
      'deployment.alarms.maxModelLatencyMs is -5: expected a number between 1 and 600000',
      'deployment.alarms.maxInvocation5xxErrors is 1.5: expected an integer between 0 and 100000',
      'deployment.dataQualitySchedule is "rate(1 hour)": expected a Model Monitor cron',
    ]) {
      expect(message).toContain(expected);
    }
  });

  test('the system test checks its threshold against its metric, which defaults to the gate\'s', () => {
    expect(errorFor({ deployment: { systemTest: { threshold: 2 } } })).toContain('deployment.systemTest.threshold is 2: expected a number <= 1');
    expect(errorFor({ deployment: { systemTest: { metric: 'rmse', threshold: -1 } } })).toContain('deployment.systemTest.threshold is -1: expected a number >= 0');
    expect(loadStageConfig('dev', { deployment: { systemTest: { metric: 'rmse', threshold: 250 } } }).deployment.systemTest).toMatchObject({ metric: 'rmse', threshold: 250 });
    expect(loadStageConfig('prod', { deployment: { dataQualitySchedule: 'cron(0 */6 ? * * *)' } }).deployment.dataQualitySchedule).toBe('cron(0 */6 ? * * *)');
  });

  test('only dev may destroy its data on delete', () => {
    expect(loadStageConfig('dev', { destroyDataOnDelete: true }).destroyDataOnDelete).toBe(true);
    expect(errorFor({ destroyDataOnDelete: true }, 'prod'))
      .toContain('destroyDataOnDelete is true: only the dev stage may delete its data with the stack; prod always retains it');
  });

  test('log retention must be a CloudWatch Logs retention value', () => {
    expect(errorFor({ logRetentionDays: 42 })).toMatch(/logRetentionDays is 42: expected one of 1, 3, 5, 7, 14, 30, .*3653/);
  });

  test('VPC ids are checked', () => {
    const message = errorFor({ vpc: { vpcId: 'my-vpc', subnetIds: ['subnet-12345678', 'bad'], securityGroupId: 'default' } });
    expect(message).toContain('vpc.vpcId is "my-vpc": expected a VPC id');
    expect(message).toContain('vpc.subnetIds[1] is "bad": expected a subnet id');
    expect(message).toContain('vpc.securityGroupId is "default": expected a security group id such as sg-0123456789abcdef0, or "create"');
  });

  test('a VPC needs at least one subnet', () => {
    expect(errorFor({ vpc: { vpcId: 'vpc-12345678', subnetIds: [], securityGroupId: 'create' } }))
      .toContain('vpc.subnetIds is []: expected at least one subnet id');
  });

  test('a valid VPC is accepted', () => {
    const vpc = { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupId: 'sg-0123456789abcdef0' };
    expect(loadStageConfig('prod', { vpc }).vpc).toEqual(vpc);
  });

  test('lists every problem at once, naming the stage', () => {
    const message = errorFor({ account: 'x', region: 'y' }, 'staging');
    expect(message).toMatch(/^Invalid configuration for stage 'staging':\n {2}- account is "x".*\n {2}- region is "y"/);
  });

  test('unresolved tokens are not validated', () => {
    const config = loadStageConfig('dev', {
      account: Token.asString({ Ref: 'AWS::AccountId' }),
      region: Token.asString({ Ref: 'AWS::Region' }),
      instances: { training: { instanceType: Token.asString({ Ref: 'TrainingInstanceType' }) } },
      tuning: { maxJobs: Token.asNumber({ Ref: 'MaxJobs' }) },
    });
    expect(Token.isUnresolved(config.account)).toBe(true);
    expect(Token.isUnresolved(config.tuning.maxJobs)).toBe(true);
  });
});

describe('dataset contract, ETL and monitoring settings', () => {
  test.each<[string, StageConfigOverrides, string]>([
    ['an unknown column type', { dataset: { columns: { city: { type: 'text' as never } } } }, 'dataset.columns.city.type is "text": expected numeric or categorical'],
    ['a mean imputed into a categorical column', { dataset: { columns: { city: { type: 'categorical', nulls: 'impute-mean' } } } },
      'dataset.columns.city.nulls is "impute-mean": a categorical column imputes its mode or a fixed value'],
    ['min above max', { dataset: { columns: { age: { type: 'numeric', min: 10, max: 1 } } } }, 'dataset.columns.age.min is 10: must be <= max (1)'],
    ['values on a numeric column', { dataset: { columns: { age: { type: 'numeric', values: ['1'] } } } }, 'dataset.columns.age.values is ["1"]: only categorical columns list their values'],
    ['a text imputed into a numeric column', { dataset: { columns: { age: { type: 'numeric', nulls: { impute: 'none' } } } } },
      'dataset.columns.age.nulls.impute is "none": expected a number for a numeric column'],
    ['a categorical label', { dataset: { columns: { target: { type: 'categorical' } } } }, 'dataset.columns.target.type is "categorical": the label column is numeric'],
    ['dropping the label', { dataset: { dropColumns: ['target'] } }, "dataset.dropColumns[0] is \"target\": the label column 'target' cannot be dropped"],
    ['a misspelt member', { dataset: { dropColumn: ['id'] } as never }, 'dataset.dropColumn is ["id"]: unknown member'],
    ['a two-character delimiter', { dataset: { delimiter: ';;' } }, 'dataset.delimiter is ";;": expected one character'],
    ['a fraction above 1', { dataset: { maxQuarantinedFraction: 1.5 } }, 'dataset.maxQuarantinedFraction is 1.5: expected a number from 0 to 1'],
    ['one Glue worker', { etl: { numberOfWorkers: 1 } }, 'etl.numberOfWorkers is 1: expected an integer between 2 and 299'],
    ['an unknown worker type', { etl: { workerType: 'G.3X' as never } }, 'etl.workerType is "G.3X": expected one of G.025X, G.1X, G.2X, G.4X, G.8X'],
    ['a notify delay after the timeout', { etl: { timeoutMinutes: 10, notifyDelayMinutes: 10 } }, 'etl.notifyDelayMinutes is 10: must be < etl.timeoutMinutes (10)'],
    ['a suffix without a dot', { etl: { allowedSuffixes: ['csv'] } }, 'etl.allowedSuffixes[0] is "csv": expected a suffix starting with "."'],
    ['a bad email', { monitoring: { notificationEmail: 'ml-team' } }, 'monitoring.notificationEmail is "ml-team": expected an email address'],
  ])('%s is named with its value', (_, overrides, message) => {
    expect(errorFor(overrides)).toContain(message);
  });

  test('a contract that names its columns is valid', () => {
    const config = loadStageConfig('dev', {
      dataset: {
        columns: {
          target: { type: 'numeric', nulls: 'quarantine', min: 0 },
          city: { type: 'categorical', nulls: { impute: 'unknown' }, values: ['Paris', 'Lyon'] },
          rooms: { type: 'numeric', nulls: 'impute-median', min: 1, max: 20 },
        },
        dropColumns: ['id'],
        delimiter: ';',
      },
    });
    expect(config.dataset.columns?.city.values).toEqual(['Paris', 'Lyon']);
  });
});
