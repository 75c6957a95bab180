/**
 * The verification's SQL: every billed value recomputed inside the source databases, written from
 * the definitions of metrics.md and docs/billing-rules.md, sentence by sentence, and independent
 * of the extraction queries (lib/extract) and of the aggregation (lib/aggregate). Where the two
 * agree the numbers are right twice over; where they differ one of them has a bug.
 *
 * Portable: PostgreSQL 9.1+ and SQL Server 2017+ (CTEs, `VALUES` derived tables, window functions
 * with `ROWS` frames, CASE instead of GREATEST/LEAST). The only dialect-specific text is in
 * lib/verify/sql-text.ts (`epochSeconds`, `exactlyEquals`). Values that come from the
 * configuration (tenant keys, codes, the bounds of days) are bound parameters; lists that come
 * from the databases themselves (agents to exclude, Persons placed in a region) and the days'
 * bounds are validated integer literals, chunked.
 *
 * Codes and names other than the Config DB's section and option names ('AGENT', 'MCP', 'ASR',
 * media and subtype codes) are compared in the database's collation, as the schema's own queries
 * would: on a case-insensitive SQL Server collation 'voice' would match 'VOICE'.
 *
 * Conventions of the results: every query returns integer columns only, so that a reader needs
 * no driver-specific parsing beyond `Number()` (PostgreSQL returns bigint and numeric as text).
 */
import type { SqlQuery, SqlValue } from '../sources/types';
import { VerifyError } from './errors';
import { epochSeconds, exactlyEquals, integerLiteral, integerTable, type Dialect } from './sql-text';

/** One day of the computation: its number in the query and its UTC bounds `[start, end)` in epoch seconds. */
export interface QueryDay {
  readonly dayNo: number;
  readonly start: number;
  readonly end: number;
}

/** A built query and its parameters. */
export interface BuiltQuery {
  readonly query: SqlQuery;
  readonly params: Readonly<Record<string, SqlValue>>;
}

/** `day_no` of the rows that hold a month's rollup. */
export const MONTH_ROW = -1;

function daysTable(days: readonly QueryDay[]): string {
  if (days.length === 0) throw new VerifyError('a verification query needs at least one day');
  return integerTable(['day_no', 'day_start', 'day_end'], days.map((d) => [d.dayNo, d.start, d.end]));
}

function rangeOf(days: readonly QueryDay[]): { start: number; end: number } {
  return { start: Math.min(...days.map((d) => d.start)), end: Math.max(...days.map((d) => d.end)) };
}

/** Width of the slots that find a fact's days by equality (see `factDays`). */
export const SLOT_SECONDS = 3600;

/**
 * The slots of the range: slot k is `[rangeStart + k * SLOT_SECONDS, + SLOT_SECONDS)`, one row
 * per day overlapping it (a day boundary inside a slot gives it two rows). Days without a second
 * (a day a zone skipped) are left out: nothing can count on them.
 */
export function slotRows(days: readonly QueryDay[]): number[][] {
  const range = rangeOf(days);
  const rows: number[][] = [];
  const slots = Math.ceil((range.end - range.start) / SLOT_SECONDS);
  const sorted = [...days].filter((d) => d.end > d.start).sort((a, b) => a.start - b.start);
  let first = 0;
  for (let slot = 0; slot < slots; slot += 1) {
    const from = range.start + slot * SLOT_SECONDS;
    const to = from + SLOT_SECONDS;
    while (first < sorted.length && (sorted[first] as QueryDay).end <= from) first += 1;
    for (let i = first; i < sorted.length && (sorted[i] as QueryDay).start < to; i += 1) {
      const day = sorted[i] as QueryDay;
      if (day.end > from) rows.push([slot, day.dayNo, day.start]);
    }
  }
  return rows;
}

