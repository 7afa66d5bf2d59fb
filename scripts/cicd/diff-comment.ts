/**
 * Turns the `cdk diff` output of each stage into one Markdown comment for a pull request, and posts it
 * (`scripts/ci/review.sh` calls it in the review build). CodeCommit (the default) posts with
 * `PostCommentForPullRequest`:
 *
 *   npx ts-node --transpile-only scripts/cicd/diff-comment.ts \
 *     --diff dev=cdk-diff/dev.txt --diff staging=cdk-diff/staging.txt --diff prod=cdk-diff/prod.txt \
 *     --tests passed --repository mlops --pull-request-id 7 --before-commit <dest> --after-commit <source>
 *
 * GitHub (a CodeConnections source; the webhook build of `GitHubPullRequestReview`) posts an issue comment on the
 * pull request (`POST /repos/{owner}/{repo}/issues/{number}/comments`) with the token in `GITHUB_TOKEN`, the pull
 * request number taken from CodeBuild's `CODEBUILD_WEBHOOK_TRIGGER` (`pr/<number>`):
 *
 *   npx ts-node --transpile-only scripts/cicd/diff-comment.ts --provider github --diff dev=cdk-diff/dev.txt \
 *     --tests passed --github-repository my-org/mlops-platform --webhook-trigger pr/7 --after-commit <source>
 *
 * GitLab and Bitbucket are not covered. `--output FILE` writes the comment to a file instead of posting it (no
 * network call). Everything but the CLI and the posters is a pure function of the diff texts, tested offline
 * against real `cdk diff --template` output; the posters take their client (`fetch`) injected.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { STAGE_NAMES } from '../../lib/config/stage-config';

/** CodeCommit rejects longer comments (`CommentContentSizeLimitExceededException`: "limited to 10,240 characters"). */
export const CODECOMMIT_COMMENT_LIMIT = 10_240;
/** GitHub rejects longer comment bodies (422 "body is too long (maximum is 65536 characters)"). */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Where the review posts its comment. */
export const REVIEW_PROVIDERS = ['codecommit', 'github'] as const;
export type ReviewProvider = (typeof REVIEW_PROVIDERS)[number];
/** The longest comment each provider accepts. */
export const COMMENT_LIMITS: Readonly<Record<ReviewProvider, number>> = {
  codecommit: CODECOMMIT_COMMENT_LIMIT,
  github: GITHUB_COMMENT_LIMIT,
};

/** How `cdk diff` marks a changed resource. */
export type ChangeKind = 'added' | 'modified' | 'removed';

/** One resource line of a stack's `Resources` section, e.g. `[+] AWS::SQS::Queue Queue Queue4A7E3555`. */
export interface ResourceChange {
  readonly kind: ChangeKind;
  /** CloudFormation type, e.g. `AWS::IAM::Role`. */
  readonly type: string;
  /** Construct path (or logical id) as the diff prints it. */
  readonly name: string;
  /** `cdk diff` says the change replaces or may replace the resource, or destroys/orphans it. */
  readonly replacement?: string;
}

/** The diff of one stack. */
export interface StackDiff {
  /** `dev/Data (dev-Data)` as the header line names it. */
  readonly stack: string;
  readonly resources: readonly ResourceChange[];
  /** Section headings with changes (`IAM Statement Changes`, `Resources`, `Outputs`, ...). */
  readonly sections: readonly string[];
  /** Why this stack's changes touch security: IAM statements or policies, security groups, security resources. */
  readonly securityNotes: readonly string[];
}

/** The parsed diff of one stage. */
export interface StageDiff {
  readonly stage: string;
  /** Stacks with differences. */
  readonly changed: readonly StackDiff[];
  /** Stacks `cdk diff` compared and found equal. */
  readonly unchanged: readonly string[];
  /** The diff text without ANSI colour codes and CLI noise at its edges. */
  readonly raw: string;
  /** Set when the text holds no stack diff at all (empty file, error output): what the comment says instead. */
  readonly problem?: string;
}

/** The inputs of a comment. */
export interface CommentInput {
  /** `cdk diff` output per stage name, in the order to show them. */
  readonly diffs: readonly { readonly stage: string; readonly text: string | undefined }[];
  /** Outcome of the tests run before the diff. */
  readonly tests?: 'passed' | 'failed';
  /** The source commit the diff was made at. */
  readonly commitId?: string;
  /** @default CODECOMMIT_COMMENT_LIMIT */
  readonly maxLength?: number;
}

