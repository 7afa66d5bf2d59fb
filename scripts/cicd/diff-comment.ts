/**
 * Turns the `cdk diff` output of each stage into one Markdown comment for a pull request, and posts it with
 * CodeCommit's `PostCommentForPullRequest` (`scripts/ci/review.sh` calls it in the review build):
 *
 *   npx ts-node --transpile-only scripts/cicd/diff-comment.ts \
 *     --diff dev=cdk-diff/dev.txt --diff staging=cdk-diff/staging.txt --diff prod=cdk-diff/prod.txt \
 *     --tests passed --repository mlops --pull-request-id 7 --before-commit <dest> --after-commit <source>
 *
 * `--output FILE` writes the comment to a file instead of posting it (no AWS call). Everything but the CLI is a pure
 * function of the diff texts, tested offline against real `cdk diff --template` output.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { STAGE_NAMES } from '../../lib/config/stage-config';

/** CodeCommit rejects longer comments (`CommentContentSizeLimitExceededException`: "limited to 10,240 characters"). */
export const CODECOMMIT_COMMENT_LIMIT = 10_240;

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

function details(stage: string, raw: string, budget: number): string {
  const open = `<details><summary>Raw diff: ${stage}</summary>\n\n`;
  const close = '\n</details>\n';
  const fence = fenceFor(raw);
  const frame = open.length + close.length + 2 * fence.length + 2;
  if (raw.length + frame <= budget) return `${open}${fence}\n${raw}\n${fence}${close}`;
  const note = (omitted: number): string => `\n… ${omitted} more characters not shown (the comment limit is ${CODECOMMIT_COMMENT_LIMIT}); the full diff is in the review build's log.`;
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
    const block = details(d.stage, d.raw, share);
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

const USAGE = 'Usage: diff-comment.ts --diff <stage>=<file> [--diff ...] [--tests passed|failed] '
  + '(--output <file> | --repository <name> --pull-request-id <id> --before-commit <id> --after-commit <id>)';

/** The CLI: reads the diff files, builds the comment, writes it to `--output` or posts it to the pull request. */
export async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      diff: { type: 'string', multiple: true },
      tests: { type: 'string' },
      output: { type: 'string' },
      repository: { type: 'string' },
      'pull-request-id': { type: 'string' },
      'before-commit': { type: 'string' },
      'after-commit': { type: 'string' },
    },
    strict: true,
  });
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
  const content = buildDiffComment({ diffs, tests: values.tests as CommentInput['tests'], commitId: after });
  if (values.output !== undefined) {
    writeFileSync(values.output, content);
    return;
  }
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
