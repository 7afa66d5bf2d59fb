import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { ProblemType } from '../../lib/sagemaker-pipelines/problem-types';
import type { ExecutionRecord, StepRecord } from '../executor/types';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const ML_DIR = path.join(REPO_ROOT, 'ml');
/** The project's virtualenv Python, which runs every script locally. */
export const PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');

/** Reads the header line of a CSV file (without loading the whole file). */
export function readCsvHeader(file: string): string[] {
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    const read = fs.readSync(fd, chunk, 0, chunk.length, 0);
    const text = chunk.subarray(0, read).toString('utf8').replace(/^\uFEFF/, '');
    const line = text.split(/\r?\n/, 1)[0] ?? '';
    return line
      .split(',')
      .map((column) => column.trim().replace(/^"(.*)"$/, '$1'))
      .filter((column) => column.length > 0);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes `rows` rows of sample data with ml/sample_data.py (label column `target`): `clean` (numeric, label first,
 * what preprocess reads) or `upload` (text categories, gaps and bad rows, label last: what the ETL job curates).
 */
export function generateSampleData(
  options: { rows: number; seed: number; problemType: ProblemType; format?: 'clean' | 'upload' },
  file: string,
): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const result = spawnSync(
    PYTHON,
    [
      path.join(ML_DIR, 'sample_data.py'),
      '--rows',
      String(options.rows),
      '--seed',
      String(options.seed),
      '--problem-type',
      options.problemType,
      '--format',
      options.format ?? 'clean',
      '--output',
      file,
    ],
    { encoding: 'utf8' },
  );
  if (result.error) throw new Error(`Cannot run ${PYTHON}: ${result.error.message} (create the venv with \`npm run venv\`)`);
  if (result.status !== 0) {
    throw new Error(`ml/sample_data.py failed (exit ${result.status}):\n${result.stderr.trim()}`);
  }
}

/** The label column of the sample data ml/sample_data.py writes. */
export const SAMPLE_DATA_LABEL = 'target';

/** A step of an execution record, by name. */
export function stepOf(record: ExecutionRecord, name: string): StepRecord | undefined {
  return record.steps.find((s) => s.name === name);
}

/** The S3 URI of a Processing step's output, from its Describe*-shaped properties. */
export function processingOutputUri(step: StepRecord | undefined, outputName: string): string | undefined {
  const outputs = (step?.properties?.ProcessingOutputConfig as { Outputs?: unknown } | undefined)?.Outputs;
  const list: unknown[] = Array.isArray(outputs) ? outputs : outputs && typeof outputs === 'object' ? Object.values(outputs) : [];
  for (const output of list) {
    const o = output as { OutputName?: unknown; S3Output?: { S3Uri?: unknown } };
    if (o.OutputName === outputName && typeof o.S3Output?.S3Uri === 'string') return o.S3Output.S3Uri;
  }
  return undefined;
}

/** Held-out rows of test.csv (header; label first, then the features). */
export interface HeldOut {
  readonly features: string[];
  readonly rows: { readonly label: string; readonly values: string[] }[];
}

export function readHeldOut(text: string): HeldOut {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new Error('the test split has no rows');
  const header = lines[0].split(',');
  return {
    features: header.slice(1),
    rows: lines.slice(1).map((line) => {
      const cells = line.split(',');
      return { label: cells[0], values: cells.slice(1) };
    }),
  };
}
