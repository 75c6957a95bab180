/**
 * The benchmark's extraction queries as psql can run them: BDS's own queries for one tenant and
 * day with their parameters inlined as literals, for `psql \copy (...) to /dev/null`, the
 * database-to-disk limit that extraction is measured against.
 *
 * The in-database reference of the computed values is not here: it is `bds verify`
 * (lib/verify/), SQL written from the specification and independent of these queries. The
 * reference that used to live here copied the extraction queries' predicates and so agreed with
 * their bugs (the qualifying window across midnight).
 */
import type { BdsConfig, LocalDate, TenantConfig } from '../lib/config/types';
import { CFG_VOICEMAIL_QUERY, WHITESPACE } from '../lib/extract/cfg';
import { GIM_SESSIONS_QUERY } from '../lib/extract/gim';
import { GVP_CALLS_QUERY, GVP_MEDIA_SESSIONS_QUERY, gvpParameters } from '../lib/extract/gvp';
import { compileNamedParameters } from '../lib/sources/named-params';
import type { SqlValue } from '../lib/sources/types';
import { dayBounds } from '../lib/time/calendar';
import { BdsError } from '../lib/errors';

/** A query cannot be written out for psql (a parameter missing, a value that is no literal). */
export class ReferenceError extends BdsError {}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function sqlInteger(n: number): string {
  if (!Number.isSafeInteger(n)) throw new ReferenceError(`${n} is not an integer`);
  return String(n);
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
