import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  loadCicdConfig,
  loadStageConfig,
  STAGE_NAMES,
  type CicdConfigOverrides,
  type StageConfig,
  type StageConfigOverrides,
  type StageName,
} from '../../../lib/config';
import { CicdPipelineStack } from '../../../lib/stacks/cicd-pipeline-stack';
import { createTestApp } from '../../helpers/app';
import { acknowledgements, allFindings, covers, unacknowledgedFindings } from '../../helpers/nag';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function pipelineStack(cicdOverrides: CicdConfigOverrides = {}, stageOverrides: Partial<Record<StageName, StageConfigOverrides>> = {}) {
  const app = createTestApp();
  const stages = Object.fromEntries(STAGE_NAMES.map((name) => [name, loadStageConfig(name, stageOverrides[name] ?? {})])) as Record<StageName, StageConfig>;
  const cicd = loadCicdConfig(cicdOverrides, { pipelineAccount: stages.dev.account, pipelineRegion: stages.dev.region });
  const stack = new CicdPipelineStack(app, 'Cicd', { cicd, stages, synthContext: { devAccount: stages.dev.account }, cliVersion: '2.1148.1' });
  const template = Template.fromStack(stack);
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as Json[];
  const pipelineStages = pipeline.Properties.Stages as Json[];
  const actions = (stageName: string): Json[] => pipelineStages.find((s) => s.Name === stageName)?.Actions ?? [];
  const buildSpecOf = (actionName: string, stageName: string): Json => {
    const action = actions(stageName).find((a) => a.Name === actionName);
    const project = template.toJSON().Resources[action.Configuration.ProjectName.Ref];
    return JSON.parse(project.Properties.Source.BuildSpec);
  };
  return { app, stack, template, pipeline, pipelineStages, actions, buildSpecOf };
}

