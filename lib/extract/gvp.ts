/**
 * GVP Reporting Server extraction: the tenant's MCP calls and ASR/TTS sessions that overlap the
 * day, into one staged dataset per region (`gvp_usage_<REGION>`, columns kind, id, start_ts,
 * end_ts in epoch seconds). The Reporting Server's physical schema is not public: the default
 * queries target the reference stand-in schema, and a source may carry its own
 * (`queries.calls`, `queries.mediaSessions`), held to the same result columns.
 */
import type { SourceConfig } from '../config/types';
import { valueText } from '../errors';
import type { SourceClient, SqlQuery, SqlValue } from '../sources/types';
import { columnAccessor, epochSeconds } from './columns';
import { SourceDataError } from './errors';
import type { StagedCell } from '../staging/staged';

/** Result columns a calls query must return. */
export const CALL_COLUMNS = ['call_id', 'call_start', 'call_end'] as const;
/** Result columns a media-sessions query must return. */
export const MEDIA_SESSION_COLUMNS = ['session_id', 'resource_kind', 'start_ts', 'end_ts'] as const;

/**
 * MCP call detail records of the tenant overlapping the day. RM and CCP records describe the
 * same calls from other components and are not counted. Calls of any length and calls still in
 * progress (call_end NULL) are included.
 */
export const GVP_CALLS_QUERY: SqlQuery = {
  name: 'gvp_calls',
  text: `
SELECT CAST(c.cdr_id AS VARCHAR(20)) AS call_id, c.call_start, c.call_end
  FROM gvp_cdr c
 WHERE c.component = 'MCP'
   AND c.tenant_id = :tenantDbid
   AND c.call_start < :dayEnd
   AND (c.call_end IS NULL OR c.call_end > :dayStart)`,
};

/** ASR and TTS sessions of the tenant overlapping the day. */
export const GVP_MEDIA_SESSIONS_QUERY: SqlQuery = {
  name: 'gvp_media_sessions',
  text: `
SELECT CAST(m.id AS VARCHAR(20)) AS session_id, m.resource_kind, m.start_ts, m.end_ts
  FROM gvp_media_resource_session m
 WHERE m.tenant_id = :tenantDbid
   AND m.resource_kind IN ('ASR', 'TTS')
   AND m.start_ts < :dayEnd
   AND (m.end_ts IS NULL OR m.end_ts > :dayStart)`,
};

/** `2026-10-31T04:00:00`: a UTC timestamp without zone, which both PostgreSQL and SQL Server convert implicitly. */
function utcTimestamp(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 19);
}

/**
 * The named parameters every GVP query receives: :tenantDbid, :dayStart and :dayEnd (UTC
 * timestamps), :dayStartEpoch and :dayEndEpoch (epoch seconds).
 */
export function gvpParameters(tenantDbid: number, dayStart: number, dayEnd: number): Record<string, SqlValue> {
  return {
    tenantDbid,
    dayStart: utcTimestamp(dayStart),
    dayEnd: utcTimestamp(dayEnd),
    dayStartEpoch: dayStart,
    dayEndEpoch: dayEnd,
  };
}

function idOf(value: unknown, column: string, context: string): string {
  if (value === null || value === undefined || value === '') throw new SourceDataError(`${context}: column ${column} is empty`);
  return typeof value === 'string' ? value : valueText(value);
}

/**
 * The most rows one GVP query may return for one region and day. Each id is remembered to find
 * duplicates (about 50 bytes for a numeric id, so about 100 MB at the limit); far beyond any real
 * site (23 calls a second, all day), it keeps a runaway custom query from exhausting memory.
 */
export const MAX_IDS_PER_QUERY = 2_000_000;

/**
 * Refuses a second row with the same id in one query's result. The reference queries read
 * primary keys and never repeat one, but a deployment's own query can (a join that fans out, a
 * UNION of overlapping tables): counting the row twice would bill a call twice, and keeping one
 * would hide a query that does not return what it claims. The extraction fails instead, naming
 * the id, and nothing is staged for the day.
 */