/**
 * CTEs that pair each fact of `source` (columns `columns`, start `fs`, end `fe`, NULL = open)
 * with every day of the range it overlaps, as `<name>` (the columns, `t0`/`t1` = the fact clipped
 * to the range, an open fact running to the range's end, which is where each day's end puts it
 * on that day, and `day_no`). Comparing every fact with every day of a month is 30 comparisons a
 * fact (and, for GVP, 30 conversions of its timestamps); instead a fact is joined by equality
 * with the slots of its first and last second, and compared with the days table only for the
 * days strictly between, which exist only for a fact at least as long as the shortest day:
 *
 * - A: the days overlapping the first slot;
 * - B: the days overlapping the last slot that start after the first slot ends;
 * - C: the days starting after the first slot ends and ending before the last slot starts.
 *
 * The three are disjoint and together hold every day that overlaps [t0, t1) (and possibly a day
 * that only shares a slot with it: `clipped` keeps a pair only when the clipped part has a
 * second).
 */
function factDays(name: string, source: string, columns: readonly string[], days: readonly QueryDay[]): string[] {
  const range = rangeOf(days);
  const start = integerLiteral(range.start);
  const end = integerLiteral(range.end);
  const slot = integerLiteral(SLOT_SECONDS);
  const lengths = days.filter((d) => d.end > d.start).map((d) => d.end - d.start);
  const shortest = integerLiteral(lengths.length === 0 ? range.end - range.start + 1 : Math.min(...lengths));
  const list = columns.map((c) => `f.${c}`).join(', ');
  return [
    `${name}_spans AS (
  SELECT ${list}, f.t0, f.t1, (f.t0 - ${start}) / ${slot} AS first_slot, (f.t1 - 1 - ${start}) / ${slot} AS last_slot
    FROM (SELECT ${list},
                 CASE WHEN f.fs > ${start} THEN f.fs ELSE ${start} END AS t0,
                 CASE WHEN f.fe IS NULL OR f.fe > ${end} THEN ${end} ELSE f.fe END AS t1
            FROM ${source} f
           WHERE f.fs < ${end} AND (f.fe IS NULL OR f.fe > ${start})) f
   WHERE f.t1 > f.t0
)`,
    `${name} AS (
  SELECT ${list}, f.t0, f.t1, sl.day_no
    FROM ${name}_spans f JOIN slots sl ON sl.slot_no = f.first_slot
  UNION ALL
  SELECT ${list}, f.t0, f.t1, sl.day_no
    FROM ${name}_spans f JOIN slots sl ON sl.slot_no = f.last_slot
   WHERE f.last_slot > f.first_slot AND sl.day_start >= ${start} + (f.first_slot + 1) * ${slot}
  UNION ALL
  SELECT ${list}, f.t0, f.t1, d.day_no
    FROM ${name}_spans f JOIN days d ON d.day_start >= ${start} + (f.first_slot + 1) * ${slot}
                                    AND d.day_end <= ${start} + f.last_slot * ${slot}
                                    AND d.day_end > d.day_start
   WHERE f.t1 - f.t0 >= ${shortest}
)`,
  ];
}

// ---------------------------------------------------------------------------------------------
// GIM: agent seats.

/** One seat metric as the query sees it: its number in the query and its effective codes. */
export interface SeatMetricSpec {
  readonly metricNo: number;
  /** `any`: sessions of every media count, including those whose media has no `media_type` row. */
  readonly mediaCodes: readonly string[] | 'any';
  readonly requiresInteraction: boolean;
  /** Interaction subtype codes a qualifying interaction must have; empty = any subtype. */
  readonly subtypeCodes: readonly string[];
}

export interface SeatQuerySpec {
  readonly tenantKey: number;
  readonly days: readonly QueryDay[];
  readonly metrics: readonly SeatMetricSpec[];
  /** Region number of agents not listed in `placement`. */
  readonly defaultRegion: number;
  /** `[person DBID, region number]` of the Persons placed outside the default region. */
  readonly placement: readonly (readonly [number, number])[];
  /** `resource_key`s of the agents the tenant's `excludeAgents` match. */
  readonly excluded: readonly number[];
  /** Also return the month's rollup over all `days` (rows with `day_no` = MONTH_ROW). */
  readonly monthly: boolean;
  /** Interactions are read from `[interactionsFrom, interactionsTo)` (see `gimBoundsQuery`). */
  readonly interactionsFrom: number;
  readonly interactionsTo: number;
}

