/**
 * SFTP delivery against a real OpenSSH server (test/helpers/sshd.ts) with its own host key: real
 * billing files from the real period writer, the real ledger, the upload handler and the `bds`
 * command as child processes, sessions killed with the server, and deliveries SIGKILLed at the
 * adapter's fault points. What the server holds is read from the folder it serves.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../lib/config/load';
import type { BdsConfig } from '../../lib/config/types';
import { periodFolder, type Period } from '../../lib/files/billing-file';
import { billingFolder, GLOBAL_REGION, writePeriodFiles, type Manifest } from '../../lib/files/period-writer';
import { createLogger, type Logger } from '../../lib/log/logger';
import { createRuntime, type Runtime } from '../../lib/runtime/runtime';
import { resolveMetrics } from '../../lib/metrics/resolve';
import { dayBounds } from '../../lib/time/calendar';
import { ledgerPath, readLedger } from '../../lib/transmit/ledger';
import type { RetryPolicy } from '../../lib/transmit/retry';
import { hostKeyFingerprint, sftpDestinationId } from '../../lib/transmit/sftp';
import { deliveryStatus } from '../../lib/transmit/status';
import type { TransmitSummary } from '../../lib/transmit/summary';
import { transmitPending } from '../../lib/transmit/transmit';
import { handler } from '../../handlers/upload';
import { bundleFunction } from '../../tools/packaging/bundle';
import { ifSetUp } from '../helpers/suite';
import { runBds, runCommand } from '../helpers/cli';
import { sshdAvailable, SSHD_MISSING, startSshd, type SshdHandle } from '../helpers/sshd';

const FAST_RETRY: Partial<RetryPolicy> = { baseDelayMs: 1, maxDelayMs: 5 };
const available = sshdAvailable();
if (!available) console.warn(SSHD_MISSING);

let sshd: SshdHandle;
const work: string[] = [];
const PASSPHRASE = 'planted-Passphrase-"q\\7c1e';

beforeAll(async () => {
  if (available) sshd = await startSshd({ passphrase: PASSPHRASE });
}, 30_000);

afterAll(async () => {
  await ifSetUp(sshd)?.close();
  for (const dir of work) await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  // A test that stops the server must not leave it down for the next one.
  if (available) await sshd.start();
});

interface Site {
  readonly dir: string;
  readonly configPath: string;
  readonly config: BdsConfig;
  readonly runtime: Runtime;
  /** The remote root, a folder of the served tree. */
  readonly remote: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  readonly logLines: string[];
}

let sites = 0;

