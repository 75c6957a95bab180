import { describe, expect, it } from 'vitest';
import type { TenantConfig } from '../../lib/config/types';
import { VerifyError } from '../../lib/verify/errors';
import { defaultRegionIndex, placePersons } from '../../lib/verify/placement';

const tenant = (regions: TenantConfig['regions']): TenantConfig => ({
  id: 't',
  gimTenantKey: 1,
  cfgTenantDbid: 1,
  timezone: 'UTC',
  productionDate: '2026-01-01',
  excludeAgents: [],
  metrics: ['seats_inbound_voice'],
  regions,
});

// US = NYC [SIP_NYC], MAIN [] (default); EU = BER [SIP_BER, SIP_NYC]; APAC = SYD [SIP_SYD].
const three = tenant([
  { code: 'US', locations: [{ code: 'NYC', switches: ['SIP_NYC'] }, { code: 'MAIN', switches: [] }] },
  { code: 'EU', locations: [{ code: 'BER', switches: ['SIP_BER', 'SIP_NYC'] }] },
  { code: 'APAC', locations: [{ code: 'SYD', switches: ['SIP_SYD'] }] },
]);

const switches = (entries: Record<number, string[]>): Map<number, Set<string>> =>
  new Map(Object.entries(entries).map(([person, names]) => [Number(person), new Set(names)]));

describe('placePersons', () => {
  it('places a Person in the region of the first location, in configuration order, listing one of its switches', () => {
    const placement = placePersons(
      three,
      switches({
        1: ['SIP_BER'], // EU
        2: ['SIP_NYC'], // NYC (US) and BER (EU) both list it: NYC comes first
        3: ['SIP_SYD', 'SIP_BER'], // BER comes before SYD
        4: ['SIP_OTHER'], // listed nowhere: the default
        5: ['SIP_SYD'], // APAC
        6: ['SIP_OTHER', 'SIP_SYD'], // the unlisted switch does not matter
        7: [],
      }),
    );
    expect(placement.defaultRegion).toBe(0);
    // Only Persons outside the default region are listed; everyone else is the default's.
    expect([...placement.regionOf].sort((a, b) => a[0] - b[0])).toEqual([
      [1, 1],
      [3, 1],
      [5, 2],
      [6, 2],
    ]);
  });

  it('the default location may be in any region, and a Person placed there is not listed', () => {
    const t = tenant([
      { code: 'US', locations: [{ code: 'NYC', switches: ['SIP_NYC'] }] },
      { code: 'EU', locations: [{ code: 'BER', switches: ['SIP_BER'] }, { code: 'REST', switches: [] }] },
    ]);
    const placement = placePersons(t, switches({ 1: ['SIP_NYC'], 2: ['SIP_BER'], 3: ['SIP_X'] }));
    expect(placement.defaultRegion).toBe(1);
    expect([...placement.regionOf]).toEqual([[1, 0]]);
  });

  it('a switch name matches exactly (case and spaces included)', () => {
    const placement = placePersons(three, switches({ 1: ['sip_ber'], 2: ['SIP_BER '] }));
    expect(placement.regionOf.size).toBe(0);
  });

  it('a tenant without a default location cannot be placed', () => {
    expect(() => defaultRegionIndex(tenant([{ code: 'US', locations: [{ code: 'NYC', switches: ['SIP_NYC'] }] }]))).toThrow(VerifyError);
  });
});
