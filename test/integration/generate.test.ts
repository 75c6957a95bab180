/**
 * The demo / seed activity generator: determinism, the shape of what it produces, and that what
 * it loads into the reference schemas follows the GIM, Config DB and GVP conventions the
 * extractors rely on (including the traps it is meant to contain).
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_TENANTS,
  GenerateOptionsError,
  MEDIA_TYPES,
  OPEN_END_DATE_TIME_KEY,
  TABLE_COLUMNS,
  TABLE_NAMES,
  generateActivity,
  loadActivity,
  orphanResourceKey,
  type GenerateOptions,
  type GenerateSummary,
  type TableName,
  type TenantLayout,
} from '../../tools/demo/generate';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { defined, ifSetUp } from '../helpers/suite';

/** Two small tenants: one west of UTC with two switches, one east of UTC with none. */
const SMALL_TENANTS: readonly TenantLayout[] = [
  {
    name: 'north',
    gimTenantKey: 7,
    cfgTenantDbid: 207,
    timezone: 'America/New_York',
    agents: 12,
    switches: [
      { name: 'SW_A', share: 2 },
      { name: 'SW_B', share: 1 },
    ],
  },
  { name: 'south', gimTenantKey: 8, cfgTenantDbid: 208, timezone: 'Asia/Kolkata', agents: 5, switches: [] },
];
const SMALL: GenerateOptions = { seed: 42, month: '2024-02', tenants: SMALL_TENANTS, scale: 0.5 };

/** March 2024: Europe/Berlin switches to summer time on the month's last day. */
const DEMO: GenerateOptions = { seed: 2024, month: '2024-03', tenants: DEMO_TENANTS };
/** Tenant-local end of March 2024 (the snapshot): 00:00 CEST and 00:00 UTC on 1 April. */
const SNAPSHOT = { acme: Date.UTC(2024, 2, 31, 22) / 1000, globex: Date.UTC(2024, 3, 1) / 1000 } as const;
const MONTH_START = { acme: Date.UTC(2024, 1, 29, 23) / 1000, globex: Date.UTC(2024, 2, 1) / 1000 } as const;

/** Runs the generator without a database; returns a content hash per table and the chunks' shape. */
async function digest(options: GenerateOptions): Promise<{
  hashes: Record<string, string>;
  counts: Record<string, number>;
  days: (string | null)[];
  maxChunk: number;
  badWidth: number;
}> {
  const hashers = new Map<string, ReturnType<typeof createHash>>();
  const counts: Record<string, number> = {};
  const days: (string | null)[] = [];
  let maxChunk = 0;
  let badWidth = 0;
  const activity = generateActivity(options);
  for await (const chunk of activity) {
    let hasher = hashers.get(chunk.table);
    if (hasher === undefined) {
      hasher = createHash('sha256');
      hashers.set(chunk.table, hasher);
    }
    hasher.update(JSON.stringify(chunk.rows));
    counts[chunk.table] = (counts[chunk.table] ?? 0) + chunk.rows.length;
    if (days[days.length - 1] !== chunk.day) days.push(chunk.day);
    maxChunk = Math.max(maxChunk, chunk.rows.length);
    if (chunk.columns !== TABLE_COLUMNS[chunk.table]) badWidth += 1;
    badWidth += chunk.rows.filter((row) => row.length !== chunk.columns.length).length;
  }
  const hashes: Record<string, string> = {};
  for (const [table, hasher] of hashers) hashes[table] = hasher.digest('hex');
  return { hashes, counts, days, maxChunk, badWidth };
}

