import problemTypes from '../../ml/problem_types.json';
import type { ExecutionRecord, GraphEdgeKind, StepRecord, StepStatus, TuningTrialRecord } from '../executor/types';
import { REPORT_CSS, REPORT_JS } from './assets';
import { escapeHtml as e, formatDuration, formatNumber, jsonForScript, px, slug } from './html';
import { DEFAULT_LAYOUT, layoutGraph } from './layout';

/** Optimisation direction of a metric. */
export type MetricDirection = 'Minimize' | 'Maximize';

/** The evaluation report and the quality gate it was judged by. */
export interface ReportEvaluation {
  /** Contents of `evaluation.json` (Model Registry format, e.g. `{"regression_metrics": {"r2": {"value": ..}}}`). */
  readonly report: Record<string, unknown>;
  /** The gate metric, e.g. `r2`. */
  readonly gateMetric: string;
  readonly threshold: number;
  /** Maximize: the metric must be >= threshold; Minimize: <= threshold. */
  readonly direction: MetricDirection;
  /** Where `evaluation.json` is. */
  readonly location?: string;
}

/** One prediction of the local endpoint next to the true value. */
export interface ReportPrediction {
  readonly format: string;
  readonly predicted: number;
  readonly actual?: number;
}

/** Things the report shows besides the execution records. */
export interface ReportExtras {
  /** @default 'Local pipeline run' */
  readonly title?: string;
  /** @default - now */
  readonly generatedAt?: Date;
  readonly evaluation?: ReportEvaluation;
  /** Direction of the tuning objective. @default - looked up by metric name in ml/problem_types.json */
  readonly objectiveDirection?: MetricDirection;
  readonly predictions?: readonly ReportPrediction[];
  /** Labelled paths of the run's artifacts. */
  readonly artifacts?: readonly { readonly label: string; readonly path: string }[];
}

const STATUS_LABEL: Record<StepStatus, string> = {
  Succeeded: 'succeeded',
  Failed: 'failed',
  Cached: 'cached',
  NotExecuted: 'not executed',
  Executing: 'executing',
};

function statusClass(status: string): string {
  return `status-${status.toLowerCase()}`;
}

