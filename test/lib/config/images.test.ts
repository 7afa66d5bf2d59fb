import { BootstraplessSynthesizer } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig, StageConfigError } from '../../../lib/config';
import { isFrameworkImageUri, parseEcrImageUri } from '../../../lib/image-uris';
import { EndpointStack } from '../../../lib/stacks/endpoint-stack';
import { MlPlatformStage } from '../../../lib/stages/ml-platform-stage';
import { ignoredSettings } from '../../../local/executor/local-checks';
import { prepareDefinition } from '../../../local/executor/validate';
import { LocalS3 } from '../../../local/s3';
import { prepareLocalStage } from '../../../local/stage';
import { createTestApp } from '../../helpers/app';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

afterAll(removeTemporaryFolders);

const TRAINING = '111111111111.dkr.ecr.us-east-1.amazonaws.com/mlops-training:3f2c1ab';
const INFERENCE = '111111111111.dkr.ecr.us-east-1.amazonaws.com/team/mlops-inference@sha256:' + 'a'.repeat(64);

/** The messages of the config error `overrides` give dev. */
function problems(overrides: Parameters<typeof loadStageConfig>[1]): string[] {
  try {
    loadStageConfig('dev', overrides);
  } catch (error) {
    if (error instanceof StageConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config images', () => {
  test('managed images by default; tagged or pinned ECR URIs in the stage\'s region are accepted', () => {
    expect(loadStageConfig('dev').images).toBeUndefined();
    expect(loadStageConfig('dev', { images: { training: TRAINING, inference: INFERENCE } }).images).toEqual({ training: TRAINING, inference: INFERENCE });
    expect(parseEcrImageUri(INFERENCE)).toEqual({ account: '111111111111', region: 'us-east-1', repository: 'team/mlops-inference', digest: `sha256:${'a'.repeat(64)}` });
  });

  test.each([
    ['an untagged URI', '111111111111.dkr.ecr.us-east-1.amazonaws.com/mlops-training'],
    ['a Docker Hub image', 'python:3.11'],
    ['a public ECR image', 'public.ecr.aws/docker/library/python:3.11'],
    ['an uppercase repository', '111111111111.dkr.ecr.us-east-1.amazonaws.com/MLOps:1'],
    ['an empty string', ''],
  ])('%s is rejected naming the field, the value and the fix', (_, uri) => {
    expect(problems({ images: { training: uri } })).toEqual([
      `images.training is ${JSON.stringify(uri)}: expected a private ECR image URI with a tag or digest, e.g. `
        + '123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-training:<commit id>; omit it for the managed image',
    ]);
  });

  test('an image in another region is rejected: SageMaker pulls from its own region', () => {
    expect(problems({ images: { inference: INFERENCE.replace('us-east-1', 'eu-west-1') } })).toEqual([
      expect.stringMatching(/^images\.inference is ".*eu-west-1.*": the image is in eu-west-1 but the stage runs in us-east-1: .*push the image to us-east-1$/),
    ]);
  });

  test('an unknown image kind is named', () => {
    expect(problems({ images: { train: TRAINING } as never })).toEqual([
      `images.train is ${JSON.stringify(TRAINING)}: unknown image: expected training or inference`,
    ]);
  });

  test('the managed framework images are told apart from custom ones', () => {
    expect(isFrameworkImageUri('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1')).toBe(true);
    expect(isFrameworkImageUri('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3')).toBe(true);
    expect(isFrameworkImageUri(TRAINING)).toBe(false);
  });
});

describe('custom images in the deployed stacks', () => {
  test('GIVEN custom images WHEN the stage is synthesized THEN the SageMaker role may pull them and the endpoint role the inference image', () => {
    const app = createTestApp();
    const config = loadStageConfig('dev', { images: { training: TRAINING, inference: '111111111111.dkr.ecr.us-east-1.amazonaws.com/mlops-inference:3f2c1ab' } });
    const stage = new MlPlatformStage(app, 'dev', { config });
    const training = JSON.stringify(Template.fromStack(stage.training).findResources('AWS::IAM::Policy'));
    expect(training).toContain(':ecr:us-east-1:111111111111:repository/mlops-training');
    expect(training).toContain(':ecr:us-east-1:111111111111:repository/mlops-inference');
    const endpoint = new EndpointStack(createTestApp(), 'Endpoint', {
      config, variant: 'staging', env: { account: config.account, region: config.region }, synthesizer: new BootstraplessSynthesizer(),
    });
    const endpointPolicies = JSON.stringify(Template.fromStack(endpoint).findResources('AWS::IAM::Policy'));
    expect(endpointPolicies).toContain(':ecr:us-east-1:111111111111:repository/mlops-inference');
    expect(endpointPolicies).not.toContain('repository/mlops-training');
  });
});

describe('local mode and custom images', () => {
  test('a custom inference image is listed as ignored, naming the pinned requirements file the image installs; a job\'s custom image and managed images are not', () => {
    const tuning = {
      Name: 'Tune',
      Type: 'Tuning',
      Arguments: { TrainingJobDefinition: { AlgorithmSpecification: { TrainingImage: TRAINING } } },
    };
    const register = {
      Name: 'Register',
      Type: 'RegisterModel',
      Arguments: { InferenceSpecification: { Containers: [{ Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1' }, { Image: INFERENCE }] } },
    };
    // a job's custom image runs with the image's own pins (local/executor/images.ts): nothing is ignored
    expect(ignoredSettings(tuning as never, 'Steps[Tune]')).toEqual([]);
    expect(ignoredSettings(register as never, 'Steps[Register]')).toEqual([{
      code: 'ignored-custom-image',
      path: 'Steps[Register].Arguments.InferenceSpecification.Containers[1].Image',
      message: expect.stringContaining(`requirements-container-xgboost-1.7-1.txt's pins, under which npm run test:containers tests the inference code) (InferenceSpecification.Containers[1].Image) is ${INFERENCE}`),
    }]);
  });
});

describe('local mode runs a stage with custom images', () => {
  test('GIVEN a stage naming both images WHEN local mode prepares its definitions THEN they run, the inference image listed as ignored', () => {
    const s3 = new LocalS3({ root: temporaryFolder('local-images-') });
    const inference = '111111111111.dkr.ecr.us-east-1.amazonaws.com/mlops-inference:3f2c1ab';
    const local = prepareLocalStage(loadStageConfig('dev', { images: { training: TRAINING, inference } }), s3);
    const prepared = prepareDefinition(local.definitions.training as never);
    expect(prepared.ignored.filter((i) => i.code === 'ignored-custom-image').map((i) => i.path)).toEqual([
      expect.stringMatching(/InferenceSpecification\.Containers\[0\]\.Image$/),
    ]);
  });
});
