import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { loadStageConfig, type StageConfigOverrides } from '../../../lib/config';
import { DataStack } from '../../../lib/stacks/data-stack';
import { TrainingStack } from '../../../lib/stacks/training-stack';
import { createTestApp } from '../../helpers/app';
import { flattenJoin } from '../../helpers/templates';

const ENV = { account: '111111111111', region: 'us-east-1' };

function createTrainingStack(overrides: StageConfigOverrides = {}, stageName = 'dev') {
  const app = createTestApp();
  const config = loadStageConfig(stageName, { ...ENV, ...overrides });
  const data = new DataStack(app, 'Data', { namePrefix: 'mlops-test', env: ENV });
  const training = new TrainingStack(app, 'Training', { namePrefix: 'mlops-test', config, env: ENV, ...data.shared });
  training.addStackDependency(data);
  return { app, training };
}

function buildTrainingStack(overrides: StageConfigOverrides = {}, stageName = 'dev') {
  const built = createTrainingStack(overrides, stageName);
  return { ...built, template: Template.fromStack(built.training) };
}

interface PipelineStep {
  Name: string;
  Type: string;
  Arguments: Record<string, unknown> & { IfSteps?: PipelineStep[]; ElseSteps?: PipelineStep[] };
}

function pipelineDefinition(template: Template, logicalId: string): { Parameters: { Name: string }[]; Steps: PipelineStep[] } {
  const body = template.toJSON().Resources[logicalId].Properties.PipelineDefinition.PipelineDefinitionBody;
  return JSON.parse(flattenJoin(body));
}

function allSteps(steps: PipelineStep[]): PipelineStep[] {
  return steps.flatMap((s) => [s, ...allSteps(s.Arguments.IfSteps ?? []), ...allSteps(s.Arguments.ElseSteps ?? [])]);
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };

