/**
 * `bds explain`: the evidence behind one billed number (operation.md, "bds explain"). The value
 * is recomputed from the staged datasets by the aggregation's own counting and compared with the
 * billing file: a file that no longer matches its staged data is reported, never explained with
 * data it was not made from.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { BdsConfig, TenantConfig } from '../config/types';
import { describeError } from '../errors';
import { billingFileName, periodLabel, type Period } from '../files/billing-file';
import { billingFolder, GLOBAL_REGION } from '../files/period-writer';
import type { Measure } from '../metrics/catalogue';
import { resolveMetrics } from '../metrics/resolve';
import { compareDates, lastDayOfMonth } from '../time/calendar';
import { BilledValueMismatchError, ExplainError, ExplainRequestError } from './errors';
import { computeEvidence, evidenceKey, localText, periodDates, utcText, type Cell, type ValueRule } from './evidence';

export const EXPLAIN_FORMAT = 'bds-explain/1';

export interface ExplainRequest {
  readonly config: BdsConfig;
  readonly tenant: TenantConfig;
  readonly metric: string;
  /** Required when the tenant has several regions and the metric is per region. */
  readonly region?: string;
  /** Required when the metric has several measures. */
  readonly measure?: string;
  readonly period: Period;
  /** Show agent names (personal data). */
  readonly names: boolean;
}

/** The explanation of one value: the `--json` output as it is printed. */
export interface Explanation {
  readonly format: typeof EXPLAIN_FORMAT;
  readonly tenant: string;
  readonly metric: string;
  readonly region: string;
  readonly measure: Measure;
  readonly periodType: Period['type'];
  readonly period: string;
  readonly timezone: string;
  /** The value recomputed from the staged data (equal to `billed.value` when there is a file). */
  readonly value: number;
  /** How `rows` add up to `value` (see {@link ValueRule}). */
  readonly rule: ValueRule;
  /** Concurrent and peak values above 0: the first second the value is reached. */
  readonly at: { readonly date: string; readonly epoch: number; readonly utc: string; readonly local: string } | null;
  /** The billing file and the value it bills; null when there is none (not aggregated, or moved away). */
  readonly billed: { readonly file: string; readonly value: number } | null;
  readonly names: boolean;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

function resolveRequest(request: ExplainRequest): { metric: ReturnType<typeof resolveMetrics>[number]; region: string; measure: Measure } {
  const { config, tenant } = request;
  const metrics = resolveMetrics(config, tenant);
  const metric = metrics.find((m) => m.key === request.metric);
  if (metric === undefined) {
    throw new ExplainRequestError(`--metric ${request.metric}: tenant ${tenant.id} bills ${metrics.map((m) => m.key).join(', ')}`);
  }
  const measures = metric.measures.filter((m) => request.period.type === 'daily' || m.rollup !== 'none').map((m) => m.measure);
  if (measures.length === 0) throw new ExplainRequestError(`${metric.key} has no monthly file (no rollup): use --date`);
  let measure: Measure;
  if (request.measure === undefined) {
    if (measures.length > 1) throw new ExplainRequestError(`${metric.key} has ${measures.length} measures: add --measure ${measures.join('|')}`);
    measure = measures[0] as Measure;
  } else {
    const found = measures.find((m) => m === request.measure);
    if (found === undefined) throw new ExplainRequestError(`--measure ${request.measure}: ${metric.key} has ${measures.join(', ')}`);
    measure = found;
  }
  const regions = metric.scope === 'global' ? [GLOBAL_REGION] : tenant.regions.map((r) => r.code);
  let region: string;
  if (request.region === undefined) {
    if (regions.length > 1) throw new ExplainRequestError(`tenant ${tenant.id} has ${regions.length} regions: add --region ${regions.join('|')}`);
    region = regions[0] as string;
  } else {
    const found = regions.find((r) => r === request.region);
    if (found === undefined) throw new ExplainRequestError(`--region ${request.region}: ${metric.key} of tenant ${tenant.id} is billed for ${regions.join(', ')}`);
    region = found;
  }
  if (periodDates(tenant, request.period).length === 0 || (request.period.type === 'daily' && compareDates(request.period.date, tenant.productionDate) < 0)) {
    throw new ExplainRequestError(`${periodLabel(request.period)} is before tenant ${tenant.id}'s production date ${tenant.productionDate}: nothing is billed`);
  }
  return { metric, region, measure };
}

/** The value a billing file bills for `measure`, or null when the file does not exist. */
async function billedValue(path: string, measure: Measure): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ExplainError(`cannot read the billing file ${path}: ${describeError(error)}`, { cause: error });
  }
  let records: Record<string, string>[];
  try {
    records = parse<Record<string, string>>(text, { columns: true });
  } catch (error) {
    throw new ExplainError(`the billing file ${path} is not a billing CSV: ${describeError(error)}`, { cause: error });
  }
  const row = records.find((r) => r.measure === measure);
  const value = Number(row?.message_size);
  if (row === undefined || !Number.isSafeInteger(value)) throw new ExplainError(`the billing file ${path} has no ${measure} value`);
  return value;
}

