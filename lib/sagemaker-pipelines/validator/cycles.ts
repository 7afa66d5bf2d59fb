import type { ValidationContext } from './context';

export function checkCycles(ctx: ValidationContext): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (node: string): void => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of [...(ctx.edges.get(node) ?? [])].sort()) {
      const nextState = state.get(next);
      if (nextState === 'visiting') {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]);
        const canonical = [...cycle.slice(start), ...cycle.slice(0, start)];
        const key = canonical.join('>');
        if (!reported.has(key)) {
          reported.add(key);
          const text = [...canonical, canonical[0]].join(' -> ');
          ctx.report(
            'cycle',
            `Steps[${canonical[0]}]`,
            `Dependency cycle: ${text} (each step depends on the next, through property references, DependsOn ` +
              'or an enclosing Condition); break the cycle.',
          );
        }
      } else if (nextState === undefined && ctx.steps.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const name of [...ctx.steps.keys()].sort()) {
    if (!state.has(name)) {
      visit(name);
    }
  }
}
