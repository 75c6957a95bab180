/**
 * `bds check` against real sources: a tenant key or DBID that is not in its source, or a switch
 * name that is not in the Config DB, is a failed check (exit bit 8), named; the rest is ok.
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
  work = await mkdtemp(join(tmpdir(), 'bds-check-'));
});

afterAll(async () => {
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

async function check(name: string, edit: (yaml: string) => string): Promise<{ code: number | null; stdout: string }> {
  const config = join(work, `${name}.yaml`);
  await writeFile(config, edit(seatsFixtureConfig(join(work, `data-${name}`))), { mode: 0o600 });
  return runBds(['check', '--config', config], { env: { TEST_DB_URL: db.url } });
}

describe('bds check: the tenants in the sources', () => {
  it('passes when every tenant key, DBID and switch is there', async () => {
    const result = await check('good', (y) => y);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/source\s+gim tenant acme\s+ok/);
    expect(result.stdout).toMatch(/source\s+config tenant acme\s+ok/);
  });

  it('fails naming a gimTenantKey that GIM does not have (it would bill zeros)', async () => {
    const result = await check('gim-key', (y) => y.replace('gimTenantKey: 2', 'gimTenantKey: 77'));
    expect(result.code).toBe(8);
    expect(result.stdout).toMatch(/gim tenant globex\s+FAILED: gimTenantKey 77 is not in GIM's tenant table/);
  });

  it('fails naming a cfgTenantDbid or a switch name the Config DB does not have', async () => {
    const dbid = await check('cfg-dbid', (y) => y.replace('cfgTenantDbid: 101', 'cfgTenantDbid: 909'));
    const typo = await check('switch', (y) => y.replace('switches: [SIP_BER]', 'switches: [SIP_BERR]'));
    expect(dbid.code).toBe(8);
    expect(dbid.stdout).toContain('cfgTenantDbid 909 is not in the Config DB');
    expect(typo.code).toBe(8);
    expect(typo.stdout).toContain(`switch(es) "SIP_BERR" not in the tenant's cfg_switch`);
  });
});
