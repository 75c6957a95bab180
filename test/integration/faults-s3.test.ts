/**
 * S3 faults (docs/reliability.md): the real `bds` command delivers through a fault proxy
 * (test/helpers/fault-proxy.ts) in front of a real s3rver. While the proxy refuses connections or
 * answers 500, a run ends after its bounded retries with exit code 2, keeps every billing file and
 * records nothing it did not deliver; once the proxy passes again, the next run delivers every
 * pending file exactly once (counted in s3rver's own log). Slow answers and answers lost after the
 * store acted cost time or a retry, never a second upload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBds } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startFaultProxy, type FaultProxy, type ProxyBehaviour } from '../helpers/fault-proxy';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver';
import { seatsFixtureConfig, seatsFixtureSql } from '../fixtures/seats-fixture';
import { ifSetUp } from '../helpers/suite';

// The last ended day is 2026-10-31 for acme: catch-up makes 10-30, 10-31 and October.
const NOW = '2026-11-01T15:00:00Z';
// The product's retry policy (lib/transmit/retry.ts; files in flight: lib/transmit/transmit.ts): attempts per file, and files in flight.
const ATTEMPTS = 5;
const CONCURRENCY = 4;

let db: TestDatabase;
let s3: S3rverHandle;
let proxy: FaultProxy;
let work: string;
let sites = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bds-faults-s3-'));
  db = await createTestDatabase();
  await db.exec(seatsFixtureSql());
  s3 = await startS3rver({ bucket: 'billing-inbox' });
  proxy = await startFaultProxy(s3.endpoint);
});

afterAll(async () => {
  await ifSetUp(proxy)?.close();
  await ifSetUp(s3)?.close();
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

interface Site {
  readonly dataDir: string;
  readonly prefix: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A deployment of tenant acme with two seat metrics (12 files), whose S3 endpoint is the proxy. */
async function createSite(name: string): Promise<Site> {
  sites += 1;
  const dataDir = join(work, `${sites}-${name}`, 'data');
  const prefix = `faults/${sites}-${name}`;
  const config = join(work, `${sites}-${name}.yaml`);
  const yaml = seatsFixtureConfig(dataDir).replace(/metrics: \[seats_inbound_voice, seats_outbound[^\]]*\]/, 'metrics: [seats_inbound_voice, seats_chat]');
  expect(yaml).toContain('metrics: [seats_inbound_voice, seats_chat]');
  await writeFile(
    config,
    yaml +
      `transmit:
  s3:
    bucket: ${s3.bucket}
    prefix: ${prefix}
    region: us-east-1
    endpoint: ${proxy.endpoint}
    forcePathStyle: true
    accessKeyId: S3RVER
    secretAccessKey: S3RVER
    requestChecksumCalculation: WHEN_REQUIRED
`,
  );
  return { dataDir, prefix, env: { TEST_DB_URL: db.url, BDS_CONFIG: config, BDS_NOW: NOW } };
}

interface BillingFile {
  /** Path under billing/, as the ledger names it. */
  readonly file: string;
  readonly sha256: string;
  /** SHA-256 of what is on disk now. */
  readonly onDisk: string;
}

/** Every billing file acme's manifests list, with the digest listed and the digest on disk. */
async function billingFiles(dataDir: string): Promise<BillingFile[]> {
  const files: BillingFile[] = [];
  const root = join(dataDir, 'billing', 'acme', '2026', '10');
  for (const name of (await readdir(root)).filter((n) => n.startsWith('manifest_')).sort()) {
    const manifest = JSON.parse(await readFile(join(root, name), 'utf8')) as { files: { name: string; sha256: string }[] };
    for (const f of manifest.files) {
      const bytes = await readFile(join(root, f.name));
      files.push({ file: `acme/2026/10/${f.name}`, sha256: f.sha256, onDisk: createHash('sha256').update(bytes).digest('hex') });
    }
  }
  return files;
}

