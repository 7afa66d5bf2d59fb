import type { ExecutionRecord, StepRecord, TuningTrialRecord } from '../executor/types';
import { escapeHtml as e, formatDuration, formatNumber, px } from './html';
import { bestTrial, ms, STATUS_LABEL, statusClass, stepKey, truncate, type MetricDirection } from './model';

/** A round axis step (1, 2 or 5 times a power of ten) giving about `target` ticks over `range`. */
export function niceStep(range: number, target: number): number {
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

/** The timeline: a bar per step, trials in lanes under their tuning step. */
export function renderTimeline(record: ExecutionRecord, direction: MetricDirection | undefined): string {
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
