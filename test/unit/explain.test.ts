/**
 * The evidence behind seat and GVP numbers (lib/explain): the peak second, the agents active in
 * it with the session and qualifying pair that made them count, the enabled agents, a month's
 * highest day — at midnight, with touching sessions, open sessions and on a DST day.
 */
import { describe, expect, it } from 'vitest';
import { PeakCounter } from '../../lib/aggregate/intervals';
import { aggregateSeatDay, type ResolvedSeatMetric } from '../../lib/aggregate/seats';
import { buildPlacement } from '../../lib/aggregate/placement';
import { explainSeatDay, explainSeatMonth, type SeatDaySource } from '../../lib/explain/seats';
import { explainGvpDay, explainGvpMonth } from '../../lib/explain/gvp';
import { renderDetail } from '../../lib/explain/detail';
import { localText, utcText } from '../../lib/explain/evidence';
import { resolveMetrics } from '../../lib/metrics/resolve';
import { dayBounds } from '../../lib/time/calendar';
import type { BdsConfig, TenantConfig } from '../../lib/config/types';

const tenant: TenantConfig = {
  id: 't',
  gimTenantKey: 1,
  cfgTenantDbid: 1,
  timezone: 'America/New_York',
  productionDate: '2026-01-01',
  excludeAgents: ['^test_'],
  metrics: ['seats_inbound_voice', 'seats_outbound', 'seats_chat'],
  regions: [{ code: 'US', locations: [{ code: 'MAIN', switches: [] }] }],
};
const config = { catalogue: {} } as unknown as BdsConfig;
const metrics = resolveMetrics(config, tenant) as ResolvedSeatMetric[];
const byKey = (key: string): ResolvedSeatMetric[] => metrics.filter((m) => m.key === key);

/** A staged gim_sessions row. */
type Row = [resource: number, name: string, person: number | null, key: string, media: string, start: number, end: number | null, handled: [string, string | null][]];
const toCells = (r: Row): string[] => [String(r[0]), r[1], r[2] === null ? '' : String(r[2]), r[3], r[4], String(r[5]), r[6] === null ? '' : String(r[6]), JSON.stringify(r[7])];

/** Staged rows as a stream, one at a time, as a staged dataset is read. */
async function* fromList(rows: readonly (readonly string[])[]): AsyncGenerator<readonly string[]> {
  for (const row of rows) {
    await Promise.resolve();
    yield row;
  }
}

function source(date: string, rows: readonly Row[]): SeatDaySource & { reads: number } {
  const s = {
    date,
    day: dayBounds(date, tenant.timezone),
    reads: 0,
    rows: () => {
      s.reads += 1;
      return fromList(rows.map(toCells));
    },
    placement: () => Promise.resolve(buildPlacement(tenant, undefined)),
  };
  return s;
}

async function aggregated(src: SeatDaySource, key: string): Promise<{ concurrent: number; enabled: number }> {
  const { values } = await aggregateSeatDay({ rows: src.rows(), metrics: byKey(key), placement: await src.placement(), day: src.day, exclude: [/^test_/] });
  return {
    concurrent: values.find((v) => v.measure === 'concurrent')?.value ?? -1,
    enabled: values.find((v) => v.measure === 'enabled')?.value ?? -1,
  };
}

describe('PeakCounter.peakAt', () => {
  it('gives the first second that reaches the maximum, and null when nothing was active', () => {
    const c = new PeakCounter({ start: 100, end: 200 });
    expect(c.peakAt()).toEqual({ peak: 0, second: null });
    c.add({ start: 110, end: 120 });
    c.add({ start: 150, end: 160 });
    c.add({ start: 155, end: 158 });
    c.add({ start: 115, end: 116 });
    // Two seconds reach 2 (115 and 155..157): the first one.
    expect(c.peakAt()).toEqual({ peak: 2, second: 115 });
    expect(c.peak()).toBe(2);
  });
});

