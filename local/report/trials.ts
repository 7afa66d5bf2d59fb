import type { ExecutionRecord, TuningTrialRecord } from '../executor/types';
import { escapeHtml as e, formatDuration, formatNumber, px } from './html';
import { bestTrial, objectiveDirectionOf, truncate, type MetricDirection } from './model';
import { niceStep } from './timeline';

function renderTrialsChart(trials: readonly TuningTrialRecord[], best: TuningTrialRecord | undefined, direction: MetricDirection): string {
  const scored = trials.filter((t) => t.objective !== undefined);
  const width = 680;
  const height = 280;
  const m = { left: 64, right: 20, top: 20, bottom: 42 };
  const values = scored.map((t) => t.objective!.value);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-12) {
    const pad = Math.abs(hi) * 0.05 || 0.5;
    lo -= pad;
    hi += pad;
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const n = Math.max(1, ...trials.map((t) => t.index));
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const xOf = (i: number): number => m.left + (n === 1 ? plotW / 2 : ((i - 1) / (n - 1)) * plotW);
  const yOf = (v: number): number => m.top + (1 - (v - lo) / (hi - lo)) * plotH;
  const metricName = scored[0]?.objective?.metricName ?? 'objective';
  const parts: string[] = [];
  parts.push(
    `<svg id="trials-chart" class="trials-chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `role="img" aria-label="${e(`${metricName} per trial`)}">`,
  );
  const step = niceStep(hi - lo, 5);
  parts.push('<g class="grid axis">');
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) {
    const ty = yOf(v);
    parts.push(
      `<line x1="${m.left}" y1="${px(ty)}" x2="${width - m.right}" y2="${px(ty)}"/>` +
        `<text x="${m.left - 6}" y="${px(ty + 4)}" text-anchor="end">${e(formatNumber(v, 4))}</text>`,
    );
  }
  const xStep = Math.max(1, Math.ceil(n / 12));
  for (let i = 1; i <= n; i += xStep) {
    parts.push(`<text x="${px(xOf(i))}" y="${height - m.bottom + 16}" text-anchor="middle">${i}</text>`);
  }
  parts.push(
    `<text x="${m.left + plotW / 2}" y="${height - 6}" text-anchor="middle">trial (start order)</text>` +
      `<text transform="translate(14,${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">${e(`${metricName} (${direction === 'Minimize' ? 'lower' : 'higher'} is better)`)}</text>`,
  );
  parts.push(
    `<line x1="${m.left}" y1="${m.top + plotH}" x2="${width - m.right}" y2="${m.top + plotH}"/>` +
      `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + plotH}"/>`,
  );
  parts.push('</g>');
  // Best value so far, as a step line.
  const ordered = [...scored].sort((a, b) => a.index - b.index);
  let running: number | undefined;
  const stepPoints: string[] = [];
  let previousY: number | undefined;
  for (const t of ordered) {
    const v = t.objective!.value;
    running = running === undefined ? v : direction === 'Minimize' ? Math.min(running, v) : Math.max(running, v);
    const px1 = xOf(t.index);
    if (previousY !== undefined) stepPoints.push(`${px(px1)},${px(previousY)}`);
    previousY = yOf(running);
    stepPoints.push(`${px(px1)},${px(previousY)}`);
  }
  if (stepPoints.length > 1) {
    parts.push(`<polyline class="best-so-far" points="${stepPoints.join(' ')}"><title>best so far</title></polyline>`);
  }
  for (const t of trials) {
    if (t.objective === undefined) {
      parts.push(
        `<path class="trial-point failed" data-trial="${t.index}" d="M${px(xOf(t.index) - 5)},${px(m.top + plotH - 5)} l10,10 m0,-10 l-10,10" stroke="#c53030" stroke-width="2">` +
          `<title>${e(`trial ${t.index}: ${t.status}${t.failureReason ? ` (${t.failureReason})` : ''}`)}</title></path>`,
      );
      continue;
    }
    const isBest = best?.index === t.index;
    parts.push(
      `<circle class="trial-point${isBest ? ' best' : ''}" data-trial="${t.index}" data-objective="${t.objective.value}" ` +
        `cx="${px(xOf(t.index))}" cy="${px(yOf(t.objective.value))}" r="${isBest ? 8 : 5.5}">` +
        `<title>${e(`trial ${t.index}${isBest ? ' (best)' : ''}: ${t.objective.metricName} = ${formatNumber(t.objective.value, 6)}`)}</title></circle>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/** The tuning section: the objective of every trial, and their table. */
export function renderTrialsSection(records: readonly ExecutionRecord[], direction: MetricDirection | undefined): string {
  const tuning = records.flatMap((r) => r.steps.filter((s) => s.type === 'Tuning').map((s) => ({ record: r, step: s })));
  const blocks: string[] = [];
  for (const { record, step } of tuning) {
    const trials = step.trials ?? [];
    const metricName = trials.find((t) => t.objective)?.objective?.metricName;
    const dir = direction ?? (metricName ? objectiveDirectionOf(metricName) : undefined) ?? 'Minimize';
    const best = bestTrial(step, dir);
    blocks.push(`<h3>${e(`${record.pipelineName} · ${step.name}`)}${step.status === 'Cached' ? ' <span class="badge status-cached">cached</span>' : ''}</h3>`);
    if (trials.length === 0) {
      blocks.push(`<p class="muted">${e(step.status === 'Cached' ? 'Reused from an earlier run; trials are in that run.' : 'No trials recorded.')}</p>`);
      continue;
    }
    blocks.push(`<div class="svg-wrap">${renderTrialsChart(trials, best, dir)}</div>`);
    if (best) {
      blocks.push(
        `<p>Best: trial ${best.index} <code>${e(best.trainingJobName)}</code>, ${e(best.objective?.metricName ?? '')} = <strong>${e(formatNumber(best.objective?.value, 6))}</strong> (${e(dir === 'Minimize' ? 'lowest' : 'highest')})</p>`,
      );
    }
    const hpNames = [...new Set(trials.flatMap((t) => Object.keys(t.tunedHyperParameters)))].sort();
    const head = ['Trial', 'Training job', 'Status', metricName ?? 'Objective', 'Duration', ...hpNames];
    const numeric = new Set([0, 3, 4, ...hpNames.map((_, i) => 5 + i)]);
    blocks.push('<div class="svg-wrap"><table id="trials-table" class="trials-table sortable-table"><thead><tr>');
    blocks.push(head.map((h, i) => `<th class="sortable${numeric.has(i) ? ' num' : ''}">${e(h)}</th>`).join(''));
    blocks.push('</tr></thead><tbody>');
    for (const t of [...trials].sort((a, b) => a.index - b.index)) {
      const cells = [
        `<td class="num" data-value="${t.index}">${t.index}</td>`,
        `<td><code>${e(t.trainingJobName)}</code></td>`,
        `<td>${e(t.status)}${t.failureReason ? `<div class="message muted">${e(truncate(t.failureReason, 300))}</div>` : ''}</td>`,
        `<td class="num" data-value="${t.objective?.value ?? ''}">${e(formatNumber(t.objective?.value, 6))}</td>`,
        `<td class="num" data-value="${t.durationMs}">${e(formatDuration(t.durationMs))}</td>`,
        ...hpNames.map((n) => {
          const raw = t.tunedHyperParameters[n];
          const num = Number(raw);
          return `<td class="num" data-value="${e(raw ?? '')}">${e(raw === undefined ? '–' : Number.isFinite(num) ? formatNumber(num, 4) : raw)}</td>`;
        }),
      ];
      blocks.push(`<tr class="trial-row${best?.index === t.index ? ' best' : ''}" data-trial="${t.index}">${cells.join('')}</tr>`);
    }
    blocks.push('</tbody></table></div>');
  }
  if (blocks.length === 0) blocks.push('<p class="muted">No tuning step in these executions.</p>');
  return `<section id="trials"><h2>Hyperparameter tuning</h2>${blocks.join('')}</section>`;
}