describe('CicdPipelineStack with a CodeCommit repository and placeholder accounts (the defaults)', () => {
  const { app, stack, template, pipeline, pipelineStages, actions, buildSpecOf } = pipelineStack();

  test('a V2 pipeline: source → build → self-mutation → assets → dev → staging → prod', () => {
    expect(pipeline.Properties.PipelineType).toBe('V2');
    expect(pipelineStages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'dev', 'staging', 'prod']);
  });

  test('GIVEN create: true WHEN synthesized THEN it creates and retains the repository and reads the branch from it', () => {
    template.hasResource('AWS::CodeCommit::Repository', { Properties: { RepositoryName: 'mlops-platform' }, DeletionPolicy: 'Retain' });
    const [source] = actions('Source');
    expect(source.ActionTypeId).toMatchObject({ Provider: 'CodeCommit' });
    expect(source.Configuration).toMatchObject({ BranchName: 'main', PollForSourceChanges: false });
  });

  test('CodeCommit has no V2 trigger filters: a push to the branch goes to start-on-change, which starts the pipeline unless only docs changed', () => {
    expect(pipeline.Properties.Triggers).toBeUndefined();
    const resources = template.toJSON().Resources as Record<string, Json>;
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as Json[];
    // CDK's own rule (every push → the pipeline) is gone: no rule targets the pipeline directly.
    expect(rules.flatMap((r) => r.Properties.Targets).filter((t: Json) => JSON.stringify(t.Arn).includes(':codepipeline:'))).toEqual([]);
    const pushRules = rules.filter((r) => r.Properties.EventPattern['detail-type']?.includes('CodeCommit Repository State Change'));
    expect(pushRules).toHaveLength(1);
    const [push] = pushRules;
    const repositoryId = Object.keys(template.findResources('AWS::CodeCommit::Repository'))[0];
    expect(push.Properties.EventPattern).toEqual({
      source: ['aws.codecommit'],
      'detail-type': ['CodeCommit Repository State Change'],
      resources: [{ 'Fn::GetAtt': [repositoryId, 'Arn'] }],
      detail: { event: ['referenceCreated', 'referenceUpdated'], referenceType: ['branch'], referenceName: ['main'] },
    });
    const [target] = push.Properties.Targets;
    const fn = resources[target.Arn['Fn::GetAtt'][0]];
    expect(fn.Type).toBe('AWS::Lambda::Function');
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^StartOnChangeDeadLetterQueue/), 'Arn'] } });
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 });
    const pipelineId = Object.keys(template.findResources('AWS::CodePipeline::Pipeline'))[0];
    expect(fn.Properties.Environment.Variables).toMatchObject({
      REPOSITORY_NAME: { 'Fn::GetAtt': [repositoryId, 'Name'] },
      BRANCH_NAME: 'main',
      PIPELINE_NAME: { Ref: pipelineId },
      DOCS_ONLY_PATHS: '["**/*.md","docs/**"]',
      POWERTOOLS_SERVICE_NAME: 'cicd/start-on-change',
    });
    // It may compare commits of this repository and start this pipeline, nothing else.
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: Json) =>
      p.Properties.Roles.some((r: Json) => r.Ref === fn.Properties.Role['Fn::GetAtt'][0])) as Json;
    const statements = policy.Properties.PolicyDocument.Statement as Json[];
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'codecommit:GetDifferences', Resource: { 'Fn::GetAtt': [repositoryId, 'Arn'] } }),
      expect.objectContaining({ Action: 'codepipeline:StartPipelineExecution', Resource: expect.objectContaining({ 'Fn::Join': expect.anything() }) }),
    ]));
    expect(JSON.stringify(statements.find((st) => st.Action === 'codepipeline:StartPipelineExecution').Resource)).toContain(pipelineId);
    // A push that could not start the pipeline after every retry raises an alarm.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StartOnChangeDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('GIVEN other docs-only paths and branch WHEN synthesized THEN start-on-change gets them', () => {
    const other = pipelineStack({ branch: 'release', docsOnlyPaths: ['LICENSE', 'notes/**'] });
    const [fn] = Object.values(other.template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'cicd/start-on-change' } } },
    })) as Json[];
    expect(fn.Properties.Environment.Variables).toMatchObject({ BRANCH_NAME: 'release', DOCS_ONLY_PATHS: '["LICENSE","notes/**"]' });
    other.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ referenceName: ['release'] }) }),
    });
  });

  test('the build step only calls scripts/ci/build.sh, on Node 20 / Python 3.11, and publishes JUnit reports', () => {
    const spec = buildSpecOf('Build', 'Build');
    expect(spec.phases.build.commands).toEqual(['bash scripts/ci/build.sh']);
    expect(spec.phases.install['runtime-versions']).toMatchObject({ nodejs: 20, python: 3.11 });
    expect(spec.reports).toMatchObject({
      jest: { 'file-format': 'JUNITXML', 'base-directory': 'reports' },
      pytest: { 'file-format': 'JUNITXML', 'base-directory': 'reports' },
    });
    expect(spec.artifacts['base-directory']).toBe('cdk.out/pipeline');
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { Image: 'aws/codebuild/standard:7.0', EnvironmentVariables: [
        { Name: 'CI_REPORTS_DIR', Value: 'reports', Type: 'PLAINTEXT' },
        { Name: 'CDK_SYNTH_CONTEXT', Value: 'devAccount=111111111111 pipeline=true', Type: 'PLAINTEXT' },
        { Name: 'PIPELINE_ASSEMBLY_DIR', Value: 'cdk.out/pipeline', Type: 'PLAINTEXT' },
      ] },
    });
  });

  test('self-mutation: an UpdatePipeline stage with the pinned CDK CLI', () => {
    const [selfMutate] = actions('UpdatePipeline');
    expect(selfMutate.Name).toBe('SelfMutate');
    expect(JSON.stringify(buildSpecOf('SelfMutate', 'UpdatePipeline'))).toContain('aws-cdk@2.1148.1');
  });

  test('artifacts in a KMS-encrypted bucket with a rotated key', () => {
    expect(pipeline.Properties.ArtifactStore).toMatchObject({ Type: 'S3', EncryptionKey: { Type: 'KMS', Id: { 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] } } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('order: dev → staging → approval → prod; the approval comes before any prod deployment', () => {
    const prod = actions('prod');
    const approval = prod.find((a) => a.ActionTypeId.Provider === 'Manual');
    expect(approval.Name).toBe('ApproveProduction');
    const firstDeploy = Math.min(...prod.filter((a) => a.ActionTypeId.Provider === 'CloudFormation').map((a) => a.RunOrder));
    expect(approval.RunOrder).toBeLessThan(firstDeploy);
    for (const name of ['dev', 'staging']) expect(actions(name).some((a) => a.ActionTypeId.Provider === 'Manual')).toBe(false);
  });

  test('each environment deploys the same five stacks', () => {
    for (const name of STAGE_NAMES) {
      const deployed = actions(name).filter((a) => a.Name.endsWith('.Deploy')).map((a) => a.Name.replace('.Deploy', ''));
      expect(deployed).toEqual(expect.arrayContaining(['Data', 'Training', 'Etl', 'Monitoring', 'Deployment']));
    }
  });

  test('dev and staging retrain after deployment (last, with the stage\'s trigger role); prod does not', () => {
    for (const name of ['dev', 'staging']) {
      const stageActions = actions(name);
      const retrain = stageActions.find((a) => a.Name === `StartTraining-${name}`);
      expect(retrain.RunOrder).toBe(Math.max(...stageActions.map((a) => a.RunOrder)));
      expect(buildSpecOf(`StartTraining-${name}`, name).phases.build.commands).toEqual([
        `npx ts-node --transpile-only scripts/cicd/start-training.ts --stage ${name} --region us-east-1 --role-arn arn:aws:iam::111111111111:role/mlops-${name}-retrain-trigger`,
      ]);
      expect(stageActions.map((a) => a.Name)).toContain('RetrainTrigger.Deploy');
    }
    expect(actions('prod').some((a) => a.Name.startsWith('StartTraining') || a.Name.startsWith('RetrainTrigger'))).toBe(false);
    const retrainPolicy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('RetrainRole'))?.[1];
    const assumed = JSON.stringify(retrainPolicy?.Properties.PolicyDocument.Statement.filter((st: Json) => st.Action === 'sts:AssumeRole'));
    expect(assumed).toContain(':iam::111111111111:role/mlops-dev-retrain-trigger');
    expect(assumed).toContain(':iam::111111111111:role/mlops-staging-retrain-trigger');
    expect(assumed).not.toContain('mlops-prod-retrain-trigger');
  });

  test('a pull request into the branch starts the review build: tests and each environment\'s cdk diff, posted as a comment', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as Json[];
    const review = rules.find((r) => r.Properties.EventPattern['detail-type']?.includes('CodeCommit Pull Request State Change'));
    expect(review.Properties.EventPattern.detail).toMatchObject({
      event: ['pullRequestCreated', 'pullRequestSourceBranchUpdated'],
      destinationReference: ['refs/heads/main'],
    });
    const [target] = review.Properties.Targets;
    const project = template.toJSON().Resources[target.Arn['Fn::GetAtt'][0]];
    expect(project.Type).toBe('AWS::CodeBuild::Project');
    expect(JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands).toEqual(['bash scripts/ci/review.sh']);
    const variables = Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: Json) => [v.Name, v.Value]));
    // the diffs see the context this app was synthesized with (not the pipeline switch)
    expect(variables.CDK_CONTEXT_ARGS).toBe('-c devAccount=111111111111');
  });

  test('no custom images unless configured', () => {
    template.resourceCountIs('AWS::ECR::Repository', 0);
  });

  test('cdk-nag: zero unacknowledged findings in the pipeline stack and its stages', () => {
    expect(unacknowledgedFindings(app)).toEqual([]);
  });

  test('cdk-nag: the pipeline\'s acknowledgements are granular, explained and each matches a real finding', () => {
    const findings = allFindings(stack);
    const acks = acknowledgements(stack).filter((ack) => !STAGE_NAMES.some((name) => covers(`Cicd/${name}`, ack.constructPath)));
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(30);
      // SQS3 (a queue without a dead-letter queue) has no narrower id: start-on-change's queue is itself one.
      expect(ack.ruleId).toMatch(/^(AwsSolutions-IAM5\[(Action|Resource)::.+\]|AwsSolutions-SQS3)$/);
    }
    expect(acks.filter((ack) => !findings.some((f) => f.ruleId === ack.ruleId && covers(ack.constructPath, f.constructPath)))).toEqual([]);
  });
});