describe('generateActivity', () => {
  it('produces the same rows for the same seed and different rows for another', async () => {
    const first = await digest(SMALL);
    const again = await digest(SMALL);
    const other = await digest({ ...SMALL, seed: 43 });
    expect(again.hashes).toEqual(first.hashes);
    expect(again.counts).toEqual(first.counts);
    expect(other.hashes.sm_res_session_fact).not.toBe(first.hashes.sm_res_session_fact);
    expect(other.hashes.interaction_resource_fact).not.toBe(first.hashes.interaction_resource_fact);
    expect(other.hashes.gvp_cdr).not.toBe(first.hashes.gvp_cdr);
    // Every table gets rows, even from a small layout.
    expect(Object.keys(first.counts).sort()).toEqual([...TABLE_NAMES].sort());
  });

  it('yields bounded chunks, dimensions and Config DB first, then day by day', async () => {
    const result = await digest({ ...SMALL, chunkRows: 250 });
    expect(result.maxChunk).toBeLessThanOrEqual(250);
    expect(result.badWidth).toBe(0);
    expect(result.days[0]).toBeNull();
    const dated = result.days.slice(1);
    // The eve (31 January) first, then each day of February 2024 (a leap year) once, in order.
    expect(dated).toEqual(['2024-01-31', ...Array.from({ length: 29 }, (_, i) => `2024-02-${String(i + 1).padStart(2, '0')}`)]);
  });

  it('produces only the parts asked for, with the same keys as a full run', async () => {
    const full = await digest(SMALL);
    const gvpOnly = await digest({ ...SMALL, include: ['gvp'] });
    expect(Object.keys(gvpOnly.counts).sort()).toEqual(['gvp_cdr', 'gvp_media_resource_session']);
    expect(gvpOnly.hashes.gvp_cdr).toBe(full.hashes.gvp_cdr);
    expect(gvpOnly.hashes.gvp_media_resource_session).toBe(full.hashes.gvp_media_resource_session);
  });

  it('rejects unusable options', async () => {
    const first = (options: GenerateOptions): Promise<unknown> => generateActivity(options).next();
    await expect(first({ ...SMALL, month: '2024-13' })).rejects.toBeInstanceOf(GenerateOptionsError);
    await expect(first({ ...SMALL, seed: 1.5 })).rejects.toBeInstanceOf(GenerateOptionsError);
    const twin = SMALL_TENANTS.map((t) => ({ ...t, gimTenantKey: 7 }));
    await expect(first({ ...SMALL, tenants: twin })).rejects.toThrow(/unique/);
    const badZone = [{ ...defined(DEMO_TENANTS[0]), timezone: 'Mars/Olympus' }];
    await expect(first({ ...SMALL, tenants: badZone })).rejects.toThrow(/time zone/);
  });
});

