/**
 * `bds explain` and the invoice detail files end to end on a real PostgreSQL, with the real
 * command line: the hand-made seats fixture is run through `bds run`, then explained from the
 * staged data — human, CSV and JSON output, names only when asked, detail files listed in the
 * manifest and byte-identical on a re-run, a billing file that no longer matches its staged
 * data refused (65), missing staged data (4), usage errors (64), and a copied data directory
 * explained with no database reachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runBds } from '../helpers/cli';
import { seatsFixtureConfig, seatsFixtureSql, SEAT_METRICS } from '../fixtures/seats-fixture';
import { listBillingFiles } from '../../lib/transmit/listing';

let db: TestDatabase | undefined;
let work: string | undefined;
let env: NodeJS.ProcessEnv;

/** The fixture's configuration with detail files for acme (no names) and globex (names). */
function config(dataDir: string): string {
  const text = seatsFixtureConfig(dataDir);
  const [acme, globex] = text.split('  - id: globex');
  const tenants = `${(acme ?? '').replace('    excludeAgents:', '    detail: true\n    excludeAgents:')}  - id: globex${(globex ?? '').replace(/(\n {4}gimTenantKey: 2\n)/, '$1    detail: { names: true }\n')}`;
  // A copyTo folder: detail files must be delivered wherever billing files are.
  return `${tenants.trimEnd()}\ntransmit:\n  copyTo: [${join(dataDir, '..', 'delivered')}]\n`;
}

/** The test's work folder, created by beforeAll. */
function dir(): string {
  if (work === undefined) throw new Error('beforeAll did not run');
  return work;
}

const acmeOct = (): string => join(dir(), 'data', 'billing', 'acme', '2026', '10');

function rows(csv: string): Record<string, string>[] {
  return parse(csv, { columns: true });
}

beforeAll(async () => {
  const database = await createTestDatabase();
  db = database;
  await database.exec(seatsFixtureSql());
  const folder = await mkdtemp(join(tmpdir(), 'bds-explain-'));
  work = folder;
  await writeFile(join(folder, 'bds.config.yaml'), config(join(folder, 'data')));
  // A copyTo folder is never created by bds (it is a share that must be mounted).
  await mkdir(join(folder, 'delivered'));
  env = { TEST_DB_URL: database.url, BDS_CONFIG: join(folder, 'bds.config.yaml') };
  for (const date of ['2026-10-30', '2026-10-31']) {
    const result = await runBds(['run', '--date', date, '--no-transmit'], { env });
    if (result.code !== 0) throw new Error(`bds run ${date}: ${result.stderr}${result.stdout}`);
  }
}, 240_000);

