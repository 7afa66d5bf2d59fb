import './set-environment';
import { CodeCommitClient, type Difference, GetDifferencesCommand, type GetDifferencesInput } from '@aws-sdk/client-codecommit';
import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import createdSample from '../../fixtures/events/aws.codecommit/codecommit-repository-state-change-reference-created.json';
import deletedSample from '../../fixtures/events/aws.codecommit/codecommit-repository-state-change-reference-deleted.json';
import updatedSample from '../../fixtures/events/aws.codecommit/codecommit-repository-state-change-reference-updated.json';
import pullRequestSample from '../../fixtures/events/aws.codecommit/codecommit-pull-request-state-change-created.json';
import { readStartOnChangeSettings } from '../../../lambda/cicd/start-on-change-settings';
import { handler } from '../../../lambda/cicd/start-on-change';
import { lambdaContext, variant } from '../helpers';

const codeCommit = mockClient(CodeCommitClient);
const codePipeline = mockClient(CodePipelineClient);
const context = lambdaContext('start-on-change');
const warn = jest.spyOn(Logger.prototype, 'warn');
const info = jest.spyOn(Logger.prototype, 'info');

const OLD = '3e5983d1c0a4b5e6f7a8b9c0d1e2f3a4b5c6d7e8';
const NEW = '7f0103fe2d4c6b8a0e1f2a3b4c5d6e7f8a9b0c1d';
const EXECUTION_ID = '0a1b2c3d-4e5f-6789-abcd-ef0123456789';

/** AWS's sample made a push to this pipeline's repository and branch. */
function onMain<T extends typeof updatedSample | typeof createdSample>(sample: T): T {
  return variant(sample, (e) => {
    e.resources = ['arn:aws:codecommit:us-east-2:123456789012:mlops-platform'];
    Object.assign(e.detail, {
      repositoryName: 'mlops-platform',
      referenceName: 'main',
      referenceFullName: 'refs/heads/main',
      commitId: NEW,
      ...('oldCommitId' in e.detail ? { oldCommitId: OLD } : {}),
    });
  });
}
const push = () => onMain(updatedSample);
const detailOf = (edit: (detail: Record<string, unknown>) => void) =>
  variant(push(), (e) => edit(e.detail as unknown as Record<string, unknown>));

const added = (path: string): Difference => ({ afterBlob: { blobId: 'b1', path, mode: '100644' }, changeType: 'A' });
const modified = (path: string): Difference => ({ beforeBlob: { blobId: 'b0', path, mode: '100644' }, afterBlob: { blobId: 'b1', path, mode: '100644' }, changeType: 'M' });
const deleted = (path: string): Difference => ({ beforeBlob: { blobId: 'b0', path, mode: '100644' }, changeType: 'D' });
const renamed = (from: string, to: string): Difference => ({ beforeBlob: { blobId: 'b0', path: from, mode: '100644' }, afterBlob: { blobId: 'b0', path: to, mode: '100644' }, changeType: 'M' });

/** GetDifferences answers these pages in turn, each with a NextToken but the last. */
function differences(...pages: Difference[][]): void {
  codeCommit.on(GetDifferencesCommand).callsFake(async (input: GetDifferencesInput) => {
    const index = input.NextToken === undefined ? 0 : Number(input.NextToken.replace('page-', ''));
    return { differences: pages[index], NextToken: index + 1 < pages.length ? `page-${index + 1}` : undefined };
  });
}

const differenceCalls = () => codeCommit.commandCalls(GetDifferencesCommand).map((call) => call.args[0].input);
const startCalls = () => codePipeline.commandCalls(StartPipelineExecutionCommand).map((call) => call.args[0].input);
const START = { name: 'mlops-platform-cicd', clientRequestToken: NEW };

beforeEach(() => {
  codeCommit.reset();
  codePipeline.reset();
  warn.mockClear();
  info.mockClear();
  codePipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: EXECUTION_ID });
});

