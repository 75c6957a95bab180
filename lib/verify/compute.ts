/**
 * Runs the verification queries (lib/verify/queries.ts) against a tenant's sources and turns
 * their rows into the values the billing files should hold: every metric, region, measure and
 * period, zeros included.
 *
 * What Node does here is plumbing, not counting: which days and months to compute
 * (lib/verify/plan.ts), the `excludeAgents` regular expressions (no portable SQL has JavaScript's),
 * and the placement of Persons in regions from the Config DB's switch names
 * (lib/verify/placement.ts). Both results go into the SQL as literal lists; every number is
 * computed by the databases.
 */
import type { BdsConfig, LocalDate, SourceConfig, TenantConfig } from '../config/types';
import type { Logger } from '../log/logger';
import type { Measure } from '../metrics/catalogue';
import { resolveMetrics, type ResolvedMetric } from '../metrics/resolve';
import { GLOBAL_REGION, hasFileFor } from '../files/period-writer';
import { openSource } from '../sources/open';
import type { Row, SourceClient } from '../sources/types';
import { dayBounds } from '../time/calendar';
import { VerifyError } from './errors';
import { compileAgentPattern } from '../metrics/agent-pattern';
import { placePersons, defaultRegionIndex, type Placement } from './placement';
import { planMonths, type MonthWork } from './plan';
import {
  GVP_KIND,
  MONTH_ROW,
  gimAgentsQuery,
  gimBoundsQuery,
  gimSeatsQuery,
  gvpQuery,
  placementQuery,
  voicemailQuery,
  type BuiltQuery,
  type QueryDay,
  type SeatMetricSpec,
} from './queries';

/** Opens a source client; `openSource` unless a caller (a test, the pipeline) supplies its own. */
export type OpenClient = (sourceName: string, config: SourceConfig) => Promise<SourceClient>;

/** One value a billing file should hold, as the source databases say. */
export interface SourceValue {
  readonly metric: string;
  readonly region: string;
  readonly measure: Measure;
  readonly periodType: 'daily' | 'monthly';
  /** `YYYY-MM-DD` or `YYYY-MM`. */
  readonly period: string;
  readonly value: number;
}

export interface ComputedValues {
  readonly values: readonly SourceValue[];
  readonly months: readonly MonthWork[];
}

/** A non-negative integer from a result column (bigint and numeric come back as text from pg). */
function count(row: Row, column: string, query: string): number {
  const raw = row[column];
  const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new VerifyError(`query ${query}: column ${column} is ${typeof raw === 'string' ? JSON.stringify(raw) : String(raw)}, not an integer`);
  }
  return value;
}

function nullableCount(row: Row, column: string, query: string): number | null {
  return row[column] === null || row[column] === undefined ? null : count(row, column, query);
}

async function rowsOf(client: SourceClient, built: BuiltQuery): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const row of client.stream(built.query, built.params)) rows.push(row);
  return rows;
}

/** The source that serves a region's GVP metrics: the region's own, else the top-level one. */
function gvpSourceOf(config: BdsConfig, tenant: TenantConfig, regionIndex: number): { name: string; config: SourceConfig | undefined } {
  const region = tenant.regions[regionIndex];
  if (region?.gvp !== undefined) return { name: `gvp@${region.code}`, config: region.gvp };
  return { name: 'gvp', config: config.sources.gvp };
}

/** Period key of the value lookup. */
function key(metric: string, region: string, measure: string, period: string): string {
  return `${metric}|${region}|${measure}|${period}`;
}

/**
 * The clients of one computation. A client runs one query at a time, so each chain of queries
 * that runs beside the others (seats, voicemail, each region's GVP) has its own connection.
 */
class Clients {
  private readonly open = new Map<string, Promise<SourceClient>>();
  constructor(private readonly openClient: OpenClient) {}
  get(chain: string, name: string, config: SourceConfig | undefined): Promise<SourceClient> {
    if (config === undefined) return Promise.reject(new VerifyError(`source ${name} is not configured`));
    let client = this.open.get(`${chain}|${name}`);
    if (client === undefined) {
      client = this.openClient(name, config);
      this.open.set(`${chain}|${name}`, client);
    }
    return client;
  }
  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map(async (c) => (await c.catch(() => undefined))?.close().catch(() => undefined)));
  }
}

interface Computation {
  readonly config: BdsConfig;
  readonly tenant: TenantConfig;
  readonly metrics: readonly ResolvedMetric[];
  readonly months: readonly MonthWork[];
  readonly clients: Clients;
  readonly log: Logger;
  /** Filled by the chains: key → value (absent = 0). */
  readonly found: Map<string, number>;
}

function queryDays(tenant: TenantConfig, work: MonthWork): { days: QueryDay[]; dateOf: Map<number, LocalDate> } {
  const dateOf = new Map<number, LocalDate>();
  const days = work.days.map((date, dayNo) => {
    dateOf.set(dayNo, date);
    const bounds = dayBounds(date, tenant.timezone);
    return { dayNo, start: bounds.start, end: bounds.end };
  });
  return { days, dateOf };
}

