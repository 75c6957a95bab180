/**
 * Per-day summaries (lib/aggregate/day-summary.ts) with the real `bds` command against a real
 * database: a month's rollup is made from its days' summaries, and a summary that cannot stand
 * for its day's staged data (missing, damaged, made under other rules, made from a dataset since
 * extracted again) is rebuilt from the staged data, so the month never differs from a recount.
 *
 * To prove that a month really reads the summaries, one test alters a summary on purpose (an
 * extra agent, its count raised, its digest rewritten): the month then counts that agent. Every
 * other test starts from such an altered summary too, so a month equal to the reference shows
 * that the altered summary was rebuilt, not used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { runBds } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { billingWithoutTimes } from '../helpers/files';
import { ifSetUp } from '../helpers/suite';
import { seatsFixtureConfig, seatsFixtureSql } from '../fixtures/seats-fixture';

const NOW = '2026-11-02T15:00:00Z';
const MONTHLY_INBOUND_US = 'acme/2026/10/CNT_US_PES_seats_inbound_voice_GARN0042_acme_M202610.csv';
/** A resource key no agent of the fixture has. */
const FORGED_AGENT = 987_654_321;

let db: TestDatabase;
let work: string;
let sites = 0;

interface Site {
  readonly dataDir: string;
  readonly config: string;
  readonly env: NodeJS.ProcessEnv;
}

async function createSite(name: string): Promise<Site> {
  sites += 1;
  const dataDir = join(work, `${sites}-${name}`);
  const config = join(work, `${sites}-${name}.yaml`);
  await writeFile(config, seatsFixtureConfig(dataDir));
  return { dataDir, config, env: { TEST_DB_URL: db.url, BDS_CONFIG: config, BDS_NOW: NOW } };
}

const summaryPath = (site: Site, date: string): string => join(site.dataDir, 'extract', 'acme', 'day-summary', '2026', '10', `${date}.json.gz`);
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

interface SummaryJson {
  values: { metric: string; region: string; measure: string; value: number }[];
  members: { metric: string; region: string; measure: string; gaps: number[] }[];
  [key: string]: unknown;
}

/** Adds FORGED_AGENT to the day's inbound-voice US agents and raises their count, digest rewritten. */
async function forgeSummary(site: Site, date: string): Promise<void> {
  const path = summaryPath(site, date);
  const summary = JSON.parse(gunzipSync(await readFile(path)).toString('utf8')) as SummaryJson;
  const set = summary.members.find((s) => s.metric === 'seats_inbound_voice' && s.region === 'US' && s.measure === 'enabled');
  const value = summary.values.find((v) => v.metric === 'seats_inbound_voice' && v.region === 'US' && v.measure === 'enabled');
  if (set === undefined || value === undefined) throw new Error('the summary has no inbound-voice US agents');
  const last = set.gaps.reduce((a, b) => a + b, 0);
  expect(FORGED_AGENT).toBeGreaterThan(last);
  set.gaps.push(set.gaps.length === 0 ? FORGED_AGENT : FORGED_AGENT - last);
  value.value += 1;
  const data = gzipSync(JSON.stringify(summary));
  await writeFile(path, data);
  await writeFile(`${path}.sha256`, `${sha256(data)}\n`);
}

/** The `enabled` value of a billing file's text (the spec names the value column `message_size`). */
function enabledOf(csv: string | undefined): number {
  const [header, ...rows] = (csv ?? '').trim().split('\n');
  const columns = (header ?? '').split(',');
  const row = rows.map((r) => r.split(',')).find((cells) => cells[columns.indexOf('measure')] === 'enabled');
  return Number(row?.[columns.indexOf('message_size')]);
}

/** The month's last day aggregated alone (no extraction), as the aggregate function would. */
async function aggregateLastDay(site: Site): Promise<Awaited<ReturnType<typeof runBds>>> {
  const event = join(work, `aggregate-${sites}.json`);
  await writeFile(event, JSON.stringify({ tenant: 'acme', date: '2026-10-31' }));
  return runBds(['invoke', 'aggregate', '--event', event], { env: site.env });
}

function rebuilt(stderr: string): { day: string; reason: string }[] {
  return stderr
    .split('\n')
    .filter((l) => l.includes('day summary rebuilt'))
    .map((l) => JSON.parse(l) as { day: string; reason: string });
}

