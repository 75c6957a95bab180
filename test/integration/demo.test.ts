/** `bds demo` as a newcomer runs it: nothing but the project, an embedded database, one command. */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBds } from '../helpers/cli';

let work: string | undefined;
afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('bds demo', () => {
  it('processes a generated month into the demo folder and prints what it wrote', { timeout: 120_000 }, async () => {
    work = await mkdtemp(join(tmpdir(), 'bds-demo-'));
    const result = await runBds(['demo', '--dir', join(work, 'out')], { cwd: work, env: { PG_TEST_URL: '' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/62 tenant-days processed, \d+ billing files written/);
    expect(result.stdout).toMatch(/acme\s+US\s+seats_inbound_voice\s+concurrent\s+2026-10\s+[1-9]\d*/);
    expect(result.stdout).toMatch(/acme\s+GLOBAL\s+voicemail_boxes\s+count\s+2026-10-31\s+[1-9]\d*/);

    const october = join(work, 'out', 'data', 'billing', 'acme', '2026', '10');
    const names = await readdir(october);
    // 31 days × (10 seat metrics × 2 regions + voicemail + 6 GVP × 2) + the month's 32 rolled-up files.
    expect(names.filter((n) => n.endsWith('.csv')).length).toBe(31 * 33 + 32);
    const sums = names.filter((n) => n.endsWith('_M202610.csv.sha256'));
    const checked = execFileSync('sha256sum', ['-c', ...sums], { cwd: october, encoding: 'utf8' });
    expect(checked.match(/: OK$/gm)?.length).toBe(32);
    // The configuration it used is left for the operator to read.
    expect(await readFile(join(work, 'out', 'bds.config.yaml'), 'utf8')).toContain('gvp_asr_minutes');
  });
});