function periodOf(work: MonthWork, dateOf: Map<number, LocalDate>, dayNo: number, query: string): string {
  if (dayNo === MONTH_ROW) return work.month;
  const date = dateOf.get(dayNo);
  if (date === undefined) throw new VerifyError(`query ${query} returned day number ${dayNo}, which it was not given`);
  return date;
}

// --- seats ------------------------------------------------------------------------------------

async function excludedAgents(c: Computation, gim: SourceClient): Promise<number[]> {
  if (c.tenant.excludeAgents.length === 0) return [];
  // The same reading of the patterns as everywhere in BDS (metrics.md leaves the dialect open):
  // RE2 syntax matched in linear time, unanchored unless they anchor themselves; an agent
  // without a name is never excluded.
  const patterns = c.tenant.excludeAgents.map(compileAgentPattern);
  const built = gimAgentsQuery(c.tenant.gimTenantKey);
  const excluded: number[] = [];
  for await (const row of gim.stream(built.query, built.params)) {
    const name = row.resource_name;
    if (typeof name === 'string' && patterns.some((p) => p.test(name))) excluded.push(count(row, 'resource_key', built.query.name));
  }
  return excluded;
}

async function placementOf(c: Computation): Promise<Placement> {
  // One region: every agent is in it, and the Config DB is not needed (metrics.md).
  if (c.tenant.regions.length === 1) return { defaultRegion: 0, regionOf: new Map() };
  const cfg = await c.clients.get('seats', 'config', c.config.sources.config);
  const built = placementQuery(c.tenant.cfgTenantDbid);
  const switches = new Map<number, Set<string>>();
  for await (const row of cfg.stream(built.query, built.params)) {
    const person = count(row, 'person_dbid', built.query.name);
    const name = row.switch_name;
    if (typeof name !== 'string') continue;
    let set = switches.get(person);
    if (set === undefined) switches.set(person, (set = new Set()));
    set.add(name);
  }
  return placePersons(c.tenant, switches);
}

function seatSpecs(metrics: readonly ResolvedMetric[]): { specs: SeatMetricSpec[]; byNo: ResolvedMetric[] } {
  const seats = metrics.filter((m) => m.family === 'seats');
  const specs = seats.map((m, metricNo) => {
    return { metricNo, mediaCodes: m.mediaCodes, requiresInteraction: m.requiresInteraction, subtypeCodes: m.subtypeCodes };
  });
  return { specs, byNo: seats };
}

const SEAT_MEASURE: Record<number, Measure> = { 1: 'concurrent', 2: 'enabled' };

