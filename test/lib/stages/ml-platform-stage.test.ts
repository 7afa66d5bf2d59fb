import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { loadStageConfig, STAGE_NAMES, type StageConfigOverrides } from '../../../lib/config';
import { MlPlatformStage } from '../../../lib/stages/ml-platform-stage';
import { createTestApp } from '../../helpers/app';
import { acknowledgements, allFindings, covers, unacknowledgedFindings } from '../../helpers/nag';

function buildStage(stageName: string, overrides: StageConfigOverrides = {}) {
  const app = createTestApp();
  const stage = new MlPlatformStage(app, stageName, { config: loadStageConfig(stageName, overrides) });
  return { app, stage };
}

/** Synthesizes the app (cdk-nag runs as a validation plugin of the stage) and returns the validation report. */
function synthReport(app: ReturnType<typeof createTestApp>): { pluginReports: { violations: unknown[] }[] } {
  const assembly = app.synth();
  return JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
}

const VARIANTS: [string, string, StageConfigOverrides][] = [
  ...STAGE_NAMES.map((name): [string, string, StageConfigOverrides] => [name, name, {}]),
  ['dev with destroyDataOnDelete', 'dev', { destroyDataOnDelete: true }],
  ['prod in a VPC with a created security group', 'prod', {
    vpc: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupId: 'create' },
  }],
  ['staging in eu-west-1 without spot training', 'staging', { region: 'eu-west-1', account: '222222222222' }],
  ['prod with staging and production endpoints in two other accounts, production in another region', 'prod', {
    deployment: { staging: { account: '222222222222' }, production: { account: '333333333333', region: 'eu-west-1' } },
  }],
];

describe('MlPlatformStage', () => {
  test.each(VARIANTS)('%s synthesizes with zero unacknowledged cdk-nag findings', (_label, stageName, overrides) => {
    const { app, stage } = buildStage(stageName, overrides);
    // Under jest the app synthesizes in memory and throws the whole report on any unacknowledged finding.
    const report = synthReport(app);
    expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
    expect(unacknowledgedFindings(stage)).toEqual([]);
  });

  test.each(VARIANTS)('%s: every acknowledgement is granular, explained and matches a real finding', (_label, stageName, overrides) => {
    const { app, stage } = buildStage(stageName, overrides);
    app.synth();
    const findings = allFindings(stage);
    const acks = acknowledgements(stage);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(30);
      if (ack.ruleId.startsWith('AwsSolutions-IAM5')) {
        expect(ack.ruleId).toMatch(/^AwsSolutions-IAM5\[(Action|Resource)::.+\]$/);
      }
    }
    const stale = acks.filter((ack) => !findings.some((f) => f.ruleId === ack.ruleId && covers(ack.constructPath, f.constructPath)));
    expect(stale).toEqual([]);
  });

  test('cdk-nag runs inside the stage: an unsafe bucket fails synthesis', () => {
    const { app, stage } = buildStage('dev');
    new Bucket(new Stack(stage, 'Extra'), 'Unsafe');
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });

  test('the stage deploys to the configured account and region and orders the stacks', () => {
    const { stage } = buildStage('prod', { account: '333333333333', region: 'eu-central-1' });
    for (const stack of [stage.data, stage.training]) {
      expect(stack.account).toBe('333333333333');
      expect(stack.region).toBe('eu-central-1');
    }
    expect(stage.training.dependencies).toContain(stage.data);
    expect(stage.data.stackName).toBe('prod-Data');
    expect(stage.training.stackName).toBe('prod-Training');
  });
});
