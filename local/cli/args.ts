import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_STAGE_CONFIGS,
  isStageName,
  STAGE_NAMES,
  TUNING_STRATEGIES,
  type StageConfigOverrides,
  type StageName,
} from '../../lib/config';
import { PROBLEM_TYPE_NAMES, PROBLEM_TYPES, type ProblemType } from '../../lib/sagemaker-pipelines/problem-types';
import { readCsvHeader } from './data';

/** Sample size of `npm run local`; chosen so that the whole flow stays well under 3 minutes on 2 cores. */
export const DEFAULT_ROWS = 20_000;
export const DEFAULT_SEED = 42;
export const DEFAULT_STAGE: StageName = 'dev';
export const DEFAULT_WORK_DIR = '.local';
const MIN_ROWS = 50;
const MAX_ROWS = 10_000_000;

/** A stage setting the command line changed: which flag, which config path, from what to what. */
export interface ConfigOverride {
  readonly flag: string;
  readonly path: string;
  readonly value: unknown;
}

/** Everything `npm run local` can be told on its command line. */
export interface CliOptions {
  /** The stage whose settings the run takes. */
  readonly stage: StageName;
  /** Stage settings the flags change (merged over the stage's config). */
  readonly overrides: StageConfigOverrides;
  /** The same changes, flag by flag, for the summary. */
  readonly overridden: readonly ConfigOverride[];
  /** Rows of generated sample data (ignored with `data`). */
  readonly rows: number;
  /** Seed of the sample data and of the tuning search. */
  readonly seed: number;
  /** A CSV file with a header to train on instead of sample data (absolute path). */
  readonly data?: string;
  /** Folder for local S3, execution records, registry and report (absolute path). */
  readonly workDir: string;
  /** `--help` was given: print usage and do nothing else. */
  readonly help: boolean;
}

export const USAGE = `Usage: npm run local -- [options]

Runs a stage's data flow on this machine (no AWS, no Docker), with the stage's own settings (lib/config/stages.ts):
the dataset is uploaded to the local raw bucket, the ETL job curates it, the training pipeline trains, gates and
registers a model, a local endpoint and the inference pipeline use it. The flags below override single settings.

Options:
  --stage S                ${STAGE_NAMES.join(' | ')} (default ${DEFAULT_STAGE})
  --rows N                 rows of generated sample data (default ${DEFAULT_ROWS}; at least ${MIN_ROWS})
  --data FILE              train on this CSV file (with a header) instead of sample data; needs --label
  --label COL              the label column of --data                          (labelColumn)
  --drop-columns A,B       columns of --data to leave out (identifiers, free text) (dataset.dropColumns)
  --seed S                 seed of the sample data and the tuning search (default ${DEFAULT_SEED})
  --problem-type T         ${PROBLEM_TYPE_NAMES.join(' | ')}                   (problemType)
  --metric M               the quality gate's metric, e.g. r2, rmse, auc        (qualityGate.metric)
  --threshold X            the value the gate metric must reach                 (qualityGate.threshold)
  --system-test-threshold X  the value the staging endpoint's system test must reach (deployment.systemTest.threshold)
  --trials N               hyperparameter tuning trials                         (tuning.maxJobs)
  --parallel N             trials run at the same time                          (tuning.maxParallelJobs)
  --strategy S             tuning strategy: ${TUNING_STRATEGIES.join(' | ')}               (tuning.strategy)
  --num-round N            XGBoost boosting rounds per trial                    (tuning.numRound)
  --no-cache               run every step even if an earlier run could be reused (caching.enabled)
  --work-dir DIR           where local S3, executions, registry and report go (default: the project's
                           ${DEFAULT_WORK_DIR} folder)
  --help                   show this help

Examples:
  npm run local
  npm run local -- --stage prod --trials 4
  npm run local -- --data ./my-data.csv --label price --drop-columns listing_id --threshold 0.5`;

