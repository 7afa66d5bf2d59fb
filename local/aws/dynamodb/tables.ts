import * as fs from 'fs';
import * as path from 'path';
import { LocalAwsError } from '../errors';
import { typeOf, type Item } from './attribute-values';

/** The primary key of a table. */
export interface KeySchema {
  /** The partition (hash) key attribute. */
  readonly partitionKey: string;
  /** The sort (range) key attribute, if the table has one. */
  readonly sortKey?: string;
}

/** Tables local mode does not declare get the key of Powertools' idempotency tables (and the platform's). */
export const DEFAULT_KEY_SCHEMA: KeySchema = { partitionKey: 'id' };

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

/** One table: items by key, optionally saved to a JSON file after every write. */
export class Table {
  private readonly items = new Map<string, Item>();

  public constructor(
    public readonly name: string,
    public readonly schema: KeySchema,
    private readonly file?: string,
  ) {
    if (file && fs.existsSync(file)) {
      const saved = JSON.parse(fs.readFileSync(file, 'utf-8')) as { items: Item[] };
      for (const item of saved.items) this.items.set(this.keyOf(item, 'Item'), item);
    }
  }

  /** The key attribute names. */
  public get keyAttributes(): string[] {
    return this.schema.sortKey ? [this.schema.partitionKey, this.schema.sortKey] : [this.schema.partitionKey];
  }

  /**
   * The map key of an item or a `Key`: its key attributes, which must be S, N or B and, for a `Key`, the only
   * attributes. Throws DynamoDB's ValidationException otherwise.
   */
  public keyOf(item: Item, member: 'Key' | 'Item'): string {
    const names = this.keyAttributes;
    const extra = member === 'Key' ? Object.keys(item).filter((name) => !names.includes(name)) : [];
    const parts = names.map((name) => item[name]);
    if (extra.length > 0 || parts.some((part) => part === undefined || !['S', 'N', 'B'].includes(typeOf(part)))) {
      const given = member === 'Key' ? Object.keys(item).join(', ') || 'none' : names.filter((name) => item[name] === undefined).join(', ');
      throw new LocalAwsError(
        'ValidationException',
        `The provided key element does not match the schema: table ${this.name} has the key ${names.join(' + ')} ` +
          `(S, N or B); ${member === 'Key' ? `the Key has ${given}` : `the Item lacks ${given || 'a scalar key value'}`}. ` +
          'Local tables are created on first use with the key local mode declares for them (default: id).',
      );
    }
    return JSON.stringify(parts);
  }

  public get(key: string): Item | undefined {
    return this.items.get(key);
  }

  public put(key: string, item: Item): void {
    this.items.set(key, item);
    this.save();
  }

  public delete(key: string): void {
    if (this.items.delete(key)) this.save();
  }

  private save(): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify({ table: this.name, keySchema: this.schema, items: [...this.items.values()] }));
    fs.renameSync(temporary, this.file);
  }
}

/**
 * The local DynamoDB's tables. There is no CreateTable: a table exists from its first use, with the key schema given
 * for its name (default `id`, the key of Powertools' idempotency tables). With `dataDir`, each table is kept in
 * `<dataDir>/dynamodb/<table>.json`, rewritten after every write, and read back on next start; without it, in memory.
 */
export class DynamoDbTables {
  private readonly tables = new Map<string, Table>();

  public constructor(
    private readonly dataDir?: string,
    private readonly schemas: Readonly<Record<string, KeySchema>> = {},
  ) {}

  /** The table named by `TableName` (a name or a table ARN), created on first use. */
  public table(tableName: string): Table {
    const name = /^arn:aws[a-z-]*:dynamodb:[^:]*:\d{12}:table\/([^/]+)$/.exec(tableName)?.[1] ?? tableName;
    if (!TABLE_NAME.test(name)) {
      throw new LocalAwsError(
        'ValidationException',
        `1 validation error detected: Value '${tableName}' at 'tableName' failed to satisfy constraint: ` +
          'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ (3-255 characters)',
      );
    }
    let table = this.tables.get(name);
    if (!table) {
      const file = this.dataDir === undefined ? undefined : path.join(this.dataDir, 'dynamodb', `${name}.json`);
      table = new Table(name, this.schemas[name] ?? DEFAULT_KEY_SCHEMA, file);
      this.tables.set(name, table);
    }
    return table;
  }
}