async function ledger(dataDir: string): Promise<{ file: string; target: string; sha256: string }[]> {
  const text = await readFile(join(dataDir, 'state', 'ledger.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { file: string; target: string; sha256: string });
}

async function watermarks(dataDir: string): Promise<Record<string, string>> {
  return JSON.parse(await readFile(join(dataDir, 'state', 'watermarks', 'acme.json'), 'utf8')) as Record<string, string>;
}

/** Every object stored under the site's prefix, with how many times s3rver stored it. */
async function storesUnder(prefix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const key of await s3.storedKeys()) if (key.startsWith(`${prefix}/`)) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** Asserts that every billing file and its side file is in the bucket, right, and was stored exactly once. */
async function expectDeliveredOnce(site: Site, files: readonly BillingFile[]): Promise<void> {
  const stores = await storesUnder(site.prefix);
  const expectedKeys = files.flatMap((f) => [`${site.prefix}/${f.file}`, `${site.prefix}/${f.file}.sha256`]).sort();
  expect([...stores.keys()].sort()).toEqual(expectedKeys);
  expect([...stores.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  for (const f of files) expect((await s3.digestOf(`${site.prefix}/${f.file}`))?.sha256).toBe(f.sha256);
  const records = await ledger(site.dataDir);
  expect(records.map((r) => `${r.file} ${r.target} ${r.sha256}`).sort()).toEqual(
    files.map((f) => `${f.file} ${site.prefix}/${f.file} ${f.sha256}`).sort(),
  );
}

describe('S3 unreachable or failing', () => {
  const outages: [string, ProxyBehaviour, RegExp][] = [
    ['refused connections', { kind: 'refuse' }, /socket hang up|ECONNRESET|ECONNREFUSED/],
    ['500 InternalError answers', { kind: 'error', status: 500, code: 'InternalError' }, /HTTP 500/],
    ['503 SlowDown answers', { kind: 'error', status: 503, code: 'SlowDown' }, /HTTP 503/],
  ];
  for (const [what, behaviour, logged] of outages) {
    it(`gives up after bounded retries on ${what} (exit 2, nothing lost), then delivers every pending file exactly once`, { timeout: 120_000 }, async () => {
      // Prepare
      const site = await createSite(what.split(' ')[0] ?? 'outage');
      proxy.set(behaviour);
      proxy.clearRecords();

      // Act: the whole pipeline while the inbox fails.
      const down = await runBds(['catch-up', '--tenant', 'acme'], { env: site.env });

      // Assess: extraction and aggregation done; the delivery failed with the transmission bit only.
      expect(down.code, down.stderr).toBe(2);
      expect(down.stdout).toMatch(/acme: 0 delivered, \d+ FAILED \(kept, retried next run\)/);
      expect(down.stderr).toMatch(logged);
      // The retry bound: at most ATTEMPTS attempts of each file in flight, then the destination is given up for the run.
      const attempts = proxy.records();
      expect(attempts.length).toBeGreaterThanOrEqual(ATTEMPTS);
      expect(attempts.length).toBeLessThanOrEqual(ATTEMPTS * CONCURRENCY);
      expect(attempts.every((r) => r.applied === behaviour.kind && !r.forwarded)).toBe(true);
      // Nothing lost, nothing claimed: every file is on disk as its manifest says, the ledger is empty, the bucket too.
      const files = await billingFiles(site.dataDir);
      expect(files).toHaveLength(12);
      expect(files.filter((f) => f.onDisk !== f.sha256)).toEqual([]);
      expect(await ledger(site.dataDir)).toEqual([]);
      expect((await storesUnder(site.prefix)).size).toBe(0);
      expect(await watermarks(site.dataDir)).toEqual({ extract: '2026-10-31', aggregate: '2026-10-31' });

      // Act: the inbox is back; the next scheduled run has no day left, only deliveries.
      proxy.set({ kind: 'pass' });
      const back = await runBds(['catch-up', '--tenant', 'acme'], { env: site.env });

      // Assess
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toContain('nothing to do');
      expect(back.stdout).toContain('acme: 12 delivered');
      await expectDeliveredOnce(site, files);
      expect(await watermarks(site.dataDir)).toEqual({ extract: '2026-10-31', aggregate: '2026-10-31', transmit: '2026-10-31' });

      // And a third run sends nothing.
      const again = await runBds(['catch-up', '--tenant', 'acme'], { env: site.env });
      expect(again.code).toBe(0);
      expect(again.stdout).not.toContain('delivered');
      await expectDeliveredOnce(site, files);
    });
  }

  it('delivers through slow answers, each object once (one attempt per request, no retry)', { timeout: 120_000 }, async () => {
    // Prepare: every request waits before it reaches the store.
    const site = await createSite('slow');
    proxy.set({ kind: 'delay', ms: 150 });
    proxy.clearRecords();

    // Act
    const result = await runBds(['catch-up', '--tenant', 'acme'], { env: site.env });
    proxy.set({ kind: 'pass' });

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('acme: 12 delivered');
    expect(result.stderr).not.toContain('retrying');
    const files = await billingFiles(site.dataDir);
    await expectDeliveredOnce(site, files);
    // One PutObject per object: a slow answer was waited for, not given up on and sent again.
    expect(proxy.records().filter((r) => r.method === 'PUT' && r.path.startsWith(`/${s3.bucket}/${site.prefix}/`))).toHaveLength(files.length * 2);
  });

  const lostAnswers: [string, ProxyBehaviour][] = [
    ['answered 500', { kind: 'error', status: 500, afterForward: true }],
    ['dropped the connection', { kind: 'refuse', afterForward: true }],
  ];
  for (const [what, behaviour] of lostAnswers) {
    it(`does not upload twice when the store stored an object but the way back ${what}`, { timeout: 120_000 }, async () => {
      // Prepare: the first three uploads reach the store, their answers do not reach BDS.
      const site = await createSite(`lost-${behaviour.kind}`);
      proxy.set(behaviour, { only: (r) => r.method === 'PUT', times: 3 });
      proxy.clearRecords();

      // Act
      const result = await runBds(['catch-up', '--tenant', 'acme'], { env: site.env });
      proxy.set({ kind: 'pass' });

      // Assess: retried within the run, found at the store, recorded without sending again.
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('delivery attempt failed; retrying');
      expect(proxy.records().filter((r) => r.applied === behaviour.kind && r.forwarded)).toHaveLength(3);
      const files = await billingFiles(site.dataDir);
      await expectDeliveredOnce(site, files);
    });
  }
});
