/**
 * Each of BDS's own file formats has one zod schema; a damaged or foreign file of each is refused
 * with a message naming the file and the field, and a good one written by the real writer reads
 * back.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import { DEFAULT_FILE_MODES } from '../../lib/files/atomic';
import { collectStatus } from '../../lib/pipeline/status';
import { DiskFormatError } from '../../lib/files/errors';
import { billingFolder, manifestName } from '../../lib/files/period-writer';
import { StagedDatasetCorruptError } from '../../lib/staging/errors';
import { readStagedMeta, stagedPaths, writeStagedDataset } from '../../lib/staging/staged';
import { addMark, marksPath, readMarks } from '../../lib/state/period-marks';
import { lastRunPath, readRunRecord, writeRunRecord } from '../../lib/state/run-record';
import { readSourceWarnings, sourceWarningsPath } from '../../lib/state/source-warnings';
import { readStageSuccessFile, recordStageSuccess, stageSuccessPath } from '../../lib/state/stage-success';
import { readWatermarks, setWatermark, watermarksPath } from '../../lib/state/watermarks';
import { LedgerError } from '../../lib/transmit/errors';
import { ledgerPath, readLedger } from '../../lib/transmit/ledger';
import { listBillingFiles } from '../../lib/transmit/listing';

const dirs: string[] = [];
let dataDir = '';

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'bds-formats-'));
  dirs.push(dataDir);
});

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function plant(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
}

/** The error `run` rejects with (fails the test when it resolves). */
async function rejection(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const SHA = 'a'.repeat(64);

describe('watermarks', () => {
  it('reads back what was written, and refuses a day that is not a date, naming file and field', async () => {
    // Prepare
    await setWatermark(dataDir, 'acme', 'extract', '2026-10-30', DEFAULT_FILE_MODES);
    await plant(watermarksPath(dataDir, 'beta'), JSON.stringify({ aggregate: '2026-10-32' }));

    // Act
    const error = await rejection(() => readWatermarks(dataDir));

    // Assess
    expect(error).toBeInstanceOf(DiskFormatError);
    expect(error instanceof DiskFormatError ? error.field : undefined).toBe('aggregate');
    expect(error.message).toContain(watermarksPath(dataDir, 'beta'));
    expect(error.message).toContain('field aggregate: expected a date YYYY-MM-DD');
    expect(error.message).toContain('bds watermark --tenant beta');
  });

  it('refuses a foreign file (a key the format does not have) and a file that is not JSON', async () => {
    await plant(watermarksPath(dataDir, 'acme'), JSON.stringify({ extract: '2026-10-30', lastRun: '2026-10-30' }));
    const foreign = await rejection(() => readWatermarks(dataDir));
    expect(foreign.message).toContain('field lastRun: not a field of this file');

    await plant(watermarksPath(dataDir, 'acme'), '{"extract": "2026-10-');
    const torn = await rejection(() => readWatermarks(dataDir));
    expect(torn.message).toMatch(/watermarks\/acme\.json: not valid JSON/);
  });
});

describe('run records', () => {
  it('reads back what was written, and refuses a record with a wrong field', async () => {
    // Prepare
    const record = { command: 'bds run', trigger: 'manual', startedAt: '2026-10-31T06:00:00.000Z', endedAt: '2026-10-31T06:01:00.000Z', exitCode: 0, daysProcessed: 1, daysFailed: 0, failures: [] } as const;
    await writeRunRecord(dataDir, record, DEFAULT_FILE_MODES);
    expect(await readRunRecord(dataDir, 'manual')).toEqual(record);
    await plant(lastRunPath(dataDir, 'scheduled'), JSON.stringify({ ...record, trigger: 'scheduled', exitCode: 'zero' }));

    // Act
    const error = await rejection(() => readRunRecord(dataDir, 'scheduled'));

    // Assess
    expect(error).toBeInstanceOf(DiskFormatError);
    expect(error.message).toContain(`${lastRunPath(dataDir, 'scheduled')}: field exitCode:`);
    expect(error.message).toContain('delete it');
  });

  it('a damaged record of the other trigger does not stop a run from writing its own', async () => {
    await plant(lastRunPath(dataDir, 'scheduled'), '{}');
    const record = { command: 'bds run', trigger: 'manual', startedAt: '2026-10-31T06:00:00.000Z', endedAt: '2026-10-31T06:01:00.000Z', exitCode: 0, daysProcessed: 0, daysFailed: 0, failures: [] } as const;
    await writeRunRecord(dataDir, record, DEFAULT_FILE_MODES);
    expect(await readRunRecord(dataDir, 'manual')).toEqual(record);
  });
});

describe('staged records (.meta.json)', () => {
  const loc = (): { dataDir: string; tenant: string; dataset: string; date: string } => ({ dataDir, tenant: 'acme', dataset: 'gim_sessions', date: '2026-10-30' });

  async function stage(): Promise<void> {
    const rows = [['1', 'a']] as const;
    await writeStagedDataset(loc(), ['resource_key', 'name'], (async function* () {
      yield* rows;
      await Promise.resolve();
    })(), { source: 'gim', window: { start: 0, end: 86_400 } }, DEFAULT_FILE_MODES);
  }

  it('refuses a record whose digest is not one, as corrupt (extracting again repairs it), naming file and field', async () => {
    // Prepare
    await stage();
    const good = await readStagedMeta(loc());
    await plant(stagedPaths(loc()).meta, JSON.stringify({ ...good, sha256: 'not-a-digest' }));

    // Act
    const error = await rejection(() => readStagedMeta(loc()));

    // Assess
    expect(error).toBeInstanceOf(StagedDatasetCorruptError);
    expect(error.message).toBe(`${stagedPaths(loc()).meta}: field sha256: not a SHA-256 hex digest; extract 2026-10-30 again`);
  });

  it('refuses a record of another format and one with a field missing', async () => {
    await stage();
    const good = await readStagedMeta(loc());
    await plant(stagedPaths(loc()).meta, JSON.stringify({ ...good, format: 'other-tool/2' }));
    expect((await rejection(() => readStagedMeta(loc()))).message).toContain('field format: not a BDS staged record');
    await plant(stagedPaths(loc()).meta, JSON.stringify({ ...good, window: undefined }));
    expect((await rejection(() => readStagedMeta(loc()))).message).toContain(`${stagedPaths(loc()).meta}: field window:`);
  });
});

describe('stage success', () => {
  it('reads back what was written; a damaged file is no success, with a problem naming file and field', async () => {
    // Prepare
    await recordStageSuccess(dataDir, 'acme', 'extract', new Date('2026-10-31T06:00:00Z'), DEFAULT_FILE_MODES);
    expect((await readStageSuccessFile(dataDir, 'acme')).success).toEqual({ extract: '2026-10-31T06:00:00.000Z' });
    await plant(stageSuccessPath(dataDir, 'beta'), JSON.stringify({ extract: 'yesterday' }));

    // Act
    const read = await readStageSuccessFile(dataDir, 'beta');

    // Assess
    expect(read.success).toEqual({});
    expect(read.problem).toContain(`${stageSuccessPath(dataDir, 'beta')}: field extract: expected an ISO 8601 time`);
  });
  it('bds status lists that problem whole, beside "never" succeeded', async () => {
    // Prepare
    const yaml = `
customer: { garn: GARN0042, name: Acme Corp }
dataDir: ${JSON.stringify(dataDir)}
sources:
  gim: { client: pg, connectionString: "postgres://bds@127.0.0.1:1/gim" }
tenants:
  - id: acme
    gimTenantKey: 1
    cfgTenantDbid: 101
    productionDate: 2026-01-01
    metrics: [seats_inbound_voice]
    regions:
      - { code: US, locations: [{ code: MAIN, switches: [] }] }
`;
    const { config } = parseConfig(yaml, { format: 'yaml', configPath: join(dataDir, 'bds.config.yaml'), env: {} });
    await plant(stageSuccessPath(dataDir, 'acme'), JSON.stringify({ aggregate: 7 }));

    // Act
    const status = await collectStatus(config, Date.UTC(2026, 10, 2) / 1000);

    // Assess
    expect(status.tenants[0]?.lastSuccess).toEqual({});
    expect(status.tenants[0]?.problems).toEqual([expect.stringContaining(`${stageSuccessPath(dataDir, 'acme')}: field aggregate:`)]);
  });
});

describe('period marks', () => {
  it('reads back what was written, and refuses a period of the wrong kind, naming its index', async () => {
    // Prepare
    await addMark(dataDir, 'held', 'acme', '2026-10-30', DEFAULT_FILE_MODES);
    expect(await readMarks(dataDir, 'held', 'acme')).toEqual(['2026-10-30']);
    // A day is a held period, but not a stale month.
    await plant(marksPath(dataDir, 'stale-months', 'acme'), JSON.stringify({ periods: ['2026-09', '2026-10-30'] }));

    // Act
    const error = await rejection(() => readMarks(dataDir, 'stale-months', 'acme'));

    // Assess
    expect(error).toBeInstanceOf(DiskFormatError);
    expect(error.message).toContain(`${marksPath(dataDir, 'stale-months', 'acme')}: field periods[1]: expected a month YYYY-MM`);
  });
});

describe('source warnings', () => {
  it('refuses a file whose day is not a day, naming file and field', async () => {
    await plant(sourceWarningsPath(dataDir, 'acme'), JSON.stringify({ days: { '2026-10-30': { gim: ['no rows'] }, today: {} } }));
    const error = await rejection(() => readSourceWarnings(dataDir, 'acme'));
    expect(error.message).toContain(`${sourceWarningsPath(dataDir, 'acme')}: field days.today:`);
  });
});

describe('ledger lines', () => {
  it('refuses a line other than the last that is not a delivery record, naming the line and the field', async () => {
    // Prepare
    const good = { file: 'acme/2026/10/a.csv', destination: 'copy:/x', target: '/x/a.csv', sha256: SHA, bytes: 10, deliveredAt: '2026-10-31T06:00:00.000Z' };
    await plant(ledgerPath(dataDir), `${JSON.stringify(good)}\n${JSON.stringify({ ...good, bytes: -1 })}\n${JSON.stringify(good)}\n`);

    // Act
    const error = await rejection(() => readLedger(dataDir));

    // Assess
    expect(error).toBeInstanceOf(LedgerError);
    expect(error.message).toContain(ledgerPath(dataDir));
    expect(error.message).toContain('line 2 is not a delivery record (field bytes:');
  });

  it('keeps reading a ledger whose lines are all records', async () => {
    const good = { file: 'acme/2026/10/a.csv', destination: 'copy:/x', target: '/x/a.csv', sha256: SHA, bytes: 10, deliveredAt: '2026-10-31T06:00:00.000Z' };
    await plant(ledgerPath(dataDir), `${JSON.stringify(good)}\n`);
    expect((await readLedger(dataDir)).records).toEqual([good]);
  });
});

describe('manifests', () => {
  it('does not list the files of a damaged manifest, and says which file and field', async () => {
    // Prepare: a manifest whose one file has no digest a delivery could be checked against.
    const period = { type: 'daily', date: '2026-10-30' } as const;
    const folder = billingFolder(dataDir, 'acme', period);
    const manifest = {
      format: 'bds-manifest/1',
      tenant: 'acme',
      garn: 'GARN0042',
      periodType: 'daily',
      period: '2026-10-30',
      periodStart: '2026-10-30T00:00:00-04:00',
      periodEnd: '2026-10-31T00:00:00-04:00',
      timezone: 'America/New_York',
      generatedAt: '2026-10-31T06:00:00.000Z',
      bdsVersion: 'test',
      files: [{ name: 'CNT_US_PES_seats_chat_GARN0042_acme_D20261030.csv', metric: 'seats_chat', region: 'US', sha256: 'abc', bytes: 1, rows: 1 }],
      inputs: [],
      stats: {},
    };
    await plant(join(folder, manifestName('acme', period)), JSON.stringify(manifest));

    // Act
    const listing = await listBillingFiles(dataDir, 'acme');

    // Assess
    expect(listing.files).toEqual([]);
    expect(listing.problems).toHaveLength(1);
    expect(listing.problems[0]?.error).toContain('manifest_acme_D20261030.json: unreadable manifest: field files[0].sha256: not a SHA-256 hex digest');
  });

  it('refuses a manifest of another format', async () => {
    const period = { type: 'daily', date: '2026-10-30' } as const;
    await plant(join(billingFolder(dataDir, 'acme', period), manifestName('acme', period)), JSON.stringify({ format: 'someone-else/1', tenant: 'acme', files: [] }));
    const listing = await listBillingFiles(dataDir, 'acme');
    expect(listing.problems[0]?.error).toContain('field format: not a BDS manifest');
  });
});
