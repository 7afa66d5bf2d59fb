import { BootstraplessSynthesizer } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig, type StageConfigOverrides } from '../../../lib/config';
import { EndpointStack, type EndpointVariant } from '../../../lib/stacks/endpoint-stack';
import { createTestApp } from '../../helpers/app';
import { unacknowledgedFindings } from '../../helpers/nag';

function endpointStack(variant: EndpointVariant, overrides: StageConfigOverrides = {}, systemTestAccount?: string): EndpointStack {
  const config = loadStageConfig('prod', overrides);
  const app = createTestApp();
  const target = config.deployment[variant];
  return new EndpointStack(app, `Endpoint-${variant}`, {
    config,
    variant,
    systemTestAccount,
    env: { account: target?.account ?? config.account, region: target?.region ?? config.region },
    synthesizer: new BootstraplessSynthesizer(),
  });
}

describe('EndpointStack (production)', () => {
  const stack = endpointStack('production');
  const template = Template.fromStack(stack);

  test('the model comes from the approved package, a template parameter', () => {
    template.hasParameter('ModelPackageArn', { Type: 'String', AllowedPattern: Match.stringLikeRegexp('model-package') });
    template.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: { ModelPackageName: { Ref: 'ModelPackageArn' } } });
  });

  test('the endpoint config captures requests and responses to its encrypted bucket at the configured rate', () => {
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: Match.anyValue(),
      ProductionVariants: [Match.objectLike({ VariantName: 'AllTraffic', InstanceType: 'ml.m5.xlarge', InitialInstanceCount: 2, InitialVariantWeight: 1 })],
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 20,
        DestinationS3Uri: Match.objectLike({ 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('CaptureBucket') }, '/datacapture']] }),
        KmsKeyId: Match.anyValue(),
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'], JsonContentTypes: ['application/json'] },
      },
    });
  });

  test('updates keep the autoscaled capacity and shift traffic blue/green with a canary that rolls back on the alarms', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const alarmIds = Object.keys(alarms).sort();
    expect(alarmIds).toEqual([expect.stringMatching(/^Invocation5xxAlarm/), expect.stringMatching(/^ModelLatencyAlarm/)]);
    template.hasResourceProperties('AWS::SageMaker::Endpoint', {
      EndpointName: 'mlops-prod-production',
      RetainAllVariantProperties: true,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 }, WaitIntervalInSeconds: 300 },
          TerminationWaitInSeconds: 300,
          MaximumExecutionTimeoutInSeconds: 3900,
        },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: { Ref: alarmIds[1] } }, { AlarmName: { Ref: alarmIds[0] } }] },
      },
    });
  });

  test('the alarms watch p99 model latency (microseconds) and 5xx errors of the variant', () => {
    const dimensions = [{ Name: 'EndpointName', Value: 'mlops-prod-production' }, { Name: 'VariantName', Value: 'AllTraffic' }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ModelLatency', Namespace: 'AWS/SageMaker', ExtendedStatistic: 'p99', Threshold: 1_000_000, Dimensions: dimensions,
      ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocation5XXErrors', Statistic: 'Sum', Threshold: 0, Period: 60, Dimensions: dimensions,
    });
  });

  test('autoscaling tracks invocations per instance between the configured limits, with the cooldowns', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'sagemaker',
      ResourceId: 'endpoint/mlops-prod-production/variant/AllTraffic',
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      MinCapacity: 2,
      MaxCapacity: 6,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
        TargetValue: 500,
        ScaleInCooldown: 600,
        ScaleOutCooldown: 60,
      },
    });
    // The target registers the endpoint's variant: it must exist first.
    const [target] = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget'));
    expect(target.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Endpoint/)]));
  });

  test('a data-quality schedule checks the captured data against the package\'s baseline, when it has one', () => {
    template.hasParameter('BaselineConstraintsUri', { Default: 'none' });
    template.hasParameter('BaselineStatisticsUri', { Default: 'none' });
    template.hasCondition('HasBaseline', Match.anyValue());
    template.hasResource('AWS::SageMaker::DataQualityJobDefinition', {
      Condition: 'HasBaseline',
      Properties: Match.objectLike({
        DataQualityAppSpecification: { ImageUri: '156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer' },
        DataQualityBaselineConfig: {
          ConstraintsResource: { S3Uri: { Ref: 'BaselineConstraintsUri' } },
          StatisticsResource: { S3Uri: { Ref: 'BaselineStatisticsUri' } },
        },
        DataQualityJobInput: { EndpointInput: { EndpointName: 'mlops-prod-production', LocalPath: '/opt/ml/processing/input/endpoint' } },
      }),
    });
    template.hasResource('AWS::SageMaker::MonitoringSchedule', {
      Condition: 'HasBaseline',
      Properties: Match.objectLike({
        EndpointName: 'mlops-prod-production',
        MonitoringScheduleConfig: Match.objectLike({ MonitoringType: 'DataQuality', ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' } }),
      }),
    });
  });

  test('cdk-nag finds nothing unacknowledged', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});

describe('EndpointStack (staging)', () => {
  test('no autoscaling, alarms, guardrails or schedule: one instance with data capture', () => {
    const template = Template.fromStack(endpointStack('staging'));
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::SageMaker::MonitoringSchedule', 0);
    template.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'mlops-prod-staging', DeploymentConfig: Match.absent() });
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', { DataCaptureConfig: Match.objectLike({ EnableCapture: true }) });
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('in another account than the system test, it lets that account invoke the endpoint', () => {
    const stack = endpointStack('staging', { deployment: { staging: { account: '222222222222' } } }, '111111111111');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'mlops-prod-system-test-invoker',
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { AWS: 'arn:aws:iam::111111111111:root' } })],
      }),
    });
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});
