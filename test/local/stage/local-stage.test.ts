import * as path from 'path';
import { loadStageConfig } from '../../../lib/config';
import { imageUriForRegion } from '../../../lib/image-uris';
import { extractTarGz } from '../../../lib/util/tar';
import { LocalS3 } from '../../../local/s3';
import { IntrinsicError, prepareLocalStage, resolveIntrinsics } from '../../../local/stage';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

afterAll(removeTemporaryFolders);

describe('prepareLocalStage', () => {
  const root = temporaryFolder('local-stage-');
  const s3 = new LocalS3({ root });

  test('names everything as the stage does, with local buckets and role', () => {
    const stage = prepareLocalStage(loadStageConfig('staging'), s3);
    expect(stage.names).toMatchObject({
      modelPackageGroup: 'mlops-staging-models',
      trainingPipeline: 'mlops-staging-training',
      inferencePipeline: 'mlops-staging-inference',
    });
    expect(stage.resources).toMatchObject({
      region: 'us-east-1',
      roleArn: 'arn:aws:iam::111111111111:role/mlops-staging-sagemaker-execution',
      buckets: { raw: 'mlops-staging-raw-data', processed: 'mlops-staging-processed-data', artifacts: 'mlops-staging-artifacts' },
      imageUris: { sklearn: imageUriForRegion('sklearn', 'us-east-1'), xgboost: imageUriForRegion('xgboost', 'us-east-1') },
    });
    const parameters = Object.fromEntries(stage.definitions.training.Parameters.map((p) => [p.Name, p.DefaultValue]));
    expect(parameters).toMatchObject({ QualityThreshold: 0.7, InputDataUri: 's3://mlops-staging-processed-data/curated/' });
  });

  test('stages the ML scripts as the assets the stage deploys: content-addressed, the source tarball deterministic', () => {
    const { scriptUris } = prepareLocalStage(loadStageConfig('dev'), s3).resources;
    expect(s3.getText(scriptUris.preprocess)).toContain('def main(');
    expect(s3.getText(scriptUris.baselineStatistics)).toContain('def profile_column(');
    const extracted = path.join(root, 'extracted');
    expect(extractTarGz(s3.getObject(scriptUris.sourceDir), extracted).map((f) => path.basename(f)).sort()).toEqual([
      'inference.py',
      'inference_payload.py',
      'train.py',
    ]);
    // Unchanged code keeps its keys, and with them the step caches.
    expect(prepareLocalStage(loadStageConfig('dev'), s3).resources.scriptUris).toEqual(scriptUris);
  });

  test('a changed stage setting changes the definition local mode runs', () => {
    const base = prepareLocalStage(loadStageConfig('dev'), s3).definitions.training;
    const stricter = prepareLocalStage(loadStageConfig('dev', { qualityGate: { threshold: 0.9 } }), s3).definitions.training;
    const threshold = (d: typeof base) => d.Parameters.find((p) => p.Name === 'QualityThreshold')?.DefaultValue;
    expect([threshold(base), threshold(stricter)]).toEqual([0.6, 0.9]);
  });
});

describe('resolveIntrinsics', () => {
  const values = {
    pseudo: { 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '123456789012' },
    ref: (id: string) => ({ Bucket: 'my-bucket' })[id],
    getAtt: (id: string, attribute: string) => (id === 'Role' && attribute === 'Arn' ? 'arn:aws:iam::123456789012:role/r' : undefined),
    importValue: (name: string) => ({ 'p:Key': 'key-arn' })[name],
    mappings: { Images: { 'eu-west-1': { xgboost: '141502667606' } } },
  };

  test('Ref, Fn::GetAtt, Fn::ImportValue, Fn::Join, Fn::Sub, Fn::FindInMap, Fn::Select and Fn::Split', () => {
    expect(
      resolveIntrinsics(
        {
          a: { 'Fn::Join': ['', ['s3://', { Ref: 'Bucket' }, '/', { Ref: 'AWS::Region' }]] },
          b: { 'Fn::Sub': 'cdk-${AWS::AccountId}-${AWS::Region}-${Role.Arn}' },
          c: { 'Fn::Sub': ['${X}/${Bucket}', { X: { 'Fn::ImportValue': 'p:Key' } }] },
          d: { 'Fn::FindInMap': ['Images', { Ref: 'AWS::Region' }, 'xgboost'] },
          e: { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] },
          f: [{ 'Fn::GetAtt': ['Role', 'Arn'] }, 'plain', 3],
        },
        values,
      ),
    ).toEqual({
      a: 's3://my-bucket/eu-west-1',
      b: 'cdk-123456789012-eu-west-1-arn:aws:iam::123456789012:role/r',
      c: 'key-arn/my-bucket',
      d: '141502667606',
      e: 'b',
      f: ['arn:aws:iam::123456789012:role/r', 'plain', 3],
    });
  });

  test.each([
    [{ Ref: 'Queue' }, 'no local value for {"Ref": "Queue"} at $.x'],
    [{ Ref: 'AWS::StackName' }, 'no local value for pseudo parameter AWS::StackName at $.x'],
    [{ 'Fn::ImportValue': 'other:Export' }, 'no local value for {"Fn::ImportValue": "other:Export"} at $.x'],
    [{ 'Fn::If': ['C', 1, 2] }, 'Fn::If at $.x is not supported locally'],
    [{ 'Fn::Join': ['', { Ref: 'Bucket' }] }, 'Fn::Join at $.x joins "my-bucket", which is not a list'],
  ])('%j cannot be resolved, and the error says which and where', (value, message) => {
    expect(() => resolveIntrinsics({ x: value }, values)).toThrow(IntrinsicError);
    expect(() => resolveIntrinsics({ x: value }, values)).toThrow(message);
  });
});
