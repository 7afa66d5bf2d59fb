import { flattenSteps, type FlatStep, type StepJson } from './definition';
import { referencedSteps } from './expressions';
import type { ExecutionGraph, GraphEdge, GraphNode, LocalStepType } from './types';

/** The values of a step that may reference other steps (a Condition's branches belong to their own steps). */
export function referencingParts(step: StepJson): unknown[] {
  if (step.Type === 'Condition') {
    return [step.Arguments?.Conditions];
  }
  return [step.Arguments, step.PropertyFiles];
}

/** Nodes and edges of the definition's DAG. */
export function buildGraph(steps: readonly StepJson[]): { graph: ExecutionGraph; flat: FlatStep[] } {
  const flat = flattenSteps(steps);
  const nodes: GraphNode[] = flat.map(({ step, branch }) => ({
    name: step.Name,
    type: step.Type as LocalStepType,
    ...(branch ? { branch } : {}),
  }));
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const add = (edge: GraphEdge): void => {
    const id = `${edge.from}\u0000${edge.to}\u0000${edge.kind}`;
    if (seen.has(id) || edge.from === edge.to) return;
    seen.add(id);
    edges.push(edge);
  };
  for (const { step, branch } of flat) {
    if (branch) add({ from: branch.condition, to: step.Name, kind: branch.side });
    for (const part of referencingParts(step)) {
      for (const from of referencedSteps(part)) add({ from, to: step.Name, kind: 'data' });
    }
    for (const from of step.DependsOn ?? []) add({ from, to: step.Name, kind: 'dependsOn' });
  }
  return { graph: { nodes, edges }, flat };
}