// CSI sequences (colours, cursor moves) and OSC hyperlinks: `cdk diff` colours its output on a terminal.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** `text` without ANSI escape sequences and carriage returns. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '').replace(/\r\n?/g, '\n');
}

const SECTION_HEADINGS = new Set([
  'Template', 'IAM Statement Changes', 'IAM Policy Changes', 'Security Group Changes', 'Parameters', 'Metadata',
  'Mappings', 'Conditions', 'Resources', 'Outputs', 'Other Changes',
]);
const SECURITY_SECTIONS = new Set(['IAM Statement Changes', 'IAM Policy Changes', 'Security Group Changes']);
// Resource types whose change alters who may do what, even when cdk diff prints no IAM table for it.
const SECURITY_TYPES = /^AWS::(IAM::|KMS::|SecretsManager::|EC2::SecurityGroup|S3::BucketPolicy|SQS::QueuePolicy|SNS::TopicPolicy|Lambda::Permission|Lambda::Url|ECR::RepositoryPolicy|Events::EventBusPolicy|CodeArtifact::|Logs::ResourcePolicy|ApiGateway::Authorizer|Cognito::)/;
const RESOURCE_LINE = /^\[([+\-~])\]\s+(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+|Custom::[A-Za-z0-9_-]+)\s+(\S+)(?:\s+(.*))?$/;
const STACK_LINE = /^Stack (.+)$/;
const KIND: Record<string, ChangeKind> = { '+': 'added', '-': 'removed', '~': 'modified' };

/** Parses one stage's `cdk diff` output (stdout and stderr together) into its stacks and resource changes. */
export function parseCdkDiff(stage: string, text: string): StageDiff {
  const clean = stripAnsi(text);
  const lines = clean.split('\n');
  const blocks: { header: string; lines: string[] }[] = [];
  for (const line of lines) {
    const header = STACK_LINE.exec(line.trimEnd());
    if (header) blocks.push({ header: header[1].trim(), lines: [] });
    else blocks.at(-1)?.lines.push(line);
  }
  const changed: StackDiff[] = [];
  const unchanged: string[] = [];
  for (const block of blocks) {
    const sections: string[] = [];
    const resources: ResourceChange[] = [];
    let section: string | undefined;
    let differences = false;
    for (const line of block.lines) {
      const trimmed = line.trimEnd();
      if (SECTION_HEADINGS.has(trimmed)) {
        section = trimmed;
        sections.push(trimmed);
        differences = true;
        continue;
      }
      if (section !== 'Resources') continue;
      const match = RESOURCE_LINE.exec(trimmed);
      if (match) {
        const [, sign, type, name, rest] = match;
        resources.push({ kind: KIND[sign], type, name, ...(replacementOf(rest) ? { replacement: replacementOf(rest) } : {}) });
      }
    }
    if (!differences) {
      unchanged.push(block.header);
      continue;
    }
    const securityNotes = [
      ...sections.filter((s) => SECURITY_SECTIONS.has(s)),
      ...[...new Set(resources.filter((r) => SECURITY_TYPES.test(r.type)).map((r) => r.type))].map((t) => `${t} changed`),
    ];
    changed.push({ stack: block.header, resources, sections, securityNotes });
  }
  const raw = clean.trim();
  const problem = blocks.length > 0
    ? undefined
    : raw === ''
      ? 'the diff is empty: `cdk diff` printed nothing (did it run?)'
      : '`cdk diff` printed no stack: it most likely failed (see the raw output)';
  return { stage, changed, unchanged, raw, ...(problem ? { problem } : {}) };
}

function replacementOf(rest: string | undefined): string | undefined {
  const words = rest?.match(/(may be replaced|requires replacement|replace|destroy|orphan)/);
  return words?.[1];
}

/** Checks stage names: each known (dev, staging, prod) and given once; throws naming the bad one and the fix. */
export function checkStages(stages: readonly string[]): void {
  const seen = new Set<string>();
  for (const stage of stages) {
    if (!(STAGE_NAMES as readonly string[]).includes(stage)) {
      throw new Error(`Unknown stage '${stage}': expected one of ${STAGE_NAMES.join(', ')} (pass --diff <stage>=<file>).`);
    }
    if (seen.has(stage)) throw new Error(`Stage '${stage}' is given twice: pass one diff file per stage.`);
    seen.add(stage);
  }
}

