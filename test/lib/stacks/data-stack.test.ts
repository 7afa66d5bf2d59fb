import { Match, Template } from 'aws-cdk-lib/assertions';
import { DataStack } from '../../../lib/stacks/data-stack';
import { createTestApp } from '../../helpers/app';

function synthDataStack(destroyOnDelete?: boolean): Template {
  const app = createTestApp();
  const stack = new DataStack(app, 'Data', {
    namePrefix: 'mlops-test',
    destroyOnDelete,
    env: { account: '111111111111', region: 'us-east-1' },
  });
  return Template.fromStack(stack);
}

const DATA_BUCKETS = ['RawDataBucket57F26C03', 'ProcessedDataBucket4E25D3B7', 'ArtifactsBucket2AAC5544'];
const LOGS_BUCKET = 'AccessLogsBucket83982689';
const DATA_KEY = 'DataKey17AFBB84';

describe('DataStack', () => {
  const template = synthDataStack();
  const buckets = template.findResources('AWS::S3::Bucket');

  test('stateful resources keep their logical IDs (a change would replace them and lose data)', () => {
    expect(Object.keys(buckets).sort()).toEqual([...DATA_BUCKETS, LOGS_BUCKET].sort());
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toEqual([DATA_KEY]);
  });

  test('the data key rotates and has an alias', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/mlops-test/data',
      TargetKeyId: { 'Fn::GetAtt': [DATA_KEY, 'Arn'] },
    });
  });

  test.each(DATA_BUCKETS)('%s is encrypted with the data key and logs to the access-log bucket', (id) => {
    expect(buckets[id].Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [DATA_KEY, 'Arn'] } },
      }],
    });
    expect(buckets[id].Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: LOGS_BUCKET },
      LogFilePrefix: expect.stringMatching(/\/$/),
    });
  });

  test('the access-log bucket uses S3-managed encryption, as server access logging requires', () => {
    expect(buckets[LOGS_BUCKET].Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(buckets[LOGS_BUCKET].Properties.LoggingConfiguration).toBeUndefined();
  });

  test('S3 log delivery may write to the access-log bucket only for this account', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: LOGS_BUCKET },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '111111111111' } }),
        })]),
      },
    });
  });

  test.each([...DATA_BUCKETS, LOGS_BUCKET])('%s blocks public access, disables ACLs and is versioned', (id) => {
    const props = buckets[id].Properties;
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(props.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  test.each([...DATA_BUCKETS, LOGS_BUCKET])('%s denies requests without TLS 1.2+', (id) => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      },
    });
  });

  test.each([...DATA_BUCKETS, LOGS_BUCKET])('%s expires noncurrent versions and aborts incomplete uploads', (id) => {
    const rules = buckets[id].Properties.LifecycleConfiguration.Rules;
    expect(rules).toEqual(expect.arrayContaining([
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' }),
      expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: expect.any(Number) }, Status: 'Enabled' }),
    ]));
  });

  test.each(DATA_BUCKETS)('%s moves data to Intelligent-Tiering after 30 days', (id) => {
    expect(buckets[id].Properties.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({
      Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }],
    }));
  });

  test('access logs move to colder storage and expire after a year', () => {
    expect(buckets[LOGS_BUCKET].Properties.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({
      ExpirationInDays: 365,
      Transitions: [
        { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
        { StorageClass: 'GLACIER', TransitionInDays: 90 },
      ],
    }));
  });

  test('only the raw bucket sends object events to EventBridge, without a custom resource', () => {
    const withEvents = Object.entries(buckets)
      .filter(([, b]) => b.Properties.NotificationConfiguration?.EventBridgeConfiguration?.EventBridgeEnabled === true)
      .map(([id]) => id);
    expect(withEvents).toEqual(['RawDataBucket57F26C03']);
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('retains the key and every bucket by default', () => {
    for (const resource of [...Object.values(buckets), ...Object.values(template.findResources('AWS::KMS::Key'))]) {
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('destroyOnDelete deletes the key and the buckets with their objects', () => {
    const destroy = synthDataStack(true);
    const destroyBuckets = destroy.findResources('AWS::S3::Bucket');
    expect(Object.keys(destroyBuckets).sort()).toEqual([...DATA_BUCKETS, LOGS_BUCKET].sort());
    for (const resource of Object.values(destroyBuckets)) {
      expect(resource.DeletionPolicy).toBe('Delete');
    }
    destroy.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ PendingWindowInDays: 7 }) });
    destroy.resourceCountIs('Custom::S3AutoDeleteObjects', 4);
  });

  test('exports the key and buckets under stable names for the other stacks', () => {
    const expected: Record<string, unknown> = {
      DataKeyArn: { 'Fn::GetAtt': [DATA_KEY, 'Arn'] },
      RawDataBucketName: { Ref: 'RawDataBucket57F26C03' },
      RawDataBucketArn: { 'Fn::GetAtt': ['RawDataBucket57F26C03', 'Arn'] },
      ProcessedDataBucketName: { Ref: 'ProcessedDataBucket4E25D3B7' },
      ProcessedDataBucketArn: { 'Fn::GetAtt': ['ProcessedDataBucket4E25D3B7', 'Arn'] },
      ArtifactsBucketName: { Ref: 'ArtifactsBucket2AAC5544' },
      ArtifactsBucketArn: { 'Fn::GetAtt': ['ArtifactsBucket2AAC5544', 'Arn'] },
    };
    for (const [name, value] of Object.entries(expected)) {
      template.hasOutput(name, { Value: value, Export: { Name: `mlops-test:${name}` } });
    }
  });

  test('shared references import those exports', () => {
    const app = createTestApp();
    const data = new DataStack(app, 'Data', { namePrefix: 'mlops-x', env: { account: '111111111111', region: 'us-east-1' } });
    expect(data.resolve(data.shared.rawBucket.bucketName)).toEqual({ 'Fn::ImportValue': 'mlops-x:RawDataBucketName' });
    expect(data.resolve(data.shared.artifactsBucket.bucketArn)).toEqual({ 'Fn::ImportValue': 'mlops-x:ArtifactsBucketArn' });
    expect(data.resolve(data.shared.dataKey.keyArn)).toEqual({ 'Fn::ImportValue': 'mlops-x:DataKeyArn' });
    expect(data.shared.processedBucket.encryptionKey).toBe(data.shared.dataKey);
  });
});
