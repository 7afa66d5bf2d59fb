import { Arn, ArnFormat, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnSecurityGroup, CfnSecurityGroupIngress } from 'aws-cdk-lib/aws-ec2';
import { Grant, type IGrantable, type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnModelPackageGroup } from 'aws-cdk-lib/aws-sagemaker';
import type { Construct } from 'constructs';
import { DATA_LAYOUT, resourceNames, type StageConfig } from '../config';
import { assetS3Uri, MlScripts } from '../constructs/ml-scripts';
import { acknowledgeIamWildcards } from '../constructs/nag-acknowledgements';
import { SageMakerPipeline } from '../constructs/sagemaker-pipeline';
import { customImageRepositoryArns, frameworkImageRepositoryArn, frameworkImageUri } from '../image-uris';
import { stagePipelineDefinitions } from '../sagemaker-pipelines';

/** Properties of the {@link TrainingStack}. */
export interface TrainingStackProps extends StackProps {
  /** Prefix of the names people type: pipelines `<namePrefix>-training` / `-inference`, group `<namePrefix>-models`. */
  readonly namePrefix: string;
  /** Instance types, tuning budget, quality gate, problem type, VPC and spot settings of this environment. */
  readonly config: StageConfig;
  /** Bucket with the uploaded datasets (`raw/`) and batch inputs (`batch/`). */
  readonly rawBucket: IBucket;
  /** Bucket with the curated data (`curated/`), the training pipeline's default input. */
  readonly processedBucket: IBucket;
  /** Bucket the pipelines write to (`pipelines/`, `predictions/`). */
  readonly artifactsBucket: IBucket;
  /** Key of the data buckets; also encrypts job volumes and outputs. */
  readonly dataKey: IKey;
}

/**
 * SageMaker training and batch inference: the execution role, the model package group (the model registry),
 * the ML scripts as assets, and two SageMaker pipelines whose definitions are built in TypeScript
 * (`lib/sagemaker-pipelines`), the same definitions local mode executes.
 */
export class TrainingStack extends Stack {
  /** Role that the pipelines and their jobs run as. */
  public readonly executionRole: IRole;
  /** Name of the model package group new models are registered in. */
  public readonly modelPackageGroupName: string;
  /** ARN of the model package group. */
  public readonly modelPackageGroupArn: string;
  /** The ARNs of the group's versions (`.../model-package/<group>/*`). */
  public readonly modelPackagesArn: string;
  /** Name of the training pipeline (Preprocess → Tune → Evaluate → CheckQuality → Register | Fail). */
  public readonly trainingPipelineName: string;
  /** Name of the inference pipeline (CreateModel → BatchTransform). */
  public readonly inferencePipelineName: string;

