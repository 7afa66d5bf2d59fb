/**
 * Repository path globs, read as CodePipeline reads its trigger file-path filters (`GitFilePathFilterCriteria`;
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/syntax-glob.html): paths are relative to the repository
 * root, `/`-separated, and a glob must match the whole path.
 *
 * - `*` matches zero or more characters within one path segment (never `/`): `*.md` is a root file only.
 * - `**` matches across segments: `docs/**` is everything under `docs/`; `**` followed by `/` also matches no
 *   folder at all, so `**` + `/*.md` matches `README.md` as well as `docs/a/b.md` (the meaning `docsOnlyPaths`
 *   documents: every Markdown file).
 * - `?` matches one character other than `/`; `[abc]`, `[a-z]` and `[!a-c]` one character of (or not of) a set;
 *   `{md,txt}` one of the comma-separated alternatives (not nested); `\` makes the next character literal.
 */

/** Thrown for a glob that cannot be read (an unclosed `[` or `{`, a nested `{`, a trailing `\`). */
export class InvalidGlobError extends Error {
  constructor(glob: string, problem: string) {
    super(`path glob ${JSON.stringify(glob)} is invalid: ${problem}`);
    this.name = 'InvalidGlobError';
  }
}

/** `text` as a RegExp source that matches itself (escaping only RegExp syntax, as unicode mode requires). */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The RegExp source of a `[...]` set starting at `glob[start]` (the `[`), and the index after its `]`. */
function readSet(glob: string, start: number): { source: string; end: number } {
  let i = start + 1;
  let negated = false;
  if (glob[i] === '!') {
    negated = true;
    i += 1;
  }
  let body = '';
  let first = true;
  while (i < glob.length && (glob[i] !== ']' || first)) {
    const c = glob[i];
    // A '-' between two characters is a range; first or last, it is itself. '*', '?' and '\' are themselves.
    body += c === '-' && !first && glob[i + 1] !== ']' ? '-' : c === '-' ? '\\-' : literal(c);
    first = false;
    i += 1;
  }
  if (i >= glob.length) {
    throw new InvalidGlobError(glob, `the '[' at position ${start} is never closed with ']'`);
  }
  // A set never matches the separator, as '*' and '?' do not.
  return { source: negated ? `[^/${body}]` : `(?![/])[${body}]`, end: i + 1 };
}

/**
 * The RegExp equivalent of `glob` (anchored at both ends). Throws {@link InvalidGlobError} naming the glob and
 * the problem.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  let inGroup = false;
  let groupStart = -1;
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i];
    if (c === '\\') {
      if (i + 1 >= glob.length) throw new InvalidGlobError(glob, 'it ends with an escaping \\');
      source += literal(glob[i + 1]);
      i += 1;
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        const atSegmentStart = i === 0 || glob[i - 1] === '/';
        i += 1;
        while (glob[i + 1] === '*') i += 1;
        if (atSegmentStart && glob[i + 1] === '/') {
          // `**/`: any number of whole folders, none included.
          source += '(?:.*/)?';
          i += 1;
        } else {
          source += '.*';
        }
      } else {
        source += '[^/]*';
      }
    } else if (c === '?') {
      source += '[^/]';
    } else if (c === '[') {
      const set = readSet(glob, i);
      source += set.source;
      i = set.end - 1;
    } else if (c === '{') {
      if (inGroup) throw new InvalidGlobError(glob, `'{' groups cannot be nested (position ${i})`);
      inGroup = true;
      groupStart = i;
      source += '(?:';
    } else if (c === '}' && inGroup) {
      inGroup = false;
      source += ')';
    } else if (c === ',' && inGroup) {
      source += '|';
    } else {
      source += literal(c);
    }
  }
  if (inGroup) throw new InvalidGlobError(glob, `the '{' at position ${groupStart} is never closed with '}'`);
  return new RegExp(`^${source}$`, 'u');
}

/** A compiled list of globs: `matches(path)` is true when any of them matches the whole path. */
export interface GlobSet {
  readonly globs: readonly string[];
  matches(path: string): boolean;
}

/** Compiles `globs` once (throws {@link InvalidGlobError} for the first invalid one). */
export function compileGlobs(globs: readonly string[]): GlobSet {
  const patterns = globs.map(globToRegExp);
  return { globs, matches: (path) => patterns.some((pattern) => pattern.test(path)) };
}