describe('loadActivity into the reference schemas', () => {
  let db: TestDatabase;
  let client: pg.Client;

  async function rows<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await client.query<R>(sql, params)).rows;
  }
  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await rows<{ n: number }>(sql, params);
    return row?.n ?? Number.NaN;
  }

  /** Row count and a checksum of every row's text, in a fixed order, per table. */
  async function fingerprint(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const table of TABLE_NAMES) {
      const [row] = await rows<{ n: number; h: string }>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM ${table} t`,
      );
      out[table] = `${row?.n}:${row?.h}`;
    }
    return out;
  }

  async function reload(options: GenerateOptions): Promise<GenerateSummary> {
    await client.query(`TRUNCATE ${TABLE_NAMES.join(', ')}`);
    return loadActivity(client, options);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await ifSetUp(client)?.end();
    await ifSetUp(db)?.close();
  });

  it('loads the same database twice from one seed and a different one from another', async () => {
    const summary = await reload(SMALL);
    const first = await fingerprint();
    for (const table of TABLE_NAMES) expect(first[table]).toMatch(new RegExp(`^${summary.rows[table]}:`));
    await reload(SMALL);
    expect(await fingerprint()).toEqual(first);
    await reload({ ...SMALL, seed: 43 });
    const other = await fingerprint();
    expect(other.sm_res_session_fact).not.toBe(first.sm_res_session_fact);
    expect(other.interaction_resource_fact).not.toBe(first.interaction_resource_fact);
    expect(other.gvp_media_resource_session).not.toBe(first.gvp_media_resource_session);
  });

  describe('a month of DEMO_TENANTS', () => {
    let summary: GenerateSummary;

    beforeAll(async () => {
      summary = await reload(DEMO);
    });

    it('writes what the summary says, into every table', async () => {
      for (const table of TABLE_NAMES) {
        expect(summary.rows[table], table).toBeGreaterThan(0);
        expect(await count(`SELECT count(*)::int AS n FROM ${table}`), table).toBe(summary.rows[table]);
      }
      expect(summary.totalRows).toBe(TABLE_NAMES.reduce((sum, t: TableName) => sum + summary.rows[t], 0));
      // Modest enough for the demo to process the month quickly.
      expect(summary.totalRows).toBeLessThan(250_000);
    });

    it('gives every session keys by the GIM conventions, open ones included', async () => {
      expect(OPEN_END_DATE_TIME_KEY % 900).toBe(0);
      expect(new Date(OPEN_END_DATE_TIME_KEY * 1000).getUTCFullYear()).toBe(2025);
      const [shape] = await rows<{ bad_start: number; bad_closed: number; bad_open: number; open: number; total: number }>(
        `SELECT count(*) FILTER (WHERE start_date_time_key <> start_ts / 900 * 900)::int AS bad_start,
                count(*) FILTER (WHERE end_ts IS NOT NULL AND (end_date_time_key <> end_ts / 900 * 900
                  OR active_flag <> 0 OR total_duration <> end_ts - start_ts OR end_ts < start_ts))::int AS bad_closed,
                count(*) FILTER (WHERE end_ts IS NULL AND (active_flag <> 1 OR end_date_time_key <> $1
                  OR total_duration IS NOT NULL))::int AS bad_open,
                count(*) FILTER (WHERE end_ts IS NULL)::int AS open,
                count(*)::int AS total
           FROM sm_res_session_fact`,
        [OPEN_END_DATE_TIME_KEY],
      );
      expect(shape).toMatchObject({ bad_start: 0, bad_closed: 0, bad_open: 0 });
      expect(shape?.open).toBe(defined(summary.openSessions.acme) + defined(summary.openSessions.globex));
      // A handful per tenant: at least the stuck one, never a large share.
      const open = await rows<{ tenant_key: number; n: number; earliest: number; latest: number }>(
        `SELECT tenant_key, count(*)::int AS n, min(start_ts) AS earliest, max(start_ts) AS latest
           FROM sm_res_session_fact WHERE end_ts IS NULL GROUP BY tenant_key ORDER BY tenant_key`,
      );
      expect(open.map((r) => r.tenant_key)).toEqual([1, 2]);
      for (const r of open) expect(r.n).toBeLessThan(40);
      // The stuck session started days before the end; the others on the last day.
      expect(defined(open[0]).earliest).toBeLessThan(SNAPSHOT.acme - 2 * 86_400);
      expect(defined(open[0]).latest).toBeLessThan(SNAPSHOT.acme);
      expect(defined(open[1]).latest).toBeLessThan(SNAPSHOT.globex);
      // Nothing starts after the snapshot, and nothing that ended did so after it.
      for (const [tenantKey, snapshot] of [[1, SNAPSHOT.acme], [2, SNAPSHOT.globex]] as const) {
        expect(
          await count(
            `SELECT count(*)::int AS n FROM sm_res_session_fact WHERE tenant_key = $1 AND (start_ts >= $2 OR end_ts > $2)`,
            [tenantKey, snapshot],
          ),
        ).toBe(0);
      }
    });

    it('gives interactions keys by the same conventions', async () => {
      expect(
        await count(
          `SELECT count(*)::int AS n FROM interaction_resource_fact
            WHERE start_date_time_key <> start_ts / 900 * 900 OR end_ts < start_ts`,
        ),
      ).toBe(0);
      expect(
        await count(
          `SELECT count(*)::int AS n FROM interaction_fact
            WHERE start_date_time_key <> start_ts / 900 * 900
               OR (end_ts IS NOT NULL AND end_date_time_key <> end_ts / 900 * 900)
               OR (end_ts IS NULL AND end_date_time_key <> $1)`,
          [OPEN_END_DATE_TIME_KEY],
        ),
      ).toBe(0);
    });

    it('has sessions across local midnight, and night shifts running into the month from its eve', async () => {
      const localDate = (zone: string): ((ts: number) => string) => {
        const format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
        return (ts) => format.format(new Date(ts * 1000));
      };
      for (const [tenantKey, zone] of [[1, 'Europe/Berlin'], [2, 'UTC']] as const) {
        const sessions = await rows<{ start_ts: number; end_ts: number }>(
          `SELECT start_ts, end_ts FROM sm_res_session_fact WHERE tenant_key = $1 AND end_ts IS NOT NULL`,
          [tenantKey],
        );
        const toDate = localDate(zone);
        const crossing = sessions.filter((s) => toDate(s.start_ts) !== toDate(s.end_ts));
        expect(crossing.length, zone).toBeGreaterThan(10);
      }
      for (const [tenantKey, start] of [[1, MONTH_START.acme], [2, MONTH_START.globex]] as const) {
        expect(
          await count(
            `SELECT count(*)::int AS n FROM sm_res_session_fact WHERE tenant_key = $1 AND start_ts < $2 AND end_ts > $2`,
            [tenantKey, start],
          ),
        ).toBeGreaterThan(0);
      }
    });

    it('resolves every key except the documented orphan', async () => {
      const orphans = await rows<{ tenant_key: number; resource_key: number }>(
        `SELECT DISTINCT f.tenant_key, f.resource_key FROM (
             SELECT tenant_key, resource_key FROM sm_res_session_fact
             UNION ALL SELECT tenant_key, resource_key FROM interaction_resource_fact) f
           LEFT JOIN resource_ r ON r.resource_key = f.resource_key
          WHERE r.resource_key IS NULL ORDER BY f.tenant_key`,
      );
      expect(orphans).toEqual([
        { tenant_key: 1, resource_key: orphanResourceKey(1) },
        { tenant_key: 2, resource_key: orphanResourceKey(2) },
      ]);
      // A fact's resource always belongs to the fact's tenant: globex never leaks into acme.
      expect(
        await count(
          `SELECT count(*)::int AS n FROM (
               SELECT tenant_key, resource_key FROM sm_res_session_fact
               UNION ALL SELECT tenant_key, resource_key FROM interaction_resource_fact) f
             JOIN resource_ r ON r.resource_key = f.resource_key WHERE r.tenant_key <> f.tenant_key`,
        ),
      ).toBe(0);
      const dangling = await rows<{ what: string; n: number }>(
        `SELECT 'session media' AS what, count(*)::int AS n FROM sm_res_session_fact f
            LEFT JOIN media_type m ON m.media_type_key = f.media_type_key WHERE m.media_type_key IS NULL
         UNION ALL SELECT 'session tenant', count(*)::int FROM sm_res_session_fact f
            LEFT JOIN tenant t ON t.tenant_key = f.tenant_key WHERE t.tenant_key IS NULL
         UNION ALL SELECT 'irf interaction', count(*)::int FROM interaction_resource_fact f
            LEFT JOIN interaction_fact i ON i.interaction_id = f.interaction_id WHERE i.interaction_id IS NULL
         UNION ALL SELECT 'irf type', count(*)::int FROM interaction_resource_fact f
            LEFT JOIN interaction_type t ON t.interaction_type_key = f.interaction_type_key WHERE t.interaction_type_key IS NULL
         UNION ALL SELECT 'irf media', count(*)::int FROM interaction_resource_fact f
            LEFT JOIN media_type m ON m.media_type_key = f.media_type_key WHERE m.media_type_key IS NULL
         UNION ALL SELECT 'login info person', count(*)::int FROM cfg_login_info l
            LEFT JOIN cfg_person p ON p.dbid = l.person_dbid WHERE p.dbid IS NULL
         UNION ALL SELECT 'login info login', count(*)::int FROM cfg_login_info l
            LEFT JOIN cfg_agent_login a ON a.dbid = l.agent_login_dbid WHERE a.dbid IS NULL
         UNION ALL SELECT 'login switch', count(*)::int FROM cfg_agent_login a
            LEFT JOIN cfg_switch s ON s.dbid = a.switch_dbid AND s.tenant_dbid = a.tenant_dbid WHERE s.dbid IS NULL
         UNION ALL SELECT 'dn switch', count(*)::int FROM cfg_dn d
            LEFT JOIN cfg_switch s ON s.dbid = d.switch_dbid AND s.tenant_dbid = d.tenant_dbid WHERE s.dbid IS NULL
         UNION ALL SELECT 'option section', count(*)::int FROM cfg_flex_prop o
            LEFT JOIN cfg_flex_prop s ON s.dbid = o.parent_dbid AND s.parent_dbid = 0
              AND s.object_dbid = o.object_dbid AND s.object_type = o.object_type
            WHERE o.parent_dbid <> 0 AND s.dbid IS NULL`,
      );
      for (const d of dangling) expect(d.n, d.what).toBe(0);
      // Queues take part in interactions but never log in.
      expect(
        await count(
          `SELECT count(*)::int AS n FROM sm_res_session_fact f JOIN resource_ r ON r.resource_key = f.resource_key
            WHERE r.resource_type_code <> 'AGENT'`,
        ),
      ).toBe(0);
      expect(
        await count(
          `SELECT count(*)::int AS n FROM interaction_resource_fact f JOIN resource_ r ON r.resource_key = f.resource_key
            WHERE r.resource_type_code = 'QUEUE'`,
        ),
      ).toBeGreaterThan(0);
      // Agents map to Persons that are agents, except the few deleted from the Config DB.
      const [people] = await rows<{ agents: number; missing: number; not_agent: number }>(
        `SELECT count(*)::int AS agents, count(*) FILTER (WHERE p.dbid IS NULL)::int AS missing,
                count(*) FILTER (WHERE p.is_agent <> 2)::int AS not_agent
           FROM resource_ r LEFT JOIN cfg_person p ON p.dbid = r.resource_cfg_dbid
          WHERE r.resource_type_code = 'AGENT'`,
      );
      expect(people?.not_agent).toBe(0);
      expect(people?.missing).toBeLessThan(0.05 * (people?.agents ?? 0));
    });

    it('places agents on 0, 1 or 2 switches, and globex has its own SIP_NYC', async () => {
      const spread = await rows<{ logins: number; n: number }>(
        `SELECT logins, count(*)::int AS n FROM (
             SELECT p.dbid, count(DISTINCT a.switch_dbid)::int AS logins FROM cfg_person p
               LEFT JOIN cfg_login_info l ON l.person_dbid = p.dbid
               LEFT JOIN cfg_agent_login a ON a.dbid = l.agent_login_dbid
              WHERE p.is_agent = 2 AND p.tenant_dbid = 101 GROUP BY p.dbid) x
          GROUP BY logins ORDER BY logins`,
      );
      expect(spread.map((r) => r.logins)).toEqual([0, 1, 2]);
      expect(defined(spread[1]).n).toBeGreaterThan(defined(spread[2]).n);
      const nyc = await rows<{ tenant_dbid: number }>(`SELECT tenant_dbid FROM cfg_switch WHERE name = 'SIP_NYC' ORDER BY 1`);
      expect(nyc.map((r) => r.tenant_dbid)).toEqual([101, 102]);
    });

    it('holds voicemail boxes as the summary counts them, and every decoy', async () => {
      const boxes = await rows<{ tenant_dbid: number; n: number }>(
        `SELECT o.tenant_dbid, count(*)::int AS n
           FROM cfg_flex_prop opt
           JOIN cfg_flex_prop sec ON sec.dbid = opt.parent_dbid AND sec.parent_dbid = 0 AND sec.prop_name = 'TServer'
           JOIN (SELECT dbid, tenant_dbid, 2 AS object_type FROM cfg_dn
                 UNION ALL SELECT dbid, tenant_dbid, 15 FROM cfg_agent_login
                 UNION ALL SELECT dbid, tenant_dbid, 5 FROM cfg_group WHERE type = 1) o
             ON o.dbid = opt.object_dbid AND o.object_type = opt.object_type
          WHERE opt.prop_name = 'gvm_mailbox' AND trim(coalesce(opt.prop_value, '')) <> ''
          GROUP BY o.tenant_dbid ORDER BY o.tenant_dbid`,
      );
      expect(boxes).toEqual([
        { tenant_dbid: 101, n: summary.voicemailBoxes.acme },
        { tenant_dbid: 102, n: summary.voicemailBoxes.globex },
      ]);
      const [decoys] = await rows<Record<string, number>>(
        `SELECT count(*) FILTER (WHERE sec.prop_name <> 'TServer')::int AS other_section,
                count(*) FILTER (WHERE trim(coalesce(opt.prop_value, '')) = '' AND opt.prop_value IS NOT NULL)::int AS blank,
                count(*) FILTER (WHERE opt.prop_value IS NULL)::int AS null_value,
                count(*) FILTER (WHERE opt.object_type = 3)::int AS on_person,
                count(*) FILTER (WHERE opt.object_type = 2 AND EXISTS
                  (SELECT 1 FROM cfg_dn d WHERE d.dbid = opt.object_dbid AND d.state = 2))::int AS disabled_dn,
                count(*) FILTER (WHERE opt.object_type = 15 AND EXISTS
                  (SELECT 1 FROM cfg_agent_login a WHERE a.dbid = opt.object_dbid AND a.state = 2))::int AS disabled_login,
                count(*) FILTER (WHERE opt.object_type = 5 AND EXISTS
                  (SELECT 1 FROM cfg_group g WHERE g.dbid = opt.object_dbid AND g.state = 2))::int AS disabled_group
           FROM cfg_flex_prop opt JOIN cfg_flex_prop sec ON sec.dbid = opt.parent_dbid
          WHERE opt.prop_name = 'gvm_mailbox'`,
      );
      for (const [kind, n] of Object.entries(decoys ?? {})) expect(n, kind).toBeGreaterThanOrEqual(2);
    });

    it('exercises every seat metric, with test agents, unhandled and out-of-session interactions', async () => {
      // Agents with a handled interaction of the media inside one of their sessions of that media.
      const seated = await rows<{ media_name_code: string; agents: number }>(
        `SELECT m.media_name_code, count(DISTINCT s.resource_key)::int AS agents
           FROM sm_res_session_fact s
           JOIN media_type m ON m.media_type_key = s.media_type_key
           JOIN interaction_resource_fact f ON f.resource_key = s.resource_key AND f.media_type_key = s.media_type_key
            AND f.customer_handle_count > 0 AND f.start_ts >= s.start_ts AND (s.end_ts IS NULL OR f.start_ts < s.end_ts)
          WHERE s.tenant_key = 1 GROUP BY m.media_name_code`,
      );
      expect(seated.map((r) => r.media_name_code).sort()).toEqual(MEDIA_TYPES.map((m) => m.code).sort());
      const subtypes = await rows<{ code: string }>(
        `SELECT DISTINCT t.interaction_subtype_code AS code FROM interaction_resource_fact f
           JOIN interaction_type t ON t.interaction_type_key = f.interaction_type_key
          WHERE f.customer_handle_count > 0 AND f.media_type_key = 1 AND f.tenant_key = 1`,
      );
      expect(subtypes.map((r) => r.code)).toEqual(expect.arrayContaining(['INBOUNDNEW', 'OUTBOUNDCONTACT', 'CALLBACK']));
      // (A grouped LEFT JOIN rather than NOT EXISTS: the embedded database plans that one badly.)
      const [agentParts] = await rows<{ handled: number; unhandled: number; outside: number }>(
        `SELECT count(*) FILTER (WHERE handled)::int AS handled,
                count(*) FILTER (WHERE NOT handled)::int AS unhandled,
                count(*) FILTER (WHERE handled AND NOT inside)::int AS outside
           FROM (SELECT f.interaction_resource_id, bool_or(f.customer_handle_count > 0) AS handled,
                        bool_or(s.sm_res_session_fact_key IS NOT NULL) AS inside
                   FROM interaction_resource_fact f
                   JOIN resource_ r ON r.resource_key = f.resource_key AND r.resource_type_code = 'AGENT'
                   LEFT JOIN sm_res_session_fact s ON s.resource_key = f.resource_key
                    AND s.media_type_key = f.media_type_key AND f.start_ts >= s.start_ts
                    AND (s.end_ts IS NULL OR f.start_ts < s.end_ts)
                  GROUP BY f.interaction_resource_id) x`,
      );
      expect(defined(agentParts).unhandled).toBeGreaterThan(0);
      expect(defined(agentParts).outside).toBeGreaterThan(0);
      expect(defined(agentParts).outside).toBeLessThan(0.02 * defined(agentParts).handled);
      const testers = await rows<{ resource_name: string; sessions: number; handled: number }>(
        `SELECT r.resource_name, count(DISTINCT s.sm_res_session_fact_key)::int AS sessions,
                (SELECT count(*)::int FROM interaction_resource_fact f
                  WHERE f.resource_key = r.resource_key AND f.customer_handle_count > 0) AS handled
           FROM resource_ r JOIN sm_res_session_fact s ON s.resource_key = r.resource_key
          WHERE r.resource_name LIKE 'test\\_%' OR r.resource_name LIKE 'healthcheck.%'
          GROUP BY r.resource_key, r.resource_name ORDER BY r.resource_name`,
      );
      expect(testers.map((t) => t.resource_name)).toEqual([
        'healthcheck.sip@acme',
        'healthcheck.sip@globex',
        'test_agent1@acme',
        'test_agent1@globex',
      ]);
      for (const t of testers) expect(t.handled, t.resource_name).toBeGreaterThan(0);
    });

    it('has touching and overlapping sessions of one agent and media', async () => {
      const [pairs] = await rows<{ touching: number; overlapping: number }>(
        `SELECT count(*) FILTER (WHERE b.start_ts = a.end_ts)::int AS touching,
                count(*) FILTER (WHERE b.start_ts > a.start_ts AND b.start_ts < a.end_ts)::int AS overlapping
           FROM sm_res_session_fact a JOIN sm_res_session_fact b
             ON b.resource_key = a.resource_key AND b.media_type_key = a.media_type_key
            AND b.sm_res_session_fact_key <> a.sm_res_session_fact_key
          WHERE a.end_ts IS NOT NULL`,
      );
      expect(defined(pairs).touching).toBeGreaterThan(0);
      expect(defined(pairs).overlapping).toBeGreaterThan(0);
    });

    it('has MCP calls with RM records, ASR and TTS inside them, across midnight and in progress', async () => {
      const components = await rows<{ component: string; n: number; open: number }>(
        `SELECT component, count(*)::int AS n, count(*) FILTER (WHERE call_end IS NULL)::int AS open
           FROM gvp_cdr GROUP BY component ORDER BY component`,
      );
      expect(components.map((c) => c.component)).toEqual(['CCP', 'MCP', 'RM']);
      const mcp = defined(components.find((c) => c.component === 'MCP'), 'an MCP component');
      expect(mcp.open).toBeGreaterThan(0);
      expect(mcp.open).toBeLessThan(20);
      // Every MCP call has its RM record; a few RM records (rejected calls) have no MCP call.
      expect(
        await count(
          `SELECT count(*)::int AS n FROM gvp_cdr c WHERE c.component = 'MCP' AND NOT EXISTS
             (SELECT 1 FROM gvp_cdr r WHERE r.component = 'RM' AND r.session_id = c.session_id)`,
        ),
      ).toBe(0);
      expect(
        await count(
          `SELECT count(*)::int AS n FROM gvp_cdr r WHERE r.component = 'RM' AND NOT EXISTS
             (SELECT 1 FROM gvp_cdr c WHERE c.component = 'MCP' AND c.session_id = r.session_id)`,
        ),
      ).toBeGreaterThan(0);
      expect(
        await count(
          `SELECT count(*)::int AS n FROM gvp_cdr
            WHERE component = 'MCP' AND call_end IS NOT NULL AND CAST(call_start AS date) <> CAST(call_end AS date)`,
        ),
      ).toBeGreaterThan(31);
      // Media sessions belong to an MCP call of the same tenant and lie within it.
      expect(
        await count(
          `SELECT count(*)::int AS n FROM gvp_media_resource_session m
             LEFT JOIN gvp_cdr c ON c.session_id = m.session_id AND c.component = 'MCP' AND c.tenant_id = m.tenant_id
            WHERE c.cdr_id IS NULL OR m.start_ts < c.call_start OR (m.end_ts IS NOT NULL AND m.end_ts < m.start_ts)
               OR (c.call_end IS NOT NULL AND (m.end_ts IS NULL OR m.end_ts > c.call_end))`,
        ),
      ).toBe(0);
      const kinds = await rows<{ resource_kind: string }>(
        `SELECT DISTINCT resource_kind FROM gvp_media_resource_session ORDER BY 1`,
      );
      expect(kinds.map((k) => k.resource_kind)).toEqual(['ASR', 'TTS']);
      expect(
        await count(
          `SELECT count(*)::int AS n FROM gvp_media_resource_session a JOIN gvp_media_resource_session t
             ON t.session_id = a.session_id AND a.resource_kind = 'ASR' AND t.resource_kind = 'TTS'
            AND a.start_ts < t.end_ts AND t.start_ts < a.end_ts`,
        ),
      ).toBeGreaterThan(0);
      const tenants = await rows<{ tenant_id: number; latest: string }>(
        `SELECT tenant_id, to_char(max(call_start), 'YYYY-MM-DD HH24:MI:SS') AS latest FROM gvp_cdr GROUP BY tenant_id ORDER BY 1`,
      );
      expect(tenants.map((t) => t.tenant_id)).toEqual([101, 102]);
      expect(defined(tenants[0]).latest < '2024-03-31 22:00:00').toBe(true);
      expect(defined(tenants[1]).latest < '2024-04-01 00:00:00').toBe(true);
    });
  });
});
