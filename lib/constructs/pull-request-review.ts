import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BuildSpec,
  ComputeType,
  type IBuildImage,
  LinuxBuildImage,
  Project,
  Source,
} from 'aws-cdk-lib/aws-codebuild';
import type { IRepository } from 'aws-cdk-lib/aws-codecommit';
import { EventField, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { CodeBuildProject } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EventPatternJson } from '../events/patterns';
import { acknowledgeGeneratedWildcards } from './nag-acknowledgements';
import { codeBuildWildcardReason } from './private/codebuild-wildcards';
import { PatternRule } from './pattern-rule';

/** The pull request events that start a review: a new pull request, and new commits on its source branch. */
export const REVIEWED_PULL_REQUEST_EVENTS = ['pullRequestCreated', 'pullRequestSourceBranchUpdated'] as const;

/**
 * A pull request of `repositoryArn` opened, or its source branch updated, while it is open (the review rule). With
 * `destinationBranches`, only pull requests into those branches.
 */
export function pullRequestReviewPattern(repositoryArn: string, destinationBranches?: readonly string[]): EventPatternJson {
  return {
    source: ['aws.codecommit'],
    'detail-type': ['CodeCommit Pull Request State Change'],
    resources: [repositoryArn],
    detail: {
      event: [...REVIEWED_PULL_REQUEST_EVENTS],
      pullRequestStatus: ['Open'],
      ...(destinationBranches ? { destinationReference: destinationBranches.map((b) => `refs/heads/${b}`) } : {}),
    },
  };
}

/**
 * The buildspec of every review project: the project's pinned runtimes (Java for the tests' Spark), then
 * `scripts/ci/review.sh`, which `REVIEW_PROVIDER` tells where to post.
 */
export function reviewBuildSpec(): BuildSpec {
  return BuildSpec.fromObject({
    version: '0.2',
    env: { shell: 'bash' },
    phases: {
      install: { 'runtime-versions': { nodejs: 20, python: 3.11, java: 'corretto17' } },
      build: { commands: ['bash scripts/ci/review.sh'] },
    },
  });
}

/** The CDK lookup roles of `stages` (`cdk-<qualifier>-lookup-role-<account>-<region>`): all `cdk diff --method template` needs. */
export function lookupRoleArns(stages: readonly ReviewStage[], qualifier = 'hnb659fds'): string[] {
  return stages.map((s) => `arn:${Aws.PARTITION}:iam::${s.account}:role/cdk-${qualifier}-lookup-role-${s.account}-${s.region}`);
}

/** One environment whose deployed stacks the review diffs against. */
export interface ReviewStage {
  /** The stage name given to the app (`-c stage=<name>`). */
  readonly stageName: string;
  /** Its account: the review assumes the CDK lookup role there. */
  readonly account: string;
  /** Its region. */
  readonly region: string;
}

/** Properties of a {@link PullRequestReview}. */
export interface PullRequestReviewProps {
  /** The repository whose pull requests are reviewed (the build clones it at the pull request's source commit). */
  readonly repository: IRepository;

  /**
   * The environments to diff against, in order (`REVIEW_STAGES` of `scripts/ci/review.sh`). Each must be bootstrapped
   * trusting this account for lookups (`cdk bootstrap --trust-for-lookup <account>`, or `--trust`).
   */
  readonly stages: readonly ReviewStage[];

  /**
   * Only pull requests into these branches are reviewed.
   * @default - pull requests into any branch
   */
  readonly destinationBranches?: readonly string[];

  /**
   * Extra `cdk` arguments for each diff (`CDK_CONTEXT_ARGS`), e.g. `-c stagingAccount=123456789012 -c stagingRegion=eu-west-1`:
   * the app must synthesize each stage for the accounts and regions that `stages` names.
   * @default - none: the app's own defaults
   */
  readonly cdkContextArgs?: string;

  /**
   * The CDK bootstrap qualifier of the target environments (the lookup role is `cdk-<qualifier>-lookup-role-<account>-<region>`).
   * @default 'hnb659fds'
   */
  readonly bootstrapQualifier?: string;

  /**
   * Key that encrypts the build's artifacts and cache.
   * @default - a new customer-managed key with rotation on
   */
  readonly encryptionKey?: IKey;

  /**
   * Build image; must offer Node.js 20, Python 3.11 and Java 17 (the buildspec's runtime versions: the tests run Spark).
   * @default LinuxBuildImage.STANDARD_7_0
   */
  readonly buildImage?: IBuildImage;