function count(resources: readonly ResourceChange[], kind: ChangeKind): number {
  return resources.filter((r) => r.kind === kind).length;
}

const SIGN: Record<ChangeKind, string> = { added: '+', modified: '~', removed: '-' };
const MAX_LISTED_RESOURCES = 15;

function stageSummary(diff: StageDiff): string[] {
  const lines = [`### ${diff.stage}`, ''];
  if (diff.problem) return [...lines, `⚠️ No diff for ${diff.stage}: ${diff.problem}.`, ''];
  if (diff.changed.length === 0) {
    return [...lines, `No changes (${diff.unchanged.length} stack${diff.unchanged.length === 1 ? '' : 's'} compared).`, ''];
  }
  for (const stack of diff.changed) {
    const { resources } = stack;
    const counts = `${count(resources, 'added')} added, ${count(resources, 'modified')} modified, ${count(resources, 'removed')} removed`;
    const security = stack.securityNotes.length > 0 ? ` — ⚠️ security: ${stack.securityNotes.join('; ')}` : '';
    const others = stack.sections.filter((s) => s !== 'Resources' && !SECURITY_SECTIONS.has(s));
    lines.push(`- **${escapeMarkdown(stack.stack)}**: ${counts}${others.length ? ` (also: ${others.join(', ')})` : ''}${security}`);
    for (const r of resources.slice(0, MAX_LISTED_RESOURCES)) {
      lines.push(`  - \`[${SIGN[r.kind]}]\` ${r.type} \`${r.name.replace(/`/g, "'")}\`${r.replacement ? ` **(${r.replacement})**` : ''}`);
    }
    if (resources.length > MAX_LISTED_RESOURCES) lines.push(`  - … and ${resources.length - MAX_LISTED_RESOURCES} more`);
  }
  if (diff.unchanged.length > 0) lines.push(`- unchanged: ${diff.unchanged.map(escapeMarkdown).join(', ')}`);
  lines.push('');
  return lines;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

/** A code fence longer than any backtick run in `text`, so the text cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

function details(stage: string, raw: string, budget: number, limit: number): string {
  const open = `<details><summary>Raw diff: ${stage}</summary>\n\n`;
  const close = '\n</details>\n';
  const fence = fenceFor(raw);
  const frame = open.length + close.length + 2 * fence.length + 2;
  if (raw.length + frame <= budget) return `${open}${fence}\n${raw}\n${fence}${close}`;
  const note = (omitted: number): string => `\n… ${omitted} more characters not shown (the comment limit is ${limit}); the full diff is in the review build's log.`;
  const room = budget - frame - note(raw.length).length;
  if (room < 200) return '';
  const cut = raw.lastIndexOf('\n', room) > room / 2 ? raw.lastIndexOf('\n', room) : room;
  return `${open}${fence}\n${raw.slice(0, cut)}\n${fence}${note(raw.length - cut)}${close}`;
}

/** The Markdown comment for the stage diffs; never longer than `maxLength` (CodeCommit's limit by default). */
export function buildDiffComment(input: CommentInput): string {
  const maxLength = input.maxLength ?? CODECOMMIT_COMMENT_LIMIT;
  checkStages(input.diffs.map((d) => d.stage));
  const diffs = input.diffs.map(({ stage, text }) => (text === undefined
    ? { stage, changed: [], unchanged: [], raw: '', problem: 'no diff file was produced for this stage' }
    : parseCdkDiff(stage, text)));

  const head = ['## `cdk diff` against what is deployed', ''];
  const facts = [
    input.commitId ? `Source commit \`${input.commitId.replace(/`/g, '')}\`` : undefined,
    input.tests ? (input.tests === 'passed' ? 'tests ✅ passed' : 'tests ❌ **failed**') : undefined,
  ].filter((f): f is string => f !== undefined);
  if (facts.length) head.push(`${facts.join(' · ')}.`, '');
  head.push('| stage | stacks changed | added | modified | removed | security |', '| --- | --- | --- | --- | --- | --- |');
  for (const d of diffs) {
    if (d.problem) {
      head.push(`| ${d.stage} | ⚠️ no diff | | | | |`);
      continue;
    }
    const all = d.changed.flatMap((s) => s.resources);
    const security = d.changed.some((s) => s.securityNotes.length > 0) ? '⚠️ yes' : 'no';
    head.push(`| ${d.stage} | ${d.changed.length} of ${d.changed.length + d.unchanged.length} | ${count(all, 'added')} | ${count(all, 'modified')} | ${count(all, 'removed')} | ${security} |`);
  }
  head.push('');
  let comment = [...head, ...diffs.flatMap(stageSummary)].join('\n');
  if (comment.length > maxLength) {
    const marker = '\n\n… summary truncated at the comment limit; see the review build\'s log.\n';
    return comment.slice(0, Math.max(0, maxLength - marker.length)) + marker;
  }
  // The raw diffs share what is left, in stage order; a stage may use what an earlier one left over.
  const withRaw = diffs.filter((d) => d.raw !== '');
  let left = maxLength - comment.length - 1;
  withRaw.forEach((d, i) => {
    const share = Math.floor(left / (withRaw.length - i));
    const block = details(d.stage, d.raw, share, maxLength);
    if (block !== '') {
      comment += `\n${block}`;
      left -= block.length + 1;
    }
  });
  return comment;
}

