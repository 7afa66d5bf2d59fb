import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { baseBranchPattern, GitHubPullRequestReview } from '../../../lib/constructs/github-pull-request-review';
import { createTestApp } from '../../helpers/app';
import { acknowledgements, allFindings, unacknowledgedFindings } from '../../helpers/nag';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const CONNECTION_ARN = 'arn:aws:codeconnections:us-east-2:123456789012:connection/0123abcd-4567-89ef-0123-456789abcdef';
const STAGES = [
  { stageName: 'dev', account: '111111111111', region: 'us-east-2' },
  { stageName: 'staging', account: '222222222222', region: 'eu-west-1' },
  { stageName: 'prod', account: '333333333333', region: 'eu-west-1' },
];

type Props = ConstructorParameters<typeof GitHubPullRequestReview>[2];

function reviewStack(props: Partial<Props> = {}): { stack: Stack; review: GitHubPullRequestReview; template: Template } {
  const app = createTestApp();
  const stack = new Stack(app, 'Review', { env: { account: '123456789012', region: 'us-east-2' } });
  const review = new GitHubPullRequestReview(stack, 'GitHubPullRequestReview', {
    repository: 'my-org/mlops-platform',
    connectionArn: CONNECTION_ARN,
    baseBranch: 'main',
    tokenSecret: Secret.fromSecretNameV2(stack, 'Token', 'mlops-platform/github-token'),
    stages: STAGES,
    ...props,
  });
  return { stack, review, template: Template.fromStack(stack) };
}

function policyStatements(stack: Stack, review: GitHubPullRequestReview, template: Template): Json[] {
  const policy = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: stack.getLogicalId(review.project.role!.node.defaultChild as never) }] },
  });
  return (Object.values(policy)[0] as Json).Properties.PolicyDocument.Statement as Json[];
}