/** A deployment delivering to its own folder of the server, configured as an operator would. */
async function createSite(options: { hostKey?: string; keyInline?: boolean } = {}): Promise<Site> {
  const dir = await mkdtemp(join(tmpdir(), 'bds-sftp-'));
  work.push(dir);
  sites += 1;
  const remote = join(sshd.root, `site${sites}`);
  await mkdir(remote);
  await sshd.own(remote);
  const env: NodeJS.ProcessEnv = {
    SFTP_PASSPHRASE: PASSPHRASE,
    ...(options.keyInline === true ? { SFTP_KEY: await readFile(sshd.clientKeyPath, 'utf8') } : {}),
  };
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
transmit:
  sftp:
    host: ${sshd.host}
    port: ${sshd.port}
    username: ${sshd.username}
    privateKey: ${options.keyInline === true ? '${env:SFTP_KEY}' : sshd.clientKeyPath}
    passphrase: \${env:SFTP_PASSPHRASE}
    hostKey: ${options.hostKey ?? sshd.fingerprint}
    path: ${remote}
    connectTimeout: 5s
`;
  const configPath = join(dir, 'bds.config.yaml');
  await writeFile(configPath, yaml, { mode: 0o600 });
  const { config, secrets } = parseConfig(yaml, { format: 'yaml', configPath, env });
  // The site's own runtime: its registry holds the file's secrets, and its log redacts with it.
  const runtime = createRuntime({ env: {} });
  runtime.secrets.register(secrets);
  const logLines: string[] = [];
  const log = createLogger({ write: (line) => logLines.push(line), level: 'debug', secrets: runtime.secrets });
  return { dir, configPath, config, runtime, remote, env: { ...env, BDS_CONFIG: configPath }, log, logLines };
}

const day = (date: string): Period => ({ type: 'daily', date });

async function writeDay(site: Site, date: string, seed = 1): Promise<Manifest> {
  const tenant = site.config.tenants[0];
  if (tenant === undefined) throw new Error('no tenant');
  const metrics = resolveMetrics(site.config, tenant);
  const values = metrics.flatMap((metric, m) =>
    (metric.scope === 'global' ? [GLOBAL_REGION] : tenant.regions.map((r) => r.code)).flatMap((region, r) =>
      metric.measures.map((measure, k) => ({ metric: metric.key, region, measure: measure.measure, value: seed * 100 + m * 10 + r + k })),
    ),
  );
  return writePeriodFiles({ config: site.config, tenant, period: day(date), bounds: dayBounds(date, tenant.timezone), metrics, values, inputs: [], stats: {}, modes: site.runtime.fileModes });
}

interface Expected {
  readonly file: string;
  readonly remote: string;
  readonly local: string;
  readonly sha256: string;
}

function expectedOf(site: Site, date: string, manifest: Manifest): Expected[] {
  const folder = billingFolder(site.config.dataDir, 'acme', day(date));
  return manifest.files.map((f) => ({
    file: `acme/${periodFolder(day(date))}/${f.name}`,
    remote: join(site.remote, 'acme', periodFolder(day(date)), f.name),
    local: join(folder, f.name),
    sha256: f.sha256,
  }));
}

const sha256Of = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

function sftpTally(summary: TransmitSummary): TransmitSummary['destinations'][number] {
  const found = summary.destinations.find((d) => d.destination.startsWith('sftp://'));
  if (found === undefined) throw new Error('no SFTP summary');
  return found;
}

/** Every file under the remote root: relative path → SHA-256. */
async function remoteFiles(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(join(root, sub), { withFileTypes: true })) {
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) await walk(rel);
      else out.set(rel, sha256Of(await readFile(join(root, rel))));
    }
  };
  await walk('');
  return out;
}

/** inode and mtime of each file: a file sent again is a new inode (temp + rename). */
async function identities(paths: readonly string[]): Promise<string[]> {
  return Promise.all(paths.map(async (p) => {
    const s = await stat(p);
    return `${s.ino}:${s.mtimeMs}`;
  }));
}

describe.skipIf(!available)('SFTP delivery to a real OpenSSH server', () => {
  it('puts every file and its .sha256 at <path>/<tenant>/<YYYY>/<MM>/, verified, recorded, and never sends it twice', async () => {
    // Prepare
    const site = await createSite();
    const expected = [...expectedOf(site, '2026-10-30', await writeDay(site, '2026-10-30')), ...expectedOf(site, '2026-10-31', await writeDay(site, '2026-10-31'))];
    expect(expected.length).toBeGreaterThan(3);

    // Act
    const first = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess: exactly the CSVs and their side files, byte for byte; no temporary left.
    expect(first.ok, JSON.stringify(first)).toBe(true);
    expect(sftpTally(first).delivered).toEqual(expected.map((e) => e.file).sort());
    const there = await remoteFiles(site.remote);
    expect([...there.keys()].sort()).toEqual(expected.flatMap((e) => [e.file, `${e.file}.sha256`]).sort());
    for (const e of expected) {
      expect(there.get(e.file)).toBe(e.sha256);
      expect(await readFile(`${e.remote}.sha256`, 'utf8')).toBe(await readFile(`${e.local}.sha256`, 'utf8'));
      expect((await stat(e.remote)).mode & 0o777).toBe(0o640);
    }
    const id = sftpDestinationId(site.config.transmit?.sftp ?? { username: '', host: '', port: 0, path: '' });
    expect(id).toBe(`sftp://${sshd.username}@127.0.0.1:${sshd.port}${site.remote}`);
    const records = (await readLedger(site.config.dataDir)).records;
    expect(records.map((r) => [r.file, r.destination, r.target, r.sha256]).sort()).toEqual(expected.map((e) => [e.file, id, e.remote, e.sha256]).sort());
    const before = await identities(expected.flatMap((e) => [e.remote, `${e.remote}.sha256`]));

    // Act: again with the ledger, then without it (lost with its disk).
    const second = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });
    await rm(ledgerPath(site.config.dataDir));
    const third = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess: nothing sent either time: the same inodes and times; the third run found every
    // file there by size and read-back digest, and recorded it.
    expect(sftpTally(second).alreadyDelivered).toBe(expected.length);
    expect(sftpTally(second).delivered).toEqual([]);
    expect(third.ok).toBe(true);
    expect(sftpTally(third).skippedAlreadyThere).toEqual(expected.map((e) => e.file).sort());
    expect(sftpTally(third).delivered).toEqual([]);
    expect(await identities(expected.flatMap((e) => [e.remote, `${e.remote}.sha256`]))).toEqual(before);
    expect((await readLedger(site.config.dataDir)).records).toHaveLength(expected.length);
    const status = await deliveryStatus(site.config);
    expect(status[0]?.destinations).toEqual([expect.objectContaining({ destination: id, delivered: expected.length, pending: 0 })]);
  });

  it('sends a changed file again, replacing the old one in place, and a file changed on the server too', async () => {
    // Prepare
    const site = await createSite();
    const old = expectedOf(site, '2026-10-29', await writeDay(site, '2026-10-29', 1));
    expect((await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY })).ok).toBe(true);
    const now = expectedOf(site, '2026-10-29', await writeDay(site, '2026-10-29', 2));
    expect(now.map((e) => e.sha256)).not.toEqual(old.map((e) => e.sha256));
    // Someone truncated one delivered file on the server, and the ledger does not know.
    const tampered = old[0];
    if (tampered === undefined) throw new Error('no file');

    // Act
    const summary = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess: the new bytes and side files are there, the old ones are gone, no temporary left.
    expect(summary.ok).toBe(true);
    expect(sftpTally(summary).delivered).toEqual(now.map((e) => e.file).sort());
    const there = await remoteFiles(site.remote);
    expect(there.size).toBe(now.length * 2);
    for (const e of now) {
      expect(there.get(e.file)).toBe(e.sha256);
      expect(await readFile(`${e.remote}.sha256`, 'utf8')).toBe(await readFile(`${e.local}.sha256`, 'utf8'));
    }
    const records = (await readLedger(site.config.dataDir)).records;
    expect(records).toHaveLength(old.length + now.length);

    // Act: a file altered on the server is not "already there": with the ledger lost, it is sent again.
    await writeFile(tampered.remote, 'not what was sent\n');
    await rm(ledgerPath(site.config.dataDir));
    const again = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });
    expect(sftpTally(again).delivered).toEqual([tampered.file]);
    expect(sha256Of(await readFile(tampered.remote))).toBe(now[0]?.sha256);
  });

  it('refuses a server whose host key is not the pinned one: both fingerprints named, nothing sent, exit bit 2, still pending', async () => {
    // Prepare: a fingerprint of another key, well formed.
    const other = hostKeyFingerprint(Buffer.from('not the server key'));
    const site = await createSite({ hostKey: other });
    const files = expectedOf(site, '2026-10-28', await writeDay(site, '2026-10-28'));

    // Act: the upload handler, as the scheduler or Lambda calls it.
    const saved = process.env.BDS_CONFIG;
    process.env.BDS_CONFIG = site.configPath;
    process.env.SFTP_PASSPHRASE = PASSPHRASE;
    let result: Awaited<ReturnType<typeof handler>>;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      result = await handler({ tenant: 'acme' });
    } finally {
      stderr.mockRestore();
      if (saved === undefined) delete process.env.BDS_CONFIG;
      else process.env.BDS_CONFIG = saved;
      delete process.env.SFTP_PASSPHRASE;
    }

    // Assess
    expect(result.ok).toBe(false);
    expect(result.exitCode & 2).toBe(2);
    const failed = result.transmit.destinations.flatMap((d) => d.failed);
    expect(failed.map((f) => f.file).sort()).toEqual(files.map((f) => f.file).sort());
    expect(failed[0]?.error).toContain(sshd.fingerprint);
    expect(failed[0]?.error).toContain(other);
    expect(failed[0]?.error).toMatch(/host key .* is SHA256:.*but transmit\.sftp\.hostKey pins SHA256:/);
    expect(await remoteFiles(site.remote)).toEqual(new Map());
    const status = await deliveryStatus(site.config);
    expect(status[0]?.destinations[0]).toMatchObject({ delivered: 0, pending: files.length });
    // One connection attempt per run, not one per file and retry: the mismatch is final.
    expect(sshd.log().split(`Connection from 127.0.0.1`).length - 1).toBeGreaterThanOrEqual(1);
  });

  it('keeps files pending while the server is down mid-run, and delivers exactly those once it is back', async () => {
    // Prepare: several files; the server dies right after the first is delivered.
    const site = await createSite();
    const files = [...expectedOf(site, '2026-10-26', await writeDay(site, '2026-10-26')), ...expectedOf(site, '2026-10-27', await writeDay(site, '2026-10-27'))];
    let killed = false;
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      write: (line) => {
        lines.push(line);
        if (!killed && line.includes('"delivered"')) {
          killed = true;
          void sshd.stop();
        }
      },
    });

    // Act
    const down = await transmitPending({ config: site.config, runtime: site.runtime, log, retry: FAST_RETRY, concurrency: 1 });

    // Assess: the first file delivered, the rest failed and pending, the exit code has bit 2.
    expect(killed).toBe(true);
    expect(down.ok).toBe(false);
    expect(down.exitCode & 2).toBe(2);
    const tally = sftpTally(down);
    expect(tally.delivered).toHaveLength(1);
    expect(tally.failed.length).toBe(files.length - 1);
    expect(lines.some((l) => l.includes('delivery attempt failed; retrying'))).toBe(true);
    const first = files.find((f) => f.file === tally.delivered[0]);
    if (first === undefined) throw new Error('the delivered file is not one of ours');
    const firstIdentity = await identities([first.remote]);
    expect((await deliveryStatus(site.config))[0]?.destinations[0]).toMatchObject({ delivered: 1, pending: files.length - 1 });

    // Act: the server is back; the next run.
    await sshd.start();
    const back = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

    // Assess: exactly the pending ones, the first untouched; nothing half-sent left behind.
    expect(back.ok, JSON.stringify(back)).toBe(true);
    expect(sftpTally(back).delivered).toEqual(files.filter((f) => f !== first).map((f) => f.file).sort());
    const there = await remoteFiles(site.remote);
    expect([...there.keys()].sort()).toEqual(files.flatMap((f) => [f.file, `${f.file}.sha256`]).sort());
    for (const f of files) expect(there.get(f.file)).toBe(f.sha256);
    expect(await identities([first.remote])).toEqual(firstIdentity);
  });

  it(
    'fails clearly, naming the folder, when the account may not write to it, and does not retry a refusal',
    async () => {
      // Prepare: the month's folder exists on the server and is read-only for the account.
      const site = await createSite();
      const files = expectedOf(site, '2026-10-25', await writeDay(site, '2026-10-25'));
      const month = join(site.remote, 'acme', '2026', '10');
      await mkdir(month, { recursive: true });
      for (const dir of [join(site.remote, 'acme'), join(site.remote, 'acme', '2026'), month]) await sshd.own(dir);
      await chmod(month, 0o555);

      // Act
      const summary = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

      // Assess
      expect(summary.ok).toBe(false);
      expect(summary.exitCode & 2).toBe(2);
      const tally = sftpTally(summary);
      expect(tally.failed).toHaveLength(files.length);
      expect(tally.failed[0]?.error).toContain(`permission denied by the server: the account needs write access to ${month}`);
      expect(site.logLines.some((l) => l.includes('delivery attempt failed; retrying'))).toBe(false);
      await chmod(month, 0o755);
      expect(await readdir(month)).toEqual([]);
    },
  );
});

