import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig, type StageConfigOverrides } from '../../../lib/config';
import { MlPlatformStage } from '../../../lib/stages/ml-platform-stage';
import { NOTIFY_ENVIRONMENT } from '../../../lambda/notify/environment';
import { createTestApp } from '../../helpers/app';

function monitoringTemplate(overrides: StageConfigOverrides = {}) {
  const app = createTestApp();
  const stage = new MlPlatformStage(app, 'dev', { config: loadStageConfig('dev', overrides) });
  return Template.fromStack(stage.monitoring);
}

describe('MonitoringStack', () => {
  const template = monitoringTemplate();

  test('the notification topic is encrypted with its own key and takes TLS only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('an email subscription when the stage names an address', () => {
    monitoringTemplate({ monitoring: { notificationEmail: 'ml-team@example.com' } })
      .hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ml-team@example.com' });
  });

  test('notify gets the topic, the pipelines, the model group and the ETL job', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          [NOTIFY_ENVIRONMENT.topicArn]: { Ref: Match.stringLikeRegexp('^Topic') },
          [NOTIFY_ENVIRONMENT.trainingPipelineName]: 'mlops-dev-training',
          [NOTIFY_ENVIRONMENT.inferencePipelineName]: 'mlops-dev-inference',
          [NOTIFY_ENVIRONMENT.modelPackageGroupName]: 'mlops-dev-models',
          [NOTIFY_ENVIRONMENT.etlJobName]: Match.anyValue(),
          [NOTIFY_ENVIRONMENT.idempotencyTableName]: Match.anyValue(),
        }),
      },
    });
  });

  test('five rules send pipeline, training, ETL, approval and deployment events to notify, with a dead-letter queue', () => {
    const toNotify = Object.values(template.findResources('AWS::Events::Rule'))
      .filter((r) => JSON.stringify(r.Properties.Targets ?? []).includes('NotifyFunction'));
    expect(toNotify.map((r) => r.Properties.Description)).toEqual([
      'A pipeline execution ended',
      'A training or tuning job of the pipelines failed or was stopped',
      'An ETL run failed, timed out, was stopped, or runs late',
      'A new model version awaits approval',
      'A run of the model deployment pipeline ended: in production, failed, rejected or stopped',
    ]);
    for (const rule of toNotify) expect(rule.Properties.Targets[0].DeadLetterConfig).toBeDefined();
  });

  test('the ETL run report becomes metrics: rows in, out and set aside', () => {
    for (const [name, field] of [['RowsIn', 'rowsIn'], ['RowsOut', 'rowsOut'], ['RowsQuarantined', 'rowsQuarantined']]) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: '{ $.event = "etl_report" }',
        MetricTransformations: [Match.objectLike({ MetricNamespace: 'MLOps/ETL', MetricName: name, MetricValue: `$.${field}` })],
      });
    }
  });

  test('a dashboard, and alarms that publish to the topic: handler errors, dead letters, ETL and pipeline failures', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const names = alarms.map((a) => String(a.Properties.AlarmName));
    for (const part of ['start-etl-handler', 'start-training-handler', 'notify-handler', 'start-etl-dlq', 'start-training-dlq', 'notify-dlq', 'etl-job', 'mlops-dev-training-failed', 'mlops-dev-inference-failed']) {
      expect(names.some((n) => n.includes(part))).toBe(true);
    }
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
    }
  });
});
