/**
 * The evidence behind billed values: for every (metric, region, measure) of a period, the value
 * recomputed from the staged datasets and one table row per counted thing. Shared by `bds
 * explain` (one value) and the invoice detail files (every value of a period's files), so both
 * always show the same things for the same data.
 */
import type { BdsConfig, LocalDate, TenantConfig } from '../config/types';
import { describeError } from '../errors';
import type { Period } from '../files/billing-file';
import { GLOBAL_REGION } from '../files/period-writer';
import type { GvpMetric, Measure } from '../metrics/catalogue';
import { compileAgentPattern } from '../metrics/agent-pattern';
import type { ResolvedMetric } from '../metrics/resolve';
import { buildPlacement, placementFromRows, type Placement } from '../aggregate/placement';
import type { ResolvedSeatMetric } from '../aggregate/seats';
import type { GvpKind } from '../aggregate/gvp';
import { CFG_AGENT_SWITCHES_DATASET, CFG_VOICEMAIL_DATASET, GIM_SESSIONS_DATASET, gvpDatasetName, needsAgentSwitches } from '../staging/datasets';
import { StagedDatasetCorruptError, StagedDatasetMissingError } from '../staging/errors';
import { readStagedMeta, readStagedRows, stagedPaths, type StagedLocation } from '../staging/staged';
import { compareDates, dayBounds, eachDay, firstDayOfMonth, formatInstant, lastDayOfMonth } from '../time/calendar';
import { ExplainStagedDataError } from './errors';
import { explainGvpDay, explainGvpMonth, type GvpEvidence } from './gvp';
import { explainSeatDay, explainSeatMonth, type SeatAgentEvidence, type SeatDaySource, type SeatMonthAgent } from './seats';

/** A cell of an evidence table: text, a number, or null (empty in CSV). */
export type Cell = string | number | null;

/**
 * How the rows add up to the value: `rows` one row per counted thing; `seconds` the day's
 * `seconds` column summed, divided by 60 and rounded up; `minutes` the `minutes` column summed
 * (a month's minutes are the sum of its days' rounded minutes).
 */
export type ValueRule = 'rows' | 'seconds' | 'minutes';