describe('CicdPipelineStack with a connection source, three accounts and other retraining settings', () => {
  const connectionArn = 'arn:aws:codeconnections:eu-west-1:444444444444:connection/0123abcd-4567-89ef-0123-456789abcdef';
  const { app, template, pipeline, actions, buildSpecOf } = pipelineStack({
    source: { kind: 'connection', connectionArn, repository: 'my-org/mlops-platform' },
    branch: 'release',
    pipelineAccount: '444444444444',
    pipelineRegion: 'eu-west-1',
    retrainAfterDeploy: { dev: false, staging: false, prod: true },
    waitForTraining: true,
    docsOnlyPaths: ['**/*.md', 'docs/**', 'LICENSE'],
  }, {
    dev: { account: '111111111111', region: 'eu-west-1' },
    staging: { account: '222222222222', region: 'eu-west-1' },
    prod: { account: '333333333333', region: 'eu-central-1' },
  });

  test('the source is the connection, and a push changing only docs does not start the pipeline', () => {
    const [source] = actions('Source');
    expect(source.ActionTypeId).toMatchObject({ Provider: 'CodeStarSourceConnection' });
    expect(source.Configuration).toMatchObject({ ConnectionArn: connectionArn, FullRepositoryId: 'my-org/mlops-platform', BranchName: 'release' });
    expect(pipeline.Properties.Triggers).toEqual([{
      ProviderType: 'CodeStarSourceConnection',
      GitConfiguration: {
        SourceActionName: 'Source',
        Push: [{ Branches: { Includes: ['release'] }, FilePaths: { Excludes: ['**/*.md', 'docs/**', 'LICENSE'] } }],
      },
    }]);
    // The trigger filters; no start-on-change function (that is for CodeCommit).
    expect(template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'cicd/start-on-change' } } },
    })).toEqual({});
  });

  test('GitHub (the default provider): a pull request into the branch starts the webhook review build, which comments with the tests and each environment\'s cdk diff', () => {
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project', { Properties: { Source: { Type: 'GITHUB' } } })) as Json[];
    expect(projects).toHaveLength(1);
    const [project] = projects;
    expect(project.Properties.Source).toMatchObject({
      Location: 'https://github.com/my-org/mlops-platform.git',
      Auth: { Type: 'CODECONNECTIONS', Resource: connectionArn },
    });
    expect(JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands).toEqual(['bash scripts/ci/review.sh']);
    expect(project.Properties.Triggers).toEqual({
      Webhook: true,
      FilterGroups: [[
        { Type: 'EVENT', Pattern: 'PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED, PULL_REQUEST_REOPENED' },
        { Type: 'BASE_REF', Pattern: '^refs/heads/release$' },
      ]],
    });
    const variables = Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: Json) => [v.Name, { type: v.Type, value: v.Value }]));
    expect(variables).toMatchObject({
      REVIEW_PROVIDER: { type: 'PLAINTEXT', value: 'github' },
      GITHUB_REPOSITORY: { type: 'PLAINTEXT', value: 'my-org/mlops-platform' },
      REVIEW_STAGES: { type: 'PLAINTEXT', value: 'dev staging prod' },
      GITHUB_TOKEN: { type: 'SECRETS_MANAGER', value: 'mlops-platform/github-token' },
    });
    // the diffs see the context this app was synthesized with (not the pipeline switch)
    expect(variables.CDK_CONTEXT_ARGS.value).toBe('-c devAccount=111111111111');
    template.hasResourceProperties('AWS::CodeBuild::SourceCredential', { AuthType: 'CODECONNECTIONS', ServerType: 'GITHUB', Token: connectionArn });
    // the lookup roles of the three accounts
    const json = JSON.stringify(template.toJSON());
    for (const [account, region] of [['111111111111', 'eu-west-1'], ['222222222222', 'eu-west-1'], ['333333333333', 'eu-central-1']]) {
      expect(json).toContain(`:role/cdk-hnb659fds-lookup-role-${account}-${region}`);
    }
    // no CodeCommit review rule
    expect((Object.values(template.findResources('AWS::Events::Rule')) as Json[])
      .filter((r) => r.Properties.EventPattern?.['detail-type']?.includes('CodeCommit Pull Request State Change'))).toEqual([]);
  });

  test('cross-account: each environment deploys with its own account\'s CDK roles', () => {
    const accountOf = (name: string): string[] => [...new Set(actions(name)
      .filter((a) => a.ActionTypeId.Provider === 'CloudFormation')
      .map((a) => JSON.stringify(a.RoleArn).match(/iam::(\d{12})/)?.[1] ?? '?'))];
    expect(accountOf('dev')).toEqual(['111111111111']);
    expect(accountOf('staging')).toEqual(['222222222222']);
    expect(accountOf('prod')).toEqual(['333333333333']);
  });

  test('only prod retrains, in its own account and region, and waits for the outcome', () => {
    expect(actions('dev').some((a) => a.Name.startsWith('StartTraining'))).toBe(false);
    expect(actions('staging').some((a) => a.Name.startsWith('StartTraining'))).toBe(false);
    const prod = actions('prod');
    expect(prod.find((a) => a.Name === 'StartTraining-prod')).toBeDefined();
    expect(buildSpecOf('StartTraining-prod', 'prod').phases.build.commands).toEqual([
      'npx ts-node --transpile-only scripts/cicd/start-training.ts --stage prod --region eu-central-1 --role-arn arn:aws:iam::333333333333:role/mlops-prod-retrain-trigger --wait',
    ]);
  });

  test('the retrain trigger role of prod trusts the pipeline account and starts only prod\'s training pipeline', () => {
    const stack = app.node.findAll().find((c) => c.node.path === 'Cicd/prod/RetrainTrigger') as Parameters<typeof Template.fromStack>[0];
    const trigger = Template.fromStack(stack);
    trigger.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'mlops-prod-retrain-trigger',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444444444444:root' } }] },
    });
    const [policy] = Object.values(trigger.findResources('AWS::IAM::Policy')) as Json[];
    const [statement] = policy.Properties.PolicyDocument.Statement;
    expect([...statement.Action].sort()).toEqual(['sagemaker:DescribePipelineExecution', 'sagemaker:StartPipelineExecution']);
    expect(statement.Resource).toEqual([
      'arn:aws:sagemaker:eu-central-1:333333333333:pipeline/mlops-prod-training',
      'arn:aws:sagemaker:eu-central-1:333333333333:pipeline/mlops-prod-training/execution/*',
    ]);
  });

  test('cdk-nag: zero unacknowledged findings, support stacks included', () => {
    expect(unacknowledgedFindings(app)).toEqual([]);
  });
});

