import type { z } from 'zod';

/** What a handler returns for an event it does not act on. Rejections are final: retrying cannot change them. */
export interface Rejected {
  readonly status: 'rejected';
  /** Why, naming the bad value and what was expected. */
  readonly reason: string;
}

/** A rejection with `reason`. */
export function rejected(reason: string): Rejected {
  return { status: 'rejected', reason };
}

/** The EventBridge `id` of an event, for log lines; undefined when the event has none. */
export function eventIdOf(event: unknown): string | undefined {
  if (event !== null && typeof event === 'object' && typeof (event as { id?: unknown }).id === 'string') {
    return (event as { id: string }).id;
  }
  return undefined;
}

/** The outcome of {@link parseEvent}. */
export type ParsedEvent<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly reason: string };

/**
 * Parses `event` with `schema`. On failure the reason lists each problem as `path: message (got value)`, so a
 * rejected event can be fixed from the log line alone.
 */
export function parseEvent<S extends z.ZodType>(schema: S, event: unknown, what: string): ParsedEvent<z.output<S>> {
  const result = schema.safeParse(event);
  if (result.success) {
    return { success: true, data: result.data };
  }
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '(event)' : issue.path.map(String).join('.');
    return `${path}: ${issue.message} (got ${describeValue(valueAt(event, issue.path))})`;
  });
  return { success: false, reason: `not ${what}: ${problems.join('; ')}` };
}

/** The value at `path` inside `value`, or undefined. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') {
      return undefined;
    }
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** A short, single-line description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (value !== null && typeof value === 'object') {
    return Array.isArray(value) ? 'an array' : 'an object';
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
