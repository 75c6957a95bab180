import { describe, expect, it } from 'vitest';
import { aggregateSeatDay, forEachAgentSession, isExcluded, sessionCounts, type SessionRecord } from '../../lib/aggregate/seats';
import { buildPlacement, placementFromRows } from '../../lib/aggregate/placement';
import { compileAgentPattern } from '../../lib/metrics/agent-pattern';
import { CATALOGUE, type SeatMetric } from '../../lib/metrics/catalogue';
import { resolveMetrics } from '../../lib/metrics/resolve';
import type { BdsConfig, TenantConfig } from '../../lib/config/types';
import { asyncOf } from '../helpers/suite';

const seat = (key: string): SeatMetric => {
  const m = CATALOGUE.find((x) => x.key === key);
  if (m === undefined || m.family !== 'seats') throw new Error(key);
  return m;
};

const session = (over: Partial<SessionRecord>): SessionRecord => ({
  resourceKey: 1,
  resourceName: 'a',
  personDbid: null,
  sessionKey: 's',
  media: 'VOICE',
  start: 0,
  end: 100,
  handled: [],
  ...over,
});

const tenant: TenantConfig = {
  id: 't',
  gimTenantKey: 1,
  cfgTenantDbid: 1,
  timezone: 'UTC',
  productionDate: '2026-01-01',
  excludeAgents: [],
  metrics: ['seats_inbound_voice', 'seats_outbound', 'seats_workspace'],
  regions: [
    { code: 'US', locations: [{ code: 'NYC', switches: ['SIP_NYC'] }, { code: 'MAIN', switches: [] }] },
    { code: 'EU', locations: [{ code: 'BER', switches: ['SIP_BER', 'SIP_NYC'] }] },
  ],
};

describe('sessionCounts', () => {
  it('counts voice sessions for inbound voice without any interaction', () => {
    expect(sessionCounts(seat('seats_inbound_voice'), session({}))).toBe(true);
    expect(sessionCounts(seat('seats_inbound_voice'), session({ media: 'CHAT' }))).toBe(false);
  });
  it('needs a handled interaction of the subtype for outbound', () => {
    const m = seat('seats_outbound');
    expect(sessionCounts(m, session({ handled: [['VOICE', 'INBOUNDNEW']] }))).toBe(false);
    expect(sessionCounts(m, session({ handled: [['VOICE', 'OUTBOUNDCONTACT']] }))).toBe(true);
    // The interaction must be of the metric's media too.
    expect(sessionCounts(m, session({ handled: [['CHAT', 'OUTBOUNDCONTACT']] }))).toBe(false);
    expect(sessionCounts(m, session({ handled: [['VOICE', null]] }))).toBe(false);
  });
  it('accepts any of a metric\'s media for session and interaction (SMS / SMSSESSION)', () => {
    expect(sessionCounts(seat('seats_sms'), session({ media: 'SMSSESSION', handled: [['SMS', 'X']] }))).toBe(true);
    expect(sessionCounts(seat('seats_sms'), session({ media: 'SMS', handled: [] }))).toBe(false);
  });
  it('counts every media, even an unknown one, for workspace', () => {
    expect(sessionCounts(seat('seats_workspace'), session({ media: null }))).toBe(true);
    expect(sessionCounts(seat('seats_workspace'), session({ media: 'WHATEVER' }))).toBe(true);
  });
});

describe('metric overrides', () => {
  it('replaces media and subtype codes of a seat metric', () => {
    const config = {
      catalogue: { seats_outbound: { subtypeCodes: ['OUTBOUNDCONTACT', 'PREVIEW'] }, seats_third_party: { mediaCodes: ['THIRDPARTY'] } },
    } as unknown as BdsConfig;
    const [outbound, third] = resolveMetrics(config, { ...tenant, metrics: ['seats_outbound', 'seats_third_party'] }) as SeatMetric[];
    expect(sessionCounts(outbound as SeatMetric, session({ handled: [['VOICE', 'PREVIEW']] }))).toBe(true);
    expect(sessionCounts(third as SeatMetric, session({ media: 'THIRDPARTY', handled: [['THIRDPARTY', null]] }))).toBe(true);
    expect(sessionCounts(third as SeatMetric, session({ media: 'WORKITEM', handled: [['WORKITEM', null]] }))).toBe(false);
  });
  it('layers back-office codes: catalogue, then configuration, per measure last', () => {
    const config = {
      catalogue: { seats_outbound: { codes: { status: 'X' }, measureCodes: { enabled: { agentGroupName: '2' } } } },
    } as unknown as BdsConfig;
    const [m] = resolveMetrics(config, { ...tenant, metrics: ['seats_outbound'] });
    expect(m?.resolvedCodes.concurrent).toEqual({ channelType: '4', serviceClass: '23', activityType: '5', status: 'X', agentGroupName: '1' });
    expect(m?.resolvedCodes.enabled).toEqual({ channelType: '4', serviceClass: '23', activityType: '5', status: 'X', agentGroupName: '2' });
  });
});