async function computeSeats(c: Computation): Promise<void> {
  const { specs, byNo } = seatSpecs(c.metrics);
  if (specs.length === 0) return;
  const gim = await c.clients.get('seats', 'gim', c.config.sources.gim);
  const inputsStarted = Date.now();
  const [excluded, placement] = await Promise.all([excludedAgents(c, gim), placementOf(c)]);
  c.log.debug('verify: seat inputs', { excludedAgents: excluded.length, placedOutsideDefault: placement.regionOf.size, durationMs: Date.now() - inputsStarted });
  for (const work of c.months) {
    const started = Date.now();
    const { days, dateOf } = queryDays(c.tenant, work);
    const boundsQuery = gimBoundsQuery(c.tenant.gimTenantKey, days);
    const [bounds] = await rowsOf(gim, boundsQuery);
    const sessions = bounds === undefined ? 0 : count(bounds, 'sessions', boundsQuery.query.name);
    if (sessions === 0 || bounds === undefined) continue;
    const minStart = nullableCount(bounds, 'min_start', boundsQuery.query.name);
    const maxEnd = nullableCount(bounds, 'max_end', boundsQuery.query.name);
    if (minStart === null || maxEnd === null) continue;
    const built = gimSeatsQuery({
      tenantKey: c.tenant.gimTenantKey,
      days,
      metrics: specs,
      defaultRegion: placement.defaultRegion,
      placement: [...placement.regionOf],
      excluded,
      monthly: work.monthly,
      interactionsFrom: minStart,
      interactionsTo: maxEnd,
    });
    for (const row of await rowsOf(gim, built)) {
      const name = built.query.name;
      const measure = SEAT_MEASURE[count(row, 'measure', name)];
      const metric = byNo[count(row, 'metric_no', name)];
      const region = c.tenant.regions[count(row, 'region_no', name)];
      if (measure === undefined || metric === undefined || region === undefined) {
        throw new VerifyError(`query ${name} returned a row it cannot have: ${Object.entries(row).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
      }
      c.found.set(key(metric.key, region.code, measure, periodOf(work, dateOf, count(row, 'day_no', name), name)), count(row, 'value', name));
    }
    c.log.debug('verify: seats computed', { month: work.month, days: days.length, durationMs: Date.now() - started });
  }
}

// --- GVP --------------------------------------------------------------------------------------

const GVP_RESOURCE: Record<number, 'call' | 'asr' | 'tts'> = { [GVP_KIND.call]: 'call', [GVP_KIND.asr]: 'asr', [GVP_KIND.tts]: 'tts' };

async function computeGvpRegion(c: Computation, regionIndex: number, gvpMetrics: readonly ResolvedMetric[]): Promise<void> {
  const region = c.tenant.regions[regionIndex];
  if (region === undefined) return;
  const source = gvpSourceOf(c.config, c.tenant, regionIndex);
  const client = await c.clients.get(`gvp-${regionIndex}`, source.name, source.config);
  const dialect = source.config?.client ?? 'pg';
  for (const work of c.months) {
    const started = Date.now();
    const { days, dateOf } = queryDays(c.tenant, work);
    const built = gvpQuery({ dialect, tenantDbid: c.tenant.cfgTenantDbid, days, monthly: work.monthly, custom: source.config?.queries });
    for (const row of await rowsOf(client, built)) {
      const name = built.query.name;
      const resource = GVP_RESOURCE[count(row, 'kind', name)];
      if (resource === undefined) throw new VerifyError(`query ${name} returned an unknown kind: ${String(row.kind)}`);
      const period = periodOf(work, dateOf, count(row, 'day_no', name), name);
      for (const metric of gvpMetrics) {
        if (metric.family !== 'gvp' || metric.resource !== resource) continue;
        for (const { measure } of metric.measures) {
          const column = measure === 'peak' ? 'peak' : 'minutes';
          c.found.set(key(metric.key, region.code, measure, period), count(row, column, name));
        }
      }
    }
    c.log.debug('verify: GVP computed', { region: region.code, month: work.month, days: days.length, durationMs: Date.now() - started });
  }
}

async function computeGvp(c: Computation): Promise<void> {
  const gvpMetrics = c.metrics.filter((m) => m.family === 'gvp');
  if (gvpMetrics.length === 0) return;
  await Promise.all(c.tenant.regions.map((_r, i) => computeGvpRegion(c, i, gvpMetrics)));
}

// --- voicemail --------------------------------------------------------------------------------

async function computeVoicemail(c: Computation): Promise<void> {
  const voicemail = c.metrics.filter((m) => m.family === 'voicemail');
  if (voicemail.length === 0) return;
  const source = c.config.sources.config;
  const cfg = await c.clients.get('voicemail', 'config', source);
  const built = voicemailQuery(source?.client ?? 'pg', c.tenant.cfgTenantDbid);
  const [row] = await rowsOf(cfg, built);
  const boxes = row === undefined ? 0 : count(row, 'boxes', built.query.name);
  // The Config DB has no history: the same snapshot stands for every day (see the report's note).
  for (const metric of voicemail) {
    for (const work of c.months) for (const date of work.dailyCompared) c.found.set(key(metric.key, GLOBAL_REGION, 'count', date), boxes);
  }
}

/**
 * Recomputes, inside the sources, every value of the tenant's billing files for `dates` and for
 * the months whose last day is among them. Days before the production date are ignored.
 *
 * @throws SourceError when a source cannot be reached or a query fails.
 */
export async function computeTenantValues(options: {
  readonly config: BdsConfig;
  readonly tenant: TenantConfig;
  readonly dates: readonly LocalDate[];
  readonly log: Logger;
  readonly openClient?: OpenClient;
}): Promise<ComputedValues> {
  const { config, tenant } = options;
  const metrics = resolveMetrics(config, tenant);
  const months = planMonths(tenant, options.dates);
  defaultRegionIndex(tenant);
  const clients = new Clients(options.openClient ?? openSource);
  const c: Computation = { config, tenant, metrics, months, clients, log: options.log, found: new Map() };
  try {
    if (months.length > 0) {
      // The three sources are independent: their queries run side by side.
      const settled = await Promise.allSettled([computeSeats(c), computeGvp(c), computeVoicemail(c)]);
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    }
  } finally {
    await clients.closeAll();
  }
  const values: SourceValue[] = [];
  const periods = months.flatMap((work) => [
    ...work.dailyCompared.map((date) => ({ type: 'daily' as const, label: date })),
    ...(work.monthly ? [{ type: 'monthly' as const, label: work.month }] : []),
  ]);
  for (const period of periods) {
    for (const metric of metrics) {
      const filePeriod = period.type === 'daily' ? { type: 'daily' as const, date: period.label } : { type: 'monthly' as const, month: period.label };
      if (!hasFileFor(metric, filePeriod)) continue;
      const regions = metric.scope === 'global' ? [GLOBAL_REGION] : tenant.regions.map((r) => r.code);
      for (const region of regions) {
        for (const { measure, rollup } of metric.measures) {
          if (period.type === 'monthly' && rollup === 'none') continue;
          values.push({
            metric: metric.key,
            region,
            measure,
            periodType: period.type,
            period: period.label,
            value: c.found.get(key(metric.key, region, measure, period.label)) ?? 0,
          });
        }
      }
    }
  }
  return { values, months };
}
