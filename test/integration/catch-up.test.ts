/**
 * Unattended operation: catch-up from watermarks after an outage, a source failing on one day,
 * `bds status`, `bds watermark`. The clock is fixed with BDS_NOW so "the last ended day" is known.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runBds } from '../helpers/cli';
import { seatsFixtureConfig, seatsFixtureSql, t } from '../fixtures/seats-fixture';
import { ifSetUp } from '../helpers/suite';

// 2026-11-04 10:00 in New York: with the 2 h delay, the last ended day is 2026-11-03.
const NOW = '2026-11-04T15:00:00Z';
const DAYS = ['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03'];

let db: TestDatabase;
let work: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.exec(seatsFixtureSql());
  work = await mkdtemp(join(tmpdir(), 'bds-catchup-'));
});

afterAll(async () => {
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

async function setup(name: string): Promise<{ config: string; dataDir: string; env: NodeJS.ProcessEnv }> {
  const dataDir = join(work, name);
  const config = join(work, `${name}.yaml`);
  await writeFile(config, seatsFixtureConfig(dataDir));
  return { config, dataDir, env: { TEST_DB_URL: db.url, BDS_CONFIG: config, BDS_NOW: NOW } };
}

/** Every billing file (and checksum) under a data directory, by relative path. */
async function billingBytes(dataDir: string): Promise<Map<string, string>> {
  const root = join(dataDir, 'billing');
  const out = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true })) {
    if (entry.endsWith('.csv') || entry.endsWith('.sha256')) out.set(relative(root, join(root, entry)), await readFile(join(root, entry), 'utf8'));
  }
  return out;
}

async function watermarks(dataDir: string): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const tenant of ['acme', 'globex']) {
    const text = await readFile(join(dataDir, 'state', 'watermarks', `${tenant}.json`), 'utf8').catch(() => undefined);
    if (text !== undefined) out[tenant] = JSON.parse(text) as Record<string, string>;
  }
  return out;
}

