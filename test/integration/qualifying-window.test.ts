/**
 * The qualifying window and stale months, end to end through the real `bds` command line on a
 * real PostgreSQL.
 *
 * metrics.md: a session counts for an interaction metric when a handled interaction of the
 * metric's media starts inside the whole, unclipped session [start_ts, end_ts); such a session
 * counts in full on every day it overlaps. Only an open session stops at the end of the day being
 * processed. And a month's files, once written, must follow any of its days processed again.
 *
 * Tenant `win` runs in UTC; every session is VOICE unless said otherwise:
 *
 *   a1  10-30 22:00 → 10-31 02:00, outbound call at 10-31 01:00 (after midnight, inside)
 *   a2  10-30 22:00 → 10-31 02:00, outbound call at 10-31 02:00 (exactly at end_ts: outside)
 *   a3  10-30 22:00 → 10-31 02:00, outbound call at 10-30 21:59:59 (a second before: outside)
 *   a4  10-30 22:00 → open,        outbound call at 10-31 01:00 (after the 30th's end)
 *   a5  CHAT 10-31 23:00 → 11-01 01:00, chat at 11-01 00:30 (after the month's end, inside)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runBds } from '../helpers/cli';
import { readBillingFolder, valuesOf } from '../helpers/billing';
import { t } from '../fixtures/seats-fixture';
import { ifSetUp } from '../helpers/suite';

const slot = (ts: number): number => Math.floor(ts / 900) * 900;
const SENTINEL_END_KEY = slot(t('2025-12-31T00:00:00Z'));
const MEDIA = { VOICE: 1, CHAT: 2 } as const;
const TYPE = { OUTBOUNDCONTACT: 2, INBOUNDNEW: 1 } as const;

let sessionKey = 100;
let irfKey = 500;

function agent(key: number, name: string): string {
  return `INSERT INTO resource_ (resource_key, tenant_key, resource_type, resource_type_code, resource_name, resource_cfg_dbid, resource_cfg_type_id) VALUES (${key}, 1, 'Agent', 'AGENT', '${name}', ${key + 1000}, 3);`;
}

function session(resource: number, media: keyof typeof MEDIA, start: string, end: string | null): string {
  sessionKey += 1;
  const s = t(start);
  const e = end === null ? null : t(end);
  return `INSERT INTO sm_res_session_fact VALUES (${sessionKey}, 1, ${MEDIA[media]}, ${resource}, ${slot(s)}, ${e === null ? SENTINEL_END_KEY : slot(e)}, ${s}, ${e ?? 'NULL'}, ${e === null ? 'NULL' : e - s}, ${e === null ? 1 : 0});`;
}

function handled(resource: number, media: keyof typeof MEDIA, type: keyof typeof TYPE, at: string): string {
  irfKey += 1;
  const s = t(at);
  return `INSERT INTO interaction_resource_fact VALUES (${irfKey}, ${irfKey + 10000}, 1, ${resource}, ${MEDIA[media]}, ${TYPE[type]}, ${slot(s)}, ${s}, ${s + 60}, 1, 1);`;
}

function fixtureSql(): string {
  return [
    `INSERT INTO tenant VALUES (1, 'win', 101);`,
    `INSERT INTO media_type VALUES (1, 'Voice', 'VOICE', 1), (2, 'Chat', 'CHAT', 1);`,
    `INSERT INTO interaction_type VALUES (1, 'Inbound', 'INBOUND', 'New', 'INBOUNDNEW'), (2, 'Outbound', 'OUTBOUND', 'Contact', 'OUTBOUNDCONTACT');`,
    ...[1, 2, 3, 4, 5].map((n) => agent(400 + n, `a${n}`)),
    session(401, 'VOICE', '2026-10-30T22:00:00Z', '2026-10-31T02:00:00Z'),
    handled(401, 'VOICE', 'OUTBOUNDCONTACT', '2026-10-31T01:00:00Z'),
    session(402, 'VOICE', '2026-10-30T22:00:00Z', '2026-10-31T02:00:00Z'),
    handled(402, 'VOICE', 'OUTBOUNDCONTACT', '2026-10-31T02:00:00Z'),
    session(403, 'VOICE', '2026-10-30T22:00:00Z', '2026-10-31T02:00:00Z'),
    handled(403, 'VOICE', 'OUTBOUNDCONTACT', '2026-10-30T21:59:59Z'),
    session(404, 'VOICE', '2026-10-30T22:00:00Z', null),
    handled(404, 'VOICE', 'OUTBOUNDCONTACT', '2026-10-31T01:00:00Z'),
    session(405, 'CHAT', '2026-10-31T23:00:00Z', '2026-11-01T01:00:00Z'),
    handled(405, 'CHAT', 'INBOUNDNEW', '2026-11-01T00:30:00Z'),
  ].join('\n');
}

const METRICS = ['seats_inbound_voice', 'seats_outbound', 'seats_chat'] as const;

function configYaml(dataDir: string, copyTo: string): string {
  return `customer:
  garn: GARN0042
  name: Window Corp
dataDir: ${dataDir}
sources:
  gim:
    client: pg
    connectionString: \${env:TEST_DB_URL}
tenants:
  - id: win
    gimTenantKey: 1
    cfgTenantDbid: 101
    timezone: UTC
    productionDate: 2026-10-30
    metrics: [${METRICS.join(', ')}]
    regions:
      - code: US
        locations:
          - { code: ALL, switches: [] }
transmit:
  copyTo: [${copyTo}]
`;
}

let db: TestDatabase;
let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.exec(fixtureSql());
  work = await mkdtemp(join(tmpdir(), 'bds-window-'));
  const copyTo = join(work, 'share');
  await import('node:fs/promises').then((fs) => fs.mkdir(copyTo));
  await writeFile(join(work, 'bds.config.yaml'), configYaml(join(work, 'data'), copyTo));
  env = { TEST_DB_URL: db.url, BDS_CONFIG: join(work, 'bds.config.yaml'), BDS_NOW: '2026-11-10T00:00:00Z' };
});

afterAll(async () => {
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

/** metric → measure → value of one period's files. */
async function periodValues(yyyy: string, mm: string, code: string): Promise<Record<string, Record<string, number>>> {
  const files = await readBillingFolder(join(work, 'data', 'billing', 'win', yyyy, mm));
  const selected = new Map([...files].filter(([name]) => name.endsWith(`_${code}.csv`)));
  expect(selected.size, code).toBe(METRICS.length);
  const values = valuesOf(selected);
  return Object.fromEntries(METRICS.map((m) => [m, values[m]?.US ?? {}]));
}