describe('placement', () => {
  it('takes the first location in configuration order that lists one of the agent\'s switches', () => {
    const p = buildPlacement(tenant, new Map([[1, ['SIP_BER']], [2, ['SIP_BER', 'SIP_NYC']], [3, ['SIP_X']]]));
    expect(p.regions[p.regionOf(1)]).toBe('EU');
    expect(p.regions[p.regionOf(2)]).toBe('US');
    expect(p.regions[p.regionOf(3)]).toBe('US');
    expect(p.regions[p.regionOf(4)]).toBe('US');
    expect(p.regions[p.regionOf(null)]).toBe('US');
  });
});

describe('excluded agents', () => {
  it('matches any pattern; a nameless agent is never excluded', () => {
    expect(isExcluded('test_01', [compileAgentPattern('^test_')])).toBe(true);
    expect(isExcluded('xtest_01', [compileAgentPattern('^test_')])).toBe(false);
    expect(isExcluded('my_healthcheck_7', [compileAgentPattern('^test_'), compileAgentPattern('healthcheck')])).toBe(true);
    expect(isExcluded(null, [compileAgentPattern('.*')])).toBe(false);
  });

  it('matches a pattern that makes a backtracking engine take exponential time, in linear time', () => {
    // (a+)+$ against 35 a's and a b: RegExp would try about 2^35 ways (minutes); RE2 one pass.
    // Measured by its result, not timed: a regression hangs the test past its timeout.
    const name = `${'a'.repeat(35)}b`;
    expect(isExcluded(name, [compileAgentPattern('(a+)+$')])).toBe(false);
    expect(isExcluded('a'.repeat(10_000), [compileAgentPattern('(a+)+$')])).toBe(true);
  }, 1_000);
});

function rows(list: string[][]): AsyncIterable<string[]> {
  return asyncOf(list);
}

