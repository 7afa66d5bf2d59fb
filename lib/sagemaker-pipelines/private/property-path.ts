/** One segment of a property path: `.Member`, `[0]` or `['key']`. */
export type PathSegment =
  | { readonly kind: 'member'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'key'; readonly key: string };

/** A parsed `Get` path. */
export type ParsedGet =
  | { readonly root: 'Parameters'; readonly name: string }
  | { readonly root: 'Execution'; readonly name: string }
  | { readonly root: 'Steps'; readonly name: string; readonly segments: readonly PathSegment[] };

/** Parses the segments after a step name (`ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri`). */
export function parseSegments(path: string): PathSegment[] | string {
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '.' || (i === 0 && /[A-Za-z_]/.test(path[i]))) {
      const start = path[i] === '.' ? i + 1 : i;
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(path.slice(start));
      if (!match) {
        return `expected a member name at position ${start}`;
      }
      segments.push({ kind: 'member', name: match[0] });
      i = start + match[0].length;
    } else if (path[i] === '[') {
      const rest = path.slice(i);
      const index = /^\[(\d+)\]/.exec(rest);
      const key = /^\['([^']*)'\]/.exec(rest) ?? /^\["([^"]*)"\]/.exec(rest);
      if (index) {
        segments.push({ kind: 'index', index: Number(index[1]) });
        i += index[0].length;
      } else if (key) {
        segments.push({ kind: 'key', key: key[1] });
        i += key[0].length;
      } else {
        return `expected [<index>] or ['<key>'] at position ${i}`;
      }
    } else {
      return `unexpected '${path[i]}' at position ${i}`;
    }
  }
  return segments;
}

/** Parses a `Get` path; returns an error message when it is malformed. */
export function parseGetPath(path: string): ParsedGet | string {
  const dot = path.indexOf('.');
  const root = dot < 0 ? path : path.slice(0, dot);
  if (root !== 'Parameters' && root !== 'Execution' && root !== 'Steps') {
    return `'${path}' must start with Parameters., Steps. or Execution.`;
  }
  const rest = dot < 0 ? '' : path.slice(dot + 1);
  if (root !== 'Steps') {
    if (!/^[A-Za-z0-9_-]+$/.test(rest)) {
      return `'${path}' must be ${root}.<name>`;
    }
    return { root, name: rest };
  }
  const nameMatch = /^[^.[]+/.exec(rest);
  if (!nameMatch) {
    return `'${path}' must be Steps.<step name>.<property path>`;
  }
  const after = rest.slice(nameMatch[0].length);
  if (after === '') {
    return `'${path}' names step '${nameMatch[0]}' but no property of it`;
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
