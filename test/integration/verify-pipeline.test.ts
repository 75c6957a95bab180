/**
 * `verify: true`: each aggregated day is recomputed in the sources and compared. A difference
 * fails the day's aggregation (exit bit 4, watermark not moved), holds the day's files back from
 * every destination and shows in `bds status`; a later run that agrees releases them.
 *
 * The difference is made the way it happens in life: the source changes between extraction and
 * aggregation (the aggregate function alone reads the staged data of before).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runBds } from '../helpers/cli';
import { seatsFixtureConfig, seatsFixtureSql, t } from '../fixtures/seats-fixture';
import { readWatermarks } from '../../lib/state/watermarks';
import { ifSetUp } from '../helpers/suite';

let db: TestDatabase;
let work: string;
let env: NodeJS.ProcessEnv;
let share: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.exec(seatsFixtureSql());
  work = await mkdtemp(join(tmpdir(), 'bds-verify-pipeline-'));
  share = join(work, 'share');
  await mkdir(share);
  const config = join(work, 'bds.config.yaml');
  await writeFile(config, `${seatsFixtureConfig(join(work, 'data'))}verify: true\ntransmit:\n  copyTo: [${share}]\n`, { mode: 0o600 });
  env = { TEST_DB_URL: db.url, BDS_CONFIG: config, BDS_NOW: '2026-11-10T00:00:00Z' };
});

afterAll(async () => {
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

async function event(name: string, body: object): Promise<string> {
  const path = join(work, `${name}.json`);
  await writeFile(path, JSON.stringify(body));
  return path;
}

const DAY = { tenant: 'acme', date: '2026-10-30' };
const DAILY_FILE = join('acme', '2026', '10', 'CNT_US_PES_seats_inbound_voice_GARN0042_acme_D20261030.csv');

describe('verify: true', () => {
  it('fails the day, holds its files and says so in bds status when the files differ from the sources', async () => {
    // Prepare: the day is extracted; then GIM gets a new agent's voice session on that day.
    for (const fn of ['extract-gim', 'extract-config']) {
      const extracted = await runBds(['invoke', fn, '--event', await event('day', DAY)], { env });
      expect(extracted.code, extracted.stderr).toBe(0);
    }
    const s = t('2026-10-30T14:00:00Z');
    await db.exec(
      `INSERT INTO resource_ (resource_key, tenant_key, resource_type, resource_type_code, resource_name, resource_cfg_dbid, resource_cfg_type_id) VALUES (150, 1, 'Agent', 'AGENT', 'zoe', NULL, 3);
       INSERT INTO sm_res_session_fact VALUES (99001, 1, 1, 150, ${Math.floor(s / 900) * 900}, ${Math.floor((s + 600) / 900) * 900}, ${s}, ${s + 600}, 600, 0);`,
    );

    // Act
    const aggregated = await runBds(['invoke', 'aggregate', '--event', await event('day', DAY)], { env });
    const upload = await runBds(['invoke', 'upload', '--event', await event('tenant', { tenant: 'acme' })], { env });
    const status = await runBds(['status', '--json'], { env });

    // Assess
    expect(aggregated.code, aggregated.stdout + aggregated.stderr).toBe(4);
    expect(aggregated.stdout + aggregated.stderr).toMatch(/verify found \d+ difference\(s\)/);
    expect(aggregated.stderr).toMatch(/"msg":"verification difference".*"metric":"seats_inbound_voice"/);
    expect((await readWatermarks(join(work, 'data'))).acme?.aggregate).toBeUndefined();
    expect(upload.code, upload.stdout + upload.stderr).toBe(0);
    expect(existsSync(join(share, DAILY_FILE))).toBe(false);
    const acme = (JSON.parse(status.stdout) as { tenants: { tenant: string; heldPeriods: string[]; problems: string[] }[] }).tenants.find((x) => x.tenant === 'acme');
    expect(acme?.heldPeriods).toEqual(['2026-10-30']);
    expect(acme?.problems.some((p) => p.startsWith('files of 2026-10-30 differ from the values recomputed in the sources'))).toBe(true);
  });

  it('releases and delivers the files once a run agrees with the sources', async () => {
    // Act: a run extracts again, so its files include the new session.
    const run = await runBds(['run', '--date', '2026-10-30', '--tenant', 'acme'], { env });
    const status = await runBds(['status', '--json'], { env });

    // Assess
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toContain('"msg":"verification passed"');
    expect(existsSync(join(share, DAILY_FILE))).toBe(true);
    const acme = (JSON.parse(status.stdout) as { tenants: { tenant: string; heldPeriods: string[] }[] }).tenants.find((x) => x.tenant === 'acme');
    expect(acme?.heldPeriods).toEqual([]);
    expect((await readWatermarks(join(work, 'data'))).acme?.aggregate).toBe('2026-10-30');
  });
});
