import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Repository } from 'aws-cdk-lib/aws-codecommit';
import { ImageBuild } from '../../../lib/constructs/image-build';
import { PullRequestReview, pullRequestReviewPattern } from '../../../lib/constructs/pull-request-review';
import { matchesEventPattern } from '../../../local/events/event-pattern';
import { createTestApp } from '../../helpers/app';
import { acknowledgements, allFindings, unacknowledgedFindings } from '../../helpers/nag';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Event = any;

const EVENTS = path.join(__dirname, '..', '..', 'fixtures', 'events', 'aws.codecommit');
const sample = (name: string): Event => JSON.parse(fs.readFileSync(path.join(EVENTS, name), 'utf8'));
const SAMPLES = Object.fromEntries(fs.readdirSync(EVENTS).filter((f) => f.endsWith('.json')).map((f) => [f, sample(f)]));
// The published samples' repository.
const REPOSITORY_ARN = 'arn:aws:codecommit:us-east-2:123456789012:MyDemoRepo';
const STAGES = [
  { stageName: 'dev', account: '111111111111', region: 'us-east-2' },
  { stageName: 'staging', account: '222222222222', region: 'eu-west-1' },
  { stageName: 'prod', account: '333333333333', region: 'eu-west-1' },
];

function reviewStack(props: Partial<ConstructorParameters<typeof PullRequestReview>[2]> = {}): { stack: Stack; review: PullRequestReview } {
  const app = createTestApp();
  const stack = new Stack(app, 'Review', { env: { account: '123456789012', region: 'us-east-2' } });
  const repository = Repository.fromRepositoryArn(stack, 'Repository', REPOSITORY_ARN);
  const review = new PullRequestReview(stack, 'PullRequestReview', { repository, stages: STAGES, ...props });
  return { stack, review };
}

/** EventBridge's input transformer, for the placeholders the rule uses (`<name>` → the JSON value at its path). */
function transform(target: { InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } }, event: Event): unknown {
  const { InputPathsMap, InputTemplate } = target.InputTransformer;
  let text = InputTemplate;
  for (const [name, jsonPath] of Object.entries(InputPathsMap)) {
    const value = jsonPath.replace(/^\$\./, '').split('.').reduce((v: Event, key) => v?.[key], event);
    text = text.split(`<${name}>`).join(JSON.stringify(value));
  }
  return JSON.parse(text);
}

