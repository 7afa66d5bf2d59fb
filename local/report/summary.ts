import type { ProblemType } from '../../lib/sagemaker-pipelines/problem-types';
import type { ExecutionRecord, IgnoredSetting } from '../executor/types';
import { IGNORED_SETTING_KINDS } from '../executor/local-checks';
import { formatDuration, formatNumber } from './html';
import { bestTrial, evaluationMetrics, passesGate, type ReportEvaluation, type ReportPrediction } from './render';
import { deploymentLines, type DeploymentSummary } from './deployment';
import { etlLines, flowLines, notificationLines, type EtlRunSummary, type FlowDelivery, type NotificationSummary } from './flow';
import { formatTable } from './text';

/** Batch predictions next to the labels of the same rows. */
export interface BatchCheck {
  readonly predicted: readonly number[];
  readonly actual: readonly number[];
  readonly problemType: ProblemType;
}

/** The stage a run took its settings from, what the command line changed, and what the run ignored. */
export interface RunStageSummary {
  readonly name: string;
  /** Settings the flags changed. */
  readonly overridden: readonly { readonly flag: string; readonly path: string; readonly value: unknown }[];
  /** Cloud-only settings of the definitions that the local run ignored, by pipeline. */
  readonly ignored: readonly { readonly pipeline: string; readonly issue: IgnoredSetting }[];
}

/** Everything the text summary of a local run shows. */
export interface RunSummary {
  readonly stage?: RunStageSummary;
  readonly training?: ExecutionRecord;
  readonly inference?: ExecutionRecord;
  readonly evaluation?: ReportEvaluation;
  readonly batchCheck?: BatchCheck;
  /** The events the run's rules delivered to the handlers, in order. */
  readonly flow?: readonly FlowDelivery[];
  /** The ETL run that curated the upload. */
  readonly etl?: EtlRunSummary;
  /** The staging endpoint, its system test, the promotion and production's data quality. */
  readonly deployment?: DeploymentSummary;
  /** What the notification topic received. */
  readonly notifications?: { readonly topicArn: string; readonly messages: readonly NotificationSummary[] };
  /** Labelled paths, printed in order. */
  readonly artifacts: readonly { readonly label: string; readonly path: string }[];
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** The endpoint's predictions next to the actual values, as a text table. */
export function formatPredictions(predictions: readonly ReportPrediction[]): string {
  return indent(
    formatTable(
      ['request', 'predicted', 'actual', 'error'],
      predictions.map((p) => [
        p.format,
        formatNumber(p.predicted, 6),
        formatNumber(p.actual, 6),
        p.actual === undefined ? '–' : formatNumber(p.predicted - p.actual, 4),
      ]),
    ),
  );
}

/** r2 (regression) or accuracy at 0.5 (binary classification) of batch predictions against their labels. */
export function batchScore(check: BatchCheck): { name: string; value: number } {
  const n = Math.min(check.predicted.length, check.actual.length);
  const actual = check.actual.slice(0, n);
  if (check.problemType === 'regression') {
    const mean = actual.reduce((a, b) => a + b, 0) / n;
    const sse = actual.reduce((sum, y, i) => sum + (y - check.predicted[i]) ** 2, 0);
    const sst = actual.reduce((sum, y) => sum + (y - mean) ** 2, 0);
    return { name: 'r2', value: 1 - sse / sst };
  }
  const correct = actual.filter((y, i) => (check.predicted[i] >= 0.5 ? 1 : 0) === y).length;
  return { name: 'accuracy', value: correct / n };
}

function stageLines(stage: RunStageSummary | undefined): string[] {
  if (!stage) return [];
  const lines = [
    `Stage:         ${stage.name}${stage.overridden.length === 0 ? ' (its own settings)' : ''}`,
    ...stage.overridden.map((o) => `               ${o.path} = ${JSON.stringify(o.value)} (${o.flag})`),
  ];
  if (stage.ignored.length > 0) {
    // One line per kind of setting: which steps carry it.
    const byKind = new Map<string, Set<string>>();
    for (const { pipeline, issue } of stage.ignored) {
      const kind = IGNORED_SETTING_KINDS[issue.code];
      const step = /^Steps\[([^\]]+)\]/.exec(issue.path)?.[1] ?? issue.path;
      const steps = byKind.get(kind) ?? new Set<string>();
      steps.add(`${pipeline}/${step}`);
      byKind.set(kind, steps);
    }
    lines.push('Ignored here:  cloud-only settings the definitions keep, which a local run does not act on:');
    for (const [kind, steps] of byKind) lines.push(`               ${kind}: ${[...steps].join(', ')}`);
  }
  lines.push('');
  return lines;
}