/**
 * The sessions the seat query reads, for the range's bounds: the earliest start and the latest
 * end of a qualifying window (an open session's window ends at the range's end at the latest), so
 * that the interactions can be read for exactly the span that can qualify a session.
 * Columns: `sessions`, `min_start`, `max_end` (NULL without sessions).
 */
export function gimBoundsQuery(tenantKey: number, days: readonly QueryDay[]): BuiltQuery {
  const range = rangeOf(days);
  return {
    query: {
      name: 'verify-gim-bounds',
      text: `SELECT COUNT(*) AS sessions, MIN(s.start_ts) AS min_start,
       MAX(CASE WHEN s.end_ts IS NULL THEN :rangeEnd ELSE s.end_ts END) AS max_end
  FROM sm_res_session_fact s
 WHERE s.tenant_key = :tenantKey
   AND s.start_ts < :rangeEnd
   AND (s.end_ts IS NULL OR s.end_ts > :rangeStart)`,
    },
    params: { tenantKey, rangeStart: range.start, rangeEnd: range.end },
  };
}

/** The tenant's agents, for the `excludeAgents` regular expressions. Columns: `resource_key`, `resource_name`. */
export function gimAgentsQuery(tenantKey: number): BuiltQuery {
  return {
    query: {
      name: 'verify-gim-agents',
      text: `SELECT r.resource_key, r.resource_name
  FROM resource_ r
 WHERE r.tenant_key = :tenantKey AND r.resource_type_code = 'AGENT'`,
    },
    params: { tenantKey },
  };
}

/**
 * Every seat metric of one tenant, every region, every day of `days` (and the month) in one
 * statement. Columns: `measure` (1 concurrent, 2 enabled), `metric_no`, `region_no`, `day_no`
 * (MONTH_ROW for the month: concurrent = the maximum of the daily values, enabled = distinct
 * agents over the month), `value`. Only non-zero values come back.
 *
 * The definitions, as the CTEs implement them:
 *
 * - `base`: sessions (`sm_res_session_fact`) of the tenant whose `resource_` row is an agent
 *   (`resource_type_code = 'AGENT'`) of the tenant and not excluded, once per day they may touch,
 *   with the session's part inside the day `[cs, ce)` (an open session runs to the end of that
 *   day), the end of its qualifying window (its `end_ts`, or for an open session the end of that
 *   day), its media code (NULL when the media has no `media_type` row) and its region.
 * - `live`: those with at least one second inside the day (`ce > cs`; a session with
 *   `end_ts <= start_ts` never has one).
 * - `qual`: handled interactions (`customer_handle_count > 0`) of the tenant, with the metrics
 *   each can qualify: media among the metric's codes and, where the metric names subtypes, the
 *   `interaction_type`'s subtype among them.
 * - `counted`: a session counts for a metric when its media is one of the metric's (any media for
 *   `any`), and, for a metric that requires it, when the same agent has a qualifying interaction
 *   that started inside the session's window `[start_ts, window end)` (unclipped).
 * - `ordered` … `islands`: each agent's counted parts of a day, merged into disjoint intervals
 *   (gaps and islands: a part that starts at or before the latest end seen so far, in start order,
 *   continues the island), so that an agent with overlapping sessions is one.
 * - `per_second` / `running`: +1 at each island's start, -1 at its end, summed per second, then a
 *   running sum in time order: the number of distinct agents active in `[t, t + 1)`. Ends and
 *   starts at the same second cancel before the sum, so half-open intervals that touch never
 *   overlap. The peak is its maximum.
 * - enabled: distinct agents with an island in the day (or in any day of the month).
 */
