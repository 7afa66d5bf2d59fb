import { PROBLEM_TYPES } from '../../lib/sagemaker-pipelines/problem-types';
import type { ExecutionRecord, StepRecord } from '../executor/types';
import { REPORT_CSS, REPORT_JS } from './assets';
import { escapeHtml as e, formatDuration, formatNumber, jsonForScript, px, slug } from './html';
import { renderDeploymentSection } from './deployment';
import { graphLegend, renderGraph } from './graph-svg';
import {
  evaluationMetrics,
  ms,
  passesGate,
  STATUS_LABEL,
  statusClass,
  stepKey,
  truncate,
  type ReportEvaluation,
  type ReportExtras,
  type ReportPrediction,
} from './model';
import { renderTimeline } from './timeline';
import { renderTrialsSection } from './trials';

export * from './model';

// ---------------------------------------------------------------- metrics

function renderMetricsSection(records: readonly ExecutionRecord[], evaluation: ReportEvaluation | undefined): string {
  const condition = records.flatMap((r) => r.steps).find((s) => s.type === 'Condition' && s.conditionOutcome !== undefined);
  if (!evaluation) {
    return `<section id="metrics"><h2>Evaluation</h2><p class="muted">No evaluation report for this run${
      condition ? `; the quality gate ${condition.conditionOutcome ? 'passed' : 'failed'}` : ''
    }.</p></section>`;
  }
  const metrics = evaluationMetrics(evaluation.report);
  const gate = metrics.get(evaluation.gateMetric);
  const passed =
    condition?.conditionOutcome ?? (gate ? passesGate(gate.value, evaluation.threshold, evaluation.direction) : undefined);
  const op = evaluation.direction === 'Maximize' ? '≥' : '≤';
  const verdict = passed === undefined ? 'unknown' : passed ? 'pass' : 'fail';
  const parts: string[] = ['<section id="metrics"><h2>Evaluation and quality gate</h2>'];
  parts.push(
    `<p id="quality-gate" class="gate-verdict ${verdict}" data-passed="${passed === undefined ? '' : String(passed)}">` +
      `<span class="badge ${verdict}">${verdict.toUpperCase()}</span> ` +
      `${e(evaluation.gateMetric)} = <strong>${e(formatNumber(gate?.value, 6))}</strong>, required ${op} ${e(formatNumber(evaluation.threshold, 6))}` +
      `${condition ? ` <span class="muted">(condition ${e(condition.name)} evaluated ${String(condition.conditionOutcome)})</span>` : ''}</p>`,
  );
  if (gate) {
    const width = 520;
    const height = 46;
    const lo = Math.min(0, gate.value, evaluation.threshold);
    const hi = Math.max(gate.value, evaluation.threshold, lo + 1e-9) * 1.15 || 1;
    const xOf = (v: number): number => 10 + ((v - lo) / (hi - lo)) * (width - 20);
    parts.push(
      `<svg id="metrics-gauge" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${e(`${evaluation.gateMetric} against threshold`)}">` +
        `<rect class="gauge-track" x="10" y="8" width="${width - 20}" height="18" rx="4"/>` +
        `<rect class="gauge-bar ${verdict}" x="${px(Math.min(xOf(0), xOf(gate.value)))}" y="8" width="${px(Math.abs(xOf(gate.value) - xOf(0)))}" height="18" rx="4"/>` +
        `<line class="gauge-threshold" x1="${px(xOf(evaluation.threshold))}" y1="3" x2="${px(xOf(evaluation.threshold))}" y2="31"/>` +
        `<text x="${px(xOf(evaluation.threshold))}" y="43" text-anchor="middle" font-size="11">${e(`threshold ${formatNumber(evaluation.threshold)}`)}</text>` +
        '</svg>',
    );
  }
  parts.push('<table id="metrics-table"><thead><tr><th>Metric</th><th class="num">Value</th><th class="num">Std. dev.</th><th>Better</th></tr></thead><tbody>');
  const directions = Object.values(PROBLEM_TYPES).reduce<Record<string, string>>((acc, spec) => ({ ...acc, ...spec.metrics }), {});
  for (const [name, m] of metrics) {
    const isGate = name === evaluation.gateMetric;
    parts.push(
      `<tr class="metric-row${isGate ? ' gate' : ''}" data-metric="${e(name)}"><td>${e(name)}${isGate ? ' (gate)' : ''}</td>` +
        `<td class="num">${e(formatNumber(m.value, 6))}</td><td class="num">${e(formatNumber(m.std, 4))}</td>` +
        `<td>${e(directions[name] === 'Minimize' ? 'lower' : directions[name] === 'Maximize' ? 'higher' : '–')}</td></tr>`,
    );
  }
  parts.push('</tbody></table>');
  if (evaluation.location) parts.push(`<p class="muted">Report: <span class="path">${e(evaluation.location)}</span></p>`);
  parts.push('</section>');
  return parts.join('');
}

