import type { ColumnContract, DatasetContract, NullPolicy } from './dataset-contract';

import type { Fail } from './checks';

export type { Fail } from './checks';

const NULL_POLICIES = ['quarantine', 'impute-mean', 'impute-median', 'impute-mode'];
const NUMERIC_ONLY_POLICIES = ['impute-mean', 'impute-median'];
const COLUMN_KEYS = ['type', 'nulls', 'min', 'max', 'values'];
const CONTRACT_KEYS = ['columns', 'dropColumns', 'maxCategories', 'deduplicate', 'maxQuarantinedFraction', 'delimiter'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkNulls(path: string, nulls: NullPolicy | undefined, column: ColumnContract, fail: Fail): void {
  if (nulls === undefined) return;
  if (typeof nulls === 'string') {
    if (!NULL_POLICIES.includes(nulls)) {
      fail(path, nulls, `expected one of ${NULL_POLICIES.join(', ')} or { impute: <value> }`);
    } else if (column.type === 'categorical' && NUMERIC_ONLY_POLICIES.includes(nulls)) {
      fail(path, nulls, 'a categorical column imputes its mode or a fixed value: use impute-mode or { impute: "<category>" }');
    }
    return;
  }
  if (!isRecord(nulls) || Object.keys(nulls).join() !== 'impute') {
    fail(path, nulls, 'expected a policy name or { impute: <value> }');
    return;
  }
  const value = nulls.impute;
  const fits = column.type === 'numeric' ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string' && value.trim() !== '';
  if (!fits) fail(`${path}.impute`, value, column.type === 'numeric' ? 'expected a number for a numeric column' : 'expected a non-empty text for a categorical column');
}

function checkColumn(path: string, column: ColumnContract, fail: Fail): void {
  if (!isRecord(column)) {
    fail(path, column, 'expected { type: "numeric" | "categorical", nulls?, min?, max?, values? }');
    return;
  }
  for (const key of Object.keys(column)) {
    if (!COLUMN_KEYS.includes(key)) fail(`${path}.${key}`, (column as unknown as Record<string, unknown>)[key], `unknown member: use ${COLUMN_KEYS.join(', ')}`);
  }
  if (column.type !== 'numeric' && column.type !== 'categorical') {
    fail(`${path}.type`, column.type, 'expected numeric or categorical');
    return;
  }
  checkNulls(`${path}.nulls`, column.nulls, column, fail);
  for (const bound of ['min', 'max'] as const) {
    const value = column[bound];
    if (value === undefined) continue;
    if (column.type !== 'numeric') fail(`${path}.${bound}`, value, 'only numeric columns take min and max');
    else if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${path}.${bound}`, value, 'expected a number');
  }
  if (typeof column.min === 'number' && typeof column.max === 'number' && column.min > column.max) {
    fail(`${path}.min`, column.min, `must be <= max (${column.max})`);
  }
  if (column.values !== undefined) {
    if (column.type !== 'categorical') {
      fail(`${path}.values`, column.values, 'only categorical columns list their values');
    } else if (!Array.isArray(column.values) || column.values.length === 0 || column.values.some((v) => typeof v !== 'string' || v.trim() === '')) {
      fail(`${path}.values`, column.values, 'expected a non-empty list of non-empty category names');
    } else if (new Set(column.values).size !== column.values.length) {
      fail(`${path}.values`, column.values, 'lists a category twice; name each once');
    }
  }
}

/**
 * Problems with a stage's dataset contract, each naming the path under `dataset`, the value and what is allowed: the
 * same rules the ETL job applies to its `--contract` (glue-scripts/curation/contract.py), checked at synth so that a
 * bad contract fails `cdk synth` rather than the first upload.
 */
export function validateDatasetContract(contract: DatasetContract, labelColumn: string, fail: Fail): void {
  if (typeof contract !== 'object' || contract === null || Array.isArray(contract)) {
    fail('dataset', contract, 'expected a dataset contract object (use {} to infer every column)');
    return;
  }
  for (const key of Object.keys(contract)) {
    if (!CONTRACT_KEYS.includes(key)) fail(`dataset.${key}`, (contract as Record<string, unknown>)[key], `unknown member: use ${CONTRACT_KEYS.join(', ')}`);
  }
  for (const [name, column] of Object.entries(contract.columns ?? {})) {
    if (name.trim() === '') fail('dataset.columns', name, 'column names must not be empty');
    checkColumn(`dataset.columns.${name}`, column, fail);
  }
  const label = contract.columns?.[labelColumn];
  if (label !== undefined && label.type === 'categorical') {
    fail(`dataset.columns.${labelColumn}.type`, label.type, 'the label column is numeric (a number to predict, or 0/1 for binary classification)');
  }
  const drop = contract.dropColumns ?? [];
  if (!Array.isArray(drop) || drop.some((c) => typeof c !== 'string' || c.trim() === '')) {
    fail('dataset.dropColumns', drop, 'expected a list of column names');
  } else {
    drop.forEach((column, i) => {
      if (column === labelColumn) fail(`dataset.dropColumns[${i}]`, column, `the label column '${labelColumn}' cannot be dropped`);
      if (contract.columns?.[column] !== undefined) fail(`dataset.dropColumns[${i}]`, column, 'is also described under columns; keep one');
    });
  }
  const { maxCategories, maxQuarantinedFraction, delimiter, deduplicate } = contract;
  if (maxCategories !== undefined && !(Number.isInteger(maxCategories) && maxCategories >= 1 && maxCategories <= 10_000)) {
    fail('dataset.maxCategories', maxCategories, 'expected an integer between 1 and 10000');
  }
  if (maxQuarantinedFraction !== undefined && !(typeof maxQuarantinedFraction === 'number' && maxQuarantinedFraction >= 0 && maxQuarantinedFraction <= 1)) {
    fail('dataset.maxQuarantinedFraction', maxQuarantinedFraction, 'expected a number from 0 to 1 (0: any row set aside fails the run)');
  }
  if (delimiter !== undefined && !(typeof delimiter === 'string' && delimiter.length === 1 && delimiter !== '"' && delimiter !== '\n')) {
    fail('dataset.delimiter', delimiter, 'expected one character other than a quote or a newline, e.g. "," or ";"');
  }
  if (deduplicate !== undefined && typeof deduplicate !== 'boolean') fail('dataset.deduplicate', deduplicate, 'expected true or false');
}
