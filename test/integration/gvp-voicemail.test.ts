/**
 * GVP ports/minutes and voicemail boxes end to end through the real CLI, against two real
 * PostgreSQL databases standing in for two regions' Reporting Servers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runBds } from '../helpers/cli';
import { readBillingFolder, valuesOf } from '../helpers/billing';
import {
  EXPECTED_GVP,
  EXPECTED_MAILBOXES,
  GVP_METRICS,
  gvpEuSql,
  gvpFixtureConfig,
  gvpUsSql,
  voicemailSql,
} from '../fixtures/gvp-voicemail-fixture';
import { ifSetUp } from '../helpers/suite';

let dbA: TestDatabase;
let dbB: TestDatabase;
let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  [dbA, dbB] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  await dbA.exec(gvpUsSql() + '\n' + voicemailSql());
  await dbB.exec(gvpEuSql());
  work = await mkdtemp(join(tmpdir(), 'bds-gvp-'));
  await writeFile(join(work, 'bds.config.yaml'), gvpFixtureConfig(join(work, 'data')));
  env = { DB_A: dbA.url, DB_B: dbB.url, BDS_CONFIG: join(work, 'bds.config.yaml') };
});

afterAll(async () => {
  await Promise.all([ifSetUp(dbA)?.close(), ifSetUp(dbB)?.close()]);
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

const octFolder = (): string => join(work, 'data', 'billing', 'vox', '2026', '10');

describe('GVP and voicemail metrics', () => {
  it('writes the expected daily and monthly values', async () => {
    for (const date of ['2026-10-30', '2026-10-31']) {
      const result = await runBds(['run', '--date', date], { env });
      expect(result.code, result.stderr + result.stdout).toBe(0);
    }
    const files = await readBillingFolder(octFolder());
    for (const code of ['D20261030', 'D20261031', 'M202610'] as const) {
      const selected = new Map([...files].filter(([n]) => n.endsWith(`_${code}.csv`)));
      const label = code === 'M202610' ? '2026-10' : `${code.slice(1, 5)}-${code.slice(5, 7)}-${code.slice(7)}`;
      const expected = EXPECTED_GVP[label] ?? {};
      const values = valuesOf(selected);
      for (const metric of GVP_METRICS) {
        const measure = metric.endsWith('ports') ? 'peak' : 'minutes';
        for (const region of ['US', 'EU']) {
          expect({ code, metric, region, value: values[metric]?.[region]?.[measure] }).toEqual({
            code,
            metric,
            region,
            value: expected[metric]?.[region] ?? 0,
          });
        }
      }
      // Voicemail: one GLOBAL file per day, none for the month.
      const mailbox = values.voicemail_boxes?.GLOBAL?.count;
      expect(mailbox, code).toBe(code === 'M202610' ? undefined : EXPECTED_MAILBOXES);
      expect(selected.size, code).toBe(GVP_METRICS.length * 2 + (code === 'M202610' ? 0 : 1));
    }
  });

  it('carries the voicemail codes and records the Config DB snapshot in the manifest', async () => {
    const text = await readFile(join(octFolder(), 'CNT_GLOBAL_PES_voicemail_boxes_GARN0042_vox_D20261031.csv'), 'utf8');
    expect(text.split('\n')[1]).toBe(
      `GARN0042,Vox Ltd,vox,GLOBAL,voicemail_boxes,count,daily,2026-10-31,2026-10-31T00:00:00-04:00,2026-11-01T00:00:00-04:00,America/New_York,0,26,5,,,${EXPECTED_MAILBOXES}`,
    );
    const manifest = JSON.parse(await readFile(join(octFolder(), 'manifest_vox_D20261031.json'), 'utf8')) as {
      inputs: { dataset: string; snapshotAt?: string; source: string }[];
    };
    const voicemail = manifest.inputs.find((i) => i.dataset === 'cfg_voicemail');
    expect(voicemail?.snapshotAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(manifest.inputs.map((i) => `${i.dataset}<${i.source}`).sort()).toEqual([
      'cfg_voicemail<config',
      'gvp_usage_EU<gvp@EU',
      'gvp_usage_US<gvp@US',
    ]);
  });

  it('accepts a custom calls query that returns the documented columns', async () => {
    const dataDir = join(work, 'custom-ok');
    const config = join(work, 'custom-ok.yaml');
    await writeFile(
      config,
      gvpFixtureConfig(
        dataDir,
        `SELECT cdr_id AS CALL_ID, call_start AS Call_Start, call_end AS CALL_END
  FROM gvp_cdr WHERE component = 'MCP' AND tenant_id = :tenantDbid
   AND call_start < :dayEnd AND (call_end IS NULL OR call_end > :dayStart)`,
      ),
    );
    const result = await runBds(['run', '--date', '2026-10-30', '--config', config], { env });
    expect(result.code, result.stderr).toBe(0);
    const files = await readBillingFolder(join(dataDir, 'billing', 'vox', '2026', '10'));
    expect(valuesOf(files).gvp_minutes?.US?.minutes).toBe(1);
  });

  it('fails a custom query with a missing column before any file is written, naming the column', async () => {
    const dataDir = join(work, 'custom-bad');
    const config = join(work, 'custom-bad.yaml');
    await writeFile(
      config,
      gvpFixtureConfig(dataDir, `SELECT cdr_id AS call_id, call_start FROM gvp_cdr WHERE tenant_id = :tenantDbid AND call_start < :dayEnd`),
    );
    const result = await runBds(['run', '--date', '2026-10-31', '--config', config], { env });
    expect(result.code).toBe(8);
    expect(result.stdout + result.stderr).toContain('"call_end"');
    const written = await readdir(join(dataDir, 'billing'), { recursive: true }).catch(() => [] as string[]);
    expect(written.filter((f) => f.endsWith('.csv'))).toEqual([]);
  });
});