/** Idempotency token of a comment: the same pull request, commit and text give the same token. */
export function clientRequestToken(pullRequestId: string, afterCommitId: string, content: string): string {
  return createHash('sha256').update(`${pullRequestId}\n${afterCommitId}\n${content}`).digest('hex').slice(0, 64);
}

/**
 * The pull request number of a CodeBuild webhook build: `CODEBUILD_WEBHOOK_TRIGGER` is `pr/<number>` for pull
 * request events (`branch/<name>` and `tag/<name>` for pushes; unset for a build started by hand).
 */
export function pullRequestNumberFromTrigger(trigger: string | undefined): number {
  const match = /^pr\/([1-9]\d{0,9})$/.exec(trigger ?? '');
  if (!match) {
    throw new Error(
      `CODEBUILD_WEBHOOK_TRIGGER is ${JSON.stringify(trigger ?? null)}: expected pr/<number>, e.g. pr/7. Only a pull request `
        + 'webhook event (opened, updated, reopened) has a pull request to comment on; a push, a tag or a build started by hand '
        + 'has none. Start the review by pushing to a pull request, or pass --output <file> to write the comment instead.',
    );
  }
  return Number(match[1]);
}

/** `owner/name` split; throws naming the value when it is not a GitHub repository id. */
export function parseGitHubRepository(value: string | undefined): { readonly owner: string; readonly repo: string } {
  const match = /^([A-Za-z0-9][\w.-]{0,99})\/([\w.-]{1,100})$/.exec(value ?? '');
  if (!match || match[2] === '.' || match[2] === '..') {
    throw new Error(`GitHub repository is ${JSON.stringify(value ?? null)}: expected owner/name, e.g. my-org/mlops-platform (GITHUB_REPOSITORY of the review project).`);
  }
  return { owner: match[1], repo: match[2] };
}

/** The part of the fetch API the GitHub poster uses (Node 20's global `fetch` fits it). */
export type FetchFunction = (url: string, init: {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}) => Promise<{ readonly ok: boolean; readonly status: number; readonly statusText?: string; text(): Promise<string> }>;

/** What {@link postGitHubComment} needs. */
export interface GitHubCommentRequest {
  /** `owner/name`. */
  readonly repository: string;
  readonly pullRequestNumber: number;
  /** A token that may write the repository's issues or pull requests. */
  readonly token: string;
  readonly body: string;
  /** Where the token comes from, named in errors (e.g. the Secrets Manager secret). */
  readonly tokenSource?: string;
  readonly fetch: FetchFunction;
  /** @default 'https://api.github.com' */
  readonly apiUrl?: string;
}