export function gimSeatsQuery(spec: SeatQuerySpec): BuiltQuery {
  if (spec.metrics.length === 0) throw new VerifyError('the seat query needs at least one metric');
  const range = rangeOf(spec.days);
  const params: Record<string, SqlValue> = {
    tenantKey: spec.tenantKey,
    rangeStart: range.start,
    rangeEnd: range.end,
  };
  let codeNo = 0;
  const code = (value: string): string => {
    const name = `code${codeNo}`;
    codeNo += 1;
    params[name] = value;
    return `CAST(:${name} AS VARCHAR(255))`;
  };
  const NULL_CODE = 'CAST(NULL AS VARCHAR(255))';

  // Session media of each metric: (metric_no, media_code, needs_interaction); NULL code = any media.
  const sessionMedia: string[] = [];
  // Qualifying interactions of each metric that requires one: (metric_no, media_code, subtype_code); NULL subtype = any.
  const requirements: string[] = [];
  for (const metric of spec.metrics) {
    const no = integerLiteral(metric.metricNo);
    const needs = metric.requiresInteraction ? '1' : '0';
    if (metric.mediaCodes === 'any') {
      if (metric.requiresInteraction) {
        throw new VerifyError(`seat metric #${metric.metricNo}: "any media" together with a required interaction is not a catalogue combination`);
      }
      sessionMedia.push(`(${no}, ${NULL_CODE}, ${needs})`);
      continue;
    }
    if (metric.mediaCodes.length === 0) continue;
    for (const media of metric.mediaCodes) sessionMedia.push(`(${no}, ${code(media)}, ${needs})`);
    if (!metric.requiresInteraction) continue;
    for (const media of metric.mediaCodes) {
      if (metric.subtypeCodes.length === 0) requirements.push(`(${no}, ${code(media)}, ${NULL_CODE})`);
      for (const subtype of metric.subtypeCodes) requirements.push(`(${no}, ${code(media)}, ${code(subtype)})`);
    }
  }
  if (sessionMedia.length === 0) throw new VerifyError('the seat query has no metric with media codes');
  const plainMetrics = spec.metrics.some((m) => !m.requiresInteraction);
  const qualifiedMetrics = requirements.length > 0;

  const placed = spec.placement.length > 0;
  const excluding = spec.excluded.length > 0;
  const ctes: string[] = [
    `days (day_no, day_start, day_end) AS (\n${daysTable(spec.days)}\n)`,
    `session_media (metric_no, media_code, needs_interaction) AS (\nSELECT metric_no, media_code, needs_interaction FROM (VALUES ${sessionMedia.join(', ')}) AS v(metric_no, media_code, needs_interaction)\n)`,
  ];
  if (qualifiedMetrics) {
    ctes.push(
      `requirement (metric_no, media_code, subtype_code) AS (\nSELECT metric_no, media_code, subtype_code FROM (VALUES ${requirements.join(', ')}) AS v(metric_no, media_code, subtype_code)\n)`,
    );
  }
  if (placed) {
    ctes.push(`placement (person_dbid, region_no) AS (\n${integerTable(['person_dbid', 'region_no'], spec.placement.map(([p, r]) => [p, r]))}\n)`);
  }
  if (excluding) {
    ctes.push(`excluded (resource_key) AS (\n${integerTable(['resource_key'], spec.excluded.map((k) => [k]))}\n)`);
  }
  const defaultRegion = integerLiteral(spec.defaultRegion);
  // Sessions meet days by comparison, not through slots as GVP facts do (`factDays`): the
  // planner estimates this join well, and the qualification's semi-join below needs a good
  // estimate of its outer side (with one of a few rows it would rescan the interactions per row).
  ctes.push(`base AS (
  SELECT d.day_no, s.resource_key, s.start_ts,
         CASE WHEN s.end_ts IS NULL THEN d.day_end ELSE s.end_ts END AS window_end,
         CASE WHEN s.start_ts > d.day_start THEN s.start_ts ELSE d.day_start END AS cs,
         CASE WHEN s.end_ts IS NULL OR s.end_ts > d.day_end THEN d.day_end ELSE s.end_ts END AS ce,
         mt.media_name_code AS media_code,
         ${placed ? `COALESCE(p.region_no, ${defaultRegion})` : defaultRegion} AS region_no
    FROM sm_res_session_fact s
    JOIN resource_ r ON r.resource_key = s.resource_key
    JOIN days d ON s.start_ts < d.day_end AND (s.end_ts IS NULL OR s.end_ts > d.day_start)
    LEFT JOIN media_type mt ON mt.media_type_key = s.media_type_key${placed ? '\n    LEFT JOIN placement p ON p.person_dbid = r.resource_cfg_dbid' : ''}
   WHERE s.tenant_key = :tenantKey
     AND r.tenant_key = :tenantKey
     AND r.resource_type_code = 'AGENT'
     AND s.start_ts < :rangeEnd
     AND (s.end_ts IS NULL OR s.end_ts > :rangeStart)${excluding ? '\n     AND NOT EXISTS (SELECT 1 FROM excluded x WHERE x.resource_key = s.resource_key)' : ''}
)`);
  ctes.push(`live AS (
  SELECT day_no, resource_key, start_ts, window_end, cs, ce, media_code, region_no FROM base WHERE ce > cs
)`);
  if (qualifiedMetrics) {
    // The interactions' key range is widened by one interval each side: it only lets the index
    // skip what cannot qualify, the exact test is on start_ts.
    params.interactionsFrom = spec.interactionsFrom;
    params.interactionsTo = spec.interactionsTo;
    params.interactionsKeyFrom = Math.floor(spec.interactionsFrom / 900) * 900 - 900;
    params.interactionsKeyTo = spec.interactionsTo + 900;
    ctes.push(`qual AS (
  SELECT q.metric_no, i.resource_key, i.start_ts
    FROM interaction_resource_fact i
    JOIN media_type im ON im.media_type_key = i.media_type_key
    LEFT JOIN interaction_type it ON it.interaction_type_key = i.interaction_type_key
    JOIN requirement q ON q.media_code = im.media_name_code
                      AND (q.subtype_code IS NULL OR q.subtype_code = it.interaction_subtype_code)
   WHERE i.tenant_key = :tenantKey
     AND i.customer_handle_count > 0
     AND i.start_date_time_key >= :interactionsKeyFrom AND i.start_date_time_key < :interactionsKeyTo
     AND i.start_ts >= :interactionsFrom AND i.start_ts < :interactionsTo
)`);
  }
  const branches: string[] = [];
  if (plainMetrics) {
    branches.push(`  SELECT m.metric_no, b.region_no, b.day_no, b.resource_key, b.cs, b.ce
    FROM live b
    JOIN session_media m ON m.needs_interaction = 0 AND (m.media_code IS NULL OR m.media_code = b.media_code)`);
  }
  if (qualifiedMetrics) {
    branches.push(`  SELECT m.metric_no, b.region_no, b.day_no, b.resource_key, b.cs, b.ce
    FROM live b
    JOIN session_media m ON m.needs_interaction = 1 AND m.media_code = b.media_code
   WHERE EXISTS (SELECT 1 FROM qual q
                  WHERE q.metric_no = m.metric_no
                    AND q.resource_key = b.resource_key
                    AND q.start_ts >= b.start_ts
                    AND q.start_ts < b.window_end)`);
  }
  ctes.push(`counted AS (\n${branches.join('\n  UNION ALL\n')}\n)`);
  ctes.push(`ordered AS (
  SELECT metric_no, region_no, day_no, resource_key, cs, ce,
         MAX(ce) OVER (PARTITION BY metric_no, region_no, day_no, resource_key ORDER BY cs, ce
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
    FROM counted
)`);
  ctes.push(`flagged AS (
  SELECT metric_no, region_no, day_no, resource_key, cs, ce,
         CASE WHEN previous_end IS NOT NULL AND cs <= previous_end THEN 0 ELSE 1 END AS starts_island
    FROM ordered
)`);
  ctes.push(`numbered AS (
  SELECT metric_no, region_no, day_no, resource_key, cs, ce,
         SUM(starts_island) OVER (PARTITION BY metric_no, region_no, day_no, resource_key ORDER BY cs, ce
                                  ROWS UNBOUNDED PRECEDING) AS island_no
    FROM flagged
)`);
  ctes.push(`islands AS (
  SELECT metric_no, region_no, day_no, resource_key, MIN(cs) AS island_start, MAX(ce) AS island_end
    FROM numbered
   GROUP BY metric_no, region_no, day_no, resource_key, island_no
)`);
  ctes.push(`per_second AS (
  SELECT metric_no, region_no, day_no, t, SUM(delta) AS delta
    FROM (SELECT metric_no, region_no, day_no, island_start AS t, 1 AS delta FROM islands
          UNION ALL
          SELECT metric_no, region_no, day_no, island_end AS t, -1 AS delta FROM islands) events
   GROUP BY metric_no, region_no, day_no, t
)`);
  ctes.push(`running AS (
  SELECT metric_no, region_no, day_no,
         SUM(delta) OVER (PARTITION BY metric_no, region_no, day_no ORDER BY t ROWS UNBOUNDED PRECEDING) AS active
    FROM per_second
)`);
  const selects = [
    `SELECT 1 AS measure, metric_no, region_no, day_no, MAX(active) AS value FROM running GROUP BY metric_no, region_no, day_no`,
    `SELECT 2 AS measure, metric_no, region_no, day_no, COUNT(DISTINCT resource_key) AS value FROM islands GROUP BY metric_no, region_no, day_no`,
  ];
  if (spec.monthly) {
    selects.push(
      `SELECT 1 AS measure, metric_no, region_no, ${MONTH_ROW} AS day_no, MAX(active) AS value FROM running GROUP BY metric_no, region_no`,
      `SELECT 2 AS measure, metric_no, region_no, ${MONTH_ROW} AS day_no, COUNT(DISTINCT resource_key) AS value FROM islands GROUP BY metric_no, region_no`,
    );
  }
  return {
    query: { name: 'verify-gim-seats', text: `WITH ${ctes.join(',\n')}\n${selects.join('\nUNION ALL\n')}` },
    params,
  };
}

