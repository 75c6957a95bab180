/**
 * Transmission against real parts: a real s3rver child process, real billing files written by
 * the real period writer in the real layout, real copyTo folders, the real ledger on disk, the
 * upload handler as Lambda would call it, and a real child process SIGKILLed mid-delivery.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { parseConfig } from '../../lib/config/load';
import type { BdsConfig, TenantConfig } from '../../lib/config/types';
import { writeFileAtomic } from '../../lib/files/atomic';
import { checksumLine, periodFolder, type Period } from '../../lib/files/billing-file';
import { billingFolder, GLOBAL_REGION, hasFileFor, manifestName, writePeriodFiles, type Manifest } from '../../lib/files/period-writer';
import { createLogger, type Logger } from '../../lib/log/logger';
import { createRuntime, type Runtime } from '../../lib/runtime/runtime';
import { resolveMetrics } from '../../lib/metrics/resolve';
import { dayBounds, monthBounds } from '../../lib/time/calendar';
import { LedgerError } from '../../lib/transmit/errors';
import { ledgerPath, readLedger, type LedgerRecord } from '../../lib/transmit/ledger';
import { deliveryStatus } from '../../lib/transmit/status';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from '../../lib/transmit/retry';
import type { TransmitSummary } from '../../lib/transmit/summary';
import { transmitPending } from '../../lib/transmit/transmit';
import { handler } from '../../handlers/upload';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver';
import { ifSetUp, restoreEnv } from '../helpers/suite';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FAST_RETRY: Partial<RetryPolicy> = { baseDelayMs: 1, maxDelayMs: 5 };

let s3: S3rverHandle;
const work: string[] = [];

beforeAll(async () => {
  s3 = await startS3rver({ bucket: 'billing-inbox' });
});

afterAll(async () => {
  await ifSetUp(s3)?.close();
  for (const dir of work) await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  // A test that stops the server must not leave it down for the next one.
  await s3.start();
});

// ---------------------------------------------------------------------------------------------
// Preparing a deployment
// ---------------------------------------------------------------------------------------------

interface Site {
  readonly dir: string;
  readonly configPath: string;
  readonly config: BdsConfig;
  readonly prefix: string;
  readonly copyTo: readonly string[];
  readonly runtime: Runtime;
  readonly log: Logger;
  readonly logLines: string[];
}

let sites = 0;

/** A data folder, copyTo folders and a configuration written as an operator would, loaded by the real loader. */
async function createSite(options: { copyTo?: number; bucket?: string; secretAccessKey?: string } = {}): Promise<Site> {
  const dir = await mkdtemp(join(tmpdir(), 'bds-transmit-'));
  work.push(dir);
  sites += 1;
  const prefix = `premise/GARN0042/site${sites}`;
  const copyTo = Array.from({ length: options.copyTo ?? 0 }, (_, i) => join(dir, `copy${i + 1}`));
  // An operator's copyTo folders exist (bds never creates one: see the test of a missing one).
  for (const root of copyTo) await mkdir(root);
  const yaml = `
customer: { garn: GARN0042, name: Acme Corp }
dataDir: ./data
sources:
  gim: { client: pg, connectionString: "postgres://bds@127.0.0.1:1/gim" }
  config: { client: pg, connectionString: "postgres://bds@127.0.0.1:1/config" }
tenants:
  - id: acme
    gimTenantKey: 1
    cfgTenantDbid: 101
    timezone: America/New_York
    productionDate: 2026-01-01
    metrics: [seats_inbound_voice, seats_chat, voicemail_boxes]
    regions:
      - { code: US, locations: [{ code: MAIN, switches: [] }] }
      - { code: EU, locations: [{ code: PAR, switches: [SIP_PAR] }] }
  - id: beta
    gimTenantKey: 2
    cfgTenantDbid: 202
    timezone: Europe/Paris
    productionDate: 2026-01-01
    metrics: [seats_outbound]
    regions:
      - { code: EU, locations: [{ code: HQ, switches: [] }] }
transmit:
  s3:
    bucket: ${options.bucket ?? s3.bucket}
    prefix: ${prefix}
    region: us-east-1
    endpoint: ${s3.endpoint}
    forcePathStyle: true
    accessKeyId: S3RVER
    secretAccessKey: ${options.secretAccessKey ?? 'S3RVER'}
    requestChecksumCalculation: WHEN_REQUIRED
  copyTo: [${copyTo.map((c) => JSON.stringify(c)).join(', ')}]
`;
  const configPath = join(dir, 'bds.config.yaml');
  await writeFile(configPath, yaml);
  const { config } = parseConfig(yaml, { format: 'yaml', configPath, env: {} });
  const logLines: string[] = [];
  // Loaded without registering its secrets, as a library caller may: transmission registers the
  // destinations' own with the runtime's registry, which the log is redacted with.
  const runtime = createRuntime({ env: {} });
  const log = createLogger({ write: (line) => logLines.push(line), level: 'debug', secrets: runtime.secrets });
  return { dir, configPath, config, runtime, prefix, copyTo, log, logLines };
}

