/**
 * The in-database reference of the benchmark: for one tenant and day, one SQL statement per
 * metric family that computes inside PostgreSQL the same numbers `bds run` writes into the
 * day's billing files (docs/billing-rules.md). It reads the same rows with the same predicates
 * as BDS's extraction queries (so both pay for the same scans with the reference schemas'
 * indexes only), and then does in SQL what BDS does in Node: clipping to the day (half-open,
 * open facts run to the day's end), merging one agent's overlapping sessions, placing agents in
 * regions by the switches of their Agent Logins, peaks to the second, minutes rounded up.
 *
 * The statements are generated from the loaded configuration (metrics with their overrides,
 * exclusions, regions and locations, each region's GVP queries), with the day's bounds as
 * literals, so they can be run by psql as they are. Every statement returns rows
 * (metric, region, measure, value), zeros included, like the billing files.
 *
 * Limits (fine for the seeded configuration, checked where cheap): exclusion patterns must mean
 * the same as a JavaScript and a PostgreSQL regular expression; GVP queries must return
 * timestamp columns (not text).
 */
import type { BdsConfig, LocalDate, TenantConfig } from '../lib/config/types';
import { CFG_VOICEMAIL_QUERY, WHITESPACE } from '../lib/extract/cfg';
import { GIM_SESSIONS_QUERY } from '../lib/extract/gim';
import { GVP_CALLS_QUERY, GVP_MEDIA_SESSIONS_QUERY, gvpParameters } from '../lib/extract/gvp';
import { GLOBAL_REGION } from '../lib/files/period-writer';
import type { GvpMetric, SeatMetric } from '../lib/metrics/catalogue';
import { resolveMetrics } from '../lib/metrics/resolve';
import { compileNamedParameters } from '../lib/sources/named-params';
import type { SqlValue } from '../lib/sources/types';
import { dayBounds } from '../lib/time/calendar';
import { BdsError } from '../lib/errors';

/** The configuration asks for something the reference cannot express. */
export class ReferenceError extends BdsError {}

/** One family's statement. */
export interface ReferenceStatement {
  readonly family: 'seats' | 'voicemail' | 'gvp';
  readonly sql: string;
}

/** One value, as a billing file row has it. */
export interface ReferenceValue {
  readonly metric: string;
  readonly region: string;
  readonly measure: string;
  readonly value: number;
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function sqlInteger(n: number): string {
  if (!Number.isSafeInteger(n)) throw new ReferenceError(`${n} is not an integer`);
  return String(n);
}

function textArray(items: readonly string[]): string {
  return `ARRAY[${items.map(sqlString).join(', ')}]::text[]`;
}

function sqlValue(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return sqlInteger(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return sqlString(value.toISOString());
  return sqlString(value);
}

/**
 * A query with its `:name` parameters replaced by literals, as psql needs it.
 * @throws ReferenceError when the query uses a parameter that is not supplied.
 */
export function inlineParameters(text: string, params: Readonly<Record<string, SqlValue>>): string {
  return compileNamedParameters(text, (name) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) throw new ReferenceError(`the query uses :${name}, which is not supplied`);
    return sqlValue(params[name] ?? null);
  }).text;
}

/** The GIM sessions query of the extraction with the day's parameters inlined. */
export function gimSessionsSql(tenant: TenantConfig, date: LocalDate): string {
  const day = dayBounds(date, tenant.timezone);
  return inlineParameters(GIM_SESSIONS_QUERY.text, { tenantKey: tenant.gimTenantKey, dayStart: day.start, dayEnd: day.end }).trim();
}

