/**
 * Source database faults and damaged staged data (docs/reliability.md), with the real `bds`
 * command against a real PostgreSQL:
 *
 * - connection refused, the backend terminated (`pg_terminate_backend`) while a large extraction
 *   streams, a statement timeout: the day fails with exit code 8 and a message naming the source,
 *   no staged dataset is left looking complete (a new one is absent, an older complete one is
 *   kept as it was), and the next run recovers;
 * - a staged dataset of an earlier day of the month truncated, edited or deleted (data or record):
 *   the month's last day extracts exactly that day again and ends as if nothing had happened.
 *
 * The termination and timeout cases need a PostgreSQL server (PG_TEST_URL): the embedded PGlite
 * runs a single backend inside the test process, so terminating "another" backend and a statement
 * timer firing mid-query do not mean what they mean on a server. Without PG_TEST_URL they are
 * skipped; everything else here runs on either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access, cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { readStagedMeta, readStagedRows, stagedPaths, type StagedLocation } from '../../lib/staging/staged';
import { runBds } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { manyShortSessionsSql, seatsFixtureConfig, seatsFixtureSql } from '../fixtures/seats-fixture';
import { billingWithoutTimes, contents, isTemporary } from '../helpers/files';
import { ifSetUp } from '../helpers/suite';

const REAL_PG = (process.env.PG_TEST_URL ?? '') !== '';
const WITHOUT_SERVER_REASON =
  'skipped without PG_TEST_URL: the embedded PGlite has one in-process backend, so pg_terminate_backend and statement_timeout do not behave as on a server';

// 2026-11-02 10:00 in New York: the last ended day is 2026-11-01.
const NOW = '2026-11-02T15:00:00Z';
/** Sessions added on 2026-11-01 so its extraction streams several cursor batches (2000 rows each). */
const BIG_DAY = '2026-11-01';
const BIG_SESSIONS = 6000;
/** Nothing listens here: connections are refused. */
const REFUSING_URL = 'postgres://bds@127.0.0.1:1/gim';

let db: TestDatabase;
let work: string;
let sites = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bds-faults-db-'));
  db = await createTestDatabase();
  await db.exec(seatsFixtureSql());
  await db.exec(manyShortSessionsSql(BIG_SESSIONS));
});

