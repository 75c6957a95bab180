/**
 * Billing file names and contents (billing-files.md). Both are pure functions of their inputs,
 * so producing the same period again from the same data gives the same name and the same bytes.
 */
import { stringify } from 'csv-stringify/sync';
import type { LocalDate } from '../config/types';
import type { Measure } from '../metrics/catalogue';
import type { ResolvedCodes } from '../metrics/resolve';

/** A billing period: one tenant-local day, or one calendar month. */
export type Period =
  | { readonly type: 'daily'; readonly date: LocalDate }
  | { readonly type: 'monthly'; readonly month: string };

/** `D20261125` or `M202611`: the period part of a file name. */
export function periodCode(period: Period): string {
  return period.type === 'daily' ? `D${period.date.replaceAll('-', '')}` : `M${period.month.replace('-', '')}`;
}

/** `2026-11-25` or `2026-11`: the `period` column. */
export function periodLabel(period: Period): string {
  return period.type === 'daily' ? period.date : period.month;
}

/** `YYYY/MM` of a period, for folders and S3 keys. */
export function periodFolder(period: Period): string {
  const text = period.type === 'daily' ? period.date : period.month;
  return `${text.slice(0, 4)}/${text.slice(5, 7)}`;
}

/** `CNT_<REGION>_PES_<METRIC>_<GARN>_<TENANT>_<PERIOD>.csv` */
export function billingFileName(parts: {
  readonly region: string;
  readonly metric: string;
  readonly garn: string;
  readonly tenant: string;
  readonly period: Period;
}): string {
  return `CNT_${parts.region}_PES_${parts.metric}_${parts.garn}_${parts.tenant}_${periodCode(parts.period)}.csv`;
}

/** The columns of every billing file, in order. */
export const BILLING_COLUMNS = [
  'garn',
  'customer',
  'tenant',
  'region',
  'metric',
  'measure',
  'period_type',
  'period',
  'period_start',
  'period_end',
  'timezone',
  'channel_type',
  'service_class',
  'activity_type',
  'status',
  'agent_group_name',
  'message_size',
] as const;

/** What one billing file says, before it is rendered. */
export interface BillingFileContent {
  readonly garn: string;
  readonly customer: string;
  readonly tenant: string;
  readonly region: string;
  readonly metric: string;
  readonly period: Period;
  /** ISO 8601 with the tenant zone's offset. */
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly timezone: string;
  /** One row per measure, in catalogue order. */
  readonly rows: readonly { readonly measure: Measure; readonly codes: ResolvedCodes; readonly value: number }[];
}

/** Renders a billing file: RFC 4180 CSV, UTF-8 without BOM, `\n` line ends, one header row. */
export function renderBillingCsv(content: BillingFileContent): string {
  const records = content.rows.map((row) => {
    if (!Number.isSafeInteger(row.value) || row.value < 0) {
      throw new RangeError(`${content.metric} ${row.measure}: ${row.value} is not a non-negative integer`);
    }
    return [
      content.garn,
      content.customer,
      content.tenant,
      content.region,
      content.metric,
      row.measure,
      content.period.type,
      periodLabel(content.period),
      content.periodStart,
      content.periodEnd,
      content.timezone,
      row.codes.channelType,
      row.codes.serviceClass,
      row.codes.activityType,
      row.codes.status,
      row.codes.agentGroupName,
      String(row.value),
    ];
  });
  return stringify([[...BILLING_COLUMNS], ...records], { record_delimiter: '\n' });
}

/** The `.sha256` side file: `sha256sum` format (digest, two spaces, file name). */
export function checksumLine(digest: string, fileName: string): string {
  return `${digest}  ${fileName}\n`;
}
