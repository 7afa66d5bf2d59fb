import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Source } from 'aws-cdk-lib/aws-codebuild';
import { Repository } from 'aws-cdk-lib/aws-codecommit';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { IMAGE_BUILD_COMMANDS, ImageBuild, type ImageBuildProps } from '../../../lib/constructs/image-build';
import { imageUriForRegion } from '../../../lib/image-uris';
import { createTestApp } from '../../helpers/app';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

const ROOT = path.join(__dirname, '..', '..', '..');
afterAll(removeTemporaryFolders);

function imageStack(props: ImageBuildProps = {}): { stack: Stack; images: ImageBuild; template: Template } {
  const stack = new Stack(createTestApp(), 'Images', { env: { account: '123456789012', region: 'eu-west-1' } });
  const images = new ImageBuild(stack, 'Images', props);
  return { stack, images, template: Template.fromStack(stack) };
}

describe('ImageBuild: repositories', () => {
  test('both repositories scan on push, keep immutable tags, use the KMS key and expire old images', () => {
    const { template } = imageStack({ keepTaggedImages: 5 });
    template.resourceCountIs('AWS::ECR::Repository', 2);
    const repositories = Object.values(template.findResources('AWS::ECR::Repository')) as { Properties: Record<string, unknown>; DeletionPolicy: string }[];
    for (const repository of repositories) {
      expect(repository.DeletionPolicy).toBe('Retain');
      expect(repository.Properties).toMatchObject({
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [expect.stringMatching(/^ImagesKey/), 'Arn'] } },
      });
      const policy = JSON.parse((repository.Properties.LifecyclePolicy as { LifecyclePolicyText: string }).LifecyclePolicyText);
      expect(policy.rules).toEqual([
        {
          rulePriority: 1,
          description: 'Expire untagged images (layers of failed pushes)',
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: 'Keep the last 5 tagged images (one per built commit)',
          selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 5 },
          action: { type: 'expire' },
        },
      ]);
    }
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('RemovalPolicy.DESTROY empties and deletes the repositories', () => {
    const { template } = imageStack({ removalPolicy: RemovalPolicy.DESTROY });
    template.allResources('AWS::ECR::Repository', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ EmptyOnDelete: true }) });
  });

  test('the stages\' other accounts may pull the images', () => {
    const { template } = imageStack({ pullAccounts: ['222222222222'] });
    for (const repository of Object.values(template.findResources('AWS::ECR::Repository')) as { Properties: { RepositoryPolicyText: unknown } }[]) {
      expect(repository.Properties.RepositoryPolicyText).toEqual({
        Statement: [{
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::222222222222:root' },
        }],
        Version: '2012-10-17',
      });
    }
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt', Principal: { AWS: Match.anyValue() } })]) },
    });
  });

  test('a bad keepTaggedImages is rejected with the value', () => {
    expect(() => imageStack({ keepTaggedImages: 0 })).toThrow('keepTaggedImages is 0: expected an integer between 1 and 10000');
  });
});

