/**
 * What a run tells the operator about the sources, beyond `bds check`: a listed switch the
 * Config DB does not have, and a source that gave no rows at all for a day (what a wrong
 * `gimTenantKey` looks like), are logged and kept in `bds status` as source warnings until the
 * day is extracted again without them. The files are still written: the rules cannot tell a
 * quiet Sunday from a wrong key, so the operator is told instead of the run failing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runBds } from '../helpers/cli';
import { seatsFixtureConfig, seatsFixtureSql } from '../fixtures/seats-fixture';
import { ifSetUp } from '../helpers/suite';

let db: TestDatabase;
let work: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.exec(seatsFixtureSql());
  work = await mkdtemp(join(tmpdir(), 'bds-source-warnings-'));
});

afterAll(async () => {
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

interface TenantWarnings {
  readonly tenant: string;
  readonly warnings: readonly string[];
  readonly problems: readonly string[];
}

async function bds(config: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runBds([...args, '--config', config], { env: { TEST_DB_URL: db.url, BDS_NOW: '2026-11-10T00:00:00Z' } });
}

async function writeConfig(name: string, dataDir: string, edit: (yaml: string) => string): Promise<string> {
  const path = join(work, `${name}.yaml`);
  await writeFile(path, edit(seatsFixtureConfig(dataDir)), { mode: 0o600 });
  return path;
}

async function warningsOf(config: string): Promise<Record<string, TenantWarnings>> {
  const status = await bds(config, ['status', '--json']);
  const tenants = (JSON.parse(status.stdout) as { tenants: TenantWarnings[] }).tenants;
  return Object.fromEntries(tenants.map((t) => [t.tenant, t]));
}

describe('source warnings of a run', () => {
  it('warns, in the log and in bds status, of a listed switch the Config DB lacks and of a tenant key with no rows, and forgets them once the day is extracted cleanly', async () => {
    // Prepare: acme lists a switch with a typo; globex's gimTenantKey is not in GIM.
    const dataDir = join(work, 'data');
    const wrong = await writeConfig('wrong', dataDir, (y) =>
      y.replace('switches: [SIP_BER]', 'switches: [SIP_BERR]').replace('gimTenantKey: 2', 'gimTenantKey: 77'),
    );

    // Act
    const run = await bds(wrong, ['run', '--date', '2026-11-02']);

    // Assess: the files are written (exit 0), and the operator is told, precisely.
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('source warning');
    expect(run.stderr).toContain('SIP_BERR');
    const first = await warningsOf(wrong);
    expect(first.acme?.warnings).toEqual([
      `2026-11-02 config: switch(es) "SIP_BERR" not in the tenant's cfg_switch: their agents would be placed in the default location`,
    ]);
    expect(first.globex?.warnings).toEqual([`2026-11-02 gim: gimTenantKey 77 is not in GIM's tenant table: every seat file would say 0`]);
    const human = await bds(wrong, ['status']);
    expect(human.stdout).toMatch(/source warnings:\n.*acme: 2026-11-02 config: switch\(es\) "SIP_BERR"/);

    // Act: the configuration is corrected and the day extracted again.
    const right = await writeConfig('right', dataDir, (y) => y);
    const again = await bds(right, ['run', '--date', '2026-11-02']);

    // Assess
    expect(again.code, again.stderr).toBe(0);
    const second = await warningsOf(right);
    expect(second.acme?.warnings).toEqual([]);
    // globex's key is right now, and it had no session that day: what is left is the quiet day.
    expect(second.globex?.warnings).toEqual([
      '2026-11-02 gim: no rows at all for the day in gim_sessions: every file of this source says 0; if the tenant was active, check gimTenantKey 2',
    ]);
  });

  it('has no warning for a day with rows, and keeps each day\'s own', async () => {
    // Prepare: globex has sessions on 2026-10-31, and none on 2026-11-05.
    const config = await writeConfig('quiet', join(work, 'data-quiet'), (y) => y);

    // Act
    const busy = await bds(config, ['run', '--date', '2026-10-31', '--tenant', 'globex']);
    const quiet = await bds(config, ['run', '--date', '2026-11-05', '--tenant', 'globex']);

    // Assess
    expect(busy.code, busy.stderr).toBe(0);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect((await warningsOf(config)).globex?.warnings).toEqual([
      '2026-11-05 gim: no rows at all for the day in gim_sessions: every file of this source says 0; if the tenant was active, check gimTenantKey 2',
    ]);
  });
});
