/**
 * GIM extraction: every agent login session of the tenant that overlaps the day, whatever its
 * length (open ones included), with the handled interactions that started inside the whole
 * session, summarised by the database as distinct (media, subtype) pairs. Aggregation decides
 * from these, per metric, whether a session counts; no interaction row ever reaches Node.
 */
import { valueText } from '../errors';
import type { SourceClient, SqlQuery } from '../sources/types';
import { SourceDataError } from './errors';
import type { StagedCell } from '../staging/staged';

/**
 * Portable SQL (PostgreSQL 9.1+ and SQL Server 2017+, for STRING_AGG). Parameters: :tenantKey,
 * :dayStart, :dayEnd (UTC epoch seconds of the billing day's bounds).
 *
 * - A session overlaps [dayStart, dayEnd) when it starts before dayEnd and is open or ends after
 *   dayStart. The start-key predicate is implied by the start_ts one but lets GIM's partitioning
 *   and index on start_date_time_key prune later intervals. End keys are not used: an open
 *   session's end key is a sentinel.
 * - Sessions whose resource has no `resource_` row cannot be told to be an agent's. They come out
 *   flagged `orphan = 1`, without handled pairs, so that one scan both selects the agents'
 *   sessions and counts the left-out ones for the manifest. The pairs are filtered on the
 *   joined key being present, not on the flag: PostgreSQL estimates a NULL test well and a
 *   CASE expression badly, and the bad estimate chose a plan 20 % slower at scale 1.0.
 * - A qualifying interaction starts inside the whole, unclipped session (metrics.md): a session
 *   from 22:00 to 02:00 whose only outbound call starts at 01:00 counts on both days. Only an
 *   open session stops at the end of the day being processed, so its interactions are looked
 *   for up to dayEnd.
 * - Interactions are bounded by the agent sessions' extent so that the index on
 *   interaction_resource_fact.start_date_time_key limits the rows joined: below by the earliest
 *   session's start key, above by the latest end of the day's sessions (dayEnd for open ones),
 *   never by the day's end, which would miss the next day's part of a session across midnight.
 *   A start key is at most its start_ts, so `key < latest end` keeps every interaction that
 *   `start_ts < end` keeps. Orphan sessions are left out of both bounds: an old one still open
 *   would widen the scan for nothing.
 * - The database sends one row per session: its distinct handled (media, subtype) pairs are
 *   aggregated into one string (see {@link decodeHandledPairs}). That is about five times fewer
 *   rows than one per pair, and the rows are what the client spends its time on.
 * - Rows come sorted by agent, then session start: aggregation relies on that order to process
 *   one agent at a time in constant memory. The pairs are sorted in Node, not in SQL, because
 *   STRING_AGG's order is unspecified without WITHIN GROUP, whose spelling differs.
 * - On SQL Server the aggregated string is limited to 8000 bytes, 4000 characters for nvarchar
 *   columns (some 150 to 300 distinct pairs in one session); beyond that the server fails the
 *   query (error 9829) rather than cut it short.
 */
export const GIM_SESSIONS_QUERY: SqlQuery = {
  name: 'gim_sessions',
  text: `
WITH sessions AS (
  SELECT s.sm_res_session_fact_key AS session_key,
         s.resource_key,
         r.resource_key AS known_resource,
         r.resource_name,
         r.resource_cfg_dbid AS person_dbid,
         m.media_name_code AS media,
         s.start_ts,
         s.end_ts,
         s.start_date_time_key
    FROM sm_res_session_fact s
    LEFT JOIN resource_ r ON r.resource_key = s.resource_key
    LEFT JOIN media_type m ON m.media_type_key = s.media_type_key
   WHERE s.tenant_key = :tenantKey
     AND (r.resource_key IS NULL OR r.resource_type_code = 'AGENT')
     AND s.start_date_time_key < :dayEnd
     AND s.start_ts < :dayEnd
     AND (s.end_ts IS NULL OR s.end_ts > :dayStart)
),
pairs AS (
  SELECT DISTINCT x.session_key,
         fm.media_name_code AS handled_media,
         it.interaction_subtype_code AS handled_subtype
    FROM sessions x
    JOIN interaction_resource_fact f ON f.resource_key = x.resource_key
    JOIN media_type fm ON fm.media_type_key = f.media_type_key
    LEFT JOIN interaction_type it ON it.interaction_type_key = f.interaction_type_key
   WHERE x.known_resource IS NOT NULL
     AND fm.media_name_code IS NOT NULL
     AND f.tenant_key = :tenantKey
     AND f.customer_handle_count > 0
     AND f.start_date_time_key >= (SELECT MIN(start_date_time_key) FROM sessions WHERE known_resource IS NOT NULL)
     AND f.start_date_time_key < (SELECT MAX(COALESCE(end_ts, :dayEnd)) FROM sessions WHERE known_resource IS NOT NULL)
     AND f.start_ts >= x.start_ts
     AND f.start_ts < COALESCE(x.end_ts, :dayEnd)
),
handled AS (
  SELECT session_key,
         STRING_AGG(CONCAT(
           REPLACE(REPLACE(REPLACE(handled_media, '!', '!0'), ',', '!1'), '=', '!2'),
           CASE WHEN handled_subtype IS NULL THEN ''
                ELSE CONCAT('=', REPLACE(REPLACE(REPLACE(handled_subtype, '!', '!0'), ',', '!1'), '=', '!2')) END
         ), ',') AS handled
    FROM pairs
   GROUP BY session_key
)
SELECT x.resource_key,
       x.resource_name,
       x.person_dbid,
       CAST(x.session_key AS VARCHAR(20)) AS session_key,
       x.media,
       x.start_ts,
       x.end_ts,
       CASE WHEN x.known_resource IS NULL THEN 1 ELSE 0 END AS orphan,
       h.handled
  FROM sessions x
  LEFT JOIN handled h ON h.session_key = x.session_key
 ORDER BY x.resource_key, x.start_ts, x.session_key`,
};

