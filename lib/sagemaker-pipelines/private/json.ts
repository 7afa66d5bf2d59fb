/** Untyped JSON as the validators read it. */
export type Json = unknown;
export type JsonRecord = { readonly [key: string]: Json };

export function isRecord(value: Json): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as it appears in a message: JSON, cut to 80 characters. */
export function show(value: Json): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
