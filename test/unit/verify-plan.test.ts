import { describe, expect, it } from 'vitest';
import type { TenantConfig } from '../../lib/config/types';
import { planMonths } from '../../lib/verify/plan';

const tenant = (productionDate: string): TenantConfig => ({
  id: 't',
  gimTenantKey: 1,
  cfgTenantDbid: 1,
  timezone: 'UTC',
  productionDate,
  excludeAgents: [],
  metrics: ['seats_inbound_voice'],
  regions: [{ code: 'US', locations: [{ code: 'ALL', switches: [] }] }],
});

describe('planMonths', () => {
  it('a day inside a month is computed alone, without the month', () => {
    expect(planMonths(tenant('2026-01-01'), ['2026-10-15'])).toEqual([
      { month: '2026-10', days: ['2026-10-15'], dailyCompared: ['2026-10-15'], monthly: false },
    ]);
  });

  it("a month's last day brings every billable day of the month into the computation", () => {
    const [october] = planMonths(tenant('2026-01-01'), ['2026-10-31']);
    expect(october?.monthly).toBe(true);
    expect(october?.days).toHaveLength(31);
    expect(october?.days[0]).toBe('2026-10-01');
    expect(october?.dailyCompared).toEqual(['2026-10-31']);
  });

  it('the month of the production date starts at the production date', () => {
    const [october] = planMonths(tenant('2026-10-29'), ['2026-10-31', '2026-10-30']);
    expect(october).toEqual({ month: '2026-10', days: ['2026-10-29', '2026-10-30', '2026-10-31'], dailyCompared: ['2026-10-30', '2026-10-31'], monthly: true });
  });

  it('groups a range by month, oldest first, drops days before the production date and duplicates', () => {
    const plan = planMonths(tenant('2026-02-27'), ['2026-03-01', '2026-02-26', '2026-02-28', '2026-02-28', '2026-03-02']);
    expect(plan).toEqual([
      { month: '2026-02', days: ['2026-02-27', '2026-02-28'], dailyCompared: ['2026-02-28'], monthly: true },
      { month: '2026-03', days: ['2026-03-01', '2026-03-02'], dailyCompared: ['2026-03-01', '2026-03-02'], monthly: false },
    ]);
  });

  it('nothing before the production date', () => {
    expect(planMonths(tenant('2026-10-29'), ['2026-10-28'])).toEqual([]);
  });
});