afterAll(async () => {
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

interface Site {
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A deployment on the test database; `gimQueryTimeout` sets `sources.gim.queryTimeout`. */
async function createSite(name: string, options: { gimQueryTimeout?: string } = {}): Promise<Site> {
  sites += 1;
  const dataDir = join(work, `${sites}-${name}`);
  const config = join(work, `${sites}-${name}.yaml`);
  let yaml = seatsFixtureConfig(dataDir);
  if (options.gimQueryTimeout !== undefined) {
    const gim = '  gim:\n    client: pg\n    connectionString: ${env:TEST_DB_URL}\n';
    expect(yaml).toContain(gim);
    yaml = yaml.replace(gim, `${gim}    queryTimeout: ${options.gimQueryTimeout}\n`);
  }
  await writeFile(config, yaml);
  return { dataDir, env: { TEST_DB_URL: db.url, BDS_CONFIG: config, BDS_NOW: NOW } };
}

const loc = (site: Site, dataset: string, date: string): StagedLocation => ({ dataDir: site.dataDir, tenant: 'acme', dataset, date });

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

/** Reads a staged dataset through the product's own verification; resolves to its row count. */
async function verifiedRows(at: StagedLocation): Promise<number> {
  const meta = await readStagedMeta(at);
  let rows = 0;
  for await (const row of readStagedRows(at, meta)) if (row.length > 0) rows += 1;
  return rows;
}


/** A staged record without the times of its extraction. */
async function recordWithoutTimes(at: StagedLocation): Promise<string> {
  const { extractedAt: _e, snapshotAt: _s, ...rest } = JSON.parse(await readFile(stagedPaths(at).meta, 'utf8')) as Record<string, unknown>;
  return JSON.stringify(rest);
}

/** Starts `bds`, waits until it is held at `point` (lib/faults.ts), runs `act`, releases it and returns its result. */
async function whileHeld(
  site: Site,
  args: readonly string[],
  point: string,
  act: () => Promise<void>,
): Promise<Awaited<ReturnType<typeof runBds>>> {
  const hold = join(work, `hold-${sites}-${point}`);
  // Set when bds ends, in a callback that TypeScript's narrowing does not follow.
  let exited = false as boolean;
  const running = runBds(args, { env: { ...site.env, BDS_FAULT_HOLD_AT: point, BDS_FAULT_HOLD_FILE: hold } }).finally(() => {
    exited = true;
  });
  try {
    while (!(await exists(hold))) {
      if (exited) throw new Error(`bds ended before reaching ${point}: ${(await running).stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await act();
  } finally {
    await rm(hold, { force: true });
  }
  return running;
}

describe('staged data damaged on disk', () => {
  const OCTOBER = ['2026-10-30', '2026-10-31'];
  let reference: Site;
  let referenceBilling: Record<string, string>;
  let referenceStaged: Map<string, Buffer>;

  beforeAll(async () => {
    // An undamaged October: the result every repaired run must equal, and the files to damage.
    reference = await createSite('october');
    const result = await runBds(['backfill', '--from', OCTOBER[0] ?? '', '--to', OCTOBER[1] ?? '', '--tenant', 'acme', '--no-transmit'], {
      env: reference.env,
    });
    if (result.code !== 0) throw new Error(`the reference run failed: ${result.stderr}`);
    referenceBilling = await billingWithoutTimes(reference.dataDir);
    referenceStaged = await contents(join(reference.dataDir, 'extract'));
  });

  type Damage = (site: Site) => Promise<void>;
  const gim = (site: Site): { data: string; meta: string } => stagedPaths(loc(site, 'gim_sessions', '2026-10-30'));
  const cfg = (site: Site): { data: string; meta: string } => stagedPaths(loc(site, 'cfg_agent_switches', '2026-10-30'));
  const flipByte = async (path: string, at: (size: number) => number): Promise<void> => {
    const bytes = await readFile(path);
    const i = at(bytes.length);
    bytes[i] = (bytes[i] ?? 0) ^ 0x40;
    await writeFile(path, bytes);
  };
  const damages: [string, Damage][] = [
    ['the data truncated to half', async (s) => truncate(gim(s).data, Math.floor((await readFile(gim(s).data)).length / 2))],
    ['a byte flipped in the middle of the data', (s) => flipByte(gim(s).data, (n) => Math.floor(n / 2))],
    ['a byte flipped in the gzip trailer', (s) => flipByte(gim(s).data, (n) => n - 2)],
    ['the data emptied', (s) => writeFile(gim(s).data, '')],
    ['the data deleted, its record kept', (s) => rm(gim(s).data)],
    ['the record deleted, the data kept', (s) => rm(gim(s).meta)],
    ['the record cut short (not JSON)', async (s) => truncate(gim(s).meta, 40)],
    [
      'the record claiming one row more (digest intact)',
      async (s) => {
        const meta = JSON.parse(await readFile(gim(s).meta, 'utf8')) as { rows: number };
        await writeFile(gim(s).meta, JSON.stringify({ ...meta, rows: meta.rows + 1 }, null, 2) + '\n');
      },
    ],
    [
      'the record replaced by the next day’s',
      async (s) => writeFile(gim(s).meta, await readFile(stagedPaths(loc(s, 'gim_sessions', '2026-10-31')).meta)),
    ],
    [
      'both datasets of the day damaged (data flipped, record deleted)',
      async (s) => {
        await flipByte(gim(s).data, (n) => Math.floor(n / 3));
        await rm(cfg(s).meta);
      },
    ],
  ];

  for (const [what, damage] of damages) {
    it(`re-extracts an earlier day of the month with ${what} and ends equal to an undamaged run`, async () => {
      // Prepare: a copy of the undamaged October, with 10-30's staged data damaged.
      const site = await createSite('damaged');
      await cp(reference.dataDir, site.dataDir, { recursive: true });
      await damage(site);

      // Act: the month's last day, as the scheduler would run it again.
      const result = await runBds(['run', '--date', '2026-10-31', '--tenant', 'acme', '--no-transmit'], { env: site.env });

      // Assess: repaired on the way (logged), and the files are those of the undamaged run.
      expect(result.code, result.stderr).toBe(0);
      const repair = result.stderr.split('\n').find((l) => l.includes('extracting those days again'));
      expect(repair, result.stderr).toBeDefined();
      expect(JSON.parse(repair ?? '{}')).toMatchObject({ level: 'warn', tenant: 'acme', day: '2026-10-31', days: ['2026-10-30'] });
      expect(await billingWithoutTimes(site.dataDir)).toEqual(referenceBilling);
      // The damaged files were replaced by a fresh extraction: same data, a record that verifies.
      for (const dataset of ['gim_sessions', 'cfg_agent_switches']) {
        const at = loc(site, dataset, '2026-10-30');
        const rel = `acme/${dataset}/2026/10/2026-10-30.csv.gz`;
        expect((await readFile(stagedPaths(at).data)).equals(referenceStaged.get(rel) ?? Buffer.alloc(0)), rel).toBe(true);
        expect(await recordWithoutTimes(at)).toBe(await recordWithoutTimes(loc(reference, dataset, '2026-10-30')));
        expect(await verifiedRows(at)).toBe((await readStagedMeta(at)).rows);
      }
    });
  }

  it('re-extracts nothing in the aggregate function alone: it names the damaged dataset and writes nothing', async () => {
    // Prepare
    const site = await createSite('aggregate-only');
    await cp(reference.dataDir, site.dataDir, { recursive: true });
    await flipByte(gim(site).data, (n) => Math.floor(n / 2));
    const damaged = await readFile(gim(site).data);
    const event = join(work, 'aggregate-event.json');
    await writeFile(event, JSON.stringify({ tenant: 'acme', date: '2026-10-31' }));

    // Act
    const result = await runBds(['invoke', 'aggregate', '--event', event], { env: site.env });

    // Assess: the aggregation bit, the (dataset, date) named, the damaged file left for an extraction, files unchanged.
    expect(result.code, result.stderr).toBe(4);
    expect(result.stdout + result.stderr).toMatch(/does not match its record for gim_sessions 2026-10-30/);
    expect((await readFile(gim(site).data)).equals(damaged)).toBe(true);
    expect(await billingWithoutTimes(site.dataDir)).toEqual(referenceBilling);
  });
});

describe('source database unreachable', () => {
  it('fails the day with exit 8 naming the source, stages nothing, and the next run recovers', async () => {
    // Prepare: the sources point where nothing listens.
    const site = await createSite('refused');

    // Act
    const down = await runBds(['run', '--date', '2026-10-30', '--tenant', 'acme', '--no-transmit'], {
      env: { ...site.env, TEST_DB_URL: REFUSING_URL },
    });

    // Assess
    expect(down.code, down.stderr).toBe(8);
    expect(down.stdout).toMatch(/acme\s+2026-10-30\s+FAILED \(extract\)/);
    expect(down.stdout).toMatch(/source gim: cannot connect: .*ECONNREFUSED/);
    expect([...(await contents(join(site.dataDir, 'extract'))).keys()]).toEqual([]);
    expect(await exists(join(site.dataDir, 'billing'))).toBe(false);

    // Act: the database is back.
    const back = await runBds(['run', '--date', '2026-10-30', '--tenant', 'acme', '--no-transmit'], { env: site.env });

    // Assess
    expect(back.code, back.stderr).toBe(0);
    expect(await verifiedRows(loc(site, 'gim_sessions', '2026-10-30'))).toBeGreaterThan(0);
  });
});

describe.skipIf(!REAL_PG)(`source database failing mid-query (${REAL_PG ? 'PostgreSQL server' : WITHOUT_SERVER_REASON})`, () => {
  it('fails the day with exit 8 when the server terminates the backend mid-stream, leaves no GIM dataset, and the next run recovers', async () => {
    // Prepare
    const site = await createSite('terminated');
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const args = ['run', '--date', BIG_DAY, '--tenant', 'acme', '--no-transmit'];
    let terminated: { query: string; ok: boolean }[] = [];
    let result;
    try {
      // Act: the consumer of the GIM sessions stops after its first rows (the cursor has more to
      // send), and the server ends that backend (the Config DB's, read beside it, is left alone).
      result = await whileHeld(site, args, 'extract.rows@gim_sessions', async () => {
        const rows = await admin.query<{ query: string; ok: boolean }>(
          `SELECT query, pg_terminate_backend(pid) AS ok
             FROM pg_stat_activity
            WHERE application_name = 'bds' AND datname = current_database() AND pid <> pg_backend_pid()
              AND query LIKE '%sm_res_session_fact%'`,
        );
        terminated = rows.rows;
      });
    } finally {
      await admin.end();
    }

    // Assess: the backend streaming the GIM sessions was the one ended...
    expect(terminated).toHaveLength(1);
    expect(terminated[0]?.ok).toBe(true);
    expect(terminated[0]?.query).toContain('sm_res_session_fact');
    // ...the day failed with the extraction bit, naming the source...
    expect(result.code, result.stderr).toBe(8);
    expect(result.stdout).toMatch(/acme\s+2026-11-01\s+FAILED \(extract\)/);
    expect(result.stdout).toMatch(/extracting gim_sessions from gim failed: source gim: query gim_sessions failed: .*(terminat|Connection|EPIPE|ECONNRESET)/i);
    // ...and no GIM dataset of the day exists, not even a temporary one. (The Config DB's
    // datasets, read beside it, may have been completed; they are whole and verified.)
    const staged = [...(await contents(join(site.dataDir, 'extract'))).keys()];
    expect(staged.filter((path) => path.includes('gim_sessions'))).toEqual([]);
    expect(staged.filter(isTemporary)).toEqual([]);

    // Act: the next run.
    const back = await runBds(args, { env: site.env });

    // Assess: every session of the day is staged and verifies.
    expect(back.code, back.stderr).toBe(0);
    expect(await verifiedRows(loc(site, 'gim_sessions', BIG_DAY))).toBeGreaterThan(BIG_SESSIONS);
  });

  it('fails the day with exit 8 on a statement timeout, keeps the earlier complete GIM dataset as it was, and the next run recovers', async () => {
    // Prepare: the day extracted once, completely; then GIM's media_type answers only after 3 s, with a 1 s timeout.
    const site = await createSite('timeout', { gimQueryTimeout: '1s' });
    const args = ['run', '--date', '2026-10-31', '--tenant', 'acme', '--no-transmit'];
    const first = await runBds(args, { env: site.env });
    expect(first.code, first.stderr).toBe(0);
    const before = await contents(join(site.dataDir, 'extract'));
    await db.exec(`
      ALTER TABLE media_type RENAME TO media_type_base;
      CREATE VIEW media_type AS SELECT m.* FROM media_type_base m CROSS JOIN (SELECT pg_sleep(3)) AS slow;
    `);
    let slow;
    try {
      // Act
      slow = await runBds(args, { env: site.env });
    } finally {
      await db.exec('DROP VIEW media_type; ALTER TABLE media_type_base RENAME TO media_type;');
    }

    // Assess
    expect(slow.code, slow.stderr).toBe(8);
    expect(slow.stdout).toMatch(/source gim: query gim_sessions failed: canceling statement due to statement timeout/);
    // The complete GIM dataset of the earlier extraction is untouched (no half-new one, no
    // temporary file). The Config DB, read beside it, may have been snapshotted again: whole.
    const after = await contents(join(site.dataDir, 'extract'));
    expect([...after.keys()]).toEqual([...before.keys()]);
    const gimFiles = [...before.keys()].filter((path) => path.includes('gim_sessions'));
    expect(gimFiles.length).toBeGreaterThanOrEqual(2);
    for (const path of gimFiles) expect(after.get(path)?.equals(before.get(path) ?? Buffer.alloc(0)), path).toBe(true);

    // Act: the source is fast again.
    const back = await runBds(args, { env: site.env });

    // Assess
    expect(back.code, back.stderr).toBe(0);
    expect(await verifiedRows(loc(site, 'gim_sessions', '2026-10-31'))).toBe((await readStagedMeta(loc(site, 'gim_sessions', '2026-10-31'))).rows);
  });
});
