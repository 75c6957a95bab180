/**
 * SQL: every value is a bound parameter. Two checks without a database:
 *
 * - The text of every built-in query (GIM sessions, Config DB agent switches and voicemail
 *   objects, GVP calls and media sessions) uses `:name` placeholders for the tenant and the day,
 *   and holds no literal beyond the fixed codes of the source schemas.
 * - Every dataset a tenant can need, extracted through the product's own row functions against a
 *   recording source, sends exactly the constant text (or the deployment's custom text, byte for
 *   byte) with the tenant's key and the day's bounds only in the parameters: no distinctive
 *   tenant key, DBID, epoch second or timestamp of this test appears in any text.
 *
 * That the drivers then send parameters as parameters, so that a value carrying SQL reaches the
 * server as data, is proven against real servers in test/integration/shared-queries.test.ts
 * ("binds a tenant value carrying SQL as a parameter", "binds a timestamp value carrying SQL as
 * a parameter") and, for SQL Server's `@name` inputs, in test/unit/mssql-client.test.ts
 * ("bindParameters"); not repeated here.
 */
import { describe, expect, it } from 'vitest';
import type { BdsConfig, SourceConfig, TenantConfig } from '../../lib/config/types';
import { CFG_AGENT_SWITCHES_QUERY, CFG_VOICEMAIL_QUERY, WHITESPACE } from '../../lib/extract/cfg';
import { datasetsFor } from '../../lib/extract/datasets';
import { GIM_SESSIONS_QUERY } from '../../lib/extract/gim';
import { GVP_CALLS_QUERY, GVP_MEDIA_SESSIONS_QUERY } from '../../lib/extract/gvp';
import { METRIC_KEYS } from '../../lib/metrics/catalogue';
import { resolveMetrics } from '../../lib/metrics/resolve';
import { compileNamedParameters } from '../../lib/sources/named-params';
import type { Row, SourceClient, SqlQuery, SqlValue } from '../../lib/sources/types';
import { dayBounds } from '../../lib/time/calendar';
import { asyncOf } from '../helpers/suite';

const BUILT_IN: readonly [SqlQuery, readonly string[]][] = [
  [GIM_SESSIONS_QUERY, ['tenantKey', 'dayEnd', 'dayStart']],
  [CFG_AGENT_SWITCHES_QUERY, ['tenantDbid']],
  [CFG_VOICEMAIL_QUERY, ['tenantDbid', 'whitespace', 'spaces']],
  [GVP_CALLS_QUERY, ['tenantDbid', 'dayEnd', 'dayStart']],
  [GVP_MEDIA_SESSIONS_QUERY, ['tenantDbid', 'dayEnd', 'dayStart']],
];

// The only literals the queries may hold: codes of the source schemas, never a configured value,
// and the separators and escapes of the GIM query's aggregated list of handled pairs.
const ALLOWED_STRINGS = new Set(['AGENT', 'MCP', 'ASR', 'TTS', 'TServer', 'gvm_mailbox', '', '!', '!0', ',', '!1', '=', '!2']);
// Object types (2 DN, 5 Agent Group, 15 Agent Login), the root parent 0, the orphan flag 1, VARCHAR(20).
const ALLOWED_NUMBERS = new Set(['0', '1', '2', '5', '15', '20']);

/** The string and number literals of a query's text (outside identifiers and placeholders). */
function literals(text: string): { strings: string[]; numbers: string[] } {
  const strings = [...text.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1] ?? '');
  const withoutStrings = text.replace(/'(?:[^']|'')*'/g, "''");
  const numbers = [...withoutStrings.matchAll(/(?<![A-Za-z0-9_:])\d+(?:\.\d+)?(?![A-Za-z0-9_])/g)].map((m) => m[0]);
  return { strings, numbers };
}

describe('built-in query texts', () => {
  it.each(BUILT_IN.map(([query, names]) => [query.name, query, names] as const))('%s takes the tenant and the day as :name placeholders', (_name, query, names) => {
    // Act
    const compiled = compileNamedParameters(query.text, (_n, index) => `$${index}`);

    // Assess
    expect([...compiled.names].sort()).toEqual([...names].sort());
    expect(compiled.text).not.toMatch(/:[A-Za-z_]/);
  });

  it.each(BUILT_IN.map(([query]) => [query.name, query] as const))('%s holds no literal but fixed schema codes', (_name, query) => {
    // Act
    const found = literals(query.text);

    // Assess
    expect(found.strings.filter((s) => !ALLOWED_STRINGS.has(s))).toEqual([]);
    expect(found.numbers.filter((n) => !ALLOWED_NUMBERS.has(n))).toEqual([]);
    expect(query.text).not.toContain('${');
  });

  it('finds a literal where one was interpolated (the check above can fail)', () => {
    // Prepare: what an interpolating bug would produce.
    const tenantKey = 48213;
    const broken = GIM_SESSIONS_QUERY.text.replace(':tenantKey', String(tenantKey)).replace(':dayStart', "'2026-10-15'");

    // Act
    const found = literals(broken);

    // Assess
    expect(found.numbers).toContain('48213');
    expect(found.strings).toContain('2026-10-15');
  });
});

interface Recorded {
  readonly name: string;
  readonly text: string;
  readonly params: Readonly<Record<string, SqlValue>>;
}