/** A bad command line: the message names the value; `USAGE` says what is allowed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const OPTIONS = {
  stage: { type: 'string' },
  rows: { type: 'string' },
  data: { type: 'string' },
  label: { type: 'string' },
  'drop-columns': { type: 'string' },
  seed: { type: 'string' },
  'problem-type': { type: 'string' },
  metric: { type: 'string' },
  threshold: { type: 'string' },
  'system-test-threshold': { type: 'string' },
  trials: { type: 'string' },
  parallel: { type: 'string' },
  strategy: { type: 'string' },
  'num-round': { type: 'string' },
  'no-cache': { type: 'boolean' },
  'work-dir': { type: 'string' },
  help: { type: 'boolean' },
} as const;

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

function parseInteger(flag: string, raw: string, min: number, max: number): number {
  if (!/^[+]?\d+$/.test(raw.trim())) {
    throw new UsageError(`--${flag} must be a whole number between ${min} and ${max}, got "${raw}"`);
  }
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`--${flag} must be between ${min} and ${max}, got ${raw}`);
  return value;
}

function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  const match = choices.find((choice) => choice.toLowerCase() === raw.toLowerCase());
  if (match === undefined) throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got "${raw}"`);
  return match;
}

function parseNumber(flag: string, raw: string): number {
  const value = Number(raw);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw.trim()) || !Number.isFinite(value)) {
    throw new UsageError(`--${flag} must be a number (e.g. 0.7), got "${raw}"`);
  }
  return value;
}

/** `node:util` parseArgs, with its errors reworded to name the flag and what to do; a flag given twice is an error. */
function readValues(argv: readonly string[]): Values {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error as Error & { code?: string }, argv));
  }
  const seen = new Map<string, string | undefined>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) {
      throw new UsageError(`--${token.name} is given twice ("${seen.get(token.name) ?? ''}" and "${token.value ?? ''}")`);
    }
    seen.set(token.name, token.value);
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string' && value.trim() === '') throw new UsageError(`--${name} needs a value, got an empty string`);
  }
  return parsed.values as Values;
}