describe('ImageBuild: the build project', () => {
  test('runs only the build script, privileged, with the repositories and the region\'s XGBoost image', () => {
    const { template } = imageStack();
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: {
        Type: 'CODEPIPELINE',
        BuildSpec: Match.serializedJson({
          version: '0.2',
          env: { shell: 'bash' },
          phases: { build: { commands: ['bash scripts/ci/build-images.sh'] } },
          artifacts: { files: ['image-uris.json'] },
        }),
      },
      EncryptionKey: Match.anyValue(),
      LogsConfig: { CloudWatchLogs: Match.objectLike({ Status: 'ENABLED' }) },
      Environment: Match.objectLike({
        PrivilegedMode: true,
        EnvironmentVariables: [
          { Name: 'BASE_IMAGE_URI', Type: 'PLAINTEXT', Value: imageUriForRegion('xgboost', 'eu-west-1') },
          { Name: 'TRAINING_REPOSITORY_URI', Type: 'PLAINTEXT', Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
          { Name: 'INFERENCE_REPOSITORY_URI', Type: 'PLAINTEXT', Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
        ],
      }),
    });
    expect(IMAGE_BUILD_COMMANDS).toEqual(['bash scripts/ci/build-images.sh']);
  });

  test('with a source of its own it clones the repository', () => {
    const stack = new Stack(createTestApp(), 'Images', { env: { account: '123456789012', region: 'eu-west-1' } });
    const repository = Repository.fromRepositoryName(stack, 'Repo', 'mlops');
    new ImageBuild(stack, 'Images', { source: Source.codeCommit({ repository }) });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', { Source: Match.objectLike({ Type: 'CODECOMMIT' }) });
  });

  test('may push and pull its two repositories and pull the framework image, nothing else in ECR', () => {
    const { stack, images, template } = imageStack();
    const roleId = stack.getLogicalId(images.project.role!.node.defaultChild as never);
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })) as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }[];
    const ecr = policy.Properties.PolicyDocument.Statement.filter((s) => [s.Action].flat().some((a) => a.startsWith('ecr:')));
    const resources = ecr.flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r));
    expect(resources).toEqual(expect.arrayContaining([
      JSON.stringify({ 'Fn::GetAtt': [stack.getLogicalId(images.trainingRepository.node.defaultChild as never), 'Arn'] }),
      JSON.stringify({ 'Fn::GetAtt': [stack.getLogicalId(images.inferenceRepository.node.defaultChild as never), 'Arn'] }),
      JSON.stringify('arn:aws:ecr:eu-west-1:141502667606:repository/sagemaker-xgboost'),
      '"*"',
    ]));
    const pushActions = ecr.filter((s) => [s.Action].flat().includes('ecr:PutImage')).flatMap((s) => [s.Resource].flat());
    expect(pushActions).toHaveLength(2);
    const star = ecr.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat());
    expect(star).toEqual(['ecr:GetAuthorizationToken']);
  });

  test('outputs the repository URIs, gives image URIs by commit and grants pulls', () => {
    const stack = new Stack(createTestApp(), 'Images', { env: { account: '123456789012', region: 'eu-west-1' } });
    const images = new ImageBuild(stack, 'Images');
    const role = new Role(stack, 'SageMaker', { assumedBy: new ServicePrincipal('sagemaker.amazonaws.com') });
    images.grantPull(role);
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      expect.stringMatching(/^ImagesInferenceImageRepositoryUri/),
      expect.stringMatching(/^ImagesTrainingImageRepositoryUri/),
    ]);
    expect(stack.resolve(images.imageUri('training', 'abc123'))).toEqual({
      'Fn::Join': ['', [expect.anything(), '.dkr.ecr.', expect.anything(), '.', expect.anything(), '/', expect.anything(), ':abc123']],
    });
    const [pulls] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as never) }] } })) as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }[];
    const pullStatements = pulls.Properties.PolicyDocument.Statement.filter((st) => [st.Action].flat().includes('ecr:BatchGetImage'));
    expect(pullStatements.flatMap((st) => [st.Resource].flat())).toHaveLength(2);
  });
});

