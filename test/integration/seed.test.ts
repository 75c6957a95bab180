/**
 * `bds seed` at a tiny scale: COPY loads exactly what the generator produces (the same rows an
 * INSERT load gives, escaping included), the reference schemas keep their own indexes and no
 * other, `bds run` processes a seeded day, and the benchmark's in-database reference SQL
 * computes the same numbers as BDS (the correctness half of `npm run bench`, cheap enough for
 * every test run).
 *
 * COPY FROM STDIN needs a real PostgreSQL server (the embedded PGlite's socket does not speak
 * the COPY sub-protocol): PG_TEST_URL, else PG_BENCH_URL, else the local server; without one
 * the suite is skipped, saying so.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InsertTableSink,
  TABLE_NAMES,
  generateActivity,
  loadActivity,
  type TableName,
} from '../../tools/demo/generate';
import { loadConfig } from '../../lib/config/load';
import { billingFolder } from '../../lib/files/period-writer';
import { CopyTableSink, encodeCopyText } from '../../tools/seed/copy-sink';
import {
  SEED_ACTIVITY,
  SeedError,
  readSeedMarker,
  seedConfig,
  seedDatabase,
  seedTenants,
  type SeedReport,
} from '../../tools/seed/seed';
import { readBillingFolder } from '../helpers/billing';
import { runBds } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ifSetUp } from '../helpers/suite';

const SCALE = 0.002;
const MONTH = '2026-10';
const SEED = 7;
const DAYS = ['2026-10-30', '2026-10-31'] as const;

/** A PostgreSQL server to create test databases on, or undefined when none answers. */
async function findServer(): Promise<string | undefined> {
  const candidates = [process.env.PG_TEST_URL, process.env.PG_BENCH_URL, 'postgres://postgres@127.0.0.1:5432/postgres'];
  for (const url of candidates) {
    if (url === undefined || url === '') continue;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      return url;
    } catch {
      // Try the next one.
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return undefined;
}

const server = await findServer();
if (server === undefined) process.stderr.write('seed.test.ts: skipped, no PostgreSQL server for COPY (set PG_TEST_URL)\n');

/** Creates a database on `server` (createTestDatabase reads PG_TEST_URL when it is called). */
async function serverDatabase(schemas: boolean): Promise<TestDatabase> {
  const previous = process.env.PG_TEST_URL;
  process.env.PG_TEST_URL = server;
  try {
    return await createTestDatabase({ schemas });
  } finally {
    if (previous === undefined) delete process.env.PG_TEST_URL;
    else process.env.PG_TEST_URL = previous;
  }
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Row count and a digest of every row's text, per table. */
async function fingerprint(url: string): Promise<Record<string, string>> {
  return withClient(url, async (client) => {
    const out: Record<string, string> = {};
    for (const table of TABLE_NAMES) {
      const { rows } = await client.query<{ n: string; h: string | null }>(
        `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM ${table} t`,
      );
      out[table] = `${rows[0]?.n} ${rows[0]?.h ?? ''}`;
    }
    return out;
  });
}

describe.skipIf(server === undefined)('bds seed (COPY) at a tiny scale', () => {
  let seeded: TestDatabase;
  let report: SeedReport;
  let work: string;
  const options = { seed: SEED, month: MONTH, tenants: seedTenants(SCALE), scale: SEED_ACTIVITY } as const;

  beforeAll(async () => {
    seeded = await serverDatabase(false);
    work = await mkdtemp(join(tmpdir(), 'bds-seed-'));
    report = await seedDatabase({ url: seeded.url, scale: SCALE, seed: SEED, month: MONTH });
  }, 120_000);

  afterAll(async () => {
    await ifSetUp(seeded)?.close();
    if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('loads exactly the rows the generator produces, and records what it seeded', async () => {
    const expected = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>;
    for await (const chunk of generateActivity(options)) expected[chunk.table] += chunk.rows.length;
    expect(report.rows).toEqual(expected);
    expect(report.totalRows).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    expect(report.tenants).toEqual([{ name: 'big', agents: 40 }]);
    // About 40 interaction-resource rows per agent and calendar day, as at scale 1.0.
    expect(report.rows.interaction_resource_fact / (40 * 31)).toBeGreaterThan(30);
    expect(report.rows.interaction_resource_fact / (40 * 31)).toBeLessThan(50);
    const marker = await withClient(seeded.url, readSeedMarker);
    expect(marker).toMatchObject({ seededBy: 'bds seed', month: MONTH, seed: SEED, scale: SCALE, rows: expected });
  });

  it('loads the same rows as multi-row INSERTs would', async () => {
    const inserted = await serverDatabase(true);
    try {
      await withClient(inserted.url, async (client) => {
        await loadActivity(client, options, new InsertTableSink(client));
      });
      expect(await fingerprint(seeded.url)).toEqual(await fingerprint(inserted.url));
    } finally {
      await inserted.close();
    }
  });

  it('keeps the reference schemas\' indexes, rebuilt after the load, and adds none', async () => {
    const indexes = await withClient(seeded.url, async (client) =>
      (
        await client.query<{ name: string }>(
          `SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
        )
      ).rows.map((r) => r.name),
    );
    expect(indexes).toContain('interaction_resource_fact_sdt');
    expect(indexes).toContain('interaction_resource_fact_pkey');
    expect(indexes).toContain('gvp_cdr_start');
    const reference = await serverDatabase(true);
    try {
      const fresh = await withClient(reference.url, async (client) =>
        (await client.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`)).rows.map(
          (r) => r.name,
        ),
      );
      expect(indexes).toEqual(fresh);
    } finally {
      await reference.close();
    }
  });

  it('escapes text for COPY: tabs, newlines, backslashes and NULL survive the round trip', async () => {
    expect(encodeCopyText([[1, 'a\tb\\c\nd\re', null]], 3)).toBe('1\ta\\tb\\\\c\\nd\\re\t\\N\n');
    expect(() => encodeCopyText([[1, 2]], 3)).toThrow(/2 cells for 3 columns/);
    expect(() => encodeCopyText([[Number.NaN]], 1)).toThrow(RangeError);
    const name = 'tab\there \\N back\\slash\nnew line';
    const sink = new CopyTableSink({
      connect: async () => {
        const client = new pg.Client({ connectionString: seeded.url });
        await client.connect();
        return client;
      },
    });
    await sink.write({ table: 'tenant', columns: ['tenant_key', 'tenant_name', 'tenant_cfg_dbid'], rows: [[999, name, null]], day: null });
    expect(await sink.finish()).toEqual({ tenant: 1 });
    const row = await withClient(seeded.url, async (client) => {
      const result = await client.query<{ tenant_name: string; tenant_cfg_dbid: number | null }>(
        'SELECT tenant_name, tenant_cfg_dbid FROM tenant WHERE tenant_key = 999',
      );
      await client.query('DELETE FROM tenant WHERE tenant_key = 999');
      return result.rows[0];
    });
    expect(row).toEqual({ tenant_name: name, tenant_cfg_dbid: null });
  });

  it('refuses a database that already has the reference tables, unless reset', async () => {
    await expect(seedDatabase({ url: seeded.url, scale: SCALE, seed: SEED, month: MONTH })).rejects.toBeInstanceOf(SeedError);
  });

  it('`bds run` processes seeded days, and `bds verify` computes the same numbers in the database', { timeout: 120_000 }, async () => {
    const configPath = join(work, 'bds.config.yaml');
    // Production date on the first day processed: the month's roll-up on its last day needs only these days.
    await writeFile(configPath, seedConfig({ connectionString: seeded.url, month: MONTH, scale: SCALE, productionDate: DAYS[0] }));
    const result = await runBds(['backfill', '--from', DAYS[0], '--to', DAYS[1], '--no-transmit', '--config', configPath], { cwd: work });
    expect(result.code, result.stderr).toBe(0);

    // The independent reference: every value recomputed inside PostgreSQL from the spec.
    const verify = await runBds(['verify', '--from', DAYS[0], '--to', DAYS[1], '--json', '--config', configPath], { cwd: work });
    const report = JSON.parse(verify.stdout) as { ok: boolean; valuesCompared: number; differences: unknown[] };
    expect(report.differences).toEqual([]);
    expect(verify.code, verify.stderr).toBe(0);
    // 10 seat metrics × 2 regions × 2 measures, 1 voicemail count, 6 GVP metrics × 2 regions, per day.
    expect(report.valuesCompared).toBeGreaterThanOrEqual(53 * DAYS.length);

    const config = loadConfig({ path: configPath, env: {} }).config;
    const tenant = config.tenants[0];
    if (tenant === undefined) throw new Error('no tenant in the seeded configuration');
    for (const date of DAYS) {
      const files = await readBillingFolder(billingFolder(config.dataDir, tenant.id, { type: 'daily', date }));
      const billed = new Map<string, number>();
      // The month's folder also holds the other day's files and the monthly ones.
      const daily = `_D${date.replaceAll('-', '')}.csv`;
      for (const [name, rows] of files) {
        if (!name.endsWith(daily)) continue;
        for (const row of rows) billed.set(`${row.metric}|${row.region}|${row.measure}`, Number(row.message_size));
      }
      // Not a comparison of zeros: the tiny site still has agents, mailboxes and IVR calls.
      const get = (key: string): number => billed.get(key) ?? 0;
      expect(get('seats_workspace|NA|enabled') + get('seats_workspace|EU|enabled')).toBeGreaterThan(0);
      expect(get('voicemail_boxes|GLOBAL|count')).toBeGreaterThan(0);
      expect(get('gvp_minutes|NA|minutes') + get('gvp_minutes|EU|minutes')).toBeGreaterThan(0);
    }
  });
});
