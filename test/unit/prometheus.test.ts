/**
 * The Prometheus textfiles: what is rendered must read back, through a parser written from the
 * exposition format (test/helpers/prometheus.ts), as the values monitoring is meant to see.
 */
import { describe, expect, it } from 'vitest';
import type { TenantConfig } from '../../lib/config/types';
import { stateGaugesText } from '../../lib/pipeline/monitoring';
import type { TenantStatus } from '../../lib/pipeline/status';
import { renderGauges } from '../../lib/state/prometheus';
import { prometheusText, type RunRecord } from '../../lib/state/run-record';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus';

const tenant: TenantConfig = {
  id: 'acme',
  gimTenantKey: 1,
  cfgTenantDbid: 1,
  timezone: 'America/New_York',
  productionDate: '2026-10-30',
  excludeAgents: [],
  metrics: ['seats_workspace'],
  regions: [{ code: 'US', locations: [{ code: 'A', switches: [] }] }],
};

const status = (over: Partial<TenantStatus> = {}): TenantStatus => ({
  tenant: 'acme',
  watermarks: {},
  lastSuccess: {},
  lastEndedDay: '2026-11-03',
  daysDue: 0,
  files: 0,
  destinations: [],
  staleMonths: [],
  heldPeriods: [],
  problems: [],
  warnings: [],
  ...over,
});

const record = (exitCode: number): RunRecord => ({
  command: 'bds catch-up',
  startedAt: '2026-11-04T06:00:00.000Z',
  endedAt: '2026-11-04T06:00:30.500Z',
  exitCode,
  daysProcessed: 3,
  daysFailed: exitCode === 0 ? 0 : 1,
  failures: [],
});

describe('renderGauges', () => {
  it('escapes label values so that they read back unchanged', () => {
    // Prepare
    const odd = 'a\\b "quoted"\nnext line';

    // Act
    const text = renderGauges([{ name: 'x_total', help: 'Help with a \\ and\na line feed.', samples: [{ labels: { destination: odd }, value: 1.5 }] }]);

    // Assess
    const families = parsePrometheusText(text);
    expect(families.get('x_total')?.samples[0]?.labels.destination).toBe(odd);
    expect(families.get('x_total')?.help).toBe('Help with a \\ and\na line feed.');
    expect(sampleValue(families, 'x_total')).toBe(1.5);
  });

  it('leaves out a family without samples and refuses names the format does not allow', () => {
    expect(renderGauges([{ name: 'empty', help: 'h', samples: [] }])).toBe('');
    expect(() => renderGauges([{ name: 'bad-name', help: 'h', samples: [{ labels: {}, value: 1 }] }])).toThrow(/metric name/);
    expect(() => renderGauges([{ name: 'ok', help: 'h', samples: [{ labels: { 'bad-label': 'v' }, value: 1 }] }])).toThrow(/label name/);
  });
});

describe('prometheusText (run gauges)', () => {
  it('keeps the scheduled and the manual run apart, one series each', () => {
    // Act
    const families = parsePrometheusText(prometheusText({ scheduled: record(8), manual: record(0) }));

    // Assess
    expect(sampleValue(families, 'bds_last_run_exit_code', { trigger: 'scheduled' })).toBe(8);
    expect(sampleValue(families, 'bds_last_run_exit_code', { trigger: 'manual' })).toBe(0);
    expect(sampleValue(families, 'bds_last_run_end_timestamp_seconds', { trigger: 'manual' })).toBe(Date.parse('2026-11-04T06:00:30.500Z') / 1000);
    expect(families.get('bds_last_run_exit_code')?.type).toBe('gauge');
  });

  it('labels a worker file with its tenant and leaves out a trigger with no record', () => {
    const families = parsePrometheusText(prometheusText({ manual: record(2) }, 'globex'));
    expect(families.get('bds_last_run_exit_code')?.samples).toEqual([{ name: 'bds_last_run_exit_code', labels: { tenant: 'globex', trigger: 'manual' }, value: 2 }]);
  });
});

describe('stateGaugesText', () => {
  it('says where each stage is, in the tenant zone, across the 25-hour day', () => {
    // Prepare: New York leaves DST on 2026-11-01 (a 25-hour day); aggregate has done it,
    // transmit nothing yet.
    const text = stateGaugesText(
      tenant,
      status({
        watermarks: { extract: '2026-11-02', aggregate: '2026-11-01' },
        lastSuccess: { extract: '2026-11-04T07:01:02.000Z' },
        files: 12,
        destinations: [
          { destination: 's3://bucket/prefix', delivered: 9, pending: 3 },
          { destination: 'copy:/mnt/share', delivered: 12, pending: 0 },
        ],
        staleMonths: ['2026-10'],
        problems: ['one', 'two'],
        warnings: ['w'],
      }),
      1_800_000_000,
    );

    // Act
    const families = parsePrometheusText(text);

    // Assess: the end of 2026-11-01 in New York is 05:00 UTC on the 2nd (EST, UTC-5), of the
    // 2nd 05:00 UTC on the 3rd.
    expect(sampleValue(families, 'bds_watermark_timestamp_seconds', { stage: 'aggregate' })).toBe(Date.parse('2026-11-02T05:00:00Z') / 1000);
    expect(sampleValue(families, 'bds_watermark_timestamp_seconds', { stage: 'extract' })).toBe(Date.parse('2026-11-03T05:00:00Z') / 1000);
    expect(families.get('bds_watermark_timestamp_seconds')?.samples.some((s) => s.labels.stage === 'transmit')).toBe(false);
    // Up to 2026-11-03: extract lacks the 3rd, aggregate the 2nd and 3rd, transmit every day
    // from the production date (10-30 .. 11-03).
    expect(sampleValue(families, 'bds_days_behind', { tenant: 'acme', stage: 'extract' })).toBe(1);
    expect(sampleValue(families, 'bds_days_behind', { stage: 'aggregate' })).toBe(2);
    expect(sampleValue(families, 'bds_days_behind', { stage: 'transmit' })).toBe(5);
    expect(sampleValue(families, 'bds_last_success_timestamp_seconds', { stage: 'extract' })).toBe(Date.parse('2026-11-04T07:01:02Z') / 1000);
    expect(families.get('bds_last_success_timestamp_seconds')?.samples).toHaveLength(1);
    expect(sampleValue(families, 'bds_files_pending', { destination: 's3://bucket/prefix' })).toBe(3);
    expect(sampleValue(families, 'bds_files_pending', { destination: 'copy:/mnt/share' })).toBe(0);
    expect(sampleValue(families, 'bds_files_delivered', { destination: 's3://bucket/prefix' })).toBe(9);
    expect(sampleValue(families, 'bds_files')).toBe(12);
    expect(sampleValue(families, 'bds_stale_months')).toBe(1);
    expect(sampleValue(families, 'bds_held_periods')).toBe(0);
    expect(sampleValue(families, 'bds_problems')).toBe(2);
    expect(sampleValue(families, 'bds_source_warnings')).toBe(1);
    expect(sampleValue(families, 'bds_state_generated_timestamp_seconds', { tenant: 'acme' })).toBe(1_800_000_000);
  });

  it('reports 0 days behind when a stage is past the last ended day (a watermark set ahead by a re-run)', () => {
    const families = parsePrometheusText(stateGaugesText(tenant, status({ watermarks: { extract: '2026-11-03', aggregate: '2026-11-03', transmit: '2026-11-03' } }), 0));
    for (const stage of ['extract', 'aggregate', 'transmit']) expect(sampleValue(families, 'bds_days_behind', { stage })).toBe(0);
  });
});