describe('containers/ and scripts/ci/build-images.sh', () => {
  test.each(['training', 'inference'])('containers/%s/Dockerfile builds FROM the XGBoost 1.7-1 image and installs a requirements file that exists', (kind) => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'containers', kind, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`ARG BASE_IMAGE=${imageUriForRegion('xgboost', 'us-east-1')}`);
    expect(dockerfile).toMatch(/^FROM \$\{BASE_IMAGE\}$/m);
    const [, requirements] = /^COPY (\S+) /m.exec(dockerfile)!;
    expect(fs.existsSync(path.join(ROOT, requirements))).toBe(true);
    expect(fs.readFileSync(path.join(ROOT, 'containers', kind, 'Dockerfile.dockerignore'), 'utf8')).toContain(`!${requirements}`);
  });

  /** Runs the script with `aws` and `docker` stand-ins that log their arguments; `existing` tags "are" in ECR. */
  function runBuild(env: Record<string, string>): { status: number | null; log: string[]; stderr: string; uris?: unknown } {
    const dir = temporaryFolder('build-images-');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const logFile = path.join(dir, 'calls.log');
    const stub = (name: string, body: string): void => {
      fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "${logFile}"\n${body}\n`, { mode: 0o755 });
    };
    stub('aws', 'if [[ "$2" == describe-images && "$*" == *"imageTag=${EXISTING_TAG:-none}"* && "$*" == *"${EXISTING_REPO:-none}"* ]]; then exit 0; fi\n[[ "$2" == describe-images ]] && exit 254\necho token');
    stub('docker', 'cat > /dev/null 2>&1 || true');
    const urisFile = path.join(dir, 'image-uris.json');
    const result = spawnSync('bash', [path.join(ROOT, 'scripts', 'ci', 'build-images.sh')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, IMAGE_URIS_FILE: urisFile, ...env },
      input: '',
    });
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n') : [];
    return { status: result.status, log, stderr: result.stderr, uris: fs.existsSync(urisFile) ? JSON.parse(fs.readFileSync(urisFile, 'utf8')) : undefined };
  }

  const ENV = {
    BASE_IMAGE_URI: imageUriForRegion('xgboost', 'eu-west-1'),
    TRAINING_REPOSITORY_URI: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/images-training',
    INFERENCE_REPOSITORY_URI: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/images-inference',
    CODEBUILD_RESOLVED_SOURCE_VERSION: '3f2c1ab',
  };

  test('logs in to both registries, builds each Dockerfile on the base image, tags with the commit and pushes', () => {
    const { status, log, uris, stderr } = runBuild(ENV);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    // A login is `aws ecr get-login-password | docker login`: the two calls of a pipe log in either order.
    const logins = log.filter((l) => l.includes('login'));
    expect([...logins].sort()).toEqual([
      'aws ecr get-login-password --region eu-west-1',
      'aws ecr get-login-password --region eu-west-1',
      'docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      'docker login --username AWS --password-stdin 141502667606.dkr.ecr.eu-west-1.amazonaws.com',
    ]);
    expect(log.findIndex((l) => !l.includes('login'))).toBe(4);
    expect(log.filter((l) => !l.includes('login'))).toEqual([
      'aws ecr describe-images --region eu-west-1 --repository-name images-training --image-ids imageTag=3f2c1ab',
      `docker build --build-arg BASE_IMAGE=${ENV.BASE_IMAGE_URI} -f containers/training/Dockerfile -t ${ENV.TRAINING_REPOSITORY_URI}:3f2c1ab .`,
      `docker push ${ENV.TRAINING_REPOSITORY_URI}:3f2c1ab`,
      'aws ecr describe-images --region eu-west-1 --repository-name images-inference --image-ids imageTag=3f2c1ab',
      `docker build --build-arg BASE_IMAGE=${ENV.BASE_IMAGE_URI} -f containers/inference/Dockerfile -t ${ENV.INFERENCE_REPOSITORY_URI}:3f2c1ab .`,
      `docker push ${ENV.INFERENCE_REPOSITORY_URI}:3f2c1ab`,
    ]);
    expect(uris).toEqual({ training: `${ENV.TRAINING_REPOSITORY_URI}:3f2c1ab`, inference: `${ENV.INFERENCE_REPOSITORY_URI}:3f2c1ab` });
  });

  test('an image already pushed for the commit is not rebuilt', () => {
    const { status, log } = runBuild({ ...ENV, EXISTING_TAG: '3f2c1ab', EXISTING_REPO: 'images-training' });
    expect(status).toBe(0);
    expect(log.filter((l) => l.startsWith('docker build'))).toEqual([
      `docker build --build-arg BASE_IMAGE=${ENV.BASE_IMAGE_URI} -f containers/inference/Dockerfile -t ${ENV.INFERENCE_REPOSITORY_URI}:3f2c1ab .`,
    ]);
  });

  test('a missing setting fails before any call, naming it', () => {
    const { status, log, stderr } = runBuild({ ...ENV, BASE_IMAGE_URI: '' });
    expect(status).not.toBe(0);
    expect(log).toEqual([]);
    expect(stderr).toContain('set BASE_IMAGE_URI to the framework image');
  });
});