describe('per-day summaries', () => {
  let reference: Site;
  let referenceBilling: Record<string, string>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'bds-day-summary-'));
    db = await createTestDatabase();
    await db.exec(seatsFixtureSql());
    reference = await createSite('october');
    const result = await runBds(['backfill', '--from', '2026-10-30', '--to', '2026-10-31', '--tenant', 'acme', '--no-transmit'], { env: reference.env });
    if (result.code !== 0) throw new Error(`the reference run failed: ${result.stderr}`);
    referenceBilling = await billingWithoutTimes(reference.dataDir);
  });

  afterAll(async () => {
    // A beforeAll that failed part-way leaves some of these unset.
    await ifSetUp(db)?.close();
    const dir = ifSetUp(work);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('are written with every aggregated day, with a digest that matches', async () => {
    for (const date of ['2026-10-30', '2026-10-31']) {
      const data = await readFile(summaryPath(reference, date));
      expect((await readFile(`${summaryPath(reference, date)}.sha256`, 'utf8')).trim()).toBe(sha256(data));
      const summary = JSON.parse(gunzipSync(data).toString('utf8')) as SummaryJson;
      expect(summary.format).toBe('bds-day-summary/1');
      // Every enabled value has its agents, as many as it says.
      for (const v of summary.values.filter((x) => x.measure === 'enabled')) {
        const set = summary.members.find((s) => s.metric === v.metric && s.region === v.region);
        expect(set?.gaps.length, `${v.metric} ${v.region}`).toBe(v.value);
      }
    }
    expect(Object.keys(referenceBilling)).toContain(MONTHLY_INBOUND_US);
    expect(enabledOf(referenceBilling[MONTHLY_INBOUND_US])).toBeGreaterThan(0);
  });

  it('make the month: an altered summary that verifies is what the month counts', async () => {
    // Prepare
    const site = await createSite('forged');
    await cp(reference.dataDir, site.dataDir, { recursive: true });
    await forgeSummary(site, '2026-10-30');

    // Act
    const result = await aggregateLastDay(site);

    // Assess: the month counted the agent only the summary has; nothing was rebuilt.
    expect(result.code, result.stderr).toBe(0);
    expect(rebuilt(result.stderr)).toEqual([]);
    const billing = await billingWithoutTimes(site.dataDir);
    expect(enabledOf(billing[MONTHLY_INBOUND_US])).toBe(enabledOf(referenceBilling[MONTHLY_INBOUND_US]) + 1);
  });

  const unusable: [string, (site: Site) => Promise<void>, RegExp][] = [
    ['deleted', async (site) => rm(summaryPath(site, '2026-10-30')), /no summary/],
    ['with a byte changed', async (site) => {
      const path = summaryPath(site, '2026-10-30');
      const bytes = await readFile(path);
      bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] ?? 0) ^ 0x01;
      await writeFile(path, bytes);
    }, /digest does not match/],
    ['whose digest file is gone', async (site) => rm(`${summaryPath(site, '2026-10-30')}.sha256`), /no summary/],
    ['made under other exclusions', async (site) => {
      const text = await readFile(site.config, 'utf8');
      await writeFile(site.config, text.replace('excludeAgents: ["^test_", "healthcheck"]', 'excludeAgents: ["^test_", "healthcheck", "^nobody_matches_this$"]'));
    }, /zone, exclusions or regions changed/],
  ];

  for (const [what, damage, reason] of unusable) {
    it(`are rebuilt from staged data when ${what}, and the month equals a recount`, async () => {
      // Prepare: the altered summary, then the damage.
      const site = await createSite('unusable');
      await cp(reference.dataDir, site.dataDir, { recursive: true });
      await forgeSummary(site, '2026-10-30');
      await damage(site);

      // Act
      const result = await aggregateLastDay(site);

      // Assess: rebuilt (and said why), the month as the reference has it, the summary sound again.
      expect(result.code, result.stderr).toBe(0);
      const found = rebuilt(result.stderr);
      expect(found.map((r) => r.day)).toEqual(['2026-10-30']);
      expect(found[0]?.reason).toMatch(reason);
      expect(await billingWithoutTimes(site.dataDir)).toEqual(referenceBilling);
      const data = await readFile(summaryPath(site, '2026-10-30'));
      expect((await readFile(`${summaryPath(site, '2026-10-30')}.sha256`, 'utf8')).trim()).toBe(sha256(data));
    });
  }

  it('are rebuilt when a day was extracted again since', async () => {
    // Prepare: the altered summary, then 10-30's GIM data extracted again (its record changes).
    const site = await createSite('re-extracted');
    await cp(reference.dataDir, site.dataDir, { recursive: true });
    await forgeSummary(site, '2026-10-30');
    const event = join(work, `extract-${sites}.json`);
    await writeFile(event, JSON.stringify({ tenant: 'acme', date: '2026-10-30' }));
    const extracted = await runBds(['invoke', 'extract-gim', '--event', event], { env: site.env });
    expect(extracted.code, extracted.stderr).toBe(0);

    // Act
    const result = await aggregateLastDay(site);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(rebuilt(result.stderr)).toEqual([expect.objectContaining({ day: '2026-10-30', reason: 'gim_sessions was extracted again since' })]);
    expect(await billingWithoutTimes(site.dataDir)).toEqual(referenceBilling);
  });
});