function gateLines(evaluation: ReportEvaluation | undefined): string[] {
  if (!evaluation) return ['Quality gate:  not evaluated (the pipeline stopped before Evaluate)'];
  const metrics = evaluationMetrics(evaluation.report);
  const value = metrics.get(evaluation.gateMetric)?.value;
  const op = evaluation.direction === 'Maximize' ? '>=' : '<=';
  const passed = value !== undefined && passesGate(value, evaluation.threshold, evaluation.direction);
  const lines = [
    `Quality gate:  ${evaluation.gateMetric} = ${formatNumber(value, 6)} on the test split, required ${op} ` +
      `${formatNumber(evaluation.threshold, 6)}: ${passed ? 'PASS' : 'FAIL'}`,
  ];
  const others = [...metrics]
    .filter(([name]) => name !== evaluation.gateMetric)
    .map(([name, m]) => `${name} = ${formatNumber(m.value, 5)}`);
  if (others.length > 0) lines.push(`               ${others.join(', ')}`);
  return lines;
}

function tuningLines(training: ExecutionRecord | undefined): string[] {
  const tune = training?.steps.find((s) => s.type === 'Tuning');
  if (tune?.status === 'Cached' && !tune.trials?.length) return ['Tuning:        cached (the trials are in the reused execution)'];
  if (!tune?.trials || tune.trials.length === 0) return [];
  const lines: string[] = [];
  const best = bestTrial(tune, undefined);
  if (best) {
    lines.push(
      `Best trial:    #${best.index} ${best.trainingJobName}: ${best.objective?.metricName} = ${formatNumber(best.objective?.value, 6)}`,
      `               ${Object.entries(best.tunedHyperParameters)
        .map(([k, v]) => `${k}=${formatNumber(Number(v), 4)}`)
        .join(', ')}`,
    );
  }
  const names = [...new Set(tune.trials.flatMap((t) => Object.keys(t.tunedHyperParameters)))].sort();
  const metric = tune.trials.find((t) => t.objective)?.objective?.metricName ?? 'objective';
  const rows = [...tune.trials]
    .sort((a, b) => a.index - b.index)
    .map((t) => [
      `${t.index}${best?.index === t.index ? '*' : ''}`,
      t.status,
      formatNumber(t.objective?.value, 6),
      formatDuration(t.durationMs),
      ...names.map((n) => formatNumber(Number(t.tunedHyperParameters[n]), 4)),
    ]);
  lines.push('', 'Tuning trials (* = best):', indent(formatTable(['trial', 'status', metric, 'duration', ...names], rows, ['right'])));
  return lines;
}

function timingLines(records: readonly ExecutionRecord[]): string[] {
  const rows: string[][] = [];
  for (const record of records) {
    for (const step of record.steps) {
      const status =
        step.status === 'Cached' ? 'cached' : step.status === 'NotExecuted' ? 'not executed' : step.status.toLowerCase();
      rows.push([
        record.pipelineName,
        step.name,
        step.type,
        status,
        step.status === 'Cached' ? 'cached' : formatDuration(step.durationMs),
        step.status === 'Cached' || step.status === 'NotExecuted' ? '–' : formatDuration(step.processMs),
      ]);
    }
    rows.push([
      record.pipelineName,
      '(total)',
      '',
      record.status.toLowerCase(),
      formatDuration(record.durationMs),
      formatDuration(record.processMs),
    ]);
  }
  return [
    '',
    'Step timings:',
    indent(
      formatTable(['pipeline', 'step', 'type', 'status', 'duration', 'in scripts'], rows, [
        'left',
        'left',
        'left',
        'left',
        'right',
        'right',
      ]),
    ),
  ];
}

/**
 * The final summary of a local run: quality gate against its threshold, best trial and its hyperparameters, the
 * trials, per-step timings (cached steps marked), the batch predictions' score and where every artifact is.
 */
export function formatRunSummary(summary: RunSummary): string {
  const records = [summary.training, summary.inference].filter((r): r is ExecutionRecord => r !== undefined);
  const lines = [
    '',
    '================================ Summary ================================',
    ...stageLines(summary.stage),
    ...flowLines(summary.flow ?? []),
    ...etlLines(summary.etl),
    ...(summary.etl ? [''] : []),
    ...gateLines(summary.evaluation),
    ...tuningLines(summary.training),
    ...(records.length > 0 ? timingLines(records) : []),
  ];
  if (summary.batchCheck) {
    const score = batchScore(summary.batchCheck);
    lines.push(
      '',
      `Batch transform: ${summary.batchCheck.predicted.length} predictions for ${summary.batchCheck.actual.length} held-out rows ` +
        `(${score.name} = ${formatNumber(score.value, 4)} against their labels)`,
    );
  }
  lines.push(...deploymentLines(summary.deployment));
  if (summary.notifications) lines.push(...notificationLines(summary.notifications.topicArn, summary.notifications.messages));
  lines.push('', 'Artifacts:');
  const width = Math.max(0, ...summary.artifacts.map((a) => a.label.length));
  for (const a of summary.artifacts) lines.push(`  ${a.label.padEnd(width)}  ${a.path}`);
  lines.push('');
  // Sections end and start with a blank line: keep one.
  return lines.filter((line, i) => line !== '' || lines[i - 1] !== '').join('\n');
}