function roleStatements(template: Template): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('TrainingStack', () => {
  const { template } = buildTrainingStack();
  const statements = roleStatements(template);

  test('stateful and named resources keep their logical IDs', () => {
    template.hasResource('AWS::SageMaker::ModelPackageGroup', { DeletionPolicy: 'Retain' });
    expect(Object.keys(template.findResources('AWS::SageMaker::ModelPackageGroup'))).toEqual(['ModelPackageGroup']);
    expect(Object.keys(template.findResources('AWS::SageMaker::Pipeline')).sort()).toEqual(['InferencePipeline', 'TrainingPipeline']);
    expect(Object.keys(template.findResources('AWS::IAM::Role'))).toEqual(['SageMakerExecutionRole7843F3B8']);
  });

  test('the execution role is assumed by SageMaker and has no managed policies', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }],
      },
    });
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/FullAccess/);
  });

  test('no statement allows a whole service or every action', () => {
    for (const statement of statements) {
      for (const action of asArray(statement.Action)) {
        expect(action).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
      }
    }
  });

  test('only actions without resource-level permissions get Resource "*"', () => {
    const starActions = statements.filter((s) => s.Resource === '*').flatMap((s) => asArray(s.Action)).sort();
    expect(starActions).toEqual(['cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken']);
    const metrics = statements.find((s) => asArray(s.Action).includes('cloudwatch:PutMetricData'));
    expect(metrics?.Condition).toEqual({ StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } });
  });

  test('iam:PassRole is limited to the role itself and to SageMaker', () => {
    const passRole = statements.filter((s) => asArray(s.Action).includes('iam:PassRole'));
    expect(passRole).toEqual([{
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': ['SageMakerExecutionRole7843F3B8', 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }]);
  });

  test('S3 access is limited to the data prefixes and the exact script objects', () => {
    const s3Resources = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')))
      .flatMap((s) => asArray(s.Resource)).map((r) => flattenJoin(r));
    const objectResources = s3Resources.filter((r) => r.includes('/'));
    expect(objectResources.filter((r) => r.endsWith('*')).sort()).toEqual([
      "{{{'Fn::ImportValue':'mlops-test:ArtifactsBucketArn'}}}/pipelines/*",
      "{{{'Fn::ImportValue':'mlops-test:ArtifactsBucketArn'}}}/predictions/*",
      "{{{'Fn::ImportValue':'mlops-test:ProcessedDataBucketArn'}}}/curated/*",
      "{{{'Fn::ImportValue':'mlops-test:RawDataBucketArn'}}}/batch/*",
      "{{{'Fn::ImportValue':'mlops-test:RawDataBucketArn'}}}/raw/*",
    ]);
    const assetObjects = objectResources.filter((r) => r.startsWith('arn:aws:s3:::cdk-hnb659fds-assets-111111111111-us-east-1/'));
    // preprocess.py, evaluate.py, baseline.py, baseline_statistics.py and sourcedir.tar.gz
    expect(assetObjects.map((r) => path.extname(r)).sort()).toEqual(['.gz', '.py', '.py', '.py', '.py']);
    // Writes only reach the artifacts bucket.
    const writers = statements.filter((s) => asArray(s.Action).includes('s3:PutObject'));
    expect(writers.flatMap((s) => asArray(s.Resource)).map((r) => flattenJoin(r)).join(' ')).not.toMatch(/RawDataBucket|ProcessedDataBucket/);
  });

  test('KMS access is limited to the data key; grants only for AWS resources', () => {
    const kms = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('kms:')));
    for (const statement of kms) {
      expect(statement.Resource).toEqual({ 'Fn::ImportValue': 'mlops-test:DataKeyArn' });
    }
    expect(kms.find((s) => asArray(s.Action).includes('kms:CreateGrant'))?.Condition)
      .toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
  });

  test('SageMaker actions are scoped to this account, region and model package group', () => {
    const resources = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('sagemaker:')))
      .flatMap((s) => asArray(s.Resource)) as string[];
    expect(resources.sort()).toEqual([
      'arn:aws:sagemaker:us-east-1:111111111111:hyper-parameter-tuning-job/*',
      'arn:aws:sagemaker:us-east-1:111111111111:model-package-group/mlops-test-models',
      'arn:aws:sagemaker:us-east-1:111111111111:model-package/mlops-test-models/*',
      'arn:aws:sagemaker:us-east-1:111111111111:model/*',
      'arn:aws:sagemaker:us-east-1:111111111111:processing-job/*',
      'arn:aws:sagemaker:us-east-1:111111111111:training-job/*',
      'arn:aws:sagemaker:us-east-1:111111111111:transform-job/*',
    ]);
  });

  test('logs go to the /aws/sagemaker/ log groups and images come from the framework repositories', () => {
    const logs = statements.find((s) => asArray(s.Action).includes('logs:PutLogEvents'));
    expect(logs?.Resource).toEqual([
      'arn:aws:logs:us-east-1:111111111111:log-group:/aws/sagemaker/*',
      'arn:aws:logs:us-east-1:111111111111:log-group:/aws/sagemaker/*:log-stream:*',
    ]);
    const ecr = statements.find((s) => asArray(s.Action).includes('ecr:BatchGetImage'));
    expect(ecr?.Resource).toEqual([
      'arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-scikit-learn',
      'arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-xgboost',
    ]);
  });

  test('the model package group is named after the environment', () => {
    template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: 'mlops-test-models' });
  });

  test('the training pipeline has Processing, Tuning, Condition, RegisterModel and Fail steps', () => {
    template.hasResourceProperties('AWS::SageMaker::Pipeline', {
      PipelineName: 'mlops-test-training',
      RoleArn: { 'Fn::GetAtt': ['SageMakerExecutionRole7843F3B8', 'Arn'] },
    });
    const definition = pipelineDefinition(template, 'TrainingPipeline');
    const steps = allSteps(definition.Steps);
    expect(steps.map((s) => `${s.Name}:${s.Type}`)).toEqual([
      'Preprocess:Processing', 'Baseline:Processing', 'Tune:Tuning', 'Evaluate:Processing', 'CheckQuality:Condition',
      'Register:RegisterModel', 'QualityGateFailed:Fail',
    ]);
    const check = definition.Steps.find((s) => s.Type === 'Condition');
    expect(check?.Arguments.IfSteps?.map((s) => s.Type)).toEqual(['RegisterModel']);
    expect(check?.Arguments.ElseSteps?.map((s) => s.Type)).toEqual(['Fail']);
    expect(definition.Parameters.map((p) => p.Name)).toEqual(expect.arrayContaining(['InputDataUri', 'QualityThreshold']));
  });

  test('the training pipeline takes its settings from the stage config and its inputs from the data stack', () => {
    const config = loadStageConfig('dev');
    const definition = pipelineDefinition(template, 'TrainingPipeline');
    const params = Object.fromEntries((definition.Parameters as { Name: string; DefaultValue: unknown }[]).map((p) => [p.Name, p.DefaultValue]));
    expect(params.QualityThreshold).toBe(config.qualityGate.threshold);
    expect(params.TrainingInstanceType).toBe(config.instances.training.instanceType);
    expect(params.InputDataUri).toBe("s3://{{{'Fn::ImportValue':'mlops-test:ProcessedDataBucketName'}}}/curated/");

    const steps = allSteps(definition.Steps);
    const tune = steps.find((s) => s.Type === 'Tuning')!.Arguments as unknown as {
      HyperParameterTuningJobConfig: { Strategy: string; ResourceLimits: Record<string, number> };
      TrainingJobDefinition: { EnableManagedSpotTraining?: boolean; AlgorithmSpecification: { TrainingImage: string } };
    };
    expect(tune.HyperParameterTuningJobConfig.Strategy).toBe(config.tuning.strategy);
    expect(tune.HyperParameterTuningJobConfig.ResourceLimits).toEqual({
      MaxNumberOfTrainingJobs: config.tuning.maxJobs,
      MaxParallelTrainingJobs: config.tuning.maxParallelJobs,
    });
    expect(tune.TrainingJobDefinition.EnableManagedSpotTraining).toBe(true);
    expect(tune.TrainingJobDefinition.AlgorithmSpecification.TrainingImage)
      .toBe('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1');
  });

  test('processing steps run the uploaded script files by their asset names', () => {
    const definition = pipelineDefinition(template, 'TrainingPipeline');
    for (const step of allSteps(definition.Steps).filter((s) => s.Type === 'Processing')) {
      const args = step.Arguments as unknown as {
        AppSpecification: { ContainerEntrypoint: string[] };
        ProcessingInputs: { InputName: string; S3Input: { S3Uri: string } }[];
      };
      const code = args.ProcessingInputs.find((i) => i.InputName === 'code')!.S3Input.S3Uri;
      expect(code).toMatch(/^s3:\/\/cdk-hnb659fds-assets-111111111111-us-east-1\/[0-9a-f]{64}\.py$/);
      expect(args.AppSpecification.ContainerEntrypoint).toEqual(['python3', `/opt/ml/processing/input/code/${path.basename(code)}`]);
    }
  });

  test('Baseline gets baseline_statistics.py as a second asset and the path its hashed name lands at', () => {
    const definition = pipelineDefinition(template, 'TrainingPipeline');
    const baseline = allSteps(definition.Steps).find((s) => s.Name === 'Baseline')!.Arguments as unknown as {
      ProcessingInputs: { InputName: string; S3Input: { S3Uri: string; LocalPath: string } }[];
      Environment: Record<string, string>;
    };
    const byName = new Map(baseline.ProcessingInputs.map((i) => [i.InputName, i.S3Input]));
    const module = byName.get('code-lib')!;
    expect(module.S3Uri).toMatch(/^s3:\/\/cdk-hnb659fds-assets-111111111111-us-east-1\/[0-9a-f]{64}\.py$/);
    expect(module.S3Uri).not.toBe(byName.get('code')!.S3Uri);
    expect(module.LocalPath).toBe('/opt/ml/processing/input/code-lib');
    expect(baseline.Environment).toEqual({
      BASELINE_STATISTICS_MODULE: `/opt/ml/processing/input/code-lib/${path.basename(module.S3Uri)}`,
    });
  });

  test('the inference pipeline has Model and Transform steps writing to the artifacts bucket', () => {
    template.hasResourceProperties('AWS::SageMaker::Pipeline', { PipelineName: 'mlops-test-inference' });
    const definition = pipelineDefinition(template, 'InferencePipeline');
    expect(allSteps(definition.Steps).map((s) => s.Type)).toEqual(['Model', 'Transform']);
    expect(JSON.stringify(definition)).toContain("mlops-test:ArtifactsBucketName");
  });

  test('outputs name the pipelines and the model package group', () => {
    for (const output of ['TrainingPipelineName', 'InferencePipelineName', 'ModelPackageGroupName']) {
      template.hasOutput(output, {});
    }
  });

  test('grantStartTrainingPipeline lets a principal start and follow executions of that pipeline only', () => {
    const fresh = createTrainingStack();
    const stack = new Stack(fresh.app, 'Starter', { env: ENV });
    const starter = new Role(stack, 'Starter', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    fresh.training.grantStartTrainingPipeline(starter);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['sagemaker:DescribePipeline', 'sagemaker:StartPipelineExecution'],
            Effect: 'Allow',
            Resource: 'arn:aws:sagemaker:us-east-1:111111111111:pipeline/mlops-test-training',
          },
          {
            Action: ['sagemaker:DescribePipelineExecution', 'sagemaker:ListPipelineExecutionSteps'],
            Effect: 'Allow',
            Resource: 'arn:aws:sagemaker:us-east-1:111111111111:pipeline/mlops-test-training/execution/*',
          },
        ],
      },
    });
  });
});