/** A source that records what it is asked and answers with no rows. */
function recordingSource(name: string, log: Recorded[]): SourceClient {
  return {
    sourceName: name,
    // No rows: the extraction code still sends its query.
    stream(query: SqlQuery, params: Readonly<Record<string, SqlValue>>): AsyncIterable<Row> {
      log.push({ name: query.name, text: query.text, params: { ...params } });
      return asyncOf([]);
    },
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

// Distinctive values: if any of them were written into a query's text, it would show.
const TENANT_KEY = 48213;
const TENANT_DBID = 90517;
const DATE = '2026-10-15';
const CUSTOM_CALLS = "SELECT c.id AS call_id, c.s AS call_start, c.e AS call_end FROM my_cdr c WHERE c.t = :tenantDbid AND c.s < :dayEnd AND (c.e IS NULL OR c.e > :dayStart) AND c.kind <> 'RM'";
const CUSTOM_MEDIA = 'SELECT m.id AS session_id, m.k AS resource_kind, m.s AS start_ts, m.e AS end_ts FROM my_media m WHERE m.t = :tenantDbid AND m.s < :dayEndEpoch AND m.e > :dayStartEpoch';

const source = (extra: Partial<SourceConfig> = {}): SourceConfig => ({ client: 'pg', connectionString: 'postgres://unused', connectTimeout: 1, queryTimeout: 1, ...extra });

const TENANT: TenantConfig = {
  id: 'acme',
  gimTenantKey: TENANT_KEY,
  cfgTenantDbid: TENANT_DBID,
  timezone: 'America/New_York',
  productionDate: '2026-01-01',
  excludeAgents: [],
  // Every metric of the catalogue except the second voicemail one (at most one per tenant).
  metrics: METRIC_KEYS.filter((key, i, all) => !key.startsWith('voicemail') || all.findIndex((k) => k.startsWith('voicemail')) === i),
  regions: [
    { code: 'US', gvp: source(), locations: [{ code: 'NYC', switches: ['SIP_NYC'] }, { code: 'MAIN', switches: [] }] },
    { code: 'EU', gvp: source({ queries: { calls: CUSTOM_CALLS, mediaSessions: CUSTOM_MEDIA } }), locations: [{ code: 'PAR', switches: ['SIP_PAR'] }] },
  ],
};

describe('every dataset sends its values as parameters', () => {
  it('extracts each dataset of a tenant with every metric: constant texts, values only in the parameters', async () => {
    // Prepare
    const config = { catalogue: {} } as Pick<BdsConfig, 'catalogue'> as BdsConfig;
    const specs = datasetsFor(TENANT, resolveMetrics(config, TENANT));
    const day = dayBounds(DATE, TENANT.timezone);
    const log: Recorded[] = [];

    // Act
    for (const spec of specs) {
      const region = TENANT.regions.find((r) => r.code === spec.region);
      const client = recordingSource(spec.dataset, log);
      for await (const _row of spec.rows(client, { tenant: TENANT, dayStart: day.start, dayEnd: day.end, source: region?.gvp ?? source() }, {})) {
        // Drained only: the queries sent are what is checked.
      }
    }

    // Assess: every dataset was asked for, with the expected query.
    expect(specs.map((s) => s.dataset)).toEqual(['gim_sessions', 'cfg_agent_switches', 'cfg_voicemail', 'gvp_usage_US', 'gvp_usage_EU']);
    expect(log.map((q) => q.name)).toEqual([
      'gim_sessions',
      'cfg_agent_switches',
      'cfg_voicemail',
      'gvp_calls',
      'gvp_media_sessions',
      'gvp_calls (custom)',
      'gvp_media_sessions (custom)',
    ]);
    // The texts are the constants, or the configured custom text unchanged.
    expect(log.map((q) => q.text)).toEqual([
      GIM_SESSIONS_QUERY.text,
      CFG_AGENT_SWITCHES_QUERY.text,
      CFG_VOICEMAIL_QUERY.text,
      GVP_CALLS_QUERY.text,
      GVP_MEDIA_SESSIONS_QUERY.text,
      CUSTOM_CALLS,
      CUSTOM_MEDIA,
    ]);
    // No value of this tenant or day is in any text...
    const values = [String(TENANT_KEY), String(TENANT_DBID), String(day.start), String(day.end), DATE, '2026-10-15T04:00:00', '2026-10-16T04:00:00'];
    for (const q of log) expect(values.filter((v) => q.text.includes(v)), q.name).toEqual([]);
    // ...and every placeholder of every text has its value among the parameters.
    for (const q of log) {
      const { names } = compileNamedParameters(q.text, () => '?');
      expect(names.filter((n) => !Object.prototype.hasOwnProperty.call(q.params, n)), q.name).toEqual([]);
    }
    expect(log[0]?.params).toEqual({ tenantKey: TENANT_KEY, dayStart: day.start, dayEnd: day.end });
    expect(log[1]?.params).toEqual({ tenantDbid: TENANT_DBID });
    expect(log[2]?.params).toEqual({ tenantDbid: TENANT_DBID, whitespace: WHITESPACE, spaces: ' '.repeat(WHITESPACE.length) });
    // Custom GVP queries get the same named parameters, and only those.
    expect(log[5]?.params).toEqual({
      tenantDbid: TENANT_DBID,
      dayStart: '2026-10-15T04:00:00',
      dayEnd: '2026-10-16T04:00:00',
      dayStartEpoch: day.start,
      dayEndEpoch: day.end,
    });
    expect(log[6]?.params).toEqual(log[5]?.params);
  });
});
