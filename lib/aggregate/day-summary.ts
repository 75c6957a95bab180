/**
 * Per-day summaries: what aggregating a day found, kept so that a month's rollup is a max, a sum
 * and a union of its days' summaries instead of a recount of a month of staged data.
 *
 * A summary holds the day's values per (metric, region, measure), the set of agents counted per
 * bucket of each measure with the `distinct` rollup (resource keys, sorted, stored as gaps), the
 * day's statistics, and the records of the staged datasets it was made from. It is written when
 * the day is aggregated, next to the staged data, with its SHA-256 beside it.
 *
 * Staged data stays the source of truth. A summary is used only when it verifies (digest, format,
 * tenant, date), when it was made by this version of BDS under the tenant's current counting
 * rules, and when every staged dataset it was made from still has the record it had then (a day
 * extracted again gets a new record, so its old summary is not used). Anything else, including
 * no summary at all (a day aggregated before summaries existed), makes the caller rebuild it from
 * the day's staged data.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { LocalDate, TenantConfig } from '../config/types';
import { writeFileAtomic, type FileModes } from '../files/atomic';
import type { ManifestInput } from '../files/period-writer';
import type { ResolvedMetric } from '../metrics/resolve';
import { bdsVersion } from '../version';
import type { AggregationStats, MetricValue } from './values';

export const DAY_SUMMARY_FORMAT = 'bds-day-summary/1';

/** The agents one bucket counted: a measure of a metric in a region, for one day. */
export interface MemberSet {
  readonly metric: string;
  readonly region: string;
  readonly measure: MetricValue['measure'];
  /** Resource keys, ascending, each once. */
  readonly members: readonly number[];
}

/** What aggregating one day produced, for the metrics it was aggregated for. */
export interface DayResult {
  readonly values: readonly MetricValue[];
  readonly members: readonly MemberSet[];
  readonly stats: Readonly<Record<string, AggregationStats>>;
  readonly inputs: readonly ManifestInput[];
}

const MEASURES = ['concurrent', 'enabled', 'peak', 'minutes', 'count'] as const satisfies readonly MetricValue['measure'][];

const InputSchema = z.object({
  dataset: z.string(),
  date: z.string(),
  source: z.string(),
  rows: z.number().int().nonnegative(),
  sha256: z.string(),
  extractedAt: z.string(),
  snapshotAt: z.string().optional(),
  notes: z.record(z.string(), z.number()).optional(),
});

const SummarySchema = z.object({
  format: z.literal(DAY_SUMMARY_FORMAT),
  tenant: z.string(),
  date: z.string(),
  bdsVersion: z.string(),
  /** Fingerprint of the tenant's rules that are not a metric's own (zone, exclusions, regions). */
  tenantRules: z.string(),
  /** Fingerprint of each metric's definition, by key: the metrics this summary holds. */
  metrics: z.record(z.string(), z.string()),
  values: z.array(z.object({ metric: z.string(), region: z.string(), measure: z.enum(MEASURES), value: z.number().int().nonnegative() })),
  /** `gaps[0]` is the first resource key, each next one the difference to the previous key. */
  members: z.array(z.object({ metric: z.string(), region: z.string(), measure: z.enum(MEASURES), gaps: z.array(z.number().int()) })),
  stats: z.record(z.string(), z.record(z.string(), z.number())),
  inputs: z.array(InputSchema),
});

type SummaryFile = z.infer<typeof SummarySchema>;

/** A summary read back: the day's result and the fingerprints it was made under. */
export interface DaySummary extends DayResult {
  readonly date: LocalDate;
}

function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Where a tenant's summary of a day lives: beside the staged datasets, as if it were one. */
export function daySummaryPaths(dataDir: string, tenant: string, date: LocalDate): { data: string; digest: string } {
  const [year, month] = date.split('-');
  const data = join(dataDir, 'extract', tenant, 'day-summary', year ?? '', month ?? '', `${date}.json.gz`);
  return { data, digest: `${data}.sha256` };
}

/** The counting rules of a tenant outside its metrics: a summary made under other ones is not used. */
function tenantRules(tenant: TenantConfig): string {
  return sha256(
    JSON.stringify({
      timezone: tenant.timezone,
      excludeAgents: tenant.excludeAgents,
      regions: tenant.regions.map((r) => ({ code: r.code, locations: r.locations })),
    }),
  );
}

/** A metric's definition as counting sees it (its back-office codes change files, not values). */
function metricRules(metric: ResolvedMetric): string {
  const { resolvedCodes: _codes, ...definition } = metric;
  return sha256(JSON.stringify(definition));
}

function toGaps(members: readonly number[]): number[] {
  return members.map((key, i) => (i === 0 ? key : key - (members[i - 1] ?? 0)));
}

function fromGaps(gaps: readonly number[]): number[] {
  const keys: number[] = [];
  let previous = 0;
  gaps.forEach((gap, i) => {
    previous = i === 0 ? gap : previous + gap;
    keys.push(previous);
  });
  return keys;
}