describe('explainSeatDay', () => {
  const date = '2026-11-14';
  const day = dayBounds(date, tenant.timezone);
  const t = day.start;

  it('finds a peak at midnight from sessions that began the day before, and open sessions running to the day end', async () => {
    const src = source(date, [
      [1, 'ann', 11, 's1', 'VOICE', t - 3600, t + 20, []],
      [2, 'bob', null, 's2', 'VOICE', t - 10, null, []],
      [3, 'cat', 13, 's3', 'VOICE', t + 30, t + 40, []],
    ]);
    const [b] = await explainSeatDay(src, byKey('seats_inbound_voice'), [/^test_/], { concurrent: true, enabled: true });
    expect(b?.peak).toBe(2);
    expect(b?.second).toBe(t);
    expect(localText(t, tenant.timezone)).toBe('2026-11-14T00:00:00-05:00');
    expect(utcText(t)).toBe('2026-11-14T05:00:00Z');
    expect(b?.active.map((a) => [a.agent.resourceKey, a.session.sessionKey, a.session.end])).toEqual([
      [1, 's1', t + 20],
      [2, 's2', null],
    ]);
    expect(b?.enabled.map((a) => a.agent.resourceKey)).toEqual([1, 2, 3]);
    // Two readings: the counters, then the agents of the second.
    expect(src.reads).toBe(2);
    expect(await aggregated(src, 'seats_inbound_voice')).toEqual({ concurrent: 2, enabled: 3 });
  });

  it('never counts touching sessions of two agents as overlapping, and names the covering session of a merged agent', async () => {
    const src = source(date, [
      // Agent 1: two touching sessions, one run [t+100, t+300).
      [1, 'ann', 11, 'a1', 'VOICE', t + 100, t + 200, []],
      [1, 'ann', 11, 'a2', 'VOICE', t + 200, t + 300, []],
      // Agent 2 starts exactly when agent 3 ends: never together.
      [2, 'bob', 12, 'b1', 'VOICE', t + 250, t + 260, []],
      [3, 'cat', 13, 'c1', 'VOICE', t + 240, t + 250, []],
    ]);
    const [b] = await explainSeatDay(src, byKey('seats_inbound_voice'), [], { concurrent: true, enabled: false });
    expect(b?.peak).toBe(2);
    expect(b?.second).toBe(t + 240);
    expect(b?.active.map((a) => [a.agent.resourceKey, a.session.sessionKey])).toEqual([
      [1, 'a2'],
      [3, 'c1'],
    ]);
    expect(b?.enabled).toEqual([]);
  });

  it('shows the qualifying (media, subtype) pair, skips excluded agents and sessions without one', async () => {
    const src = source(date, [
      [1, 'ann', 11, 'o1', 'VOICE', t + 10, t + 100, [['VOICE', 'INBOUNDNEW'], ['VOICE', 'OUTBOUNDCONTACT']]],
      [2, 'test_bot', 12, 'o2', 'VOICE', t + 10, t + 100, [['VOICE', 'OUTBOUNDCONTACT']]],
      [3, 'cat', 13, 'o3', 'VOICE', t + 10, t + 100, [['VOICE', 'INBOUNDNEW']]],
    ]);
    const [b] = await explainSeatDay(src, byKey('seats_outbound'), [/^test_/], { concurrent: true, enabled: true });
    expect(b?.peak).toBe(1);
    expect(b?.active.map((a) => [a.agent.resourceKey, a.qualifying])).toEqual([[1, ['VOICE', 'OUTBOUNDCONTACT']]]);
    expect(b?.enabled.map((a) => a.agent.resourceKey)).toEqual([1]);
    const [voice] = await explainSeatDay(src, byKey('seats_inbound_voice'), [/^test_/], { concurrent: false, enabled: true });
    // A metric that needs no interaction has no qualifying pair; one reading suffices for enabled.
    expect(voice?.enabled.map((a) => a.qualifying)).toEqual([null, null]);
  });

  it('explains the 25-hour DST day: a peak in the repeated hour is told apart by its offset', async () => {
    const fall = '2026-11-01';
    const d = dayBounds(fall, tenant.timezone);
    expect(d.end - d.start).toBe(25 * 3600);
    // 01:30 EST (the second 01:30 of the day) = 06:30Z.
    const second = Date.UTC(2026, 10, 1, 6, 30) / 1000;
    const src = source(fall, [
      [1, 'ann', 11, 'x1', 'VOICE', second - 3600, second + 1, []],
      [2, 'bob', 12, 'x2', 'VOICE', second, second + 600, []],
    ]);
    const [b] = await explainSeatDay(src, byKey('seats_inbound_voice'), [], { concurrent: true, enabled: false });
    expect(b?.second).toBe(second);
    expect(localText(second, tenant.timezone)).toBe('2026-11-01T01:30:00-05:00');
    expect(localText(second - 3600, tenant.timezone)).toBe('2026-11-01T01:30:00-04:00');
  });

  it('gives an empty explanation for a day without a counted session', async () => {
    const [b] = await explainSeatDay(source(date, [[1, 'ann', 11, 'c', 'VOICE', t, t, []]]), byKey('seats_inbound_voice'), [], { concurrent: true, enabled: true });
    expect(b).toMatchObject({ peak: 0, second: null, active: [], enabled: [] });
  });
});

