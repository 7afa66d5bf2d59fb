import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  type IBucket,
  ObjectOwnership,
  type Transition,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** Properties of a {@link SecureBucket}. */
export interface SecureBucketProps {
  /**
   * Customer-managed KMS key for server-side encryption (with an S3 Bucket Key to cut KMS calls).
   * @default - S3-managed encryption (SSE-S3), which a server access log target bucket requires
   */
  readonly encryptionKey?: IKey;

  /**
   * Bucket that receives this bucket's S3 server access logs.
   * @default - no server access logs: only for the bucket that is itself the access log target
   */
  readonly serverAccessLogsBucket?: IBucket;

  /**
   * Key prefix of this bucket's access logs in `serverAccessLogsBucket`.
   * @default - no prefix
   */
  readonly serverAccessLogsPrefix?: string;

  /**
   * What happens to the bucket when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Empty the bucket before deleting it (requires `removalPolicy: DESTROY`; adds a custom resource).
   * @default false
   */
  readonly autoDeleteObjects?: boolean;

  /**
   * Send every object event of this bucket to Amazon EventBridge (set natively on the bucket, no custom resource).
   * @default false
   */
  readonly eventBridgeEnabled?: boolean;

  /**
   * How long a noncurrent (overwritten or deleted) object version is kept.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * Storage class transitions of current object versions.
   * @default - none
   */
  readonly transitions?: Transition[];

  /**
   * Delete current object versions after this long.
   * @default - never
   */
  readonly expiration?: Duration;
}

/**
 * An S3 bucket with the platform's security baseline, which callers cannot turn off: all public access
 * blocked, ACLs disabled, TLS 1.2+ only, versioning, encryption, server access logs (except on the log target
 * itself), and lifecycle rules that expire noncurrent versions and abort incomplete multipart uploads.
 */
export class SecureBucket extends Bucket {
  /** Incomplete multipart uploads are aborted after this many days. */
  public static readonly ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS = 7;

  constructor(scope: Construct, id: string, props: SecureBucketProps = {}) {
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.autoDeleteObjects && removalPolicy !== RemovalPolicy.DESTROY) {
      throw new Error(
        `${id}: autoDeleteObjects is true but removalPolicy is '${removalPolicy}': `
          + 'set removalPolicy to RemovalPolicy.DESTROY or drop autoDeleteObjects',
      );
    }
    const logsPrefix = props.serverAccessLogsPrefix;
    if (logsPrefix !== undefined && !Token.isUnresolved(logsPrefix) && !logsPrefix.endsWith('/')) {
      throw new Error(`${id}: serverAccessLogsPrefix '${logsPrefix}' must end with '/' so each bucket's logs get their own folder`);
    }
    const noncurrentVersionExpiration = props.noncurrentVersionExpiration ?? Duration.days(90);
    super(scope, id, {
      encryption: props.encryptionKey ? BucketEncryption.KMS : BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey ? true : undefined,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsPrefix,
      removalPolicy,
      autoDeleteObjects: props.autoDeleteObjects,
      lifecycleRules: [
        {
          id: 'AbortIncompleteMultipartUploads',
          abortIncompleteMultipartUploadAfter: Duration.days(SecureBucket.ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS),
        },
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration,
          expiredObjectDeleteMarker: true,
        },
        ...(props.transitions?.length || props.expiration
          ? [{ id: 'CurrentVersions', transitions: props.transitions, expiration: props.expiration }]
          : []),
      ],
    });

    if (props.eventBridgeEnabled) {
      // Bucket's own eventBridgeEnabled deploys a Lambda-backed custom resource to call PutBucketNotification;
      // for a bucket defined in this stack, CloudFormation can set the configuration itself.
      const cfnBucket = this.node.defaultChild as CfnBucket;
      cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    }
  }
}
