/**
 * Writing generated activity to a database: where chunks go (TableSink), multi-row INSERTs
 * (InsertTableSink), and loadActivity, which generates a month and writes it.
 */
import type pg from 'pg';
import { generateActivity, type GenerateNotes } from './activity';
import { ActivityLoadError } from './errors';
import type { GenerateOptions } from './plan';
import { TABLE_NAMES, type Cell, type TableName, type TableRows } from './tables';

export interface GenerateSummary extends GenerateNotes {
  readonly seed: number;
  readonly month: string;
  /** Rows written per table. */
  readonly rows: Readonly<Record<TableName, number>>;
  readonly totalRows: number;
}

/** Where generated chunks go: a multi-row INSERT today, maybe COPY later. */
export interface TableSink {
  write(chunk: TableRows): Promise<void>;
}

/** PostgreSQL's limit on bind parameters in one statement. */
const MAX_PARAMETERS = 65_535;

/** Writes chunks with parameterised multi-row INSERTs of up to `rowsPerStatement` rows. */
export class InsertTableSink implements TableSink {
  constructor(
    private readonly client: pg.ClientBase,
    private readonly rowsPerStatement = 1000,
  ) {}

  /**
   * Inserts the chunk's rows.
   * @throws ActivityLoadError when a statement fails.
   */
  async write(chunk: TableRows): Promise<void> {
    const width = chunk.columns.length;
    const step = Math.max(1, Math.min(this.rowsPerStatement, Math.floor(MAX_PARAMETERS / width)));
    const head = `INSERT INTO ${chunk.table} (${chunk.columns.join(', ')}) VALUES `;
    for (let offset = 0; offset < chunk.rows.length; offset += step) {
      const values: Cell[] = [];
      const tuples: string[] = [];
      for (const row of chunk.rows.slice(offset, offset + step)) {
        if (row.length !== width) throw new ActivityLoadError(chunk.table, `a row has ${row.length} cells for ${width} columns`);
        const marks: string[] = [];
        for (const cell of row) {
          values.push(cell);
          marks.push(`$${values.length}`);
        }
        tuples.push(`(${marks.join(', ')})`);
      }
      try {
        await this.client.query(head + tuples.join(', '), values);
      } catch (error) {
        throw new ActivityLoadError(chunk.table, error instanceof Error ? error.message : String(error), { cause: error });
      }
    }
  }
}

/**
 * Generates a month of activity and writes it to the database `client` is connected to (which
 * must hold the three reference schemas, empty of the generated keys).
 *
 * @param sink where rows go; default: multi-row INSERTs on `client`.
 * @returns rows written per table, plus the generator's notes.
 * @throws GenerateOptionsError for unusable options, ActivityLoadError when writing fails.
 */
export async function loadActivity(
  client: pg.ClientBase,
  options: GenerateOptions,
  sink: TableSink = new InsertTableSink(client),
): Promise<GenerateSummary> {
  const rows = Object.fromEntries(TABLE_NAMES.map((table) => [table, 0])) as Record<TableName, number>;
  let totalRows = 0;
  const activity = generateActivity(options);
  for (;;) {
    const step = await activity.next();
    if (step.done === true) {
      return { seed: options.seed, month: options.month, rows, totalRows, ...step.value };
    }
    await sink.write(step.value);
    rows[step.value.table] += step.value.rows.length;
    totalRows += step.value.rows.length;
  }
}