/** Every extraction query of the tenant's day with parameters inlined, by staged dataset. */
export function extractionSql(config: BdsConfig, tenant: TenantConfig, date: LocalDate): { dataset: string; sql: string }[] {
  const day = dayBounds(date, tenant.timezone);
  const gvp = gvpParameters(tenant.cfgTenantDbid, day.start, day.end);
  const out = [{ dataset: 'gim_sessions', sql: gimSessionsSql(tenant, date) }];
  out.push({ dataset: 'cfg_voicemail', sql: inlineParameters(CFG_VOICEMAIL_QUERY.text, { tenantDbid: tenant.cfgTenantDbid, whitespace: WHITESPACE, spaces: ' '.repeat(WHITESPACE.length) }).trim() });
  for (const region of tenant.regions) {
    const source = region.gvp ?? config.sources.gvp;
    out.push({
      dataset: `gvp_usage_${region.code} (calls)`,
      sql: inlineParameters(source?.queries?.calls ?? GVP_CALLS_QUERY.text, gvp).trim(),
    });
    out.push({
      dataset: `gvp_usage_${region.code} (ASR/TTS)`,
      sql: inlineParameters(source?.queries?.mediaSessions ?? GVP_MEDIA_SESSIONS_QUERY.text, gvp).trim(),
    });
  }
  return out;
}

/** Locations in configuration order, with their region's index; and the default region. */
function locations(tenant: TenantConfig): { rows: string[]; fallback: number } {
  const rows: string[] = [];
  let order = 0;
  let fallback: number | undefined;
  tenant.regions.forEach((region, r) => {
    for (const location of region.locations) {
      if (location.switches.length === 0) fallback ??= r;
      else rows.push(`(${r}, ${order}, ${textArray(location.switches)})`);
      order += 1;
    }
  });
  return { rows, fallback: fallback ?? 0 };
}

function regionRows(tenant: TenantConfig): string {
  return tenant.regions.map((r, i) => `(${i}, ${sqlString(r.code)})`).join(', ');
}

/**
 * The seats family: `concurrent` and `enabled` of every seat metric and region.
 * @returns undefined when the tenant has no seat metric.
 */