/**
 * Writes the summary of a tenant's day (replacing an earlier one), made from `result` for
 * `metrics`. The digest is written after the data, so a summary interrupted between the two is
 * one whose digest does not match: it is rebuilt, never trusted.
 */
export async function writeDaySummary(
  dataDir: string,
  tenant: TenantConfig,
  date: LocalDate,
  metrics: readonly ResolvedMetric[],
  result: DayResult,
  modes: FileModes,
): Promise<void> {
  const file: SummaryFile = {
    format: DAY_SUMMARY_FORMAT,
    tenant: tenant.id,
    date,
    bdsVersion: bdsVersion(),
    tenantRules: tenantRules(tenant),
    metrics: Object.fromEntries(metrics.map((m) => [m.key, metricRules(m)])),
    values: result.values.map((v) => ({ ...v })),
    members: result.members.map((s) => ({ metric: s.metric, region: s.region, measure: s.measure, gaps: toGaps(s.members) })),
    stats: Object.fromEntries(Object.entries(result.stats).map(([family, s]) => [family, { ...s }])),
    inputs: result.inputs.map((i) => ({ ...i })),
  };
  // Level 1: a summary is small and rewritten often; the month reads it back once.
  const data = gzipSync(JSON.stringify(file), { level: 1 });
  const paths = daySummaryPaths(dataDir, tenant.id, date);
  await writeFileAtomic(paths.data, data, modes);
  await writeFileAtomic(paths.digest, `${sha256(data)}\n`, modes);
}

/** What the caller knows of the staged records now: a summary made from other records is stale. */
export type CurrentRecord = (dataset: string) => Pick<ManifestInput, 'sha256' | 'rows' | 'extractedAt'> | undefined;

/** Why a summary cannot be used (for the log), or the summary. */
export type SummaryLookup = { readonly summary: DaySummary } | { readonly unusable: string };

/**
 * Reads a tenant's summary of a day and checks that it can stand for the day's staged data for
 * `metrics`: it verifies, it was made by this BDS under the same rules for each of `metrics`, and
 * each of `datasets` it was made from still has the record it had (`current`).
 */
export async function readDaySummary(
  dataDir: string,
  tenant: TenantConfig,
  date: LocalDate,
  metrics: readonly ResolvedMetric[],
  datasets: readonly string[],
  current: CurrentRecord,
): Promise<SummaryLookup> {
  const paths = daySummaryPaths(dataDir, tenant.id, date);
  let data: Buffer;
  let digest: string;
  try {
    [data, digest] = await Promise.all([readFile(paths.data), readFile(paths.digest, 'utf8')]);
  } catch {
    return { unusable: 'no summary' };
  }
  if (sha256(data) !== digest.trim()) return { unusable: 'its digest does not match' };
  let parsed: SummaryFile;
  try {
    const result = SummarySchema.safeParse(JSON.parse(gunzipSync(data).toString('utf8')));
    if (!result.success) return { unusable: `not a day summary (${result.error.issues[0]?.path.join('.') ?? ''})` };
    parsed = result.data;
  } catch {
    return { unusable: 'it cannot be read' };
  }
  if (parsed.tenant !== tenant.id || parsed.date !== date) return { unusable: `it is the summary of ${parsed.tenant} ${parsed.date}` };
  if (parsed.bdsVersion !== bdsVersion()) return { unusable: `made by BDS ${parsed.bdsVersion}` };
  if (parsed.tenantRules !== tenantRules(tenant)) return { unusable: "the tenant's zone, exclusions or regions changed" };
  for (const metric of metrics) {
    if (parsed.metrics[metric.key] !== metricRules(metric)) return { unusable: `metric ${metric.key} is not in it or changed` };
  }
  for (const dataset of datasets) {
    const made = parsed.inputs.find((i) => i.dataset === dataset && i.date === date);
    const now = current(dataset);
    if (made === undefined || now === undefined) return { unusable: `${dataset} is not among its inputs` };
    if (made.sha256 !== now.sha256 || made.rows !== now.rows || made.extractedAt !== now.extractedAt) {
      return { unusable: `${dataset} was extracted again since` };
    }
  }
  const wanted = new Set(metrics.map((m) => m.key));
  const members = parsed.members.filter((s) => wanted.has(s.metric)).map((s) => ({ metric: s.metric, region: s.region, measure: s.measure, members: fromGaps(s.gaps) }));
  // A set must agree with its own count: a cheap check that the sets are the ones counted.
  for (const set of members) {
    const value = parsed.values.find((v) => v.metric === set.metric && v.region === set.region && v.measure === set.measure);
    if (value?.value !== set.members.length) return { unusable: `its agents of ${set.metric} ${set.region} do not match its value` };
  }
  return {
    summary: {
      date,
      values: parsed.values.filter((v) => wanted.has(v.metric)),
      members,
      // Statistics are per family: only those of the families asked about.
      stats: Object.fromEntries(Object.entries(parsed.stats).filter(([family]) => metrics.some((m) => m.family === family))),
      inputs: parsed.inputs.filter((i) => datasets.includes(i.dataset)),
    },
  };
}
