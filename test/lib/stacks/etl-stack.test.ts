import { Match, Template } from 'aws-cdk-lib/assertions';
import { datasetContractDocument, loadStageConfig, type StageConfigOverrides } from '../../../lib/config';
import { MlPlatformStage } from '../../../lib/stages/ml-platform-stage';
import { START_ETL_ENVIRONMENT } from '../../../lambda/start-etl/environment';
import { START_TRAINING_ENVIRONMENT } from '../../../lambda/start-training/environment';
import { createTestApp } from '../../helpers/app';

function etlTemplate(overrides: StageConfigOverrides = {}) {
  const app = createTestApp();
  const stage = new MlPlatformStage(app, 'dev', { config: loadStageConfig('dev', overrides) });
  return Template.fromStack(stage.etl);
}

describe('EtlStack', () => {
  const template = etlTemplate();

  test('the Glue 5.0 job runs the curation script with its package, the stage contract and the catalog table', () => {
    template.hasResourceProperties('AWS::Glue::Job', {
      Name: 'mlops-dev-etl',
      GlueVersion: '5.0',
      Command: { Name: 'glueetl', PythonVersion: '3', ScriptLocation: Match.stringLikeRegexp('^s3://cdk-[a-z0-9]+-assets-111111111111-us-east-1/[0-9a-f]{64}\\.py$') },
      WorkerType: 'G.1X',
      NumberOfWorkers: 2,
      Timeout: 30,
      NotificationProperty: { NotifyDelayAfter: 15 },
      ExecutionProperty: { MaxConcurrentRuns: 2 },
      JobRunQueuingEnabled: true,
      SecurityConfiguration: Match.anyValue(),
      DefaultArguments: Match.objectLike({
        '--contract': JSON.stringify(datasetContractDocument(loadStageConfig('dev'))),
        '--catalog_database': 'mlops_dev',
        '--catalog_table': 'curated',
        '--extra-py-files': Match.stringLikeRegexp('\\.zip$'),
        '--enable-continuous-cloudwatch-log': 'true',
      }),
    });
  });

  test('a security configuration encrypts the logs, bookmarks and output with KMS', () => {
    template.hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      EncryptionConfiguration: {
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS' },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS' },
        S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS' }],
      },
    });
  });

  test('the database and the table over curated/<run id>/data/, one projected partition per run', () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'mlops_dev' } });
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'curated',
        PartitionKeys: [Match.objectLike({ Name: 'run_id', Type: 'string' })],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.run_id.type': 'injected',
          'skip.header.line.count': '1',
          'storage.location.template': { 'Fn::Join': ['', ['s3://', { 'Fn::ImportValue': 'mlops-dev:ProcessedDataBucketName' }, '/curated/${run_id}/data/']] },
        }),
        StorageDescriptor: Match.objectLike({
          Columns: [{ Name: 'target', Type: 'double', Comment: 'the label' }],
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe', Parameters: { 'field.delim': ',' } },
        }),
      }),
    });
  });

  test('the table parameters are all strings, as the Glue API requires', () => {
    const [table] = Object.values(template.findResources('AWS::Glue::Table'));
    for (const [name, value] of Object.entries(table.Properties.TableInput.Parameters as Record<string, unknown>)) {
      expect([name, typeof value === 'string' || (typeof value === 'object' && value !== null && 'Fn::Join' in value)]).toEqual([name, true]);
    }
  });

  test('start-etl and start-training: Node.js 24 on arm64, their environment, a dead-letter queue', () => {
    const fns = template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x', Architectures: ['arm64'] } });
    const environments = Object.values(fns).map((f) => Object.keys(f.Properties.Environment.Variables).sort());
    expect(environments).toHaveLength(2);
    expect(environments).toContainEqual(expect.arrayContaining([
      START_ETL_ENVIRONMENT.rawBucketName,
      START_ETL_ENVIRONMENT.processedBucketName,
      START_ETL_ENVIRONMENT.etlJobName,
      START_ETL_ENVIRONMENT.idempotencyTableName,
      START_ETL_ENVIRONMENT.allowedSuffixes,
      START_ETL_ENVIRONMENT.maxObjectBytes,
    ]));
    expect(environments).toContainEqual(expect.arrayContaining(Object.values(START_TRAINING_ENVIRONMENT).filter((v) => v !== START_TRAINING_ENVIRONMENT.idempotencyExpirySeconds)));
    // Asynchronous failures go to the dead-letter queues, after two retries within six hours.
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  test('the rules route uploads under raw/ to start-etl and successful runs to start-training', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules.map((r) => r.Properties.EventPattern['detail-type'])).toEqual([['Object Created'], ['Glue Job State Change']]);
    expect(rules[0].Properties.EventPattern.detail.object).toEqual({ key: [{ prefix: 'raw/' }] });
    expect(rules[1].Properties.EventPattern.detail.state).toEqual(['SUCCEEDED']);
    for (const rule of rules) {
      expect(rule.Properties.Targets[0]).toMatchObject({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'] } }, RetryPolicy: { MaximumRetryAttempts: 8 } });
    }
  });

  test('the idempotency table: key id, expiry attribute, on demand, point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  test('the job role may start nothing else: the handlers start and read only their job', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const glueActions = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('glue:')));
    expect(glueActions.map((s) => [s.Action].flat().sort().join(','))).toEqual(
      expect.arrayContaining(['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetTable,glue:UpdateTable']),
    );
  });

  test('the stage\'s ETL settings reach the job and the handler', () => {
    const custom = etlTemplate({ etl: { numberOfWorkers: 5, maxObjectBytes: 1000, allowedSuffixes: ['.csv', '.tsv'] } });
    custom.hasResourceProperties('AWS::Glue::Job', { NumberOfWorkers: 5 });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [START_ETL_ENVIRONMENT.maxObjectBytes]: '1000', [START_ETL_ENVIRONMENT.allowedSuffixes]: '.csv,.tsv' }) },
    });
  });
});