describe('start-on-change handler', () => {
  test('GIVEN a push that changes only docs WHEN handled THEN compares the commits and starts nothing', async () => {
    differences([modified('README.md'), added('docs/architecture/diagram.png'), modified('lambda/notify/README.md'), modified('LICENSE')]);

    const result = await handler(push(), context);

    const paths = ['README.md', 'docs/architecture/diagram.png', 'lambda/notify/README.md', 'LICENSE'];
    expect(result).toEqual({ status: 'skipped', commitId: NEW, paths });
    expect(differenceCalls()).toEqual([
      { repositoryName: 'mlops-platform', beforeCommitSpecifier: OLD, afterCommitSpecifier: NEW, NextToken: undefined },
    ]);
    expect(startCalls()).toEqual([]);
    expect(info).toHaveBeenCalledWith('skipped: only docs changed', {
      eventId: '01234567-EXAMPLE',
      commitId: NEW,
      oldCommitId: OLD,
      docsOnlyPaths: ['**/*.md', 'docs/**', 'LICENSE'],
      changedPathCount: 4,
      paths,
    });
  });

  test('GIVEN a push that changes code WHEN handled THEN starts the pipeline with the commit id as request token', async () => {
    differences([modified('lib/stacks/etl-stack.ts')]);

    const result = await handler(push(), context);

    expect(result).toEqual({
      status: 'started',
      commitId: NEW,
      pipelineExecutionId: EXECUTION_ID,
      reason: "'lib/stacks/etl-stack.ts' changed, and it matches none of the docs-only paths (**/*.md, docs/**, LICENSE)",
    });
    expect(startCalls()).toEqual([START]);
    expect(info).toHaveBeenCalledWith('Started the pipeline', expect.objectContaining({ pipelineExecutionId: EXECUTION_ID, commitId: NEW }));
  });

  test('GIVEN docs and code changed together WHEN handled THEN starts the pipeline, naming the code path', async () => {
    differences([modified('README.md'), modified('docs/a.md'), added('ml/train.py'), modified('CHANGELOG.md')]);

    await expect(handler(push(), context)).resolves.toMatchObject({ status: 'started', reason: expect.stringMatching(/^'ml\/train.py' changed/) });
    expect(startCalls()).toEqual([START]);
  });

  test('GIVEN differences over several pages, all docs WHEN handled THEN reads every page, then skips', async () => {
    differences([modified('README.md')], [modified('docs/a.md')], [added('docs/b/c.md')]);

    await expect(handler(push(), context)).resolves.toEqual({ status: 'skipped', commitId: NEW, paths: ['README.md', 'docs/a.md', 'docs/b/c.md'] });
    expect(differenceCalls().map((input) => input.NextToken)).toEqual([undefined, 'page-1', 'page-2']);
    expect(differenceCalls().every((input) => input.beforeCommitSpecifier === OLD && input.afterCommitSpecifier === NEW)).toBe(true);
    expect(startCalls()).toEqual([]);
  });

  test('GIVEN code on the second of three pages WHEN handled THEN starts without reading the third', async () => {
    differences([modified('README.md')], [modified('package.json')], [added('docs/b.md')]);

    await expect(handler(push(), context)).resolves.toMatchObject({ status: 'started', reason: expect.stringMatching(/^'package.json' changed/) });
    expect(differenceCalls().map((input) => input.NextToken)).toEqual([undefined, 'page-1']);
    expect(startCalls()).toEqual([START]);
  });

  test('GIVEN the branch is created (referenceCreated, no oldCommitId) WHEN handled THEN starts without comparing', async () => {
    const result = await handler(onMain(createdSample), context);

    expect(result).toMatchObject({ status: 'started', reason: expect.stringMatching(/^referenceCreated without an oldCommitId \(a new branch\)/) });
    expect(codeCommit.calls()).toHaveLength(0);
    expect(startCalls()).toEqual([START]);
  });

  test.each<[string, 'started' | 'skipped', Difference[]]>([
    ['a deleted code file (before path only)', 'started', [deleted('lib/old.ts')]],
    ['a code file renamed into docs/ (its old path is code)', 'started', [renamed('lib/notes.ts', 'docs/notes.ts')]],
    ['a doc renamed to a code path', 'started', [renamed('docs/run.md', 'scripts/run.sh')]],
    ['a deleted doc', 'skipped', [deleted('docs/old.md')]],
    ['a doc renamed within docs', 'skipped', [renamed('docs/a.md', 'docs/guide/a.md')]],
  ])('GIVEN %s WHEN handled THEN %s', async (_what, outcome, changes) => {
    differences(changes);

    await expect(handler(push(), context)).resolves.toMatchObject({ status: outcome });
    expect(startCalls()).toHaveLength(outcome === 'started' ? 1 : 0);
  });

  test('GIVEN an empty commit (no file differs) WHEN handled THEN starts the pipeline: that is how one re-runs it', async () => {
    differences([]);

    await expect(handler(push(), context)).resolves.toMatchObject({ status: 'started', reason: expect.stringContaining('(an empty commit)') });
    expect(startCalls()).toEqual([START]);
  });

  test('GIVEN the same push delivered twice WHEN handled THEN both requests carry the same token, so CodePipeline starts one execution', async () => {
    differences([modified('lib/a.ts')]);

    await handler(push(), context);
    await handler(push(), context);

    expect(startCalls()).toEqual([START, START]);
  });

  test('GIVEN a merge into the branch (AWS\'s referenceUpdated sample) WHEN handled THEN compares the old and new tips, not the merge sources', async () => {
    differences([modified('lib/a.ts')]);

    await handler(push(), context);

    expect(differenceCalls()[0]).toMatchObject({ beforeCommitSpecifier: OLD, afterCommitSpecifier: NEW });
  });

  test.each([
    ['ThrottlingException', 'Rate exceeded'],
    ['CommitDoesNotExistException', `Could not find commit ${OLD}`],
  ])('GIVEN GetDifferences fails with %s WHEN handled THEN the error propagates (Lambda retries) and nothing starts', async (name, message) => {
    codeCommit.on(GetDifferencesCommand).rejects(Object.assign(new Error(message), { name }));

    const failure = handler(push(), context);

    await expect(failure).rejects.toThrow(`CodeCommit GetDifferences failed (repository 'mlops-platform', ${OLD}..${NEW}): ${name}: ${message}`);
    await expect(failure).rejects.toMatchObject({ name });
    expect(startCalls()).toEqual([]);
  });

  test('GIVEN StartPipelineExecution fails WHEN handled THEN the error propagates with the pipeline and commit', async () => {
    differences([modified('lib/a.ts')]);
    codePipeline.on(StartPipelineExecutionCommand).rejects(Object.assign(new Error('Pipeline not found'), { name: 'PipelineNotFoundException' }));

    await expect(handler(push(), context)).rejects.toThrow(
      `CodePipeline StartPipelineExecution failed (pipeline 'mlops-platform-cicd', commit ${NEW}): PipelineNotFoundException: Pipeline not found`,
    );
  });

  test('GIVEN CodePipeline answers without an execution id WHEN handled THEN fails naming the pipeline', async () => {
    differences([modified('lib/a.ts')]);
    codePipeline.on(StartPipelineExecutionCommand).resolves({});

    await expect(handler(push(), context)).rejects.toThrow(`CodePipeline StartPipelineExecution of 'mlops-platform-cicd' returned no pipelineExecutionId (commit ${NEW})`);
  });
});

