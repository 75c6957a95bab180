/**
 * Disk faults (docs/reliability.md), with the real `bds` command:
 *
 * - a folder of the data directory not writable: the child runs as `nobody` (via setpriv) since
 *   root ignores permissions; the stage that writes there fails with its exit bit and a message
 *   naming the path, nothing half-written is left, and the next run recovers;
 * - files limited in size (RLIMIT_FSIZE, `ulimit -f`): a staged dataset too large to write fails
 *   the extraction (exit 8) without leaving anything under a final name;
 * - the disk full: the data directory and a copyTo folder on a small tmpfs that the test fills at
 *   a chosen moment (the child is held at a fault point meanwhile), during aggregation and during
 *   delivery; the run fails with the stage's bit, no file under a final name is partial, and once
 *   space is back the next run ends equal to an undisturbed one, delivering each file once.
 *
 * Running as nobody and mounting need root (and setpriv, mount); without them those cases are
 * skipped with the reason in their name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStagedMeta, readStagedRows, stagedPaths } from '../../lib/staging/staged';
import { BDS_BIN, runCommand, type CliResult } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { manyShortSessionsSql, seatsFixtureConfig, seatsFixtureSql } from '../fixtures/seats-fixture';
import { billingWithoutTimes, contents, isTemporary } from '../helpers/files';
import { ifSetUp } from '../helpers/suite';

const NOW = '2026-11-02T15:00:00Z';
const DAY = '2026-10-30';
/** A day with enough sessions that its staged dataset is tens of kilobytes. */
const BIG_DAY = '2026-11-01';
const NOBODY = 65534;
const IS_ROOT = process.getuid?.() === 0;

/** Can a child run as nobody and still read the project (node_modules, dist)? */
function canRunAsNobody(): boolean {
  if (!IS_ROOT) return false;
  const probe = spawnSync(
    'setpriv',
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e', `require('node:fs').accessSync(${JSON.stringify(BDS_BIN)})`],
    { stdio: 'ignore' },
  );
  return probe.status === 0;
}

/** Can this process mount (and unmount) a tmpfs? */
function canMountTmpfs(): boolean {
  if (!IS_ROOT) return false;
  const dir = join(tmpdir(), `bds-mount-probe-${process.pid}`);
  spawnSync('mkdir', ['-p', dir]);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
  if (mounted) spawnSync('umount', [dir], { stdio: 'ignore' });
  spawnSync('rmdir', [dir]);
  return mounted;
}

const AS_NOBODY = canRunAsNobody();
const TMPFS = canMountTmpfs();
const NOBODY_REASON = AS_NOBODY ? 'as nobody via setpriv' : 'skipped: needs root and setpriv to run bds as nobody (root ignores permissions)';
const TMPFS_REASON = TMPFS ? 'on a small tmpfs' : 'skipped: needs root (CAP_SYS_ADMIN) to mount a small tmpfs';

let db: TestDatabase;
let work: string;
let sites = 0;
let referenceBilling: Record<string, string>;

interface Site {
  readonly dataDir: string;
  readonly copyDir: string;
  readonly env: NodeJS.ProcessEnv;
}

async function createSite(name: string, options: { root?: string; copyTo?: boolean } = {}): Promise<Site> {
  sites += 1;
  const base = join(options.root ?? work, `${sites}-${name}`);
  const dataDir = join(base, 'data');
  const copyDir = join(base, 'copy');
  const config = join(work, `${sites}-${name}.yaml`);
  if (options.copyTo === true) await mkdir(copyDir, { recursive: true });
  await writeFile(config, seatsFixtureConfig(dataDir) + (options.copyTo === true ? `transmit:\n  copyTo: [${JSON.stringify(copyDir)}]\n` : ''));
  return { dataDir, copyDir, env: { TEST_DB_URL: db.url, BDS_CONFIG: config, BDS_NOW: NOW } };
}

