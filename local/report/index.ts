import * as fs from 'fs';
import * as path from 'path';
import type { ExecutionRecord } from '../executor/types';
import { renderReport, type ReportExtras } from './render';

export {
  bestTrial,
  evaluationMetrics,
  objectiveDirectionOf,
  passesGate,
  renderReport,
  type MetricDirection,
  type ReportEvaluation,
  type ReportExtras,
  type ReportPrediction,
} from './render';
export { escapeHtml, formatDuration, formatNumber } from './html';
export { elapsedLabel, firstLine, progressPrinter } from './progress';
export { batchScore, formatPredictions, formatRunSummary, type BatchCheck, type RunStageSummary, type RunSummary } from './summary';
export type { EtlRunSummary, FlowDelivery, NotificationSummary } from './flow';
export type { DeploymentSummary, SystemTestSummary } from './deployment';
export { formatTable, type Align } from './text';
export { layoutGraph, assignLayers, type GraphLayout, type PositionedNode } from './layout';

/** Renders the report for `records` and writes it to `file` (folders are created). Returns the absolute path. */
export function writeReport(file: string, records: readonly ExecutionRecord[], extras: ReportExtras = {}): string {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, renderReport(records, extras));
  return target;
}

/** Reads an `execution.json` written by the local executor. */
export function readExecutionRecord(file: string): ExecutionRecord {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read execution record ${file}: ${(error as Error).message}`);
  }
  const record = JSON.parse(text) as ExecutionRecord;
  if (record.formatVersion !== 1 || !Array.isArray(record.steps) || !record.graph) {
    throw new Error(`${file} is not an execution record of format version 1 (run the pipeline again to rewrite it)`);
  }
  return record;
}
