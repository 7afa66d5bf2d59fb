import { parseArgs } from 'node:util';

/** Rows of the smaller pipeline run of the bench (the larger has `rows * factor`). */
export const DEFAULT_BENCH_ROWS = 20_000;

/** The sections `npm run bench` can run, in order. */
export const BENCH_SECTIONS = ['etl', 'pipelines', 'endpoint', 'synth'] as const;

/** Upload sizes of the ETL section. */
export const DEFAULT_ETL_ROWS = [100_000, 1_000_000] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export interface BenchOptions {
  /** Rows of the smaller pipeline run. */
  readonly rows: number;
  /** The larger pipeline run has `rows * factor` rows. */
  readonly factor: number;
  readonly trials: number;
  readonly seed: number;
  /** Keep the temporary work dir (for looking at the records). */
  readonly keep: boolean;
  /** The sections to run. */
  readonly only: readonly BenchSection[];
  /** Upload sizes of the ETL section, smallest first. */
  readonly etlRows: readonly number[];
}

/** What one section of the bench measured and whether it met its target. */
export interface BenchSectionResult {
  readonly name: BenchSection;
  readonly ok: boolean;
  /** One line: the measurement against the target. */
  readonly verdict: string;
}

/** A bad `npm run bench` command line; the message names the value. */
export class BenchUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

export const BENCH_USAGE = `Usage: npm run bench -- [--only SECTION,...] [--etl-rows N,...] [--rows N] [--factor F] [--trials N] [--seed S] [--keep]

Measures local mode against its targets and exits with 1 when one is missed. Sections (all by default):
  etl         the stage's ETL job on generated uploads of each --etl-rows size (default ${DEFAULT_ETL_ROWS.join(',')}):
              rows per second and how time grows with rows; target: the largest size in under 30 s
  pipelines   the training and inference pipelines at N and N*F rows (default N=${DEFAULT_BENCH_ROWS}, F=5, 6 trials, no
              step cache): the executor's overhead (wall time minus time in the scripts), target < 5% of a run
  endpoint    a model of the training pipeline (2,000 sample rows, 2 trials) on a local endpoint: single-row latency
              over 1,000 sequential requests on one kept-alive connection, target p99 < 10 ms; rows per second of a
              10,000-row CSV request, target > 250,000
  synth       cdk synth of the whole app (-c pipeline=true: the CI/CD pipeline and the three environments): time per
              synthesized resource, target < 35 ms`;

function wholeNumber(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new BenchUsageError(`--${flag} must be a whole number of at least ${min}, got "${raw}"`);
  return Number(raw);
}

/** Parses `npm run bench` arguments; throws BenchUsageError naming the bad value. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions & { help: boolean } {
  let values;
  try {
    const flags = ['only', 'rows', 'factor', 'trials', 'seed', 'etl-rows'] as const;
    const options = {
      ...Object.fromEntries(flags.map((flag) => [flag, { type: 'string' as const }])),
      keep: { type: 'boolean' as const },
      help: { type: 'boolean' as const },
    } as { [K in (typeof flags)[number]]: { type: 'string' } } & { keep: { type: 'boolean' }; help: { type: 'boolean' } };
    ({ values } = parseArgs({ args: [...argv], strict: true, options }));
  } catch (error) {
    throw new BenchUsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const only = (values.only ?? BENCH_SECTIONS.join(',')).split(',').map((s) => s.trim());
  for (const section of only) {
    if (!(BENCH_SECTIONS as readonly string[]).includes(section)) {
      throw new BenchUsageError(`--only names unknown section "${section}": use ${BENCH_SECTIONS.join(', ')}`);
    }
  }
  const etlRows = values['etl-rows'] === undefined
    ? [...DEFAULT_ETL_ROWS]
    : values['etl-rows'].split(',').map((raw) => wholeNumber('etl-rows', raw.trim(), 0, 100));
  if (etlRows.some((n, i) => i > 0 && n <= etlRows[i - 1])) {
    throw new BenchUsageError(`--etl-rows must list sizes from smallest to largest, got "${values['etl-rows']}"`);
  }
  return {
    etlRows,
    rows: wholeNumber('rows', values.rows, DEFAULT_BENCH_ROWS, 50),
    factor: wholeNumber('factor', values.factor, 5, 1),
    trials: wholeNumber('trials', values.trials, 6, 1),
    seed: wholeNumber('seed', values.seed, 42, 0),
    keep: values.keep === true,
    only: only as BenchSection[],
    help: values.help === true,
  };
}
