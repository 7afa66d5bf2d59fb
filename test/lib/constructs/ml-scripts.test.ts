import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { assetS3Uri, ML_SCRIPTS_DIR, MlScripts } from '../../../lib/constructs/ml-scripts';
import { SOURCE_DIR_FILES } from '../../../lib/sagemaker-pipelines/serving';
import { extractTarGz } from '../../../lib/util/tar';
import { createTestApp } from '../../helpers/app';

const ENV = { account: '111111111111', region: 'us-east-1' };

function synthScripts(props: ConstructorParameters<typeof MlScripts>[2] = {}) {
  const app = createTestApp();
  const stack = new Stack(app, 'S', { env: ENV });
  const scripts = new MlScripts(stack, 'Scripts', props);
  const assembly = app.synth();
  const stagedFile = (asset: { assetPath: string }) => path.join(assembly.directory, asset.assetPath);
  return { stack, scripts, stagedFile };
}

describe('MlScripts', () => {
  test('sourcedir.tar.gz holds train.py and the serving hooks (inference.py and its payload module), unchanged, at its root', () => {
    const { scripts, stagedFile } = synthScripts();
    const dest = mkdtempSync(path.join(tmpdir(), 'sourcedir-test-'));
    const files = extractTarGz(readFileSync(stagedFile(scripts.sourceDir)), dest);
    expect(files.sort()).toEqual(['inference.py', 'inference_payload.py', 'train.py']);
    for (const name of files) {
      expect(readFileSync(path.join(dest, name), 'utf8')).toBe(readFileSync(path.join(ML_SCRIPTS_DIR, name), 'utf8'));
    }
  });

  test('the archive is deterministic: the same code gives the same asset hash', () => {
    const first = synthScripts().scripts.sourceDir.assetHash;
    const second = synthScripts().scripts.sourceDir.assetHash;
    expect(second).toBe(first);
  });

  test('a code change changes the asset hash', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ml-scripts-test-'));
    for (const name of ['preprocess.py', 'evaluate.py', 'baseline.py', 'baseline_statistics.py', ...SOURCE_DIR_FILES]) {
      writeFileSync(path.join(dir, name), readFileSync(path.join(ML_SCRIPTS_DIR, name)));
    }
    const before = synthScripts({ scriptsDir: dir }).scripts.sourceDir.assetHash;
    writeFileSync(path.join(dir, 'train.py'), `${readFileSync(path.join(dir, 'train.py'), 'utf8')}\n# changed\n`);
    expect(synthScripts({ scriptsDir: dir }).scripts.sourceDir.assetHash).not.toBe(before);
  });

  test('processing scripts are single-file assets whose S3 URI ends in a literal .py name', () => {
    const { stack, scripts, stagedFile } = synthScripts();
    expect(readFileSync(stagedFile(scripts.preprocess), 'utf8')).toBe(readFileSync(path.join(ML_SCRIPTS_DIR, 'preprocess.py'), 'utf8'));
    expect(readFileSync(stagedFile(scripts.evaluate), 'utf8')).toBe(readFileSync(path.join(ML_SCRIPTS_DIR, 'evaluate.py'), 'utf8'));
    expect(readFileSync(stagedFile(scripts.baseline), 'utf8')).toBe(readFileSync(path.join(ML_SCRIPTS_DIR, 'baseline.py'), 'utf8'));
    expect(readFileSync(stagedFile(scripts.baselineStatistics), 'utf8'))
      .toBe(readFileSync(path.join(ML_SCRIPTS_DIR, 'baseline_statistics.py'), 'utf8'));
    expect(stack.resolve(assetS3Uri(scripts.baselineStatistics))).toMatch(/^s3:\/\/cdk-hnb659fds-assets-111111111111-us-east-1\/[0-9a-f]{64}\.py$/);
    expect(stack.resolve(assetS3Uri(scripts.preprocess))).toMatch(/^s3:\/\/cdk-hnb659fds-assets-111111111111-us-east-1\/[0-9a-f]{64}\.py$/);
  });

  test('the object name stays literal when the bucket is a token', () => {
    const stack = new Stack(createTestApp(), 'Agnostic');
    const uri = assetS3Uri(new MlScripts(stack, 'Scripts').evaluate);
    expect(uri.slice(uri.lastIndexOf('/') + 1)).toMatch(/^[0-9a-f]{64}\.py$/);
  });

  test('a missing script names the file and what to do', () => {
    const stack = new Stack(createTestApp(), 'S');
    const dir = mkdtempSync(path.join(tmpdir(), 'ml-scripts-empty-'));
    expect(() => new MlScripts(stack, 'Scripts', { scriptsDir: dir }))
      .toThrow(`ML script '${path.join(dir, 'preprocess.py')}' does not exist: add it, or point scriptsDir at the folder holding preprocess.py`);
  });

  test('grantRead allows exactly the five objects', () => {
    const app = createTestApp();
    const stack = new Stack(app, 'S', { env: ENV });
    const scripts = new MlScripts(stack, 'Scripts');
    const role = new Role(stack, 'R', { assumedBy: new ServicePrincipal('sagemaker.amazonaws.com') });
    scripts.grantRead(role);
    const statement = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0]
      .Properties.PolicyDocument.Statement[0];
    const bucketArn = 'arn:aws:s3:::cdk-hnb659fds-assets-111111111111-us-east-1';
    expect(statement.Resource.sort()).toEqual([
      bucketArn,
      ...[scripts.preprocess, scripts.evaluate, scripts.baseline, scripts.baselineStatistics, scripts.sourceDir]
        .map((a) => `${bucketArn}/${a.s3ObjectKey}`),
    ].sort());
  });
});
