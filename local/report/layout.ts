/**
 * A small layered ("Sugiyama-style") layout for pipeline graphs: steps flow left to right, each step one layer
 * right of its furthest predecessor, and the order inside a layer follows the predecessors to limit crossings.
 */

export interface LayoutEdge {
  readonly from: string;
  readonly to: string;
}

export interface LayoutOptions {
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  readonly layerGap: number;
  readonly rowGap: number;
  /** Space around the nodes (room for edges that arc over a layer). */
  readonly margin: number;
}

export interface PositionedNode {
  readonly name: string;
  readonly layer: number;
  /** Position inside the layer, 0 at the top. */
  readonly row: number;
  /** Top-left corner. */
  readonly x: number;
  readonly y: number;
}

export interface GraphLayout {
  readonly nodes: Map<string, PositionedNode>;
  readonly width: number;
  readonly height: number;
  readonly layers: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = { nodeWidth: 156, nodeHeight: 58, layerGap: 56, rowGap: 34, margin: 56 };

/** Longest-path layer of every node; edges that would close a cycle are ignored. */
export function assignLayers(names: readonly string[], edges: readonly LayoutEdge[]): Map<string, number> {
  const known = new Set(names);
  const preds = new Map<string, string[]>(names.map((n) => [n, []]));
  const succs = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to) || e.from === e.to) continue;
    preds.get(e.to)!.push(e.from);
    succs.get(e.from)!.push(e.to);
  }
  const indegree = new Map(names.map((n) => [n, preds.get(n)!.length]));
  const layer = new Map<string, number>();
  const queue = names.filter((n) => indegree.get(n) === 0);
  const visited = new Set<string>();
  while (visited.size < names.length) {
    if (queue.length === 0) {
      // A cycle: release the first unvisited node in definition order so the layout still finishes.
      const stuck = names.find((n) => !visited.has(n))!;
      queue.push(stuck);
      indegree.set(stuck, 0);
    }
    const node = queue.shift()!;
    if (visited.has(node)) continue;
    visited.add(node);
    const own = Math.max(0, ...preds.get(node)!.filter((p) => visited.has(p)).map((p) => layer.get(p)! + 1));
    layer.set(node, own);
    for (const next of succs.get(node)!) {
      const left = indegree.get(next)! - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  return layer;
}

/** Lays out `names` (in definition order) connected by `edges`. */
export function layoutGraph(
  names: readonly string[],
  edges: readonly LayoutEdge[],
  options: LayoutOptions = DEFAULT_LAYOUT,
): GraphLayout {
  const layerOf = assignLayers(names, edges);
  const layerCount = names.length === 0 ? 0 : Math.max(...names.map((n) => layerOf.get(n)!)) + 1;
  const layers: string[][] = Array.from({ length: layerCount }, () => []);
  for (const name of names) layers[layerOf.get(name)!].push(name);

  const preds = new Map<string, string[]>(names.map((n) => [n, []]));
  const succs = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of edges) {
    if (preds.has(e.to) && succs.has(e.from) && e.from !== e.to) {
      preds.get(e.to)!.push(e.from);
      succs.get(e.from)!.push(e.to);
    }
  }
  const rowOf = new Map<string, number>();
  const renumber = (): void => layers.forEach((members) => members.forEach((n, i) => rowOf.set(n, i)));
  renumber();
  // Barycenter sweeps: down (by predecessors), then up (by successors), twice. Stable sort keeps definition order
  // for ties and for nodes without neighbours in the reference direction.
  const sweep = (range: number[], neighbours: Map<string, string[]>): void => {
    for (const l of range) {
      const keyed = layers[l].map((n, i) => {
        const rows = neighbours.get(n)!.map((m) => rowOf.get(m)!);
        return { n, key: rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : i };
      });
      keyed.sort((a, b) => a.key - b.key);
      layers[l] = keyed.map((k) => k.n);
      layers[l].forEach((n, i) => rowOf.set(n, i));
    }
  };
  const down = layers.map((_, i) => i).slice(1);
  const up = layers.map((_, i) => i).slice(0, -1).reverse();
  for (let pass = 0; pass < 2; pass++) {
    sweep(down, preds);
    sweep(up, succs);
  }
  renumber();

  const { nodeWidth, nodeHeight, layerGap, rowGap, margin } = options;
  const maxRows = Math.max(1, ...layers.map((l) => l.length));
  const columnHeight = maxRows * nodeHeight + (maxRows - 1) * rowGap;
  const nodes = new Map<string, PositionedNode>();
  layers.forEach((members, l) => {
    const height = members.length * nodeHeight + (members.length - 1) * rowGap;
    const top = margin + (columnHeight - height) / 2;
    members.forEach((name, row) => {
      nodes.set(name, {
        name,
        layer: l,
        row,
        x: margin + l * (nodeWidth + layerGap),
        y: top + row * (nodeHeight + rowGap),
      });
    });
  });
  return {
    nodes,
    layers: layerCount,
    width: 2 * margin + Math.max(0, layerCount * nodeWidth + (layerCount - 1) * layerGap),
    height: 2 * margin + columnHeight,
  };
}
