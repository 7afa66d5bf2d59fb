/**
 * `npm run bench`: measures local mode against its targets, one section after another (see `BENCH_USAGE`), and
 * exits with 1 when a section misses its target. Speed targets live here, never in timed unit tests.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { endpointBench } from './bench/endpoint';
import { etlBench } from './bench/etl';
import { pipelineBench } from './bench/pipelines';
import { synthBench } from './bench/synth';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs, type BenchSectionResult } from './bench/usage';

export async function main(argv: readonly string[], log: (line: string) => void = console.log): Promise<number> {
  let options;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`error: ${error.message}\n\n${BENCH_USAGE}`);
    return 2;
  }
  if (options.help) {
    log(BENCH_USAGE);
    return 0;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-'));
  const results: BenchSectionResult[] = [];
  try {
    for (const section of options.only) {
      if (section === 'etl') results.push(await etlBench(options, path.join(root, section), log));
      if (section === 'pipelines') results.push(await pipelineBench(options, path.join(root, section), log));
      if (section === 'endpoint') results.push(await endpointBench(options, path.join(root, section), log));
      if (section === 'synth') results.push(await synthBench(options, path.join(root, section), log));
    }
  } finally {
    if (options.keep) log(`\nwork dir kept: ${root}`);
    else fs.rmSync(root, { recursive: true, force: true });
  }
  log('');
  for (const result of results) log(`${result.ok ? 'OK  ' : 'FAIL'} ${result.name}: ${result.verdict}`);
  return results.every((r) => r.ok) ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`error: ${(error as Error).message}`);
      process.exitCode = 1;
    },
  );
}
