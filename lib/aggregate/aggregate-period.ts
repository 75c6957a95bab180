/**
 * The aggregate stage: from a day's staged datasets to the day's billing files, and on the last
 * day of a month to the month's files as well (metrics.md, "Monthly rollup"). Monthly values are
 * recomputed from the staged data of every day of the month since the production date — never
 * from the daily files, which the customer may have moved — so they always agree with them.
 */
import type { BdsConfig, LocalDate, TenantConfig } from '../config/types';
import { describeError } from '../errors';
import { stagedDatasetsFor } from '../staging/datasets';
import { readStagedMeta, readStagedRows, stagedPaths, type StagedLocation, type StagedMeta } from '../staging/staged';
import { digestFile } from '../files/digest';
import { StagedDatasetCorruptError, StagedDatasetMissingError } from '../staging/errors';
import type { Logger } from '../log/logger';
import type { Rollup } from '../metrics/catalogue';
import { resolveMetrics, type ResolvedMetric } from '../metrics/resolve';
import type { FileModes } from '../files/atomic';
import { writePeriodFiles, type Manifest, type ManifestInput } from '../files/period-writer';
import type { Period } from '../files/billing-file';
import {
  compareDates,
  dayBounds,
  eachDay,
  firstDayOfMonth,
  isLastDayOfMonth,
  lastDayOfMonth,
  monthBounds,
  monthOf,
} from '../time/calendar';
import { AggregationError } from './errors';
import { readDaySummary, writeDaySummary, type CurrentRecord, type DayResult, type MemberSet } from './day-summary';
import { FAMILIES, type FamilyDay } from './families';
import type { AggregationStats, MetricValue } from './values';

/** One invoice detail file's content (lib/explain/detail.ts) and its number of rows. */
export interface DetailFile {
  readonly csv: string;
  readonly rows: number;
}

/**
 * Builds the invoice detail files of a period, keyed `metric|region`, from the period's values.
 * Given by the caller (lib/pipeline passes lib/explain's), since the evidence is built on this
 * room's counting and this room must not import the rooms built on it.
 */
export type DetailBuilder = (input: {
  readonly config: BdsConfig;
  readonly tenant: TenantConfig;
  readonly period: Period;
  readonly metrics: readonly ResolvedMetric[];
  readonly values: readonly MetricValue[];
}) => Promise<ReadonlyMap<string, DetailFile>>;

export interface AggregateOptions {
  readonly config: BdsConfig;
  readonly tenant: TenantConfig;
  readonly date: LocalDate;
  readonly log: Logger;
  /** Permissions of the billing files, side files and manifests written. */
  readonly modes: FileModes;
  /** Writes the detail files of tenants with `detail` set; without it none are written. */
  readonly detail?: DetailBuilder;
}

async function detailsFor(
  detail: DetailBuilder | undefined,
  input: { config: BdsConfig; tenant: TenantConfig; period: Period; metrics: readonly ResolvedMetric[]; values: readonly MetricValue[] },
): Promise<ReadonlyMap<string, DetailFile> | undefined> {
  if (detail === undefined || input.tenant.detail === undefined) return undefined;
  return detail(input);
}

export interface AggregateResult {
  readonly daily: Manifest;
  /** Present when `date` is the last day of its month. */
  readonly monthly?: Manifest;
}

/** Collects the staged datasets a period reads, once each, for its manifest. */
class InputRecorder {
  private readonly seen = new Map<string, ManifestInput>();
  constructor(private readonly config: BdsConfig, private readonly tenant: TenantConfig) {}

  day(date: LocalDate): FamilyDay {
    const { config, tenant, seen } = this;
    return {
      tenant,
      date,
      day: dayBounds(date, tenant.timezone),
      open(dataset: string): AsyncIterable<readonly string[]> {
        const loc: StagedLocation = { dataDir: config.dataDir, tenant: tenant.id, dataset, date };
        return (async function* () {
          const meta = await readStagedMeta(loc);
          seen.set(`${dataset}|${date}`, {
            dataset,
            date,
            source: meta.source,
            rows: meta.rows,
            sha256: meta.sha256,
            extractedAt: meta.extractedAt,
            ...(meta.snapshotAt === undefined ? {} : { snapshotAt: meta.snapshotAt }),
            ...(meta.notes === undefined ? {} : { notes: meta.notes }),
          });
          try {
            yield* readStagedRows(loc, meta);
          } catch (error) {
            // Found only by reading it through (a record whose row count or columns were
            // altered): the same remedy as the pre-check's findings, extracting the day again.
            if (!(error instanceof StagedDatasetCorruptError)) throw error;
            throw new StagedInputsError(
              tenant.id,
              [{ dataset, date, problem: 'corrupt', detail: error.message }],
              `tenant ${tenant.id}: ${error.message}`,
              { cause: error },
            );
          }
        })();
      },
    };
  }