describe('catch-up', () => {
  it('catches an outage up in one run, producing exactly the files of day-by-day runs', async () => {
    // Prepare: the same days, once day by day, once as one catch-up after an "outage".
    const daily = await setup('daily');
    for (const date of DAYS) {
      const result = await runBds(['run', '--date', date], { env: daily.env });
      expect(result.code, result.stderr).toBe(0);
    }
    const caught = await setup('caught');
    // Act
    const result = await runBds(['catch-up'], { env: caught.env });
    // Assess
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n').filter((l) => /^acme\s+2026-/.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(lines).toEqual(DAYS);
    expect(await billingBytes(caught.dataDir)).toEqual(await billingBytes(daily.dataDir));
    expect((await watermarks(caught.dataDir)).acme).toEqual({ extract: '2026-11-03', aggregate: '2026-11-03', transmit: '2026-11-03' });
    // globex starts at its production date, 2026-10-31.
    expect((await watermarks(caught.dataDir)).globex?.aggregate).toBe('2026-11-03');

    // A second catch-up has nothing to do.
    const again = await runBds(['catch-up'], { env: caught.env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to do');
  });

  it('stops a tenant at the day its source fails, and the next run finishes from there', async () => {
    // Prepare: media_type becomes a view that fails for a session of 2026-11-02 only.
    const failing = await setup('failing');
    await db.exec(`
      ALTER TABLE media_type RENAME TO media_type_base;
      CREATE VIEW media_type AS
        SELECT media_type_key, media_name,
               CASE WHEN media_type_key = 99 THEN CAST(1 / (media_type_key - 99) AS varchar(32)) ELSE media_name_code END AS media_name_code,
               is_online
          FROM media_type_base;
      INSERT INTO media_type_base VALUES (99, 'Broken', 'BROKEN', 1);
      INSERT INTO sm_res_session_fact VALUES (9999, 1, 99, 101, ${Math.floor(t('2026-11-02T12:00:00Z') / 900) * 900}, ${Math.floor(t('2026-11-02T13:00:00Z') / 900) * 900}, ${t('2026-11-02T12:00:00Z')}, ${t('2026-11-02T13:00:00Z')}, 3600, 0);
    `);
    try {
      // Act
      const first = await runBds(['catch-up', '--tenant', 'acme'], { env: failing.env });
      // Assess: days before K done, watermarks at K-1, exit bit 8, later days not attempted.
      expect(first.code, first.stderr).toBe(8);
      expect(first.stdout).toMatch(/acme\s+2026-11-02\s+FAILED \(extract\)/);
      expect(first.stdout).toContain('acme 2026-11-03: not attempted');
      expect(first.stdout + first.stderr).toContain('source gim');
      expect((await watermarks(failing.dataDir)).acme).toMatchObject({ extract: '2026-11-01', aggregate: '2026-11-01' });
      const status = await runBds(['status', '--json'], { env: failing.env });
      const parsed = JSON.parse(status.stdout) as { tenants: { tenant: string; daysDue: number }[]; lastRun: { exitCode: number; failures: { date: string }[] } };
      expect(parsed.tenants.find((x) => x.tenant === 'acme')?.daysDue).toBe(2);
      expect(parsed.lastRun.exitCode).toBe(8);
      expect(parsed.lastRun.failures.map((f) => f.date)).toEqual(['2026-11-02']);
      const prom = await readFile(join(failing.dataDir, 'state', 'bds.prom'), 'utf8');
      expect(prom).toMatch(/^bds_last_run_exit_code\{trigger="manual"\} 8$/m);
      // The state gauges: extract and aggregate two days behind, the next day the failed one.
      const gauges = await readFile(join(failing.dataDir, 'state', 'bds-state.acme.prom'), 'utf8');
      expect(gauges).toMatch(/^bds_days_behind\{tenant="acme",stage="aggregate"\} 2$/m);
      expect(gauges).toMatch(/^bds_days_behind\{tenant="acme",stage="extract"\} 2$/m);
    } finally {
      // The source is fixed.
      await db.exec(`DELETE FROM sm_res_session_fact WHERE sm_res_session_fact_key = 9999; DROP VIEW media_type; ALTER TABLE media_type_base RENAME TO media_type; DELETE FROM media_type WHERE media_type_key = 99;`);
    }
    const second = await runBds(['catch-up', '--tenant', 'acme'], { env: failing.env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.split('\n').filter((l) => /^acme\s+2026-/.test(l)).map((l) => l.split(/\s+/)[1])).toEqual(['2026-11-02', '2026-11-03']);
    expect((await watermarks(failing.dataDir)).acme?.aggregate).toBe('2026-11-03');
  });

  it('moves a watermark back with `bds watermark`, and catch-up re-processes from there', async () => {
    const { env, dataDir } = await setup('rewind');
    expect((await runBds(['catch-up', '--tenant', 'acme'], { env })).code).toBe(0);
    const set = await runBds(['watermark', '--tenant', 'acme', '--stage', 'aggregate', '--set', '2026-11-01'], { env });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('2026-11-03 -> 2026-11-01');
    const rerun = await runBds(['catch-up', '--tenant', 'acme'], { env });
    expect(rerun.stdout.split('\n').filter((l) => /^acme\s+2026-/.test(l)).map((l) => l.split(/\s+/)[1])).toEqual(['2026-11-02', '2026-11-03']);
    expect((await watermarks(dataDir)).acme?.aggregate).toBe('2026-11-03');
    const bad = await runBds(['watermark', '--tenant', 'acme', '--stage', 'load', '--set', '2026-11-01'], { env });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--stage');
  });

  it('moves the later stages back with an earlier one, so moving only `extract` back re-processes every stage from there', async () => {
    // Prepare
    const { env, dataDir } = await setup('rewind-extract');
    expect((await runBds(['catch-up', '--tenant', 'acme'], { env })).code).toBe(0);

    // Act
    const set = await runBds(['watermark', '--tenant', 'acme', '--stage', 'extract', '--set', '2026-11-01'], { env });
    const rerun = await runBds(['catch-up', '--tenant', 'acme'], { env });

    // Assess
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('acme extract: 2026-11-03 -> 2026-11-01');
    expect(set.stdout).toContain('acme aggregate: 2026-11-03 -> 2026-11-01');
    expect(set.stdout).toContain('the next catch-up processes acme from 2026-11-02');
    expect(rerun.stdout.split('\n').filter((l) => /^acme\s+2026-/.test(l)).map((l) => l.split(/\s+/)[1])).toEqual(['2026-11-02', '2026-11-03']);
    expect((await watermarks(dataDir)).acme).toMatchObject({ extract: '2026-11-03', aggregate: '2026-11-03' });
  });

  it('refuses a watermark after the last ended day, which would make catch-up skip the days between forever', async () => {
    // Prepare
    const { env, dataDir } = await setup('future');

    // Act
    const future = await runBds(['watermark', '--tenant', 'acme', '--stage', 'aggregate', '--set', '2026-11-04'], { env });
    const far = await runBds(['watermark', '--tenant', 'acme', '--stage', 'aggregate', '--set', '2100-01-01'], { env });

    // Assess
    for (const result of [future, far]) {
      expect(result.code).toBe(64);
      expect(result.stderr).toContain('is after the last day that has ended for tenant acme (2026-11-03');
    }
    expect((await watermarks(dataDir)).acme).toBeUndefined();
  });

  it('shows watermarks, days due and the last run in `bds status`', async () => {
    const { env } = await setup('status');
    const before = await runBds(['status'], { env });
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/acme\s+-\s+-\s+-\s+2026-11-03\s+5/);
    expect(before.stdout).toContain('last scheduled run: none recorded');
    expect(before.stdout).toContain('last manual run: none recorded');
    await runBds(['run', '--date', '2026-10-30', '--tenant', 'acme'], { env });
    const after = await runBds(['status'], { env });
    expect(after.stdout).toMatch(/acme\s+2026-10-30\s+2026-10-30\s+2026-10-30\s+2026-11-03\s+4/);
    expect(after.stdout).toContain('last scheduled run: none recorded');
    expect(after.stdout).toMatch(/last manual run: bds run --date 2026-10-30 --tenant acme, .* exit 0, 1 day\(s\), 0 failed/);
  });
});