class DistinctIds {
  private readonly seen = new Set<string>();

  constructor(
    private readonly context: string,
    private readonly column: string,
  ) {}

  /** Records `id` (of `kind`: ASR and TTS ids may come from different tables, so they are kept apart). */
  add(kind: string, id: string): void {
    const key = `${kind}\u0000${id}`;
    if (this.seen.has(key)) {
      const shown = id.length > 100 ? `${id.slice(0, 100)}...` : id;
      throw new SourceDataError(
        `${this.context}: ${this.column} ${JSON.stringify(shown)} (${kind}) is returned more than once; ` +
          'each call or session must be one row: make the query return distinct rows (docs/gvp-queries.md)',
      );
    }
    if (this.seen.size >= MAX_IDS_PER_QUERY) {
      throw new SourceDataError(
        `${this.context}: more than ${MAX_IDS_PER_QUERY} rows for one day; a query returning that many is taken to be wrong (check its tenant and time predicates)`,
      );
    }
    this.seen.add(key);
  }
}

/** Which GVP facts to extract. */
export interface GvpWanted {
  readonly calls: boolean;
  readonly asr: boolean;
  readonly tts: boolean;
}

/** Streams a region's GVP usage as staged rows: calls first, then ASR/TTS sessions. */
export async function* gvpUsageRows(
  client: SourceClient,
  source: SourceConfig,
  params: { tenantDbid: number; dayStart: number; dayEnd: number },
  wanted: GvpWanted,
): AsyncGenerator<StagedCell[]> {
  const values = gvpParameters(params.tenantDbid, params.dayStart, params.dayEnd);
  if (wanted.calls) {
    const query = source.queries?.calls === undefined ? GVP_CALLS_QUERY : { name: 'gvp_calls (custom)', text: source.queries.calls };
    const context = `${query.name} of ${client.sourceName}`;
    const ids = new DistinctIds(context, 'call_id');
    let columns: ReadonlyMap<string, string> | undefined;
    for await (const row of client.stream(query, values)) {
      columns ??= columnAccessor(row, CALL_COLUMNS, { query: query.name, source: client.sourceName });
      const start = epochSeconds(row[columns.get('call_start') ?? ''], 'call_start', context);
      if (start === null) throw new SourceDataError(`${context}: call_start is NULL`);
      const id = idOf(row[columns.get('call_id') ?? ''], 'call_id', context);
      ids.add('call', id);
      yield ['call', id, start, epochSeconds(row[columns.get('call_end') ?? ''], 'call_end', context)];
    }
  }
  if (wanted.asr || wanted.tts) {
    const query =
      source.queries?.mediaSessions === undefined
        ? GVP_MEDIA_SESSIONS_QUERY
        : { name: 'gvp_media_sessions (custom)', text: source.queries.mediaSessions };
    const context = `${query.name} of ${client.sourceName}`;
    const ids = new DistinctIds(context, 'session_id');
    let columns: ReadonlyMap<string, string> | undefined;
    for await (const row of client.stream(query, values)) {
      columns ??= columnAccessor(row, MEDIA_SESSION_COLUMNS, { query: query.name, source: client.sourceName });
      const kind = valueText(row[columns.get('resource_kind') ?? ''] ?? '').trim().toUpperCase();
      if (kind !== 'ASR' && kind !== 'TTS') continue;
      if ((kind === 'ASR' && !wanted.asr) || (kind === 'TTS' && !wanted.tts)) continue;
      const start = epochSeconds(row[columns.get('start_ts') ?? ''], 'start_ts', context);
      if (start === null) throw new SourceDataError(`${context}: start_ts is NULL`);
      const id = idOf(row[columns.get('session_id') ?? ''], 'session_id', context);
      ids.add(kind.toLowerCase(), id);
      yield [kind.toLowerCase(), id, start, epochSeconds(row[columns.get('end_ts') ?? ''], 'end_ts', context)];
    }
  }
}