/** What to do about each status GitHub answers a comment with. */
function gitHubFailure(status: number, request: GitHubCommentRequest, detail: string): string {
  const where = `pull request #${request.pullRequestNumber} of ${request.repository}`;
  const token = request.tokenSource ?? 'the token';
  const advice: Record<number, string> = {
    401: `GitHub does not accept the token: ${token} holds an invalid, expired or revoked token. Put a valid token in it `
      + '(a fine-grained personal access token or a GitHub App token), then retry the build.',
    403: `the token may not comment on ${where}: give it write access to the repository's "Pull requests" or "Issues" `
      + '(a classic token: the repo scope, or public_repo for a public repository), authorize it for the organization\'s '
      + 'SSO if there is one, or wait if GitHub says a rate limit was exceeded.',
    404: `GitHub finds no ${where}, or the token cannot see the repository (GitHub answers 404 rather than 403 for a `
      + 'private repository the token has no access to). Check GITHUB_REPOSITORY and the token\'s repository access.',
    410: `issues are disabled on ${request.repository}, and GitHub posts pull request comments through the issues API: enable Issues in the repository's settings.`,
    422: `GitHub refused the comment on ${where} as invalid (a body over ${GITHUB_COMMENT_LIMIT} characters, or the `
      + 'pull request is locked or spammed): see GitHub\'s message.',
  };
  const what = advice[status] ?? `unexpected answer; see GitHub's message and https://www.githubstatus.com.`;
  return `Posting the cdk diff comment to GitHub failed with HTTP ${status}: ${what}${detail ? ` GitHub said: ${detail}` : ''}`;
}

/**
 * Posts `body` as a comment on a GitHub pull request (`POST /repos/{owner}/{repo}/issues/{number}/comments`: a pull
 * request is an issue). Throws, naming the status and what to do, when GitHub refuses; sends nothing when an input
 * is invalid. Returns the comment's URL when GitHub gives one.
 */
export async function postGitHubComment(request: GitHubCommentRequest): Promise<{ readonly url?: string }> {
  const { owner, repo } = parseGitHubRepository(request.repository);
  if (!Number.isSafeInteger(request.pullRequestNumber) || request.pullRequestNumber < 1) {
    throw new Error(`Pull request number is ${request.pullRequestNumber}: expected a positive integer.`);
  }
  if (request.token.trim() === '') {
    throw new Error(`The GitHub token is empty: ${request.tokenSource ?? 'GITHUB_TOKEN'} must hold a token that may comment on ${request.repository}'s pull requests.`);
  }
  if (request.body.length > GITHUB_COMMENT_LIMIT) {
    throw new Error(`The comment is ${request.body.length} characters; GitHub accepts at most ${GITHUB_COMMENT_LIMIT} (build it with maxLength: GITHUB_COMMENT_LIMIT).`);
  }
  const url = `${request.apiUrl ?? 'https://api.github.com'}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/issues/${request.pullRequestNumber}/comments`;
  let response: Awaited<ReturnType<FetchFunction>>;
  try {
    response = await request.fetch(url, {
      method: 'POST',
      headers: {
        Accept: 'application/vnd.github+json',
        Authorization: `Bearer ${request.token}`,
        'Content-Type': 'application/json',
        'User-Agent': 'mlops-platform-pull-request-review',
        'X-GitHub-Api-Version': '2022-11-28',
      },
      body: JSON.stringify({ body: request.body }),
    });
  } catch (error) {
    throw new Error(`Posting the cdk diff comment to GitHub failed: ${url} could not be reached (${error instanceof Error ? error.message : String(error)}); check the build's network access to api.github.com.`);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new Error(gitHubFailure(response.status, request, gitHubMessage(text)));
  try {
    const created = JSON.parse(text) as { html_url?: unknown };
    return typeof created.html_url === 'string' ? { url: created.html_url } : {};
  } catch {
    return {};
  }
}

/** GitHub's error `message` (and validation errors), short; never the whole body. */
function gitHubMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(parsed.errors)
      ? parsed.errors.map((e: unknown) => (typeof e === 'object' && e !== null && 'message' in e ? String((e as { message: unknown }).message) : JSON.stringify(e)))
      : [];
    return [typeof parsed.message === 'string' ? parsed.message : '', ...errors].filter((m) => m !== '').join('; ').slice(0, 500);
  } catch {
    return text.trim().slice(0, 200);
  }
}

const USAGE = 'Usage: diff-comment.ts --diff <stage>=<file> [--diff ...] [--tests passed|failed] [--after-commit <id>] '
  + '(--output <file> | [--provider codecommit] --repository <name> --pull-request-id <id> --before-commit <id> --after-commit <id> '
  + '| --provider github --github-repository <owner/name> --webhook-trigger pr/<number>, the token in GITHUB_TOKEN)';