export function seatsSql(config: BdsConfig, tenant: TenantConfig, date: LocalDate): string | undefined {
  const metrics = resolveMetrics(config, tenant).filter((m): m is SeatMetric & typeof m => m.family === 'seats');
  if (metrics.length === 0) return undefined;
  const day = dayBounds(date, tenant.timezone);
  const [S, E, T, C] = [sqlInteger(day.start), sqlInteger(day.end), sqlInteger(tenant.gimTenantKey), sqlInteger(tenant.cfgTenantDbid)];
  const metricRows = metrics.map(
    (m, i) =>
      `(${i}, ${sqlString(m.key)}, ${m.mediaCodes === 'any' ? 'NULL::text[]' : textArray(m.mediaCodes)}, ` +
      `${m.requiresInteraction ? 'TRUE' : 'FALSE'}, ${textArray(m.subtypeCodes)})`,
  );
  const locs = locations(tenant);
  const locationDef =
    locs.rows.length > 0
      ? `location_def(region_ord, loc_ord, switches) AS (VALUES ${locs.rows.join(', ')})`
      : 'location_def(region_ord, loc_ord, switches) AS (SELECT 0, 0, ARRAY[]::text[] WHERE FALSE)';
  const exclusion =
    tenant.excludeAgents.length === 0
      ? ''
      : `\n     AND NOT (r.resource_name IS NOT NULL AND r.resource_name ~ ANY (${textArray(tenant.excludeAgents)}))`;
  return `
WITH metric_def(ord, metric, media_codes, requires, subtypes) AS (VALUES
  ${metricRows.join(',\n  ')}),
region_def(region_ord, region) AS (VALUES ${regionRows(tenant)}),
${locationDef},
sessions AS MATERIALIZED (
  SELECT s.sm_res_session_fact_key AS session_key, s.resource_key, r.resource_cfg_dbid AS person_dbid,
         m.media_name_code AS media, s.start_ts, s.end_ts, s.start_date_time_key
    FROM sm_res_session_fact s
    JOIN resource_ r ON r.resource_key = s.resource_key
    LEFT JOIN media_type m ON m.media_type_key = s.media_type_key
   WHERE s.tenant_key = ${T}
     AND r.resource_type_code = 'AGENT'
     AND s.start_date_time_key < ${E}
     AND s.start_ts < ${E}
     AND (s.end_ts IS NULL OR s.end_ts > ${S})${exclusion}
),
handled AS (
  SELECT DISTINCT x.session_key, fm.media_name_code AS media, it.interaction_subtype_code AS subtype
    FROM sessions x
    JOIN interaction_resource_fact f ON f.resource_key = x.resource_key
    JOIN media_type fm ON fm.media_type_key = f.media_type_key
    LEFT JOIN interaction_type it ON it.interaction_type_key = f.interaction_type_key
   WHERE f.tenant_key = ${T}
     AND f.customer_handle_count > 0
     AND f.start_date_time_key >= (SELECT MIN(start_date_time_key) FROM sessions)
     AND f.start_date_time_key < ${E}
     AND f.start_ts >= x.start_ts
     AND f.start_ts < COALESCE(x.end_ts, ${E})
),
qualified AS (
  SELECT DISTINCT h.session_key, d.ord
    FROM handled h
    JOIN metric_def d ON d.requires
     AND (d.media_codes IS NULL OR h.media = ANY (d.media_codes))
     AND (cardinality(d.subtypes) = 0 OR h.subtype = ANY (d.subtypes))
),
counted AS (
  SELECT d.ord, x.resource_key, x.person_dbid,
         GREATEST(x.start_ts, ${S}) AS s, LEAST(COALESCE(x.end_ts, ${E}), ${E}) AS e
    FROM sessions x
    JOIN metric_def d ON d.media_codes IS NULL OR x.media = ANY (d.media_codes)
    LEFT JOIN qualified q ON q.session_key = x.session_key AND q.ord = d.ord
   WHERE (x.end_ts IS NULL OR x.end_ts > x.start_ts)
     AND (NOT d.requires OR q.session_key IS NOT NULL)
     AND GREATEST(x.start_ts, ${S}) < LEAST(COALESCE(x.end_ts, ${E}), ${E})
),
marked AS (
  SELECT ord, resource_key, person_dbid, s, e,
         CASE WHEN s <= MAX(e) OVER (PARTITION BY ord, resource_key ORDER BY s, e
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0 ELSE 1 END AS new_island
    FROM counted
),
islands AS (
  SELECT ord, resource_key, person_dbid, s, e,
         SUM(new_island) OVER (PARTITION BY ord, resource_key ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS island
    FROM marked
),
merged AS (
  SELECT ord, resource_key, MIN(person_dbid) AS person_dbid, MIN(s) AS s, MAX(e) AS e
    FROM islands
   GROUP BY ord, resource_key, island
),
person_switches AS (
  SELECT DISTINCT li.person_dbid, sw.name
    FROM cfg_login_info li
    JOIN cfg_person p ON p.dbid = li.person_dbid
    JOIN cfg_agent_login al ON al.dbid = li.agent_login_dbid
    JOIN cfg_switch sw ON sw.dbid = al.switch_dbid
   WHERE p.tenant_dbid = ${C}
),
person_region AS (
  SELECT DISTINCT ON (ps.person_dbid) ps.person_dbid, l.region_ord
    FROM person_switches ps
    JOIN location_def l ON ps.name = ANY (l.switches)
   ORDER BY ps.person_dbid, l.loc_ord
),
placed AS (
  SELECT m.ord, COALESCE(pr.region_ord, ${locs.fallback}) AS region_ord, m.resource_key, m.s, m.e
    FROM merged m
    LEFT JOIN person_region pr ON pr.person_dbid = m.person_dbid
),
running AS (
  SELECT ord, region_ord, SUM(SUM(delta)) OVER (PARTITION BY ord, region_ord ORDER BY t) AS active
    FROM (SELECT ord, region_ord, s AS t, 1 AS delta FROM placed
          UNION ALL
          SELECT ord, region_ord, e AS t, -1 AS delta FROM placed) events
   GROUP BY ord, region_ord, t
),
peak AS (SELECT ord, region_ord, MAX(active) AS concurrent FROM running GROUP BY ord, region_ord),
enabled AS (SELECT ord, region_ord, COUNT(DISTINCT resource_key) AS enabled FROM placed GROUP BY ord, region_ord)
SELECT d.metric, g.region, v.measure, v.value
  FROM metric_def d
 CROSS JOIN region_def g
  LEFT JOIN peak p ON p.ord = d.ord AND p.region_ord = g.region_ord
  LEFT JOIN enabled n ON n.ord = d.ord AND n.region_ord = g.region_ord
 CROSS JOIN LATERAL (VALUES ('concurrent', COALESCE(p.concurrent, 0)), ('enabled', COALESCE(n.enabled, 0))) v(measure, value)
 ORDER BY d.ord, g.region_ord, v.measure`;
}

