/**
 * The minimal interface every source database driver implements (pg, mssql). Queries are
 * written once, in portable SQL, with named parameters `:name`; each driver binds them as real
 * parameters (never by string interpolation).
 */

/** A value bound to a named parameter. */
export type SqlValue = string | number | boolean | Date | null;

/** A row as the driver returns it, keyed by the (lower-case) column alias. */
export type Row = Readonly<Record<string, unknown>>;

/** A query: its SQL text with `:name` placeholders, and a name for logs and errors. */
export interface SqlQuery {
  readonly name: string;
  readonly text: string;
}

export interface SourceClient {
  /** The source's name in configuration (`gim`, `config`, `gvp`, `gvp@US`), for messages. */
  readonly sourceName: string;
  /**
   * Streams the query's rows with backpressure: the next batch is fetched only when the consumer
   * asks for it. Breaking out of the loop, or an error, closes the cursor.
   */
  stream(query: SqlQuery, params: Readonly<Record<string, SqlValue>>): AsyncIterable<Row>;
  /** Checks that the connection works (`bds check`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