function parseArgsMessage(error: Error & { code?: string }, argv: readonly string[]): string {
  const option = /'(-[^' ]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option "${option}" (see --help)`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${/'([^']+)'/.exec(error.message)?.[1] ?? argv.join(' ')}": options start with -- (see --help)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(error.message)) return `${option} takes no value`;
      if (/ambiguous/.test(error.message)) {
        return `${option} needs a value (to pass one that starts with "-", write ${option}=VALUE, e.g. ${option}=-0.5)`;
      }
      return `${option} needs a value`;
    default:
      return error.message;
  }
}

/** Stage setting overrides from the flags, each recorded with the flag that set it. */
function stageOverrides(values: Values, stage: StageName): { overrides: StageConfigOverrides; overridden: ConfigOverride[] } {
  const overridden: ConfigOverride[] = [];
  const set = (flag: string, configPath: string, value: unknown): void => {
    overridden.push({ flag: `--${flag}`, path: configPath, value });
  };
  const tuning: Record<string, unknown> = {};
  const qualityGate: Record<string, unknown> = {};
  let problemType: ProblemType | undefined;
  if (values['problem-type'] !== undefined) {
    problemType = parseChoice('problem-type', values['problem-type'], PROBLEM_TYPE_NAMES);
    set('problem-type', 'problemType', problemType);
    if (values.metric === undefined && problemType !== DEFAULT_STAGE_CONFIGS[stage].problemType) {
      // The stage's gate metric belongs to its own problem type: take the new type's default one.
      qualityGate.metric = PROBLEM_TYPES[problemType].defaultGateMetric;
      set('problem-type', 'qualityGate.metric', qualityGate.metric);
    }
  }
  if (values.metric !== undefined) {
    qualityGate.metric = values.metric;
    set('metric', 'qualityGate.metric', values.metric);
  }
  if (values.threshold !== undefined) {
    qualityGate.threshold = parseNumber('threshold', values.threshold);
    set('threshold', 'qualityGate.threshold', qualityGate.threshold);
  }
  let deployment: { systemTest: { threshold: number } } | undefined;
  if (values['system-test-threshold'] !== undefined) {
    deployment = { systemTest: { threshold: parseNumber('system-test-threshold', values['system-test-threshold']) } };
    set('system-test-threshold', 'deployment.systemTest.threshold', deployment.systemTest.threshold);
  }
  if (values.trials !== undefined) {
    tuning.maxJobs = parseInteger('trials', values.trials, 1, 500);
    set('trials', 'tuning.maxJobs', tuning.maxJobs);
  }
  if (values.parallel !== undefined) {
    tuning.maxParallelJobs = parseInteger('parallel', values.parallel, 1, 100);
    set('parallel', 'tuning.maxParallelJobs', tuning.maxParallelJobs);
  } else if (tuning.maxJobs !== undefined && (tuning.maxJobs as number) < DEFAULT_STAGE_CONFIGS[stage].tuning.maxParallelJobs) {
    // Fewer trials than the stage runs at once: run them all at once rather than fail the config check.
    tuning.maxParallelJobs = tuning.maxJobs;
    set('trials', 'tuning.maxParallelJobs', tuning.maxParallelJobs);
  }
  if (values.strategy !== undefined) {
    tuning.strategy = parseChoice('strategy', values.strategy, TUNING_STRATEGIES);
    set('strategy', 'tuning.strategy', tuning.strategy);
  }
  if (values['num-round'] !== undefined) {
    tuning.numRound = parseInteger('num-round', values['num-round'], 1, 10_000);
    set('num-round', 'tuning.numRound', tuning.numRound);
  }
  const caching = values['no-cache'] ? { enabled: false } : undefined;
  if (caching) set('no-cache', 'caching.enabled', false);
  if (values.label !== undefined) set('label', 'labelColumn', values.label);
  let dataset: { dropColumns: string[] } | undefined;
  if (values.data !== undefined) {
    // The stage's column rules describe its own dataset; another file's columns are inferred from its data.
    const { columns, dropColumns } = DEFAULT_STAGE_CONFIGS[stage].dataset;
    if (columns && Object.keys(columns).length > 0) set('data', 'dataset.columns', {});
    if (dropColumns && dropColumns.length > 0 && values['drop-columns'] === undefined) set('data', 'dataset.dropColumns', []);
  }
  if (values['drop-columns'] !== undefined) {
    const names = values['drop-columns'].split(',').map((n) => n.trim());
    if (names.some((n) => n === '')) {
      throw new UsageError(`--drop-columns "${values['drop-columns']}" has an empty name: list column names separated by commas`);
    }
    dataset = { dropColumns: names };
    set('drop-columns', 'dataset.dropColumns', names);
  }
  const overrides: StageConfigOverrides = {
    ...(problemType ? { problemType } : {}),
    ...(values.label !== undefined ? { labelColumn: values.label } : {}),
    ...(Object.keys(qualityGate).length > 0 ? { qualityGate } : {}),
    ...(Object.keys(tuning).length > 0 ? { tuning } : {}),
    ...(caching ? { caching } : {}),
    ...(dataset ? { dataset } : {}),
    ...(deployment ? { deployment } : {}),
  };
  return { overrides, overridden };
}

/** Checks `--data`, `--label` and `--drop-columns`: the file exists and its header has the label, a feature and the dropped columns. */
function checkData(values: Values, cwd: string): string | undefined {
  if (values.data !== undefined && values.rows !== undefined) {
    throw new UsageError(`--rows ${values.rows} only applies to sample data; --data trains on every row of its file`);
  }
  if (values.data === undefined) {
    if (values.label !== undefined) {
      throw new UsageError(`--label "${values.label}" only applies with --data FILE (sample data has its own label column)`);
    }
    return undefined;
  }
  const data = path.resolve(cwd, values.data);
  if (!fs.existsSync(data) || !fs.statSync(data).isFile()) {
    throw new UsageError(`--data file "${values.data}" does not exist (looked at ${data})`);
  }
  if (values.label === undefined) throw new UsageError(`--data needs --label COL naming the label column of ${values.data}`);
  const header = readCsvHeader(data);
  if (!header.includes(values.label)) {
    throw new UsageError(`--label "${values.label}" is not a column of ${values.data}; its header has: ${header.join(', ') || '(nothing)'}`);
  }
  if (header.length < 2) throw new UsageError(`--data file "${values.data}" needs a label column and at least one feature column`);
  for (const name of values['drop-columns']?.split(',').map((n) => n.trim()) ?? []) {
    if (name === values.label) throw new UsageError(`--drop-columns names the label column "${name}"; the label cannot be dropped`);
    if (name !== '' && !header.includes(name)) {
      throw new UsageError(`--drop-columns: "${name}" is not a column of ${values.data}; its header has: ${header.join(', ')}`);
    }
  }
  return data;
}

/**
 * Parses the command line of `npm run local` (the arguments after the script name). Relative paths are resolved
 * against `cwd`; without --work-dir the work dir is `defaultWorkDir`. Throws `UsageError` naming the bad flag and
 * value. The stage config itself is checked when the run loads it (see `loadRunConfig`).
 */
export function parseCliArgs(argv: readonly string[], cwd: string, defaultWorkDir: string): CliOptions {
  const values = readValues(argv);
  const stageRaw = values.stage ?? DEFAULT_STAGE;
  if (!isStageName(stageRaw)) throw new UsageError(`--stage must be one of ${STAGE_NAMES.join(', ')}, got "${stageRaw}"`);
  const { overrides, overridden } = stageOverrides(values, stageRaw);
  return {
    stage: stageRaw,
    overrides,
    overridden,
    rows: values.rows !== undefined ? parseInteger('rows', values.rows, MIN_ROWS, MAX_ROWS) : DEFAULT_ROWS,
    seed: values.seed !== undefined ? parseInteger('seed', values.seed, 0, 2 ** 31 - 1) : DEFAULT_SEED,
    data: checkData(values, cwd),
    workDir: values['work-dir'] !== undefined ? path.resolve(cwd, values['work-dir']) : defaultWorkDir,
    help: values.help === true,
  };
}