// ---------------------------------------------------------------------------------------------
// GVP: ports and minutes.

/** `kind` of the GVP query's rows. */
export const GVP_KIND = { call: 0, asr: 1, tts: 2 } as const;

export interface GvpQuerySpec {
  readonly dialect: Dialect;
  readonly tenantDbid: number;
  readonly days: readonly QueryDay[];
  readonly monthly: boolean;
  /**
   * The deployment's own queries (docs/gvp-queries.md), when its Reporting Server is not the
   * reference schema: they say which rows are the region's calls and sessions; the counting stays
   * this query's. Each is run once for the whole range, as a derived table.
   */
  readonly custom?: { readonly calls?: string; readonly mediaSessions?: string };
}

/** A deployment's query as a derived table: without the trailing semicolons a statement may end with. */
function derived(sql: string): string {
  return `(\n${sql.trim().replace(/;+\s*$/, '')}\n)`;
}

/** `YYYY-MM-DDTHH:MM:SS` (UTC, no zone) of an epoch second: text both dialects convert to their timestamp type. */
export function timestampText(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 19);
}

/**
 * Calls (MCP records of the tenant) and ASR / TTS sessions of the tenant, for every day of
 * `days`. Columns: `kind` (GVP_KIND), `day_no` (MONTH_ROW for the month: the maximum of the daily
 * peaks, the sum of the daily minutes), `peak`, `minutes`. Only kinds and days with a counted
 * second come back.
 *
 * Timestamps are truncated to whole seconds (`epochSeconds`), an open fact (end NULL) runs to the
 * end of the day, each fact is clipped to the day and counts when at least one second remains.
 * Facts meet the days through `factDays` (slots), so that a month's facts are not each compared
 * with every day and their timestamps converted once. Peak: +1 / -1 events summed per second and
 * a running sum, as for seats, without merging (each call or session is one thing). Minutes: ceil(sum of the clipped seconds / 60), per day.
 *
 * The timestamp range filter only narrows what is read (and lets the start index work): raw
 * timestamps, compared with the range's bounds, select a superset of the facts whose truncated
 * seconds overlap the range. A deployment's own queries (`custom`) replace the reference tables
 * as the source of facts; their time columns must then be timestamps (not text) for the epoch
 * fragment, and on SQL Server each must be usable as a derived table (no ORDER BY, no WITH).
 */
