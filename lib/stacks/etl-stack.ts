import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { datasetContractDocument, resourceNames, type StageConfig } from '../config';
import { EtlJob } from '../constructs/etl-job';
import { HandlerFunction } from '../constructs/handler-function';
import { acknowledgeIamWildcards } from '../constructs/nag-acknowledgements';
import { handlerTarget, PatternRule } from '../constructs/pattern-rule';
import { dataFlowRules } from '../events/rules';
import { HANDLERS, startEtlEnvironment, startTrainingEnvironment, type HandlerName } from '../handlers';

/** Properties of the {@link EtlStack}. */
export interface EtlStackProps extends StackProps {
  /** Prefix of the names people type (the job `<namePrefix>-etl`, the database `<namePrefix>` with `_`). */
  readonly namePrefix: string;
  /** The dataset contract, the ETL job's size and limits, the log retention. */
  readonly config: StageConfig;
  /** Uploads under `raw/` start the flow. */
  readonly rawBucket: IBucket;
  /** Curated data and rows set aside. */
  readonly processedBucket: IBucket;
  /** The key of the data buckets. */
  readonly dataKey: IKey;
  /** The training pipeline that successful runs start. */
  readonly trainingPipelineName: string;
  /** Lets a function start that pipeline (the training stack's grant). */
  readonly grantStartTrainingPipeline: (grantee: IGrantable) => Grant;
}

/**
 * The data flow: an upload under `raw/` → EventBridge → `start-etl` → the Glue ETL job → its success → EventBridge
 * → `start-training` → the training pipeline with the run's curated data. Both handlers are idempotent (a DynamoDB
 * table of their records) and send what they fail on to dead-letter queues.
 */
export class EtlStack extends Stack {
  /** The ETL job, its role, database and table. */
  public readonly etl: EtlJob;
  /** The upload handler. */
  public readonly startEtl: HandlerFunction;
  /** The training trigger. */
  public readonly startTraining: HandlerFunction;
  /** Idempotency records of both handlers. */
  public readonly idempotencyTable: Table;

  constructor(scope: Construct, id: string, props: EtlStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = config.logRetentionDays as RetentionDays;
    const names = resourceNames(props.namePrefix);

    this.etl = new EtlJob(this, 'Etl', {
      jobName: names.etlJob,
      rawBucket: props.rawBucket,
      processedBucket: props.processedBucket,
      dataKey: props.dataKey,
      databaseName: names.etlDatabase,
      contract: datasetContractDocument(config),
      etl: config.etl,
      logRetention,
    });
    const jobName = this.etl.job.jobName;

    this.idempotencyTable = new Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Records that expire after days: nothing to keep when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.startEtl = new HandlerFunction(this, 'StartEtl', {
      handler: HANDLERS.startEtl,
      description: 'Starts the ETL job for a dataset uploaded under raw/ (once per object version)',
      environment: startEtlEnvironment(
        {
          rawBucketName: props.rawBucket.bucketName,
          processedBucketName: props.processedBucket.bucketName,
          etlJobName: jobName,
          idempotencyTableName: this.idempotencyTable.tableName,
        },
        config.etl,
      ),
      logRetention,
    });
    Grant.addToPrincipal({ grantee: this.startEtl.function, actions: ['glue:StartJobRun'], resourceArns: [this.etl.job.jobArn] });
    this.idempotencyTable.grantReadWriteData(this.startEtl.function);

    this.startTraining = new HandlerFunction(this, 'StartTraining', {
      handler: HANDLERS.startTraining,
      description: 'Starts the training pipeline with the curated data of a successful ETL run (once per run)',
      environment: startTrainingEnvironment({
        etlJobName: jobName,
        processedBucketName: props.processedBucket.bucketName,
        trainingPipelineName: props.trainingPipelineName,
        idempotencyTableName: this.idempotencyTable.tableName,
      }),
      logRetention,
      reservedConcurrentExecutions: 2,
    });
    Grant.addToPrincipal({ grantee: this.startTraining.function, actions: ['glue:GetJobRun'], resourceArns: [this.etl.job.jobArn] });
    props.grantStartTrainingPipeline(this.startTraining.function);
    this.idempotencyTable.grantReadWriteData(this.startTraining.function);

    const targets: Partial<Record<HandlerName, HandlerFunction>> = {
      [HANDLERS.startEtl]: this.startEtl,
      [HANDLERS.startTraining]: this.startTraining,
    };
    for (const rule of dataFlowRules({ rawBucketName: props.rawBucket.bucketName, etlJobName: jobName })) {
      const target = targets[rule.handler];
      if (!target) throw new Error(`rule ${rule.id} targets handler '${rule.handler}', which the ETL stack does not deploy`);
      new PatternRule(this, rule.id, {
        description: rule.description,
        eventPattern: rule.pattern,
        target: handlerTarget(target.function, target.deadLetterQueue),
      });
    }

    this.acknowledgeFindings(props);
  }

  /** cdk-nag findings of the job role, each with its reason and narrowest id. */
  private acknowledgeFindings(props: EtlStackProps): void {
    const policy = this.etl.role.node.findChild('DefaultPolicy').node.defaultChild;
    if (!policy) throw new Error(`${this.etl.role.node.path} has no default policy to acknowledge findings on`);
    const prefixReason = (prefix: string) => `Objects under ${prefix} only: a run reads or writes keys it names per run.`;
    acknowledgeIamWildcards(policy, {
      actions: [
        ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((wildcard) => ({
          wildcard,
          reason: 'Bucket.grantRead / grantReadWrite on the data prefixes: Spark lists, reads, writes and cleans up its part files.',
        })),
        ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((wildcard) => ({
          wildcard,
          reason: 'Encrypting the run output with the data key and the logs with the ETL key; limited to those keys.',
        })),
      ],
      resources: [
        { wildcard: props.rawBucket.arnForObjects('raw/*'), reason: prefixReason('raw/') },
        { wildcard: props.processedBucket.arnForObjects('curated/*'), reason: prefixReason('curated/') },
        { wildcard: props.processedBucket.arnForObjects('quarantine/*'), reason: prefixReason('quarantine/') },
        { wildcard: this.etl.logGroupsArn, reason: 'Glue writes a job\'s logs to the /aws-glue/ log groups it creates on first use.' },
        { wildcard: `${this.etl.logGroupsArn}:log-stream:*`, reason: 'Log streams are named after each job run, in those log groups only.' },
        { wildcard: '*', reason: 'cloudwatch:PutMetricData supports no resource-level permissions; conditioned on the Glue namespace.' },
        { wildcard: this.etl.codeObjectsArn, reason: 'The job reads its script and package from the CDK assets bucket, whose keys are content hashes.' },
      ],
    });
    const startTrainingPolicy = this.startTraining.function.role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (!startTrainingPolicy) throw new Error('the start-training role has no default policy to acknowledge findings on');
    acknowledgeIamWildcards(startTrainingPolicy, {
      resources: [
        {
          wildcard: `arn:${this.partition}:sagemaker:${this.region}:${this.account}:pipeline/${props.trainingPipelineName}/execution/*`,
          reason: 'Following the executions it starts: execution ids are generated by SageMaker; limited to the training pipeline.',
        },
      ],
    });
  }
}