function tenantOf(site: Site, id: string): TenantConfig {
  const tenant = site.config.tenants.find((t) => t.id === id);
  if (tenant === undefined) throw new Error(`no tenant ${id}`);
  return tenant;
}

const day = (date: string): Period => ({ type: 'daily', date });
const month = (m: string): Period => ({ type: 'monthly', month: m });

/** Writes one period's billing files with the real writer; `seed` varies the values (a re-run with other data). */
async function writePeriod(site: Site, tenantId: string, period: Period, seed = 1): Promise<Manifest> {
  const tenant = tenantOf(site, tenantId);
  const metrics = resolveMetrics(site.config, tenant);
  const values = metrics.flatMap((metric, m) =>
    (metric.scope === 'global' ? [GLOBAL_REGION] : tenant.regions.map((r) => r.code)).flatMap((region, r) =>
      metric.measures.map((measure, k) => ({ metric: metric.key, region, measure: measure.measure, value: seed * 100 + m * 10 + r + k })),
    ),
  );
  expect(metrics.some((metric) => hasFileFor(metric, period))).toBe(true);
  return writePeriodFiles({
    config: site.config,
    tenant,
    period,
    bounds: period.type === 'daily' ? dayBounds(period.date, tenant.timezone) : monthBounds(period.month, tenant.timezone),
    metrics,
    values,
    inputs: [],
    stats: {},
    modes: site.runtime.fileModes,
  });
}

interface Expected {
  readonly file: string;
  readonly key: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly path: string;
}

function expectedOf(site: Site, tenant: string, period: Period, manifest: Manifest): Expected[] {
  const folder = billingFolder(site.config.dataDir, tenant, period);
  return manifest.files.map((f) => ({
    file: `${tenant}/${periodFolder(period)}/${f.name}`,
    key: `${site.prefix}/${tenant}/${periodFolder(period)}/${f.name}`,
    sha256: f.sha256,
    bytes: f.bytes,
    path: join(folder, f.name),
  }));
}