describe('CicdPipelineStack with a GitLab connection source', () => {
  const { template } = pipelineStack({
    source: { kind: 'connection', connectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/abc-123', repository: 'my-group/mlops-platform', provider: 'gitlab' },
    reviewTokenSecretName: 'unused/token',
  });

  test('no pull-request review (GitLab is not covered): no webhook project, no source credential, no review rule', () => {
    expect(template.findResources('AWS::CodeBuild::Project', { Properties: { Source: { Type: 'GITHUB' } } })).toEqual({});
    template.resourceCountIs('AWS::CodeBuild::SourceCredential', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('scripts/ci/review.sh');
  });
});

describe('CicdPipelineStack with custom images', () => {
  const { app, template, actions } = pipelineStack({ customImages: true }, {
    staging: { account: '222222222222' },
  });

  test('two ECR repositories, scanned on push, with immutable tags and lifecycle rules', () => {
    template.resourceCountIs('AWS::ECR::Repository', 2);
    for (const name of ['mlops-platform/training', 'mlops-platform/inference']) {
      template.hasResource('AWS::ECR::Repository', {
        Properties: { RepositoryName: name, ImageScanningConfiguration: { ScanOnPush: true }, ImageTagMutability: 'IMMUTABLE', LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('"tagStatus":"untagged"') } },
        DeletionPolicy: 'Retain',
      });
    }
  });

  test('the images are built (tagged by their sources) before dev deploys, and staging\'s account may pull them', () => {
    const dev = actions('dev');
    const build = dev.find((a) => a.Name === 'BuildImages');
    expect(build.ActionTypeId).toMatchObject({ Category: 'Build', Provider: 'CodeBuild' });
    const tag = JSON.parse(build.Configuration.EnvironmentVariables)[0];
    expect(tag).toMatchObject({ name: 'IMAGE_TAG', value: expect.stringMatching(/^src-[0-9a-f]{16}$/) });
    const deploys = dev.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
    expect(Math.max(...dev.filter((a) => a === build).map((a) => a.RunOrder))).toBeLessThan(Math.min(...deploys.map((a) => a.RunOrder)));
    const policies = Object.values(template.findResources('AWS::ECR::Repository')).map((r) => JSON.stringify((r as Json).Properties.RepositoryPolicyText));
    for (const policy of policies) expect(policy).toContain('arn:aws:iam::222222222222:root');
  });

  test('every environment\'s training pipeline runs the custom training image of that tag', () => {
    const tag = JSON.parse(actions('dev').find((a) => a.Name === 'BuildImages').Configuration.EnvironmentVariables)[0].value;
    for (const name of STAGE_NAMES) {
      const training = app.node.findAll().find((c) => c.node.path === `Cicd/${name}/Training`) as Parameters<typeof Template.fromStack>[0];
      const pipelines = JSON.stringify(Template.fromStack(training).findResources('AWS::SageMaker::Pipeline'));
      expect(pipelines).toContain(`111111111111.dkr.ecr.us-east-1.amazonaws.com/mlops-platform/training:${tag}`);
    }
  });

  test('cdk-nag: zero unacknowledged findings', () => {
    expect(unacknowledgedFindings(app)).toEqual([]);
  });

  test('an environment in another region than the images is refused with the reason', () => {
    expect(() => pipelineStack({ customImages: true }, { prod: { region: 'eu-west-1' } })).toThrow(
      /customImages: prod is in eu-west-1, the images in us-east-1: SageMaker pulls a job's image from the job's region/,
    );
  });
});
