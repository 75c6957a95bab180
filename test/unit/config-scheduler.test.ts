/** The `scheduler` key of the configuration: the local scheduler's time zone. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/config/errors';
import { parseConfig } from '../../lib/config/load';

const CONFIG_PATH = '/srv/bds/bds.config.json';

/** The smallest valid configuration, plus `extra` top-level keys. */
function text(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    customer: { garn: 'GARN0042', name: 'Acme Corp' },
    sources: { gim: { client: 'pg', connectionString: 'postgres://bds@gim.example.local/gim' } },
    tenants: [
      {
        id: 'acme',
        gimTenantKey: 1,
        cfgTenantDbid: 101,
        productionDate: '2026-01-01',
        metrics: ['seats_inbound_voice'],
        regions: [{ code: 'US', locations: [{ code: 'MAIN', switches: [] }] }],
      },
    ],
    ...extra,
  });
}

function parse(extra: Record<string, unknown>) {
  return parseConfig(text(extra), { format: 'json', configPath: CONFIG_PATH, env: {} }).config;
}

function problems(extra: Record<string, unknown>): { path: string; message: string }[] {
  try {
    parse(extra);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config: scheduler', () => {
  it('defaults the scheduler zone to UTC, the zone EventBridge reads cron in', () => {
    // Act
    const config = parse({});

    // Assess
    expect(config.scheduler).toEqual({ timezone: 'UTC' });
  });

  it('takes an IANA zone, also with an empty scheduler block', () => {
    // Act
    const zoned = parse({ scheduler: { timezone: 'Europe/Berlin' } });
    const empty = parse({ scheduler: {} });

    // Assess
    expect(zoned.scheduler.timezone).toBe('Europe/Berlin');
    expect(empty.scheduler.timezone).toBe('UTC');
  });

  it('rejects an unknown zone, naming the key', () => {
    // Act
    const found = problems({ scheduler: { timezone: 'Mars/Base' } });

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe('scheduler.timezone');
    expect(found[0]?.message).toMatch(/^unknown time zone "Mars\/Base"/);
  });

  it('rejects unknown keys with a suggestion, and a scheduler that is not a mapping', () => {
    // Act
    const typo = problems({ scheduler: { timzone: 'UTC' } });
    const scalar = problems({ scheduler: 'UTC' });

    // Assess
    expect(typo).toEqual([{ path: 'scheduler.timzone', message: 'unknown key (did you mean "timezone"?)' }]);
    expect(scalar).toEqual([{ path: 'scheduler', message: 'expected a mapping, got a string' }]);
  });
});
