import { Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig, STAGE_NAMES, type StageConfig, type StageConfigOverrides } from '../../../lib/config';
import { MlPlatformStage } from '../../../lib/stages/ml-platform-stage';
import { LocalS3 } from '../../../local/s3';
import {
  LOCAL_CREATED_SECURITY_GROUP,
  localDataKeyArn,
  prepareLocalStage,
  resolveIntrinsics,
  type IntrinsicValues,
} from '../../../local/stage';
import { createTestApp } from '../../helpers/app';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

afterAll(removeTemporaryFolders);

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The deployed definitions of a stage, from its synthesized training template, resolved with local values. */
function deployedDefinitions(config: StageConfig, local: ReturnType<typeof prepareLocalStage>): Record<string, unknown> {
  const app = createTestApp();
  const stage = new MlPlatformStage(app, config.stageName, { config });
  const template = Template.fromStack(stage.training).toJSON() as { Resources: Resources; Mappings?: IntrinsicValues['mappings'] };
  const resources = template.Resources;
  const typeOf = (logicalId: string) => resources[logicalId]?.Type;
  const { buckets } = local.resources;
  // The data stack's exports, as local mode names the same things.
  const exported: Record<string, string> = {
    [local.names.exportName('RawDataBucketName')]: buckets.raw,
    [local.names.exportName('ProcessedDataBucketName')]: buckets.processed,
    [local.names.exportName('ArtifactsBucketName')]: buckets.artifacts,
    [local.names.exportName('DataKeyArn')]: localDataKeyArn(local.names, config),
  };
  const values: IntrinsicValues = {
    pseudo: { 'AWS::Region': config.region, 'AWS::AccountId': config.account, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' },
    getAtt: (logicalId, attribute) => {
      if (typeOf(logicalId) === 'AWS::IAM::Role' && attribute === 'Arn') return local.resources.roleArn;
      if (typeOf(logicalId) === 'AWS::EC2::SecurityGroup' && attribute === 'GroupId') return LOCAL_CREATED_SECURITY_GROUP;
      return undefined;
    },
    importValue: (exportName) => exported[exportName],
    mappings: template.Mappings,
  };
  const definitions: Record<string, unknown> = {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::SageMaker::Pipeline') continue;
    const body = (resource.Properties!.PipelineDefinition as { PipelineDefinitionBody: unknown }).PipelineDefinitionBody;
    definitions[String(resource.Properties!.PipelineName)] = JSON.parse(String(resolveIntrinsics(body, values, logicalId)));
  }
  return definitions;
}

function localDefinitions(local: ReturnType<typeof prepareLocalStage>): Record<string, unknown> {
  return {
    [local.names.trainingPipeline]: local.definitions.training,
    [local.names.inferencePipeline]: local.definitions.inference,
  };
}

describe('parity between a deployed stage and local mode', () => {
  const s3 = new LocalS3({ root: temporaryFolder('parity-') });

  test.each(STAGE_NAMES)('the %s stage deploys exactly the definitions local mode runs', (stageName) => {
    // GIVEN the stage's config
    const config = loadStageConfig(stageName);
    // WHEN local mode builds its definitions, and the stage is synthesized and its intrinsics resolved locally
    const local = prepareLocalStage(config, s3);
    const deployed = deployedDefinitions(config, local);
    // THEN they are the same two documents
    expect(Object.keys(deployed).sort()).toEqual([local.names.inferencePipeline, local.names.trainingPipeline].sort());
    expect(deployed).toEqual(JSON.parse(JSON.stringify(localDefinitions(local))));
    // and the ML scripts local mode staged are where the definition points
    const scripts = local.resources.scriptUris;
    expect(Object.values(scripts).every((uri) => s3.exists(uri))).toBe(true);
    expect(scripts.preprocess).toMatch(new RegExp(`^s3://cdk-[a-z0-9]+-assets-${config.account}-${config.region}/[0-9a-f]{64}\\.py$`));
  });

  test.each<[string, StageConfigOverrides]>([
    ['a VPC with a created security group', { vpc: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupId: 'create' } }],
    ['another region, no spot, no caching, a lower-is-better gate', {
      region: 'eu-west-1',
      training: { spotMaxWaitSeconds: undefined },
      caching: { enabled: false },
      qualityGate: { metric: 'rmse', threshold: 250 },
    }],
  ])('parity holds for dev with %s', (_, overrides) => {
    const config = loadStageConfig('dev', overrides);
    const local = prepareLocalStage(config, s3);
    expect(deployedDefinitions(config, local)).toEqual(JSON.parse(JSON.stringify(localDefinitions(local))));
  });

  test('the comparison tells a changed setting apart (it can fail)', () => {
    const local = prepareLocalStage(loadStageConfig('dev'), s3);
    const changed = loadStageConfig('dev', { qualityGate: { threshold: 0.61 } });
    const deployed = deployedDefinitions(changed, prepareLocalStage(changed, s3));
    expect(deployed).not.toEqual(JSON.parse(JSON.stringify(localDefinitions(local))));
  });
});

describe('custom images (config images) in the deployed and local definitions', () => {
  const s3 = new LocalS3({ root: temporaryFolder('parity-images-') });
  type Step = { Name: string; Type: string; Arguments?: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  // Condition steps hold their branches in their Arguments.
  const flatten = (steps: Step[]): Step[] => steps.flatMap((s) => [s, ...flatten(s.Arguments?.IfSteps ?? []), ...flatten(s.Arguments?.ElseSteps ?? [])]);
  const TRAINING = '111111111111.dkr.ecr.us-east-1.amazonaws.com/mlops-training:3f2c1ab';
  const INFERENCE = '111111111111.dkr.ecr.us-east-1.amazonaws.com/mlops-inference:3f2c1ab';

  test.each<[string, StageConfigOverrides, { training: string; inference: string }]>([
    ['both images', { images: { training: TRAINING, inference: INFERENCE } }, { training: TRAINING, inference: INFERENCE }],
    ['a training image only: the model is still served by the managed image', { images: { training: TRAINING } },
      { training: TRAINING, inference: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1' }],
  ])('GIVEN %s WHEN the stage is synthesized THEN its definition runs them, as local mode does', (_, overrides, expected) => {
    const config = loadStageConfig('dev', overrides);
    const local = prepareLocalStage(config, s3);
    const deployed = deployedDefinitions(config, local);
    expect(deployed).toEqual(JSON.parse(JSON.stringify(localDefinitions(local))));
    const steps = flatten((deployed[local.names.trainingPipeline] as { Steps: Step[] }).Steps);
    const byType = (type: string): Step => steps.find((s) => s.Type === type)!;
    expect(byType('Tuning').Arguments!.TrainingJobDefinition.AlgorithmSpecification.TrainingImage).toBe(expected.training);
    expect(steps.find((s) => s.Name === 'Evaluate')!.Arguments!.AppSpecification.ImageUri).toBe(expected.training);
    expect(byType('RegisterModel').Arguments!.InferenceSpecification.Containers[0].Image).toBe(expected.inference);
    // The scikit-learn steps keep their managed image.
    expect(steps.find((s) => s.Name === 'Preprocess')!.Arguments!.AppSpecification.ImageUri).toContain('/sagemaker-scikit-learn:');
  });
});
