/**
 * Writes the billing files of one tenant and period, their `.sha256` side files and the
 * period's manifest, each atomically. The manifest comes last: it lists what the run wrote.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { BdsConfig, TenantConfig } from '../config/types';
import type { ResolvedMetric } from '../metrics/resolve';
import type { AggregationStats, MetricValue } from '../aggregate/values';
import { bdsVersion } from '../version';
import { formatInstant } from '../time/calendar';
import { writeFileAtomic, type FileModes } from './atomic';
import { MANIFEST_FORMAT, type Manifest, type ManifestDetail, type ManifestFile, type ManifestInput } from './manifest';
import { faultPoint } from '../faults';
import { billingFileName, checksumLine, periodCode, periodFolder, renderBillingCsv, type Period } from './billing-file';

export const GLOBAL_REGION = 'GLOBAL';

// The manifest's format lives in manifest.ts; re-exported for the modules that write periods.
export type { Manifest, ManifestDetail, ManifestFile, ManifestInput } from './manifest';

/** The detail file's name of a billing file. */
export function detailName(billingFile: string): string {
  return `${billingFile}.detail.csv`;
}

/** The folder holding a tenant's billing files of a period. */
export function billingFolder(dataDir: string, tenant: string, period: Period): string {
  return join(dataDir, 'billing', tenant, periodFolder(period));
}

/** The manifest's file name, e.g. `manifest_acme_D20261125.json`. */
export function manifestName(tenant: string, period: Period): string {
  return `manifest_${tenant}_${periodCode(period)}.json`;
}

/** Does a metric get a file for this kind of period? Monthly files exist only for metrics with a rollup. */
export function hasFileFor(metric: ResolvedMetric, period: Period): boolean {
  return period.type === 'daily' || metric.measures.some((m) => m.rollup !== 'none');
}

export interface PeriodFilesInput {
  readonly config: BdsConfig;
  readonly tenant: TenantConfig;
  readonly period: Period;
  readonly bounds: { readonly start: number; readonly end: number };
  readonly metrics: readonly ResolvedMetric[];
  readonly values: readonly MetricValue[];
  readonly inputs: readonly ManifestInput[];
  readonly stats: Readonly<Record<string, AggregationStats>>;
  /** Permissions of the files and folders written. */
  readonly modes: FileModes;
  /** Detail files' contents keyed `metric|region` (lib/explain/detail.ts); absent: none written. */
  readonly details?: ReadonlyMap<string, { readonly csv: string; readonly rows: number }>;
}

/**
 * Writes every file of the period: one per metric and region (or GLOBAL), zeros included, so
 * that a missing file always means "not produced", never "nothing used".
 */
export async function writePeriodFiles(input: PeriodFilesInput): Promise<Manifest> {
  const { config, tenant, period } = input;
  const folder = billingFolder(config.dataDir, tenant.id, period);
  const lookup = new Map(input.values.map((v) => [`${v.metric}|${v.region}|${v.measure}`, v.value]));
  const periodStart = formatInstant(input.bounds.start, tenant.timezone);
  const periodEnd = formatInstant(input.bounds.end, tenant.timezone);
  const files: ManifestFile[] = [];
  const details: ManifestDetail[] = [];
  for (const metric of input.metrics) {
    if (!hasFileFor(metric, period)) continue;
    const regions = metric.scope === 'global' ? [GLOBAL_REGION] : tenant.regions.map((r) => r.code);
    const measures = metric.measures.filter((m) => period.type === 'daily' || m.rollup !== 'none');
    for (const region of regions) {
      const rows = measures.map(({ measure }) => {
        const value = lookup.get(`${metric.key}|${region}|${measure}`);
        if (value === undefined) {
          throw new RangeError(`no ${measure} value computed for ${metric.key} in ${region}: aggregation is incomplete`);
        }
        const codes = metric.resolvedCodes[measure];
        if (codes === undefined) throw new RangeError(`no codes resolved for ${metric.key} ${measure}`);
        return { measure, codes, value };
      });
      const name = billingFileName({ region, metric: metric.key, garn: config.customer.garn, tenant: tenant.id, period });
      const csv = renderBillingCsv({
        garn: config.customer.garn,
        customer: config.customer.name,
        tenant: tenant.id,
        region,
        metric: metric.key,
        period,
        periodStart,
        periodEnd,
        timezone: tenant.timezone,
        rows,
      });
      const sha256 = createHash('sha256').update(csv).digest('hex');
      await writeFileAtomic(join(folder, name), csv, input.modes);
      faultPoint('billing.after-csv');
      await writeFileAtomic(join(folder, `${name}.sha256`), checksumLine(sha256, name), input.modes);
      faultPoint('billing.after-checksum');
      files.push({ name, metric: metric.key, region, sha256, bytes: Buffer.byteLength(csv), rows: rows.length });
      if (input.details === undefined) continue;
      const detail = input.details.get(`${metric.key}|${region}`);
      if (detail === undefined) throw new RangeError(`no detail computed for ${metric.key} in ${region}`);
      const detailFile = detailName(name);
      const detailSha = createHash('sha256').update(detail.csv).digest('hex');
      await writeFileAtomic(join(folder, detailFile), detail.csv, input.modes);
      await writeFileAtomic(join(folder, `${detailFile}.sha256`), checksumLine(detailSha, detailFile), input.modes);
      details.push({ name: detailFile, of: name, metric: metric.key, region, sha256: detailSha, bytes: Buffer.byteLength(detail.csv), rows: detail.rows });
    }
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    tenant: tenant.id,
    garn: config.customer.garn,
    periodType: period.type,
    period: period.type === 'daily' ? period.date : period.month,
    periodStart,
    periodEnd,
    timezone: tenant.timezone,
    generatedAt: new Date().toISOString(),
    bdsVersion: bdsVersion(),
    files,
    ...(input.details === undefined ? {} : { details }),
    inputs: [...input.inputs],
    stats: input.stats,
  };
  faultPoint('billing.before-manifest');
  await writeFileAtomic(join(folder, manifestName(tenant.id, period)), JSON.stringify(manifest, null, 2) + '\n', input.modes);
  faultPoint('billing.after-manifest');
  return manifest;
}