/**
 * The voicemail family: the number of objects the extraction's query finds, in region GLOBAL.
 * @returns undefined when the tenant has no voicemail metric.
 */
export function voicemailSql(config: BdsConfig, tenant: TenantConfig): string | undefined {
  const metrics = resolveMetrics(config, tenant).filter((m) => m.family === 'voicemail');
  if (metrics.length === 0) return undefined;
  const query = inlineParameters(CFG_VOICEMAIL_QUERY.text, { tenantDbid: tenant.cfgTenantDbid, whitespace: WHITESPACE, spaces: ' '.repeat(WHITESPACE.length) });
  const counted = metrics.map((m) => `SELECT ${sqlString(m.key)} AS metric, ${sqlString(GLOBAL_REGION)} AS region, 'count' AS measure, (SELECT n FROM boxes) AS value`);
  return `
WITH boxes AS (SELECT COUNT(*) AS n FROM (${query}) objects)
${counted.join('\nUNION ALL\n')}`;
}

/**
 * The GVP family: per region, the region's own calls and ASR/TTS queries (or the defaults)
 * as subqueries, clipped to the day in whole seconds; peaks to the second and minutes rounded
 * up per kind.
 * @returns undefined when the tenant has no GVP metric.
 */
export function gvpSql(config: BdsConfig, tenant: TenantConfig, date: LocalDate): string | undefined {
  const metrics = resolveMetrics(config, tenant).filter((m): m is GvpMetric & typeof m => m.family === 'gvp');
  if (metrics.length === 0) return undefined;
  const day = dayBounds(date, tenant.timezone);
  const [S, E] = [sqlInteger(day.start), sqlInteger(day.end)];
  const params = gvpParameters(tenant.cfgTenantDbid, day.start, day.end);
  const wantsMedia = metrics.some((m) => m.resource !== 'call');
  const wantsCalls = metrics.some((m) => m.resource === 'call');
  const sources: string[] = [];
  const facts: string[] = [];
  tenant.regions.forEach((region, r) => {
    const source = region.gvp ?? config.sources.gvp;
    if (wantsCalls) {
      sources.push(`calls_${r} AS (${inlineParameters(source?.queries?.calls ?? GVP_CALLS_QUERY.text, params)})`);
      facts.push(
        `SELECT ${r} AS region_ord, 'call' AS kind, FLOOR(EXTRACT(EPOCH FROM call_start))::bigint AS s, ` +
          `FLOOR(EXTRACT(EPOCH FROM call_end))::bigint AS e FROM calls_${r}`,
      );
    }
    if (wantsMedia) {
      sources.push(`media_${r} AS (${inlineParameters(source?.queries?.mediaSessions ?? GVP_MEDIA_SESSIONS_QUERY.text, params)})`);
      facts.push(
        `SELECT ${r}, LOWER(TRIM(resource_kind)), FLOOR(EXTRACT(EPOCH FROM start_ts))::bigint, ` +
          `FLOOR(EXTRACT(EPOCH FROM end_ts))::bigint FROM media_${r} WHERE UPPER(TRIM(resource_kind)) IN ('ASR', 'TTS')`,
      );
    }
  });
  const metricRows = metrics.map((m, i) => `(${i}, ${sqlString(m.key)}, ${sqlString(m.resource)}, ${sqlString(m.measures[0]?.measure ?? '')})`);
  return `
WITH ${sources.join(',\n')},
metric_def(ord, metric, kind, measure) AS (VALUES ${metricRows.join(', ')}),
region_def(region_ord, region) AS (VALUES ${regionRows(tenant)}),
facts AS (
  ${facts.join('\n  UNION ALL\n  ')}
),
live AS (
  SELECT region_ord, kind, GREATEST(s, ${S}) AS s, LEAST(COALESCE(e, ${E}), ${E}) AS e
    FROM facts
   WHERE (e IS NULL OR e > s) AND GREATEST(s, ${S}) < LEAST(COALESCE(e, ${E}), ${E})
),
running AS (
  SELECT region_ord, kind, SUM(SUM(delta)) OVER (PARTITION BY region_ord, kind ORDER BY t) AS active
    FROM (SELECT region_ord, kind, s AS t, 1 AS delta FROM live
          UNION ALL
          SELECT region_ord, kind, e AS t, -1 AS delta FROM live) events
   GROUP BY region_ord, kind, t
),
peak AS (SELECT region_ord, kind, MAX(active) AS peak FROM running GROUP BY region_ord, kind),
minutes AS (SELECT region_ord, kind, CEIL(SUM(e - s) / 60.0)::bigint AS minutes FROM live GROUP BY region_ord, kind)
SELECT d.metric, g.region, d.measure,
       COALESCE(CASE d.measure WHEN 'peak' THEN p.peak ELSE m.minutes END, 0) AS value
  FROM metric_def d
 CROSS JOIN region_def g
  LEFT JOIN peak p ON p.region_ord = g.region_ord AND p.kind = d.kind
  LEFT JOIN minutes m ON m.region_ord = g.region_ord AND m.kind = d.kind
 ORDER BY d.ord, g.region_ord`;
}

