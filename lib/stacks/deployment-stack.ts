import { Arn, ArnFormat, CfnCapabilities, CfnOutput, type CfnResource, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Artifact, Pipeline, PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import {
  CloudFormationCreateUpdateStackAction,
  LambdaInvokeAction,
  ManualApprovalAction,
  S3SourceAction,
  S3Trigger,
  StateMachineInput,
  StepFunctionInvokeAction,
} from 'aws-cdk-lib/aws-codepipeline-actions';
import { CodePipeline as CodePipelineTarget } from 'aws-cdk-lib/aws-events-targets';
import { CfnPolicy, Grant, PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { CfnKey, Key, type IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, CfnBucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { RESOLVE_MODEL_VARIABLES, TEST_REPORT_VARIABLES } from '../../lambda/deploy/variables';
import { resourceNames, type ResourceNames, type StageConfig } from '../config';
import { endpointEnvironment, endpointTemplateFile, EndpointTemplates } from '../constructs/endpoint-templates';
import { HandlerFunction } from '../constructs/handler-function';
import { acknowledgeGeneratedWildcards, type PolicyWildcard } from '../constructs/nag-acknowledgements';
import { PatternRule } from '../constructs/pattern-rule';
import { SecureBucket } from '../constructs/secure-bucket';
import { SystemTest } from '../constructs/system-test';
import { modelApprovedPattern } from '../events/patterns';
import { HANDLERS } from '../handlers';
import { ENDPOINT_PARAMETERS, type EndpointVariant } from './endpoint-stack';

/** Properties of the {@link DeploymentStack}. */
export interface DeploymentStackProps extends StackProps {
  readonly namePrefix: string;
  readonly config: StageConfig;
  /** The model registry whose approved versions are deployed. */
  readonly modelPackageGroupName: string;
  /** The versions of the group (`.../model-package/<group>/*`). */
  readonly modelPackagesArn: string;
  /** Model artifacts, test sets and baselines (the artifacts bucket) and their key. */
  readonly artifactsBucket: IBucket;
  readonly dataKey: IKey;
  /** Where the approval request goes (the stage's notification topic). */
  readonly topic: ITopic;
}

/** The variable namespaces of the deployment pipeline's actions. */
export const DEPLOYMENT_NAMESPACES = { resolve: 'Resolve', systemTest: 'SystemTest', testReport: 'TestReport' } as const;

/** `#{<namespace>.<name>}`: a CodePipeline variable. */
function variable(namespace: string, name: string): string {
  return `#{${namespace}.${name}}`;
}

/**
 * The deployment flow: an approved version of the model package group (EventBridge) starts a CodePipeline (V2):
 * resolve the version (a Lambda action exporting variables) → deploy the staging endpoint (CloudFormation) → the
 * system test (Step Functions) and its report (variables) → a manual approval that names the version and its test
 * results → deploy the production endpoint (CloudFormation) → notify (the monitoring stack reports the pipeline's
 * end). A rejected, failed or untested model never reaches production; a failed CloudFormation update rolls back
 * and leaves the previous model serving.
 */
export class DeploymentStack extends Stack {
  public readonly pipeline: Pipeline;
  public readonly systemTest: SystemTest;
  public readonly resolveModel: HandlerFunction;
  public readonly testReport: HandlerFunction;

  constructor(scope: Construct, id: string, props: DeploymentStackProps) {
    super(scope, id, props);
    const { config } = props;
    const names = resourceNames(props.namePrefix);
    const logRetention = config.logRetentionDays as RetentionDays;
    const staging = endpointEnvironment(config, 'staging');
    const production = endpointEnvironment(config, 'production');
    const crossAccount = [staging, production].some((target) => target.account !== this.account || target.region !== this.region);

    this.systemTest = new SystemTest(this, 'SystemTest', {
      config,
      stateMachineName: names.systemTest,
      endpointName: names.stagingEndpoint,
      endpointArn: Arn.format({ service: 'sagemaker', resource: 'endpoint', resourceName: names.stagingEndpoint, ...staging }, this),
      ...(staging.account === this.account
        ? {}
        : { endpointRoleArn: Arn.format({ service: 'iam', region: '', account: staging.account, resource: 'role', resourceName: names.systemTestInvoker }, this) }),
      ...(staging.region === this.region ? {} : { endpointRegion: staging.region }),
      artifactsBucket: props.artifactsBucket,
      dataKey: props.dataKey,
      logRetention,
    });

    this.resolveModel = new HandlerFunction(this, 'ResolveModel', {
      handler: HANDLERS.deployResolveModel,
      description: 'Deployment pipeline: the latest approved version of the model package group, as output variables',
      environment: {},
      logRetention,
    });
    Grant.addToPrincipal({ grantee: this.resolveModel.function, actions: ['sagemaker:ListModelPackages'], resourceArns: ['*'] });
    Grant.addToPrincipal({ grantee: this.resolveModel.function, actions: ['sagemaker:DescribeModelPackage'], resourceArns: [props.modelPackagesArn] });
    // Tells a group that does not exist from one without an approved version.
    Grant.addToPrincipal({
      grantee: this.resolveModel.function,
      actions: ['sagemaker:DescribeModelPackageGroup'],
      resourceArns: [this.formatArn({ service: 'sagemaker', resource: 'model-package-group', resourceName: props.modelPackageGroupName })],
    });
    this.testReport = new HandlerFunction(this, 'TestReport', {
      handler: HANDLERS.deployTestReport,
      description: 'Deployment pipeline: the system test\'s measurements, as output variables for the approval',
      environment: {},
      logRetention,
    });
    Grant.addToPrincipal({
      grantee: this.testReport.function,
      actions: ['states:DescribeExecution'],
      resourceArns: [this.formatArn({ service: 'states', resource: 'execution', resourceName: `${names.systemTest}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    });

    const key = new Key(this, 'ArtifactsKey', {
      description: `Encrypts the artifacts of the ${names.deploymentPipeline} pipeline`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const accessLogs = new SecureBucket(this, 'PipelineAccessLogs', { removalPolicy: RemovalPolicy.RETAIN });
    const artifactBucket = new SecureBucket(this, 'PipelineArtifacts', {
      encryptionKey: key,
      serverAccessLogsBucket: accessLogs,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.pipeline = new Pipeline(this, 'Pipeline', {
      pipelineName: names.deploymentPipeline,
      pipelineType: PipelineType.V2,
      artifactBucket,
      crossAccountKeys: crossAccount,
      restartExecutionOnUpdate: false,
    });

    // Source: the endpoint templates (synthesized with the app; a new template is a new object).
    const templates = new EndpointTemplates(this, 'EndpointTemplates', { config });
    const source = new Artifact('EndpointTemplates');
    this.pipeline.addStage({
      stageName: 'Source',
      actions: [new S3SourceAction({
        actionName: 'EndpointTemplates',
        bucket: Bucket.fromBucketName(this, 'AssetsBucket', templates.asset.s3BucketName),
        bucketKey: templates.asset.s3ObjectKey,
        output: source,
        trigger: S3Trigger.NONE,
      })],
    });
    const resolve = DEPLOYMENT_NAMESPACES.resolve;
    this.pipeline.addStage({
      stageName: 'ResolveModel',
      actions: [new LambdaInvokeAction({
        actionName: 'LatestApprovedVersion',
        lambda: this.resolveModel.function,
        userParameters: { modelPackageGroupName: props.modelPackageGroupName },
        variablesNamespace: resolve,
      })],
    });

    const deploy = (variant: EndpointVariant, runOrder = 1) => {
      const env = endpointEnvironment(config, variant);
      const parameterOverrides: Record<string, string> = {
        [ENDPOINT_PARAMETERS.modelPackageArn]: variable(resolve, RESOLVE_MODEL_VARIABLES.modelPackageArn),
        [ENDPOINT_PARAMETERS.modelArtifactsBucketName]: props.artifactsBucket.bucketName,
        [ENDPOINT_PARAMETERS.modelArtifactsKeyArn]: props.dataKey.keyArn,
        ...(variant === 'production'
          ? {
            [ENDPOINT_PARAMETERS.baselineConstraintsUri]: variable(resolve, RESOLVE_MODEL_VARIABLES.baselineConstraintsUri),
            [ENDPOINT_PARAMETERS.baselineStatisticsUri]: variable(resolve, RESOLVE_MODEL_VARIABLES.baselineStatisticsUri),
          }
          : {}),
      };
      const elsewhere = env.account !== this.account || env.region !== this.region;
      const action = new CloudFormationCreateUpdateStackAction({
        actionName: `Deploy${variant === 'staging' ? 'Staging' : 'Production'}Endpoint`,
        stackName: names.endpointStack(variant),
        templatePath: source.atPath(endpointTemplateFile(variant)),
        parameterOverrides,
        cfnCapabilities: [CfnCapabilities.NAMED_IAM],
        adminPermissions: false,
        runOrder,
        ...(elsewhere
          ? { account: env.account, region: env.region, ...bootstrapRoles(this, env) }
          : { deploymentRole: this.endpointDeploymentRole(variant, names.endpointStack(variant)) }),
      });
      return action;
    };
    this.pipeline.addStage({ stageName: 'Staging', actions: [deploy('staging')] });
    this.pipeline.addStage({
      stageName: 'SystemTest',
      actions: [
        new StepFunctionInvokeAction({
          actionName: 'SystemTest',
          stateMachine: this.systemTest.stateMachine,
          stateMachineInput: StateMachineInput.literal({ testDataUri: variable(resolve, RESOLVE_MODEL_VARIABLES.testDataUri) }),
          variablesNamespace: DEPLOYMENT_NAMESPACES.systemTest,
          runOrder: 1,
        }),
        new LambdaInvokeAction({
          actionName: 'TestReport',
          lambda: this.testReport.function,
          userParameters: { executionArn: variable(DEPLOYMENT_NAMESPACES.systemTest, 'ExecutionArn') },
          variablesNamespace: DEPLOYMENT_NAMESPACES.testReport,
          runOrder: 2,
        }),
      ],
    });
    this.pipeline.addStage({
      stageName: 'Approval',
      actions: [new ManualApprovalAction({
        actionName: 'ApproveProduction',
        notificationTopic: props.topic,
        additionalInformation:
          `Deploy ${variable(resolve, RESOLVE_MODEL_VARIABLES.modelSummary)} to production (${names.productionEndpoint})? ` +
          `Its system test on ${names.stagingEndpoint}: ${variable(DEPLOYMENT_NAMESPACES.testReport, TEST_REPORT_VARIABLES.summary)}.`,
      })],
    });
    this.pipeline.addStage({ stageName: 'Production', actions: [deploy('production')] });

    // Approval of a version starts the pipeline.
    new PatternRule(this, 'ModelApproved', {
      description: `An approved version of ${props.modelPackageGroupName} starts ${names.deploymentPipeline}`,
      eventPattern: modelApprovedPattern(props.modelPackageGroupName),
      target: new CodePipelineTarget(this.pipeline),
    });

    // aws-codepipeline makes the pipeline depend on its role as well as referencing it: cfn-lint's W3005.
    (this.pipeline.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    this.secureCrossRegionSupport();
    this.acknowledgeFindings(names);

    new CfnOutput(this, 'DeploymentPipelineName', { value: this.pipeline.pipelineName });
    new CfnOutput(this, 'SystemTestStateMachineArn', { value: this.systemTest.stateMachine.stateMachineArn });
  }

  /**
   * An endpoint in another region gets a support stack there with CodePipeline's artifact replication bucket and its
   * key: rotate the key; the bucket's transient artifacts get no access logs of their own.
   */
  private secureCrossRegionSupport(): void {
    for (const support of Object.values(this.pipeline.crossRegionSupport)) {
      for (const construct of support.stack.node.findAll()) {
        if (construct instanceof CfnKey) construct.enableKeyRotation = true;
        if (construct instanceof CfnBucket) {
          Validations.of(construct).acknowledge({
            id: 'AwsSolutions-S1',
            reason: 'CodePipeline\'s cross-region replication bucket holds only copies of this pipeline\'s artifacts (encrypted, TLS only); the pipeline\'s own artifact bucket has the access logs.',
          });
        }
      }
    }
  }

  /** cdk-nag's IAM5 findings: the roles CodePipeline's actions generate, the deployment roles, the two functions. */
  private acknowledgeFindings(names: ResourceNames): void {
    // CodePipeline's generated roles: each wildcard is one of these, scoped by CDK to this pipeline's resources.
    const generated = (wildcard: PolicyWildcard): string => {
      const w = wildcard.rendered;
      if (w.startsWith('s3:')) return 'CodePipeline\'s artifact grants (Bucket.grantRead/ReadWrite): this pipeline\'s artifact bucket and the endpoint templates\' asset only.';
      if (w.startsWith('kms:')) return 'CodePipeline\'s artifact grants: encrypting and decrypting with this pipeline\'s artifacts key only.';
      if (w.startsWith('cloudformation:')) return 'The CloudFormation action reads the state of the endpoint stack it deploys (one stack per action).';
      if (w.includes('PipelineArtifacts')) return 'Artifacts of this pipeline\'s executions, one folder per execution.';
      if (w.includes('-support-')) return 'CodePipeline\'s artifact replication bucket for actions in another region (its support stack), one folder per execution.';
      if (w.includes(':stack/')) return 'The endpoint stack the action deploys; CloudFormation appends a generated stack id.';
      if (w.includes('Function')) return 'LambdaInvokeAction grants the function\'s versions and aliases (ARN:*) as well as the function.';
      if (w === '*') return 'codepipeline:PutJobSuccessResult / PutJobFailureResult, granted by LambdaInvokeAction, support no resource-level permissions.';
      if (w.includes(':execution:') || w.includes('execution')) return 'StepFunctionInvokeAction follows the executions it starts: execution names are generated.';
      throw new Error(`no reason is known for the wildcard '${w}' of a CodePipeline role: explain it in DeploymentStack.acknowledgeFindings`);
    };
    for (const construct of this.pipeline.node.findAll()) {
      if (construct instanceof CfnPolicy) acknowledgeGeneratedWildcards(construct, generated);
    }

    // The deployment roles: CloudFormation creates and updates the endpoint stacks' resources with them.
    const deployment = (wildcard: PolicyWildcard): string => {
      const w = wildcard.rendered;
      if (w.startsWith('s3:')) return 'Creating and configuring the endpoint stack\'s own buckets (names start with the stack name).';
      if (w.startsWith('application-autoscaling:')) return 'Application Auto Scaling\'s Describe calls take no resource; CloudFormation reads the scalable target and policy with them.';
      if (w === '*') return 'kms:CreateKey and Application Auto Scaling support no resource-level permissions; they create the endpoint\'s key and scaling.';
      if (w.includes(':sagemaker:')) return 'SageMaker resources of the endpoint stack get generated names (model, config, job definition); limited to this account and region.';
      if (w.includes(':kms:')) return 'Keys of the endpoint stack, conditioned on its aws:cloudformation:stack-name tag.';
      if (w.includes(':iam::')) return 'Roles of the endpoint stack (named after the stack), and the autoscaling service-linked role.';
      if (w.includes(':s3:::')) return 'Buckets of the endpoint stack, named after the stack.';
      if (w.includes(':alarm:')) return 'Alarms of the endpoint stack, named after the stack.';
      throw new Error(`no reason is known for the wildcard '${w}' of an endpoint deployment role: explain it in DeploymentStack.acknowledgeFindings`);
    };
    for (const id of ['StagingDeploymentRole', 'ProductionDeploymentRole']) {
      const policy = this.node.tryFindChild(id)?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
      if (policy) acknowledgeGeneratedWildcards(policy, deployment);
    }

    const resolvePolicy = this.resolveModel.function.role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    const reportPolicy = this.testReport.function.role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (!resolvePolicy || !reportPolicy) throw new Error('the deployment functions have no default policies to acknowledge findings on');
    acknowledgeGeneratedWildcards(resolvePolicy, ({ rendered }) => {
      if (rendered === '*') return 'sagemaker:ListModelPackages and codepipeline:PutJobSuccessResult / PutJobFailureResult support no resource-level permissions.';
      if (rendered.includes('model-package/')) return 'Versions of this stage\'s model package group only; numbers are assigned at registration.';
      throw new Error(`no reason is known for '${rendered}' of the resolve-model role`);
    });
    acknowledgeGeneratedWildcards(reportPolicy, ({ rendered }) => {
      if (rendered.includes(`:execution:${names.systemTest}:`)) return 'Executions of the system-test state machine only; their names are generated.';
      if (rendered === '*') return 'codepipeline:PutJobSuccessResult / PutJobFailureResult (granted by LambdaInvokeAction) support no resource-level permissions.';
      throw new Error(`no reason is known for '${rendered}' of the test-report role`);
    });
  }

  /** The role CloudFormation deploys an endpoint stack in this account with, scoped to that stack's resources. */
  private endpointDeploymentRole(variant: EndpointVariant, stackName: string): Role {
    const role = new Role(this, `${variant === 'staging' ? 'Staging' : 'Production'}DeploymentRole`, {
      assumedBy: new ServicePrincipal('cloudformation.amazonaws.com'),
      description: `CloudFormation deploys the ${stackName} stack with this role`,
    });
    const arn = (service: string, resource: string, resourceName: string, arnFormat = ArnFormat.SLASH_RESOURCE_NAME) =>
      this.formatArn({ service, resource, resourceName, arnFormat });
    const statements = [
      new PolicyStatement({
        actions: [
          'sagemaker:CreateModel', 'sagemaker:DeleteModel', 'sagemaker:DescribeModel',
          'sagemaker:CreateEndpointConfig', 'sagemaker:DeleteEndpointConfig', 'sagemaker:DescribeEndpointConfig',
          'sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:DeleteEndpoint', 'sagemaker:DescribeEndpoint',
          'sagemaker:CreateDataQualityJobDefinition', 'sagemaker:DeleteDataQualityJobDefinition', 'sagemaker:DescribeDataQualityJobDefinition',
          'sagemaker:CreateMonitoringSchedule', 'sagemaker:UpdateMonitoringSchedule', 'sagemaker:DeleteMonitoringSchedule', 'sagemaker:DescribeMonitoringSchedule',
          'sagemaker:AddTags', 'sagemaker:DeleteTags', 'sagemaker:ListTags',
        ],
        resources: ['model', 'endpoint-config', 'endpoint', 'data-quality-job-definition', 'monitoring-schedule'].map((r) => arn('sagemaker', r, '*')),
      }),
      new PolicyStatement({ actions: ['sagemaker:DescribeModelPackage'], resources: [arn('sagemaker', 'model-package', '*')] }),
      new PolicyStatement({
        actions: ['iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:GetRolePolicy', 'iam:TagRole', 'iam:UntagRole', 'iam:UpdateAssumeRolePolicy', 'iam:PassRole'],
        resources: [this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${stackName}-*` })],
      }),
      new PolicyStatement({
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/*' })],
      }),
      new PolicyStatement({
        actions: ['s3:CreateBucket', 's3:DeleteBucket', 's3:PutBucket*', 's3:GetBucket*', 's3:PutEncryptionConfiguration', 's3:GetEncryptionConfiguration',
          's3:PutLifecycleConfiguration', 's3:GetLifecycleConfiguration', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
        resources: [`arn:${this.partition}:s3:::${stackName}-*`],
      }),
      new PolicyStatement({
        actions: ['kms:CreateKey', 'kms:TagResource', 'kms:ListAliases'],
        resources: ['*'],
      }),
      new PolicyStatement({
        actions: ['kms:DescribeKey', 'kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:EnableKeyRotation', 'kms:GetKeyRotationStatus', 'kms:ScheduleKeyDeletion', 'kms:CreateGrant', 'kms:UntagResource'],
        resources: [arn('kms', 'key', '*')],
        conditions: { StringEquals: { 'aws:ResourceTag/aws:cloudformation:stack-name': stackName } },
      }),
      new PolicyStatement({
        actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms', 'cloudwatch:TagResource'],
        resources: [arn('cloudwatch', 'alarm', `${stackName}-*`, ArnFormat.COLON_RESOURCE_NAME)],
      }),
      new PolicyStatement({
        actions: ['application-autoscaling:RegisterScalableTarget', 'application-autoscaling:DeregisterScalableTarget',
          'application-autoscaling:PutScalingPolicy', 'application-autoscaling:DeleteScalingPolicy', 'application-autoscaling:Describe*'],
        resources: ['*'],
      }),
    ];
    for (const statement of statements) role.addToPrincipalPolicy(statement);
    return role;
  }
}

/** CDK's bootstrap roles in another environment (`cdk bootstrap --trust <this account>`): deploy with them there. */
function bootstrapRoles(scope: Construct, env: { account: string; region: string }): { role: IRole; deploymentRole: IRole } {
  const qualifier = 'hnb659fds';
  const id = `${env.account}-${env.region}`;
  return {
    role: Role.fromRoleArn(scope, `DeployRole-${id}`, `arn:aws:iam::${env.account}:role/cdk-${qualifier}-deploy-role-${id}`, { mutable: false }),
    deploymentRole: Role.fromRoleArn(scope, `CfnExecRole-${id}`, `arn:aws:iam::${env.account}:role/cdk-${qualifier}-cfn-exec-role-${id}`, { mutable: false }),
  };
}
