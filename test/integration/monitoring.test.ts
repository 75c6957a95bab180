/**
 * Monitoring on a real data directory: a failed scheduled firing stays visible after a manual
 * run (its own record, its own series), and the state gauges say where each tenant's stages are
 * and what is pending where, after real runs against the fixture database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../lib/log/logger';
import type { BdsHandler } from '../../lib/pipeline/handler';
import { runScheduler } from '../../app/scheduler/scheduler';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runBds } from '../helpers/cli';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus';
import { seatsFixtureConfig, seatsFixtureSql } from '../fixtures/seats-fixture';
import { ifSetUp, restoreEnv } from '../helpers/suite';

// 2026-11-04 10:00 in New York: with the 2 h delay, the last ended day is 2026-11-03.
const NOW = '2026-11-04T15:00:00Z';

let db: TestDatabase;
let work: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.exec(seatsFixtureSql());
  work = await mkdtemp(join(tmpdir(), 'bds-monitoring-'));
});

afterAll(async () => {
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

async function setup(name: string, extra = ''): Promise<{ config: string; dataDir: string; env: NodeJS.ProcessEnv }> {
  const dataDir = join(work, name);
  const config = join(work, `${name}.yaml`);
  await writeFile(config, seatsFixtureConfig(dataDir) + extra);
  return { config, dataDir, env: { TEST_DB_URL: db.url, BDS_CONFIG: config, BDS_NOW: NOW } };
}

describe('monitoring', () => {
  it('keeps a failed scheduled firing visible after a successful manual run', async () => {
    // Prepare: a scheduler whose dispatcher fails (a source down, say) fires once at start-up.
    const site = await setup('triggers');
    const serverlessFile = join(work, 'serverless.yml');
    await writeFile(serverlessFile, 'service: bds\nprovider:\n  name: aws\n  stage: test\n  region: eu-west-1\nfunctions:\n  dispatcher:\n    handler: h.handler\n    events:\n      - schedule: rate(1 day)\n');
    const stop = new AbortController();
    const failing: BdsHandler = () => {
      stop.abort();
      return Promise.reject(new Error('gim: connect ECONNREFUSED 127.0.0.1:1'));
    };
    const previous = { BDS_CONFIG: process.env.BDS_CONFIG, TEST_DB_URL: process.env.TEST_DB_URL };
    process.env.TEST_DB_URL = db.url;
    try {
      const code = await runScheduler({
        configPath: site.config,
        serverlessFile,
        log: createLogger({ write: () => undefined }),
        signal: stop.signal,
        signals: [],
        handlers: { dispatcher: failing },
      });
      expect(code).toBe(0);
    } finally {
      restoreEnv(previous);
    }

    // Act: an operator then runs a day by hand, successfully.
    const manual = await runBds(['run', '--date', '2026-10-30', '--tenant', 'acme'], { env: site.env });
    expect(manual.code, manual.stderr).toBe(0);

    // Assess: both records, both series, both lines in `bds status`.
    const state = join(site.dataDir, 'state');
    const scheduled = JSON.parse(await readFile(join(state, 'last-scheduled-run.json'), 'utf8')) as Record<string, unknown>;
    expect(scheduled).toMatchObject({ trigger: 'scheduled', command: 'scheduler: dispatcher', exitCode: 1, daysProcessed: 0 });
    expect(String(scheduled.error)).toContain('ECONNREFUSED');
    const lastManual = JSON.parse(await readFile(join(state, 'last-run.json'), 'utf8')) as Record<string, unknown>;
    expect(lastManual).toMatchObject({ trigger: 'manual', command: 'bds run --date 2026-10-30 --tenant acme', exitCode: 0, daysProcessed: 1 });
    const prom = parsePrometheusText(await readFile(join(state, 'bds.prom'), 'utf8'));
    expect(sampleValue(prom, 'bds_last_run_exit_code', { trigger: 'scheduled' })).toBe(1);
    expect(sampleValue(prom, 'bds_last_run_exit_code', { trigger: 'manual' })).toBe(0);
    expect(sampleValue(prom, 'bds_last_run_days_processed', { trigger: 'manual' })).toBe(1);
    const status = await runBds(['status'], { env: site.env });
    expect(status.stdout).toMatch(/last scheduled run: scheduler: dispatcher, .* exit 1, 0 day\(s\), 0 failed; failed: .*ECONNREFUSED/);
    expect(status.stdout).toMatch(/last manual run: bds run --date 2026-10-30 --tenant acme, .* exit 0, 1 day\(s\), 0 failed/);
    const json = JSON.parse((await runBds(['status', '--json'], { env: site.env })).stdout) as { lastScheduledRun: { exitCode: number }; lastRun: { exitCode: number } };
    expect([json.lastScheduledRun.exitCode, json.lastRun.exitCode]).toEqual([1, 0]);

    // Act: the next scheduled event (as EventBridge sends it) reaches the dispatcher and works.
    const eventFile = join(work, 'scheduled-event.json');
    await writeFile(
      eventFile,
      JSON.stringify({ version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', time: NOW, region: 'eu-west-1', resources: [], detail: { tenant: 'globex' } }),
    );
    const invoked = await runBds(['invoke', 'dispatcher', '--event', eventFile], { env: site.env });

    // Assess: the scheduled record is replaced by the handler's own; the manual one is kept.
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(state, 'last-scheduled-run.json'), 'utf8'))).toMatchObject({ trigger: 'scheduled', command: 'dispatcher --tenant globex', exitCode: 0, daysProcessed: 4 });
    expect(JSON.parse(await readFile(join(state, 'last-run.json'), 'utf8'))).toMatchObject({ command: 'bds run --date 2026-10-30 --tenant acme' });
    const promAfter = parsePrometheusText(await readFile(join(state, 'bds.prom'), 'utf8'));
    expect(sampleValue(promAfter, 'bds_last_run_exit_code', { trigger: 'scheduled' })).toBe(0);
    expect(sampleValue(promAfter, 'bds_last_run_days_processed', { trigger: 'manual' })).toBe(1);
  });

  it('exports where each stage is and what is pending per destination, and follows a failed delivery', async () => {
    // Prepare: two destinations, one of which is an unmounted share (its root is missing).
    const share = join(work, 'share');
    const unmounted = join(work, 'not-mounted');
    await mkdir(share);
    const site = await setup('gauges', `transmit:\n  copyTo: [${JSON.stringify(share)}, ${JSON.stringify(unmounted)}]\n`);

    // Act
    const run = await runBds(['catch-up'], { env: site.env });

    // Assess: extract and aggregate are caught up (2026-11-03), transmit is not (the unmounted
    // share failed), and the share that works holds every file.
    expect(run.code, run.stderr).toBe(2);
    const gauges = parsePrometheusText(await readFile(join(site.dataDir, 'state', 'bds-state.acme.prom'), 'utf8'));
    // The end of 2026-11-03 in New York (EST, UTC-5).
    expect(sampleValue(gauges, 'bds_watermark_timestamp_seconds', { stage: 'aggregate' })).toBe(Date.parse('2026-11-04T05:00:00Z') / 1000);
    expect(sampleValue(gauges, 'bds_days_behind', { stage: 'extract' })).toBe(0);
    expect(sampleValue(gauges, 'bds_days_behind', { stage: 'aggregate' })).toBe(0);
    // Nothing was ever fully delivered: every day from the production date (10-30 .. 11-03).
    expect(sampleValue(gauges, 'bds_days_behind', { stage: 'transmit' })).toBe(5);
    const files = sampleValue(gauges, 'bds_files');
    expect(files).toBeGreaterThan(10);
    const pending = gauges.get('bds_files_pending')?.samples ?? [];
    expect(pending.map((s) => s.value).sort((a, b) => a - b)).toEqual([0, files]);
    const down = pending.find((s) => s.value === files)?.labels.destination ?? '';
    expect(down).toContain('not-mounted');
    expect(sampleValue(gauges, 'bds_files_delivered', { destination: down })).toBe(0);
    const success = gauges.get('bds_last_success_timestamp_seconds')?.samples.map((s) => s.labels.stage).sort();
    expect(success).toEqual(['aggregate', 'extract']);
    // globex (UTC) has its own file, with its own watermark: the end of 2026-11-03 UTC.
    const globex = parsePrometheusText(await readFile(join(site.dataDir, 'state', 'bds-state.globex.prom'), 'utf8'));
    expect(sampleValue(globex, 'bds_watermark_timestamp_seconds', { stage: 'aggregate' })).toBe(Date.parse('2026-11-04T00:00:00Z') / 1000);

    // Act: the share is mounted, the next run delivers.
    await mkdir(unmounted);
    const again = await runBds(['catch-up'], { env: site.env });

    // Assess
    expect(again.code, again.stderr).toBe(0);
    const after = parsePrometheusText(await readFile(join(site.dataDir, 'state', 'bds-state.acme.prom'), 'utf8'));
    expect(sampleValue(after, 'bds_days_behind', { stage: 'transmit' })).toBe(0);
    expect(sampleValue(after, 'bds_files_pending', { destination: down })).toBe(0);
    expect(sampleValue(after, 'bds_files_delivered', { destination: down })).toBe(files);
    expect(after.get('bds_last_success_timestamp_seconds')?.samples.map((s) => s.labels.stage).sort()).toEqual(['aggregate', 'extract', 'transmit']);
    expect(sampleValue(after, 'bds_problems')).toBe(0);
  });

  it('removes the state gauges of a tenant no longer configured', async () => {
    // Prepare
    const site = await setup('removed');
    await mkdir(join(site.dataDir, 'state'), { recursive: true });
    await writeFile(join(site.dataDir, 'state', 'bds-state.oldtenant.prom'), 'bds_files{tenant="oldtenant"} 1\n');

    // Act
    const run = await runBds(['run', '--date', '2026-10-31', '--tenant', 'globex'], { env: site.env });

    // Assess
    expect(run.code, run.stderr).toBe(0);
    await expect(readFile(join(site.dataDir, 'state', 'bds-state.oldtenant.prom'), 'utf8')).rejects.toThrow(/ENOENT/);
    await expect(readFile(join(site.dataDir, 'state', 'bds-state.acme.prom'), 'utf8')).resolves.toContain('bds_days_behind');
  });
});
