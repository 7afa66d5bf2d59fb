import { ArnFormat, CfnCondition, CfnOutput, CfnParameter, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { ScalableTarget, ServiceNamespace, PredefinedMetric } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { AccountPrincipal, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnDataQualityJobDefinition, CfnEndpoint, CfnEndpointConfig, CfnModel, CfnMonitoringSchedule } from 'aws-cdk-lib/aws-sagemaker';
import type { Construct } from 'constructs';
import { NO_BASELINE } from '../../lambda/deploy/variables';
import { namePrefixOf, resourceNames, type StageConfig } from '../config';
import { acknowledgeIamWildcards, type WildcardAcknowledgement } from '../constructs/nag-acknowledgements';
import { SecureBucket } from '../constructs/secure-bucket';
import { customImageRepositoryArns, frameworkImageRepositoryArn, modelMonitorImageUri } from '../image-uris';

/** The two endpoints of the deployment flow. */
export type EndpointVariant = 'staging' | 'production';

/** The template's parameters, which the deployment pipeline sets. */
export const ENDPOINT_PARAMETERS = {
  /** The approved model package version to serve. */
  modelPackageArn: 'ModelPackageArn',
  /** The bucket of the model artifacts (the stage's artifacts bucket), for the model's read permission. */
  modelArtifactsBucketName: 'ModelArtifactsBucketName',
  /** The key of the model artifacts (the stage's data key). */
  modelArtifactsKeyArn: 'ModelArtifactsKeyArn',
  /** Production: the data-quality baseline the training pipeline wrote ("none": no monitoring schedule). */
  baselineConstraintsUri: 'BaselineConstraintsUri',
  baselineStatisticsUri: 'BaselineStatisticsUri',
} as const;

/** The one production variant of each endpoint (a stable name: autoscaling and rollbacks refer to it). */
export const ENDPOINT_VARIANT_NAME = 'AllTraffic';

/** Where an endpoint's captured requests go in its capture bucket. */
export const DATA_CAPTURE_PREFIX = 'datacapture';

/** Where the data-quality job writes its reports in the capture bucket. */
export const DATA_QUALITY_PREFIX = 'monitoring/data-quality';

/** Properties of an {@link EndpointStack}. */
export interface EndpointStackProps extends StackProps {
  readonly config: StageConfig;
  readonly variant: EndpointVariant;
  /**
   * The account the system test runs in (the stage's). When the staging endpoint runs in another account, its stack
   * creates a role that account may assume to invoke the endpoint.
   */
  readonly systemTestAccount?: string;
}

/**
 * One endpoint of the deployment flow, deployed by CloudFormation from the model deployment pipeline with the
 * approved model package as a parameter: the Model from the package, an EndpointConfig with data capture to an
 * encrypted bucket of its own, and the Endpoint. Production adds target-tracking autoscaling (capacity kept across
 * model updates), alarms on 5xx errors and model latency, blue/green canary deployments that roll back on those
 * alarms, and a Model Monitor data-quality schedule against the baseline the training pipeline wrote.
 */
export class EndpointStack extends Stack {
  /** The endpoint's name (fixed per stage and variant). */
  public readonly endpointName: string;
  /** Captured requests and responses, and Model Monitor's reports. */
  public readonly captureBucket: SecureBucket;
  /** The alarms that roll back a production deployment. */
  public readonly rollbackAlarms: Alarm[] = [];
  /** Production: the role the data-quality jobs run as. */
  public monitorRole?: Role;

  constructor(scope: Construct, id: string, props: EndpointStackProps) {
    super(scope, id, props);
    const { config, variant } = props;
    const names = resourceNames(namePrefixOf(config.stageName));
    this.endpointName = variant === 'staging' ? names.stagingEndpoint : names.productionEndpoint;
    const production = variant === 'production';

    const modelPackageArn = new CfnParameter(this, ENDPOINT_PARAMETERS.modelPackageArn, {
      description: 'The approved model package version to serve',
      allowedPattern: '^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\\d{12}:model-package/[a-zA-Z0-9-]+/\\d+$',
    });
    const artifactsBucket = new CfnParameter(this, ENDPOINT_PARAMETERS.modelArtifactsBucketName, {
      description: 'The bucket of the model artifacts (the training stage\'s artifacts bucket)',
    });
    const artifactsKey = new CfnParameter(this, ENDPOINT_PARAMETERS.modelArtifactsKeyArn, {
      description: 'The KMS key of the model artifacts (the training stage\'s data key)',
    });

    const key = new Key(this, 'Key', {
      description: `Encrypts the ${this.endpointName} endpoint's volumes, captured data and monitoring reports`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const logsBucket = new SecureBucket(this, 'AccessLogsBucket', { removalPolicy: RemovalPolicy.RETAIN });
    this.captureBucket = new SecureBucket(this, 'CaptureBucket', {
      encryptionKey: key,
      serverAccessLogsBucket: logsBucket,
      removalPolicy: RemovalPolicy.RETAIN,
      expiration: Duration.days(production ? 365 : 30),
    });

    const role = new Role(this, 'ModelRole', {
      assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Serves the ${this.endpointName} endpoint: pulls the image, reads the model, writes captured data`,
    });
    const modelArtifacts = Fn.join('', ['arn:', this.partition, ':s3:::', artifactsBucket.valueAsString, '/pipelines/*']);
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [modelArtifacts] }));
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Decrypt'], resources: [artifactsKey.valueAsString] }));
    role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      // The managed serving image, and the stage's custom inference image (config `images.inference`) when it names one.
      resources: [frameworkImageRepositoryArn(this, 'xgboost'), ...customImageRepositoryArns(this, [config.images?.inference])],
    }));
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    const endpointLogs = this.formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/sagemaker/Endpoints/${this.endpointName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [endpointLogs, `${endpointLogs}:log-stream:*`],
    }));
    role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    }));
    this.captureBucket.grantPut(role, `${DATA_CAPTURE_PREFIX}/*`);
    key.grantEncrypt(role);
    this.acknowledge(role, [
      { wildcard: '*', reason: 'ecr:GetAuthorizationToken and cloudwatch:PutMetricData (conditioned on SageMaker\'s namespaces) support no resource-level permissions.' },
      { wildcard: modelArtifacts, reason: 'Model artifacts are under pipelines/ of the training stage\'s artifacts bucket, one folder per execution.' },
      { wildcard: `${endpointLogs}:log-stream:*`, reason: 'The endpoint\'s log streams are named by SageMaker per instance, in its own log group.' },
      { wildcard: this.captureBucket.arnForObjects(`${DATA_CAPTURE_PREFIX}/*`), reason: 'Captured data is written under datacapture/, one folder per endpoint, variant and hour.' },
    ]);

    const model = new CfnModel(this, 'Model', {
      executionRoleArn: role.roleArn,
      primaryContainer: { modelPackageName: modelPackageArn.valueAsString },
    });
    // The model is created with the role's permissions in place (the role itself is referenced already).
    model.node.addDependency(role.node.findChild('DefaultPolicy'));
    const { instanceType, instanceCount } = config.instances.endpoint;
    const endpointConfig = new CfnEndpointConfig(this, 'EndpointConfig', {
      kmsKeyId: key.keyArn,
      productionVariants: [
        {
          variantName: ENDPOINT_VARIANT_NAME,
          modelName: model.attrModelName,
          instanceType,
          initialInstanceCount: production ? Math.max(instanceCount, config.autoscaling.minCapacity) : instanceCount,
          initialVariantWeight: 1,
        },
      ],
      dataCaptureConfig: {
        enableCapture: config.deployment.dataCapturePercent > 0,
        initialSamplingPercentage: config.deployment.dataCapturePercent,
        destinationS3Uri: this.captureBucket.s3UrlForObject(DATA_CAPTURE_PREFIX),
        kmsKeyId: key.keyArn,
        captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
        captureContentTypeHeader: { csvContentTypes: ['text/csv'], jsonContentTypes: ['application/json'] },
      },
    });
    const endpoint = new CfnEndpoint(this, 'Endpoint', {
      endpointName: this.endpointName,
      endpointConfigName: endpointConfig.attrEndpointConfigName,
    });

    if (production) {
      this.addProductionControls(config, endpoint, key, artifactsBucket, artifactsKey);
    } else if (props.systemTestAccount !== undefined && props.systemTestAccount !== this.account) {
      // The system test runs in the stage's account: let it invoke this endpoint.
      const invoker = new Role(this, 'SystemTestInvokerRole', {
        roleName: names.systemTestInvoker,
        assumedBy: new AccountPrincipal(props.systemTestAccount),
        description: `The system test in account ${props.systemTestAccount} invokes ${this.endpointName} with this role`,
      });
      invoker.addToPrincipalPolicy(new PolicyStatement({ actions: ['sagemaker:InvokeEndpoint'], resources: [endpoint.ref] }));
    }

    new CfnOutput(this, 'EndpointName', { value: endpoint.attrEndpointName });
    new CfnOutput(this, 'CaptureUri', { value: this.captureBucket.s3UrlForObject(DATA_CAPTURE_PREFIX) });
  }

  /** Autoscaling, rollback alarms, blue/green canary deployments and the data-quality schedule. */
  private addProductionControls(config: StageConfig, endpoint: CfnEndpoint, key: Key, artifactsBucket: CfnParameter, artifactsKey: CfnParameter): void {
    const { autoscaling, deployment } = config;
    const dimensions = { EndpointName: this.endpointName, VariantName: ENDPOINT_VARIANT_NAME };
    const latency = new Alarm(this, 'ModelLatencyAlarm', {
      alarmDescription: `${this.endpointName}: p99 model latency above ${deployment.alarms.maxModelLatencyMs} ms (rolls a deployment back)`,
      // ModelLatency is in microseconds.
      metric: new Metric({ namespace: 'AWS/SageMaker', metricName: 'ModelLatency', dimensionsMap: dimensions, statistic: 'p99', period: Duration.minutes(1) }),
      threshold: deployment.alarms.maxModelLatencyMs * 1000,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const errors = new Alarm(this, 'Invocation5xxAlarm', {
      alarmDescription: `${this.endpointName}: more than ${deployment.alarms.maxInvocation5xxErrors} 5xx errors a minute (rolls a deployment back)`,
      metric: new Metric({ namespace: 'AWS/SageMaker', metricName: 'Invocation5XXErrors', dimensionsMap: dimensions, statistic: 'Sum', period: Duration.minutes(1) }),
      threshold: deployment.alarms.maxInvocation5xxErrors,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.rollbackAlarms.push(latency, errors);

    // An update keeps the autoscaled capacity, and shifts traffic blue/green: a canary first, rolled back on an alarm.
    endpoint.retainAllVariantProperties = true;
    const waitSeconds = deployment.canary.waitMinutes * 60;
    endpoint.deploymentConfig = {
      blueGreenUpdatePolicy: {
        trafficRoutingConfiguration: {
          type: 'CANARY',
          canarySize: { type: 'CAPACITY_PERCENT', value: deployment.canary.trafficPercent },
          waitIntervalInSeconds: waitSeconds,
        },
        terminationWaitInSeconds: 300,
        maximumExecutionTimeoutInSeconds: waitSeconds + 3600,
      },
      autoRollbackConfiguration: { alarms: this.rollbackAlarms.map((alarm) => ({ alarmName: alarm.alarmName })) },
    };

    const target = new ScalableTarget(this, 'ScalableTarget', {
      serviceNamespace: ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${this.endpointName}/variant/${ENDPOINT_VARIANT_NAME}`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: autoscaling.minCapacity,
      maxCapacity: autoscaling.maxCapacity,
    });
    target.node.addDependency(endpoint);
    target.scaleToTrackMetric('InvocationsPerInstance', {
      predefinedMetric: PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      targetValue: autoscaling.targetInvocationsPerInstance,
      scaleInCooldown: Duration.seconds(autoscaling.scaleInCooldownSeconds),
      scaleOutCooldown: Duration.seconds(autoscaling.scaleOutCooldownSeconds),
    });

    this.addDataQualitySchedule(config, endpoint, key, artifactsBucket, artifactsKey);
  }

  /** Model Monitor's data-quality job on the captured data, hourly (config), against the training baseline. */
  private addDataQualitySchedule(config: StageConfig, endpoint: CfnEndpoint, key: Key, artifactsBucket: CfnParameter, artifactsKey: CfnParameter): void {
    const constraints = new CfnParameter(this, ENDPOINT_PARAMETERS.baselineConstraintsUri, {
      default: NO_BASELINE,
      description: `constraints.json of the model's data-quality baseline ("${NO_BASELINE}": no monitoring schedule)`,
    });
    const statistics = new CfnParameter(this, ENDPOINT_PARAMETERS.baselineStatisticsUri, {
      default: NO_BASELINE,
      description: `statistics.json of the model's data-quality baseline ("${NO_BASELINE}": no monitoring schedule)`,
    });
    const hasBaseline = new CfnCondition(this, 'HasBaseline', {
      expression: Fn.conditionNot(Fn.conditionOr(
        Fn.conditionEquals(constraints.valueAsString, NO_BASELINE),
        Fn.conditionEquals(statistics.valueAsString, NO_BASELINE),
      )),
    });

    const monitorRole = new Role(this, 'MonitorRole', {
      assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Runs the data-quality jobs of ${this.endpointName}: reads captured data and the baseline, writes reports`,
    });
    this.monitorRole = monitorRole;
    this.captureBucket.grantRead(monitorRole, `${DATA_CAPTURE_PREFIX}/*`);
    this.captureBucket.grantReadWrite(monitorRole, `${DATA_QUALITY_PREFIX}/*`);
    key.grantEncryptDecrypt(monitorRole);
    const baselines = Fn.join('', ['arn:', this.partition, ':s3:::', artifactsBucket.valueAsString, '/pipelines/*']);
    monitorRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [baselines] }));
    monitorRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Decrypt'], resources: [artifactsKey.valueAsString] }));
    const monitorLogs = this.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/ProcessingJobs', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    monitorRole.addToPrincipalPolicy(new PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [monitorLogs, `${monitorLogs}:log-stream:*`],
    }));
    monitorRole.addToPrincipalPolicy(new PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': ['aws/sagemaker/Endpoints/data-metrics', '/aws/sagemaker/*'] } },
    }));
    this.acknowledge(monitorRole, [
      { wildcard: '*', reason: 'cloudwatch:PutMetricData supports no resource-level permissions; conditioned on Model Monitor\'s namespaces.' },
      { wildcard: baselines, reason: 'Baselines are under pipelines/ of the training stage\'s artifacts bucket, one folder per execution.' },
      { wildcard: `${monitorLogs}:log-stream:*`, reason: 'Processing jobs\' log streams are named by SageMaker per job.' },
      { wildcard: this.captureBucket.arnForObjects(`${DATA_CAPTURE_PREFIX}/*`), reason: 'The job reads the captured data under datacapture/, one folder per hour.' },
      { wildcard: this.captureBucket.arnForObjects(`${DATA_QUALITY_PREFIX}/*`), reason: 'The job writes its reports under monitoring/data-quality/, one folder per run.' },
    ]);

    const jobDefinition = new CfnDataQualityJobDefinition(this, 'DataQualityJobDefinition', {
      roleArn: monitorRole.roleArn,
      dataQualityAppSpecification: { imageUri: modelMonitorImageUri(this.region) },
      dataQualityBaselineConfig: {
        constraintsResource: { s3Uri: constraints.valueAsString },
        statisticsResource: { s3Uri: statistics.valueAsString },
      },
      dataQualityJobInput: { endpointInput: { endpointName: this.endpointName, localPath: '/opt/ml/processing/input/endpoint' } },
      dataQualityJobOutputConfig: {
        kmsKeyId: key.keyArn,
        monitoringOutputs: [
          {
            s3Output: {
              s3Uri: this.captureBucket.s3UrlForObject(DATA_QUALITY_PREFIX),
              localPath: '/opt/ml/processing/output',
              s3UploadMode: 'EndOfJob',
            },
          },
        ],
      },
      jobResources: { clusterConfig: { instanceCount: 1, instanceType: 'ml.m5.large', volumeSizeInGb: 20, volumeKmsKeyId: key.keyArn } },
      stoppingCondition: { maxRuntimeInSeconds: 1800 },
    });
    jobDefinition.cfnOptions.condition = hasBaseline;
    jobDefinition.node.addDependency(endpoint, monitorRole.node.findChild('DefaultPolicy'));
    const schedule = new CfnMonitoringSchedule(this, 'DataQualitySchedule', {
      monitoringScheduleName: `${this.endpointName}-data-quality`,
      endpointName: this.endpointName,
      monitoringScheduleConfig: {
        // Unnamed, so that a new baseline replaces the definition: its name is the last part of its ARN.
        monitoringJobDefinitionName: Fn.select(1, Fn.split('/', jobDefinition.attrJobDefinitionArn)),
        monitoringType: 'DataQuality',
        scheduleConfig: { scheduleExpression: config.deployment.dataQualitySchedule },
      },
    });
    schedule.cfnOptions.condition = hasBaseline;
  }

  /** cdk-nag's IAM5 findings of a role's policy: the bucket grants' and KMS grants' wildcards, and `extra`. */
  private acknowledge(role: Role, extra: WildcardAcknowledgement[]): void {
    const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (!policy) throw new Error(`${role.node.path} has no default policy to acknowledge findings on`);
    acknowledgeIamWildcards(policy, {
      actions: [
        ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*', 's3:PutObject*'].map((wildcard) => ({
          wildcard,
          reason: 'Bucket grants on the capture bucket\'s prefixes: captured data and monitoring reports.',
        })),
        ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((wildcard) => ({ wildcard, reason: 'Encrypting captured data and reports with the endpoint\'s own key.' })),
      ],
      resources: extra,
    });
  }
}
