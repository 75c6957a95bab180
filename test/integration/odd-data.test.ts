/**
 * Odd source data (docs/billing-rules.md, "Odd source data"): sessions ending before they start,
 * NULL and unknown media, timestamps in 1900, 1969, 1970, 2100 and 9999, a session whose
 * resource has no resource_ row, and a custom GVP query returning one call twice. The real CLI
 * runs two days over the fixture in a real PostgreSQL; every billing value and every manifest
 * count is checked against the hand-worked numbers of test/fixtures/odd-data-fixture.ts.
 *
 * The rules' edges are also checked in-process: what `epochSeconds` accepts and refuses, what
 * the aggregators do with staged values that are not finite whole seconds, and the duplicate-id
 * rule of the GVP extraction.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateGvpRegion } from '../../lib/aggregate/gvp';
import { StagedDataError } from '../../lib/aggregate/errors';
import { aggregateSeatDay, parseSessionRow, type ResolvedSeatMetric } from '../../lib/aggregate/seats';
import { buildPlacement } from '../../lib/aggregate/placement';
import type { BdsConfig, SourceConfig, TenantConfig } from '../../lib/config/types';
import { epochSeconds, MAX_SOURCE_SECONDS, MIN_SOURCE_SECONDS } from '../../lib/extract/columns';
import { SourceDataError } from '../../lib/extract/errors';
import { gvpUsageRows } from '../../lib/extract/gvp';
import type { StagedCell } from '../../lib/staging/staged';
import { findMetric, type GvpMetric } from '../../lib/metrics/catalogue';
import { resolveMetrics } from '../../lib/metrics/resolve';
import type { Row, SourceClient, SqlQuery, SqlValue } from '../../lib/sources/types';
import { readBillingFolder, valuesOf } from '../helpers/billing';
import { runBds, type CliResult } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { EXPECTED_ODD, EXPECTED_ODD_STATS, epoch, oddDataConfig, oddDataSql } from '../fixtures/odd-data-fixture';
import { asyncOf, ifSetUp } from '../helpers/suite';

const NOW = '2026-10-20T12:00:00Z';
const DAY = { start: epoch('2026-10-15T00:00:00Z'), end: epoch('2026-10-16T00:00:00Z') };

describe('odd source data through `bds backfill`', () => {
  let db: TestDatabase;
  let work: string;
  let dataDir: string;
  let result: CliResult;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.exec(oddDataSql());
    work = mkdtempSync(path.join(tmpdir(), 'bds-odd-data-'));
    dataDir = path.join(work, 'data');
    const config = path.join(work, 'bds.config.yaml');
    writeFileSync(config, oddDataConfig(dataDir));
    result = await runBds(['backfill', '--from', '2026-10-15', '--to', '2026-10-16', '--no-transmit', '--config', config], {
      env: { TEST_DB_URL: db.url, BDS_NOW: NOW },
    });
  });

  afterAll(async () => {
    await ifSetUp(db)?.close();
    if (ifSetUp(work) !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('exits 8 (an extraction failed: tenant dup) without a crash', () => {
    // Assess
    expect(result.code, result.stderr).toBe(8);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toMatch(/^odd +2026-10-15 +ok/m);
    expect(result.stdout).toMatch(/^odd +2026-10-16 +ok/m);
  });

  it.each(['2026-10-15', '2026-10-16'])('writes the hand-worked totals of %s', async (date) => {
    // Prepare
    const period = `D${date.replaceAll('-', '')}`;
    const files = await readBillingFolder(path.join(dataDir, 'billing', 'odd', '2026', '10'));
    const ofDay = new Map([...files].filter(([name]) => name.endsWith(`_${period}.csv`)));

    // Act
    const values = valuesOf(ofDay);

    // Assess: exactly the expected metrics, all in region XX, with the expected values.
    const expected = Object.fromEntries(Object.entries(EXPECTED_ODD[date] ?? {}).map(([metric, measures]) => [metric, { XX: measures }]));
    expect(values).toEqual(expected);
  });

  it.each(['2026-10-15', '2026-10-16'])('counts what it skipped in the manifest of %s', (date) => {
    // Prepare
    const manifest = path.join(dataDir, 'billing', 'odd', '2026', '10', `manifest_odd_D${date.replaceAll('-', '')}.json`);

    // Act
    const stats = (JSON.parse(readFileSync(manifest, 'utf8')) as { stats: unknown }).stats;

    // Assess
    expect(stats).toEqual(EXPECTED_ODD_STATS[date]);
  });

  it.each([
    ['2026-10-15', 1],
    ['2026-10-16', 0],
  ])('records in the manifest of %s the sessions left out for having no resource_ row (%i)', (date, orphans) => {
    // Prepare
    const manifest = path.join(dataDir, 'billing', 'odd', '2026', '10', `manifest_odd_D${date.replaceAll('-', '')}.json`);

    // Act
    const inputs = (JSON.parse(readFileSync(manifest, 'utf8')) as { inputs: { dataset: string; notes?: Record<string, number> }[] }).inputs;

    // Assess
    expect(inputs.find((i) => i.dataset === 'gim_sessions')?.notes).toEqual({ orphanSessions: orphans });
  });

  it('fails the tenant whose custom query returns a call twice, naming the id, and stages nothing for it', () => {
    // Assess: the day failed at extraction, the next was not attempted, nothing was written.
    expect(result.stdout).toMatch(/^dup +2026-10-15 +FAILED \(extract\)/m);
    expect(result.stdout).toContain('call_id "901" (call) is returned more than once');
    expect(result.stdout).toContain('dup 2026-10-16: not attempted');
    expect(existsSync(path.join(dataDir, 'billing', 'dup'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'extract', 'dup', 'gvp_usage_DD', '2026', '10', '2026-10-15.csv.gz'))).toBe(false);
  });
});

describe('epochSeconds: far-off timestamps', () => {
  it.each([
    ['year 1', '0001-01-01 00:00:00', MIN_SOURCE_SECONDS],
    ['1900', '1900-01-01T00:00:00', epoch('1900-01-01T00:00:00Z')],
    ['before 1970, as a Date', new Date('1969-12-31T23:59:59.500Z'), -1],
    ['year 9999', '9999-12-31 23:59:59', MAX_SOURCE_SECONDS],
    ['year 9999, as a Date', new Date('9999-12-31T23:59:59Z'), MAX_SOURCE_SECONDS],
  ])('accepts %s', (_name, value, seconds) => {
    // Act, Assess
    expect(epochSeconds(value, 'call_end', 'test')).toBe(seconds);
  });

  it.each([
    ['an invalid Date', new Date(Number.NaN)],
    ["PostgreSQL's infinity (text)", 'infinity'],
    ['a year beyond 9999', '+010000-01-01T00:00:00Z'],
    ['the largest Date', new Date(8.64e15)],
    ['a year before 1', '-000001-01-01T00:00:00Z'],
    ['a number', 1_767_225_600],
    ['a boolean', true],
    ['a BC date as PostgreSQL writes it', '0044-03-15 00:00:00 BC'],
  ])('refuses %s with a SourceDataError naming the column', (_name, value) => {
    // Act
    let caught: unknown;
    try {
      epochSeconds(value, 'call_end', 'gvp_calls (custom) of gvp@XX');
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(SourceDataError);
    expect((caught as SourceDataError).message).toMatch(/^gvp_calls \(custom\) of gvp@XX: column call_end is /);
  });
});

function rowsOf(rows: readonly (readonly string[])[]): AsyncIterable<readonly string[]> {
  return asyncOf(rows);
}

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  return undefined;
}

const GVP_METRICS = ['gvp_ports', 'gvp_minutes'].map((key) => findMetric(key) as GvpMetric);

describe('aggregation: staged values that are not finite whole seconds', () => {
  it.each([
    ['Infinity', ['call', '1', 'Infinity', '']],
    ['NaN', ['call', '1', String(DAY.start), 'NaN']],
    ['1e300', ['call', '1', '1e300', '']],
    ['a fraction', ['call', '1', `${DAY.start}.5`, '']],
    ['beyond 2^53', ['call', '1', '9007199254740993', '']],
  ])('GVP refuses %s with a StagedDataError', async (_name, row) => {
    // Act
    const caught = await failureOf(() => aggregateGvpRegion(rowsOf([row]), GVP_METRICS, 'XX', DAY));

    // Assess
    expect(caught).toBeInstanceOf(StagedDataError);
    expect((caught as StagedDataError).message).toMatch(/^gvp_usage: bad times for call 1: /);
  });

  it('GVP clips whatever is in range: 0001 to 9999 is one day, and nothing spills into it from elsewhere', async () => {
    // Prepare: one fact over all of time, one long before the day, one long after, one empty.
    const rows = [
      ['call', '1', String(MIN_SOURCE_SECONDS), String(MAX_SOURCE_SECONDS)],
      ['call', '2', String(MIN_SOURCE_SECONDS), String(MIN_SOURCE_SECONDS + 60)],
      ['call', '3', String(MAX_SOURCE_SECONDS - 60), String(MAX_SOURCE_SECONDS)],
      ['call', '4', String(DAY.end), String(DAY.start)],
    ];

    // Act
    const { values, stats } = await aggregateGvpRegion(rowsOf(rows), GVP_METRICS, 'XX', DAY);

    // Assess
    expect(values).toEqual([
      { metric: 'gvp_ports', region: 'XX', measure: 'peak', value: 1 },
      { metric: 'gvp_minutes', region: 'XX', measure: 'minutes', value: 1440 },
    ]);
    expect(stats).toEqual({ calls: 4, asrSessions: 0, ttsSessions: 0, emptyFacts: 3 });
  });

  it.each([
    ['Infinity', 'Infinity', ''],
    ['NaN', 'NaN', ''],
    ['1e300', '1e300', ''],
    ['an end beyond 2^53', String(DAY.start), '9007199254740993'],
  ])('seats refuse %s with a StagedDataError', (_name, start, end) => {
    // Act
    let caught: unknown;
    try {
      parseSessionRow(['101', 'ann', '', '1', 'VOICE', start, end, '[]']);
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(StagedDataError);
    expect((caught as StagedDataError).message).toMatch(/^gim_sessions: (start_ts|end_ts) is not an integer: /);
  });

  it('seats clip far-off sessions to the day: all of time counts the whole day, once', async () => {
    // Prepare
    const tenant: TenantConfig = {
      id: 'odd',
      gimTenantKey: 1,
      cfgTenantDbid: 101,
      timezone: 'UTC',
      productionDate: '2026-10-01',
      excludeAgents: [],
      metrics: ['seats_workspace'],
      regions: [{ code: 'XX', locations: [{ code: 'ALL', switches: [] }] }],
    };
    const config = { catalogue: {} } as Pick<BdsConfig, 'catalogue'> as BdsConfig;
    const metrics = resolveMetrics(config, tenant).filter((m): m is ResolvedSeatMetric => m.family === 'seats');
    const rows = [
      ['101', 'ann', '', '1', 'VOICE', String(MIN_SOURCE_SECONDS), String(MAX_SOURCE_SECONDS), '[]'],
      ['101', 'ann', '', '2', 'VOICE', String(MIN_SOURCE_SECONDS), '', '[]'],
      ['102', 'ben', '', '3', 'VOICE', String(MAX_SOURCE_SECONDS - 10), String(MAX_SOURCE_SECONDS), '[]'],
    ];

    // Act
    const { values, stats } = await aggregateSeatDay({ rows: rowsOf(rows), metrics, placement: buildPlacement(tenant, undefined), day: DAY, exclude: [] });

    // Assess: ann's two sessions are one agent all day; ben's session is after the day.
    expect(values).toEqual([
      { metric: 'seats_workspace', region: 'XX', measure: 'concurrent', value: 1 },
      { metric: 'seats_workspace', region: 'XX', measure: 'enabled', value: 1 },
    ]);
    expect(stats).toEqual({ sessions: 3, agents: 2, excludedAgents: 0, excludedSessions: 0, emptySessions: 1 });
  });
});

/** A source that answers each query with the rows given for it (by query name prefix). */
function scriptedSource(rowsByQuery: Readonly<Record<string, readonly Row[]>>): SourceClient {
  return {
    sourceName: 'gvp@XX',
    stream(query: SqlQuery, _params: Readonly<Record<string, SqlValue>>): AsyncIterable<Row> {
      const key = Object.keys(rowsByQuery).find((name) => query.name.startsWith(name));
      return asyncOf(key === undefined ? [] : (rowsByQuery[key] ?? []));
    },
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

async function collect(rows: AsyncIterable<StagedCell[]>): Promise<StagedCell[][]> {
  const out: StagedCell[][] = [];
  for await (const row of rows) out.push(row);
  return out;
}

const SOURCE: SourceConfig = { client: 'pg', connectionString: 'postgres://unused', connectTimeout: 1, queryTimeout: 1 };
const PARAMS = { tenantDbid: 101, dayStart: DAY.start, dayEnd: DAY.end };
const ALL = { calls: true, asr: true, tts: true };
const callRow = (id: string, start: string, end: string | null): Row => ({ call_id: id, call_start: new Date(start), call_end: end === null ? null : new Date(end) });

describe('GVP extraction: duplicate ids', () => {
  it('refuses a call returned twice, naming it, even when both rows are identical', async () => {
    // Prepare
    const source = scriptedSource({
      gvp_calls: [callRow('7', '2026-10-15T10:00:00Z', '2026-10-15T10:01:00Z'), callRow('8', '2026-10-15T10:00:00Z', null), callRow('7', '2026-10-15T10:00:00Z', '2026-10-15T10:01:00Z')],
    });

    // Act
    const caught = await failureOf(() => collect(gvpUsageRows(source, SOURCE, PARAMS, ALL)));

    // Assess
    expect(caught).toBeInstanceOf(SourceDataError);
    expect((caught as SourceDataError).message).toBe(
      'gvp_calls of gvp@XX: call_id "7" (call) is returned more than once; each call or session must be one row: make the query return distinct rows (docs/gvp-queries.md)',
    );
  });

  it('refuses an ASR session returned twice, but takes the same id once as ASR and once as TTS', async () => {
    // Prepare
    const media = (id: string, kind: string): Row => ({ session_id: id, resource_kind: kind, start_ts: new Date('2026-10-15T10:00:00Z'), end_ts: null });
    const distinctKinds = scriptedSource({ gvp_media_sessions: [media('5', 'ASR'), media('5', 'TTS')] });
    const twice = scriptedSource({ gvp_media_sessions: [media('5', 'ASR'), media('6', 'TTS'), media('5', 'asr ')] });

    // Act
    const kept = await collect(gvpUsageRows(distinctKinds, SOURCE, PARAMS, ALL));
    const caught = await failureOf(() => collect(gvpUsageRows(twice, SOURCE, PARAMS, ALL)));

    // Assess
    expect(kept).toEqual([
      ['asr', '5', DAY.start + 36000, null],
      ['tts', '5', DAY.start + 36000, null],
    ]);
    expect(caught).toBeInstanceOf(SourceDataError);
    expect((caught as SourceDataError).message).toContain('session_id "5" (asr) is returned more than once');
  });
});
