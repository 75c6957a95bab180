/**
 * Permissions of what BDS writes (docs/security.md, "Files"): a real `bds run` over the seats
 * fixture, with a copyTo destination, then every file and folder it created is inspected —
 * staged data and records, billing files, checksums, manifests, watermarks, the run record, the
 * delivery ledger and the copies. By default files are 0640 and folders 0750; `files.mode` and
 * `files.dirMode` change both. The umask is set to 022 for the child processes, so that what is
 * measured is BDS's own choice. Also: `bds check` warns about a configuration file every user can
 * read.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBds } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seatsFixtureConfig, seatsFixtureSql } from '../fixtures/seats-fixture';
import { ifSetUp } from '../helpers/suite';

const NOW = '2026-11-05T12:00:00Z';

/** Octal permissions (`'640'`) of everything under `root`, keyed by relative path; `root` itself as '.'. */
function modes(root: string): Map<string, string> {
  const out = new Map<string, string>([['.', (lstatSync(root).mode & 0o777).toString(8)]]);
  for (const entry of (readdirSync(root, { recursive: true }) as string[]).sort()) {
    out.set(entry.split(path.sep).join('/'), (lstatSync(path.join(root, entry)).mode & 0o777).toString(8));
  }
  return out;
}

/** The distinct modes of files and of folders under `root`. */
function summary(root: string): { files: string[]; folders: string[]; count: number } {
  const files = new Set<string>();
  const folders = new Set<string>();
  let count = 0;
  for (const [entry, mode] of modes(root)) {
    count += 1;
    if (lstatSync(path.join(root, entry)).isDirectory()) folders.add(mode);
    else files.add(mode);
  }
  return { files: [...files].sort(), folders: [...folders].sort(), count };
}

describe('file permissions', () => {
  let db: TestDatabase;
  let work: string;
  let previousUmask: number;

  beforeAll(async () => {
    // Child processes inherit the umask: 022 is the usual default, which lets every mode below through unchanged.
    previousUmask = process.umask(0o022);
    db = await createTestDatabase();
    await db.exec(seatsFixtureSql());
    work = mkdtempSync(path.join(tmpdir(), 'bds-file-modes-'));
  });

  afterAll(async () => {
    process.umask(previousUmask);
    await ifSetUp(db)?.close();
    if (ifSetUp(work) !== undefined) rmSync(work, { recursive: true, force: true });
  });

  /** Writes a configuration for `name`, runs one day with a copyTo destination, returns its folders. */
  async function runWith(name: string, files: string, copyRootMode?: number): Promise<{ dataDir: string; copyDir: string; code: number | null; stderr: string }> {
    const dataDir = path.join(work, name, 'data');
    const copyDir = path.join(work, name, 'copies');
    const config = path.join(work, `${name}.yaml`);
    // The operator's copyTo folder exists (bds never creates one), with the folders' mode.
    if (copyRootMode !== undefined) {
      mkdirSync(copyDir, { recursive: true });
      chmodSync(copyDir, copyRootMode);
    }
    writeFileSync(config, `${seatsFixtureConfig(dataDir)}transmit:\n  copyTo: [${copyDir}]\n${files}`, { mode: 0o600 });
    const result = await runBds(['run', '--date', '2026-10-30', '--tenant', 'acme', '--config', config], {
      env: { TEST_DB_URL: db.url, BDS_NOW: NOW },
    });
    return { dataDir, copyDir, code: result.code, stderr: result.stderr };
  }

  it('creates every file 0640 and every folder 0750 by default', async () => {
    // Act
    const run = await runWith('default', '', 0o750);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const data = summary(run.dataDir);
    const copies = summary(run.copyDir);
    expect(data).toMatchObject({ files: ['640'], folders: ['750'] });
    expect(copies).toMatchObject({ files: ['640'], folders: ['750'] });
    // What was inspected: staged data, billing files, state and ledger, and the copies.
    const names = [...modes(run.dataDir).keys()];
    for (const expected of [/^extract\/acme\/gim_sessions\/2026\/10\/2026-10-30\.csv\.gz$/, /^billing\/acme\/2026\/10\/CNT_US_PES_.*_D20261030\.csv$/, /\.csv\.sha256$/, /^billing\/acme\/2026\/10\/manifest_acme_D20261030\.json$/, /^state\/last-run\.json$/, /^state\/bds\.prom$/]) {
      expect(names.some((n) => expected.test(n)), String(expected)).toBe(true);
    }
    expect(names.filter((n) => n.startsWith('state/')).length).toBeGreaterThan(3);
    expect(copies.count).toBeGreaterThan(10);
  });

  it('uses files.mode and files.dirMode when the configuration sets them', async () => {
    // Act
    const run = await runWith('configured', 'files:\n  mode: "0600"\n  dirMode: "0700"\n', 0o700);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(summary(run.dataDir)).toMatchObject({ files: ['600'], folders: ['700'] });
    expect(summary(run.copyDir)).toMatchObject({ files: ['600'], folders: ['700'] });
  });

  it('refuses a mode that would let every user read billing data, before writing anything', async () => {
    // Act
    const run = await runWith('refused', 'files:\n  mode: "0644"\n');

    // Assess
    expect(run.code).toBe(78);
    expect(run.stderr.split('\n')[0]).toMatch(/: files\.mode: 0644 gives permissions to every user of the machine/);
    expect(readdirSync(path.join(work))).not.toContain('refused');
  });
});

describe('bds check: a configuration file every user can read', () => {
  let db: TestDatabase;
  let work: string;

  beforeAll(async () => {
    // bds check also looks the tenants up in the sources: they must be there.
    db = await createTestDatabase();
    await db.exec(seatsFixtureSql());
    work = mkdtempSync(path.join(tmpdir(), 'bds-check-mode-'));
  });

  afterAll(async () => {
    await ifSetUp(db)?.close();
    if (ifSetUp(work) !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it.each([
    ['0644', true],
    ['0640', false],
  ])('mode %s: warned %s', async (mode, warned) => {
    // Prepare
    const config = path.join(work, `bds-${mode}.yaml`);
    writeFileSync(config, seatsFixtureConfig(path.join(work, `data-${mode}`)));
    chmodSync(config, Number.parseInt(mode, 8));

    // Act
    const result = await runBds(['check', '--config', config], { env: { TEST_DB_URL: db.url } });

    // Assess: the sources answer (exit 0) either way; only the warning differs.
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const warning = `warning: ${config} is readable by every user of this machine; it may hold secrets: chmod 640 it`;
    if (warned) expect(result.stdout).toContain(warning);
    else expect(result.stdout).not.toContain('readable by every user');
  });
});
