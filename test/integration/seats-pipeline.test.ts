/**
 * The agent-seat pipeline end to end on a real PostgreSQL: the real `bds` command line extracts
 * the hand-made fixture, aggregates it, and every value of every file is checked against the
 * expectations worked out in the fixture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runBds } from '../helpers/cli';
import { readBillingFolder, valuesOf } from '../helpers/billing';
import {
  EXPECTED_ACME,
  EXPECTED_GLOBEX_1031,
  SEAT_METRICS,
  seatsFixtureConfig,
  seatsFixtureSql,
  type Expected,
} from '../fixtures/seats-fixture';
import { ifSetUp } from '../helpers/suite';

let db: TestDatabase;
let work: string;
let configPath: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.exec(seatsFixtureSql());
  work = await mkdtemp(join(tmpdir(), 'bds-seats-'));
  configPath = join(work, 'bds.config.yaml');
  await writeFile(configPath, seatsFixtureConfig(join(work, 'data')));
  env = { TEST_DB_URL: db.url, BDS_CONFIG: configPath };
});

afterAll(async () => {
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

function folder(tenant: string, yyyy: string, mm: string): string {
  return join(work, 'data', 'billing', tenant, yyyy, mm);
}

function assertValues(
  actual: Record<string, Record<string, Record<string, number>>>,
  expected: Expected,
  regions: readonly string[],
  metrics: readonly string[],
): void {
  for (const metric of metrics) {
    for (const region of regions) {
      const [concurrent, enabled] = expected[metric]?.[region] ?? [0, 0];
      expect({ metric, region, ...actual[metric]?.[region] }).toEqual({ metric, region, concurrent, enabled });
    }
  }
}

describe('agent seats end to end', () => {
  it('runs 2026-10-30 to 2026-11-01 through the CLI and writes the expected values', async () => {
    // Act
    for (const date of ['2026-10-30', '2026-10-31', '2026-11-01']) {
      const result = await runBds(['run', '--date', date, '--no-transmit'], { env });
      expect(result.stderr).not.toContain('"level":"error"');
      expect(result.code, result.stderr + result.stdout).toBe(0);
    }

    // Assess
    const oct = await readBillingFolder(folder('acme', '2026', '10'));
    const nov = await readBillingFolder(folder('acme', '2026', '11'));
    const pick = (files: typeof oct, code: string) => new Map([...files].filter(([name]) => name.endsWith(`_${code}.csv`)));
    for (const [files, code, expected] of [
      [oct, 'D20261030', EXPECTED_ACME['2026-10-30']],
      [oct, 'D20261031', EXPECTED_ACME['2026-10-31']],
      [nov, 'D20261101', EXPECTED_ACME['2026-11-01']],
      [oct, 'M202610', EXPECTED_ACME['2026-10']],
    ] as const) {
      const selected = pick(files, code);
      // Every metric × region has its file, zeros included.
      expect(selected.size, code).toBe(SEAT_METRICS.length * 2);
      assertValues(valuesOf(selected), expected ?? {}, ['US', 'EU'], SEAT_METRICS);
    }
    // No monthly file for a month that has not ended.
    expect([...nov.keys()].some((n) => n.includes('_M2026'))).toBe(false);
  });

  it('keeps the tenants apart: globex counts only its own agent', async () => {
    const result = await runBds(['run', '--date', '2026-10-31', '--tenant', 'globex'], { env });
    expect(result.code, result.stderr).toBe(0);
    const files = await readBillingFolder(folder('globex', '2026', '10'));
    const daily = new Map([...files].filter(([n]) => n.endsWith('_D20261031.csv')));
    expect(daily.size).toBe(2);
    assertValues(valuesOf(daily), EXPECTED_GLOBEX_1031, ['GL'], ['seats_inbound_voice', 'seats_workspace']);
  });

  it('writes files exactly as billing-files.md says: name, columns, codes, offsets, checksum', async () => {
    const dir = folder('acme', '2026', '11');
    const name = 'CNT_US_PES_seats_callback_GARN0042_acme_D20261101.csv';
    const text = await readFile(join(dir, name), 'utf8');
    expect(text).toBe(
      'garn,customer,tenant,region,metric,measure,period_type,period,period_start,period_end,timezone,channel_type,service_class,activity_type,status,agent_group_name,message_size\n' +
        'GARN0042,Acme Corp,acme,US,seats_callback,concurrent,daily,2026-11-01,2026-11-01T00:00:00-04:00,2026-11-02T00:00:00-05:00,America/New_York,,,,,1,1\n' +
        'GARN0042,Acme Corp,acme,US,seats_callback,enabled,daily,2026-11-01,2026-11-01T00:00:00-04:00,2026-11-02T00:00:00-05:00,America/New_York,,,,,,1\n',
    );
    const outbound = await readFile(join(folder('acme', '2026', '10'), 'CNT_US_PES_seats_outbound_GARN0042_acme_M202610.csv'), 'utf8');
    expect(outbound.split('\n')[1]).toBe(
      'GARN0042,Acme Corp,acme,US,seats_outbound,concurrent,monthly,2026-10,2026-10-01T00:00:00-04:00,2026-11-01T00:00:00-04:00,America/New_York,4,23,5,AGENT_SEATS,1,1',
    );
    // sha256sum -c accepts every side file.
    const sums = (await readdir(dir)).filter((n) => n.endsWith('.sha256'));
    expect(sums.length).toBe(SEAT_METRICS.length * 2);
    const checked = execFileSync('sha256sum', ['-c', ...sums], { cwd: dir, encoding: 'utf8' });
    expect(checked.trim().split('\n').every((l) => l.endsWith(': OK'))).toBe(true);
    // The manifest lists every file with its digest and the staged inputs.
    const manifest = JSON.parse(await readFile(join(dir, 'manifest_acme_D20261101.json'), 'utf8')) as {
      files: { name: string; sha256: string }[];
      inputs: { dataset: string; snapshotAt?: string }[];
    };
    expect(manifest.files.map((f) => f.name)).toContain(name);
    expect(manifest.inputs.map((i) => i.dataset).sort()).toEqual(['cfg_agent_switches', 'gim_sessions']);
    expect(manifest.inputs.find((i) => i.dataset === 'cfg_agent_switches')?.snapshotAt).toMatch(/^2\d{3}-/);
  });

  it('re-running a day produces byte-identical files', async () => {
    const dir = folder('acme', '2026', '10');
    const before = new Map<string, string>();
    for (const n of await readdir(dir)) if (n.endsWith('.csv') || n.endsWith('.sha256')) before.set(n, await readFile(join(dir, n), 'utf8'));
    const result = await runBds(['run', '--date', '2026-10-31', '--tenant', 'acme'], { env });
    expect(result.code, result.stderr).toBe(0);
    const after = new Map<string, string>();
    for (const n of await readdir(dir)) if (n.endsWith('.csv') || n.endsWith('.sha256')) after.set(n, await readFile(join(dir, n), 'utf8'));
    expect(after).toEqual(before);
    expect((await readdir(dir)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });
});

describe('failures', () => {
  it('a source that cannot be reached fails extraction (exit 8) and leaves no partial dataset or file', async () => {
    // Prepare: the same configuration, pointed at a port nobody listens on, and a fresh data dir.
    const dataDir = join(work, 'data-broken');
    const broken = join(work, 'broken.yaml');
    await writeFile(broken, seatsFixtureConfig(dataDir));
    // Act
    const result = await runBds(['run', '--date', '2026-10-31', '--tenant', 'acme', '--config', broken], {
      env: { TEST_DB_URL: 'postgres://bds:s3cret-pw@127.0.0.1:1/gim' },
    });
    // Assess
    expect(result.code).toBe(8);
    expect(result.stdout + result.stderr).toContain('gim');
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw');
    const left = await readdir(dataDir, { recursive: true }).catch(() => [] as string[]);
    expect(left.filter((p) => p.endsWith('.csv') || p.endsWith('.csv.gz') || p.includes('.tmp-'))).toEqual([]);
  });

  it('an invalid configuration exits 78 and names the key', async () => {
    const bad = join(work, 'bad.yaml');
    await writeFile(bad, seatsFixtureConfig(join(work, 'x')).replace('timezone: America/New_York', 'timezone: Mars/Base'));
    const result = await runBds(['run', '--date', '2026-10-31', '--config', bad], { env });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('tenants[0].timezone');
    expect(result.stderr).toContain('Mars/Base');
  });

  it('a malformed --date exits 64 and says what is expected', async () => {
    const result = await runBds(['run', '--date', '31/10/2026'], { env });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('YYYY-MM-DD');
  });

  it('a day that has not ended yet is refused with exit 64', async () => {
    const result = await runBds(['run', '--date', '2099-01-01'], { env });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('has not ended');
  });
});
