import { describe, expect, it } from 'vitest';
import { parseScheduledEvent, targetsFromEvent } from '../../lib/pipeline/events';
import { RequestError } from '../../lib/pipeline/errors';
import type { BdsConfig, TenantConfig } from '../../lib/config/types';

const tenant = (id: string, timezone: string, productionDate = '2026-01-01'): TenantConfig => ({
  id,
  gimTenantKey: 1,
  cfgTenantDbid: 1,
  timezone,
  productionDate,
  excludeAgents: [],
  metrics: ['seats_workspace'],
  regions: [{ code: 'US', locations: [{ code: 'A', switches: [] }] }],
});
const config = {
  processingDelaySeconds: 7200,
  tenants: [tenant('ny', 'America/New_York'), tenant('tokyo', 'Asia/Tokyo', '2026-11-25')],
} as unknown as BdsConfig;
const now = Math.floor(Date.parse('2026-11-26T06:00:00Z') / 1000);

describe('targetsFromEvent', () => {
  it('derives the last ended day per tenant zone from a scheduled event', () => {
    const targets = targetsFromEvent(config, { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2026-11-26T06:00:00Z' }, now);
    // 01:00 in New York: the 25th ended at 05:00Z, +2h delay = 07:00Z > 06:00Z → the 24th.
    // 15:00 in Tokyo: the 25th ended at 15:00Z on the 25th → the 25th.
    expect(targets.map((t) => [t.tenant.id, t.dates])).toEqual([
      ['ny', ['2026-11-24']],
      ['tokyo', ['2026-11-25']],
    ]);
  });
  it('expands an ad hoc range, oldest first, skipping days before the production date', () => {
    const targets = targetsFromEvent(config, { tenant: 'tokyo', from: '2026-11-23', to: '2026-11-25' }, now);
    expect(targets.map((t) => t.dates)).toEqual([['2026-11-25']]);
  });
  it('names the bad field', () => {
    const cases: [unknown, string][] = [
      [{ tenant: 'ny', date: '2026-13-01' }, 'event.date'],
      [{ tenant: 'nope', date: '2026-11-01' }, 'event.tenant'],
      [{ tenant: 'ny' }, 'event.from'],
      [{ tenant: 'ny', date: '2026-11-01', from: '2026-11-01' }, 'event.date'],
      [{ tenant: 'ny', dates: '2026-11-01' }, 'event.dates'],
      [{ tenant: 7, date: '2026-11-01' }, 'event.tenant'],
      [{ source: 'aws.events', 'detail-type': 'Scheduled Event', time: 'yesterday' }, 'event.time'],
      [{ tenant: 'ny', from: '2026-11-05', to: '2026-11-01' }, 'event.from'],
      [{ tenant: 'ny', date: '2026-11-26' }, 'event.date'],
      ['2026-11-01', 'event'],
    ];
    for (const [event, field] of cases) {
      let caught: unknown;
      try {
        targetsFromEvent(config, event, now);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(event)).toBeInstanceOf(RequestError);
      expect((caught as RequestError).field, JSON.stringify(event)).toBe(field);
    }
  });
});

describe('one scheduled-event schema for every handler', () => {
  const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2026-11-26T06:00:00Z' };

  it.each(['tenant', 'date', 'from', 'to'])('refuses a scheduled event with an ad hoc "%s", which would be silently ignored', (field) => {
    const attempt = (): unknown => targetsFromEvent(config, { ...scheduled, [field]: field === 'tenant' ? 'ny' : '2026-11-01' }, now);
    expect(attempt).toThrow(RequestError);
    expect(attempt).toThrow(`event.${field}: a scheduled event's day comes from its time`);
  });

  it('refuses times that are not ISO instants, and times in the future, the same in every handler', async () => {
    const { handler: dispatcher } = await import('../../handlers/dispatcher');
    const { handler: upload } = await import('../../handlers/upload');
    for (const [time, message] of [
      ['1', 'expected an ISO 8601 time'],
      ['March 7', 'expected an ISO 8601 time'],
      ['2100-01-01T00:00:00Z', 'is in the future'],
    ] as const) {
      expect(() => parseScheduledEvent({ ...scheduled, time }, now)).toThrow(message);
      // The handlers refuse the event before reading any configuration.
      for (const handler of [dispatcher, upload]) {
        await expect(handler({ ...scheduled, time }, undefined)).rejects.toThrow(message);
      }
    }
    expect(parseScheduledEvent({ ...scheduled, id: 'x', account: '1', detail: { tenant: 'ny' } }, now)).toEqual({ time: now, tenant: 'ny' });
  });
});