afterAll(async () => {
  await db?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('bds explain', () => {
  it('tells who made the concurrent number: the peak second, the agents, their sessions; names only with --names', async () => {
    const args = ['explain', '--tenant', 'acme', '--metric', 'seats_inbound_voice', '--region', 'US', '--measure', 'concurrent', '--date', '2026-10-31'];
    const text = await runBds(args, { env });
    expect(text.code, text.stderr).toBe(0);
    const [headline, second, billed] = text.stdout.split('\n');
    expect(headline).toBe('seats_inbound_voice concurrent, tenant acme, region US, 2026-10-31 (America/New_York): 2');
    // dave's session [05:00Z, 06:00Z) is the first second alice and dave share.
    expect(second).toBe('first reached at 2026-10-31T01:00:00-04:00 (2026-10-31T05:00:00Z); 2 agents active in that second');
    expect(billed).toContain('billed 2 in CNT_US_PES_seats_inbound_voice_GARN0042_acme_D20261031.csv');
    expect(text.stdout).toContain('agent names hidden');
    expect(text.stdout).not.toMatch(/alice|dave/);

    const csv = await runBds([...args, '--csv', '--names'], { env });
    expect(csv.code, csv.stderr).toBe(0);
    const listed = rows(csv.stdout);
    expect(listed.map((r) => [r.resource_name, r.location, r.region, r.second_utc])).toEqual([
      ['alice', 'NYC', 'US', '2026-10-31T05:00:00Z'],
      ['dave', 'NYC', 'US', '2026-10-31T05:00:00Z'],
    ]);
  });

  it('prints a documented JSON shape', async () => {
    const json = await runBds(['explain', '--tenant', 'acme', '--metric', 'seats_outbound', '--region', 'US', '--measure', 'enabled', '--date', '2026-10-31', '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    const e = JSON.parse(json.stdout) as Record<string, unknown> & { rows: Record<string, unknown>[]; columns: string[] };
    expect(e).toMatchObject({
      format: 'bds-explain/1',
      tenant: 'acme',
      metric: 'seats_outbound',
      region: 'US',
      measure: 'enabled',
      periodType: 'daily',
      period: '2026-10-31',
      timezone: 'America/New_York',
      value: 1,
      rule: 'rows',
      at: null,
      names: false,
      billed: { file: 'CNT_US_PES_seats_outbound_GARN0042_acme_D20261031.csv', value: 1 },
    });
    expect(e.columns).not.toContain('resource_name');
    expect(e.rows).toHaveLength(1);
    expect(e.rows[0]).toMatchObject({ qualifying_media: 'VOICE', qualifying_subtype: 'OUTBOUNDCONTACT', region: 'US' });
  });

  it('gives as many CSV rows as the billed values of the day and the month', async () => {
    for (const [flag, period, code] of [
      ['--date', '2026-10-31', 'D20261031'],
      ['--month', '2026-10', 'M202610'],
    ] as const) {
      // A sample through the CLI (a process each); test/integration/explain-oracle.test.ts checks every value of random worlds.
      for (const metric of SEAT_METRICS.filter((m) => ['seats_inbound_voice', 'seats_outbound', 'seats_chat'].includes(m))) {
        for (const region of ['US', 'EU']) {
          const file = rows(await readFile(join(acmeOct(), `CNT_${region}_PES_${metric}_GARN0042_acme_${code}.csv`), 'utf8'));
          for (const row of file) {
            const out = await runBds(['explain', '--tenant', 'acme', '--metric', metric, '--region', region, '--measure', row.measure ?? '', flag, period, '--csv'], { env });
            expect(out.code, out.stderr).toBe(0);
            expect({ metric, region, period, measure: row.measure, rows: rows(out.stdout).length }).toEqual({
              metric,
              region,
              period,
              measure: row.measure,
              rows: Number(row.message_size),
            });
          }
        }
      }
    }
  }, 240_000);

  it('refuses a billing file that no longer matches its staged data, naming both values and the fix', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'bds-explain-edited-'));
    try {
      await cp(join(dir(), 'data'), join(copy, 'data'), { recursive: true });
      await writeFile(join(copy, 'bds.config.yaml'), config(join(copy, 'data')));
      const name = 'CNT_US_PES_seats_inbound_voice_GARN0042_acme_D20261031.csv';
      const path = join(copy, 'data', 'billing', 'acme', '2026', '10', name);
      const original = await readFile(path, 'utf8');
      await writeFile(path, original.replace(/,2\n/, ',7\n'));
      const cenv = { ...env, BDS_CONFIG: join(copy, 'bds.config.yaml') };
      const out = await runBds(['explain', '--tenant', 'acme', '--metric', 'seats_inbound_voice', '--region', 'US', '--measure', 'concurrent', '--date', '2026-10-31'], { env: cenv });
      expect(out.code).toBe(65);
      expect(out.stdout).toBe('');
      expect(out.stderr).toContain(`${name} bills 7`);
      expect(out.stderr).toContain('staged data now gives 2');
      expect(out.stderr).toContain('re-run aggregation for 2026-10-31');

      // Missing staged data: the aggregation bit, naming the dataset, the date and the fix.
      await rm(join(copy, 'data', 'extract', 'acme', 'gim_sessions', '2026', '10', '2026-10-30.meta.json'));
      const missing = await runBds(['explain', '--tenant', 'acme', '--metric', 'seats_chat', '--region', 'EU', '--measure', 'enabled', '--month', '2026-10'], { env: cenv });
      expect(missing.code).toBe(4);
      expect(missing.stderr).toContain('staged data missing for gim_sessions 2026-10-30');
      expect(missing.stderr).toContain('`bds run --date 2026-10-30 --tenant acme`');
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('explains a copied data directory with no database reachable', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'bds-explain-offline-'));
    try {
      await cp(join(dir(), 'data'), join(copy, 'moved'), { recursive: true });
      await writeFile(join(copy, 'bds.config.yaml'), config(join(copy, 'moved')));
      const out = await runBds(['explain', '--tenant', 'acme', '--metric', 'seats_workspace', '--region', 'EU', '--measure', 'concurrent', '--date', '2026-10-31', '--csv'], {
        env: { BDS_CONFIG: join(copy, 'bds.config.yaml'), TEST_DB_URL: 'postgres://nobody@127.0.0.1:1/none' },
      });
      expect(out.code, out.stderr).toBe(0);
      expect(rows(out.stdout).length).toBeGreaterThan(0);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('refuses bad requests with the usage exit code', async () => {
    const base = ['explain', '--tenant', 'acme'];
    const cases: [string[], string][] = [
      [[...base, '--date', '2026-10-31'], '--metric KEY is required'],
      [[...base, '--metric', 'seats_chat', '--region', 'US', '--measure', 'enabled', '--date', '2026-10-31', '--month', '2026-10'], 'one of them'],
      [[...base, '--metric', 'gvp_ports', '--region', 'US', '--date', '2026-10-31'], 'tenant acme bills'],
      [[...base, '--metric', 'seats_chat', '--measure', 'enabled', '--date', '2026-10-31'], 'add --region US|EU'],
      [[...base, '--metric', 'seats_chat', '--region', 'US', '--date', '2026-10-31'], 'add --measure concurrent|enabled'],
      [[...base, '--metric', 'seats_chat', '--region', 'US', '--measure', 'peak', '--date', '2026-10-31'], '--measure peak'],
      [[...base, '--metric', 'seats_chat', '--region', 'US', '--measure', 'enabled', '--date', '2026-10-31', '--json', '--csv'], 'alternatives'],
      [[...base, '--metric', 'seats_chat', '--region', 'US', '--measure', 'enabled', '--month', '2026-13'], 'not a month'],
      [[...base, '--metric', 'seats_chat', '--region', 'US', '--measure', 'enabled', '--date', '2026-10-01'], 'before tenant acme'],
    ];
    for (const [args, message] of cases) {
      const out = await runBds(args, { env });
      expect({ args, code: out.code }).toEqual({ args, code: 64 });
      expect(out.stderr).toContain(message);
    }
  });
});

describe('invoice detail files', () => {
  it('writes <file>.detail.csv with its .sha256 next to every billing file, lists it in the manifest and for delivery', async () => {
    const names = (await readdir(acmeOct())).sort();
    const billing = names.filter((n) => /^CNT_.*\.csv$/.test(n) && !n.endsWith('.detail.csv'));
    expect(billing.length).toBeGreaterThan(0);
    const manifest = JSON.parse(await readFile(join(acmeOct(), 'manifest_acme_D20261031.json'), 'utf8')) as {
      details: { name: string; of: string; sha256: string; rows: number }[];
    };
    for (const name of billing) {
      const detail = await readFile(join(acmeOct(), `${name}.detail.csv`), 'utf8');
      const sha = createHash('sha256').update(detail).digest('hex');
      expect(await readFile(join(acmeOct(), `${name}.detail.csv.sha256`), 'utf8')).toBe(`${sha}  ${name}.detail.csv\n`);
      // Each measure has as many detail rows as its billed value.
      const billed = rows(await readFile(join(acmeOct(), name), 'utf8'));
      const listed = rows(detail);
      for (const b of billed) expect({ name, measure: b.measure, rows: listed.filter((r) => r.measure === b.measure).length }).toEqual({ name, measure: b.measure, rows: Number(b.message_size) });
      // acme has `detail: true`: no names.
      expect(detail.split('\n')[0]).not.toContain('resource_name');
      if (name.includes('D20261031')) expect(manifest.details.find((d) => d.of === name)).toMatchObject({ name: `${name}.detail.csv`, sha256: sha, rows: listed.length });
    }
    const listing = await listBillingFiles(join(dir(), 'data'), 'acme');
    expect(listing.files.filter((f) => f.name.endsWith('.detail.csv')).length).toBe(billing.length);
    expect(listing.unlisted).toEqual([]);
  });

  it('shows names only where the configuration says detail: { names: true }', async () => {
    const folder = join(dir(), 'data', 'billing', 'globex', '2026', '10');
    const detail = (await readdir(folder)).find((n) => n.endsWith('_D20261031.csv.detail.csv') && n.includes('seats_workspace'));
    expect(detail).toBeDefined();
    expect((await readFile(join(folder, detail ?? ''), 'utf8')).split('\n')[0]).toContain('resource_name');
  });

  it('writes the same bytes when the day is run again', async () => {
    const before = new Map<string, string>();
    for (const n of (await readdir(acmeOct())).filter((n) => n.includes('.detail.csv'))) before.set(n, await readFile(join(acmeOct(), n), 'utf8'));
    // This time with transmission, to the copyTo folder.
    const again = await runBds(['run', '--date', '2026-10-31'], { env });
    expect(again.code, again.stderr).toBe(0);
    for (const [n, text] of before) expect({ n, same: (await readFile(join(acmeOct(), n), 'utf8')) === text }).toEqual({ n, same: true });
    expect(before.size).toBeGreaterThan(0);
    // Delivered with the billing files, side files included.
    const delivered = await readdir(join(dir(), 'delivered', 'acme', '2026', '10'));
    for (const n of before.keys()) expect({ n, delivered: delivered.includes(n) }).toEqual({ n, delivered: true });
  }, 120_000);
});
