/** Column alignment of a text table. */
export type Align = 'left' | 'right';

/**
 * A plain-text table for terminals: columns padded to their widest cell, numbers right-aligned by default.
 * `align` overrides per column.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const isNumeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.,]+(e[-+]?\d+)?( ?(ms|s|%|x))?$|^–$|^-$/.test(r[i] ?? '')));
  const cell = (text: string, i: number): string =>
    (align?.[i] ?? (isNumeric[i] ? 'right' : 'left')) === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const line = (cells: readonly string[]): string => cells.map((c, i) => cell(c ?? '', i)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