async function bds(args: readonly string[]): Promise<void> {
  const result = await runBds(args, { env });
  expect(result.code, result.stderr + result.stdout).toBe(0);
}

describe('the qualifying window is the whole session', () => {
  it('counts an interaction after midnight on both days, never one at end_ts or before start_ts, and an open session only up to the day processed', async () => {
    // Act
    await bds(['backfill', '--from', '2026-10-30', '--to', '2026-11-01']);

    // Assess
    expect(await periodValues('2026', '10', 'D20261030')).toEqual({
      seats_inbound_voice: { concurrent: 4, enabled: 4 },
      // a1 only: a2's call is at its end, a3's a second before its start, a4 is open and its
      // call comes after the 30th.
      seats_outbound: { concurrent: 1, enabled: 1 },
      seats_chat: { concurrent: 0, enabled: 0 },
    });
    expect(await periodValues('2026', '10', 'D20261031')).toEqual({
      seats_inbound_voice: { concurrent: 4, enabled: 4 },
      // a1 (00:00–02:00) and a4 (open all day, its call now inside) at once.
      seats_outbound: { concurrent: 2, enabled: 2 },
      // a5's chat is on Nov 1, inside the session that started on the 31st.
      seats_chat: { concurrent: 1, enabled: 1 },
    });
    expect(await periodValues('2026', '11', 'D20261101')).toEqual({
      seats_inbound_voice: { concurrent: 1, enabled: 1 },
      seats_outbound: { concurrent: 1, enabled: 1 },
      seats_chat: { concurrent: 1, enabled: 1 },
    });
    // The month's distinct agents include a5, qualified only by its November chat.
    expect(await periodValues('2026', '10', 'M202610')).toEqual({
      seats_inbound_voice: { concurrent: 4, enabled: 4 },
      seats_outbound: { concurrent: 2, enabled: 2 },
      seats_chat: { concurrent: 1, enabled: 1 },
    });
  });
});

