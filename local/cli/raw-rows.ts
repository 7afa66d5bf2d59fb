/**
 * Held-out rows as they were uploaded: the test split holds curated rows (the label, then the encoded features);
 * the ETL run's schema.json says how each source column was encoded, so each row can be written back in its raw
 * form (a category's text instead of its one-hot features). The CLI sends both forms to the endpoint: the model
 * must answer the same for a raw row as for its encoded row.
 */

/** The parts of the ETL schema (schema.json) that say how raw columns became features. */
interface EtlSchema {
  readonly columns: readonly { readonly name: string; readonly role?: string; readonly type: string; readonly categories?: readonly string[] | null }[];
  readonly featureColumns: readonly string[];
}

/** Held-out rows in both forms. */
export interface RawHeldOut {
  /** The raw feature columns, in the schema's order (what a raw request sends). */
  readonly columns: string[];
  readonly rows: { readonly label: string; readonly encoded: string[]; readonly raw: string[] }[];
}

function parseSchema(text: string, origin: string): EtlSchema {
  let schema: EtlSchema;
  try {
    schema = JSON.parse(text) as EtlSchema;
  } catch (error) {
    throw new Error(`${origin} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(schema.columns) || !Array.isArray(schema.featureColumns)) {
    throw new Error(`${origin} has no "columns" and "featureColumns": it is not an ETL schema`);
  }
  return schema;
}

/**
 * Decodes the test split (`header` = label, then encoded feature names; `rows` as CSV cells) with the ETL run's
 * schema. Throws naming the feature the split has and the schema does not.
 */
export function rawHeldOut(schemaText: string, schemaOrigin: string, header: readonly string[], rows: readonly string[][]): RawHeldOut {
  const schema = parseSchema(schemaText, schemaOrigin);
  const features = schema.columns.filter((c) => c.role !== 'label');
  const position = new Map(header.map((name, i) => [name, i]));
  const cell = (row: readonly string[], name: string): string | undefined => {
    const i = position.get(name);
    return i === undefined ? undefined : row[i];
  };
  const missing = schema.featureColumns.filter((name) => !position.has(name));
  if (missing.length > 0) {
    throw new Error(`the test split has no column(s) ${missing.join(', ')} of ${schemaOrigin}: the split and the schema are from different runs`);
  }
  return {
    columns: features.map((c) => c.name),
    rows: rows.map((row) => ({
      label: row[0],
      encoded: row.slice(1),
      raw: features.map((column) => {
        if (column.type === 'numeric') return cell(row, column.name) ?? '';
        const hot = (column.categories ?? []).find((category) => Number(cell(row, `${column.name}=${category}`)) === 1);
        return hot ?? '';
      }),
    })),
  };
}

/** A CSV cell: quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
