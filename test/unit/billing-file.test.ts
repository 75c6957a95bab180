import { describe, expect, it } from 'vitest';
import { billingFileName, checksumLine, periodCode, renderBillingCsv } from '../../lib/files/billing-file';

const codes = { channelType: '', serviceClass: '', activityType: '', status: '', agentGroupName: '' };

describe('billing file names', () => {
  it('follow CNT_<REGION>_PES_<METRIC>_<GARN>_<TENANT>_<PERIOD>.csv', () => {
    expect(
      billingFileName({ region: 'US', metric: 'seats_chat', garn: 'GARN0042', tenant: 'acme', period: { type: 'daily', date: '2026-11-25' } }),
    ).toBe('CNT_US_PES_seats_chat_GARN0042_acme_D20261125.csv');
    expect(periodCode({ type: 'monthly', month: '2026-11' })).toBe('M202611');
  });
});

describe('billing file content', () => {
  const base = {
    garn: 'G1',
    customer: 'Acme, "Global" Inc.',
    tenant: 'acme',
    region: 'GLOBAL',
    metric: 'voicemail_boxes',
    period: { type: 'daily', date: '2026-11-25' } as const,
    periodStart: '2026-11-25T00:00:00+00:00',
    periodEnd: '2026-11-26T00:00:00+00:00',
    timezone: 'UTC',
  };
  it('is RFC 4180 with \\n line ends and quotes only where needed', () => {
    const csv = renderBillingCsv({ ...base, rows: [{ measure: 'count', codes: { ...codes, channelType: '0' }, value: 37 }] });
    expect(csv.endsWith('\n')).toBe(true);
    expect(csv).not.toContain('\r');
    expect(csv.split('\n')[1]).toBe(
      'G1,"Acme, ""Global"" Inc.",acme,GLOBAL,voicemail_boxes,count,daily,2026-11-25,2026-11-25T00:00:00+00:00,2026-11-26T00:00:00+00:00,UTC,0,,,,,37',
    );
  });
  it('refuses a negative or fractional count', () => {
    expect(() => renderBillingCsv({ ...base, rows: [{ measure: 'count', codes, value: -1 }] })).toThrow(RangeError);
    expect(() => renderBillingCsv({ ...base, rows: [{ measure: 'count', codes, value: 1.5 }] })).toThrow(RangeError);
  });
  it('writes checksum lines in sha256sum format', () => {
    expect(checksumLine('ab'.repeat(32), 'f.csv')).toBe(`${'ab'.repeat(32)}  f.csv\n`);
  });
});
