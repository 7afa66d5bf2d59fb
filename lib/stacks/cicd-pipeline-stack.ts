import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { BuildSpec, ComputeType, LinuxBuildImage } from 'aws-cdk-lib/aws-codebuild';
import { type IRepository, Repository } from 'aws-cdk-lib/aws-codecommit';
import { type IStage, Pipeline, PipelineType, ProviderType } from 'aws-cdk-lib/aws-codepipeline';
import { CodeBuildAction, CodeCommitTrigger } from 'aws-cdk-lib/aws-codepipeline-actions';
import { CfnPolicy, Grant, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnKey, Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  CodeBuildStep,
  CodePipeline,
  type CodePipelineActionFactoryResult,
  CodePipelineSource,
  type FileSet,
  type ICodePipelineActionFactory,
  ManualApprovalStep,
  type ProduceActionOptions,
  Step,
} from 'aws-cdk-lib/pipelines';
import * as path from 'node:path';
import type { Construct } from 'constructs';
import { STAGE_NAMES, type CicdConfig, type StageConfig, type StageName } from '../config';
import { HANDLERS, startOnChangeEnvironment } from '../handlers';
import { HandlerFunction } from '../constructs/handler-function';
import { type CustomImageKind, ImageBuild, imageContentTag } from '../constructs/image-build';
import { acknowledgeGeneratedWildcards, type PolicyWildcard } from '../constructs/nag-acknowledgements';
import { handlerTarget, PatternRule } from '../constructs/pattern-rule';
import { GitHubPullRequestReview } from '../constructs/github-pull-request-review';
import { PullRequestReview, type ReviewStage } from '../constructs/pull-request-review';
import { SecureBucket } from '../constructs/secure-bucket';
import { MlPlatformStage } from '../stages/ml-platform-stage';
import { RetrainTriggerStack } from './retrain-trigger-stack';
import { ecrImageUri } from '../image-uris';

/** Properties of a {@link CicdPipelineStack}. */
export interface CicdPipelineStackProps extends Omit<StackProps, 'env'> {
  /** The validated CI/CD configuration (see `loadCicdConfig`); its account and region are the stack's. */
  readonly cicd: CicdConfig;
  /** The validated configuration of each environment, deployed in the order dev → staging → prod. */
  readonly stages: Readonly<Record<StageName, StageConfig>>;
  /**
   * The context (`-c key=value`) this app was synthesized with. The pipeline's own synth passes it again, so that
   * CodeBuild synthesizes the very pipeline that was deployed (and self-mutation does not revert it to defaults).
   * Values must not contain whitespace.
   * @default - none: cdk.json's context alone
   */
  readonly synthContext?: Readonly<Record<string, string>>;
  /**
   * Version of the CDK CLI that self-mutation and asset publishing install.
   * @default - the latest (CDK Pipelines warns)
   */
  readonly cliVersion?: string;
}

/** What the synth step and the post-deploy steps of the pipeline run on: the project's pinned runtimes. */
const BUILD_IMAGE = LinuxBuildImage.STANDARD_7_0;
// runtime-versions of the standard 7.0 image: Node 20 and Python 3.11 as the project pins them, Java 17 for local Spark.
const RUNTIME_VERSIONS = { nodejs: 20, python: 3.11, java: 'corretto17' };
/** Where scripts/ci/build.sh writes JUnit reports (CI_REPORTS_DIR) and where the pipeline synth lands. */
const REPORTS_DIR = 'reports';
const PIPELINE_ASSEMBLY_DIR = 'cdk.out/pipeline';
/** The repository root: the custom images' content tag is computed from its files at synth. */
const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');
/** Physical names of the custom image repositories: the environments' configs name the images by URI. */
const IMAGE_REPOSITORY_NAMES: Readonly<Record<CustomImageKind, string>> = {
  training: 'mlops-platform/training',
  inference: 'mlops-platform/inference',
};

/**
 * Runs the {@link ImageBuild} project as a pipeline action on the source, with the content tag the environments'
 * configs name (CDK Pipelines' own CodeBuildStep would create a second project).
 */
class ImageBuildStep extends Step implements ICodePipelineActionFactory {
  constructor(
    private readonly images: ImageBuild,
    private readonly input: FileSet,
    private readonly tag: string,
  ) {
    super('BuildImages');
    this.addDependencyFileSet(input);
  }

  public produceAction(stage: IStage, options: ProduceActionOptions): CodePipelineActionFactoryResult {
    stage.addAction(new CodeBuildAction({
      actionName: options.actionName,
      runOrder: options.runOrder,
      project: this.images.project,
      input: options.artifacts.toCodePipeline(this.input),
      environmentVariables: { IMAGE_TAG: { value: this.tag } },
    }));
    return { runOrdersConsumed: 1 };
  }
}

