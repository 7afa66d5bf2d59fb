/**
 * Property paths of pipeline expressions: `Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri`
 * in a `Get`, and `regression_metrics.r2.value` in a `Std:JsonGet`. One parser serves the validators here and the
 * local executor, so a path means the same in both.
 */

/** One segment of a property path: `.Member`, `[0]` or `['key']`. */
export type PathSegment =
  | { readonly kind: 'member'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'key'; readonly key: string };

/** Roots of a `Get` path besides `Steps`: each is followed by one name. */
export const GET_NAME_ROOTS = ['Parameters', 'Execution', 'PipelineExperimentConfig'] as const;

/** A parsed `Get` path. */
export type ParsedGet =
  | { readonly root: (typeof GET_NAME_ROOTS)[number]; readonly name: string }
  | { readonly root: 'Steps'; readonly name: string; readonly segments: readonly PathSegment[] };

/** Index of the `]` closing the `[` at `open`, skipping quoted text; -1 when there is none. */
function findClose(text: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === ']') {
      return i;
    }
  }
  return -1;
}

/**
 * Parses `a.b[0]['c.d']` into segments; returns a message saying what is wrong when the path is malformed.
 * Member names are whatever lies between separators, because JSON documents read by `Std:JsonGet` may use any key.
 */
export function parseSegments(text: string): PathSegment[] | string {
  const segments: PathSegment[] = [];
  let expectName = true;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '.') {
      if (expectName) return `empty name at position ${i}`;
      expectName = true;
      i++;
      continue;
    }
    if (ch === '[') {
      const close = findClose(text, i);
      if (close < 0) return `unclosed "[" at position ${i}`;
      const inner = text.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) {
        segments.push({ kind: 'index', index: Number(inner) });
      } else if (/^'.*'$/.test(inner) || /^".*"$/.test(inner)) {
        segments.push({ kind: 'key', key: inner.slice(1, -1) });
      } else {
        return `"[${inner}]" must be a number or a quoted key like ['name']`;
      }
      expectName = false;
      i = close + 1;
      continue;
    }
    if (!expectName) return `expected "." or "[" at position ${i}`;
    let j = i;
    while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
    segments.push({ kind: 'member', name: text.slice(i, j) });
    expectName = false;
    i = j;
  }
  if (expectName && segments.length > 0) return 'ends with "."';
  return segments;
}

/** Parses a `Get` path; returns a message naming the path when it is malformed. */
export function parseGetPath(path: string): ParsedGet | string {
  const dot = path.indexOf('.');
  const root = dot < 0 ? path : path.slice(0, dot);
  const rest = dot < 0 ? '' : path.slice(dot + 1);
  if ((GET_NAME_ROOTS as readonly string[]).includes(root)) {
    if (!/^[A-Za-z0-9_-]+$/.test(rest)) {
      return `'${path}' must be ${root}.<name>`;
    }
    return { root: root as (typeof GET_NAME_ROOTS)[number], name: rest };
  }
  if (root !== 'Steps') {
    return `'${path}' must start with Parameters., Execution., PipelineExperimentConfig. or Steps.`;
  }
  const nameMatch = /^[^.[]+/.exec(rest);
  if (!nameMatch) {
    return `'${path}' must be Steps.<step name>.<property path>`;
  }
  const after = rest.slice(nameMatch[0].length);
  if (after === '') {
    return `'${path}' names step '${nameMatch[0]}' but no property of it`;
  }
  if (!after.startsWith('.') && !after.startsWith('[')) {
    return `'${path}' must be Steps.<step name>.<property path>`;
  }
  const segments = parseSegments(after.startsWith('.') ? after.slice(1) : after);
  if (typeof segments === 'string') {
    return `'${path}': ${segments}`;
  }
  return { root, name: nameMatch[0], segments };
}

/** Renders segments back to path text. */
export function formatSegments(segments: readonly PathSegment[]): string {
  return segments
    .map((s, i) => (s.kind === 'member' ? `${i === 0 ? '' : '.'}${s.name}` : s.kind === 'index' ? `[${s.index}]` : `['${s.key}']`))
    .join('');
}
