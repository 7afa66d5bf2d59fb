import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import {
  BuildEnvironmentVariableType,
  type CfnProject,
  CfnSourceCredential,
  ComputeType,
  EventAction,
  FilterGroup,
  LinuxBuildImage,
  Project,
  Source,
} from 'aws-cdk-lib/aws-codebuild';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeGeneratedWildcards } from './nag-acknowledgements';
import { codeBuildWildcardReason } from './private/codebuild-wildcards';
import { lookupRoleArns, type PullRequestReviewProps, reviewBuildSpec } from './pull-request-review';

/** The GitHub webhook events that start a review: a pull request opened, updated with new commits, or reopened. */
export const REVIEWED_GITHUB_EVENTS = [
  EventAction.PULL_REQUEST_CREATED,
  EventAction.PULL_REQUEST_UPDATED,
  EventAction.PULL_REQUEST_REOPENED,
] as const;

/** The webhook's BASE_REF pattern for pull requests into exactly `branch` (CodeBuild matches it as a regular expression). */
export function baseBranchPattern(branch: string): string {
  return `^refs/heads/${branch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

/** Properties of a {@link GitHubPullRequestReview}. */
export interface GitHubPullRequestReviewProps extends Omit<PullRequestReviewProps, 'repository' | 'destinationBranches'> {
  /** The GitHub repository as `owner/name`. */
  readonly repository: string;

  /**
   * ARN of the AWS CodeConnections connection to GitHub (the pipeline's source connection): CodeBuild clones the
   * repository, creates the webhook and reports build status through it.
   */
  readonly connectionArn: string;

  /** Only pull requests into this branch are reviewed. */
  readonly baseBranch: string;

  /**
   * The secret holding the GitHub token the build posts its comment with (`GITHUB_TOKEN`). It is used for nothing
   * else: the repository is reached through the connection. It needs write access to the repository's pull
   * requests or issues.
   */
  readonly tokenSecret: ISecret;

  /**
   * Create the account's default CodeBuild source credential for GitHub (`AWS::CodeBuild::SourceCredential`,
   * `AuthType: CODECONNECTIONS`, the connection as `Token`). CodeBuild keeps one per account, region and server
   * type: turn this off when another stack already manages it. The project names the connection itself either way.
   * @default true
   */
  readonly createSourceCredential?: boolean;
}

/**
 * Reviews each pull request of a GitHub repository reached through AWS CodeConnections: a CodeBuild project whose
 * source is the repository, with a webhook on pull requests opened, updated or reopened into `baseBranch`, runs
 * `scripts/ci/review.sh` at the pull request's head commit: `npm ci`, `npm test`, `cdk diff` of each stage against
 * what is deployed (`--method template`, through the stage's CDK lookup role), then posts the result as a comment on
 * the pull request with GitHub's REST API (`scripts/cicd/diff-comment.ts --provider github`; the pull request
 * number comes from CodeBuild's `CODEBUILD_WEBHOOK_TRIGGER`, `pr/<number>`).
 *
 * CodeBuild reaches GitHub through the connection (the project's source `Auth`, and the account's default GitHub
 * source credential unless `createSourceCredential` is false); the token secret is only for the comment. The role
 * may use the connection, read the token, and assume the stages' lookup roles, nothing else.
 *
 * GitHub only: GitLab and Bitbucket connections are not covered (their webhook events, comment APIs and tokens
 * differ).
 */
export class GitHubPullRequestReview extends Construct {
  /** The CodeBuild project that reviews a pull request. */
  public readonly project: Project;
  /** The account's default GitHub source credential, when created. */
  public readonly sourceCredential?: CfnSourceCredential;
  /** The project's log group. */
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: GitHubPullRequestReviewProps) {
    super(scope, id);
    if (props.stages.length === 0) {
      throw new Error('GitHubPullRequestReview: stages is empty; name at least one stage to diff against (e.g. dev).');
    }
    const [owner, repo, ...rest] = props.repository.split('/');
    if (!owner || !repo || rest.length > 0) {
      throw new Error(`GitHubPullRequestReview: repository is '${props.repository}': expected owner/name, e.g. my-org/mlops-platform.`);
    }
    const connectionService = connectionServiceOf(props.connectionArn);

    const encryptionKey = props.encryptionKey ?? new Key(this, 'Key', {
      enableKeyRotation: true,
      description: 'Encrypts the GitHub pull-request review builds\' artifacts',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    if (props.createSourceCredential ?? true) {
      this.sourceCredential = new CfnSourceCredential(this, 'SourceCredential', {
        authType: 'CODECONNECTIONS',
        serverType: 'GITHUB',
        token: props.connectionArn,
      });
    }

    const tokenSecretId = props.tokenSecret.secretFullArn ?? props.tokenSecret.secretName;
    this.project = new Project(this, 'Project', {
      description: `Tests a pull request of ${props.repository} (GitHub) and comments with its cdk diff`,
      source: Source.gitHub({
        owner,
        repo,
        webhook: true,
        webhookFilters: [FilterGroup.inEventOf(...REVIEWED_GITHUB_EVENTS).andBaseRefIs(baseBranchPattern(props.baseBranch))],
      }),
      encryptionKey,
      environment: { buildImage: props.buildImage ?? LinuxBuildImage.STANDARD_7_0, computeType: ComputeType.MEDIUM },
      environmentVariables: {
        REVIEW_PROVIDER: { value: 'github' },
        GITHUB_REPOSITORY: { value: props.repository },
        REVIEW_STAGES: { value: props.stages.map((s) => s.stageName).join(' ') },
        CDK_CONTEXT_ARGS: { value: props.cdkContextArgs ?? '' },
        // CodeBuild reads the secret at the start of the build; CDK grants secretsmanager:GetSecretValue on it.
        GITHUB_TOKEN: { type: BuildEnvironmentVariableType.SECRETS_MANAGER, value: tokenSecretId },
        // Named in the error messages when GitHub refuses the token.
        GITHUB_TOKEN_SECRET_NAME: { value: props.tokenSecret.secretName },
      },
      buildSpec: reviewBuildSpec(),
      logging: { cloudWatch: { logGroup: this.logGroup } },
      timeout: props.timeout ?? Duration.minutes(60),
    });
    // This project uses the connection whatever the account's default credential is.
    (this.project.node.defaultChild as CfnProject).addPropertyOverride('Source.Auth', { Type: 'CODECONNECTIONS', Resource: props.connectionArn });
    if (this.sourceCredential) this.project.node.addDependency(this.sourceCredential);

    props.tokenSecret.encryptionKey?.grantDecrypt(this.project);
    // CodeBuild fetches the connection's token for the clone, the webhook and build status reports with the
    // project's role; the actions' prefix must match the connection ARN's.
    this.project.addToRolePolicy(new PolicyStatement({
      actions: connectionService.flatMap((service) => [`${service}:GetConnection`, `${service}:GetConnectionToken`, `${service}:UseConnection`]),
      resources: [props.connectionArn],
    }));
    this.project.addToRolePolicy(new PolicyStatement({
      actions: ['sts:AssumeRole'],
      resources: lookupRoleArns(props.stages, props.bootstrapQualifier),
    }));

    acknowledgeGeneratedWildcards(this.project.role!.node.findChild('DefaultPolicy').node.defaultChild!, (wildcard) => {
      const reason = codeBuildWildcardReason(wildcard);
      if (reason !== undefined) return reason;
      throw new Error(`GitHubPullRequestReview: unexplained wildcard ${wildcard.kind} '${wildcard.rendered}' in the project's policy.`);
    });
  }
}

/** The IAM service prefix of a connection ARN (`codeconnections` or the older `codestar-connections`); both when unknown at synth. */
function connectionServiceOf(connectionArn: string): string[] {
  if (Token.isUnresolved(connectionArn)) return ['codeconnections', 'codestar-connections'];
  const match = /^arn:[\w-]+:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/.exec(connectionArn);
  if (!match) {
    throw new Error(`GitHubPullRequestReview: connectionArn is '${connectionArn}': expected arn:aws:codeconnections:<region>:<account>:connection/<id> (or codestar-connections).`);
  }
  return [match[1]];
}