describe.skipIf(!available)('bds check with an SFTP destination', () => {
  it('connects, checks the host key, writes and removes a probe; a wrong host key fails it with exit bit 2', async () => {
    // Prepare
    const good = await createSite();
    const wrong = await createSite({ hostKey: hostKeyFingerprint(Buffer.from('another key')) });

    // Act
    const ok = await runBds(['check'], { env: good.env });
    const refused = await runBds(['check'], { env: wrong.env });

    // Assess: the sources of these sites are unreachable (bit 8); the destination is what is checked here.
    const id = sftpDestinationId(good.config.transmit?.sftp ?? { username: '', host: '', port: 0, path: '' });
    expect(ok.stdout).toMatch(new RegExp(`destination\\s+${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+ok`));
    expect((ok.code ?? 0) & 2).toBe(0);
    expect(await readdir(good.remote)).toEqual([]);
    expect(refused.stdout).toMatch(/destination\s+sftp:\/\/\S+\s+FAILED: connect: the host key of 127\.0\.0\.1:\d+ is SHA256:/);
    expect(refused.stdout).toContain(sshd.fingerprint);
    expect((refused.code ?? 0) & 2).toBe(2);
    for (const out of [ok.stdout, ok.stderr, refused.stdout, refused.stderr]) expect(out).not.toContain(PASSPHRASE);
  });
});