  constructor(scope: Construct, id: string, props: TrainingStackProps) {
    super(scope, id, props);
    const { config, namePrefix } = props;

    const names = resourceNames(namePrefix);
    this.modelPackageGroupName = names.modelPackageGroup;
    this.trainingPipelineName = names.trainingPipeline;
    this.inferencePipelineName = names.inferencePipeline;

    const scripts = new MlScripts(this, 'MlScripts');

    const role = new Role(this, 'SageMakerExecutionRole', {
      assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Runs the ${namePrefix} SageMaker pipelines and their processing, training, model and transform jobs`,
    });
    this.executionRole = role;

    const modelPackageGroup = new CfnModelPackageGroup(this, 'ModelPackageGroup', {
      modelPackageGroupName: this.modelPackageGroupName,
      modelPackageGroupDescription: `${config.problemType} models of ${namePrefix}, registered by the training pipeline`,
    });
    // The registry holds every model version; CloudFormation cannot delete a group that still has versions.
    modelPackageGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.modelPackageGroupArn = modelPackageGroup.attrModelPackageGroupArn;
    this.modelPackagesArn = this.sageMakerArn('model-package', `${this.modelPackageGroupName}/*`);

    const securityGroupIds = config.vpc ? [this.jobSecurityGroupId(config.vpc)] : undefined;
    const vpc = config.vpc && securityGroupIds ? { subnetIds: config.vpc.subnetIds, securityGroupIds } : undefined;

    this.grantJobPermissions(role, props, scripts, vpc !== undefined);

    const definitions = stagePipelineDefinitions(config, {
      region: this.region,
      roleArn: role.roleArn,
      buckets: {
        raw: props.rawBucket.bucketName,
        processed: props.processedBucket.bucketName,
        artifacts: props.artifactsBucket.bucketName,
      },
      kmsKeyId: props.dataKey.keyArn,
      imageUris: { sklearn: frameworkImageUri(this, 'sklearn'), xgboost: frameworkImageUri(this, 'xgboost') },
      scriptUris: {
        preprocess: assetS3Uri(scripts.preprocess),
        evaluate: assetS3Uri(scripts.evaluate),
        baseline: assetS3Uri(scripts.baseline),
        baselineStatistics: assetS3Uri(scripts.baselineStatistics),
        sourceDir: assetS3Uri(scripts.sourceDir),
      },
      modelPackageGroupName: this.modelPackageGroupName,
      vpc,
    });

    const trainingPipeline = new SageMakerPipeline(this, 'TrainingPipeline', {
      pipelineName: this.trainingPipelineName,
      description: 'Preprocess, tune, evaluate and register a model when it passes the quality gate',
      role,
      definition: definitions.training,
    });
    const inferencePipeline = new SageMakerPipeline(this, 'InferencePipeline', {
      pipelineName: this.inferencePipelineName,
      description: 'Batch predictions with an approved model package',
      role,
      definition: definitions.inference,
    });
    const rolePolicy = role.node.findChild('DefaultPolicy');
    for (const pipeline of [trainingPipeline, inferencePipeline]) {
      // Executions must not start before the role's permissions exist (the role itself is referenced already).
      pipeline.node.addDependency(rolePolicy);
    }
    trainingPipeline.node.addDependency(modelPackageGroup);

    new CfnOutput(this, 'TrainingPipelineName', { value: this.trainingPipelineName });
    new CfnOutput(this, 'InferencePipelineName', { value: this.inferencePipelineName });
    new CfnOutput(this, 'ModelPackageGroupName', { value: this.modelPackageGroupName });
    new CfnOutput(this, 'ExecutionRoleArn', { value: role.roleArn });
  }

  /** ARN of one of this stack's pipelines. */
  public pipelineArn(pipelineName: string): string {
    return this.sageMakerArn('pipeline', pipelineName);
  }

  /** Lets `grantee` start and follow executions of the training pipeline (e.g. the start-training handler). */
  public grantStartTrainingPipeline(grantee: IGrantable): Grant {
    return this.grantStartPipeline(grantee, this.trainingPipelineName);
  }

  /** Lets `grantee` start and follow executions of the inference pipeline. */
  public grantStartInferencePipeline(grantee: IGrantable): Grant {
    return this.grantStartPipeline(grantee, this.inferencePipelineName);
  }

  private grantStartPipeline(grantee: IGrantable, pipelineName: string): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:StartPipelineExecution', 'sagemaker:DescribePipeline'],
      resourceArns: [this.pipelineArn(pipelineName)],
    }).combine(Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:DescribePipelineExecution', 'sagemaker:ListPipelineExecutionSteps'],
      resourceArns: [`${this.pipelineArn(pipelineName)}/execution/*`],
    }));
  }

  private sageMakerArn(resource: string, resourceName: string): string {
    return Arn.format({ service: 'sagemaker', resource, resourceName }, this);
  }

  /** Everything the pipelines and their jobs do, scoped to this environment's resources. */
  private grantJobPermissions(role: Role, props: TrainingStackProps, scripts: MlScripts, inVpc: boolean): void {
    // Data: read the inputs by prefix, write pipeline outputs and predictions. Bucket grants add the KMS grants.
    const readPrefixes: [IBucket, string][] = [
      [props.rawBucket, DATA_LAYOUT.rawPrefix],
      [props.rawBucket, DATA_LAYOUT.batchInputPrefix],
      [props.processedBucket, DATA_LAYOUT.curatedPrefix],
    ];
    const writePrefixes: [IBucket, string][] = [
      [props.artifactsBucket, DATA_LAYOUT.pipelinesPrefix],
      [props.artifactsBucket, DATA_LAYOUT.predictionsPrefix],
    ];
    for (const [bucket, prefix] of readPrefixes) bucket.grantRead(role, `${prefix}*`);
    for (const [bucket, prefix] of writePrefixes) bucket.grantReadWrite(role, `${prefix}*`);
    scripts.grantRead(role);

    // Jobs encrypt their volumes and outputs with the data key; SageMaker creates grants on it for the volumes.
    props.dataKey.grantEncryptDecrypt(role);
    role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['kms:CreateGrant', 'kms:DescribeKey'],
      resources: [props.dataKey.keyArn],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));

    // The SageMaker resources the two pipelines create. Their names are generated per execution.
    const jobArns = ['processing-job', 'hyper-parameter-tuning-job', 'training-job', 'transform-job', 'model']
      .map((type) => this.sageMakerArn(type, '*'));
    role.addToPrincipalPolicy(new PolicyStatement({
      actions: [
        'sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob',
        'sagemaker:CreateHyperParameterTuningJob', 'sagemaker:DescribeHyperParameterTuningJob',
        'sagemaker:StopHyperParameterTuningJob', 'sagemaker:ListTrainingJobsForHyperParameterTuningJob',
        'sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob',
        'sagemaker:CreateTransformJob', 'sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob',
        'sagemaker:CreateModel', 'sagemaker:DescribeModel',
        'sagemaker:AddTags',
      ],
      resources: jobArns,
    }));
    const modelPackagesArn = this.sageMakerArn('model-package', `${this.modelPackageGroupName}/*`);
    role.addToPrincipalPolicy(new PolicyStatement({
      actions: [
        'sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup',
        'sagemaker:AddTags',
      ],
      resources: [this.sageMakerArn('model-package-group', this.modelPackageGroupName), modelPackagesArn],
    }));

    // Pass only itself, only to SageMaker.
    role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }));

    // Job logs and metrics.
    const logGroupsArn = Arn.format({
      service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }, this);
    const logStreamsArn = `${logGroupsArn}:log-stream:*`;
    role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [logGroupsArn, logStreamsArn],
    }));
    role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    }));

    // Pull the framework images.
    role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: [
        frameworkImageRepositoryArn(this, 'sklearn'),
        frameworkImageRepositoryArn(this, 'xgboost'),
        // The stage's custom training and inference images (config `images`), when it names them.
        ...customImageRepositoryArns(this, [props.config.images?.training, props.config.images?.inference]),
      ],
    }));
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));

    if (inVpc) {
      // Jobs in a VPC get elastic network interfaces; these EC2 actions have no resource-level scoping.
      role.addToPrincipalPolicy(new PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
          'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs',
          'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
        ],
        resources: ['*'],
      }));
    }

    const prefixObjects = (bucket: IBucket, prefix: string) => ({
      wildcard: bucket.arnForObjects(`${prefix}*`),
      reason: `Objects under ${prefix} only: the pipeline reads or writes whole prefixes whose keys it does not know in advance.`,
    });
    const jobTypes = 'processing, tuning, training and transform jobs and models';
    // On the policy document resource itself: the narrowest construct that holds these statements.
    const policyResource = role.node.findChild('DefaultPolicy').node.defaultChild;
    if (!policyResource) throw new Error(`${role.node.path} has no default policy to acknowledge findings on`);
    acknowledgeIamWildcards(policyResource, {
      actions: [
        ...['s3:GetObject*', 's3:GetBucket*', 's3:List*'].map((wildcard) => ({
          wildcard,
          reason: 'The read actions of Bucket.grantRead (object versions and tags, bucket location, listing), limited to the input prefixes.',
        })),
        ...['s3:DeleteObject*', 's3:Abort*'].map((wildcard) => ({
          wildcard,
          reason: 'Jobs overwrite their outputs and abort failed multipart uploads, only under pipelines/ and predictions/ of the artifacts bucket.',
        })),
        ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((wildcard) => ({
          wildcard,
          reason: 'Encrypting job outputs and volumes with the data key; the statement is limited to that one key.',
        })),
      ],
      resources: [
        ...readPrefixes.map(([bucket, prefix]) => prefixObjects(bucket, prefix)),
        ...writePrefixes.map(([bucket, prefix]) => prefixObjects(bucket, prefix)),
        ...jobArns.map((wildcard) => ({
          wildcard,
          reason: `SageMaker Pipelines names ${jobTypes} per execution; limited to this account, region and resource type.`,
        })),
        {
          wildcard: modelPackagesArn,
          reason: 'Versions of this environment\'s model package group only; version numbers are assigned at registration.',
        },
        {
          wildcard: logGroupsArn,
          reason: 'SageMaker jobs log to /aws/sagemaker/ProcessingJobs, TrainingJobs and TransformJobs (created on first use).',
        },
        { wildcard: logStreamsArn, reason: 'Log streams are named after each job, under the /aws/sagemaker/ log groups only.' },
        {
          wildcard: '*',
          reason: 'ecr:GetAuthorizationToken and cloudwatch:PutMetricData (conditioned on the /aws/sagemaker/ namespace)'
            + (inVpc ? ' and the EC2 network interface actions of VPC jobs' : '') + ' support no resource-level permissions.',
        },
      ],
    });
  }

  /** The given security group, or a new one in the VPC that lets a job's instances talk to each other. */
  private jobSecurityGroupId(vpc: NonNullable<StageConfig['vpc']>): string {
    if (vpc.securityGroupId !== 'create') return vpc.securityGroupId;
    const group = new CfnSecurityGroup(this, 'JobSecurityGroup', {
      groupDescription: 'SageMaker jobs of the ML platform (distributed training talks within the group)',
      vpcId: vpc.vpcId,
    });
    new CfnSecurityGroupIngress(this, 'JobSecurityGroupSelfIngress', {
      groupId: group.attrGroupId,
      sourceSecurityGroupId: group.attrGroupId,
      ipProtocol: '-1',
      description: 'Traffic between the instances of one job',
    });
    return group.attrGroupId;
  }
}
