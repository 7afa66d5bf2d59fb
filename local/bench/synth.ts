/**
 * The synth section of `npm run bench`: how long `cdk synth` of the whole app takes (the CI/CD pipeline with the
 * three environments in it, `-c pipeline=true`), per synthesized CloudFormation resource, as the CLI runs it
 * (ts-node, the handlers' esbuild bundles, cdk-nag, the pipeline definitions and their validation).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { formatTable } from '../report';
import type { BenchOptions, BenchSectionResult } from './usage';

/** `cdk synth` of the whole app must take less than this per synthesized resource. */
export const MS_PER_RESOURCE_TARGET = 35;

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Templates and their resources in a cloud assembly, nested assemblies (stages) included. */
export function countResources(assemblyDir: string): { templates: number; resources: number } {
  let templates = 0;
  let resources = 0;
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(file);
      } else if (entry.name.endsWith('.template.json')) {
        const template = JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources?: Record<string, unknown> };
        templates += 1;
        resources += Object.keys(template.Resources ?? {}).length;
      }
    }
  };
  walk(assemblyDir);
  return { templates, resources };
}

/** What one synth measured. */
export interface SynthMeasurement {
  readonly milliseconds: number;
  readonly templates: number;
  readonly resources: number;
}

/** Whether the synth met its target, and one line saying so. */
export function synthVerdict(m: SynthMeasurement): { ok: boolean; verdict: string } {
  if (m.resources === 0) return { ok: false, verdict: 'no resources were synthesized' };
  const perResource = m.milliseconds / m.resources;
  const ok = perResource < MS_PER_RESOURCE_TARGET;
  return {
    ok,
    verdict:
      `${(m.milliseconds / 1000).toFixed(1)} s for ${m.resources} resources in ${m.templates} templates, ` +
      `${perResource.toFixed(1)} ms per resource (target < ${MS_PER_RESOURCE_TARGET} ms)`,
  };
}

/** Runs `cdk synth -c pipeline=true` into `workDir` and times it; throws with the CLI's output when it fails. */
export function measureSynth(workDir: string): SynthMeasurement {
  const out = path.join(workDir, 'cdk.out');
  fs.rmSync(out, { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const result = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '-c', 'pipeline=true', '--quiet', '-o', out], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`cdk synth -c pipeline=true failed (exit ${result.status ?? result.signal}):\n${output}`);
  }
  return { milliseconds, ...countResources(out) };
}

export async function synthBench(_options: BenchOptions, workDir: string, log: (line: string) => void): Promise<BenchSectionResult> {
  log('\n== synth: cdk synth of the whole app (-c pipeline=true: the CI/CD pipeline and dev, staging, prod)');
  fs.mkdirSync(workDir, { recursive: true });
  const m = measureSynth(workDir);
  log('');
  log(formatTable(['measure', 'value', 'target'], [
    ['wall time', `${(m.milliseconds / 1000).toFixed(1)} s`, ''],
    ['templates', String(m.templates), ''],
    ['resources', String(m.resources), ''],
    ['per resource', `${(m.milliseconds / Math.max(1, m.resources)).toFixed(1)} ms`, `< ${MS_PER_RESOURCE_TARGET} ms`],
  ]));
  return { name: 'synth', ...synthVerdict(m) };
}