  inputs(): ManifestInput[] {
    return [...this.seen.values()].sort((a, b) => compareDates(a.date, b.date) || a.dataset.localeCompare(b.dataset));
  }
}

/** A staged dataset a period needs that is absent, or present but not what its record says. */
export interface StagedProblem {
  readonly dataset: string;
  readonly date: LocalDate;
  readonly problem: 'missing' | 'corrupt';
  /** Why, as reading it said (path included). */
  readonly detail: string;
}

/**
 * Aggregation did not start because staged datasets it would read are missing or corrupt.
 * `problems` names each (dataset, date), so a caller that can extract knows exactly which days to
 * extract again; nothing of the period was written.
 */
export class StagedInputsError extends AggregationError {
  constructor(
    readonly tenant: string,
    readonly problems: readonly StagedProblem[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The days with a missing or corrupt dataset, oldest first, each once. */
  get dates(): LocalDate[] {
    return [...new Set(this.problems.map((p) => p.date))].sort(compareDates);
  }
}

/**
 * Checks a staged dataset against its record before any work: the record exists and the
 * compressed file has the recorded size and SHA-256. Hashing the file is much cheaper than
 * reading it (no decompression, no parsing), and catches every damage to the data itself; the
 * checks only a full read can make (row count, columns) are made by the read that follows, and a
 * mismatch there is turned into a StagedInputsError too (see InputRecorder).
 */
async function verifyStaged(loc: StagedLocation): Promise<StagedMeta> {
  const meta = await readStagedMeta(loc);
  const path = stagedPaths(loc).data;
  let digest: { sha256: string; bytes: number };
  try {
    digest = await digestFile(path);
  } catch (error) {
    throw new StagedDatasetMissingError(`${path} cannot be read (${describeError(error)}); extract ${loc.date} again`, { cause: error });
  }
  if (digest.bytes !== meta.bytes || digest.sha256 !== meta.sha256) {
    throw new StagedDatasetCorruptError(
      `${path} does not match its record (bytes ${digest.bytes}/${meta.bytes}, sha256 ${digest.sha256.slice(0, 12)}/${meta.sha256.slice(0, 12)}); extract ${loc.date} again`,
    );
  }
  return meta;
}

/** The verified records of a period's staged datasets, keyed `<dataset>|<date>`. */
type VerifiedRecords = ReadonlyMap<string, StagedMeta>;

/**
 * Fails before any work if a staged dataset of one of `dates` is missing or does not verify,
 * naming all of them, so the (dataset, date)s can be listed and extracted again. Returns the
 * records it verified.
 */
async function requireStaged(
  config: BdsConfig,
  tenant: TenantConfig,
  metrics: readonly ResolvedMetric[],
  dates: readonly LocalDate[],
): Promise<VerifiedRecords> {
  const problems: StagedProblem[] = [];
  const verified = new Map<string, StagedMeta>();
  for (const date of dates) {
    for (const spec of stagedDatasetsFor(tenant, metrics)) {
      try {
        verified.set(`${spec.dataset}|${date}`, await verifyStaged({ dataDir: config.dataDir, tenant: tenant.id, dataset: spec.dataset, date }));
      } catch (error) {
        if (error instanceof StagedDatasetMissingError) problems.push({ dataset: spec.dataset, date, problem: 'missing', detail: error.message });
        else if (error instanceof StagedDatasetCorruptError) problems.push({ dataset: spec.dataset, date, problem: 'corrupt', detail: error.message });
        else throw error;
      }
    }
  }
  if (problems.length === 0) return verified;
  const list = (kind: StagedProblem['problem']): string => {
    const named = problems.filter((p) => p.problem === kind).map((p) => `${p.dataset} ${p.date}`);
    return `${named.slice(0, 5).join(', ')}${named.length > 5 ? ` and ${named.length - 5} more` : ''}`;
  };
  const parts = [
    ...(problems.some((p) => p.problem === 'missing') ? [`staged data missing for ${list('missing')}`] : []),
    ...(problems.some((p) => p.problem === 'corrupt') ? [`staged data does not match its record for ${list('corrupt')}`] : []),
  ];
  const days = [...new Set(problems.map((p) => p.date))].sort(compareDates);
  throw new StagedInputsError(
    tenant.id,
    problems,
    `tenant ${tenant.id}: ${parts.join('; ')}; ` +
      `extract first: \`bds backfill --tenant ${tenant.id} --from ${days[0]} --to ${days[days.length - 1]}\``,
  );
}

/** Aggregates one day from its staged data (a fresh recorder per day: its inputs are the day's). */
async function dayValues(config: BdsConfig, tenant: TenantConfig, date: LocalDate, metrics: readonly ResolvedMetric[]): Promise<DayResult> {
  const recorder = new InputRecorder(config, tenant);
  const values: MetricValue[] = [];
  const members: MemberSet[] = [];
  const stats: Record<string, AggregationStats> = {};
  for (const family of FAMILIES) {
    const own = metrics.filter((m) => m.family === family.family);
    if (own.length === 0) continue;
    const result = await family.day(recorder.day(date), own);
    values.push(...result.values);
    members.push(...(result.members ?? []));
    stats[family.family] = result.stats;
  }
  return { values, members, stats, inputs: recorder.inputs() };
}

/** Aggregates one day (and its month, on a month's last day) and writes the billing files. */
export async function aggregateDay(options: AggregateOptions): Promise<AggregateResult> {
  const { config, tenant, date, log, modes } = options;
  if (compareDates(date, tenant.productionDate) < 0) {
    throw new AggregationError(`tenant ${tenant.id}: ${date} is before its production date ${tenant.productionDate}`);
  }
  const metrics = resolveMetrics(config, tenant);
  const started = Date.now();
  try {
    await requireStaged(config, tenant, metrics, [date]);
    const day = await dayValues(config, tenant, date, metrics);
    const { values, stats } = day;
    // Before the day's files: a month rolled up later must find the summary of what they say.
    await writeDaySummary(config.dataDir, tenant, date, metrics, day, modes);
    const period: Period = { type: 'daily', date };
    const details = await detailsFor(options.detail, { config, tenant, period, metrics, values });
    const daily = await writePeriodFiles({
      config,
      tenant,
      period,
      bounds: dayBounds(date, tenant.timezone),
      metrics,
      values,
      inputs: day.inputs,
      stats,
      modes,
      ...(details === undefined ? {} : { details }),
    });
    log.info('daily files written', {
      tenant: tenant.id,
      day: date,
      stage: 'aggregate',
      files: daily.files.length,
      durationMs: Date.now() - started,
    });
    if (!isLastDayOfMonth(date)) return { daily };
    const monthly = await aggregateMonth(config, tenant, monthOf(date), metrics, log, modes, options.detail);
    log.info('monthly files written', {
      tenant: tenant.id,
      day: date,
      stage: 'aggregate',
      month: monthOf(date),
      files: monthly.files.length,
      durationMs: Date.now() - started,
    });
    return { daily, monthly };
  } catch (error) {
    if (error instanceof AggregationError) throw error;
    throw new AggregationError(`tenant ${tenant.id}, ${date}: aggregation failed: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Rebuilds a month's files on their own, for a month whose days changed after it was rolled up
 * (see lib/state/period-marks.ts). The month must have ended: its last day was processed before.
 */
export async function aggregateMonthOnly(options: Omit<AggregateOptions, 'date'> & { readonly month: string }): Promise<Manifest> {
  const { config, tenant, month, log, modes } = options;
  const started = Date.now();
  try {
    const monthly = await aggregateMonth(config, tenant, month, resolveMetrics(config, tenant), log, modes, options.detail);
    log.info('monthly files rebuilt', { tenant: tenant.id, stage: 'aggregate', month, files: monthly.files.length, durationMs: Date.now() - started });
    return monthly;
  } catch (error) {
    if (error instanceof AggregationError) throw error;
    throw new AggregationError(`tenant ${tenant.id}, ${month}: rebuilding the month's files failed: ${describeError(error)}`, { cause: error });
  }
}

function fold(rollup: Rollup, a: number, b: number): number {
  return rollup === 'sum' ? a + b : Math.max(a, b);
}

/**
 * A day of the month as its summary has it, rebuilt from the day's staged data (already verified
 * by the caller) when there is no summary it can use.
 */
async function monthDay(
  config: BdsConfig,
  tenant: TenantConfig,
  date: LocalDate,
  metrics: readonly ResolvedMetric[],
  verified: VerifiedRecords,
  log: Logger,
  modes: FileModes,
): Promise<DayResult> {
  const datasets = stagedDatasetsFor(tenant, metrics).map((spec) => spec.dataset);
  // The records the month's check has just read and verified: no second reading.
  const current: CurrentRecord = (dataset) => verified.get(`${dataset}|${date}`);
  const found = await readDaySummary(config.dataDir, tenant, date, metrics, datasets, current);
  if ('summary' in found) return found.summary;
  log.info('day summary rebuilt from staged data', { tenant: tenant.id, day: date, stage: 'aggregate', reason: found.unusable });
  const day = await dayValues(config, tenant, date, metrics);
  await writeDaySummary(config.dataDir, tenant, date, metrics, day, modes);
  return day;
}

/**
 * The month's values, rolled up from its days since the production date: the max or sum of the
 * days' values, and for `distinct` the size of the union of the days' member sets. The days come
 * from their summaries (lib/aggregate/day-summary.ts), each rebuilt from staged data when it
 * cannot be used, so the result is the same as a recount of the month's staged data.
 */
async function aggregateMonth(
  config: BdsConfig,
  tenant: TenantConfig,
  month: string,
  metrics: readonly ResolvedMetric[],
  log: Logger,
  modes: FileModes,
  detail: DetailBuilder | undefined,
): Promise<Manifest> {
  const first = firstDayOfMonth(`${month}-01`);
  const from = compareDates(tenant.productionDate, first) > 0 ? tenant.productionDate : first;
  const dates = eachDay(from, lastDayOfMonth(first));
  const rolled = metrics.filter((m) => m.measures.some((x) => x.rollup !== 'none'));
  // Every staged dataset of the month still verifies (a damaged one is named and extracted again
  // by the caller), whether or not the day's summary is used: staged data is the truth.
  const verified = await requireStaged(config, tenant, rolled, dates);
  const rollupOf = new Map<string, Rollup>();
  for (const m of rolled) for (const x of m.measures) rollupOf.set(`${m.key}|${x.measure}`, x.rollup);

  const totals = new Map<string, MetricValue>();
  const unions = new Map<string, { readonly value: Omit<MetricValue, 'value'>; readonly agents: Set<number> }>();
  const stats: Record<string, AggregationStats> = {};
  const inputs: ManifestInput[] = [];
  for (const date of dates) {
    const day = await monthDay(config, tenant, date, rolled, verified, log, modes);
    for (const v of day.values) {
      const rollup = rollupOf.get(`${v.metric}|${v.measure}`);
      if (rollup !== 'max' && rollup !== 'sum') continue;
      const key = `${v.metric}|${v.region}|${v.measure}`;
      const previous = totals.get(key);
      totals.set(key, previous === undefined ? v : { ...v, value: fold(rollup, previous.value, v.value) });
    }
    for (const set of day.members) {
      if (rollupOf.get(`${set.metric}|${set.measure}`) !== 'distinct') continue;
      const key = `${set.metric}|${set.region}|${set.measure}`;
      let union = unions.get(key);
      if (union === undefined) {
        union = { value: { metric: set.metric, region: set.region, measure: set.measure }, agents: new Set() };
        unions.set(key, union);
      }
      for (const agent of set.members) union.agents.add(agent);
    }
    for (const [family, s] of Object.entries(day.stats)) {
      const acc = (stats[family] ??= {});
      for (const [k, n] of Object.entries(s)) acc[k] = (acc[k] ?? 0) + n;
    }
    inputs.push(...day.inputs);
  }
  const values = [...totals.values(), ...[...unions.values()].map((u) => ({ ...u.value, value: u.agents.size }))];
  for (const m of rolled) {
    for (const x of m.measures) {
      if (x.rollup === 'distinct' && !values.some((v) => v.metric === m.key && v.measure === x.measure)) {
        throw new AggregationError(`the ${m.family} family gave no members for ${m.key} ${x.measure}: a measure with the distinct rollup needs them`);
      }
    }
  }
  const period: Period = { type: 'monthly', month };
  const details = await detailsFor(detail, { config, tenant, period, metrics: rolled, values });
  return writePeriodFiles({
    config,
    tenant,
    period,
    bounds: monthBounds(month, tenant.timezone),
    metrics: rolled,
    values,
    inputs: inputs.sort((a, b) => compareDates(a.date, b.date) || a.dataset.localeCompare(b.dataset)),
    stats,
    modes,
    ...(details === undefined ? {} : { details }),
  });
}