/**
 * The CI/CD pipeline (CDK Pipelines, pipeline type V2, self-mutating): source → build (install from scratch, the
 * README's tests, a local-mode run on small sample data, `cdk synth` and the template checks) → the pipeline
 * updates itself → dev → staging → approval → prod, each environment the same {@link MlPlatformStage}, each
 * optionally followed by a step that starts its training pipeline.
 *
 * Every build command lives in `scripts/ci/build.sh`, which `.ci/run` runs too.
 */
export class CicdPipelineStack extends Stack {
  /** The CDK pipeline. */
  public readonly pipeline: CodePipeline;
  /** The CodeCommit repository, when the source is CodeCommit. */
  public readonly repository?: IRepository;
  /** The environments, in deployment order. */
  public readonly platformStages: Readonly<Record<StageName, MlPlatformStage>>;
  /** The role of the retraining steps, when any environment retrains after deployment. */
  public readonly retrainRole?: Role;
  /** The custom image repositories and their build, when `customImages` is on. */
  public readonly images?: ImageBuild;
  /** The pull-request review, when the source is CodeCommit. */
  public readonly review?: PullRequestReview;
  /**
   * The pull-request review of a connection source on GitHub (`source.provider`, default github). GitLab and
   * Bitbucket sources get no review.
   */
  public readonly githubReview?: GitHubPullRequestReview;
  /**
   * The function that starts the pipeline on a push to the branch unless only docs-only paths changed, when the
   * source is CodeCommit (a connection source filters with the pipeline's V2 trigger instead).
   */
  public readonly startOnChange?: HandlerFunction;

