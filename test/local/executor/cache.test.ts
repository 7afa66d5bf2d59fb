import * as fs from 'fs';
import * as path from 'path';
import { createTarGz, extractTarGz } from '../../../lib/util/tar';
import { executePipeline, type ExecutionRecord } from '../../../local/executor';
import { StepCache, canonicalJson } from '../../../local/executor/cache';
import { parseIsoDuration } from '../../../lib/sagemaker-pipelines/duration';
import { BUCKET, fixturePipeline, newWorkspace, PYTHON, removeTemporaryFolders, temporaryFolder, type Workspace } from './helpers';

afterAll(removeTemporaryFolders);

function statuses(record: ExecutionRecord): Record<string, string> {
  return Object.fromEntries(record.steps.map((s) => [s.name, s.status]));
}

function run(ws: Workspace, executionId: string, extra: Record<string, unknown> = {}): Promise<ExecutionRecord> {
  return executePipeline({
    definition: fixturePipeline({ cache: true }),
    pipelineName: 'cached-pipeline',
    s3: ws.s3,
    registry: ws.registry,
    workDir: ws.workDir,
    python: PYTHON,
    executionId,
    seed: 3,
    ...extra,
  });
}

describe('step caching', () => {
  test('a second identical run reuses cached steps; changed data or code re-runs them', async () => {
    const ws = newWorkspace();
    const first = await run(ws, 'first');
    expect(statuses(first)).toMatchObject({ Prep: 'Succeeded', Tune: 'Succeeded', Evaluate: 'Succeeded', Register: 'Succeeded' });

    // identical run: cached steps copy their properties, no process runs
    const events: string[] = [];
    const second = await run(ws, 'second', { onEvent: (e: { type: string; step?: string }) => events.push(`${e.type}:${e.step ?? ''}`) });
    expect(statuses(second)).toMatchObject({ Prep: 'Cached', Tune: 'Cached', Evaluate: 'Succeeded', Register: 'Succeeded' });
    const prep = second.steps.find((s) => s.name === 'Prep')!;
    const tune = second.steps.find((s) => s.name === 'Tune')!;
    const firstTune = first.steps.find((s) => s.name === 'Tune')!;
    expect(prep.cacheHit).toMatchObject({ sourceExecutionId: 'first', sourcePipelineName: 'cached-pipeline' });
    expect(prep.properties).toEqual(first.steps.find((s) => s.name === 'Prep')!.properties);
    expect(tune.properties).toEqual(firstTune.properties);
    expect(tune.trials).toEqual(firstTune.trials);
    expect(prep.processMs).toBe(0);
    expect(prep.attempts).toEqual([]);
    expect(fs.existsSync(path.join(second.executionDir, 'steps', 'Prep'))).toBe(false);
    expect(events).toEqual(expect.arrayContaining(['stepCached:Prep', 'stepCached:Tune']));
    expect(events).not.toContain('stepStarted:Prep');
    // downstream steps read the cached properties (the first run's best model)
    expect(second.steps.find((s) => s.name === 'Register')!.properties!.InferenceSpecification).toEqual(
      first.steps.find((s) => s.name === 'Register')!.properties!.InferenceSpecification,
    );

    // changed input data at the same URI: Prep re-runs, and so does Tune (its input content changed)
    ws.s3.putObject(`s3://${BUCKET}/data/input/a.txt`, 'changed\n');
    const third = await run(ws, 'third');
    expect(statuses(third)).toMatchObject({ Prep: 'Succeeded', Tune: 'Succeeded' });
    expect(ws.s3.getText(`s3://${BUCKET}/prep/train/a.txt`)).toBe('CHANGED\n');

    // changed training code (same tarball URI): only Tune re-runs
    const tarball = ws.s3.getObject(`s3://${BUCKET}/code/sourcedir.tar.gz`);
    const dir = temporaryFolder('code-');
    extractTarGz(tarball, dir);
    const script = fs.readFileSync(path.join(dir, 'train_quadratic.py'), 'utf8');
    ws.s3.putObject(
      `s3://${BUCKET}/code/sourcedir.tar.gz`,
      createTarGz([{ name: 'train_quadratic.py', data: Buffer.from(`${script}\n# changed\n`) }]),
    );
    const fourth = await run(ws, 'fourth');
    expect(statuses(fourth)).toMatchObject({ Prep: 'Cached', Tune: 'Succeeded' });
    expect(fourth.steps.find((s) => s.name === 'Prep')!.cacheHit!.sourceExecutionId).toBe('third');

    // caching can be switched off for a run
    const fifth = await run(ws, 'fifth', { cache: false });
    expect(statuses(fifth)).toMatchObject({ Prep: 'Succeeded', Tune: 'Succeeded' });

    // an entry whose outputs are gone from local S3 is not reused
    ws.s3.deletePrefix(`s3://${BUCKET}/prep/report`);
    const sixth = await run(ws, 'sixth');
    expect(statuses(sixth)).toMatchObject({ Prep: 'Succeeded' });
  });
});

describe('StepCache', () => {
  const entry = (endTime: string, executionId: string) => ({
    cacheKey: 'k',
    pipelineName: 'p',
    stepName: 's',
    stepType: 'Processing',
    executionId,
    executionArn: `arn:${executionId}`,
    endTime,
    properties: { id: executionId },
  });

  test('returns the most recent matching entry within ExpireAfter', () => {
    const cache = new StepCache(temporaryFolder('cache-'));
    cache.store(entry('2026-01-01T00:00:00.000Z', 'old'));
    cache.store(entry('2026-01-05T00:00:00.000Z', 'new'));
    const now = new Date('2026-01-06T00:00:00.000Z');
    expect(cache.lookup('p', 's', 'k', undefined, now)?.executionId).toBe('new');
    expect(cache.lookup('p', 's', 'k', parseIsoDuration('P2D'), now)?.executionId).toBe('new');
    expect(cache.lookup('p', 's', 'k', parseIsoDuration('PT12H'), now)).toBeUndefined();
    expect(cache.lookup('p', 's', 'other', undefined, now)).toBeUndefined();
    expect(cache.lookup('p', 's', 'k', undefined, now, (e) => e.executionId !== 'new')?.executionId).toBe('old');
  });

  test('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
  });
});

describe('parseIsoDuration', () => {
  test.each([
    ['P30D', 30 * 86400e3],
    ['PT1H30M', 5400e3],
    ['P1DT6H', 30 * 3600e3],
    ['P2W', 14 * 86400e3],
    ['PT45S', 45e3],
    ['30d', 30 * 86400e3],
    ['T16m', 16 * 60e3],
  ])('%s', (text, ms) => {
    expect(parseIsoDuration(text)).toBe(ms);
  });

  test('rejects non-durations naming the value', () => {
    expect(() => parseIsoDuration('thirty days')).toThrow(/Invalid ISO-8601 duration "thirty days"/);
    expect(() => parseIsoDuration('P')).toThrow(/"P"/);
    expect(() => parseIsoDuration('PT')).toThrow(/"PT"/);
  });
});
