/**
 * A `TableSink` that loads generated rows with `COPY <table> (<columns>) FROM STDIN` (PostgreSQL
 * text format) instead of multi-row INSERTs: `bds seed` writes tens of millions of rows, and
 * COPY is the only path whose cost is dominated by the server storing rows rather than by
 * statements being parsed, planned and bound.
 *
 * Each table gets its own connection and one COPY that stays open for the whole load: the
 * generator interleaves tables day by day, and one statement per table (not per chunk) means no
 * per-chunk round trip, while the server ingests one table as Node generates the next chunk.
 * Writes wait for the COPY stream to drain (backpressure), so memory stays bounded by a few
 * buffered chunks per table whatever the volume.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { describeError, valueText } from '../../lib/errors';
import { ActivityLoadError, type Cell, type TableName, type TableRows, type TableSink } from '../demo/generate';

/** Bytes buffered per table before `write` waits for the server: a few chunks, enough to overlap. */
const BUFFER_BYTES = 1 << 20;

// Characters that the text format gives a meaning to; anything else is sent as is.
const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * One cell in COPY text format: `\N` for NULL, backslash, tab, newline and carriage return
 * escaped. Numbers must be finite: NaN or Infinity would load as text into a numeric column or
 * fail far from their cause.
 */
export function copyTextCell(cell: Cell): string {
  if (cell === null) return '\\N';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) throw new RangeError(`${cell} cannot be loaded into a number column`);
    return String(cell);
  }
  return NEEDS_ESCAPE.test(cell) ? cell.replace(/[\\\n\r\t]/g, (ch) => ESCAPES[ch] ?? ch) : cell;
}

/**
 * The rows as COPY text-format lines (tab-separated, one `\n`-terminated line per row).
 * @throws RangeError when a row's width differs from `width` or a number is not finite.
 */
export function encodeCopyText(rows: readonly (readonly Cell[])[], width: number): string {
  let out = '';
  for (const row of rows) {
    if (row.length !== width) throw new RangeError(`a row has ${row.length} cells for ${width} columns`);
    for (let i = 0; i < width; i += 1) {
      if (i > 0) out += '\t';
      out += copyTextCell(row[i] ?? null);
    }
    out += '\n';
  }
  return out;
}

/** Double-quotes an identifier, so a table or column name is never read as SQL. */
function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** One table's open COPY. */
interface TableLoad {
  readonly table: TableName;
  readonly client: pg.Client;
  readonly input: PassThrough;
  /** Settles when the COPY has completed (or failed); never left unobserved. */
  readonly done: Promise<void>;
  readonly copy: { rowCount: number };
  failure: unknown;
  rows: number;
}

/**
 * Whether the table's COPY has failed. A call rather than an inline check: the failure is set
 * asynchronously, and a check after an `await` must not be narrowed away by the one before it.
 */
function hasFailed(load: TableLoad): boolean {
  return load.failure !== undefined;
}

export interface CopyTableSinkOptions {
  /**
   * Opens a new connection to the target database. The sink opens one per table it loads, on
   * that table's first chunk, and closes each in `finish` or `abort`.
   */
  connect(): Promise<pg.Client>;
}

/** Loads chunks through one `COPY ... FROM STDIN` per table, each on its own connection. */
export class CopyTableSink implements TableSink {
  private readonly loads = new Map<TableName, TableLoad>();
  private closed = false;

  constructor(private readonly options: CopyTableSinkOptions) {}

  /**
   * Sends the chunk's rows to its table's COPY, waiting while the server is behind.
   * @throws ActivityLoadError when the rows are malformed or the table's COPY has failed.
   */
  async write(chunk: TableRows): Promise<void> {
    if (this.closed) throw new ActivityLoadError(chunk.table, 'the COPY sink is already finished');
    if (chunk.rows.length === 0) return;
    let text: string;
    try {
      text = encodeCopyText(chunk.rows, chunk.columns.length);
    } catch (error) {
      throw new ActivityLoadError(chunk.table, describeError(error), { cause: error });
    }
    const load = this.loads.get(chunk.table) ?? (await this.open(chunk.table, chunk.columns));
    if (hasFailed(load)) throw this.loadError(load);
    load.rows += chunk.rows.length;
    if (!load.input.write(text)) {
      // Either the server catches up (drain) or the COPY fails (done settles): never wait on
      // a drain that cannot come.
      await Promise.race([once(load.input, 'drain'), load.done]);
      if (hasFailed(load)) throw this.loadError(load);
    }
  }

  /**
   * Ends every COPY, waits for the server to commit each one, and closes the connections.
   * @returns the rows each table's COPY reported as loaded.
   * @throws ActivityLoadError when a COPY failed (the others are still completed or closed).
   */
  async finish(): Promise<Partial<Record<TableName, number>>> {
    this.closed = true;
    const loads = [...this.loads.values()];
    for (const load of loads) load.input.end();
    await Promise.all(loads.map((l) => l.done));
    await Promise.all(loads.map((l) => l.client.end().catch(() => undefined)));
    const failed = loads.find((l) => l.failure !== undefined);
    if (failed !== undefined) throw this.loadError(failed);
    const loaded: Partial<Record<TableName, number>> = {};
    for (const load of loads) {
      if (load.copy.rowCount !== load.rows) {
        throw new ActivityLoadError(load.table, `COPY reported ${load.copy.rowCount} rows, ${load.rows} were sent`);
      }
      loaded[load.table] = load.copy.rowCount;
    }
    return loaded;
  }

  /** Cancels every open COPY (the server discards their rows) and closes the connections. */
  async abort(reason?: unknown): Promise<void> {
    this.closed = true;
    const loads = [...this.loads.values()];
    const error = reason instanceof Error ? reason : new Error(`seed aborted${reason === undefined ? '' : `: ${valueText(reason)}`}`);
    for (const load of loads) load.input.destroy(error);
    await Promise.all(loads.map((l) => l.done));
    await Promise.all(loads.map((l) => l.client.end().catch(() => undefined)));
  }

  private loadError(load: TableLoad): ActivityLoadError {
    if (load.failure instanceof ActivityLoadError) return load.failure;
    return new ActivityLoadError(load.table, `COPY failed: ${describeError(load.failure)}`, { cause: load.failure });
  }

  private async open(table: TableName, columns: readonly string[]): Promise<TableLoad> {
    let client: pg.Client;
    try {
      client = await this.options.connect();
    } catch (error) {
      throw new ActivityLoadError(table, `cannot connect for COPY: ${describeError(error)}`, { cause: error });
    }
    // A connection dropped mid-load fails the COPY through the stream; this only keeps the
    // client's own 'error' event from crashing the process.
    client.on('error', () => undefined);
    const sql = `COPY ${identifier(table)} (${columns.map(identifier).join(', ')}) FROM STDIN`;
    const copy = client.query(copyFrom(sql));
    const input = new PassThrough({ highWaterMark: BUFFER_BYTES });
    // The pipeline reports a failure through `done`; a write racing with it must not become an
    // unhandled 'error' event.
    input.on('error', () => undefined);
    const load: TableLoad = {
      table,
      client,
      input,
      copy,
      failure: undefined,
      rows: 0,
      done: pipeline(input, copy).catch((error: unknown) => {
        load.failure = error;
      }),
    };
    this.loads.set(table, load);
    return load;
  }
}