  constructor(scope: Construct, id: string, props: CicdPipelineStackProps) {
    const { cicd, stages, synthContext = {}, cliVersion, ...stackProps } = props;
    super(scope, id, { ...stackProps, env: { account: cicd.pipelineAccount, region: cicd.pipelineRegion } });

    const key = new Key(this, 'ArtifactsKey', {
      description: 'Encrypts the artifacts of the ML platform CI/CD pipeline (shared with the environments\' deploy roles)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const accessLogs = new SecureBucket(this, 'ArtifactsAccessLogs', { removalPolicy: RemovalPolicy.RETAIN });
    const artifactBucket = new SecureBucket(this, 'Artifacts', { encryptionKey: key, serverAccessLogsBucket: accessLogs, removalPolicy: RemovalPolicy.RETAIN });
    // Passed in (rather than built by CDK Pipelines) to set V2 triggers on it; crossAccountKeys makes every
    // cross-account action role use the artifacts key.
    const codePipeline = new Pipeline(this, 'Pipeline', {
      pipelineName: 'mlops-platform-cicd',
      pipelineType: PipelineType.V2,
      crossAccountKeys: true,
      artifactBucket,
      // Self-mutation restarts the pipeline on its new definition.
      restartExecutionOnUpdate: true,
    });

    const { source, repository } = this.createSource(cicd);
    this.repository = repository;

    const contextArgs = Object.entries({ ...synthContext, pipeline: 'true' }).map(([k, v]) => {
      if (/\s/.test(k) || /\s/.test(v)) throw new Error(`context ${k}=${JSON.stringify(v)} contains whitespace; the pipeline's synth passes context as -c key=value words`);
      return `${k}=${v}`;
    });
    const synth = new CodeBuildStep('Build', {
      input: source,
      commands: ['bash scripts/ci/build.sh'],
      env: { CI_REPORTS_DIR: REPORTS_DIR, CDK_SYNTH_CONTEXT: contextArgs.join(' '), PIPELINE_ASSEMBLY_DIR },
      primaryOutputDirectory: PIPELINE_ASSEMBLY_DIR,
      buildEnvironment: { buildImage: BUILD_IMAGE, computeType: ComputeType.MEDIUM },
      timeout: Duration.minutes(60),
      partialBuildSpec: BuildSpec.fromObject({
        phases: { install: { 'runtime-versions': RUNTIME_VERSIONS } },
        reports: {
          jest: { files: ['jest.xml'], 'base-directory': REPORTS_DIR, 'file-format': 'JUNITXML' },
          pytest: { files: ['pytest.xml'], 'base-directory': REPORTS_DIR, 'file-format': 'JUNITXML' },
        },
      }),
    });

    this.pipeline = new CodePipeline(this, 'CdkPipeline', {
      codePipeline,
      synth,
      selfMutation: true,
      dockerEnabledForSynth: false,
      dockerEnabledForSelfMutation: false,
      cliVersion,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: BUILD_IMAGE },
        partialBuildSpec: BuildSpec.fromObject({ phases: { install: { 'runtime-versions': { nodejs: RUNTIME_VERSIONS.nodejs } } } }),
      },
    });

    const retraining = STAGE_NAMES.some((name) => cicd.retrainAfterDeploy[name]);
    if (retraining) {
      this.retrainRole = new Role(this, 'RetrainRole', {
        assumedBy: new ServicePrincipal('codebuild.amazonaws.com'),
        description: 'The CI/CD pipeline\'s retraining steps: assume each environment\'s retrain-trigger role',
      });
    }

    // Custom images: built before the first environment deploys, tagged by their sources, named in every config.
    let imageStep: ImageBuildStep | undefined;
    let customImages: StageConfig['images'];
    if (cicd.customImages) {
      const elsewhere = STAGE_NAMES.filter((name) => stages[name].region !== cicd.pipelineRegion);
      if (elsewhere.length > 0) {
        throw new Error(
          `customImages: ${elsewhere.map((name) => `${name} is in ${stages[name].region}`).join(', ')}, the images in ${cicd.pipelineRegion}: ` +
            'SageMaker pulls a job\'s image from the job\'s region. Deploy those environments in the pipeline\'s region, or turn customImages off.',
        );
      }
      const tag = imageContentTag(REPOSITORY_ROOT);
      const pullAccounts = [...new Set(STAGE_NAMES.map((name) => stages[name].account))].filter((account) => account !== cicd.pipelineAccount);
      this.images = new ImageBuild(this, 'Images', { repositoryNames: IMAGE_REPOSITORY_NAMES, pullAccounts });
      imageStep = new ImageBuildStep(this.images, source.primaryOutput!, tag);
      const uri = (kind: CustomImageKind): string =>
        ecrImageUri(cicd.pipelineAccount, cicd.pipelineRegion, IMAGE_REPOSITORY_NAMES[kind], tag);
      customImages = { training: uri('training'), inference: uri('inference') };
    }

    const platformStages: Partial<Record<StageName, MlPlatformStage>> = {};
    for (const name of STAGE_NAMES) {
      const config: StageConfig = customImages ? { ...stages[name], images: customImages } : stages[name];
      const stage = new MlPlatformStage(this, name, { config });
      platformStages[name] = stage;
      const pre: Step[] = name === 'prod'
        ? [new ManualApprovalStep('ApproveProduction', { comment: 'Deploy to production? dev and staging are deployed (and retrained, if configured) with this commit.' })]
        : [];
      if (name === STAGE_NAMES[0] && imageStep) pre.push(imageStep);
      const post: Step[] = [];
      if (cicd.retrainAfterDeploy[name] && this.retrainRole) {
        post.push(this.retrainStep(name, config, cicd, source, this.retrainRole));
      }
      this.pipeline.addStage(stage, { pre, post });
    }
    this.platformStages = platformStages as Record<StageName, MlPlatformStage>;

    this.pipeline.buildPipeline();
    this.secureCrossRegionSupport(codePipeline);
    if (cicd.source.kind === 'connection') {
      // A push that changes only docsOnlyPaths does not start the pipeline (CodePipeline V2 trigger filters; only
      // connection sources support them).
      codePipeline.addTrigger({
        providerType: ProviderType.CODE_STAR_SOURCE_CONNECTION,
        gitConfiguration: {
          sourceAction: codePipeline.stages[0].actions[0],
          pushFilter: [{
            branchesIncludes: [cicd.branch],
            ...(cicd.docsOnlyPaths.length > 0 ? { filePathsExcludes: [...cicd.docsOnlyPaths] } : {}),
          }],
        },
      });
    }
    // Each pull request into the branch gets the tests and each environment's cdk diff as a comment.
    const reviewStages: ReviewStage[] = STAGE_NAMES.map((name) => ({ stageName: name, account: stages[name].account, region: stages[name].region }));
    // The diffs see the context this app was synthesized with, not the pipeline switch.
    const reviewContextArgs = contextArgs.filter((arg) => !arg.startsWith('pipeline=')).map((arg) => `-c ${arg}`).join(' ');
    if (repository) {
      this.startOnChange = this.startOnPush(repository, codePipeline, cicd);
      this.review = new PullRequestReview(this, 'PullRequestReview', {
        repository,
        stages: reviewStages,
        destinationBranches: [cicd.branch],
        cdkContextArgs: reviewContextArgs,
      });
    } else if (cicd.source.kind === 'connection' && (cicd.source.provider ?? 'github') === 'github') {
      // GitLab and Bitbucket: no review (their webhook events and comment APIs are not covered).
      this.githubReview = new GitHubPullRequestReview(this, 'GitHubPullRequestReview', {
        repository: cicd.source.repository,
        connectionArn: cicd.source.connectionArn,
        baseBranch: cicd.branch,
        tokenSecret: Secret.fromSecretNameV2(this, 'ReviewTokenSecret', cicd.reviewTokenSecretName),
        stages: reviewStages,
        cdkContextArgs: reviewContextArgs,
      });
    }
    this.acknowledgeFindings(codePipeline);
  }