/** How to re-aggregate the period, for the mismatch message. */
function reaggregation(tenant: string, period: Period): string {
  const date = period.type === 'daily' ? period.date : lastDayOfMonth(`${period.month}-01`);
  const what = period.type === 'daily' ? date : `${period.month} (aggregating its last day, ${date}, rebuilds the month)`;
  return `re-run aggregation for ${what}: \`bds invoke aggregate --event FILE\` with {"tenant":"${tenant}","from":"${date}","to":"${date}"}`;
}

/**
 * Explains one billed value of a tenant's day or month from its staged data.
 *
 * @throws {ExplainRequestError} for a metric, region, measure or period the tenant does not bill.
 * @throws {ExplainStagedDataError} when a staged dataset of the period is missing or damaged.
 * @throws {BilledValueMismatchError} when the billing file bills another value than the staged data gives.
 */
export async function explainValue(request: ExplainRequest): Promise<Explanation> {
  const { config, tenant, period } = request;
  const { metric, region, measure } = resolveRequest(request);
  const evidence = (
    await computeEvidence({
      config,
      tenant,
      period,
      metrics: [metric],
      measures: new Set([measure]),
      names: request.names,
      ...(metric.scope === 'global' ? {} : { region }),
    })
  ).get(evidenceKey(metric.key, region, measure));
  if (evidence === undefined) throw new ExplainError(`no evidence computed for ${metric.key} ${measure} in ${region}: please report this`);
  const file = billingFileName({ region, metric: metric.key, garn: config.customer.garn, tenant: tenant.id, period });
  const billed = await billedValue(join(billingFolder(config.dataDir, tenant.id, period), file), measure);
  if (billed !== null && billed !== evidence.value) {
    throw new BilledValueMismatchError(
      file,
      billed,
      evidence.value,
      `${file} bills ${billed} (${metric.key} ${measure}, ${region}, ${periodLabel(period)}) but its staged data now gives ${evidence.value}: ` +
        `the billing file no longer matches its staged data; ${reaggregation(tenant.id, period)}`,
    );
  }
  return {
    format: EXPLAIN_FORMAT,
    tenant: tenant.id,
    metric: metric.key,
    region,
    measure,
    periodType: period.type,
    period: periodLabel(period),
    timezone: tenant.timezone,
    value: evidence.value,
    rule: evidence.rule,
    at:
      evidence.at === null
        ? null
        : { date: evidence.at.date, epoch: evidence.at.second, utc: utcText(evidence.at.second), local: localText(evidence.at.second, tenant.timezone) },
    billed: billed === null ? null : { file, value: billed },
    names: request.names,
    columns: evidence.columns,
    rows: evidence.rows,
  };
}