/** The tenant's reference statements, one per family it bills. */
export function referenceStatements(config: BdsConfig, tenant: TenantConfig, date: LocalDate): ReferenceStatement[] {
  const out: ReferenceStatement[] = [];
  const seats = seatsSql(config, tenant, date);
  if (seats !== undefined) out.push({ family: 'seats', sql: seats });
  const voicemail = voicemailSql(config, tenant);
  if (voicemail !== undefined) out.push({ family: 'voicemail', sql: voicemail });
  const gvp = gvpSql(config, tenant, date);
  if (gvp !== undefined) out.push({ family: 'gvp', sql: gvp });
  return out;
}

/** A psql script running the statements, unaligned with `|` between fields, no headers. */
export function referenceScript(statements: readonly ReferenceStatement[]): string {
  return statements.map((s) => `-- ${s.family}\n${s.sql.trim()};\n`).join('\n');
}

/**
 * Reads values from `psql -X -A -t -F '|'` output (or any `metric|region|measure|value` lines).
 * @throws ReferenceError on a line that is not such a row.
 */
export function parseReferenceOutput(text: string): ReferenceValue[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [metric, region, measure, value] = line.split('|');
      const n = Number(value);
      if (metric === undefined || region === undefined || measure === undefined || !Number.isSafeInteger(n)) {
        throw new ReferenceError(`not a reference row: ${line}`);
      }
      return { metric, region, measure, value: n };
    });
}

/** `metric|region|measure` → value. */
export function valueMap(values: readonly ReferenceValue[]): Map<string, number> {
  return new Map(values.map((v) => [`${v.metric}|${v.region}|${v.measure}`, v.value]));
}

/** The keys whose values differ (or exist on one side only), as readable lines. */
export function compareValues(bds: ReadonlyMap<string, number>, reference: ReadonlyMap<string, number>): string[] {
  const keys = [...new Set([...bds.keys(), ...reference.keys()])].sort();
  return keys.flatMap((key) => {
    const a = bds.get(key);
    const b = reference.get(key);
    return a === b ? [] : [`${key}: bds ${a ?? '(missing)'}, reference ${b ?? '(missing)'}`];
  });
}