  private createSource(cicd: CicdConfig): { source: CodePipelineSource; repository?: IRepository } {
    const { source, branch } = cicd;
    if (source.kind === 'connection') {
      return { source: CodePipelineSource.connection(source.repository, branch, { connectionArn: source.connectionArn, actionName: 'Source' }) };
    }
    let repository: IRepository;
    if (source.create) {
      const created = new Repository(this, 'Repository', {
        // People clone it by this name.
        repositoryName: source.repositoryName,
        description: 'The ML platform: CDK app, ML scripts, ETL job and local mode',
      });
      created.applyRemovalPolicy(RemovalPolicy.RETAIN);
      repository = created;
    } else {
      repository = Repository.fromRepositoryName(this, 'Repository', source.repositoryName);
    }
    // No trigger of CDK's own: startOnPush's rule and function start the pipeline (CodeCommit has no V2 trigger filters).
    return {
      source: CodePipelineSource.codeCommit(repository, branch, { actionName: 'Source', trigger: CodeCommitTrigger.NONE }),
      repository,
    };
  }

  /**
   * The CodeCommit source's trigger: an EventBridge rule on the branch's referenceCreated/referenceUpdated events
   * invokes the start-on-change function, which asks CodeCommit which paths the push changed and starts the pipeline
   * unless every one matches `docsOnlyPaths` (what the V2 trigger's `filePathsExcludes` do for connection sources).
   */
  private startOnPush(repository: IRepository, codePipeline: Pipeline, cicd: CicdConfig): HandlerFunction {
    const startOnChange = new HandlerFunction(this, 'StartOnChange', {
      handler: HANDLERS.cicdStartOnChange,
      description: `Starts ${codePipeline.pipelineName} on a push to ${cicd.branch}, unless it changed only docs-only paths`,
      environment: startOnChangeEnvironment({
        repositoryName: repository.repositoryName,
        branchName: cicd.branch,
        pipelineName: codePipeline.pipelineName,
        docsOnlyPaths: cicd.docsOnlyPaths,
      }),
      logRetention: RetentionDays.ONE_MONTH,
      // Pushes to one branch: one at a time is plenty, and CodePipeline supersedes older executions anyway.
      reservedConcurrentExecutions: 2,
    });
    Grant.addToPrincipal({ grantee: startOnChange.function, actions: ['codecommit:GetDifferences'], resourceArns: [repository.repositoryArn] });
    Grant.addToPrincipal({ grantee: startOnChange.function, actions: ['codepipeline:StartPipelineExecution'], resourceArns: [codePipeline.pipelineArn] });
    new PatternRule(this, 'StartOnPush', {
      description: `A push to ${cicd.branch} of the CodeCommit repository: start-on-change decides whether it starts the pipeline`,
      eventPattern: {
        source: ['aws.codecommit'],
        'detail-type': ['CodeCommit Repository State Change'],
        resources: [repository.repositoryArn],
        detail: { event: ['referenceCreated', 'referenceUpdated'], referenceType: ['branch'], referenceName: [cicd.branch] },
      },
      target: handlerTarget(startOnChange.function, startOnChange.deadLetterQueue),
    });
    // The dead-letter queue holds pushes that started nothing after every retry: someone must start the pipeline.
    startOnChange.deadLetterQueue.metricApproximateNumberOfMessagesVisible().createAlarm(this, 'StartOnChangeFailedAlarm', {
      alarmDescription: `A push to ${cicd.branch} could not be checked or could not start ${codePipeline.pipelineName} (see the start-on-change logs and dead-letter queue); start the pipeline by hand with aws codepipeline start-pipeline-execution --name ${codePipeline.pipelineName}`,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    return startOnChange;
  }

  /**
   * The post-deploy step that starts an environment's training pipeline. Its CodeBuild project runs in the
   * pipeline's account, so it assumes the environment's retrain-trigger role (a {@link RetrainTriggerStack} added
   * to the stage), in whatever account that is.
   */
  private retrainStep(name: StageName, config: StageConfig, cicd: CicdConfig, source: CodePipelineSource, role: Role): CodeBuildStep {
    const stage = this.node.findChild(name) as MlPlatformStage;
    new RetrainTriggerStack(stage, 'RetrainTrigger', {
      stageName: name,
      pipelineAccount: cicd.pipelineAccount,
      description: `ML platform ${name}: the role the CI/CD pipeline assumes to start the training pipeline`,
    });
    const roleArn = RetrainTriggerStack.roleArnOf(name, config.account, this.partition);
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sts:AssumeRole'], resources: [roleArn] }));
    const args = ['--stage', name, '--region', config.region, '--role-arn', roleArn, ...(cicd.waitForTraining ? ['--wait'] : [])];
    return new CodeBuildStep(`StartTraining-${name}`, {
      input: source,
      installCommands: ['npm ci --no-audit --no-fund'],
      commands: [`npx ts-node --transpile-only scripts/cicd/start-training.ts ${args.join(' ')}`],
      role,
      buildEnvironment: { buildImage: BUILD_IMAGE },
      // Training with tuning takes up to a few hours; without --wait the step only starts it.
      timeout: cicd.waitForTraining ? Duration.hours(8) : Duration.minutes(20),
    });
  }

  /**
   * An environment in another region gets a support stack there with CodePipeline's artifact replication bucket and
   * its key: rotate the key; the bucket's transient artifacts get no access logs of their own.
   */
  private secureCrossRegionSupport(codePipeline: Pipeline): void {
    for (const support of Object.values(codePipeline.crossRegionSupport)) {
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

  /** cdk-nag's IAM5 findings of the roles CDK Pipelines and CodePipeline generate, each wildcard explained. */
  private acknowledgeFindings(codePipeline: Pipeline): void {
    // Replication buckets of other regions have generated physical names, known at synth.
    const replicationBuckets = Object.values(codePipeline.crossRegionSupport).map((support) => String(this.resolve(support.replicationBucket.bucketName)));
    const reason = (wildcard: PolicyWildcard): string => {
      const w = wildcard.rendered;
      if (w.startsWith('s3:')) return 'CodePipeline\'s artifact grants (Bucket.grantRead/ReadWrite) on this pipeline\'s artifact bucket only.';
      if (w.startsWith('kms:')) return 'CodePipeline\'s artifact grants: encrypting and decrypting with this pipeline\'s artifacts key only.';
      if (w.startsWith('codebuild:')) return 'CodeBuild report groups of this pipeline\'s projects (CDK grants the project\'s report actions).';
      if (replicationBuckets.some((bucket) => w.includes(`:::${bucket}`))) return 'CodePipeline\'s artifact replication bucket for actions in another region (its support stack), one folder per execution.';
      if (w.includes('Artifacts')) return 'Artifacts of this pipeline\'s executions, one folder per execution.';
      if (w.includes(':log-group:/aws/codebuild/')) return 'Log streams of this pipeline\'s CodeBuild projects; CodeBuild names a stream per build.';
      if (w.includes(':report-group/')) return 'Report groups of this pipeline\'s CodeBuild projects; CodeBuild creates one per report name.';
      if (w.includes('cdk-') && w.includes('-role-')) return 'CDK\'s bootstrap roles (deploy, file and image publishing, lookup) of the target accounts; CDK Pipelines assumes them by their qualifier pattern.';
      if (/^arn:\*:iam::\d{12}:role\/\*$/.test(w)) return 'Self-mutation assumes CDK\'s bootstrap roles of each target account; the statement is conditioned on their aws-cdk:bootstrap-role tag (deploy, file-publishing, image-publishing).';
      if (w === '*') return 'Actions without resource-level permissions (codepipeline:PutJobSuccessResult, cloudformation:DescribeStacks from the self-mutation step).';
      throw new Error(`no reason is known for the wildcard '${w}' of a CI/CD pipeline role: explain it in CicdPipelineStack.acknowledgeFindings`);
    };
    for (const construct of this.node.findAll()) {
      // The environments, the image build, the review and the start-on-change function acknowledge their own findings.
      const ownFindings = (scope: Construct): boolean =>
        scope instanceof MlPlatformStage || scope === this.images || scope === this.review || scope === this.githubReview
        || scope === this.startOnChange;
      if (construct instanceof CfnPolicy && !construct.node.scopes.some(ownFindings)) {
        acknowledgeGeneratedWildcards(construct, reason);
      }
    }
  }
}
