import { SYSTEM_TEST_ERRORS, SystemTestError } from './errors';
import { SYSTEM_TEST_LIMITS } from './events';
import type { TestRow } from './test-rows';

/** The rows one Map iteration sends: `rowCount` rows from the 0-based data row `firstRow`. */
export interface Batch {
  readonly index: number;
  readonly firstRow: number;
  readonly rowCount: number;
}

/** How the rows are cut into requests and batches. */
export interface Slicing {
  readonly rowsPerRequest: number;
  readonly requestsPerBatch: number;
}

function invalid(message: string): SystemTestError {
  return new SystemTestError(SYSTEM_TEST_ERRORS.invalidInput, message);
}

/**
 * Checks, before any AWS call, that `maxRows` rows cut as `slicing` says make at most
 * {@link SYSTEM_TEST_LIMITS.maxBatches} Map iterations (pure).
 */
export function checkBatchCount(maxRows: number, slicing: Slicing): void {
  const rowsPerBatch = slicing.rowsPerRequest * slicing.requestsPerBatch;
  const batches = Math.ceil(maxRows / rowsPerBatch);
  if (batches > SYSTEM_TEST_LIMITS.maxBatches) {
    throw invalid(
      `maxRows ${maxRows} with rowsPerRequest ${slicing.rowsPerRequest} and requestsPerBatch ` +
        `${slicing.requestsPerBatch} makes ${batches} batches; a system test runs at most ` +
        `${SYSTEM_TEST_LIMITS.maxBatches} (each is a Map iteration in the execution's history): raise rowsPerRequest ` +
        'or requestsPerBatch, or lower maxRows',
    );
  }
}

/** Cuts `rows` rows into batches of `rowsPerRequest * requestsPerBatch` rows, the last one shorter (pure). */
export function planBatches(rows: number, slicing: Slicing): Batch[] {
  const rowsPerBatch = slicing.rowsPerRequest * slicing.requestsPerBatch;
  const batches: Batch[] = [];
  for (let firstRow = 0; firstRow < rows; firstRow += rowsPerBatch) {
    batches.push({ index: batches.length, firstRow, rowCount: Math.min(rowsPerBatch, rows - firstRow) });
  }
  return batches;
}

/** The text/csv body of one InvokeEndpoint request: one row of features per line, no header, no label. */
export function requestBody(rows: readonly TestRow[]): string {
  return rows.map((row) => row.features.join(',')).join('\n');
}

/** The rows in groups of `rowsPerRequest`, the last one shorter. */
export function requestGroups<T>(rows: readonly T[], rowsPerRequest: number): T[][] {
  const groups: T[][] = [];
  for (let start = 0; start < rows.length; start += rowsPerRequest) {
    groups.push(rows.slice(start, start + rowsPerRequest));
  }
  return groups;
}

/** `rows 0-49 (lines 2-51 of s3://...)`: which rows a request or batch holds, for messages. */
export function describeRows(rows: readonly TestRow[], firstRow: number, source: string): string {
  if (rows.length === 0) return `no rows of ${source}`;
  const last = firstRow + rows.length - 1;
  const lines = rows.length === 1 ? `line ${rows[0].line}` : `lines ${rows[0].line}-${rows[rows.length - 1].line}`;
  return `${rows.length === 1 ? `row ${firstRow}` : `rows ${firstRow}-${last}`} (${lines} of ${source})`;
}

/**
 * Checks that every request the rows make stays under InvokeEndpoint's payload limit (pure); throws InvalidInput
 * naming the first request over it.
 */
export function checkRequestSizes(rows: readonly TestRow[], rowsPerRequest: number, source: string): void {
  requestGroups(rows, rowsPerRequest).forEach((group, index) => {
    // The cells are checked numbers (ASCII): characters are bytes.
    const bytes = requestBody(group).length;
    if (bytes > SYSTEM_TEST_LIMITS.maxRequestBytes) {
      throw invalid(
        `rowsPerRequest ${rowsPerRequest} makes a request of ${bytes} bytes for ` +
          `${describeRows(group, index * rowsPerRequest, source)}, over InvokeEndpoint's ` +
          `${SYSTEM_TEST_LIMITS.maxRequestBytes}-byte limit: lower rowsPerRequest`,
      );
    }
  });
}
