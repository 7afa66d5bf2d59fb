import type { ExecutionRecord, GraphEdgeKind, StepStatus } from '../executor/types';
import { escapeHtml as e, formatDuration, px } from './html';
import { DEFAULT_LAYOUT, layoutGraph } from './layout';
import { STATUS_LABEL, statusClass, stepKey, truncate } from './model';

const EDGE_PRIORITY: Record<GraphEdgeKind, number> = { if: 3, else: 3, data: 2, dependsOn: 1 };

/** The pipeline graph as SVG: a node per step coloured by status, edges by kind. */
export function renderGraph(record: ExecutionRecord, prefix: string): string {
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

export function graphLegend(): string {
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