/** A (media, subtype) pair a session handled; the subtype is null when GIM has none. */
export type HandledPair = [media: string, subtype: string | null];

const ESCAPED: Readonly<Record<string, string>> = { '0': '!', '1': ',', '2': '=' };

function unescapeCode(text: string, sessionKey: string): string {
  if (!text.includes('!')) return text;
  return text.replace(/!(.?)/g, (_match, code: string) => {
    const plain = ESCAPED[code];
    if (plain === undefined) {
      throw new SourceDataError(`gim_sessions: session ${sessionKey} has a malformed handled list (bad escape "!${code}")`);
    }
    return plain;
  });
}

/**
 * Decodes the `handled` column of {@link GIM_SESSIONS_QUERY}: pairs joined by `,`, each the media
 * code, then `=` and the subtype when it is not NULL; within a code `!` is written `!0`, `,` `!1`
 * and `=` `!2`, so neither separator can occur inside one. NULL means no pair.
 */
export function decodeHandledPairs(handled: string | null, sessionKey: string): HandledPair[] {
  if (handled === null) return [];
  return handled.split(',').map((element): HandledPair => {
    const eq = element.indexOf('=');
    if (eq === -1) return [unescapeCode(element, sessionKey), null];
    return [unescapeCode(element.slice(0, eq), sessionKey), unescapeCode(element.slice(eq + 1), sessionKey)];
  });
}

function integerOrNull(row: Readonly<Record<string, unknown>>, column: string, nullable: boolean): number | null {
  const value = row[column];
  if (value === null || value === undefined) {
    if (nullable) return null;
    throw new SourceDataError(`gim_sessions: column ${column} is NULL in a row of session ${String(row.session_key)}`);
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new SourceDataError(`gim_sessions: column ${column} is not an integer (${valueText(value)}) in session ${String(row.session_key)}`);
  }
  return n;
}

function stringOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : valueText(value);
}

/** Orders (media, subtype) pairs by media, then subtype with NULL first, by code unit (no locale). */
function comparePairs(a: HandledPair, b: HandledPair): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] === b[1]) return 0;
  if (a[1] === null) return -1;
  if (b[1] === null) return 1;
  return a[1] < b[1] ? -1 : 1;
}

/**
 * Runs the sessions query and yields one staged row per agent session, in the query's order,
 * with its handled pairs sorted. Sessions without a `resource_` row are counted in
 * `notes.orphanSessions` instead (set to 0 first; complete once the rows are consumed).
 */
export async function* gimSessionRows(
  client: SourceClient,
  params: { tenantKey: number; dayStart: number; dayEnd: number },
  notes: Record<string, number> = {},
): AsyncGenerator<StagedCell[]> {
  notes.orphanSessions = 0;
  for await (const row of client.stream(GIM_SESSIONS_QUERY, params)) {
    const sessionKey = stringOrNull(row.session_key);
    if (sessionKey === null) throw new SourceDataError('gim_sessions: a session has no key');
    if (integerOrNull(row, 'orphan', false) !== 0) {
      notes.orphanSessions += 1;
      continue;
    }
    const pairs = decodeHandledPairs(stringOrNull(row.handled), sessionKey).sort(comparePairs);
    yield [
      integerOrNull(row, 'resource_key', false),
      stringOrNull(row.resource_name),
      integerOrNull(row, 'person_dbid', true),
      sessionKey,
      stringOrNull(row.media),
      integerOrNull(row, 'start_ts', false),
      integerOrNull(row, 'end_ts', true),
      JSON.stringify(pairs),
    ];
  }
}
