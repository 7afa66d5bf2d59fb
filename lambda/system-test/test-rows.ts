import type { CsvRecord } from './csv';
import { SYSTEM_TEST_ERRORS, SystemTestError } from './errors';

/**
 * One held-out row of test.csv: its label and its feature cells as written (trimmed; an empty cell is a missing
 * value, which the model's CSV reader takes as such), so the endpoint gets exactly the values in the file.
 */
export interface TestRow {
  /** The line of test.csv it is on (the header is line 1). */
  readonly line: number;
  readonly label: number;
  readonly features: readonly string[];
}

/** A decimal number as pandas writes one: no hex, no `Infinity`, no `nan`, no digit separators. */
const DECIMAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** `text` (trimmed) as a finite number, or undefined when it is not one. */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DECIMAL_NUMBER.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

function malformed(message: string): SystemTestError {
  return new SystemTestError(SYSTEM_TEST_ERRORS.malformedTestData, message);
}

/** A cell quoted for an error message, cut to 60 characters. */
function quoted(cell: string): string {
  return JSON.stringify(cell.length > 60 ? `${cell.slice(0, 57)}...` : cell);
}

/**
 * The column names of test.csv's header (pure): the label column first, then at least one feature. A first line
 * that is all numbers is data, not a header: train.csv and validation.csv have none, test.csv has one.
 */
export function readHeader(record: CsvRecord | undefined, source: string): string[] {
  if (record === undefined) {
    throw malformed(`${source} is empty: expected test.csv with a header (the label column, then the features) and rows`);
  }
  const header = record.cells.map((cell) => cell.trim());
  if (header.length < 2) {
    throw malformed(
      `the header of ${source} (line ${record.line}) has ${header.length} column (${quoted(header[0])}): ` +
        'expected the label column and at least one feature column',
    );
  }
  if (header.every((cell) => parseDecimal(cell) !== undefined)) {
    throw malformed(
      `line ${record.line} of ${source} is numbers (${quoted(record.cells.slice(0, 5).join(','))}...), not a header: ` +
        'use the test split (test.csv has a header; train.csv and validation.csv do not)',
    );
  }
  return header;
}

/**
 * A data row of test.csv, checked against the header (pure): the header's width, a numeric label, and features that
 * are numbers or empty (missing). Throws MalformedTestData naming the line, the column and the value.
 */
export function readTestRow(record: CsvRecord, header: readonly string[], source: string): TestRow {
  const where = `line ${record.line} of ${source}`;
  if (record.cells.length !== header.length) {
    throw malformed(
      `${where} has ${record.cells.length} value${record.cells.length === 1 ? '' : 's'} but the header has ` +
        `${header.length} columns: every row needs the label and one value per feature (leave missing values empty)`,
    );
  }
  const [labelCell, ...featureCells] = record.cells;
  if (labelCell.trim() === '') {
    throw malformed(`${where} has no label (column ${quoted(header[0])} is empty): every held-out row needs its label`);
  }
  const label = parseDecimal(labelCell);
  if (label === undefined) {
    throw malformed(
      `${where} has the label ${quoted(labelCell)} (column ${quoted(header[0])}), which is not a finite number: ` +
        "labels of test.csv are numbers (the ETL job and preprocess.py encode them)",
    );
  }
  const features = featureCells.map((cell, index) => {
    const trimmed = cell.trim();
    if (trimmed !== '' && parseDecimal(trimmed) === undefined) {
      throw malformed(
        `${where} has ${quoted(cell)} in feature column ${quoted(header[index + 1])}, which is not a finite number: ` +
          'features of test.csv are encoded numbers (leave a missing value empty)',
      );
    }
    return trimmed;
  });
  return { line: record.line, label, features };
}