export function gvpQuery(spec: GvpQuerySpec): BuiltQuery {
  const range = rangeOf(spec.days);
  const epoch = (column: string): string => epochSeconds(spec.dialect, column);
  const calls =
    spec.custom?.calls === undefined
      ? `  SELECT ${GVP_KIND.call}, ${epoch('c.call_start')}, ${epoch('c.call_end')}
    FROM gvp_cdr c
   WHERE c.component = 'MCP'
     AND c.tenant_id = :tenantDbid
     AND c.call_start < :rangeEnd
     AND (c.call_end IS NULL OR c.call_end > :rangeStart)`
      : `  SELECT ${GVP_KIND.call}, ${epoch('q.call_start')}, ${epoch('q.call_end')}
    FROM ${derived(spec.custom.calls)} q`;
  const mediaSessions =
    spec.custom?.mediaSessions === undefined
      ? `  SELECT CASE WHEN m.resource_kind = 'ASR' THEN ${GVP_KIND.asr} ELSE ${GVP_KIND.tts} END, ${epoch('m.start_ts')}, ${epoch('m.end_ts')}
    FROM gvp_media_resource_session m
   WHERE m.resource_kind IN ('ASR', 'TTS')
     AND m.tenant_id = :tenantDbid
     AND m.start_ts < :rangeEnd
     AND (m.end_ts IS NULL OR m.end_ts > :rangeStart)`
      : `  SELECT CASE WHEN q.resource_kind = 'ASR' THEN ${GVP_KIND.asr} ELSE ${GVP_KIND.tts} END, ${epoch('q.start_ts')}, ${epoch('q.end_ts')}
    FROM ${derived(spec.custom.mediaSessions)} q
   WHERE q.resource_kind IN ('ASR', 'TTS')`;
  const text = `WITH days (day_no, day_start, day_end) AS (
${daysTable(spec.days)}
),
facts (kind, fs, fe) AS (
${calls}
  UNION ALL
${mediaSessions}
),
slots (slot_no, day_no, day_start) AS (
${integerTable(['slot_no', 'day_no', 'day_start'], slotRows(spec.days))}
),
${factDays('fact_days', 'facts', ['kind', 'fs', 'fe'], spec.days).join(',\n')},
clipped AS (
  SELECT f.kind, d.day_no,
         CASE WHEN f.t0 > d.day_start THEN f.t0 ELSE d.day_start END AS cs,
         CASE WHEN f.t1 < d.day_end THEN f.t1 ELSE d.day_end END AS ce
    FROM fact_days f
    JOIN days d ON d.day_no = f.day_no
),
counted AS (
  SELECT kind, day_no, cs, ce FROM clipped WHERE ce > cs
),
per_second AS (
  SELECT kind, day_no, t, SUM(delta) AS delta
    FROM (SELECT kind, day_no, cs AS t, 1 AS delta FROM counted
          UNION ALL
          SELECT kind, day_no, ce AS t, -1 AS delta FROM counted) events
   GROUP BY kind, day_no, t
),
running AS (
  SELECT kind, day_no, SUM(delta) OVER (PARTITION BY kind, day_no ORDER BY t ROWS UNBOUNDED PRECEDING) AS active
    FROM per_second
),
peaks AS (
  SELECT kind, day_no, MAX(active) AS peak FROM running GROUP BY kind, day_no
),
minutes AS (
  SELECT kind, day_no, CAST(CEILING(SUM(CAST(ce - cs AS BIGINT)) / 60.0) AS BIGINT) AS minutes
    FROM counted GROUP BY kind, day_no
),
daily AS (
  SELECT p.kind, p.day_no, p.peak, m.minutes
    FROM peaks p JOIN minutes m ON m.kind = p.kind AND m.day_no = p.day_no
)
SELECT kind, day_no, peak, minutes FROM daily${
    spec.monthly ? `\nUNION ALL\nSELECT kind, ${MONTH_ROW} AS day_no, MAX(peak) AS peak, SUM(minutes) AS minutes FROM daily GROUP BY kind` : ''
  }`;
  return {
    query: { name: 'verify-gvp', text },
    params: {
      tenantDbid: spec.tenantDbid,
      rangeStart: timestampText(range.start),
      rangeEnd: timestampText(range.end),
      // The parameters of a deployment's queries (docs/gvp-queries.md), for the whole range: a
      // query that selects what overlaps [dayStart, dayEnd) selects a superset of each day's facts,
      // which the days table then clips.
      ...(spec.custom === undefined
        ? {}
        : { dayStart: timestampText(range.start), dayEnd: timestampText(range.end), dayStartEpoch: range.start, dayEndEpoch: range.end }),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Config DB.

/**
 * The characters that are blank in a `gvm_mailbox` value besides the space (docs/billing-rules.md:
 * every character JavaScript's `\s` matches): tab, line feed, vertical tab, form feed, carriage
 * return, the no-break space, the other Unicode space characters, the line and paragraph
 * separators and the byte-order mark.
 */
export const BLANK_CHARACTERS: readonly string[] = [
  '\t', '\n', '\v', '\f', '\r', '\u00a0', '\u1680',
  '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200a',
  '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff',
];

/**
 * Voicemail boxes: the tenant's DNs (object type 2), Agent Logins (15) and Agent Groups (5), the
 * tenant taken from the owning object's own table, whatever its state, with an option
 * `gvm_mailbox` in the section `TServer` (a section row has `parent_dbid = 0`; the option row's
 * parent is the section and both carry the same object) whose value is non-blank: it still has a
 * character after every BLANK_CHARACTERS character is turned into a space and the spaces are
 * trimmed (REPLACE and LTRIM/RTRIM: portable; the characters are bound parameters, since
 * PostgreSQL spells CHAR(9) `chr(9)` and neither has a portable `\s`). NULL is blank. Each object
 * counts once. Column: `boxes`. (On a PostgreSQL database whose encoding cannot represent a
 * parameter's character, e.g. LATIN1 and U+3000, the query fails rather than guess.)
 */
export function voicemailQuery(dialect: Dialect, tenantDbid: number): BuiltQuery {
  const params: Record<string, SqlValue> = { tenantDbid };
  let value = 'opt.prop_value';
  BLANK_CHARACTERS.forEach((character, i) => {
    params[`blank${i}`] = character;
    value = `REPLACE(${value}, :blank${i}, ' ')`;
  });
  const text = `SELECT COUNT(*) AS boxes
  FROM (SELECT DISTINCT opt.object_type, opt.object_dbid
          FROM cfg_flex_prop opt
          JOIN cfg_flex_prop sec ON sec.dbid = opt.parent_dbid
                                AND sec.object_dbid = opt.object_dbid
                                AND sec.object_type = opt.object_type
          JOIN (SELECT 2 AS object_type, dn.dbid FROM cfg_dn dn WHERE dn.tenant_dbid = :tenantDbid
                UNION ALL
                SELECT 15 AS object_type, al.dbid FROM cfg_agent_login al WHERE al.tenant_dbid = :tenantDbid
                UNION ALL
                SELECT 5 AS object_type, g.dbid FROM cfg_group g WHERE g.tenant_dbid = :tenantDbid) obj
            ON obj.object_type = opt.object_type AND obj.dbid = opt.object_dbid
         WHERE sec.parent_dbid = 0
           AND ${exactlyEquals(dialect, 'sec.prop_name', 'TServer')}
           AND ${exactlyEquals(dialect, 'opt.prop_name', 'gvm_mailbox')}
           AND LTRIM(RTRIM(${value})) <> ''
       ) boxes`;
  return { query: { name: 'verify-cfg-voicemail', text }, params };
}

/**
 * The switches of every Person of the tenant: Person → its Agent Logins (`cfg_login_info`) →
 * each login's switch, whatever the state of any of them. Columns: `person_dbid`, `switch_name`.
 */
export function placementQuery(tenantDbid: number): BuiltQuery {
  return {
    query: {
      name: 'verify-cfg-placement',
      text: `SELECT DISTINCT p.dbid AS person_dbid, sw.name AS switch_name
  FROM cfg_person p
  JOIN cfg_login_info li ON li.person_dbid = p.dbid
  JOIN cfg_agent_login al ON al.dbid = li.agent_login_dbid
  JOIN cfg_switch sw ON sw.dbid = al.switch_dbid
 WHERE p.tenant_dbid = :tenantDbid`,
    },
    params: { tenantDbid },
  };
}