/** The evidence of one value. */
export interface Evidence {
  readonly metric: string;
  readonly region: string;
  readonly measure: Measure;
  /** The value recomputed from the staged data. */
  readonly value: number;
  readonly rule: ValueRule;
  /** For concurrent and peak values above 0: the day and the first second the value is reached. */
  readonly at: { readonly date: LocalDate; readonly second: number } | null;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

/** What to compute: a tenant's period, its metrics (resolved), and which measures. */
export interface EvidenceRequest {
  readonly config: BdsConfig;
  readonly tenant: TenantConfig;
  readonly period: Period;
  readonly metrics: readonly ResolvedMetric[];
  /** Measures wanted; others are not computed (a concurrent explanation reads a day twice). */
  readonly measures: ReadonlySet<Measure>;
  /** Whether agent names are shown (personal data: off unless asked for). */
  readonly names: boolean;
  /** Only this region's GVP data is read (seats read every region in the same pass anyway). */
  readonly region?: string;
}

/** The days a period is computed from: the day, or the month's days since the production date. */
export function periodDates(tenant: TenantConfig, period: Period): LocalDate[] {
  if (period.type === 'daily') return [period.date];
  const first = firstDayOfMonth(`${period.month}-01`);
  const last = lastDayOfMonth(first);
  if (compareDates(tenant.productionDate, last) > 0) return [];
  const from = compareDates(tenant.productionDate, first) > 0 ? tenant.productionDate : first;
  return eachDay(from, last);
}

/** The staged datasets the metrics read on each date. */
function datasetsNeeded(tenant: TenantConfig, metrics: readonly ResolvedMetric[], regions: readonly string[]): string[] {
  const names: string[] = [];
  if (metrics.some((m) => m.family === 'seats')) {
    names.push(GIM_SESSIONS_DATASET);
    if (needsAgentSwitches(tenant)) names.push(CFG_AGENT_SWITCHES_DATASET);
  }
  if (metrics.some((m) => m.family === 'voicemail')) names.push(CFG_VOICEMAIL_DATASET);
  if (metrics.some((m) => m.family === 'gvp')) names.push(...regions.map(gvpDatasetName));
  return names;
}

/**
 * Fails before any reading if a dataset of a date has no record, naming every one, so the
 * operator learns at once which days to extract (an explanation reads staged data only).
 */
async function requireRecords(config: BdsConfig, tenant: TenantConfig, datasets: readonly string[], dates: readonly LocalDate[]): Promise<void> {
  const missing: { dataset: string; date: LocalDate; cause: unknown }[] = [];
  for (const date of dates) {
    for (const dataset of datasets) {
      try {
        await readStagedMeta({ dataDir: config.dataDir, tenant: tenant.id, dataset, date });
      } catch (error) {
        missing.push({ dataset, date, cause: error });
      }
    }
  }
  if (missing.length === 0) return;
  const named = missing.map((m) => `${m.dataset} ${m.date}`);
  const first = missing[0]?.date ?? '';
  const last = missing[missing.length - 1]?.date ?? first;
  const fix = first === last ? `bds run --date ${first} --tenant ${tenant.id}` : `bds backfill --tenant ${tenant.id} --from ${first} --to ${last}`;
  throw new ExplainStagedDataError(
    missing,
    `tenant ${tenant.id}: staged data missing for ${named.slice(0, 5).join(', ')}${named.length > 5 ? ` and ${named.length - 5} more` : ''}` +
      ` (${describeMissing(config, tenant, missing[0])}); extract it first: \`${fix}\``,
    { cause: missing[0]?.cause },
  );
}

function describeMissing(config: BdsConfig, tenant: TenantConfig, first: { dataset: string; date: LocalDate; cause: unknown } | undefined): string {
  if (first === undefined) return '';
  // A record that exists but cannot be read says why itself; an absent one is named by its path.
  if (first.cause instanceof StagedDatasetCorruptError) return describeError(first.cause);
  return `no ${stagedPaths({ dataDir: config.dataDir, tenant: tenant.id, dataset: first.dataset, date: first.date }).meta}`;
}

/** Streams a staged dataset; a dataset that does not match its record becomes an ExplainStagedDataError. */
function stagedRows(config: BdsConfig, tenant: TenantConfig, dataset: string, date: LocalDate): AsyncIterable<readonly string[]> {
  const loc: StagedLocation = { dataDir: config.dataDir, tenant: tenant.id, dataset, date };
  return (async function* () {
    try {
      yield* readStagedRows(loc, await readStagedMeta(loc));
    } catch (error) {
      if (!(error instanceof StagedDatasetCorruptError) && !(error instanceof StagedDatasetMissingError)) throw error;
      throw new ExplainStagedDataError([{ dataset, date }], `tenant ${tenant.id}: ${error.message}`, { cause: error });
    }
  })();
}

// ---------------------------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------------------------

/** `2026-11-14T15:32:05Z`; the raw epoch second where no calendar date can hold it. */
export function utcText(second: number): string {
  const ms = second * 1000;
  if (!Number.isSafeInteger(second) || Math.abs(ms) > 8.64e15) return String(second);
  const iso = new Date(ms).toISOString();
  return iso.startsWith('-') || iso.startsWith('+') ? String(second) : iso.replace('.000Z', 'Z');
}

/** Local time with its offset (`2026-11-14T10:32:05-05:00`); the raw epoch second outside years 0000–9999. */
export function localText(second: number, zone: string): string {
  try {
    return formatInstant(second, zone);
  } catch {
    // Staged GIM seconds may be any integer (billing-rules.md, "Odd source data").
    return String(second);
  }
}

function seatColumns(names: boolean, withSecond: boolean): string[] {
  return [
    ...(withSecond ? ['second_utc', 'second_local'] : []),
    'resource_key',
    ...(names ? ['resource_name'] : []),
    'person_dbid',
    'location',
    'region',
    'session_key',
    'session_start',
    'session_end',
    'session_media',
    'qualifying_media',
    'qualifying_subtype',
  ];
}

function seatRow(e: SeatAgentEvidence, zone: string, names: boolean, second: number | null): Cell[] {
  return [
    ...(second === null ? [] : [utcText(second), localText(second, zone)]),
    e.agent.resourceKey,
    ...(names ? [e.agent.resourceName] : []),
    e.agent.personDbid,
    e.location,
    e.region,
    e.session.sessionKey,
    localText(e.session.start, zone),
    e.session.end === null ? null : localText(e.session.end, zone),
    e.session.media,
    e.qualifying?.[0] ?? null,
    e.qualifying?.[1] ?? null,
  ];
}

function monthAgentColumns(names: boolean): string[] {
  return ['resource_key', ...(names ? ['resource_name'] : []), 'person_dbid', 'location', 'region', 'day_count', 'days'];
}

function monthAgentRow(a: SeatMonthAgent, names: boolean): Cell[] {
  return [a.agent.resourceKey, ...(names ? [a.agent.resourceName] : []), a.agent.personDbid, a.location, a.region, a.days.length, a.days.join(' ')];
}

const GVP_ACTIVE_COLUMNS = ['second_utc', 'second_local', 'kind', 'id', 'start', 'end'];
const GVP_FACT_COLUMNS = ['kind', 'id', 'start', 'end', 'counted_from', 'counted_to', 'seconds'];

function gvpActiveRow(e: GvpEvidence, zone: string, second: number): Cell[] {
  return [utcText(second), localText(second, zone), e.fact.kind, e.fact.id, localText(e.fact.start, zone), e.fact.end === null ? null : localText(e.fact.end, zone)];
}

function gvpFactRow(e: GvpEvidence, zone: string): Cell[] {
  return [
    e.fact.kind,
    e.fact.id,
    localText(e.fact.start, zone),
    e.fact.end === null ? null : localText(e.fact.end, zone),
    localText(e.part.start, zone),
    localText(e.part.end, zone),
    e.part.end - e.part.start,
  ];
}

/** Config DB object types that carry mailboxes (sql/cfg.sql). */
const OBJECT_TYPES: Readonly<Record<string, string>> = { '2': 'DN', '3': 'Person', '5': 'Agent Group', '15': 'Agent Login' };

// ---------------------------------------------------------------------------------------------
// Families
// ---------------------------------------------------------------------------------------------

function key(metric: string, region: string, measure: Measure): string {
  return `${metric}|${region}|${measure}`;
}

async function seatEvidence(request: EvidenceRequest, dates: readonly LocalDate[], out: Map<string, Evidence>): Promise<void> {
  const { config, tenant, names } = request;
  const metrics = request.metrics.filter((m): m is ResolvedSeatMetric => m.family === 'seats');
  if (metrics.length === 0) return;
  const wanted = { concurrent: request.measures.has('concurrent'), enabled: request.measures.has('enabled') };
  const exclude = tenant.excludeAgents.map(compileAgentPattern);
  const sources = dates.map(
    (date): SeatDaySource => ({
      date,
      day: dayBounds(date, tenant.timezone),
      rows: () => stagedRows(config, tenant, GIM_SESSIONS_DATASET, date),
      placement: (): Promise<Placement> =>
        needsAgentSwitches(tenant)
          ? placementFromRows(tenant, stagedRows(config, tenant, CFG_AGENT_SWITCHES_DATASET, date))
          : Promise.resolve(buildPlacement(tenant, undefined)),
    }),
  );
  const zone = tenant.timezone;
  if (request.period.type === 'daily') {
    const [source] = sources;
    if (source === undefined) return;
    for (const b of await explainSeatDay(source, metrics, exclude, wanted)) {
      if (wanted.concurrent) {
        out.set(key(b.metric, b.region, 'concurrent'), {
          metric: b.metric,
          region: b.region,
          measure: 'concurrent',
          value: b.peak,
          rule: 'rows',
          at: b.second === null ? null : { date: source.date, second: b.second },
          columns: seatColumns(names, true),
          rows: b.active.map((e) => seatRow(e, zone, names, b.second)),
        });
      }
      if (wanted.enabled) {
        out.set(key(b.metric, b.region, 'enabled'), {
          metric: b.metric,
          region: b.region,
          measure: 'enabled',
          value: b.enabled.length,
          rule: 'rows',
          at: null,
          columns: seatColumns(names, false),
          rows: b.enabled.map((e) => seatRow(e, zone, names, null)),
        });
      }
    }
    return;
  }
  const regions = tenant.regions.map((r) => r.code);
  for (const b of await explainSeatMonth(sources, metrics, regions, exclude, wanted)) {
    if (wanted.concurrent) {
      out.set(key(b.metric, b.region, 'concurrent'), {
        metric: b.metric,
        region: b.region,
        measure: 'concurrent',
        value: b.peak,
        rule: 'rows',
        at: b.second === null || b.date === null ? null : { date: b.date, second: b.second },
        columns: seatColumns(names, true),
        rows: b.active.map((e) => seatRow(e, zone, names, b.second)),
      });
    }
    if (wanted.enabled) {
      out.set(key(b.metric, b.region, 'enabled'), {
        metric: b.metric,
        region: b.region,
        measure: 'enabled',
        value: b.enabled.length,
        rule: 'rows',
        at: null,
        columns: monthAgentColumns(names),
        rows: b.enabled.map((a) => monthAgentRow(a, names)),
      });
    }
  }
}

/**
 * A GVP `peak` (of a day or a month): the calls or sessions active at the first second that
 * reaches it, on `date` (the month's day holding its maximum; null when nothing was used).
 */
function gvpPeakEvidence(
  metric: string,
  region: string,
  kind: { readonly peak: number; readonly second: number | null; readonly active: readonly GvpEvidence[] },
  date: LocalDate | null,
  zone: string,
): Evidence {
  const second = kind.second;
  return {
    metric,
    region,
    measure: 'peak',
    value: kind.peak,
    rule: 'rows',
    at: second === null || date === null ? null : { date, second },
    columns: GVP_ACTIVE_COLUMNS,
    rows: second === null ? [] : kind.active.map((e) => gvpActiveRow(e, zone, second)),
  };
}

async function gvpEvidence(request: EvidenceRequest, dates: readonly LocalDate[], out: Map<string, Evidence>): Promise<void> {
  const { config, tenant } = request;
  const metrics = request.metrics.filter((m) => m.family === 'gvp');
  if (metrics.length === 0) return;
  const peak = new Set<GvpKind>();
  const minutes = new Set<GvpKind>();
  for (const m of metrics) {
    for (const { measure } of m.measures) {
      if (!request.measures.has(measure)) continue;
      if (measure === 'peak') peak.add(m.resource);
      if (measure === 'minutes') minutes.add(m.resource);
    }
  }
  const zone = tenant.timezone;
  for (const region of tenant.regions.filter((r) => request.region === undefined || r.code === request.region)) {
    const dataset = gvpDatasetName(region.code);
    const sources = dates.map((date) => ({ date, day: dayBounds(date, zone), rows: () => stagedRows(config, tenant, dataset, date) }));
    const wanted = { peak, minutes };
    if (request.period.type === 'daily') {
      const [source] = sources;
      if (source === undefined) continue;
      putGvpEvidence(out, metrics, region.code, await explainGvpDay(source, wanted), wanted, {
        peak: (metric, k) => gvpPeakEvidence(metric, region.code, k, source.date, zone),
        minutes: (metric, k) => ({
          metric,
          region: region.code,
          measure: 'minutes',
          value: k.minutes,
          rule: 'seconds',
          at: null,
          columns: GVP_FACT_COLUMNS,
          rows: k.facts.map((e) => gvpFactRow(e, zone)),
        }),
      });
      continue;
    }
    putGvpEvidence(out, metrics, region.code, await explainGvpMonth(sources, wanted), wanted, {
      peak: (metric, k) => gvpPeakEvidence(metric, region.code, k, k.date, zone),
      minutes: (metric, k) => ({
        metric,
        region: region.code,
        measure: 'minutes',
        // The month bills the sum of each day's rounded minutes, not one rounding of the month.
        value: k.days.reduce((sum, d) => sum + d.minutes, 0),
        rule: 'minutes',
        at: null,
        columns: ['date', 'seconds', 'minutes'],
        rows: k.days.map((d) => [d.date, d.seconds, d.minutes]),
      }),
    });
  }
}

/**
 * Puts the evidence of each asked-for GVP measure of `metrics` into `out`: the walk is the same
 * for a day and a month, only the evidence of a kind (`build`) differs.
 */
function putGvpEvidence<K>(
  out: Map<string, Evidence>,
  metrics: readonly (ResolvedMetric & GvpMetric)[],
  region: string,
  kinds: ReadonlyMap<GvpKind, K>,
  wanted: { readonly peak: ReadonlySet<GvpKind>; readonly minutes: ReadonlySet<GvpKind> },
  build: { readonly peak: (metric: string, kind: K) => Evidence; readonly minutes: (metric: string, kind: K) => Evidence },
): void {
  for (const m of metrics) {
    const k = kinds.get(m.resource);
    if (k === undefined) continue;
    for (const { measure } of m.measures) {
      if (measure === 'peak' && wanted.peak.has(m.resource)) out.set(key(m.key, region, measure), build.peak(m.key, k));
      if (measure === 'minutes' && wanted.minutes.has(m.resource)) out.set(key(m.key, region, measure), build.minutes(m.key, k));
    }
  }
}

async function voicemailEvidence(request: EvidenceRequest, dates: readonly LocalDate[], out: Map<string, Evidence>): Promise<void> {
  const metrics = request.metrics.filter((m) => m.family === 'voicemail');
  // Voicemail has no monthly rollup: only a day has a value.
  const [date] = dates;
  if (metrics.length === 0 || request.period.type !== 'daily' || !request.measures.has('count') || date === undefined) return;
  const rows: Cell[][] = [];
  // Every staged row is one counted object: the same rule as aggregation's count.
  for await (const [type, dbid] of stagedRows(request.config, request.tenant, CFG_VOICEMAIL_DATASET, date)) {
    rows.push([type ?? '', OBJECT_TYPES[type ?? ''] ?? '', dbid ?? '']);
  }
  for (const m of metrics) {
    out.set(key(m.key, GLOBAL_REGION, 'count'), {
      metric: m.key,
      region: GLOBAL_REGION,
      measure: 'count',
      value: rows.length,
      rule: 'rows',
      at: null,
      columns: ['object_type', 'object_type_name', 'object_dbid'],
      rows,
    });
  }
}

/**
 * Computes the evidence of every (metric, region, measure) asked for, keyed
 * `metric|region|measure`, from the staged datasets only.
 *
 * @throws {ExplainStagedDataError} when a dataset of the period is missing or does not match its record.
 */
export async function computeEvidence(request: EvidenceRequest): Promise<Map<string, Evidence>> {
  const dates = periodDates(request.tenant, request.period);
  const regions = request.tenant.regions.map((r) => r.code).filter((r) => request.region === undefined || r === request.region);
  await requireRecords(request.config, request.tenant, datasetsNeeded(request.tenant, request.metrics, regions), dates);
  const out = new Map<string, Evidence>();
  await seatEvidence(request, dates, out);
  await gvpEvidence(request, dates, out);
  await voicemailEvidence(request, dates, out);
  return out;
}

/** The key of one value in {@link computeEvidence}'s result. */
export function evidenceKey(metric: string, region: string, measure: Measure): string {
  return key(metric, region, measure);
}
