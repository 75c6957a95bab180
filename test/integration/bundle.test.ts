/**
 * The Lambda bundles are self-contained and reproducible: each zip, unzipped into an empty
 * folder with no node_modules, runs its handler against a real PostgreSQL fixture; packaging
 * twice gives identical zips.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageFunctions, type PackageManifest } from '../../tools/packaging/bundle';
import { runCommand } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seatsFixtureConfig, seatsFixtureSql } from '../fixtures/seats-fixture';
import { ifSetUp } from '../helpers/suite';

const root = fileURLToPath(new URL('../..', import.meta.url));
let db: TestDatabase;
let work: string;
let manifest: PackageManifest;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bds-bundle-'));
  [db, manifest] = await Promise.all([createTestDatabase(), packageFunctions(root, join(work, 'zips-a'))]);
  await db.exec(seatsFixtureSql());
  await writeFile(join(work, 'bds.config.yaml'), seatsFixtureConfig(join(work, 'data')));
}, 180_000);

afterAll(async () => {
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

/** Runs `handler(event)` of an unzipped bundle in a fresh process; resolves its JSON result. */
async function invokeBundle(dir: string, event: unknown): Promise<{ code: number | null; result: unknown; stderr: string }> {
  const probe = `
    const m = await import(new URL('./index.mjs', 'file://' + process.cwd() + '/').href);
    const result = await m.handler(JSON.parse(process.env.EVENT), { awsRequestId: 'smoke' });
    process.stdout.write(JSON.stringify(result));`;
  const { code, stdout, stderr } = await runCommand(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: dir,
    replaceEnv: true,
    env: {
      PATH: process.env.PATH ?? '',
      EVENT: JSON.stringify(event),
      BDS_CONFIG: join(work, 'bds.config.yaml'),
      TEST_DB_URL: db.url,
      BDS_NOW: '2026-11-04T15:00:00Z',
    },
  });
  let result: unknown;
  try {
    result = JSON.parse(stdout);
  } catch {
    result = stdout;
  }
  return { code, result, stderr };
}

describe('Lambda bundles', () => {
  it('are reproducible: packaging twice gives identical zips', async () => {
    const again = await packageFunctions(root, join(work, 'zips-b'));
    expect(again.functions.map((f) => [f.function, f.sha256])).toEqual(manifest.functions.map((f) => [f.function, f.sha256]));
    const zips = (await readdir(join(work, 'zips-a'))).filter((n) => n.endsWith('.zip')).sort();
    expect(zips).toEqual(manifest.functions.map((f) => f.zip).sort());
    for (const fn of manifest.functions) {
      expect((await readFile(join(work, 'zips-a', fn.zip))).length).toBe(fn.bytes);
    }
  }, 180_000);

  it('run on their own, with no node_modules, against a real database', async () => {
    const range = { tenant: 'acme', from: '2026-10-30', to: '2026-10-31' };
    const calls: [string, unknown][] = [
      ['extract-gim', range],
      ['extract-config', range],
      ['extract-gvp', range],
      ['aggregate', range],
      ['upload', { tenant: 'acme' }],
      ['dispatcher', { tenant: 'acme' }],
      ['worker', { tenant: 'globex' }],
    ];
    expect(calls.map(([name]) => name).sort()).toEqual(manifest.functions.map((f) => f.function).sort());
    for (const [name, event] of calls) {
      const dir = join(work, 'run', name);
      await mkdir(dir, { recursive: true });
      execFileSync('unzip', ['-q', join(work, 'zips-a', `${name}.zip`), '-d', dir]);
      expect((await readdir(dir)).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      const { code, result, stderr } = await invokeBundle(dir, event);
      expect(code, `${name}: ${stderr}`).toBe(0);
      expect(result, name).toMatchObject({ exitCode: 0 });
    }
    // The bundles did the real work: October's monthly files exist.
    const october = await readdir(join(work, 'data', 'billing', 'acme', '2026', '10'));
    expect(october.filter((n) => n.endsWith('_M202610.csv')).length).toBe(20);
  }, 180_000);
});
