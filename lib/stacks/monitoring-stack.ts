import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, MetricFilter, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { DATA_LAYOUT, resourceNames, type StageConfig } from '../config';
import { HandlerFunction } from '../constructs/handler-function';
import { acknowledgeIamWildcards } from '../constructs/nag-acknowledgements';
import { handlerTarget, PatternRule } from '../constructs/pattern-rule';
import { ETL_METRICS_NAMESPACE, ETL_REPORT_EVENT, ETL_REPORT_METRICS } from '../etl/report-metrics';
import { monitoringRules } from '../events/rules';
import { HANDLERS, notifyEnvironment } from '../handlers';
import { EtlDashboard } from './monitoring-dashboard';
import type { EtlStack } from './etl-stack';
import type { TrainingStack } from './training-stack';

/** Properties of the {@link MonitoringStack}. */
export interface MonitoringStackProps extends StackProps {
  /** Prefix of the names people type (the dashboard `<namePrefix>`). */
  readonly namePrefix: string;
  /** The notification email, the log retention, the problem type (for the training metric). */
  readonly config: StageConfig;
  /** The pipelines, their role and the model registry. */
  readonly training: TrainingStack;
  /** The data flow: the ETL job and the handlers. */
  readonly etl: EtlStack;
  /** The artifacts bucket: evaluation reports the approval notification reads. */
  readonly artifactsBucket: IBucket;
  /** The key of the data buckets. */
  readonly dataKey: IKey;
}

/**
 * Monitoring of the environment: EventBridge rules on the pipelines' executions, the training and tuning jobs, the
 * ETL job's failures and late runs and new model versions awaiting approval → `notify` → an encrypted SNS topic
 * (optionally an email subscription) with readable messages; a CloudWatch dashboard (ETL runs and row counts,
 * pipeline executions, training metrics, handler errors, dead-letter queues) whose alarms publish to the same topic.
 */
export class MonitoringStack extends Stack {
  /** Notifications and alarms are published here. */
  public readonly topic: Topic;
  /** The notification handler. */
  public readonly notify: HandlerFunction;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config, training, etl } = props;
    const names = resourceNames(props.namePrefix);

    const key = new Key(this, 'TopicKey', {
      description: `Encrypts the ${props.namePrefix} notification topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch alarms publish to the encrypted topic.
    key.grantEncryptDecrypt(new ServicePrincipal('cloudwatch.amazonaws.com'));
    this.topic = new Topic(this, 'Topic', { displayName: `ML platform ${config.stageName}`, masterKey: key, enforceSSL: true });
    if (config.monitoring.notificationEmail) {
      this.topic.addSubscription(new EmailSubscription(config.monitoring.notificationEmail));
    }

    const idempotencyTable = new Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Records that expire after days: nothing to keep when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const etlJobName = etl.etl.job.jobName;
    this.notify = new HandlerFunction(this, 'Notify', {
      handler: HANDLERS.notify,
      description: 'Turns pipeline, training, ETL and model-approval events into readable notifications',
      environment: notifyEnvironment({
        topicArn: this.topic.topicArn,
        idempotencyTableName: idempotencyTable.tableName,
        trainingPipelineName: training.trainingPipelineName,
        inferencePipelineName: training.inferencePipelineName,
        modelPackageGroupName: training.modelPackageGroupName,
        etlJobName,
        deploymentPipelineName: names.deploymentPipeline,
      }),
      logRetention: config.logRetentionDays as RetentionDays,
      reservedConcurrentExecutions: 2,
    });
    const fn = this.notify.function;
    this.topic.grantPublish(fn);
    idempotencyTable.grantReadWriteData(fn);
    props.artifactsBucket.grantRead(fn, `${DATA_LAYOUT.pipelinesPrefix}*`);
    Grant.addToPrincipal({
      grantee: fn,
      actions: ['sagemaker:DescribeModelPackage'],
      resourceArns: [training.modelPackagesArn],
    });
    const executionsArns = [training.trainingPipelineName, training.inferencePipelineName].map((name) => `${training.pipelineArn(name)}/execution/*`);
    Grant.addToPrincipal({ grantee: fn, actions: ['sagemaker:ListPipelineExecutionSteps'], resourceArns: executionsArns });
    // The deployment pipeline's runs: which stage and action failed, and the model version it deployed.
    Grant.addToPrincipal({
      grantee: fn,
      actions: ['codepipeline:GetPipelineExecution', 'codepipeline:ListActionExecutions'],
      resourceArns: [this.formatArn({ service: 'codepipeline', resource: names.deploymentPipeline })],
    });

    const rules = monitoringRules({
      pipelineArns: [training.pipelineArn(training.trainingPipelineName), training.pipelineArn(training.inferencePipelineName)],
      executionRoleArn: (training.executionRole as IRole).roleArn,
      etlJobName,
      modelPackageGroupName: training.modelPackageGroupName,
      deploymentPipelineName: names.deploymentPipeline,
    });
    for (const rule of rules) {
      if (rule.handler !== HANDLERS.notify) throw new Error(`rule ${rule.id} targets '${rule.handler}'; the monitoring stack deploys notify only`);
      new PatternRule(this, rule.id, { description: rule.description, eventPattern: rule.pattern, target: handlerTarget(fn, this.notify.deadLetterQueue) });
    }

    // The ETL run reports as metrics: the job logs one JSON line per run (see glue-scripts/curate_dataset.py).
    for (const [metricName, field] of Object.entries(ETL_REPORT_METRICS)) {
      new MetricFilter(this, `EtlReport${metricName}`, {
        logGroup: etl.etl.logGroup,
        filterPattern: FilterPattern.stringValue('$.event', '=', ETL_REPORT_EVENT),
        metricNamespace: ETL_METRICS_NAMESPACE,
        metricName,
        metricValue: `$.${field}`,
      });
    }

    new EtlDashboard(this, 'Dashboard', {
      dashboardName: props.namePrefix,
      topic: this.topic,
      config,
      training,
      etl,
      notify: this.notify,
    });

    this.acknowledgeFindings(props, executionsArns);
  }

  private acknowledgeFindings(props: MonitoringStackProps, executionsArns: string[]): void {
    const policy = this.notify.function.role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (!policy) throw new Error('the notify role has no default policy to acknowledge findings on');
    acknowledgeIamWildcards(policy, {
      actions: [
        ...['s3:GetObject*', 's3:GetBucket*', 's3:List*'].map((wildcard) => ({
          wildcard,
          reason: 'Bucket.grantRead on pipelines/ of the artifacts bucket: the approval message reads the evaluation report.',
        })),
        {
          wildcard: 'kms:GenerateDataKey*',
          reason: 'Publishing to the topic encrypted with its own key (Topic.grantPublish); limited to that key.',
        },
      ],
      resources: [
        { wildcard: props.artifactsBucket.arnForObjects(`${DATA_LAYOUT.pipelinesPrefix}*`), reason: 'Evaluation reports are under pipelines/, one folder per execution.' },
        { wildcard: props.training.modelPackagesArn, reason: 'Versions of this environment\'s model package group only; numbers are assigned at registration.' },
        ...executionsArns.map((wildcard) => ({ wildcard, reason: 'Executions of this environment\'s pipelines only; execution ids are generated.' })),
      ],
    });
  }
}
