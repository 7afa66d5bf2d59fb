import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cdkJsonContext } from '../helpers/app';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Runs bin/app.ts as `cdk synth` does (cdk.json's context and `context` in CDK_CONTEXT_JSON, output in CDK_OUTDIR);
 * returns the manifest's artifacts.
 */
function synthArtifacts(context: Record<string, unknown>): Promise<{ code: number | null; stderr: string; artifacts: Record<string, { type: string }> }> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'app-synth-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', '--prefer-ts-exts', 'bin/app.ts'], {
      cwd: ROOT,
      // Handler bundling is skipped: these tests look at which stacks the app makes, not at their code.
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context }) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      let artifacts = {};
      try {
        artifacts = (JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { artifacts?: object }).artifacts ?? {};
      } catch {
        // no assembly: synth failed
      }
      rmSync(outdir, { recursive: true, force: true });
      resolve({ code, stderr, artifacts });
    });
  });
}

describe('bin/app.ts', () => {
  test('GIVEN -c pipeline=true THEN only the CI/CD pipeline stack (the environments are inside it); otherwise the stage alone', async () => {
    const [pipeline, stage] = await Promise.all([synthArtifacts({ pipeline: 'true' }), synthArtifacts({ stage: 'dev' })]);
    expect(pipeline.code).toBe(0);
    const stacks = (artifacts: Record<string, { type: string }>): string[] =>
      Object.entries(artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack').map(([id]) => id);
    const nested = (artifacts: Record<string, { type: string }>): string[] =>
      Object.entries(artifacts).filter(([, a]) => a.type === 'cdk:cloud-assembly').map(([id]) => id);
    expect(stacks(pipeline.artifacts)).toEqual(['MlopsCicdPipeline']);
    expect(nested(pipeline.artifacts).sort()).toEqual(['assembly-MlopsCicdPipeline-dev', 'assembly-MlopsCicdPipeline-prod', 'assembly-MlopsCicdPipeline-staging']);
    expect(stage.code).toBe(0);
    expect(stacks(stage.artifacts)).toEqual([]);
    expect(nested(stage.artifacts)).toEqual(['assembly-dev']);
  });

  test('GIVEN a bad pipeline setting in context THEN synth fails naming it', async () => {
    const { code, stderr } = await synthArtifacts({ pipeline: 'true', pipelineSource: 'connection', pipelineRepository: 'no-owner' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('source.repository is "no-owner": expected the repository as "owner/name"');
    expect(stderr).toContain('source.connectionArn is undefined');
  });

  test('GIVEN a bad connection provider or review token secret name in context THEN synth fails naming them', async () => {
    const { code, stderr } = await synthArtifacts({
      pipeline: 'true',
      pipelineSource: 'connection',
      pipelineConnectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/abc-123',
      pipelineRepository: 'my-org/mlops-platform',
      pipelineProvider: 'svn',
      pipelineReviewTokenSecretName: 'bad name',
    });
    expect(code).not.toBe(0);
    expect(stderr).toContain('source.provider is "svn": expected one of github, gitlab, bitbucket');
    expect(stderr).toContain('reviewTokenSecretName is "bad name"');
  });
});
