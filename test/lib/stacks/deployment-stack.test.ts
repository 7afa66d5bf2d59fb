import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig, type StageConfigOverrides } from '../../../lib/config';
import { synthesizeEndpointTemplates } from '../../../lib/constructs/endpoint-templates';
import { MlPlatformStage } from '../../../lib/stages/ml-platform-stage';
import { cdkJsonContext, createTestApp } from '../../helpers/app';
import { unacknowledgedFindings } from '../../helpers/nag';

function deploymentStack(overrides: StageConfigOverrides = {}, stageName: 'dev' | 'prod' = 'dev') {
  const app = createTestApp();
  const stage = new MlPlatformStage(app, stageName, { config: loadStageConfig(stageName, overrides) });
  return { stage, stack: stage.deployment, template: Template.fromStack(stage.deployment) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('DeploymentStack', () => {
  const { stack, template } = deploymentStack();
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as Json[];
  const stages = pipeline.Properties.Stages as Json[];
  const action = (stageName: string, actionName: string): Json =>
    stages.find((s) => s.Name === stageName).Actions.find((a: Json) => a.Name === actionName);

  test('a V2 pipeline: templates → resolve → staging → system test and report → approval → production', () => {
    expect(pipeline.Properties).toMatchObject({ Name: 'mlops-dev-model-deployment', PipelineType: 'V2', RestartExecutionOnUpdate: false });
    expect(stages.map((s) => [s.Name, s.Actions.map((a: Json) => `${a.Name}:${a.ActionTypeId.Provider}`)])).toEqual([
      ['Source', ['EndpointTemplates:S3']],
      ['ResolveModel', ['LatestApprovedVersion:Lambda']],
      ['Staging', ['DeployStagingEndpoint:CloudFormation']],
      ['SystemTest', ['SystemTest:StepFunctions', 'TestReport:Lambda']],
      ['Approval', ['ApproveProduction:Manual']],
      ['Production', ['DeployProductionEndpoint:CloudFormation']],
    ]);
    // The system test runs before its report, within the stage.
    expect(stages[3].Actions.map((a: Json) => a.RunOrder)).toEqual([1, 2]);
  });

  test('its artifacts are encrypted with a key of its own (KMS)', () => {
    expect(pipeline.Properties.ArtifactStore).toMatchObject({ Type: 'S3', EncryptionKey: { Type: 'KMS', Id: { 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] } } });
  });

  test('an approved version of the stage\'s group starts it', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        detail: { ModelPackageGroupName: ['mlops-dev-models'], ModelApprovalStatus: ['Approved'] },
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue(), RoleArn: Match.anyValue() })],
    });
  });

  test('the resolve action exports variables that the endpoint deployments and the system test read', () => {
    expect(action('ResolveModel', 'LatestApprovedVersion')).toMatchObject({
      Namespace: 'Resolve',
      Configuration: { UserParameters: JSON.stringify({ modelPackageGroupName: 'mlops-dev-models' }) },
    });
    const staging = action('Staging', 'DeployStagingEndpoint').Configuration;
    expect(staging).toMatchObject({ ActionMode: 'CREATE_UPDATE', StackName: 'mlops-dev-endpoint-staging', TemplatePath: 'EndpointTemplates::staging.template.json', Capabilities: 'CAPABILITY_NAMED_IAM' });
    expect(JSON.stringify(staging.ParameterOverrides)).toContain('\\"ModelPackageArn\\":\\"#{Resolve.ModelPackageArn}\\"');
    const production = action('Production', 'DeployProductionEndpoint').Configuration;
    expect(production).toMatchObject({ StackName: 'mlops-dev-endpoint-production', TemplatePath: 'EndpointTemplates::production.template.json' });
    for (const parameter of ['"ModelPackageArn\\":\\"#{Resolve.ModelPackageArn}', 'BaselineConstraintsUri\\":\\"#{Resolve.BaselineConstraintsUri}', 'BaselineStatisticsUri\\":\\"#{Resolve.BaselineStatisticsUri}']) {
      expect(JSON.stringify(production.ParameterOverrides)).toContain(parameter);
    }
    expect(action('SystemTest', 'SystemTest')).toMatchObject({
      Namespace: 'SystemTest',
      Configuration: { InputType: 'Literal', Input: JSON.stringify({ testDataUri: '#{Resolve.TestDataUri}' }) },
    });
    expect(action('SystemTest', 'TestReport').Configuration.UserParameters).toBe(JSON.stringify({ executionArn: '#{SystemTest.ExecutionArn}' }));
  });

  test('the approval names the version and its test results, and notifies the stage\'s topic', () => {
    const approval = action('Approval', 'ApproveProduction').Configuration;
    expect(approval.CustomData).toBe(
      'Deploy #{Resolve.ModelSummary} to production (mlops-dev-production)? Its system test on mlops-dev-staging: #{TestReport.Summary}.',
    );
    expect(approval.NotificationArn).toEqual({ 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'dev-Monitoring' }) });
  });

  test('the system test: a Map of invocations retried when throttled, and a Choice against the stage\'s thresholds', () => {
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Json[];
    expect(machine.Properties).toMatchObject({ StateMachineName: 'mlops-dev-system-test', TracingConfiguration: { Enabled: true } });
    const definition = JSON.parse(
      (machine.Properties.DefinitionString['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : '<ref>')).join(''),
    );
    expect(definition.StartAt).toBe('PlanBatches');
    const map = definition.States.InvokeBatches;
    expect(map).toMatchObject({ Type: 'Map', ItemsPath: '$.plan.batches', MaxConcurrency: 2 });
    expect(map.ItemProcessor.States.InvokeEndpoint.Retry).toEqual(expect.arrayContaining([
      expect.objectContaining({ ErrorEquals: ['EndpointThrottled'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 6 }),
    ]));
    expect(definition.States.CompareWithThresholds.Choices).toEqual([
      { Variable: '$.result.metric.value', NumericLessThan: 0.6, Next: 'MetricBelowThreshold' },
      { Variable: '$.result.latency.p95Ms', NumericGreaterThan: 500, Next: 'LatencyAboveThreshold' },
    ]);
    expect(definition.States.MetricBelowThreshold).toEqual({ Type: 'Fail', Error: 'MetricBelowThreshold', CausePath: '$.result.causes.metric' });
  });

  test('cdk-nag finds nothing unacknowledged', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});

describe('the endpoint templates', () => {
  test('are synthesized on their own for each target, bootstrapless (no asset or bootstrap parameter)', () => {
    const config = loadStageConfig('prod', { deployment: { production: { account: '333333333333', region: 'eu-west-1' } } });
    const templates = synthesizeEndpointTemplates(config, cdkJsonContext()) as Record<string, Json>;
    expect(Object.keys(templates.staging.Parameters).sort()).toEqual(['ModelArtifactsBucketName', 'ModelArtifactsKeyArn', 'ModelPackageArn']);
    expect(Object.keys(templates.production.Parameters).sort()).toEqual([
      'BaselineConstraintsUri', 'BaselineStatisticsUri', 'ModelArtifactsBucketName', 'ModelArtifactsKeyArn', 'ModelPackageArn',
    ]);
    // Production in eu-west-1: the analyzer image of that region.
    expect(JSON.stringify(templates.production)).toContain('468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer');
  });

  test('are the pipeline\'s source: an asset holding both files', () => {
    const { stack } = deploymentStack();
    const assembly = stack.node.root as unknown as { synth(): { directory: string } };
    const dir = assembly.synth().directory;
    const assets = fs.readdirSync(dir).filter((f) => f.startsWith('asset.'));
    const holding = assets.filter((a) => fs.existsSync(path.join(dir, a, 'staging.template.json')));
    expect(holding).toHaveLength(1);
    expect(fs.readdirSync(path.join(dir, holding[0])).sort()).toEqual(['production.template.json', 'staging.template.json']);
  });
});

describe('cross-account deployment', () => {
  test('staging and production in other accounts deploy with those accounts\' CDK bootstrap roles, with cross-account keys', () => {
    const { template, stack } = deploymentStack({
      account: '111111111111',
      deployment: { staging: { account: '222222222222' }, production: { account: '333333333333', region: 'eu-west-1' } },
    }, 'prod');
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as Json[];
    const deployAction = (name: string) => (pipeline.Properties.Stages as Json[]).flatMap((s) => s.Actions).find((a: Json) => a.Name === name);
    expect(deployAction('DeployStagingEndpoint').RoleArn).toEqual(expect.stringMatching(/^arn:aws:iam::222222222222:role\/cdk-hnb659fds-deploy-role-222222222222-us-east-1$/));
    expect(deployAction('DeployStagingEndpoint').Configuration.RoleArn).toBe('arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-us-east-1');
    expect(deployAction('DeployProductionEndpoint')).toMatchObject({ Region: 'eu-west-1', RoleArn: 'arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-eu-west-1' });
    // Artifacts other accounts read are encrypted with a key they may use.
    template.hasResourceProperties('AWS::KMS::Key', Match.anyValue());
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  /** The system test's invoke function: its environment and what its role may do. */
  function invokeFunction(template: Template): { environment: Record<string, string>; statements: Json[] } {
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^System test: sends a batch') } });
    const [fn] = Object.values(functions) as Json[];
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Json[];
    const policy = policies.find((p) => p.Properties.Roles.some((r: Json) => r.Ref === roleId));
    return { environment: fn.Properties.Environment.Variables, statements: policy.Properties.PolicyDocument.Statement };
  }
  const actionsOf = (statements: Json[]): string[] => statements.flatMap((st) => [st.Action].flat());

  test('a staging endpoint in another account and region is invoked as its system-test invoker role there, in its region', () => {
    const { template } = deploymentStack({
      account: '111111111111',
      deployment: { staging: { account: '222222222222', region: 'eu-west-1' } },
    }, 'prod');
    const { environment, statements } = invokeFunction(template);
    expect(environment).toMatchObject({ ENDPOINT_ROLE_ARN: 'arn:aws:iam::222222222222:role/mlops-prod-system-test-invoker', ENDPOINT_REGION: 'eu-west-1' });
    const assume = statements.find((st) => st.Action === 'sts:AssumeRole');
    expect(assume.Resource).toEqual('arn:aws:iam::222222222222:role/mlops-prod-system-test-invoker');
    expect(actionsOf(statements)).not.toContain('sagemaker:InvokeEndpoint');
    // the staging template creates that role, trusting this account
    const staging = synthesizeEndpointTemplates(loadStageConfig('prod', { account: '111111111111', deployment: { staging: { account: '222222222222', region: 'eu-west-1' } } }), cdkJsonContext()).staging as Json;
    const roles = Object.values(staging.Resources).filter((r: Json) => r.Type === 'AWS::IAM::Role') as Json[];
    expect(roles.map((r) => r.Properties.RoleName)).toContain('mlops-prod-system-test-invoker');
  });

  test('a staging endpoint in this account is invoked with the function\'s own role, which may invoke only it', () => {
    const { template } = deploymentStack();
    const { environment, statements } = invokeFunction(template);
    expect(environment.ENDPOINT_ROLE_ARN).toBeUndefined();
    expect(environment.ENDPOINT_REGION).toBeUndefined();
    expect(actionsOf(statements)).toContain('sagemaker:InvokeEndpoint');
    expect(actionsOf(statements)).not.toContain('sts:AssumeRole');
  });
});
