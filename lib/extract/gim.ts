/**
 * GIM extraction: every agent login session of the tenant that overlaps the day, whatever its
 * length (open ones included), with the handled interactions that started inside the whole
 * session, summarised by the database as distinct (media, subtype) pairs. Aggregation decides
 * from these, per metric, whether a session counts; no interaction row ever reaches Node.
 */
import type { SourceClient, SqlQuery } from '../sources/types';
import { SourceDataError } from './errors';
import type { StagedCell } from './staged';

export const GIM_SESSIONS_DATASET = 'gim_sessions';

/** Columns of the staged `gim_sessions` dataset. `handled` is a JSON array of [media, subtype] pairs. */
export const GIM_SESSION_COLUMNS = [
  'resource_key',
  'resource_name',
  'person_dbid',
  'session_key',
  'media',
  'start_ts',
  'end_ts',
  'handled',
] as const;

/**
 * Portable SQL (PostgreSQL and SQL Server). Parameters: :tenantKey, :dayStart, :dayEnd (UTC
 * epoch seconds of the billing day's bounds).
 *
 * - A session overlaps [dayStart, dayEnd) when it starts before dayEnd and is open or ends after
 *   dayStart. The start-key predicate is implied by the start_ts one but lets GIM's partitioning
 *   and index on start_date_time_key prune later intervals. End keys are not used: an open
 *   session's end key is a sentinel.
 * - An open session runs until the end of the day being processed, so its interactions are
 *   looked for up to dayEnd.
 * - Interactions are bounded below by the earliest session's start key so that the index on
 *   interaction_resource_fact.start_date_time_key limits the rows joined.
 * - Rows come sorted by agent, then session start: aggregation relies on that order to process
 *   one agent at a time in constant memory. The handled pairs of a session are sorted in Node,
 *   not in SQL, because PostgreSQL and SQL Server order NULL subtypes differently.
 */
export const GIM_SESSIONS_QUERY: SqlQuery = {
  name: 'gim_sessions',
  text: `
WITH sessions AS (
  SELECT s.sm_res_session_fact_key AS session_key,
         s.resource_key,
         r.resource_name,
         r.resource_cfg_dbid AS person_dbid,
         m.media_name_code AS media,
         s.start_ts,
         s.end_ts,
         s.start_date_time_key
    FROM sm_res_session_fact s
    JOIN resource_ r ON r.resource_key = s.resource_key
    LEFT JOIN media_type m ON m.media_type_key = s.media_type_key
   WHERE s.tenant_key = :tenantKey
     AND r.resource_type_code = 'AGENT'
     AND s.start_date_time_key < :dayEnd
     AND s.start_ts < :dayEnd
     AND (s.end_ts IS NULL OR s.end_ts > :dayStart)
),
handled AS (
  SELECT DISTINCT x.session_key,
         fm.media_name_code AS handled_media,
         it.interaction_subtype_code AS handled_subtype
    FROM sessions x
    JOIN interaction_resource_fact f ON f.resource_key = x.resource_key
    JOIN media_type fm ON fm.media_type_key = f.media_type_key
    LEFT JOIN interaction_type it ON it.interaction_type_key = f.interaction_type_key
   WHERE f.tenant_key = :tenantKey
     AND f.customer_handle_count > 0
     AND f.start_date_time_key >= (SELECT MIN(start_date_time_key) FROM sessions)
     AND f.start_date_time_key < :dayEnd
     AND f.start_ts >= x.start_ts
     AND f.start_ts < COALESCE(x.end_ts, :dayEnd)
)
SELECT x.resource_key,
       x.resource_name,
       x.person_dbid,
       CAST(x.session_key AS VARCHAR(20)) AS session_key,
       x.media,
       x.start_ts,
       x.end_ts,
       h.handled_media,
       h.handled_subtype
  FROM sessions x
  LEFT JOIN handled h ON h.session_key = x.session_key
 ORDER BY x.resource_key, x.start_ts, x.session_key`,
};

/**
 * Sessions of the tenant overlapping the day whose resource has no `resource_` row: they cannot
 * be told to be an agent's, so they are left out of the dataset, and counted here so the
 * manifest says how many were left out.
 */
export const GIM_ORPHAN_SESSIONS_QUERY: SqlQuery = {
  name: 'gim_orphan_sessions',
  text: `
SELECT COUNT(*) AS orphan_sessions
  FROM sm_res_session_fact s
 WHERE s.tenant_key = :tenantKey
   AND s.start_date_time_key < :dayEnd
   AND s.start_ts < :dayEnd
   AND (s.end_ts IS NULL OR s.end_ts > :dayStart)
   AND NOT EXISTS (SELECT 1 FROM resource_ r WHERE r.resource_key = s.resource_key)`,
};

/** The number of the day's sessions whose resource has no `resource_` row. */
export async function gimOrphanSessions(
  client: SourceClient,
  params: { tenantKey: number; dayStart: number; dayEnd: number },
): Promise<number> {
  for await (const row of client.stream(GIM_ORPHAN_SESSIONS_QUERY, params)) {
    const n = Number(row.orphan_sessions);
    if (!Number.isSafeInteger(n) || n < 0) throw new SourceDataError(`gim_orphan_sessions: bad count ${String(row.orphan_sessions)}`);
    return n;
  }
  return 0;
}

function integerOrNull(row: Readonly<Record<string, unknown>>, column: string, nullable: boolean): number | null {
  const value = row[column];
  if (value === null || value === undefined) {
    if (nullable) return null;
    throw new SourceDataError(`gim_sessions: column ${column} is NULL in a row of session ${String(row.session_key)}`);
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new SourceDataError(`gim_sessions: column ${column} is not an integer (${String(value)}) in session ${String(row.session_key)}`);
  }
  return n;
}

function stringOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : String(value);
}

/** Orders (media, subtype) pairs by media, then subtype with NULL first, by code unit (no locale). */
function comparePairs(a: [string, string | null], b: [string, string | null]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] === b[1]) return 0;
  if (a[1] === null) return -1;
  if (b[1] === null) return 1;
  return a[1] < b[1] ? -1 : 1;
}

/**
 * Runs the sessions query and folds the (session × handled pair) rows into one staged row per
 * session, in the query's order.
 */
export async function* gimSessionRows(
  client: SourceClient,
  params: { tenantKey: number; dayStart: number; dayEnd: number },
): AsyncGenerator<StagedCell[]> {
  let current: StagedCell[] | undefined;
  let currentKey: string | undefined;
  let pairs: [string, string | null][] = [];
  const flush = (): StagedCell[] | undefined => {
    if (current === undefined) return undefined;
    pairs.sort(comparePairs);
    current[7] = JSON.stringify(pairs);
    return current;
  };
  for await (const row of client.stream(GIM_SESSIONS_QUERY, params)) {
    const sessionKey = stringOrNull(row.session_key);
    if (sessionKey === null) throw new SourceDataError('gim_sessions: a session has no key');
    if (sessionKey !== currentKey) {
      const done = flush();
      if (done !== undefined) yield done;
      currentKey = sessionKey;
      pairs = [];
      current = [
        integerOrNull(row, 'resource_key', false),
        stringOrNull(row.resource_name),
        integerOrNull(row, 'person_dbid', true),
        sessionKey,
        stringOrNull(row.media),
        integerOrNull(row, 'start_ts', false),
        integerOrNull(row, 'end_ts', true),
        null,
      ];
    }
    const media = stringOrNull(row.handled_media);
    if (media !== null) pairs.push([media, stringOrNull(row.handled_subtype)]);
  }
  const done = flush();
  if (done !== undefined) yield done;
}
