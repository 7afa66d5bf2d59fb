import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  buildDiffComment,
  checkStages,
  clientRequestToken,
  CODECOMMIT_COMMENT_LIMIT,
  main,
  parseCdkDiff,
  stripAnsi,
} from '../../../scripts/cicd/diff-comment';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

const ROOT = path.join(__dirname, '..', '..', '..');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');

afterAll(removeTemporaryFolders);

/** Runs the CDK CLI in the project root; returns stdout and stderr together, as review.sh saves them. */
function cdk(args: string[]): string {
  const result = spawnSync(CDK, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`cdk ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return `${result.stdout}${result.stderr}`;
}

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

describe('diff-comment against the real `cdk diff --template` of the synthesized dev stage', () => {
  let assembly: string;
  let template: Template;
  let work: string;
  const stack = 'dev/Monitoring';

  beforeAll(() => {
    work = temporaryFolder('diff-comment-');
    const out = path.join(work, 'cdk.out');
    cdk(['synth', '-c', 'stage=dev', '-o', out, '--quiet']);
    assembly = out;
    const dir = path.join(out, 'assembly-dev');
    const file = readdirSync(dir).find((f) => f.startsWith('devMonitoring') && f.endsWith('.template.json'));
    template = JSON.parse(readFileSync(path.join(dir, file!), 'utf8')) as Template;
  }, 240_000);

  function diffAgainst(old: Template): string {
    const file = path.join(work, `old-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(old));
    return cdk(['diff', stack, '--exclusively', '--template', file, '-a', assembly, '--no-color']);
  }

  const ofType = (t: Template, type: string): string[] => Object.keys(t.Resources).filter((id) => t.Resources[id].Type === type);

  test('GIVEN an old template with a resource removed, a property changed, an IAM statement dropped and an extra queue WHEN commented THEN counts, flags and the raw diff are right', () => {
    // GIVEN: "deployed" = the synthesized template, changed four ways
    const old = structuredClone(template);
    const [alarm] = ofType(old, 'AWS::CloudWatch::Alarm');
    delete old.Resources[alarm]; // the PR adds it
    const [logGroup] = ofType(old, 'AWS::Logs::LogGroup');
    old.Resources[logGroup].Properties!.RetentionInDays = 1; // the PR modifies it
    const [policy] = ofType(old, 'AWS::IAM::Policy');
    const document = old.Resources[policy].Properties!.PolicyDocument as { Statement: unknown[] };
    document.Statement = document.Statement.slice(1); // the PR adds an IAM statement
    old.Resources.RetiredQueue = { Type: 'AWS::SQS::Queue', Properties: {} }; // the PR removes it

    // WHEN
    const text = diffAgainst(old);
    const parsed = parseCdkDiff('dev', text);
    const comment = buildDiffComment({ diffs: [{ stage: 'dev', text }], tests: 'passed', commitId: 'abc1234' });

    // THEN
    expect(parsed.problem).toBeUndefined();
    expect(parsed.changed).toHaveLength(1);
    const [changed] = parsed.changed;
    expect(changed.stack).toContain('dev/Monitoring');
    expect(changed.resources).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'added', type: 'AWS::CloudWatch::Alarm' }),
      expect.objectContaining({ kind: 'modified', type: 'AWS::Logs::LogGroup' }),
      expect.objectContaining({ kind: 'modified', type: 'AWS::IAM::Policy' }),
      expect.objectContaining({ kind: 'removed', type: 'AWS::SQS::Queue', name: 'RetiredQueue', replacement: 'destroy' }),
    ]));
    expect(changed.resources).toHaveLength(4);
    expect(changed.securityNotes).toEqual(expect.arrayContaining(['IAM Statement Changes', 'AWS::IAM::Policy changed']));
    expect(comment).toContain('| dev | 1 of 1 | 1 | 2 | 1 | ⚠️ yes |');
    expect(comment).toContain('1 added, 2 modified, 1 removed');
    expect(comment).toContain('Source commit `abc1234` · tests ✅ passed.');
    expect(comment).toMatch(/<details><summary>Raw diff: dev<\/summary>\n\n```\n[\s\S]*RetentionInDays[\s\S]*\n```\n<\/details>/);
    expect(comment.length).toBeLessThanOrEqual(CODECOMMIT_COMMENT_LIMIT);
  });

  test('GIVEN the deployed template equals the synthesized one WHEN commented THEN the stage has no changes', () => {
    const text = diffAgainst(template);
    const comment = buildDiffComment({ diffs: [{ stage: 'dev', text }] });
    expect(parseCdkDiff('dev', text)).toMatchObject({ changed: [], unchanged: [expect.stringContaining('dev/Monitoring')] });
    expect(comment).toContain('| dev | 0 of 1 | 0 | 0 | 0 | no |');
    expect(comment).toContain('No changes (1 stack compared).');
  });

  test('GIVEN nothing is deployed (an empty template) WHEN commented THEN every resource is added, the list is capped and the comment fits', () => {
    const text = diffAgainst({ Resources: {} });
    const parsed = parseCdkDiff('dev', text);
    const resources = Object.values(template.Resources).filter((r) => r.Type !== 'AWS::CDK::Metadata');
    expect(parsed.changed[0].resources.filter((r) => r.kind === 'added')).toHaveLength(resources.length);
    const comment = buildDiffComment({ diffs: [{ stage: 'dev', text }, { stage: 'staging', text }, { stage: 'prod', text }] });
    expect(comment).toContain(`… and ${resources.length - 15} more`);
    expect(comment.length).toBeLessThanOrEqual(CODECOMMIT_COMMENT_LIMIT);
    expect(comment).toContain('more characters not shown');
  });
});