// ---------------------------------------------------------------- steps and summary

/**
 * Wall time not spent in child processes. Undefined when processes overlapped (parallel trials add up to more
 * than the wall time), because then the difference does not measure the executor.
 */
function executorTime(durationMs: number | undefined, processMs: number): number | undefined {
  if (durationMs === undefined || processMs > durationMs) return undefined;
  return durationMs - processMs;
}

function stepNote(step: StepRecord): string {
  if (step.failureReason) return step.failureReason;
  if (step.cacheHit) return `reused ${step.cacheHit.sourcePipelineName} execution ${step.cacheHit.sourceExecutionId}`;
  if (step.notExecutedReason) return step.notExecutedReason;
  if (step.conditionOutcome !== undefined) return `condition evaluated ${step.conditionOutcome}`;
  return '';
}

function renderStepsTable(record: ExecutionRecord): string {
  const start = ms(record.startTime) ?? 0;
  const rows = record.steps.map((step) => {
    const s = ms(step.startTime);
    const overhead = step.status === 'Cached' ? undefined : executorTime(step.durationMs, step.processMs);
    return (
      `<tr class="step-row ${statusClass(step.status)}" data-step="${e(step.name)}" data-step-key="${e(stepKey(record, step.name))}">` +
      `<td>${e(step.name)}</td><td>${e(step.type)}</td>` +
      `<td><span class="badge ${statusClass(step.status)}">${e(STATUS_LABEL[step.status])}</span></td>` +
      `<td class="num">${s === undefined ? '–' : e(`+${formatDuration(s - start)}`)}</td>` +
      `<td class="num">${e(step.status === 'Cached' ? 'cached' : formatDuration(step.durationMs))}</td>` +
      `<td class="num">${e(step.status === 'Cached' ? '–' : formatDuration(step.processMs))}</td>` +
      `<td class="num">${e(overhead === undefined && step.processMs > (step.durationMs ?? 0) ? 'parallel' : formatDuration(overhead))}</td>` +
      `<td class="num">${step.attempts.length}</td>` +
      `<td class="message">${e(truncate(stepNote(step), 500))}</td></tr>`
    );
  });
  return (
    `<table class="steps-table" data-pipeline="${e(record.pipelineName)}"><thead><tr><th>Step</th><th>Type</th><th>Status</th>` +
    '<th class="num">Start</th><th class="num">Duration</th><th class="num">Script time</th><th class="num">Executor time</th>' +
    `<th class="num">Attempts</th><th>Note</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function renderSummaryCards(records: readonly ExecutionRecord[]): string {
  return `<div class="cards">${records
    .map((r) => {
      const overhead = executorTime(r.durationMs, r.processMs);
      return (
        `<div class="card execution-card" data-pipeline="${e(r.pipelineName)}" data-status="${e(r.status)}">` +
        `<div class="label">${e(r.pipelineName)}</div>` +
        `<div class="value"><span class="badge ${statusClass(r.status)}">${e(r.status)}</span> ${e(formatDuration(r.durationMs))}</div>` +
        `<div class="muted">execution <code>${e(r.executionId)}</code>, started <time datetime="${e(r.startTime)}">${e(r.startTime)}</time></div>` +
        `<div class="muted">in scripts ${e(formatDuration(r.processMs))}${
          overhead === undefined ? ' (parallel processes)' : `, executor ${e(formatDuration(overhead))}`
        }</div>` +
        (r.failureReason ? `<div class="message">${e(`${r.failedStep ? `${r.failedStep}: ` : ''}${r.failureReason}`)}</div>` : '') +
        '</div>'
      );
    })
    .join('')}</div>`;
}

function renderPredictions(predictions: readonly ReportPrediction[] | undefined): string {
  if (!predictions || predictions.length === 0) return '';
  const rows = predictions
    .map(
      (p) =>
        `<tr class="prediction-row"><td>${e(p.format)}</td><td class="num">${e(formatNumber(p.predicted, 6))}</td>` +
        `<td class="num">${e(formatNumber(p.actual, 6))}</td>` +
        `<td class="num">${p.actual === undefined ? '–' : e(formatNumber(p.predicted - p.actual, 4))}</td></tr>`,
    )
    .join('');
  return (
    '<section id="predictions"><h2>Local endpoint: predictions on held-out rows</h2>' +
    `<table><thead><tr><th>Request</th><th class="num">Predicted</th><th class="num">Actual</th><th class="num">Error</th></tr></thead><tbody>${rows}</tbody></table></section>`
  );
}

function renderArtifacts(artifacts: ReportExtras['artifacts']): string {
  if (!artifacts || artifacts.length === 0) return '';
  return (
    '<section id="artifacts"><h2>Artifacts</h2><table><tbody>' +
    artifacts.map((a) => `<tr><th>${e(a.label)}</th><td class="path">${e(a.path)}</td></tr>`).join('') +
    '</tbody></table></section>'
  );
}

function stepDetails(records: readonly ExecutionRecord[]): Record<string, Record<string, string | number | undefined>> {
  const out: Record<string, Record<string, string | number | undefined>> = {};
  for (const r of records) {
    for (const s of r.steps) {
      out[stepKey(r, s.name)] = {
        pipeline: r.pipelineName,
        name: s.name,
        type: s.type,
        status: STATUS_LABEL[s.status],
        start: s.startTime,
        duration: s.status === 'Cached' ? 'cached' : formatDuration(s.durationMs),
        process: formatDuration(s.processMs),
        attempts: s.attempts.length,
        note: stepNote(s),
        logs: s.logFiles.join('\n'),
      };
    }
  }
  return out;
}

/**
 * Renders one self-contained HTML page (inline CSS, JS and SVG; no network) for the given executions: step graph,
 * timeline, tuning trials, evaluation against the quality gate, step timings, predictions and artifacts.
 */
export function renderReport(records: readonly ExecutionRecord[], extras: ReportExtras = {}): string {
  const title = extras.title ?? 'Local pipeline run';
  const generated = (extras.generatedAt ?? new Date()).toISOString();
  const taken = new Set<string>();
  const graphs = records
    .map((r) => {
      const prefix = slug(`${r.pipelineName}-${r.executionId}`, taken);
      return `<h3>${e(r.pipelineName)} <span class="badge ${statusClass(r.status)}">${e(r.status)}</span></h3><div class="svg-wrap">${renderGraph(r, prefix)}</div>`;
    })
    .join('');
  const timelines = records
    .map((r) => `<h3>${e(r.pipelineName)} <span class="muted">${e(formatDuration(r.durationMs))}</span></h3><div class="svg-wrap">${renderTimeline(r, extras.objectiveDirection)}</div>`)
    .join('');
  const stepTables = records.map((r) => `<h3>${e(r.pipelineName)}</h3>${renderStepsTable(r)}`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${e(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="report-header"><h1>${e(title)}</h1><div class="subtitle">Generated <time datetime="${e(generated)}">${e(generated)}</time> · ${records.length} execution(s)</div></header>
<main>
<section id="summary"><h2>Executions</h2>${renderSummaryCards(records)}</section>
<section id="pipeline-graph"><h2>Pipeline graph</h2>${graphs}${graphLegend()}<div id="step-details" aria-live="polite"><span class="muted">Click a step for details.</span></div></section>
<section id="timeline"><h2>Timeline</h2>${timelines}</section>
${renderTrialsSection(records, extras.objectiveDirection)}
${renderMetricsSection(records, extras.evaluation)}
<section id="steps"><h2>Step timings</h2>${stepTables}</section>
${renderPredictions(extras.predictions)}
${renderDeploymentSection(extras.deployment)}
${renderArtifacts(extras.artifacts)}
</main>
<script type="application/json" id="report-data">${jsonForScript({ steps: stepDetails(records) })}</script>
<script>${REPORT_JS}</script>
</body>
</html>
`;
}