describe('PullRequestReview', () => {
  test('GIVEN AWS\'s sample CodeCommit events WHEN matched with the rule\'s pattern THEN only an opened pull request and new commits on it start a review', () => {
    const { stack } = reviewStack();
    const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
    const [rule] = Object.values(rules) as { Properties: { EventPattern: Record<string, unknown> } }[];
    const pattern = rule.Properties.EventPattern;

    const closedButUpdated = structuredClone(SAMPLES['codecommit-pull-request-state-change-source-branch-updated.json']);
    closedButUpdated.detail.pullRequestStatus = 'Closed';
    const otherRepository = structuredClone(SAMPLES['codecommit-pull-request-state-change-created.json']);
    otherRepository.resources = ['arn:aws:codecommit:us-east-2:123456789012:OtherRepo'];
    const events: Record<string, Event> = { ...SAMPLES, closedButUpdated, otherRepository };

    const matched = Object.entries(events).filter(([, e]) => matchesEventPattern(pattern, e)).map(([name]) => name).sort();
    expect(matched).toEqual([
      'codecommit-pull-request-state-change-created.json',
      'codecommit-pull-request-state-change-source-branch-updated.json',
    ]);
    expect(pattern).toEqual(pullRequestReviewPattern(REPOSITORY_ARN));
  });

  test('GIVEN destination branches WHEN a pull request targets another branch THEN it is not reviewed', () => {
    const pattern = pullRequestReviewPattern(REPOSITORY_ARN, ['main']);
    const created = SAMPLES['codecommit-pull-request-state-change-created.json'];
    const toRelease = structuredClone(created);
    toRelease.detail.destinationReference = 'refs/heads/release';
    expect(matchesEventPattern(pattern, created)).toBe(true);
    expect(matchesEventPattern(pattern, toRelease)).toBe(false);
  });

  test('GIVEN a pull request event WHEN the rule starts the build THEN it builds the source commit with the pull request\'s ids', () => {
    const { stack } = reviewStack();
    const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')) as Event[];
    const [target] = rule.Properties.Targets;
    const input = transform(target, SAMPLES['codecommit-pull-request-state-change-source-branch-updated.json']);
    expect(input).toEqual({
      sourceVersion: '64875001EXAMPLE',
      environmentVariablesOverride: [
        { name: 'PULL_REQUEST_ID', value: '1', type: 'PLAINTEXT' },
        { name: 'REPOSITORY_NAME', value: 'MyDemoRepo', type: 'PLAINTEXT' },
        { name: 'BEFORE_COMMIT_ID', value: '7644990EXAMPLE', type: 'PLAINTEXT' },
        { name: 'AFTER_COMMIT_ID', value: '64875001EXAMPLE', type: 'PLAINTEXT' },
      ],
    });
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
  });

  test('the project clones the repository, runs only the review script, is encrypted and logs to its own group', () => {
    const { stack } = reviewStack({ cdkContextArgs: '-c stagingAccount=222222222222' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: {
        Type: 'CODECOMMIT',
        Location: Match.anyValue(),
        BuildSpec: Match.serializedJson({
          version: '0.2',
          env: { shell: 'bash' },
          phases: {
            install: { 'runtime-versions': { nodejs: 20, python: 3.11, java: 'corretto17' } },
            build: { commands: ['bash scripts/ci/review.sh'] },
          },
        }),
      },
      EncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] },
      Environment: Match.objectLike({
        Image: 'aws/codebuild/standard:7.0',
        PrivilegedMode: false,
        EnvironmentVariables: [
          { Name: 'REVIEW_STAGES', Type: 'PLAINTEXT', Value: 'dev staging prod' },
          { Name: 'CDK_CONTEXT_ARGS', Type: 'PLAINTEXT', Value: '-c stagingAccount=222222222222' },
        ],
      }),
      LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.stringLikeRegexp('Logs') } } },
      TimeoutInMinutes: 60,
    });
    const [project] = Object.values(template.findResources('AWS::CodeBuild::Project')) as Event[];
    expect(JSON.stringify(project.Properties.Source.Location)).toContain('/v1/repos/MyDemoRepo');
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('the project role may pull and comment on this repository and assume the stages\' lookup roles, nothing more', () => {
    const { stack, review } = reviewStack();
    const policy = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: stack.getLogicalId(review.project.role!.node.defaultChild as never) }] },
    });
    const statements = (Object.values(policy)[0] as Event).Properties.PolicyDocument.Statement as Event[];
    const actionsOn = (resource: unknown): string[] => statements
      .filter((s) => [s.Resource].flat().some((r: unknown) => JSON.stringify(r) === JSON.stringify(resource)))
      .flatMap((s) => [s.Action].flat()).sort();
    expect(actionsOn(REPOSITORY_ARN)).toEqual(['codecommit:GitPull', 'codecommit:PostCommentForPullRequest']);
    const assume = statements.find((s) => s.Action === 'sts:AssumeRole');
    expect(assume.Resource).toEqual(STAGES.map((s) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${s.account}:role/cdk-hnb659fds-lookup-role-${s.account}-${s.region}`]],
    })));
    const actions = statements.flatMap((s) => [s.Action].flat()) as string[];
    expect(actions.filter((a) => a.startsWith('codecommit:') || a.startsWith('sts:'))).toEqual(
      expect.arrayContaining(['codecommit:GitPull', 'codecommit:PostCommentForPullRequest', 'sts:AssumeRole']),
    );
    expect(actions.filter((a) => /^(codecommit|sts|iam|cloudformation|s3):/.test(a)).sort()).toEqual(
      ['codecommit:GitPull', 'codecommit:PostCommentForPullRequest', 'sts:AssumeRole'],
    );
  });

  test('a custom bootstrap qualifier names its lookup roles', () => {
    const { stack } = reviewStack({ bootstrapQualifier: 'abc123' });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain(':role/cdk-abc123-lookup-role-111111111111-us-east-2');
  });

  test('no stage to diff against is rejected', () => {
    expect(() => reviewStack({ stages: [] })).toThrow('stages is empty');
  });
});

describe('cdk-nag: a stack with the pull-request review and the image build', () => {
  test('GIVEN both constructs WHEN checked with AwsSolutions THEN there is no unacknowledged finding, and every acknowledgement is used', () => {
    const { stack } = reviewStack();
    new ImageBuild(stack, 'Images');
    expect(unacknowledgedFindings(stack)).toEqual([]);
    const findings = allFindings(stack).map((f) => f.ruleId);
    for (const ack of acknowledgements(stack)) expect(findings).toContain(ack.ruleId);
    for (const ack of acknowledgements(stack)) expect(ack.reason.length).toBeGreaterThan(20);
  });
});