describe('start-on-change handler rejects, without any AWS call', () => {
  test.each<[string, unknown, RegExp]>([
    ['a string', 'refs/heads/main', /\(event\): Invalid input: expected object, received string/],
    ['null', null, /\(event\): Invalid input: expected object, received null/],
    ['another source', variant(push(), (e) => (e.source = 'aws.codepipeline')), /source: Invalid input: expected "aws.codecommit" \(got "aws.codepipeline"\)/],
    ['another detail-type', variant(push(), (e) => (e['detail-type'] = 'CodeCommit Comment on Commit')), /detail-type: Invalid input: expected "CodeCommit Repository State Change" \(got "CodeCommit Comment on Commit"\)/],
    ['a pull request event (AWS\'s sample)', pullRequestSample, /detail-type: .*\(got "CodeCommit Pull Request State Change"\)/],
    ['no detail', variant(push(), (e) => Reflect.deleteProperty(e, 'detail')), /detail: Invalid input: expected object/],
    ['no repository name', detailOf((d) => Reflect.deleteProperty(d, 'repositoryName')), /detail\.repositoryName: Invalid input: expected string/],
    ['a commit id that is not one (AWS\'s unchanged sample)', updatedSample, /detail\.commitId: not a commit id \(40 hexadecimal characters\) \(got "7f0103fMERGE"\)/],
    ['an old commit id that is a number', detailOf((d) => Object.assign(d, { oldCommitId: 42 })), /detail\.oldCommitId: .*\(got 42\)/],
    ['another repository', detailOf((d) => Object.assign(d, { repositoryName: 'MyDemoRepo' })), /repository 'MyDemoRepo' is not the pipeline's repository 'mlops-platform'/],
    ['a deleted branch (AWS\'s referenceDeleted sample, on main)', variant(deletedSample, (e) => Object.assign(e.detail, { repositoryName: 'mlops-platform', referenceName: 'main', oldCommitId: OLD })), /event 'referenceDeleted' is not a push \(referenceCreated or referenceUpdated\)/],
    ['an unreferenced merge commit', detailOf((d) => { d.event = 'unreferencedMergeCommitCreated'; for (const k of ['referenceType', 'referenceName', 'referenceFullName']) Reflect.deleteProperty(d, k); }), /event 'unreferencedMergeCommitCreated' is not a push/],
    ['a tag named like the branch', detailOf((d) => Object.assign(d, { referenceType: 'tag', referenceFullName: 'refs/tags/main' })), /reference "refs\/tags\/main" is of type "tag", not a branch; only pushes to the branch 'main'/],
    ['no reference type', detailOf((d) => Reflect.deleteProperty(d, 'referenceType')), /is of type null, not a branch/],
    ['another branch', detailOf((d) => Object.assign(d, { referenceName: 'feature/x', referenceFullName: 'refs/heads/feature/x' })), /branch "feature\/x" is not the pipeline's branch 'main'/],
    ['a branch differing only in case', detailOf((d) => Object.assign(d, { referenceName: 'Main' })), /branch "Main" is not the pipeline's branch 'main'/],
    ['no commitId', detailOf((d) => Reflect.deleteProperty(d, 'commitId')), /referenceUpdated event of branch 'main' has no commitId: there is no commit to build/],
  ])('GIVEN %s', async (_what, event, reason) => {
    const result = await handler(event, context);

    expect(result).toEqual({ status: 'rejected', reason: expect.stringMatching(reason) });
    expect(codeCommit.calls()).toHaveLength(0);
    expect(codePipeline.calls()).toHaveLength(0);
    expect(warn).toHaveBeenCalledWith('Rejected the event; nothing started', {
      eventId: typeof event === 'object' && event !== null ? (event as { id: string }).id : undefined,
      reason: (result as { reason: string }).reason,
    });
  });
});

describe('start-on-change settings', () => {
  const valid = { REPOSITORY_NAME: 'mlops-platform', BRANCH_NAME: 'main', PIPELINE_NAME: 'mlops-platform-cicd' };

  test('GIVEN docs-only globs as a JSON array THEN they are compiled; [] matches nothing', () => {
    const settings = readStartOnChangeSettings({ ...valid, DOCS_ONLY_PATHS: '["**/*.md", "docs/**"]' });
    expect(settings.docsOnlyPaths.globs).toEqual(['**/*.md', 'docs/**']);
    expect(settings.docsOnlyPaths.matches('docs/x.png')).toBe(true);
    expect(readStartOnChangeSettings({ ...valid, DOCS_ONLY_PATHS: '[]' }).docsOnlyPaths.matches('README.md')).toBe(false);
  });

  test.each([
    ['not JSON', '**/*.md,docs/**', /DOCS_ONLY_PATHS='\*\*\/\*\.md,docs\/\*\*' is invalid: not JSON \(.+\) \(expected the docs-only path globs: a JSON array such as \["\*\*\/\*\.md","docs\/\*\*"\], or \[\] for none\)/],
    ['a JSON string', '"docs/**"', /DOCS_ONLY_PATHS='"docs\/\*\*"' is invalid: not a JSON array of non-empty strings/],
    ['an empty glob', '["docs/**", ""]', /is invalid: not a JSON array of non-empty strings/],
    ['an invalid glob', '["docs/[abc"]', /is invalid: path glob "docs\/\[abc" is invalid: the '\[' at position 5 is never closed/],
    ['nothing', undefined, /DOCS_ONLY_PATHS is not set \(expected the docs-only path globs/],
  ])('GIVEN DOCS_ONLY_PATHS is %s THEN reading the settings fails, naming the variable and the value', (_what, value, message) => {
    expect(() => readStartOnChangeSettings({ ...valid, DOCS_ONLY_PATHS: value })).toThrow(message);
  });

  test('GIVEN bad JSON in the deployed environment WHEN the handler loads THEN the cold start fails before any AWS call (the event is retried, then dead-lettered: no push is lost)', async () => {
    const saved = process.env.DOCS_ONLY_PATHS;
    process.env.DOCS_ONLY_PATHS = '[docs/**]';
    try {
      await jest.isolateModulesAsync(async () => {
        await expect(import('../../../lambda/cicd/start-on-change')).rejects.toThrow(
          /Invalid handler environment: DOCS_ONLY_PATHS='\[docs\/\*\*\]' is invalid: not JSON/,
        );
      });
    } finally {
      process.env.DOCS_ONLY_PATHS = saved;
    }
    expect(codeCommit.calls()).toHaveLength(0);
    expect(codePipeline.calls()).toHaveLength(0);
  });
});
