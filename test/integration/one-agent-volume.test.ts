/**
 * One agent with 1.5 million sessions in a day, through the real `bds` command line with the
 * production heap cap (`npm start` runs node with --max-old-space-size=256). Memory must not
 * depend on how much one agent's day holds: the agent's intervals are merged as they stream in,
 * in order of start, so this ends with exit 0 and one seat, where collecting the agent's
 * sessions first ran out of heap (exit 134, lock left behind).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { BDS_BIN, runCommand } from '../helpers/cli';
import { readBillingFolder, valuesOf } from '../helpers/billing';
import { t } from '../fixtures/seats-fixture';
import { ifSetUp } from '../helpers/suite';

const SESSIONS = 1_500_000;
const DAY_START = t('2026-11-05T00:00:00Z');

let db: TestDatabase;
let work: string;

beforeAll(async () => {
  db = await createTestDatabase();
  // Session i starts at second (i mod 86,000) of the day and lasts 5 minutes; about seventeen
  // start in every second, so they overlap heavily, and the last ones run past midnight.
  await db.exec(`
    INSERT INTO tenant VALUES (1, 'vol', 101);
    INSERT INTO media_type VALUES (1, 'Voice', 'VOICE', 1);
    INSERT INTO interaction_type VALUES (2, 'Outbound', 'OUTBOUND', 'Contact', 'OUTBOUNDCONTACT');
    INSERT INTO resource_ (resource_key, tenant_key, resource_type, resource_type_code, resource_name, resource_cfg_dbid, resource_cfg_type_id)
      VALUES (401, 1, 'Agent', 'AGENT', 'busy', 1401, 3);
    INSERT INTO sm_res_session_fact
      SELECT 1000 + i, 1, 1, 401,
             ((${DAY_START} + i % 86000) / 900) * 900, ((${DAY_START} + i % 86000 + 300) / 900) * 900,
             ${DAY_START} + i % 86000, ${DAY_START} + i % 86000 + 300, 300, 0
        FROM generate_series(0, ${SESSIONS - 1}) AS g(i);
    INSERT INTO interaction_resource_fact
      SELECT 5000 + k, 9000 + k, 1, 401, 1, 2, ((${DAY_START} + k * 860) / 900) * 900, ${DAY_START} + k * 860, ${DAY_START} + k * 860 + 60, 1, 1
        FROM generate_series(0, 99) AS g(k);
    ANALYZE;
  `);
  work = await mkdtemp(join(tmpdir(), 'bds-volume-'));
  await writeFile(
    join(work, 'bds.config.yaml'),
    `customer:
  garn: GARN0042
  name: Volume Corp
dataDir: ${join(work, 'data')}
sources:
  gim:
    client: pg
    connectionString: \${env:TEST_DB_URL}
tenants:
  - id: vol
    gimTenantKey: 1
    cfgTenantDbid: 101
    timezone: UTC
    productionDate: 2026-11-01
    metrics: [seats_inbound_voice, seats_outbound]
    regions:
      - code: US
        locations:
          - { code: ALL, switches: [] }
`,
  );
}, 120_000);

afterAll(async () => {
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

describe('one agent with 1.5 million sessions in a day', () => {
  it('is counted as one seat within the production heap cap, leaving no lock behind', async () => {
    // Act
    const result = await runCommand(process.execPath, ['--max-old-space-size=256', BDS_BIN, 'run', '--date', '2026-11-05'], {
      env: { TEST_DB_URL: db.url, BDS_CONFIG: join(work, 'bds.config.yaml'), BDS_NOW: '2026-11-10T00:00:00Z' },
    });

    // Assess
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const values = valuesOf(await readBillingFolder(join(work, 'data', 'billing', 'vol', '2026', '11')));
    expect(values.seats_inbound_voice?.US).toEqual({ concurrent: 1, enabled: 1 });
    expect(values.seats_outbound?.US).toEqual({ concurrent: 1, enabled: 1 });
    expect((await readdir(join(work, 'data', 'state'))).filter((name) => name.startsWith('lock'))).toEqual([]);
  }, 300_000);
});