describe('explainSeatMonth', () => {
  it('takes the first day that holds the maximum, and lists each agent with its days', async () => {
    const d1 = dayBounds('2026-11-01', tenant.timezone).start;
    const d2 = dayBounds('2026-11-02', tenant.timezone).start;
    const d3 = dayBounds('2026-11-03', tenant.timezone).start;
    const days = [
      source('2026-11-01', [[1, 'ann', 11, 'a', 'VOICE', d1 + 10, d1 + 20, []]]),
      source('2026-11-02', [
        [1, 'ann', 11, 'b', 'VOICE', d2 + 10, d2 + 20, []],
        [2, 'bob', 12, 'c', 'VOICE', d2 + 15, d2 + 30, []],
      ]),
      source('2026-11-03', [
        [2, 'bob', 12, 'd', 'VOICE', d3 + 5, d3 + 20, []],
        [3, 'cat', 13, 'e', 'VOICE', d3 + 10, d3 + 20, []],
      ]),
    ];
    const [b] = await explainSeatMonth(days, byKey('seats_inbound_voice'), ['US'], [], { concurrent: true, enabled: true });
    expect(b).toMatchObject({ peak: 2, date: '2026-11-02', second: d2 + 15 });
    expect(b?.active.map((a) => a.agent.resourceKey)).toEqual([1, 2]);
    expect(b?.enabled.map((a) => [a.agent.resourceKey, a.days])).toEqual([
      [1, ['2026-11-01', '2026-11-02']],
      [2, ['2026-11-02', '2026-11-03']],
      [3, ['2026-11-03']],
    ]);
    // Each day once, and the highest day once more.
    expect(days.map((d) => d.reads)).toEqual([1, 2, 1]);
  });
});

describe('GVP evidence', () => {
  const date = '2026-11-14';
  const day = dayBounds(date, 'UTC');
  const t = day.start;
  const gvp = (rows: readonly [string, string, number, number | null][]) => ({
    date,
    day,
    rows: () => fromList(rows.map(([kind, id, start, end]) => [kind, id, String(start), end === null ? '' : String(end)])),
  });

  it('lists the calls of the peak second, and every call with its clipped seconds for minutes', async () => {
    const src = gvp([
      ['call', 'c1', t - 30, t + 31],
      ['call', 'c2', t + 10, t + 40],
      ['asr', 'a1', t + 10, t + 40],
      ['call', 'c3', t + 50, t + 50],
      ['call', 'c4', day.end - 5, null],
    ]);
    const kinds = await explainGvpDay(src, { peak: new Set(['call']), minutes: new Set(['call']) });
    const call = kinds.get('call');
    expect(call).toMatchObject({ peak: 2, second: t + 10, seconds: 31 + 30 + 5, minutes: 2 });
    expect(call?.active.map((e) => e.fact.id)).toEqual(['c1', 'c2']);
    expect(call?.facts.map((e) => [e.fact.id, e.part.end - e.part.start])).toEqual([
      ['c1', 31],
      ['c2', 30],
      ['c4', 5],
    ]);
    expect(kinds.has('asr')).toBe(false);
  });

  it('sums a month\'s minutes day by day, each day rounded up on its own', async () => {
    const month = await explainGvpMonth([gvp([['call', 'c1', t, t + 61]]), { ...gvp([['call', 'c2', t, t + 1]]), date: '2026-11-15' }], {
      peak: new Set(),
      minutes: new Set(['call']),
    });
    expect(month.get('call')?.days).toEqual([
      { date: '2026-11-14', seconds: 61, minutes: 2 },
      { date: '2026-11-15', seconds: 1, minutes: 1 },
    ]);
  });
});

describe('renderDetail', () => {
  it('puts every measure under one header with a measure column, as many rows as each value', () => {
    const detail = renderDetail([
      { metric: 'm', region: 'US', measure: 'concurrent', value: 1, rule: 'rows', at: null, columns: ['second_utc', 'resource_key'], rows: [['x', 1]] },
      { metric: 'm', region: 'US', measure: 'enabled', value: 2, rule: 'rows', at: null, columns: ['resource_key', 'session_end'], rows: [[1, null], [2, 'e,1']] },
    ]);
    expect(detail.rows).toBe(3);
    expect(detail.csv).toBe('measure,second_utc,resource_key,session_end\nconcurrent,x,1,\nenabled,,1,\nenabled,,2,"e,1"\n');
  });
});