/** What the CLI takes from its surroundings, injected by tests. */
export interface MainDependencies {
  /** @default process.env (GITHUB_TOKEN, GITHUB_TOKEN_SECRET_NAME) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default globalThis.fetch */
  readonly fetch?: FetchFunction;
}

/** The CLI: reads the diff files, builds the comment, writes it to `--output` or posts it to the pull request. */
export async function main(argv: readonly string[], dependencies: MainDependencies = {}): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      diff: { type: 'string', multiple: true },
      tests: { type: 'string' },
      output: { type: 'string' },
      provider: { type: 'string' },
      repository: { type: 'string' },
      'pull-request-id': { type: 'string' },
      'before-commit': { type: 'string' },
      'after-commit': { type: 'string' },
      'github-repository': { type: 'string' },
      'webhook-trigger': { type: 'string' },
    },
    strict: true,
  });
  const provider = (values.provider ?? 'codecommit') as ReviewProvider;
  if (!(REVIEW_PROVIDERS as readonly string[]).includes(provider)) {
    throw new Error(`--provider is '${values.provider}': expected ${REVIEW_PROVIDERS.join(' or ')} (GitLab and Bitbucket are not supported).`);
  }
  const diffs = (values.diff ?? []).map((spec) => {
    const at = spec.indexOf('=');
    if (at <= 0) throw new Error(`--diff ${spec}: expected <stage>=<file>, e.g. dev=cdk-diff/dev.txt. ${USAGE}`);
    const file = spec.slice(at + 1);
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      text = undefined; // reported in the comment as "no diff file was produced"
    }
    return { stage: spec.slice(0, at), text };
  });
  if (diffs.length === 0) throw new Error(`No --diff given. ${USAGE}`);
  if (values.tests !== undefined && values.tests !== 'passed' && values.tests !== 'failed') {
    throw new Error(`--tests is '${values.tests}': expected passed or failed.`);
  }
  const after = values['after-commit'];
  const build = (): string => buildDiffComment({ diffs, tests: values.tests as CommentInput['tests'], commitId: after, maxLength: COMMENT_LIMITS[provider] });
  if (values.output !== undefined) {
    writeFileSync(values.output, build());
    return;
  }
  if (provider === 'github') {
    const env = dependencies.env ?? process.env;
    // Checked before the comment is built, so a bad trigger or repository sends nothing.
    const pullRequestNumber = pullRequestNumberFromTrigger(values['webhook-trigger']);
    const repository = values['github-repository'];
    parseGitHubRepository(repository);
    const secretName = env.GITHUB_TOKEN_SECRET_NAME;
    const tokenSource = secretName ? `the Secrets Manager secret ${secretName} (GITHUB_TOKEN)` : 'GITHUB_TOKEN';
    const token = env.GITHUB_TOKEN ?? '';
    const content = build();
    const { url } = await postGitHubComment({
      repository: repository!,
      pullRequestNumber,
      token,
      tokenSource,
      body: content,
      fetch: dependencies.fetch ?? (globalThis.fetch as unknown as FetchFunction),
    });
    console.log(`Posted the cdk diff comment (${content.length} characters) on pull request #${pullRequestNumber} of ${repository}${url ? `: ${url}` : ''}.`);
    return;
  }
  const content = build();
  const repositoryName = values.repository;
  const pullRequestId = values['pull-request-id'];
  const before = values['before-commit'];
  if (!repositoryName || !pullRequestId || !before || !after) {
    throw new Error(`Posting needs --repository, --pull-request-id, --before-commit and --after-commit. ${USAGE}`);
  }
  const { CodeCommitClient, PostCommentForPullRequestCommand } = await import('@aws-sdk/client-codecommit');
  const client = new CodeCommitClient({});
  await client.send(new PostCommentForPullRequestCommand({
    repositoryName,
    pullRequestId,
    beforeCommitId: before,
    afterCommitId: after,
    content,
    clientRequestToken: clientRequestToken(pullRequestId, after, content),
  }));
  console.log(`Posted the cdk diff comment (${content.length} characters) on pull request ${pullRequestId} of ${repositoryName}.`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