describe('forEachAgentSession and aggregateSeatDay', () => {
  const day = { start: 0, end: 1000 };
  it('refuses rows that are not sorted by agent', async () => {
    const input = rows([
      ['2', 'b', '', 's1', 'VOICE', '0', '10', '[]'],
      ['1', 'a', '', 's2', 'VOICE', '0', '10', '[]'],
    ]);
    const visitor = { startAgent: () => undefined, session: () => undefined, endAgent: () => undefined };
    await expect(forEachAgentSession(input, visitor)).rejects.toThrow(/not sorted by resource_key/);
  });
  it("refuses an agent's sessions that are not sorted by start, which the streaming merge relies on", async () => {
    const input = rows([
      ['1', 'a', '', 's1', 'VOICE', '50', '60', '[]'],
      ['1', 'a', '', 's2', 'VOICE', '10', '20', '[]'],
    ]);
    const visitor = { startAgent: () => undefined, session: () => undefined, endAgent: () => undefined };
    await expect(forEachAgentSession(input, visitor)).rejects.toThrow(/resource_key 1 are not sorted by start_ts/);
  });
  it('counts an agent with overlapping sessions once, and only seconds inside the day', async () => {
    const [metric] = resolveMetrics({ catalogue: {} } as unknown as BdsConfig, { ...tenant, metrics: ['seats_inbound_voice'] });
    const result = await aggregateSeatDay({
      rows: rows([
        ['1', 'a', '', 's1', 'VOICE', '-50', '100', '[]'],
        ['1', 'a', '', 's2', 'VOICE', '50', '150', '[]'],
        ['2', 'b', '', 's3', 'VOICE', '149', '', '[]'],
        ['3', 'test_c', '', 's4', 'VOICE', '0', '1000', '[]'],
        ['4', 'd', '', 's5', 'VOICE', '2000', '3000', '[]'],
      ]),
      metrics: [metric as never],
      placement: buildPlacement({ ...tenant, regions: [{ code: 'US', locations: [{ code: 'ALL', switches: [] }] }] }, undefined),
      day,
      exclude: [/^test_/],
    });
    expect(result.values).toEqual([
      { metric: 'seats_inbound_voice', region: 'US', measure: 'concurrent', value: 2 },
      { metric: 'seats_inbound_voice', region: 'US', measure: 'enabled', value: 2 },
    ]);
    expect(result.stats).toMatchObject({ sessions: 5, agents: 3, excludedAgents: 1, emptySessions: 1 });
  });
  const voiceOnly = (): never => resolveMetrics({ catalogue: {} } as unknown as BdsConfig, { ...tenant, metrics: ['seats_inbound_voice'] })[0] as never;
  const oneRegion = () => buildPlacement({ ...tenant, regions: [{ code: 'US', locations: [{ code: 'ALL', switches: [] }] }] }, undefined);
  it('does not count an agent whose sessions all end before they start', async () => {
    const result = await aggregateSeatDay({
      rows: rows([['1', 'a', '', 's1', 'VOICE', '10', '5', '[]']]),
      metrics: [voiceOnly()],
      placement: oneRegion(),
      day,
      exclude: [],
    });
    expect(result.values.map((v) => v.value)).toEqual([0, 0]);
    expect(result.stats).toMatchObject({ agents: 1, emptySessions: 1 });
  });
  it('merges an agent\'s touching, nested and overlapping sessions as they stream, and keeps agents apart', async () => {
    // Agent 1: [0,10) [10,20) touch (one run), [15,18) nested, then a gap, [30,40).
    // Agent 2: [5,35). Peak: seconds 5..9, 10..19 and 30..34 hold both agents = 2, never 3.
    const result = await aggregateSeatDay({
      rows: rows([
        ['1', 'a', '', 's1', 'VOICE', '0', '10', '[]'],
        ['1', 'a', '', 's2', 'VOICE', '10', '20', '[]'],
        ['1', 'a', '', 's3', 'VOICE', '15', '18', '[]'],
        ['1', 'a', '', 's4', 'VOICE', '30', '40', '[]'],
        ['2', 'b', '', 's5', 'VOICE', '5', '35', '[]'],
      ]),
      metrics: [voiceOnly()],
      placement: oneRegion(),
      day,
      exclude: [],
    });
    expect(result.values.map((v) => v.value)).toEqual([2, 2]);
  });
  it("counts one agent's 900,000 overlapping sessions as one seat", async () => {
    function* sorted(): Generator<string[]> {
      for (let start = 0; start < 900; start += 1) {
        for (let k = 0; k < 1000; k += 1) yield ['7', 'a', '', `s${start}-${k}`, 'VOICE', String(start), String(start + 50), '[]'];
      }
    }
    const result = await aggregateSeatDay({ rows: asyncOf(sorted()), metrics: [voiceOnly()], placement: oneRegion(), day, exclude: [] });
    expect(result.values.map((v) => v.value)).toEqual([1, 1]);
    expect(result.stats).toMatchObject({ sessions: 900_000, agents: 1 });
  });
});

describe('placementFromRows', () => {
  function pairs(list: string[][]): AsyncIterable<string[]> {
    return asyncOf(list);
  }
  it('places each agent from its sorted (person, switch) rows as buildPlacement does', async () => {
    const rows = [
      ['1', 'SIP_BER'],
      ['2', 'SIP_BER'],
      ['2', 'SIP_NYC'],
      ['3', 'SIP_X'],
    ];
    const streamed = await placementFromRows(tenant, pairs(rows));
    const built = buildPlacement(tenant, new Map([[1, ['SIP_BER']], [2, ['SIP_BER', 'SIP_NYC']], [3, ['SIP_X']]]));
    for (const person of [1, 2, 3, 4, null]) {
      expect(streamed.regions[streamed.regionOf(person)], String(person)).toBe(built.regions[built.regionOf(person)]);
    }
    expect(streamed.regions[streamed.regionOf(1)]).toBe('EU');
    expect(streamed.regions[streamed.regionOf(2)]).toBe('US');
  });
  it('refuses rows that are not sorted by person', async () => {
    await expect(placementFromRows(tenant, pairs([['2', 'SIP_BER'], ['1', 'SIP_NYC']]))).rejects.toThrow(/not sorted/);
  });
});