describe.skipIf(!available)('an SFTP delivery killed half-way', () => {
  it.each(['sftp.before-rename#1', 'sftp.after-file#2', 'transmit.before-ledger#3'])(
    'at %s leaves nothing partial under a final name, and the next run completes without sending anything twice',
    async (killAt) => {
      // Prepare
      const site = await createSite();
      const files = expectedOf(site, '2026-10-24', await writeDay(site, '2026-10-24'));

      // Act: the real command, SIGKILLed at the point; then a normal run.
      await writeFile(join(site.dir, 'event.json'), '{ "tenant": "acme" }');
      const killed = await runBds(['invoke', 'upload', '--event', join(site.dir, 'event.json')], {
        env: { ...site.env, BDS_FAULT_KILL_AT: killAt },
      }).catch((error: unknown) => ({ code: -1, stdout: '', stderr: String(error) }));
      expect(killed.code, killed.stderr).toBeNull();
      const left = await remoteFiles(site.remote);
      for (const [path, digest] of left) {
        const name = path.split('/').pop() ?? '';
        if (name.startsWith('.tmp-')) continue;
        // Anything under a final name is complete: one of the files, with its right digest.
        const expected = files.find((f) => f.file === path || `${f.file}.sha256` === path);
        expect(expected, path).toBeDefined();
        if (expected !== undefined && expected.file === path) expect(digest).toBe(expected.sha256);
      }
      const landed = new Map((await Promise.all(files.map(async (f) => [f.file, await stat(f.remote).then((s) => `${s.ino}`, () => undefined)] as const))));
      const recovered = await transmitPending({ config: site.config, runtime: site.runtime, log: site.log, retry: FAST_RETRY });

      // Assess: every file there once, right; what had landed was not sent again; no temporary left.
      expect(recovered.ok, JSON.stringify(recovered)).toBe(true);
      const there = await remoteFiles(site.remote);
      expect([...there.keys()].sort()).toEqual(files.flatMap((f) => [f.file, `${f.file}.sha256`]).sort());
      for (const f of files) {
        expect(there.get(f.file)).toBe(f.sha256);
        const before = landed.get(f.file);
        if (before !== undefined) expect(String((await stat(f.remote)).ino)).toBe(before);
      }
      const records = (await readLedger(site.config.dataDir)).records;
      expect(records.map((r) => r.file).sort()).toEqual(files.map((f) => f.file).sort());
    },
    60_000,
  );
});