function ms(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const value = Date.parse(iso);
  return Number.isNaN(value) ? undefined : value;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function stepKey(record: ExecutionRecord, step: string): string {
  return `${record.pipelineName}/${record.executionId}/${step}`;
}

/** Direction of a tuning objective metric according to ml/problem_types.json. */
export function objectiveDirectionOf(metricName: string): MetricDirection | undefined {
  for (const spec of Object.values(problemTypes)) {
    if (spec.tuningObjective.MetricName === metricName) return spec.tuningObjective.Type as MetricDirection;
  }
  return undefined;
}

/** The best trial: the tuning step's `BestTrainingJob` when recorded, else the best objective value. */
export function bestTrial(
  step: StepRecord,
  direction: MetricDirection | undefined,
): TuningTrialRecord | undefined {
  const trials = step.trials ?? [];
  const best = (step.properties?.BestTrainingJob as { TrainingJobName?: unknown } | undefined)?.TrainingJobName;
  if (typeof best === 'string') {
    const match = trials.find((t) => t.trainingJobName === best);
    if (match) return match;
  }
  const scored = trials.filter((t) => t.status === 'Completed' && t.objective !== undefined);
  if (scored.length === 0) return undefined;
  const dir = direction ?? objectiveDirectionOf(scored[0].objective!.metricName) ?? 'Minimize';
  return scored.reduce((a, b) =>
    (dir === 'Minimize' ? b.objective!.value < a.objective!.value : b.objective!.value > a.objective!.value) ? b : a,
  );
}

/** Metric name → value of every `*_metrics` block of an evaluation report. */
export function evaluationMetrics(report: Record<string, unknown>): Map<string, { value: number; std?: number }> {
  const out = new Map<string, { value: number; std?: number }>();
  for (const [key, block] of Object.entries(report)) {
    if (!key.endsWith('_metrics') || typeof block !== 'object' || block === null) continue;
    for (const [name, entry] of Object.entries(block as Record<string, unknown>)) {
      if (typeof entry === 'number') {
        out.set(name, { value: entry });
      } else if (typeof entry === 'object' && entry !== null && typeof (entry as { value?: unknown }).value === 'number') {
        const std = (entry as { standard_deviation?: unknown }).standard_deviation;
        out.set(name, { value: (entry as { value: number }).value, std: typeof std === 'number' ? std : undefined });
      }
    }
  }
  return out;
}

/** Whether `value` passes a gate `threshold` in `direction`. */
export function passesGate(value: number, threshold: number, direction: MetricDirection): boolean {
  return direction === 'Maximize' ? value >= threshold : value <= threshold;
}

// ---------------------------------------------------------------- pipeline graph

const EDGE_PRIORITY: Record<GraphEdgeKind, number> = { if: 3, else: 3, data: 2, dependsOn: 1 };

function renderGraph(record: ExecutionRecord, prefix: string): string {
  const names = record.graph.nodes.map((n) => n.name);
  const stepByName = new Map(record.steps.map((s) => [s.name, s]));
  // One drawn edge per pair; the most specific kind wins (a branch edge over a data edge).
  const pairs = new Map<string, { from: string; to: string; kind: GraphEdgeKind; kinds: Set<GraphEdgeKind> }>();
  for (const edge of record.graph.edges) {
    const id = `${edge.from}\u0000${edge.to}`;
    const existing = pairs.get(id);
    if (!existing) {
      pairs.set(id, { from: edge.from, to: edge.to, kind: edge.kind, kinds: new Set([edge.kind]) });
    } else {
      existing.kinds.add(edge.kind);
      if (EDGE_PRIORITY[edge.kind] > EDGE_PRIORITY[existing.kind]) existing.kind = edge.kind;
    }
  }
  const edges = [...pairs.values()];
  const layout = layoutGraph(names, edges);
  const { nodeWidth: w, nodeHeight: h } = DEFAULT_LAYOUT;
  const parts: string[] = [];
  parts.push(
    `<svg class="pipeline-graph-svg" data-pipeline="${e(record.pipelineName)}" xmlns="http://www.w3.org/2000/svg" ` +
      `width="${px(layout.width)}" height="${px(layout.height)}" viewBox="0 0 ${px(layout.width)} ${px(layout.height)}" role="img" ` +
      `aria-label="${e(`Step graph of ${record.pipelineName}`)}">`,
  );
  parts.push('<defs>');
  for (const [kind, color] of [
    ['data', '#7b8794'],
    ['dependsOn', '#7b8794'],
    ['if', '#2f855a'],
    ['else', '#c53030'],
  ] as const) {
    parts.push(
      `<marker id="${prefix}-arrow-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
        `<path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`,
    );
  }
  parts.push('</defs>');

  let arcSide = 0;
  for (const edge of edges) {
    const a = layout.nodes.get(edge.from);
    const b = layout.nodes.get(edge.to);
    if (!a || !b) continue;
    const x1 = a.x + w;
    const y1 = a.y + h / 2;
    const x2 = b.x;
    const y2 = b.y + h / 2;
    const span = b.layer - a.layer;
    let d: string;
    let labelX: number;
    let labelY: number;
    if (span > 1 && Math.abs(y1 - y2) < h) {
      // Skips a layer on the same row: arc over (or under) the nodes in between.
      const bump = (h / 2 + 22 + 8 * (span - 2)) / 0.75;
      // Arc towards the side the target lies on; alternate for targets on the same row.
      const sign = y2 < y1 - 1 ? -1 : y2 > y1 + 1 ? 1 : arcSide++ % 2 === 0 ? -1 : 1;
      d = `M${px(x1)},${px(y1)} C${px(x1 + 50)},${px(y1 + sign * bump)} ${px(x2 - 50)},${px(y2 + sign * bump)} ${px(x2)},${px(y2)}`;
      labelX = (x1 + x2) / 2;
      labelY = (y1 + y2) / 2 + sign * bump * 0.75 - 4;
    } else {
      const dx = Math.max(30, (x2 - x1) / 2);
      d = `M${px(x1)},${px(y1)} C${px(x1 + dx)},${px(y1)} ${px(x2 - dx)},${px(y2)} ${px(x2)},${px(y2)}`;
      labelX = (x1 + x2) / 2;
      labelY = (y1 + y2) / 2 - 6;
    }
    const kinds = [...edge.kinds].join(' ');
    parts.push(
      `<path class="edge edge-${edge.kind}" data-from="${e(edge.from)}" data-to="${e(edge.to)}" data-kinds="${e(kinds)}" ` +
        `d="${d}" marker-end="url(#${prefix}-arrow-${edge.kind})"><title>${e(`${edge.from} → ${edge.to} (${kinds})`)}</title></path>`,
    );
    if (edge.kind === 'if' || edge.kind === 'else') {
      parts.push(
        `<text class="edge-label edge-${edge.kind}" x="${px(labelX)}" y="${px(labelY)}" text-anchor="middle">${edge.kind}</text>`,
      );
    }
  }

  for (const node of record.graph.nodes) {
    const pos = layout.nodes.get(node.name);
    if (!pos) continue;
    const step = stepByName.get(node.name);
    const status: StepStatus = step?.status ?? 'NotExecuted';
    let meta: string = node.type;
    if (status === 'Cached') meta += ' · cached';
    else if (status === 'NotExecuted') meta += ' · not executed';
    else if (step?.durationMs !== undefined) meta += ` · ${formatDuration(step.durationMs)}`;
    if (step?.type === 'Condition' && step.conditionOutcome !== undefined) meta += ` · ${step.conditionOutcome}`;
    const tooltip = [`${node.name} (${node.type}): ${STATUS_LABEL[status]}`, step?.failureReason, step?.notExecutedReason]
      .filter(Boolean)
      .join('\n');
    parts.push(
      `<g class="node ${statusClass(status)}" data-step="${e(node.name)}" data-status="${e(status)}" ` +
        `data-step-key="${e(stepKey(record, node.name))}" transform="translate(${px(pos.x)},${px(pos.y)})">` +
        `<title>${e(tooltip)}</title>` +
        `<rect width="${w}" height="${h}" rx="9" ry="9"/>` +
        `<text class="name" x="12" y="24">${e(truncate(node.name, 19))}</text>` +
        `<text class="meta" x="12" y="43">${e(truncate(meta, 25))}</text>` +
        '</g>',
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

function graphLegend(): string {
  const statuses = ['Succeeded', 'Failed', 'Cached', 'NotExecuted'] as const;
  const items = statuses.map((s) => `<span><span class="swatch ${statusClass(s)}"></span>${STATUS_LABEL[s]}</span>`);
  items.push(
    '<span><svg width="28" height="10"><line x1="0" y1="5" x2="28" y2="5" class="edge edge-data"/></svg> data</span>',
    '<span><svg width="28" height="10"><line x1="0" y1="5" x2="28" y2="5" class="edge edge-dependsOn"/></svg> depends on</span>',
    '<span><svg width="28" height="10"><line x1="0" y1="5" x2="28" y2="5" class="edge edge-if"/></svg> if</span>',
    '<span><svg width="28" height="10"><line x1="0" y1="5" x2="28" y2="5" class="edge edge-else"/></svg> else</span>',
  );
  return `<div class="legend">${items.join('')}</div>`;
}

// ---------------------------------------------------------------- timeline

function niceStep(range: number, target: number): number {
  const raw = range / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (raw <= m * power) return m * power;
  }
  return 10 * power;
}

/** Assigns trials to lanes so that trials that overlapped in time sit in different lanes. */
function trialLanes(trials: readonly TuningTrialRecord[]): Map<number, number> {
  const laneEnds: number[] = [];
  const lanes = new Map<number, number>();
  const sorted = [...trials].sort((a, b) => (ms(a.startTime) ?? 0) - (ms(b.startTime) ?? 0));
  for (const t of sorted) {
    const start = ms(t.startTime) ?? 0;
    const end = ms(t.endTime) ?? start;
    let lane = laneEnds.findIndex((laneEnd) => laneEnd <= start);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(end);
    } else {
      laneEnds[lane] = end;
    }
    lanes.set(t.index, lane);
  }
  return lanes;
}

function renderTimeline(record: ExecutionRecord, direction: MetricDirection | undefined): string {
  const start = ms(record.startTime) ?? 0;
  const ends = record.steps.map((s) => ms(s.endTime) ?? start);
  const end = Math.max(ms(record.endTime) ?? start, ...ends, start + 1);
  const total = end - start;
  const labelW = 190;
  const chartW = 760;
  const rowH = 26;
  const subRowH = 16;
  const top = 28;
  type Row = { kind: 'step'; step: StepRecord } | { kind: 'lane'; step: StepRecord; lane: number; trials: TuningTrialRecord[] };
  const rows: Row[] = [];
  for (const step of record.steps) {
    rows.push({ kind: 'step', step });
    if (step.trials && step.trials.length > 0 && step.status !== 'Cached') {
      const lanes = trialLanes(step.trials);
      const laneCount = Math.max(0, ...lanes.values()) + 1;
      for (let lane = 0; lane < laneCount; lane++) {
        rows.push({ kind: 'lane', step, lane, trials: step.trials.filter((t) => lanes.get(t.index) === lane) });
      }
    }
  }
  const height = top + rows.reduce((sum, r) => sum + (r.kind === 'step' ? rowH : subRowH), 0) + 10;
  const width = labelW + chartW + 20;
  const x = (t: number): number => labelW + ((t - start) / total) * chartW;
  const parts: string[] = [];
  parts.push(
    `<svg class="timeline-svg" data-pipeline="${e(record.pipelineName)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" role="img" aria-label="${e(`Timeline of ${record.pipelineName}`)}">`,
  );
  const tick = niceStep(total / 1000, 8);
  parts.push('<g class="grid axis">');
  for (let s = 0; s * 1000 <= total + 1; s += tick) {
    const tx = x(start + s * 1000);
    parts.push(
      `<line x1="${px(tx)}" y1="${top - 6}" x2="${px(tx)}" y2="${height - 8}"/>` +
        `<text x="${px(tx)}" y="${top - 10}" text-anchor="middle">${e(formatNumber(s, 3))} s</text>`,
    );
  }
  parts.push('</g>');
  const best = record.steps
    .filter((s) => s.trials && s.trials.length > 0)
    .map((s) => bestTrial(s, direction)?.trainingJobName)
    .filter((name): name is string => name !== undefined);
  let y = top;
  for (const row of rows) {
    const step = row.step;
    if (row.kind === 'step') {
      const key = stepKey(record, step.name);
      parts.push(
        `<text class="timeline-row-label" x="4" y="${px(y + rowH / 2 + 4)}">${e(truncate(step.name, 26))}</text>`,
      );
      const s = ms(step.startTime);
      const f = ms(step.endTime);
      if (step.status === 'NotExecuted' || s === undefined) {
        parts.push(
          `<text class="timeline-note" x="${labelW + 4}" y="${px(y + rowH / 2 + 4)}">${e(
            step.status === 'NotExecuted' ? 'not executed' : STATUS_LABEL[step.status],
          )}</text>`,
        );
      } else {
        const bx = x(s);
        const bw = Math.max(3, x(f ?? s) - bx);
        const label = step.status === 'Cached' ? 'cached' : formatDuration(step.durationMs ?? (f ?? s) - s);
        parts.push(
          `<rect class="timeline-bar ${statusClass(step.status)}" data-step="${e(step.name)}" data-step-key="${e(key)}" ` +
            `x="${px(bx)}" y="${px(y + 4)}" width="${px(bw)}" height="${rowH - 8}" rx="3">` +
            `<title>${e(`${step.name}: ${STATUS_LABEL[step.status]}, ${label}`)}</title></rect>`,
        );
        const textX = bx + bw + 6 > labelW + chartW - 60 ? bx - 6 : bx + bw + 6;
        const anchor = textX < bx ? 'end' : 'start';
        parts.push(
          `<text class="timeline-note" x="${px(textX)}" y="${px(y + rowH / 2 + 4)}" text-anchor="${anchor}">${e(label)}</text>`,
        );
      }
      y += rowH;
    } else {
      parts.push(
        `<text class="timeline-row-label sub" x="18" y="${px(y + subRowH / 2 + 4)}">${e(`trials, lane ${row.lane + 1}`)}</text>`,
      );
      for (const trial of row.trials) {
        const s = ms(trial.startTime) ?? start;
        const f = ms(trial.endTime) ?? s;
        const bx = x(s);
        const bw = Math.max(2, x(f) - bx);
        const cls = trial.status === 'Failed' ? ' failed' : best.includes(trial.trainingJobName) ? ' best' : '';
        const objective = trial.objective ? `${trial.objective.metricName} = ${formatNumber(trial.objective.value)}` : trial.failureReason ?? '';
        parts.push(
          `<rect class="timeline-trial-bar${cls}" data-trial="${trial.index}" x="${px(bx)}" y="${px(y + 2)}" width="${px(bw)}" ` +
            `height="${subRowH - 4}" rx="2"><title>${e(`trial ${trial.index} (${trial.trainingJobName}): ${formatDuration(trial.durationMs)}; ${objective}`)}</title></rect>`,
        );
        if (bw > 18) {
          parts.push(
            `<text class="timeline-note" x="${px(bx + bw / 2)}" y="${px(y + subRowH / 2 + 4)}" text-anchor="middle">${trial.index}</text>`,
          );
        }
      }
      y += subRowH;
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

// ---------------------------------------------------------------- trials

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

function renderTrialsSection(records: readonly ExecutionRecord[], direction: MetricDirection | undefined): string {
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
  const directions = Object.values(problemTypes).reduce<Record<string, string>>((acc, spec) => ({ ...acc, ...spec.metrics }), {});
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
${renderArtifacts(extras.artifacts)}
</main>
<script type="application/json" id="report-data">${jsonForScript({ steps: stepDetails(records) })}</script>
<script>${REPORT_JS}</script>
</body>
</html>
`;
}