describe('TrainingStack options', () => {
  test('a VPC with security group "create" runs every job in the VPC with a self-referencing group', () => {
    const { template } = buildTrainingStack({
      vpc: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupId: 'create' },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: 'vpc-0123456789abcdef0' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: '-1',
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobSecurityGroup'), 'GroupId'] },
    });
    const steps = allSteps(pipelineDefinition(template, 'TrainingPipeline').Steps);
    const body = JSON.stringify(steps);
    expect(body).toContain('"Subnets":["subnet-0123456789abcdef0"]');
    expect(JSON.stringify(allSteps(pipelineDefinition(template, 'InferencePipeline').Steps))).toContain('subnet-0123456789abcdef0');
    const ec2 = roleStatements(template).find((s) => asArray(s.Action).includes('ec2:CreateNetworkInterface'));
    expect(ec2?.Resource).toBe('*');
  });

  test('an existing security group is used as is, and no EC2 permissions are granted without a VPC', () => {
    const { template } = buildTrainingStack({
      vpc: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupId: 'sg-0123456789abcdef0' },
    });
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    expect(JSON.stringify(pipelineDefinition(template, 'TrainingPipeline'))).toContain('sg-0123456789abcdef0');

    const noVpc = buildTrainingStack().template;
    expect(roleStatements(noVpc).flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith('ec2:'))).toEqual([]);
  });

  test('configured feature columns reach the preprocessing job', () => {
    const { template } = buildTrainingStack({ featureColumns: ['age', 'income'] });
    const preprocess = allSteps(pipelineDefinition(template, 'TrainingPipeline').Steps).find((s) => s.Name === 'Preprocess')!;
    const args = (preprocess.Arguments as unknown as { AppSpecification: { ContainerArguments: string[] } }).AppSpecification.ContainerArguments;
    expect(args.slice(args.indexOf('--feature-columns'), args.indexOf('--feature-columns') + 2)).toEqual(['--feature-columns', 'age,income']);
    const defaults = allSteps(pipelineDefinition(buildTrainingStack().template, 'TrainingPipeline').Steps).find((s) => s.Name === 'Preprocess')!;
    expect(JSON.stringify(defaults.Arguments)).not.toContain('--feature-columns');
  });

  test('without spot settings the tuning jobs run on demand', () => {
    const { template } = buildTrainingStack({}, 'prod');
    const tune = allSteps(pipelineDefinition(template, 'TrainingPipeline').Steps).find((s) => s.Type === 'Tuning');
    expect(JSON.stringify(tune)).not.toContain('EnableManagedSpotTraining');
  });

  test('an environment-agnostic stack looks the images up by region', () => {
    const app = createTestApp();
    const data = new DataStack(app, 'Data', { namePrefix: 'mlops-any' });
    const training = new TrainingStack(app, 'Training', { namePrefix: 'mlops-any', config: loadStageConfig('dev'), ...data.shared });
    const template = Template.fromStack(training);
    expect(template.toJSON().Mappings.SageMakerImageRegistryAccounts['eu-west-1']).toEqual({ xgboost: '141502667606', sklearn: '141502667606' });
    expect(JSON.stringify(pipelineDefinition(template, 'TrainingPipeline'))).toContain('Fn::FindInMap');
  });
});