describe('GitHubPullRequestReview', () => {
  test('GIVEN a GitHub repository WHEN synthesized THEN the project\'s source is GitHub with a webhook on pull requests opened, updated or reopened into the branch', () => {
    const { template } = reviewStack();
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: Match.objectLike({
        Type: 'GITHUB',
        Location: 'https://github.com/my-org/mlops-platform.git',
        ReportBuildStatus: true,
        Auth: { Type: 'CODECONNECTIONS', Resource: CONNECTION_ARN },
      }),
      Triggers: {
        Webhook: true,
        FilterGroups: [[
          { Type: 'EVENT', Pattern: 'PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED, PULL_REQUEST_REOPENED' },
          { Type: 'BASE_REF', Pattern: '^refs/heads/main$' },
        ]],
      },
    });
  });

  test('the base branch pattern matches that branch only, its regex characters escaped', () => {
    const pattern = new RegExp(baseBranchPattern('release/1.0'));
    expect(pattern.test('refs/heads/release/1.0')).toBe(true);
    expect(pattern.test('refs/heads/release/1x0')).toBe(false);
    expect(pattern.test('refs/heads/release/1.0-old')).toBe(false);
    expect(new RegExp(baseBranchPattern('main')).test('refs/heads/maintenance')).toBe(false);
  });

  test('the account\'s GitHub source credential is the connection (CODECONNECTIONS, the ARN as token), created before the project', () => {
    const { template, stack, review } = reviewStack();
    template.resourceCountIs('AWS::CodeBuild::SourceCredential', 1);
    template.hasResourceProperties('AWS::CodeBuild::SourceCredential', { AuthType: 'CODECONNECTIONS', ServerType: 'GITHUB', Token: CONNECTION_ARN });
    const [project] = Object.values(template.findResources('AWS::CodeBuild::Project')) as Json[];
    expect(project.DependsOn).toContain(stack.getLogicalId(review.sourceCredential!));
  });

  test('GIVEN createSourceCredential false THEN no source credential; the project still names the connection', () => {
    const { template } = reviewStack({ createSourceCredential: false });
    template.resourceCountIs('AWS::CodeBuild::SourceCredential', 0);
    template.hasResourceProperties('AWS::CodeBuild::Project', { Source: Match.objectLike({ Auth: { Type: 'CODECONNECTIONS', Resource: CONNECTION_ARN } }) });
  });

  test('the project runs the review script with the GitHub provider, the repository, the stages, the context and the token from Secrets Manager', () => {
    const { template } = reviewStack({ cdkContextArgs: '-c stagingAccount=222222222222' });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: Match.objectLike({
        BuildSpec: Match.serializedJson({
          version: '0.2',
          env: { shell: 'bash' },
          phases: {
            install: { 'runtime-versions': { nodejs: 20, python: 3.11, java: 'corretto17' } },
            build: { commands: ['bash scripts/ci/review.sh'] },
          },
        }),
      }),
      EncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] },
      Environment: Match.objectLike({
        Image: 'aws/codebuild/standard:7.0',
        PrivilegedMode: false,
        EnvironmentVariables: [
          { Name: 'REVIEW_PROVIDER', Type: 'PLAINTEXT', Value: 'github' },
          { Name: 'GITHUB_REPOSITORY', Type: 'PLAINTEXT', Value: 'my-org/mlops-platform' },
          { Name: 'REVIEW_STAGES', Type: 'PLAINTEXT', Value: 'dev staging prod' },
          { Name: 'CDK_CONTEXT_ARGS', Type: 'PLAINTEXT', Value: '-c stagingAccount=222222222222' },
          { Name: 'GITHUB_TOKEN', Type: 'SECRETS_MANAGER', Value: 'mlops-platform/github-token' },
          { Name: 'GITHUB_TOKEN_SECRET_NAME', Type: 'PLAINTEXT', Value: 'mlops-platform/github-token' },
        ],
      }),
      LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.stringLikeRegexp('Logs') } } },
      TimeoutInMinutes: 60,
    });
  });

  test('the role may use the connection, read the token secret and assume the stages\' lookup roles, nothing more', () => {
    const { stack, review, template } = reviewStack();
    const statements = policyStatements(stack, review, template);
    const connection = statements.find((s) => JSON.stringify(s.Resource) === JSON.stringify(CONNECTION_ARN));
    expect([connection.Action].flat().sort()).toEqual(['codeconnections:GetConnection', 'codeconnections:GetConnectionToken', 'codeconnections:UseConnection']);
    const secret = statements.find((s) => s.Action === 'secretsmanager:GetSecretValue');
    expect(JSON.stringify(secret.Resource)).toContain(':secret:mlops-platform/github-token-??????');
    const assume = statements.find((s) => s.Action === 'sts:AssumeRole');
    expect(assume.Resource).toEqual(STAGES.map((s) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${s.account}:role/cdk-hnb659fds-lookup-role-${s.account}-${s.region}`]],
    })));
    const actions = statements.flatMap((s) => [s.Action].flat()) as string[];
    expect(actions.filter((a) => /^(codeconnections|codestar-connections|secretsmanager|sts|iam|cloudformation|s3|codecommit):/.test(a)).sort()).toEqual([
      'codeconnections:GetConnection', 'codeconnections:GetConnectionToken', 'codeconnections:UseConnection',
      'secretsmanager:GetSecretValue', 'sts:AssumeRole',
    ]);
  });

  test('a codestar-connections ARN gets the codestar-connections actions (IAM matches the ARN\'s prefix)', () => {
    const arn = 'arn:aws:codestar-connections:us-east-2:123456789012:connection/abc-123';
    const { stack, review, template } = reviewStack({ connectionArn: arn });
    const connection = policyStatements(stack, review, template).find((s) => s.Resource === arn);
    expect([connection.Action].flat().sort()).toEqual(['codestar-connections:GetConnection', 'codestar-connections:GetConnectionToken', 'codestar-connections:UseConnection']);
  });

  test('a custom bootstrap qualifier names its lookup roles', () => {
    const { template } = reviewStack({ bootstrapQualifier: 'abc123' });
    expect(JSON.stringify(template.toJSON())).toContain(':role/cdk-abc123-lookup-role-111111111111-us-east-2');
  });

  test.each([
    ['no stage', { stages: [] }, 'stages is empty'],
    ['a repository without owner', { repository: 'mlops-platform' }, "repository is 'mlops-platform': expected owner/name"],
    ['a connection ARN of another service', { connectionArn: 'arn:aws:s3:::bucket' }, "connectionArn is 'arn:aws:s3:::bucket'"],
  ])('GIVEN %s THEN it is rejected naming the value', (_label, props, message) => {
    expect(() => reviewStack(props as Partial<Props>)).toThrow(message);
  });
});

describe('cdk-nag: the GitHub pull-request review', () => {
  test('GIVEN the construct WHEN checked with AwsSolutions THEN there is no unacknowledged finding, and every acknowledgement is used and explained', () => {
    const { stack } = reviewStack();
    expect(unacknowledgedFindings(stack)).toEqual([]);
    const findings = allFindings(stack).map((f) => f.ruleId);
    for (const ack of acknowledgements(stack)) {
      expect(findings).toContain(ack.ruleId);
      expect(ack.reason.length).toBeGreaterThan(20);
    }
  });
});