  /**
   * Retention of the build logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;

  /**
   * Build time limit (install, tests and three diffs).
   * @default Duration.minutes(60)
   */
  readonly timeout?: Duration;
}

/**
 * Reviews each pull request of a CodeCommit repository: an EventBridge rule on "CodeCommit Pull Request State
 * Change" (`pullRequestCreated`, `pullRequestSourceBranchUpdated`) starts a CodeBuild build at the pull request's
 * source commit, which runs `scripts/ci/review.sh`: `npm ci`, `npm test`, `cdk diff` of each stage against what is
 * deployed (`--method template`, reading the deployed templates through the stage's CDK lookup role), and posts the
 * result as a pull request comment (`scripts/cicd/diff-comment.ts`, `PostCommentForPullRequest`).
 *
 * The build gets `PULL_REQUEST_ID`, `REPOSITORY_NAME`, `BEFORE_COMMIT_ID` (the destination branch's tip) and
 * `AFTER_COMMIT_ID` (the source commit) from the event. Its role may pull the repository, comment on its pull
 * requests and assume the stages' lookup roles, nothing else.
 *
 * **A CodeConnections source** has no CodeCommit events: a GitHub repository gets `GitHubPullRequestReview`
 * (`./github-pull-request-review`), a CodeBuild webhook project with the same buildspec and script. GitLab and
 * Bitbucket repositories get no review.
 */
export class PullRequestReview extends Construct {
  /** The CodeBuild project that reviews a pull request. */
  public readonly project: Project;
  /** The rule that starts it. */
  public readonly rule: PatternRule;
  /** The project's log group. */
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PullRequestReviewProps) {
    super(scope, id);
    if (props.stages.length === 0) {
      throw new Error('PullRequestReview: stages is empty; name at least one stage to diff against (e.g. dev).');
    }
    const qualifier = props.bootstrapQualifier ?? 'hnb659fds';
    const encryptionKey = props.encryptionKey ?? new Key(this, 'Key', {
      enableKeyRotation: true,
      description: 'Encrypts the pull-request review builds\' artifacts',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.project = new Project(this, 'Project', {
      description: `Tests a pull request of ${props.repository.repositoryName} and comments with its cdk diff`,
      source: Source.codeCommit({ repository: props.repository }),
      encryptionKey,
      environment: { buildImage: props.buildImage ?? LinuxBuildImage.STANDARD_7_0, computeType: ComputeType.MEDIUM },
      environmentVariables: {
        REVIEW_STAGES: { value: props.stages.map((s) => s.stageName).join(' ') },
        CDK_CONTEXT_ARGS: { value: props.cdkContextArgs ?? '' },
      },
      buildSpec: reviewBuildSpec(),
      logging: { cloudWatch: { logGroup: this.logGroup } },
      timeout: props.timeout ?? Duration.minutes(60),
    });

    props.repository.grant(this.project, 'codecommit:PostCommentForPullRequest');
    this.project.addToRolePolicy(new PolicyStatement({
      actions: ['sts:AssumeRole'],
      resources: lookupRoleArns(props.stages, qualifier),
    }));

    const detail = (field: string): string => EventField.fromPath(`$.detail.${field}`);
    this.rule = new PatternRule(this, 'Rule', {
      description: `Reviews pull requests of ${props.repository.repositoryName}: tests and cdk diff as a comment`,
      eventPattern: pullRequestReviewPattern(props.repository.repositoryArn, props.destinationBranches),
      target: new CodeBuildProject(this.project, {
        // StartBuild parameters: the build checks out the pull request's source commit.
        event: RuleTargetInput.fromObject({
          sourceVersion: detail('sourceCommit'),
          environmentVariablesOverride: [
            { name: 'PULL_REQUEST_ID', value: detail('pullRequestId'), type: 'PLAINTEXT' },
            { name: 'REPOSITORY_NAME', value: props.repository.repositoryName, type: 'PLAINTEXT' },
            { name: 'BEFORE_COMMIT_ID', value: detail('destinationCommit'), type: 'PLAINTEXT' },
            { name: 'AFTER_COMMIT_ID', value: detail('sourceCommit'), type: 'PLAINTEXT' },
          ],
        }),
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    });

    acknowledgeGeneratedWildcards(this.project.role!.node.findChild('DefaultPolicy').node.defaultChild!, (wildcard) => {
      const reason = codeBuildWildcardReason(wildcard);
      if (reason !== undefined) return reason;
      throw new Error(`PullRequestReview: unexplained wildcard ${wildcard.kind} '${wildcard.rendered}' in the project's policy.`);
    });
  }
}
