import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Bucket, type IBucket, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { resourceNames } from '../config/resource-names';
import { SecureBucket } from '../constructs/secure-bucket';

/** Properties of the {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** Prefix of the names people type (the KMS key alias becomes `alias/<namePrefix>/data`). */
  readonly namePrefix: string;

  /**
   * Delete the buckets, their objects and the data key when the stack is deleted. For throwaway dev
   * environments only: otherwise all data is retained.
   * @default false
   */
  readonly destroyOnDelete?: boolean;

  /**
   * How long S3 server access logs are kept.
   * @default Duration.days(365)
   */
  readonly accessLogsRetention?: Duration;
}

/** The data key and buckets, as other stacks use them. */
export interface DataResources {
  /** Customer-managed key of the data buckets. */
  readonly dataKey: IKey;
  /** Datasets as uploaded (`raw/`) and batch inputs (`batch/`). */
  readonly rawBucket: IBucket;
  /** Curated data (`curated/`) and quarantined rows (`quarantine/`). */
  readonly processedBucket: IBucket;
  /** Pipeline outputs (`pipelines/`) and predictions (`predictions/`). */
  readonly artifactsBucket: IBucket;
}

/**
 * The platform's stateful storage: a KMS key and the raw, processed and artifacts buckets (encrypted with it),
 * plus the bucket that receives their S3 server access logs. Kept in its own stack so that stateless stacks can
 * be replaced freely; logical IDs of these resources must never change (a test pins them).
 */
export class DataStack extends Stack implements DataResources {
  /** Customer-managed key of the data buckets (rotation on). */
  public readonly dataKey: IKey;
  /** Datasets as uploaded (`raw/`) and batch inputs (`batch/`); object events go to EventBridge. */
  public readonly rawBucket: IBucket;
  /** Curated data from the ETL job (`curated/`) and its rejected rows (`quarantine/`). */
  public readonly processedBucket: IBucket;
  /** Pipeline outputs: splits, models, evaluation reports, predictions. */
  public readonly artifactsBucket: IBucket;
  /** Target of the S3 server access logs of the other buckets (SSE-S3, as S3 log delivery requires). */
  public readonly accessLogsBucket: IBucket;

  /**
   * The key and buckets for use in OTHER stacks of the same environment, referenced through named
   * CloudFormation exports (`<namePrefix>:RawDataBucketArn`, ...). Use these rather than the constructs above in
   * other stacks: the references are stable and readable, so IAM findings can be acknowledged by their exact id
   * (e.g. `AwsSolutions-IAM5[Resource::mlops-dev:RawDataBucketArn/raw/*]`), and the exports stop anyone from
   * deleting data that other stacks still use. The consuming stack must `addStackDependency()` on this one.
   */
  public readonly shared: DataResources;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);

    const destroy = props.destroyOnDelete ?? false;
    const removalPolicy = destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    const dataKey = new Key(this, 'DataKey', {
      description: `Encrypts the ${props.namePrefix} data, model and pipeline artifact buckets`,
      alias: `alias/${props.namePrefix}/data`,
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: destroy ? Duration.days(7) : undefined,
    });

    const accessLogsBucket = new SecureBucket(this, 'AccessLogsBucket', {
      removalPolicy,
      autoDeleteObjects: destroy,
      noncurrentVersionExpiration: Duration.days(30),
      transitions: [
        { storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
        { storageClass: StorageClass.GLACIER, transitionAfter: Duration.days(90) },
      ],
      expiration: props.accessLogsRetention ?? Duration.days(365),
    });

    const dataBucket = (bucketId: string, logsPrefix: string, eventBridgeEnabled = false): SecureBucket =>
      new SecureBucket(this, bucketId, {
        encryptionKey: dataKey,
        serverAccessLogsBucket: accessLogsBucket,
        serverAccessLogsPrefix: logsPrefix,
        removalPolicy,
        autoDeleteObjects: destroy,
        eventBridgeEnabled,
        transitions: [{ storageClass: StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(30) }],
      });

    this.dataKey = dataKey;
    this.accessLogsBucket = accessLogsBucket;
    this.rawBucket = dataBucket('RawDataBucket', 'raw-data/', true);
    this.processedBucket = dataBucket('ProcessedDataBucket', 'processed-data/');
    this.artifactsBucket = dataBucket('ArtifactsBucket', 'artifacts/');

    // Outputs (also the exports behind `shared`): bucket names and ARNs, the key ARN.
    this.shared = this.exportResources(props.namePrefix);
  }

  private exportResources(namePrefix: string): DataResources {
    const exported = (id: string, value: string, description: string): string => {
      const exportName = resourceNames(namePrefix).exportName(id);
      new CfnOutput(this, id, { value, exportName, description });
      return Fn.importValue(exportName);
    };
    // Imported views live in their own scope of this stack; they create no resources, only Fn::ImportValue tokens.
    const scope = new Construct(this, 'Shared');
    const dataKey = Key.fromKeyArn(scope, 'DataKey', exported('DataKeyArn', this.dataKey.keyArn, 'KMS key of the data buckets'));
    const bucket = (id: string, source: IBucket, description: string): IBucket => Bucket.fromBucketAttributes(scope, id, {
      bucketArn: exported(`${id}Arn`, source.bucketArn, `ARN of the ${description}`),
      bucketName: exported(`${id}Name`, source.bucketName, `Name of the ${description}`),
      encryptionKey: dataKey,
    });
    return {
      dataKey,
      rawBucket: bucket('RawDataBucket', this.rawBucket, 'raw data bucket (upload datasets under raw/)'),
      processedBucket: bucket('ProcessedDataBucket', this.processedBucket, 'processed data bucket (curated/)'),
      artifactsBucket: bucket('ArtifactsBucket', this.artifactsBucket, 'artifacts bucket (pipelines/, predictions/)'),
    };
  }
}