/**
 * Runs `bds` as a child process: as `nobody`, or under a file size limit (in KiB blocks, through
 * bash's `ulimit -f`), or as is.
 */
function bds(args: readonly string[], env: NodeJS.ProcessEnv, options: { asNobody?: boolean; fileSizeKiB?: number } = {}): Promise<CliResult> {
  let command = process.execPath;
  let argv = [BDS_BIN, ...args];
  if (options.asNobody === true) {
    argv = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', command, ...argv];
    command = 'setpriv';
  } else if (options.fileSizeKiB !== undefined) {
    argv = ['-c', `ulimit -f ${options.fileSizeKiB} && exec "$@"`, 'bash', command, ...argv];
    command = 'bash';
  }
  return runCommand(command, argv, { env });
}



/** No temporary file anywhere, and every billing file present is exactly the reference's (complete, or absent). */
async function expectNothingPartial(site: Site): Promise<void> {
  const all = [...(await contents(site.dataDir)).keys(), ...[...(await contents(site.copyDir)).keys()].map((k) => `copy/${k}`)];
  expect(all.filter(isTemporary)).toEqual([]);
  const present = await billingWithoutTimes(site.dataDir);
  // Manifests included (without their times): one that exists is the complete one.
  for (const [path, text] of Object.entries(present)) expect(text, path).toBe(referenceBilling[path]);
  for (const [path, bytes] of await contents(site.copyDir)) expect(bytes.toString('utf8'), path).toBe(referenceBilling[path]);
}

/** Reads a staged dataset through the product's own verification; resolves to its row count. */
async function verifiedRows(dataDir: string, dataset: string, date: string): Promise<number> {
  const at = { dataDir, tenant: 'acme', dataset, date };
  const meta = await readStagedMeta(at);
  let rows = 0;
  for await (const row of readStagedRows(at, meta)) if (row.length > 0) rows += 1;
  return rows;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bds-faults-disk-'));
  // nobody must reach the configuration files and data folders below.
  await chmod(work, 0o755);
  db = await createTestDatabase();
  await db.exec(seatsFixtureSql());
  await db.exec(manyShortSessionsSql(6000));
  const reference = await createSite('reference');
  const result = await bds(['run', '--date', DAY, '--tenant', 'acme', '--no-transmit'], reference.env);
  if (result.code !== 0) throw new Error(`the reference run failed: ${result.stderr}`);
  referenceBilling = await billingWithoutTimes(reference.dataDir);
});

