import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SecureBucket } from '../../../lib/constructs/secure-bucket';
import { createTestApp } from '../../helpers/app';

describe('SecureBucket', () => {
  test('defaults to S3-managed encryption, TLS-only access, versioning and RETAIN', () => {
    const stack = new Stack(createTestApp(), 'S');
    new SecureBucket(stack, 'B');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
      },
    });
    template.resourceCountIs('AWS::S3::BucketPolicy', 1);
  });

  test('rejects autoDeleteObjects without RemovalPolicy.DESTROY', () => {
    const stack = new Stack(createTestApp(), 'S');
    expect(() => new SecureBucket(stack, 'B', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.RETAIN }))
      .toThrow("B: autoDeleteObjects is true but removalPolicy is 'retain': set removalPolicy to RemovalPolicy.DESTROY");
  });

  test('rejects an access-log prefix without a trailing slash', () => {
    const stack = new Stack(createTestApp(), 'S');
    const logs = new SecureBucket(stack, 'Logs');
    expect(() => new SecureBucket(stack, 'B', { serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'b' }))
      .toThrow("B: serverAccessLogsPrefix 'b' must end with '/'");
  });

  test('a custom expiration adds a rule for current versions', () => {
    const stack = new Stack(createTestApp(), 'S');
    new SecureBucket(stack, 'B', { expiration: Duration.days(10) });
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket'))[0].Properties
      .LifecycleConfiguration.Rules;
    expect(rules).toContainEqual({ Id: 'CurrentVersions', Status: 'Enabled', ExpirationInDays: 10 });
  });
});