describe('a day processed again after its month was rolled up', () => {
  it('rebuilds the month in the same run, delivers the changed monthly files and leaves nothing stale', async () => {
    // Prepare: the backfill above closed October. A new outbound seat appears on the 30th.
    await db.exec(
      [agent(406, 'a6'), session(406, 'VOICE', '2026-10-30T10:00:00Z', '2026-10-30T11:00:00Z'), handled(406, 'VOICE', 'OUTBOUNDCONTACT', '2026-10-30T10:30:00Z')].join('\n'),
    );
    const monthly = 'CNT_US_PES_seats_outbound_GARN0042_win_M202610.csv';
    const before = await readFile(join(work, 'share', 'win', '2026', '10', monthly), 'utf8');

    // Act
    await bds(['run', '--date', '2026-10-30']);

    // Assess: the daily file and the month agree again.
    expect((await periodValues('2026', '10', 'D20261030')).seats_outbound).toEqual({ concurrent: 1, enabled: 2 });
    expect((await periodValues('2026', '10', 'M202610')).seats_outbound).toEqual({ concurrent: 2, enabled: 3 });
    const local = await readFile(join(work, 'data', 'billing', 'win', '2026', '10', monthly), 'utf8');
    const delivered = await readFile(join(work, 'share', 'win', '2026', '10', monthly), 'utf8');
    expect(delivered).not.toBe(before);
    expect(delivered).toBe(local);
    const status = await runBds(['status', '--json'], { env });
    const tenant = (JSON.parse(status.stdout) as { tenants: { staleMonths: string[]; problems: string[] }[] }).tenants[0];
    expect(tenant?.staleMonths).toEqual([]);
    expect(tenant?.problems).toEqual([]);
  });

  it('leaves a month it could not rebuild stale, with exit bit 4 and the month in `bds status`, and rebuilds it on the next run', async () => {
    // Prepare: another seat on the 30th; the rollup will miss the 31st's staged sessions. The
    // aggregate handler alone cannot extract them again.
    await db.exec([agent(407, 'a7'), session(407, 'VOICE', '2026-10-30T12:00:00Z', '2026-10-30T13:00:00Z'), handled(407, 'VOICE', 'OUTBOUNDCONTACT', '2026-10-30T12:30:00Z')].join('\n'));
    await bds(['invoke', 'extract-gim', '--event', await eventFile({ tenant: 'win', date: '2026-10-30' })]);
    const staged = join(work, 'data', 'extract', 'win', 'gim_sessions', '2026', '10');
    for (const name of await readdir(staged)) if (name.startsWith('2026-10-31')) await rm(join(staged, name));

    // Act
    const failed = await runBds(['invoke', 'aggregate', '--event', await eventFile({ tenant: 'win', date: '2026-10-30' })], { env });

    // Assess
    expect((failed.code ?? 0) & 4, failed.stdout + failed.stderr).toBe(4);
    expect((await periodValues('2026', '10', 'D20261030')).seats_outbound).toEqual({ concurrent: 1, enabled: 3 });
    expect((await periodValues('2026', '10', 'M202610')).seats_outbound?.enabled).toBe(3);
    const stale = await runBds(['status'], { env });
    expect(stale.stdout).toContain('monthly files of 2026-10 are stale');

    // Act: a run that extracts repairs the missing day and rebuilds the month.
    await bds(['catch-up']);

    // Assess
    expect((await periodValues('2026', '10', 'M202610')).seats_outbound).toEqual({ concurrent: 2, enabled: 4 });
    const after = await runBds(['status', '--json'], { env });
    expect((JSON.parse(after.stdout) as { tenants: { staleMonths: string[] }[] }).tenants[0]?.staleMonths).toEqual([]);
  });
});

let events = 0;
async function eventFile(event: object): Promise<string> {
  events += 1;
  const path = join(work, `event-${events}.json`);
  await writeFile(path, JSON.stringify(event));
  return path;
}