function sha256Of(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function keysUnder(prefix: string): Promise<string[]> {
  return (await s3.keys()).filter((k) => k.startsWith(`${prefix}/`));
}

function s3Summary(summary: TransmitSummary, tenant: string): TransmitSummary['destinations'][number] {
  const found = summary.destinations.find((d) => d.tenant === tenant && d.destination.startsWith('s3://'));
  if (found === undefined) throw new Error(`no S3 summary for ${tenant}`);
  return found;
}

function summaryFor(summary: TransmitSummary, tenant: string, destination: string): TransmitSummary['destinations'][number] {
  const found = summary.destinations.find((d) => d.tenant === tenant && d.destination === destination);
  if (found === undefined) throw new Error(`no summary for ${tenant} ${destination}`);
  return found;
}

async function ledgerRecords(site: Site): Promise<readonly LedgerRecord[]> {
  return (await readLedger(site.config.dataDir)).records;
}

/** Every file under a folder, relative path → SHA-256. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(join(dir, sub), { withFileTypes: true })) {
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) await walk(rel);
      else out.set(rel, sha256Of(await readFile(join(dir, rel))));
    }
  };
  await walk('');
  return out;
}

async function withEnv<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    restoreEnv(saved);
  }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('transmission to S3', () => {
  it('delivers every billing file to its key with the right bytes, and a second run sends nothing', async () => {
    // Prepare
    const site = await createSite();
    const periods: [string, Period][] = [
      ['acme', day('2026-10-30')],
      ['acme', day('2026-10-31')],
      ['acme', month('2026-10')],
      ['acme', day('2026-11-01')],
      ['beta', day('2026-10-31')],
    ];
    const expected: Expected[] = [];
    for (const [tenant, period] of periods) expected.push(...expectedOf(site, tenant, period, await writePeriod(site, tenant, period)));
    expect(expected.length).toBeGreaterThan(10);

    // Act
    const first = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess: every CSV and its .sha256 object, nothing else (no manifest), each uploaded once.
    expect(first.ok).toBe(true);
    expect(first.exitCode).toBe(0);
    expect([...s3Summary(first, 'acme').delivered, ...s3Summary(first, 'beta').delivered].sort()).toEqual(expected.map((e) => e.file).sort());
    expect(await keysUnder(site.prefix)).toEqual(expected.flatMap((e) => [e.key, `${e.key}.sha256`]).sort());
    for (const e of expected) {
      expect(await s3.digestOf(e.key)).toEqual({ sha256: e.sha256, bytes: e.bytes });
      expect(e.sha256).toBe(sha256Of(await readFile(e.path)));
      const head = await s3.head(e.key);
      expect(head?.ContentType).toBe('text/csv');
      expect(head?.Metadata?.sha256).toBe(e.sha256);
      expect(await s3.text(`${e.key}.sha256`)).toBe(await readFile(`${e.path}.sha256`, 'utf8'));
      expect(await s3.text(`${e.key}.sha256`)).toBe(checksumLine(e.sha256, e.key.split('/').pop() ?? ''));
      expect(await s3.uploadsOf(e.key)).toBe(1);
      expect(await s3.uploadsOf(`${e.key}.sha256`)).toBe(1);
    }
    const records = await ledgerRecords(site);
    expect(records.map((r) => [r.file, r.destination, r.target, r.sha256, r.bytes]).sort()).toEqual(
      expected.map((e) => [e.file, `s3://${s3.bucket}/${site.prefix}`, e.key, e.sha256, e.bytes]).sort(),
    );

    // Act: again, with the ledger.
    const second = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess: nothing sent, everything known from the ledger.
    expect(second.ok).toBe(true);
    for (const d of second.destinations) {
      expect(d.delivered).toEqual([]);
      expect(d.skippedAlreadyThere).toEqual([]);
    }
    expect(s3Summary(second, 'acme').alreadyDelivered + s3Summary(second, 'beta').alreadyDelivered).toBe(expected.length);
    expect(await ledgerRecords(site)).toHaveLength(expected.length);

    // Act: again without the ledger (lost with its disk): HeadObject finds every object.
    await rm(ledgerPath(site.config.dataDir));
    const third = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess: recorded as delivered, not one byte sent again.
    expect(third.ok).toBe(true);
    expect([...s3Summary(third, 'acme').skippedAlreadyThere, ...s3Summary(third, 'beta').skippedAlreadyThere].sort()).toEqual(
      expected.map((e) => e.file).sort(),
    );
    expect(s3Summary(third, 'acme').delivered).toEqual([]);
    for (const e of expected) expect(await s3.uploadsOf(e.key)).toBe(1);
    expect(await ledgerRecords(site)).toHaveLength(expected.length);
  });

  it('uploads a large file in parts, streamed, and verifies it by reading it back', async () => {
    // Prepare: a 13 MB billing file in the real layout, written by hand with its side file and manifest.
    const site = await createSite();
    const period = day('2026-10-15');
    const name = 'CNT_US_PES_seats_chat_GARN0042_acme_D20261015.csv';
    const folder = billingFolder(site.config.dataDir, 'acme', period);
    const row = 'GARN0042,Acme Corp,acme,US,seats_chat,concurrent,daily,2026-10-15,a,b,America/New_York,7,23,5,AGENT_SEATS,,1\n';
    const content = Buffer.from('garn,customer\n' + row.repeat(Math.ceil((13 * 1024 * 1024) / row.length)));
    const sha256 = sha256Of(content);
    const modes = site.runtime.fileModes;
    await writeFileAtomic(join(folder, name), content, modes);
    await writeFileAtomic(join(folder, `${name}.sha256`), checksumLine(sha256, name), modes);
    const manifest: Manifest = {
      format: 'bds-manifest/1',
      tenant: 'acme',
      garn: 'GARN0042',
      periodType: 'daily',
      period: '2026-10-15',
      periodStart: '2026-10-15T00:00:00-04:00',
      periodEnd: '2026-10-16T00:00:00-04:00',
      timezone: 'America/New_York',
      generatedAt: '2026-10-16T06:00:00.000Z',
      bdsVersion: 'test',
      files: [{ name, metric: 'seats_chat', region: 'US', sha256, bytes: content.length, rows: 1 }],
      inputs: [],
      stats: {},
    };
    await writeFileAtomic(join(folder, manifestName('acme', period)), JSON.stringify(manifest), modes);

    // Act
    const summary = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY, s3: { partSize: 5 * 1024 * 1024 } });

    // Assess
    expect(summary.ok).toBe(true);
    const key = `${site.prefix}/acme/2026/10/${name}`;
    expect(s3Summary(summary, 'acme').delivered).toEqual([`acme/2026/10/${name}`]);
    expect(await s3.digestOf(key)).toEqual({ sha256, bytes: content.length });
    expect(await s3.uploadsOf(key)).toBe(1);
  });

  it('reports failures with exit code 2 while S3 is down, keeps every file, and delivers exactly the pending ones once it is back', async () => {
    // Prepare: day 1 delivered while the inbox is up, then day 2 written during an outage.
    const site = await createSite();
    const day1 = expectedOf(site, 'acme', day('2026-11-02'), await writePeriod(site, 'acme', day('2026-11-02')));
    expect((await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY })).ok).toBe(true);
    const day2 = [
      ...expectedOf(site, 'acme', day('2026-11-03'), await writePeriod(site, 'acme', day('2026-11-03'))),
      ...expectedOf(site, 'beta', day('2026-11-03'), await writePeriod(site, 'beta', day('2026-11-03'))),
    ];
    const before = await snapshot(join(site.config.dataDir, 'billing'));
    await s3.stop();

    // Act: the upload handler, as the scheduler or Lambda calls it.
    const down = await withEnv({ BDS_CONFIG: site.configPath }, () =>
      handler({ version: '0', source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2026-11-04T06:00:00Z', detail: {} }),
    );

    // Assess: every pending file failed, the exit code has the transmission bit, nothing local is lost.
    expect(down.ok).toBe(false);
    expect(down.exitCode & 2).toBe(2);
    const failed = down.transmit.destinations.flatMap((d) => d.failed.map((f) => f.file)).sort();
    expect(failed).toEqual(day2.map((e) => e.file).sort());
    expect(down.transmit.destinations.flatMap((d) => d.delivered)).toEqual([]);
    expect(await snapshot(join(site.config.dataDir, 'billing'))).toEqual(before);
    expect((await ledgerRecords(site)).map((r) => r.file).sort()).toEqual(day1.map((e) => e.file).sort());
    const pendingStatus = await deliveryStatus(site.config);
    expect(pendingStatus.find((t) => t.tenant === 'acme')?.destinations[0]).toMatchObject({ delivered: day1.length, pending: day2.filter((e) => e.file.startsWith('acme/')).length });

    // Act: the inbox is back; the next run.
    await s3.start();
    const back = await withEnv({ BDS_CONFIG: site.configPath }, () => handler({}));

    // Assess: exactly the pending files, each once; day 1 untouched.
    expect(back.ok).toBe(true);
    expect(back.exitCode).toBe(0);
    expect(back.transmit.destinations.flatMap((d) => d.delivered).sort()).toEqual(day2.map((e) => e.file).sort());
    for (const e of [...day1, ...day2]) {
      expect(await s3.digestOf(e.key)).toEqual({ sha256: e.sha256, bytes: e.bytes });
      expect(await s3.uploadsOf(e.key)).toBe(1);
    }
    const status = await deliveryStatus(site.config);
    for (const tenant of status) for (const d of tenant.destinations) expect(d.pending).toBe(0);
    const again = await withEnv({ BDS_CONFIG: site.configPath }, () => handler({ tenant: 'beta' }));
    expect(again.transmit.destinations.flatMap((d) => [...d.delivered, ...d.skippedAlreadyThere])).toEqual([]);
  });

  it('validates upload events: unknown fields and tenants are named', async () => {
    // Prepare
    const site = await createSite();

    // Act + Assess
    await withEnv({ BDS_CONFIG: site.configPath }, async () => {
      await expect(handler({ tenant: 'acme', date: '2026-11-01' })).rejects.toThrow(/event\.date.*unknown field/);
      await expect(handler({ tenant: 'nobody' })).rejects.toThrow(/event\.tenant.*unknown tenant/);
      await expect(handler({ tenant: 7 })).rejects.toThrow(/event\.tenant/);
      await expect(handler('acme')).rejects.toThrow(/event/);
      const ok = await handler(JSON.parse(await readFile(join(ROOT, 'events', 'upload.json'), 'utf8')) as unknown);
      expect(ok.exitCode).toBe(0);
    });
  });
});

describe('copyTo folders', () => {
  it('receive identical copies of every file and its .sha256, atomically, recorded like any destination', async () => {
    // Prepare
    const site = await createSite({ copyTo: 2 });
    const expected = [
      ...expectedOf(site, 'acme', day('2026-10-31'), await writePeriod(site, 'acme', day('2026-10-31'))),
      ...expectedOf(site, 'acme', month('2026-10'), await writePeriod(site, 'acme', month('2026-10'))),
    ];

    // Act
    const summary = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess
    expect(summary.ok).toBe(true);
    for (const root of site.copyTo) {
      expect(summaryFor(summary, 'acme', `copy:${root}`).delivered).toEqual(expected.map((e) => e.file).sort());
      for (const e of expected) {
        const copy = join(root, e.file);
        expect(sha256Of(await readFile(copy))).toBe(e.sha256);
        expect(await readFile(`${copy}.sha256`, 'utf8')).toBe(await readFile(`${e.path}.sha256`, 'utf8'));
        expect((await stat(copy)).mode & 0o777).toBe(0o640);
      }
      const names = await readdir(join(root, 'acme', '2026', '10'));
      expect(names.sort()).toEqual(expected.flatMap((e) => [e.file.split('/').pop() ?? '', `${e.file.split('/').pop() ?? ''}.sha256`]).sort());
    }
    const records = await ledgerRecords(site);
    expect(records.filter((r) => r.destination === `copy:${site.copyTo[0] ?? ''}`)).toHaveLength(expected.length);
    expect(records).toHaveLength(expected.length * 3);

    // Act: again, then with the copies' ledger records lost.
    const second = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });
    await rm(ledgerPath(site.config.dataDir));
    const third = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess
    expect(second.destinations.flatMap((d) => [...d.delivered, ...d.skippedAlreadyThere])).toEqual([]);
    expect(summaryFor(third, 'acme', `copy:${site.copyTo[1] ?? ''}`).skippedAlreadyThere).toEqual(expected.map((e) => e.file).sort());
    expect(third.destinations.flatMap((d) => d.delivered)).toEqual([]);
  });
});

describe('a copyTo folder that is not there', () => {
  it('is a failed delivery, kept and retried, never created (an unmounted share must not fill the local disk)', async () => {
    // Prepare
    const site = await createSite({ copyTo: 1 });
    const root = site.copyTo[0] ?? '';
    await rm(root, { recursive: true });
    const files = expectedOf(site, 'acme', day('2026-10-31'), await writePeriod(site, 'acme', day('2026-10-31')));

    // Act
    const summary = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess
    expect(summary.ok).toBe(false);
    expect(summaryFor(summary, 'acme', `copy:${root}`).failed.length).toBe(files.length);
    await expect(stat(root)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await ledgerRecords(site)).filter((r) => r.destination === `copy:${root}`)).toEqual([]);

    // Act: the share is mounted again.
    await mkdir(root);
    const retried = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess
    expect(retried.ok).toBe(true);
    expect(summaryFor(retried, 'acme', `copy:${root}`).delivered).toEqual(files.map((e) => e.file).sort());
  });
});

describe('files the customer moved, deleted or edited', () => {
  it('are reported and not sent, and fail the delivery until their period is written again; delivered ones can go away silently', async () => {
    // Prepare: three files tampered with before delivery.
    const site = await createSite({ copyTo: 1 });
    const files = expectedOf(site, 'acme', day('2026-10-20'), await writePeriod(site, 'acme', day('2026-10-20')));
    const [deleted, moved, edited, sideGone, ...intact] = files;
    if (deleted === undefined || moved === undefined || edited === undefined || sideGone === undefined) throw new Error('too few files');
    await rm(deleted.path);
    await rename(moved.path, join(site.dir, 'moved-away.csv'));
    await appendFile(edited.path, 'GARN0042,extra,row\n');
    await rm(`${sideGone.path}.sha256`);
    // A billing-looking file no manifest lists (e.g. a run that crashed before writing its manifest).
    const stray = 'CNT_US_PES_seats_chat_GARN0042_acme_D20261021.csv';
    await writeFile(join(billingFolder(site.config.dataDir, 'acme', day('2026-10-21')), stray), 'garn\n');

    // Act
    const summary = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess: reported per destination with a reason, logged, not sent, and a failure (money
    // not delivered: exit bit 2); the rest delivered.
    expect(summary.ok).toBe(false);
    expect(summary.exitCode).toBe(2);
    const { deliveryStatus } = await import('../../lib/transmit/status');
    const problems = (await deliveryStatus(site.config)).find((t) => t.tenant === 'acme')?.problems ?? [];
    expect(problems).toEqual(
      expect.arrayContaining([
        `${deleted.file}: missing before delivery; process 2026-10-20 again`,
        expect.stringMatching(new RegExp(`^${edited.file}: altered before delivery`)),
        `acme/2026/10/${stray}: no manifest lists it, so it cannot be delivered; process its period again`,
      ]),
    );
    const missing = s3Summary(summary, 'acme').missing;
    expect(missing.map((m) => [m.file, m.reason])).toEqual(
      [
        [deleted.file, 'missing'],
        [moved.file, 'missing'],
        [edited.file, 'changed'],
        [sideGone.file, 'missing'],
      ].sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? '')),
    );
    expect(summaryFor(summary, 'acme', `copy:${site.copyTo[0] ?? ''}`).missing).toHaveLength(4);
    expect(s3Summary(summary, 'acme').delivered).toEqual(intact.map((e) => e.file).sort());
    expect(summary.unlisted).toEqual([{ tenant: 'acme', file: `acme/2026/10/${stray}` }]);
    expect(await s3.head(`${site.prefix}/acme/2026/10/${stray}`)).toBeUndefined();
    for (const gone of [deleted, moved, edited, sideGone]) {
      expect(await s3.head(gone.key)).toBeUndefined();
      expect(site.logLines.some((l) => l.includes('"level":"error"') && l.includes(gone.file))).toBe(true);
    }

    // Act: the periods are processed again (their files and manifests written anew).
    await writePeriod(site, 'acme', day('2026-10-20'));
    await writePeriod(site, 'acme', day('2026-10-21'));
    const repaired = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess
    expect(repaired.ok).toBe(true);
    expect((await deliveryStatus(site.config)).find((t) => t.tenant === 'acme')?.problems).toEqual([]);
    expect(s3Summary(repaired, 'acme').delivered).toEqual(
      expect.arrayContaining([deleted.file, moved.file, edited.file, sideGone.file, `acme/2026/10/${stray}`]),
    );

    // Act: the customer deletes a file that was delivered.
    const delivered = intact[0];
    if (delivered === undefined) throw new Error('no intact file');
    await rm(delivered.path);
    const later = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess: nothing to say about it: it was delivered.
    expect(s3Summary(later, 'acme').missing.map((m) => m.file)).not.toContain(delivered.file);
    expect(later.ok).toBe(true);
  });
});

describe('a file changed by a re-run', () => {
  it('is delivered again and the ledger keeps both deliveries', async () => {
    // Prepare
    const site = await createSite({ copyTo: 1 });
    const period = day('2026-10-25');
    const v1 = expectedOf(site, 'acme', period, await writePeriod(site, 'acme', period, 1));
    expect((await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY })).ok).toBe(true);

    // Act: the period is aggregated again from corrected data.
    const v2 = expectedOf(site, 'acme', period, await writePeriod(site, 'acme', period, 2));
    const summary = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess
    expect(summary.ok).toBe(true);
    expect(s3Summary(summary, 'acme').delivered).toEqual(v2.map((e) => e.file).sort());
    const records = await ledgerRecords(site);
    for (const [old, now] of v1.map((e, i) => [e, v2[i]] as const)) {
      if (now === undefined) throw new Error('file sets differ');
      expect(now.sha256).not.toBe(old.sha256);
      const s3Records = records.filter((r) => r.file === old.file && r.destination.startsWith('s3://'));
      expect(s3Records.map((r) => r.sha256)).toEqual([old.sha256, now.sha256]);
      expect(await s3.digestOf(now.key)).toEqual({ sha256: now.sha256, bytes: now.bytes });
      expect(await s3.text(`${now.key}.sha256`)).toBe(checksumLine(now.sha256, now.key.split('/').pop() ?? ''));
      expect(await s3.uploadsOf(now.key)).toBe(2);
      expect(sha256Of(await readFile(join(site.copyTo[0] ?? '', now.file)))).toBe(now.sha256);
    }
    expect(records).toHaveLength(v1.length * 2 * 2);
  });

  it('is delivered again when it goes back to an earlier digest (A, B, then A): the destination holds B', async () => {
    // Prepare: A delivered, then B.
    const site = await createSite({ copyTo: 1 });
    const period = day('2026-10-26');
    const a = expectedOf(site, 'acme', period, await writePeriod(site, 'acme', period, 1));
    expect((await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY })).ok).toBe(true);
    await writePeriod(site, 'acme', period, 2);
    expect((await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY })).ok).toBe(true);

    // Act: the source is restored and the day re-run: A again.
    await writePeriod(site, 'acme', period, 1);
    const summary = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess: both destinations get A back.
    expect(summary.ok).toBe(true);
    expect(s3Summary(summary, 'acme').delivered).toEqual(a.map((e) => e.file).sort());
    expect(summaryFor(summary, 'acme', `copy:${site.copyTo[0] ?? ''}`).delivered).toEqual(a.map((e) => e.file).sort());
    for (const e of a) {
      expect(await s3.digestOf(e.key)).toEqual({ sha256: e.sha256, bytes: e.bytes });
      expect(sha256Of(await readFile(join(site.copyTo[0] ?? '', e.file)))).toBe(e.sha256);
    }
    // And bds status counts them as delivered, not pending.
    const { deliveryStatus } = await import('../../lib/transmit/status');
    const status = (await deliveryStatus(site.config)).find((t) => t.tenant === 'acme');
    expect(status?.destinations.map((d) => d.pending)).toEqual([0, 0]);
  });
});

describe('the ledger', () => {
  it('survives a torn last line: ignored on read, repaired on the next append, no complete record lost', async () => {
    // Prepare: period A delivered, then a crash tore the next line.
    const site = await createSite();
    const a = expectedOf(site, 'acme', day('2026-10-10'), await writePeriod(site, 'acme', day('2026-10-10')));
    await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });
    const path = ledgerPath(site.config.dataDir);
    const intact = await readFile(path, 'utf8');
    await appendFile(path, '{"file":"acme/2026/10/CNT_US_PES_seats_chat_GARN0042_acme_D20261011.csv","destin');

    // Act + Assess: reading ignores the torn line.
    const read = await readLedger(site.config.dataDir);
    expect(read.records).toHaveLength(a.length);
    expect(read.tornTail).toMatch(/^\{"file"/);
    expect((await deliveryStatus(site.config)).find((t) => t.tenant === 'acme')?.destinations[0]).toMatchObject({ delivered: a.length, pending: 0 });

    // Act: period B; its first record repairs the ledger.
    const b = expectedOf(site, 'acme', day('2026-10-11'), await writePeriod(site, 'acme', day('2026-10-11')));
    const summary = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess: A was not re-sent, B was, and every line is a whole record.
    expect(s3Summary(summary, 'acme').delivered).toEqual(b.map((e) => e.file).sort());
    expect(s3Summary(summary, 'acme').alreadyDelivered).toBe(a.length);
    const text = await readFile(path, 'utf8');
    expect(text.startsWith(intact)).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(a.length + b.length);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(site.logLines.some((l) => l.includes('repaired a torn last line'))).toBe(true);

    // Act: a crash after a whole record but before its newline: the record counts and is kept.
    await truncate(path, Buffer.byteLength(text) - 1);
    expect((await readLedger(site.config.dataDir)).records).toHaveLength(a.length + b.length);
    const c = expectedOf(site, 'acme', day('2026-10-12'), await writePeriod(site, 'acme', day('2026-10-12')));
    const afterC = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess
    expect(s3Summary(afterC, 'acme').delivered).toEqual(c.map((e) => e.file).sort());
    expect((await readLedger(site.config.dataDir)).records).toHaveLength(a.length + b.length + c.length);
    expect((await readLedger(site.config.dataDir)).tornTail).toBeUndefined();
  });

  it('refuses to guess when a line in the middle is damaged', async () => {
    // Prepare
    const site = await createSite();
    await writePeriod(site, 'acme', day('2026-10-09'));
    await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });
    const path = ledgerPath(site.config.dataDir);
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[1] = 'garbage';
    await writeFile(path, lines.join('\n'));

    // Act + Assess
    await expect(transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY })).rejects.toBeInstanceOf(LedgerError);
    await expect(readLedger(site.config.dataDir)).rejects.toThrow(/line 2/);
  });
});

describe('a delivery killed half-way', () => {
  it('leaves a ledger the next run completes without duplicates and without gaps', { timeout: 180_000 }, async () => {
    // Prepare: many files, S3 and a copyTo folder; the delivering process is a separate node
    // process running the real module (bundled, since Node 20 cannot run TypeScript).
    const site = await createSite({ copyTo: 1 });
    const expected: Expected[] = [];
    for (let d = 1; d <= 30; d += 1) {
      const period = day(`2026-09-${String(d).padStart(2, '0')}`);
      expected.push(...expectedOf(site, 'acme', period, await writePeriod(site, 'acme', period)));
    }
    const childDir = join(site.dir, 'child');
    await mkdir(childDir);
    // The bundle keeps packages external; this link lets it find them.
    await symlink(join(ROOT, 'node_modules'), join(childDir, 'node_modules'), 'dir');
    const script = join(childDir, 'deliver.mjs');
    await build({
      stdin: {
        contents: `
          import { loadRuntime } from ${JSON.stringify(join(ROOT, 'lib/runtime/runtime'))};
          import { createLogger } from ${JSON.stringify(join(ROOT, 'lib/log/logger'))};
          import { transmitPending } from ${JSON.stringify(join(ROOT, 'lib/transmit/transmit'))};
          const { config, runtime } = loadRuntime(process.argv[2]);
          const summary = await transmitPending({ config, runtime, log: createLogger({ level: 'error', secrets: runtime.secrets }) });
          process.stdout.write(JSON.stringify({ ok: summary.ok }));
        `,
        resolveDir: ROOT,
        loader: 'ts',
      },
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
    });
    const total = expected.length * 2;
    const ledgerFile = ledgerPath(site.config.dataDir);
    const countLines = async (): Promise<number> => {
      try {
        return (await readFile(ledgerFile, 'utf8')).split('\n').length - 1;
      } catch {
        return 0;
      }
    };

    // Act: three deliveries, each SIGKILLed at an arbitrary moment once it made some progress.
    const kills: number[] = [];
    for (const [i, jitterMs] of [3, 11, 7].entries()) {
      const start = await countLines();
      const child = spawn(process.execPath, [script, site.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      const deadline = Date.now() + 60_000;
      while ((await countLines()) < start + 10 + i * 5) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child did not make progress: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await new Promise((resolve) => setTimeout(resolve, jitterMs));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      kills.push(await countLines());
    }
    expect(kills[kills.length - 1]).toBeLessThan(total);
    // What the last kill left half-done: at the destination with the right digest, not in the ledger.
    const recorded = new Set((await ledgerRecords(site)).map((r) => `${r.destination} ${r.file}`));
    const s3Id = `s3://${s3.bucket}/${site.prefix}`;
    const copyId = `copy:${site.copyTo[0] ?? ''}`;
    const landedUnrecorded: string[] = [];
    for (const e of expected) {
      if (recorded.has(`${s3Id} ${e.file}`)) continue;
      const there = await s3.digestOf(e.key);
      if (there?.sha256 === e.sha256) landedUnrecorded.push(e.file);
    }

    // Act: the next run, in this process.
    const summary = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess: complete, and nothing anywhere twice; what had landed is recorded, not re-sent.
    expect(summary.ok).toBe(true);
    expect(s3Summary(summary, 'acme').skippedAlreadyThere).toEqual(landedUnrecorded.sort());
    const records = await ledgerRecords(site);
    const pairs = records.map((r) => `${r.destination} ${r.file} ${r.sha256}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(records).toHaveLength(total);
    for (const e of expected) {
      expect(records.filter((r) => r.file === e.file).map((r) => r.destination).sort()).toEqual([copyId, s3Id].sort());
      expect(await s3.digestOf(e.key)).toEqual({ sha256: e.sha256, bytes: e.bytes });
      expect(await s3.uploadsOf(e.key)).toBe(1);
      expect(await s3.uploadsOf(`${e.key}.sha256`)).toBe(1);
      expect(sha256Of(await readFile(join(site.copyTo[0] ?? '', e.file)))).toBe(e.sha256);
    }
    // No half-written copy is left behind by the killed processes.
    const leftovers = [...(await snapshot(site.copyTo[0] ?? '')).keys()].filter((k) => k.split('/').pop()?.startsWith('.tmp-'));
    expect(leftovers).toEqual([]);
    const again = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });
    expect(again.destinations.flatMap((d) => [...d.delivered, ...d.skippedAlreadyThere])).toEqual([]);
  });
});

describe('secrets', () => {
  it('a planted secret access key never appears in logs, errors, summaries, the ledger or status', async () => {
    // Prepare: s3rver does not check the secret, so the same key serves a failing and a working run.
    const secret = 'PLANTED-secret-KEY-9f8e7d6c5b4a';
    const failing = await createSite({ secretAccessKey: secret, bucket: 'no-such-bucket' });
    await writePeriod(failing, 'acme', day('2026-10-05'));
    const working = await createSite({ secretAccessKey: secret, copyTo: 1 });
    await writePeriod(working, 'acme', day('2026-10-05'));
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
    const outputs: string[] = [];
    try {
      // Act: a run that fails at S3, one through the handler while the server is down, one that works.
      const failed = await transmitPending({ config: failing.config, runtime: failing.runtime, log: failing.log, retry: FAST_RETRY });
      outputs.push(JSON.stringify(failed));
      expect(failed.ok).toBe(false);
      expect(JSON.stringify(failed)).toMatch(/NoSuchBucket/);
      await s3.stop();
      const down = await withEnv({ BDS_CONFIG: working.configPath }, () => handler({ tenant: 'acme' }));
      outputs.push(JSON.stringify(down));
      expect(down.exitCode).toBe(2);
      await s3.start();
      const ok = await withEnv({ BDS_CONFIG: working.configPath }, () => handler({}));
      outputs.push(JSON.stringify(ok));
      expect(ok.exitCode).toBe(0);
      await mkdir(join(failing.config.dataDir, 'state'), { recursive: true });
      await writeFile(ledgerPath(failing.config.dataDir), 'damaged\nline\n');
      const thrown = await transmitPending({ config: failing.config, runtime: failing.runtime, log: failing.log }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(thrown).toBeInstanceOf(LedgerError);
      outputs.push(String(thrown), JSON.stringify(thrown));
      outputs.push(JSON.stringify(await deliveryStatus(working.config)), JSON.stringify(await deliveryStatus(failing.config).catch(String)));
    } finally {
      spy.mockRestore();
    }

    // Assess
    expect(stderr.join('')).toContain('invocation finished');
    const everything = [
      ...failing.logLines,
      ...working.logLines,
      ...stderr,
      ...outputs,
      await readFile(ledgerPath(working.config.dataDir), 'utf8'),
      await readFile(ledgerPath(failing.config.dataDir), 'utf8'),
    ].join('\n');
    expect((await readLedger(working.config.dataDir)).records.length).toBeGreaterThan(0);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(secret.slice(0, 12));
  });
});

describe('retry policy', () => {
  it('backs off exponentially with jitter, within the cap', () => {
    const policy = { ...DEFAULT_RETRY_POLICY };
    const low = [1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(n, { ...policy, random: () => 0 }));
    const high = [1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(n, { ...policy, random: () => 0.999999 }));
    expect(low).toEqual([100, 200, 400, 800, 1600, 2500, 2500]);
    expect(high).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
  });
});
