/**
 * Building blocks of the verification SQL that are not counting: validated integer literals,
 * literal tables split into chunks, and the one fragment per dialect that the reference queries
 * cannot write portably.
 *
 * Everything here is pure and unit-tested (test/unit/verify-sql-text.test.ts).
 */
import { VerifyError } from './errors';

/** Rows per `VALUES` list: SQL Server refuses more than 1000 in some contexts, and big lists compile slowly. */
export const LITERAL_CHUNK_ROWS = 1000;

/** The SQL dialects BDS reads from (a source's `client`). */
export type Dialect = 'pg' | 'mssql';

/**
 * An integer as SQL text. Only safe integers are accepted, so the text can never be anything but
 * an optional minus sign and digits: this is what makes pasting it into SQL safe.
 *
 * @throws VerifyError for anything else (NaN, fractions, numbers beyond 2^53, non-numbers).
 */
export function integerLiteral(value: unknown): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new VerifyError(`cannot use ${typeof value === 'string' ? JSON.stringify(value) : String(value)} as an integer literal in a verification query`);
  }
  const text = String(value);
  // Belt and braces: String() of a safe integer is always this shape.
  if (!/^-?\d+$/.test(text)) throw new VerifyError(`cannot use ${text} as an integer literal`);
  return text;
}

/** Splits a list into consecutive chunks of at most `size` items (none for an empty list). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, not ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A table of integer literals as a portable derived-table expression:
 *
 *   SELECT a, b FROM (VALUES (1, 2), (3, 4)) AS v(a, b)
 *   UNION ALL SELECT a, b FROM (VALUES ...) AS v(a, b)
 *
 * one `VALUES` list per chunk of `chunkRows` rows. PostgreSQL (8.2+) and SQL Server (2008+) both
 * accept a `VALUES` list as a derived table. An empty table is `SELECT ... WHERE 1 = 0` over one
 * dummy row, so that the expression keeps its columns and their integer type.
 *
 * @throws VerifyError when a value is not a safe integer or a row has the wrong width.
 */
export function integerTable(columns: readonly string[], rows: readonly (readonly number[])[], chunkRows = LITERAL_CHUNK_ROWS): string {
  if (columns.length === 0) throw new RangeError('a literal table needs at least one column');
  for (const column of columns) {
    if (!/^[a-z_][a-z0-9_]*$/.test(column)) throw new RangeError(`invalid column name ${JSON.stringify(column)}`);
  }
  const list = columns.join(', ');
  const render = (row: readonly number[]): string => {
    if (row.length !== columns.length) throw new VerifyError(`a literal row has ${row.length} values for ${columns.length} columns`);
    return `(${row.map(integerLiteral).join(', ')})`;
  };
  if (rows.length === 0) {
    return `SELECT ${list} FROM (VALUES (${columns.map(() => '0').join(', ')})) AS v(${list}) WHERE 1 = 0`;
  }
  return chunk(rows, chunkRows)
    .map((part) => `SELECT ${list} FROM (VALUES ${part.map(render).join(', ')}) AS v(${list})`)
    .join('\nUNION ALL ');
}

/**
 * The whole seconds since 1970-01-01T00:00:00 of a `timestamp` (PostgreSQL) / `datetime2` (SQL
 * Server) column holding UTC, truncated towards the past (docs/billing-rules.md: GVP timestamps
 * are truncated to the second, both start and end). This is the one place where the verification
 * SQL differs between dialects:
 *
 * - PostgreSQL: `CAST(FLOOR(EXTRACT(EPOCH FROM col)) AS BIGINT)` — EXTRACT(EPOCH) of a timestamp
 *   without time zone counts its wall clock as UTC, fractions included; FLOOR truncates.
 * - SQL Server: `DATEDIFF_BIG(SECOND, '1970-01-01T00:00:00', col)` — DATEDIFF counts second
 *   boundaries crossed, which is the floor of the difference (2016 and later).
 */
export function epochSeconds(dialect: Dialect, column: string): string {
  if (!/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/.test(column)) throw new RangeError(`invalid column reference ${JSON.stringify(column)}`);
  return dialect === 'pg'
    ? `CAST(FLOOR(EXTRACT(EPOCH FROM ${column})) AS BIGINT)`
    : `DATEDIFF_BIG(SECOND, CAST('1970-01-01T00:00:00' AS DATETIME2), ${column})`;
}

/**
 * `column = 'literal'`, compared exactly (case included). PostgreSQL compares text exactly; SQL
 * Server compares in the column's collation, usually case-insensitive, so the comparison is made
 * in a binary collation there. (SQL Server still ignores trailing spaces when comparing, as the
 * SQL standard's padding rule says; names with trailing spaces are not worth a third fragment.)
 * Used for the Config DB's section and option names, which the Configuration Server matches exactly.
 */
export function exactlyEquals(dialect: Dialect, column: string, literal: string): string {
  if (!/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/.test(column)) throw new RangeError(`invalid column reference ${JSON.stringify(column)}`);
  if (!/^[A-Za-z0-9_]+$/.test(literal)) throw new RangeError(`invalid name literal ${JSON.stringify(literal)}`);
  return dialect === 'pg' ? `${column} = '${literal}'` : `${column} COLLATE Latin1_General_BIN2 = '${literal}'`;
}
