/**
 * Checks a query's result columns against its contract. Custom queries (a deployment's own SQL
 * for GVP) are held to the same documented columns as the built-in ones; a missing column fails
 * the extraction, naming the column, before anything is staged.
 */
import { valueText } from '../errors';
import type { Row } from '../sources/types';
import { SourceDataError } from './errors';

/** Maps each required column to the row's key (matched ignoring case: SQL Server keeps the alias's case). */
export function columnAccessor(
  row: Row,
  required: readonly string[],
  what: { query: string; source: string },
): ReadonlyMap<string, string> {
  const byLower = new Map(Object.keys(row).map((k) => [k.toLowerCase(), k]));
  const map = new Map<string, string>();
  const missing: string[] = [];
  for (const column of required) {
    const key = byLower.get(column);
    if (key === undefined) missing.push(column);
    else map.set(column, key);
  }
  if (missing.length > 0) {
    throw new SourceDataError(
      `query ${what.query} of source ${what.source} returned no column ${missing.map((m) => `"${m}"`).join(', ')} ` +
        `(it returned: ${Object.keys(row).join(', ') || 'nothing'}); the query must return ${required.join(', ')}`,
    );
  }
  return map;
}

/** The earliest timestamp a source may return: 0001-01-01T00:00:00Z (SQL Server's datetime2 floor). */
export const MIN_SOURCE_SECONDS = -62_135_596_800;
/** The latest: 9999-12-31T23:59:59Z (the ceiling of both SQL Server and ISO 8601 without a sign). */
export const MAX_SOURCE_SECONDS = 253_402_300_799;

/**
 * Epoch seconds of a timestamp from a source: a Date, or an ISO 8601 text read as UTC when it
 * carries no zone (GVP stores UTC without a zone). Sub-second parts are dropped: billing works
 * in whole seconds. Null stays null (an open fact).
 *
 * Any moment from year 1 to year 9999 is accepted, however far from the day: clipping to the day
 * gives it its share and nothing more. Anything else (an invalid Date, PostgreSQL's `infinity`,
 * a number, a year beyond 9999) is not a time a database column can hold, so it fails the
 * extraction naming the column, rather than being guessed at.
 */
export function epochSeconds(value: unknown, column: string, context: string): number | null {
  if (value === null || value === undefined) return null;
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') {
    const iso = value.includes('T') ? value : value.replace(' ', 'T');
    ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  } else ms = Number.NaN;
  if (!Number.isFinite(ms)) throw new SourceDataError(`${context}: column ${column} is not a timestamp: ${valueText(value)}`);
  const seconds = Math.floor(ms / 1000);
  if (seconds < MIN_SOURCE_SECONDS || seconds > MAX_SOURCE_SECONDS) {
    throw new SourceDataError(`${context}: column ${column} is outside the years 0001 to 9999: ${valueText(value)}`);
  }
  return seconds;
}
