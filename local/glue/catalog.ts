import * as fs from 'fs';
import * as path from 'path';
import type { TableInput } from '@aws-sdk/client-glue';
import { LocalAwsError } from '../aws';

type Request = Record<string, unknown>;

/** A table as GetTable returns it: its TableInput plus what the catalog adds. */
type StoredTable = TableInput & {
  readonly DatabaseName: string;
  readonly CatalogId: string;
  readonly CreateTime: string;
  readonly UpdateTime: string;
  readonly VersionId: string;
};

/**
 * The Glue Data Catalog of one account, on this machine: the tables local mode creates as the stacks would
 * (`createTable`, from the same TableInput), served to the ETL job's `GetTable` / `UpdateTable` through the local
 * AWS endpoint. Each table is a JSON file under `<root>/<database>/<table>.json`.
 */
export class LocalGlueCatalog {
  constructor(private readonly root: string, private readonly account: string) {}

  /** Creates (or replaces, as a redeployment would) a table of `database`. */
  createTable(database: string, input: TableInput): void {
    if (!input.Name) throw new Error(`a table of database ${database} needs a Name`);
    const now = new Date().toISOString();
    this.write({ ...input, DatabaseName: database, CatalogId: this.account, CreateTime: now, UpdateTime: now, VersionId: '0' });
  }

  /** The table, or undefined. */
  table(database: string, name: string): StoredTable | undefined {
    const file = this.fileOf(database, name);
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as StoredTable) : undefined;
  }

  /** Glue GetTable. */
  async getTable(request: Request): Promise<{ Table: Record<string, unknown> }> {
    const table = this.find(request);
    return { Table: { ...table } };
  }

  /** Glue UpdateTable: replaces the table's definition with `TableInput`, keeping what the catalog owns. */
  async updateTable(request: Request): Promise<Record<string, never>> {
    const current = this.find({ ...request, Name: (request.TableInput as TableInput | undefined)?.Name });
    const input = request.TableInput as TableInput;
    if (request.VersionId !== undefined && request.VersionId !== current.VersionId) {
      throw new LocalAwsError(
        'ConcurrentModificationException',
        `Table ${current.DatabaseName}.${current.Name} is at version ${current.VersionId}, not ${String(request.VersionId)}.`,
      );
    }
    this.write({
      ...input,
      DatabaseName: current.DatabaseName,
      CatalogId: current.CatalogId,
      CreateTime: current.CreateTime,
      UpdateTime: new Date().toISOString(),
      VersionId: String(Number(current.VersionId) + 1),
    });
    return {};
  }

  private find(request: Request): StoredTable {
    const database = String(request.DatabaseName);
    const name = String(request.Name);
    if (request.CatalogId !== undefined && request.CatalogId !== this.account) {
      throw new LocalAwsError('EntityNotFoundException', `Catalog ${String(request.CatalogId)} not found (this catalog is ${this.account}).`);
    }
    const table = this.table(database, name);
    if (!table) {
      const known = fs.existsSync(path.join(this.root, database));
      throw new LocalAwsError(
        'EntityNotFoundException',
        known ? `Table ${name} not found in database ${database}.` : `Database ${database} not found.`,
      );
    }
    return table;
  }

  private write(table: StoredTable): void {
    const file = this.fileOf(table.DatabaseName, table.Name as string);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(table, null, 2)}\n`);
  }

  /** The file of a table. */
  fileOf(database: string, name: string): string {
    return path.join(this.root, database, `${name}.json`);
  }
}