const SAMPLE = [
  'Stack dev/Data (dev-Data)',
  'Resources',
  '[~] AWS::S3::Bucket Data/RawBucket RawBucket0C3EE094 replace',
  ' └─ [~] BucketName (requires replacement)',
  '[+] AWS::IAM::Role Data/Role Role1ABCC5F0',
  '',
  'Stack dev/Etl (dev-Etl)',
  'There were no differences',
  '',
  '✨  Number of stacks with differences: 1',
].join('\n');

describe('diff-comment on malformed and unusual inputs', () => {
  test('an empty diff says so instead of claiming no changes', () => {
    const comment = buildDiffComment({ diffs: [{ stage: 'dev', text: '' }] });
    expect(parseCdkDiff('dev', '').problem).toMatch(/empty/);
    expect(comment).toContain('| dev | ⚠️ no diff |');
    expect(comment).not.toContain('<details>');
  });

  test('whitespace-only output counts as empty', () => {
    expect(parseCdkDiff('dev', ' \n\n\t\n').problem).toMatch(/empty/);
  });

  test('error output without any stack is reported as a failed diff, with the raw output shown', () => {
    const text = 'Unable to resolve AWS account to use. It must be either configured when you define your CDK Stack, or through the environment\n';
    const comment = buildDiffComment({ diffs: [{ stage: 'staging', text }] });
    expect(comment).toContain('most likely failed');
    expect(comment).toContain('Unable to resolve AWS account');
  });

  test('a missing diff file (undefined text) is named', () => {
    expect(buildDiffComment({ diffs: [{ stage: 'prod', text: undefined }] })).toContain('no diff file was produced for this stage');
  });

  test('no changes in any stack', () => {
    const text = 'Stack dev/Data (dev-Data)\nThere were no differences\n\n✨  Number of stacks with differences: 0\n';
    expect(buildDiffComment({ diffs: [{ stage: 'dev', text }] })).toContain('No changes (1 stack compared).');
  });

  test('ANSI colour codes are removed before parsing and from the raw diff', () => {
    const coloured = SAMPLE
      .replace('Resources', '\u001b[4m\u001b[1mResources\u001b[22m\u001b[24m')
      .replace('[+]', '\u001b[32m[+]\u001b[39m')
      .replace('Stack dev/Data', '\u001b[1mStack\u001b[22m dev/Data');
    const parsed = parseCdkDiff('dev', coloured);
    expect(parsed.changed[0].resources.map((r) => r.kind)).toEqual(['modified', 'added']);
    expect(buildDiffComment({ diffs: [{ stage: 'dev', text: coloured }] })).not.toContain('\u001b');
    expect(stripAnsi('a\u001b]8;;https://x\u0007link\u001b]8;;\u0007\r\nb')).toBe('alink\nb');
  });

  test('replacements and security resources are flagged; unchanged stacks listed', () => {
    const comment = buildDiffComment({ diffs: [{ stage: 'dev', text: SAMPLE }] });
    expect(comment).toContain('**(replace)**');
    expect(comment).toContain('⚠️ security: AWS::IAM::Role changed');
    expect(comment).toContain('- unchanged: dev/Etl (dev-Etl)');
    expect(comment).toContain('| dev | 1 of 2 | 1 | 1 | 0 | ⚠️ yes |');
  });

  test('a huge diff is truncated at CodeCommit\'s 10,240-character limit with a note', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `[+] AWS::SQS::Queue Q${i} Queue${i}`);
    const text = `Stack dev/Data (dev-Data)\nResources\n${lines.join('\n')}\n`;
    const comment = buildDiffComment({ diffs: ['dev', 'staging', 'prod'].map((stage) => ({ stage, text })) });
    expect(CODECOMMIT_COMMENT_LIMIT).toBe(10_240);
    expect(comment.length).toBeLessThanOrEqual(CODECOMMIT_COMMENT_LIMIT);
    expect(comment).toContain('| prod | 1 of 1 | 5000 | 0 | 0 | no |');
    expect(comment.match(/more characters not shown/g)).toHaveLength(3);
    // Every opened block is closed.
    expect(comment.match(/<details>/g)!.length).toBe(comment.match(/<\/details>/g)!.length);
  });

  test('a summary longer than the limit is itself cut, never exceeding it', () => {
    const stacks = Array.from({ length: 400 }, (_, i) => `Stack dev/S${i} (dev-S${i})\nResources\n[+] AWS::SQS::Queue Q Q1\n`).join('\n');
    const comment = buildDiffComment({ diffs: [{ stage: 'dev', text: stacks }], maxLength: 2000 });
    expect(comment.length).toBeLessThanOrEqual(2000);
    expect(comment).toContain('summary truncated');
  });

  test('backticks in the diff cannot close the code fence', () => {
    const text = 'Stack dev/Data (dev-Data)\nResources\n[~] AWS::Lambda::Function F F1\n  └─ [+] "```"\n';
    const comment = buildDiffComment({ diffs: [{ stage: 'dev', text }] });
    expect(comment).toContain('````\nStack dev/Data');
  });

  test('unknown and repeated stages are rejected naming the stage and the fix', () => {
    expect(() => buildDiffComment({ diffs: [{ stage: 'qa', text: SAMPLE }] })).toThrow("Unknown stage 'qa': expected one of dev, staging, prod");
    expect(() => checkStages(['dev', 'dev'])).toThrow("Stage 'dev' is given twice");
  });

  test('CLI noise around the diff and a CRLF file still parse', () => {
    const text = `Including dependency stacks: dev/Data\r\n✨  Synthesis time: 12.3s\r\n${SAMPLE.replace(/\n/g, '\r\n')}`;
    expect(parseCdkDiff('dev', text).changed[0].resources).toHaveLength(2);
  });

  test('lines that look like resources outside the Resources section are not counted', () => {
    const text = 'Stack dev/Data (dev-Data)\nOutputs\n[+] AWS::SQS::Queue NotAResource X\n';
    const [stack] = parseCdkDiff('dev', text).changed;
    expect(stack.resources).toEqual([]);
    expect(stack.sections).toEqual(['Outputs']);
  });

  test('the idempotency token is stable for the same comment and differs for another', () => {
    expect(clientRequestToken('7', 'abc', 'x')).toBe(clientRequestToken('7', 'abc', 'x'));
    expect(clientRequestToken('7', 'abc', 'x')).not.toBe(clientRequestToken('7', 'abc', 'y'));
    expect(clientRequestToken('7', 'abc', 'x')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('diff-comment CLI', () => {
  test('--output writes the comment from the diff files; a missing file is reported in the comment', async () => {
    const dir = temporaryFolder('diff-comment-cli-');
    writeFileSync(path.join(dir, 'dev.txt'), SAMPLE);
    const output = path.join(dir, 'comment.md');
    await main(['--diff', `dev=${path.join(dir, 'dev.txt')}`, '--diff', `prod=${path.join(dir, 'absent.txt')}`, '--tests', 'failed', '--output', output]);
    const comment = readFileSync(output, 'utf8');
    expect(comment).toContain('tests ❌ **failed**');
    expect(comment).toContain('| prod | ⚠️ no diff |');
  });

  test('bad arguments fail with what to pass', async () => {
    await expect(main(['--diff', 'dev'])).rejects.toThrow('expected <stage>=<file>');
    await expect(main([])).rejects.toThrow('No --diff given');
    await expect(main(['--diff', 'dev=x', '--tests', 'maybe'])).rejects.toThrow("--tests is 'maybe'");
    await expect(main(['--diff', 'dev=x'])).rejects.toThrow('Posting needs --repository');
  });
});
