import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { BdsConfig, TenantConfig } from '../../lib/config/types';
import { compareWithFiles, parseBillingFile } from '../../lib/verify/compare';
import type { SourceValue } from '../../lib/verify/compute';
import { renderJson, renderText } from '../../lib/verify/report';
import type { VerifyTenantResult } from '../../lib/verify/verify';

const tenant: TenantConfig = {
  id: 'acme',
  gimTenantKey: 1,
  cfgTenantDbid: 101,
  timezone: 'UTC',
  productionDate: '2026-01-01',
  excludeAgents: [],
  metrics: ['seats_chat'],
  regions: [{ code: 'US', locations: [{ code: 'ALL', switches: [] }] }],
};
const config = { dataDir: '/data', customer: { garn: 'G1', name: 'Acme, Corp' } } as unknown as BdsConfig;

const HEADER =
  'garn,customer,tenant,region,metric,measure,period_type,period,period_start,period_end,timezone,channel_type,service_class,activity_type,status,agent_group_name,message_size\n';
const row = (measure: string, size: string) =>
  `G1,"Acme, Corp",acme,US,seats_chat,${measure},daily,2026-10-31,2026-10-31T00:00:00+00:00,2026-11-01T00:00:00+00:00,UTC,,,,,,${size}\n`;

const value = (measure: 'concurrent' | 'enabled', v: number, period = '2026-10-31', periodType: 'daily' | 'monthly' = 'daily'): SourceValue => ({
  metric: 'seats_chat',
  region: 'US',
  measure,
  periodType,
  period,
  value: v,
});

const DAILY = join('/data', 'billing', 'acme', '2026', '10', 'CNT_US_PES_seats_chat_G1_acme_D20261031.csv');
const MONTHLY = join('/data', 'billing', 'acme', '2026', '10', 'CNT_US_PES_seats_chat_G1_acme_M202610.csv');

describe('parseBillingFile', () => {
  it('reads measure → message_size, quoted fields included', () => {
    const parsed = parseBillingFile(HEADER + row('concurrent', '3') + row('enabled', '5'));
    expect(parsed).toEqual({ ok: true, sizes: new Map([['concurrent', '3'], ['enabled', '5']]) });
  });

  it('says what is wrong with a file it cannot read', () => {
    expect(parseBillingFile('a,b\n"unclosed')).toMatchObject({ ok: false });
    expect(parseBillingFile('x,y\n1,2\n')).toEqual({ ok: false, detail: 'no measure or message_size column' });
    expect(parseBillingFile(HEADER + row('enabled', '1') + row('enabled', '2'))).toEqual({ ok: false, detail: 'two rows for measure enabled' });
  });
});

describe('compareWithFiles', () => {
  const files = new Map<string, string>();
  const readFile = (path: string) => Promise.resolve(files.get(path));

  it('equal values are no difference; every value counts as compared', async () => {
    files.set(DAILY, HEADER + row('concurrent', '3') + row('enabled', '5'));
    const result = await compareWithFiles({ config, tenant, values: [value('concurrent', 3), value('enabled', 5)], readFile });
    expect(result).toEqual({ compared: 2, differences: [] });
  });

  it('reports another value, a missing row, a missing file and an unreadable value, each precisely', async () => {
    files.set(DAILY, HEADER + row('concurrent', '4'));
    const result = await compareWithFiles({
      config,
      tenant,
      values: [value('concurrent', 3), value('enabled', 5), value('concurrent', 9, '2026-10', 'monthly')],
      readFile,
    });
    const common = { tenant: 'acme', region: 'US', metric: 'seats_chat' };
    expect(result.compared).toBe(3);
    expect(result.differences).toEqual([
      { ...common, measure: 'concurrent', period: '2026-10-31', periodType: 'daily', file: 'CNT_US_PES_seats_chat_G1_acme_D20261031.csv', fileValue: 4, sourceValue: 3, reason: 'value' },
      { ...common, measure: 'enabled', period: '2026-10-31', periodType: 'daily', file: 'CNT_US_PES_seats_chat_G1_acme_D20261031.csv', fileValue: null, sourceValue: 5, reason: 'missing-row' },
      { ...common, measure: 'concurrent', period: '2026-10', periodType: 'monthly', file: 'CNT_US_PES_seats_chat_G1_acme_M202610.csv', fileValue: null, sourceValue: 9, reason: 'missing-file' },
    ]);
    files.set(MONTHLY, HEADER + row('concurrent', '9.0'));
    const again = await compareWithFiles({ config, tenant, values: [value('concurrent', 9, '2026-10', 'monthly')], readFile });
    expect(again.differences).toMatchObject([{ fileValue: null, reason: 'unreadable', detail: 'message_size "9.0" is not a non-negative integer' }]);
  });

  it('reads each file once', async () => {
    let reads = 0;
    files.set(DAILY, HEADER + row('concurrent', '3') + row('enabled', '5'));
    await compareWithFiles({ config, tenant, values: [value('concurrent', 3), value('enabled', 5)], readFile: (p) => ((reads += 1), Promise.resolve(files.get(p))) });
    expect(reads).toBe(1);
  });
});

describe('the report', () => {
  const result = (over: Partial<VerifyTenantResult>): VerifyTenantResult => ({
    tenant: 'acme',
    days: ['2026-10-30', '2026-10-31'],
    months: ['2026-10'],
    values: 10,
    differences: [],
    snapshotMetrics: ['voicemail_boxes'],
    durationMs: 1234,
    ...over,
  });
  const difference = {
    tenant: 'acme',
    region: 'GLOBAL',
    metric: 'voicemail_boxes',
    measure: 'count',
    period: '2026-10-31',
    periodType: 'daily' as const,
    file: 'f.csv',
    fileValue: 4,
    sourceValue: 6,
    reason: 'value' as const,
  };

  it('exit code: 0 all equal, 65 differences, 1 when a tenant could not be verified (even with differences elsewhere)', () => {
    expect(renderJson([{ tenant: 'acme', result: result({}) }], '2026-10-30', '2026-10-31')).toMatchObject({ ok: true, exitCode: 0, valuesCompared: 10 });
    expect(renderJson([{ tenant: 'acme', result: result({ differences: [difference] }) }], 'a', 'b')).toMatchObject({ ok: false, exitCode: 65 });
    expect(
      renderJson([{ tenant: 'acme', result: result({ differences: [difference] }) }, { tenant: 'globex', error: 'source gim: cannot connect' }], 'a', 'b'),
    ).toMatchObject({ ok: false, exitCode: 1, tenants: [{ tenant: 'acme', ok: false }, { tenant: 'globex', ok: false, error: 'source gim: cannot connect' }] });
  });

  it('text: the differences, the summary, and the snapshot note when a Config DB value differs', () => {
    const text = renderText([{ tenant: 'acme', result: result({ differences: [difference] }) }]);
    expect(text).toMatch(/^tenant\s+region\s+metric\s+period\s+measure\s+file\s+source\s+note$/m);
    expect(text).toMatch(/^acme\s+GLOBAL\s+voicemail_boxes\s+2026-10-31\s+count\s+4\s+6$/m);
    expect(text).toContain('acme: 2026-10-30..2026-10-31 (2 days) and month 2026-10: 10 values compared, 1 differs (1.2 s)');
    expect(text).toContain('voicemail_boxes is counted from the Config DB as it is now');
    expect(renderText([{ tenant: 'acme', result: result({}) }])).not.toContain('Config DB');
  });
});