afterAll(async () => {
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!AS_NOBODY)(`a folder of the data directory not writable (${NOBODY_REASON})`, () => {
  const cases: [string, (dataDir: string) => string, number, RegExp][] = [
    ['the staged data folder', (d) => join(d, 'extract'), 8, /acme\s+2026-10-30\s+FAILED \(extract\)/],
    ['the billing folder of the month', (d) => join(d, 'billing', 'acme', '2026', '10'), 4, /acme\s+2026-10-30\s+FAILED \(aggregate\)/],
    ['the state folder (lock, watermarks)', (d) => join(d, 'state'), 1, /^$/],
  ];
  for (const [what, folderOf, exitCode, summary] of cases) {
    it(`fails with exit ${exitCode} naming the path when ${what} is read-only, and recovers once it is writable`, async () => {
      // Prepare: a data directory that belongs to nobody, one folder of it read-only.
      const site = await createSite('readonly');
      const folder = folderOf(site.dataDir);
      await mkdir(folder, { recursive: true });
      for (let dir = folder; dir.startsWith(site.dataDir); dir = join(dir, '..')) await chown(dir, NOBODY, NOBODY);
      await chown(join(site.dataDir, '..'), NOBODY, NOBODY);
      await chmod(folder, 0o555);
      const args = ['run', '--date', DAY, '--tenant', 'acme', '--no-transmit'];

      // Act
      const denied = await bds(args, site.env, { asNobody: true });

      // Assess: the stage's bit, the folder named with the system's reason, nothing half-written.
      expect(denied.code, denied.stderr).toBe(exitCode);
      expect(denied.stdout).toMatch(summary);
      const said = denied.stdout + denied.stderr;
      expect(said).toContain(folder);
      expect(said).toMatch(/EACCES|permission denied/);
      await expectNothingPartial(site);

      // Act: the operator fixes the permission.
      await chmod(folder, 0o755);
      const fixed = await bds(args, site.env, { asNobody: true });

      // Assess
      expect(fixed.code, fixed.stderr).toBe(0);
      expect(await billingWithoutTimes(site.dataDir)).toEqual(referenceBilling);
    });
  }
});

describe('files limited in size (RLIMIT_FSIZE)', () => {
  it('fails the extraction with exit 8 when a staged dataset cannot be written whole, leaves no partial file, and recovers', async () => {
    // Prepare: how large the big day's dataset is, from an unlimited run elsewhere.
    const probe = await createSite('fsize-probe');
    expect((await bds(['run', '--date', BIG_DAY, '--tenant', 'acme', '--no-transmit'], probe.env)).code).toBe(0);
    const size = (await readFile(stagedPaths({ dataDir: probe.dataDir, tenant: 'acme', dataset: 'gim_sessions', date: BIG_DAY }).data)).length;
    const limitKiB = Math.floor(size / 2 / 1024);
    expect(limitKiB).toBeGreaterThanOrEqual(4);
    const site = await createSite('fsize');
    const args = ['run', '--date', BIG_DAY, '--tenant', 'acme', '--no-transmit'];

    // Act: no file of this run may grow past half that size.
    const limited = await bds(args, site.env, { fileSizeKiB: limitKiB });

    // Assess
    expect(limited.code, limited.stderr).toBe(8);
    expect(limited.stdout).toMatch(/acme\s+2026-11-01\s+FAILED \(extract\)/);
    expect(limited.stdout).toMatch(/extracting gim_sessions from gim failed: .*gim_sessions\/2026\/11\/2026-11-01\.csv\.gz: cannot write the staged dataset: .*EFBIG/);
    const staged = [...(await contents(join(site.dataDir, 'extract'))).keys()];
    expect(staged.filter((p) => p.includes('gim_sessions'))).toEqual([]);
    expect(staged.filter(isTemporary)).toEqual([]);

    // Act: without the limit.
    const unlimited = await bds(args, site.env);

    // Assess
    expect(unlimited.code, unlimited.stderr).toBe(0);
    expect(await verifiedRows(site.dataDir, 'gim_sessions', BIG_DAY)).toBeGreaterThan(6000);
  });
});

describe.skipIf(!TMPFS)(`the disk full (${TMPFS_REASON})`, () => {
  let disk: string;

  beforeAll(async () => {
    disk = join(work, 'disk');
    await mkdir(disk);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'tmpfs', disk], { encoding: 'utf8' });
    if (mounted.status !== 0) throw new Error(`cannot mount a tmpfs at ${disk}: ${mounted.stderr}`);
  });

  afterAll(() => {
    if (ifSetUp(disk) !== undefined) spawnSync('umount', [disk]);
  });

  /** Writes a filler file until the file system refuses (ENOSPC); returns its path. */
  async function fill(): Promise<string> {
    const filler = join(disk, 'filler');
    const handle = await open(filler, 'a');
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    try {
      for (;;) await handle.write(chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      await handle.close();
    }
    // The last partial block too: nothing at all is left.
    const byte = await open(join(disk, 'filler-tail'), 'a');
    try {
      for (;;) await byte.write(Buffer.alloc(1));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      await byte.close();
    }
    return filler;
  }

  async function free(): Promise<void> {
    await rm(join(disk, 'filler'), { force: true });
    await rm(join(disk, 'filler-tail'), { force: true });
  }

  /** Runs `bds`, held at the first `point` while the disk is filled, then lets it go on. */
  async function runFillingAt(site: Site, args: readonly string[], point: string): Promise<CliResult> {
    const hold = join(work, `hold-${sites}`);
    // Set when bds ends, in a callback that TypeScript's narrowing does not follow.
    let exited = false as boolean;
    const running = bds(args, { ...site.env, BDS_FAULT_HOLD_AT: point, BDS_FAULT_HOLD_FILE: hold }).finally(() => {
      exited = true;
    });
    try {
      while (!(await readFile(hold).then(() => true, () => false))) {
        if (exited) throw new Error(`bds ended before reaching ${point}: ${(await running).stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await fill();
    } finally {
      await rm(hold, { force: true });
    }
    return running;
  }

  it('fails the aggregation with exit bit 4 naming the file, leaves no partial billing file, and recovers with space', async () => {
    // Prepare
    const site = await createSite('full-aggregate', { root: disk });
    const args = ['run', '--date', DAY, '--tenant', 'acme', '--no-transmit'];
    try {
      // Act: the disk fills up after the first billing file and its checksum are written.
      const full = await runFillingAt(site, args, 'billing.after-checksum');

      // Assess: the aggregation bit, and the "other" bit for the run record that could not be written either.
      expect(full.code, full.stderr).toBe(4 | 1);
      expect(full.stdout).toMatch(/acme\s+2026-10-30\s+FAILED \(aggregate\)/);
      expect(full.stderr).toMatch(/cannot write the run record.*last-run\.json: cannot write: ENOSPC/);
      expect(full.stdout).toMatch(new RegExp(`${join(site.dataDir, 'billing', 'acme', '2026', '10')}/\\S+: cannot write: ENOSPC`));
      await expectNothingPartial(site);
    } finally {
      await free();
    }

    // Act: space again.
    const again = await bds(args, site.env);

    // Assess
    expect(again.code, again.stderr).toBe(0);
    expect(await billingWithoutTimes(site.dataDir)).toEqual(referenceBilling);
  });

  it('fails the delivery to a full copyTo folder with exit bit 2, copies nothing partial, and delivers each file once with space', async () => {
    // Prepare: the day is aggregated; only its delivery is left.
    const site = await createSite('full-transmit', { root: disk, copyTo: true });
    const args = ['run', '--date', DAY, '--tenant', 'acme'];
    const files = Object.keys(referenceBilling).filter((p) => p.endsWith('.csv'));
    try {
      // Act: the disk fills up as delivery starts.
      const full = await runFillingAt(site, args, 'transmit.before-deliver');

      // Assess: the transmission bit, and the "other" bit for the run record that could not be written either.
      expect(full.code, full.stderr).toBe(2 | 1);
      expect(full.stdout).toMatch(/acme: \d+ delivered, \d+ FAILED \(kept, retried next run\)/);
      expect(full.stderr).toContain('ENOSPC');
      expect(full.stderr).toContain(`copy:${site.copyDir}`);
      await expectNothingPartial(site);
    } finally {
      await free();
    }

    // Act: space again.
    const again = await bds(args, site.env);

    // Assess: every file copied, complete, recorded once.
    expect(again.code, again.stderr).toBe(0);
    const copies = await contents(site.copyDir);
    for (const file of files) {
      expect(copies.get(file)?.toString('utf8'), file).toBe(referenceBilling[file]);
      expect(copies.get(`${file}.sha256`)?.toString('utf8'), file).toBe(referenceBilling[`${file}.sha256`]);
    }
    const ledger = (await readFile(join(site.dataDir, 'state', 'ledger.jsonl'), 'utf8'))
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => (JSON.parse(l) as { file: string }).file)
      .sort();
    expect(ledger).toEqual(files.map((f) => f).sort());
    await expectNothingPartial(site);
  });
});