describe.skipIf(!available)('the Lambda bundle of the upload function', () => {
  it('delivers by SFTP with no node_modules (ssh2 without its optional native parts)', async () => {
    // Prepare: the bundle as `npm run package` makes it, alone in a folder.
    const site = await createSite();
    const files = expectedOf(site, '2026-10-22', await writeDay(site, '2026-10-22'));
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const { code } = await bundleFunction(root, 'upload', '0.0.0-test');
    const lambda = join(site.dir, 'lambda');
    await mkdir(lambda);
    await writeFile(join(lambda, 'index.mjs'), code);
    const probe = `
      const m = await import(new URL('./index.mjs', 'file://' + process.cwd() + '/').href);
      process.stdout.write(JSON.stringify(await m.handler({ tenant: 'acme' }, { awsRequestId: 'sftp' })));`;

    // Act
    const run = await runCommand(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: lambda,
      replaceEnv: true,
      env: { PATH: process.env.PATH ?? '', BDS_CONFIG: site.configPath, SFTP_PASSPHRASE: PASSPHRASE },
    });

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, exitCode: 0 });
    const there = await remoteFiles(site.remote);
    for (const f of files) expect(there.get(f.file)).toBe(f.sha256);
  }, 120_000);
});

describe.skipIf(!available)('SFTP secrets', () => {
  it('the passphrase and the key given through the environment never appear in logs, errors, summaries, the ledger or status', async () => {
    // Prepare: the key itself in an environment variable; one run refused (wrong host key), one that works.
    const failing = await createSite({ keyInline: true, hostKey: hostKeyFingerprint(Buffer.from('x')) });
    const working = await createSite({ keyInline: true });
    await writeDay(failing, '2026-10-23');
    await writeDay(working, '2026-10-23');
    const key = await readFile(sshd.clientKeyPath, 'utf8');
    const keyBody = key.split('\n')[1] ?? '';
    expect(keyBody.length).toBeGreaterThan(20);

    // Act
    const outputs: string[] = [];
    outputs.push(JSON.stringify(await transmitPending({ config: failing.config, runtime: failing.runtime, log: failing.log, retry: FAST_RETRY })));
    outputs.push(JSON.stringify(await transmitPending({ config: working.config, runtime: working.runtime, log: working.log, retry: FAST_RETRY })));
    outputs.push(JSON.stringify(await deliveryStatus(working.config)));
    const cli = await runBds(['status', '--json'], { env: working.env });
    const check = await runBds(['check'], { env: failing.env });
    outputs.push(cli.stdout, cli.stderr, check.stdout, check.stderr);

    // Assess
    expect(outputs[0]).toMatch(/host key/);
    expect(outputs[1]).toMatch(/"ok":true/);
    const everything = [...failing.logLines, ...working.logLines, ...outputs, await readFile(ledgerPath(working.config.dataDir), 'utf8')].join('\n');
    expect(everything).not.toContain(PASSPHRASE);
    expect(everything).not.toContain(JSON.stringify(PASSPHRASE).slice(1, -1));
    expect(everything).not.toContain(keyBody);
  });
});
