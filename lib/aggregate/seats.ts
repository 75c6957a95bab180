/**
 * Agent-seat metrics (metrics.md, "Agent seats"). Input is the staged `gim_sessions` dataset,
 * sorted by agent: each agent's sessions are processed together and then forgotten, so memory
 * depends on the longest agent day and the number of buckets, not on the day's volume.
 *
 * Per agent and metric, the counted sessions are clipped to the day and merged, so an agent
 * with overlapping sessions is one; the merged intervals feed one peak counter per
 * (metric, region) bucket, and any remaining second makes the agent "enabled".
 */
import type { AgentPattern } from '../metrics/agent-pattern';
import type { SeatMetric } from '../metrics/catalogue';
import type { ResolvedMetric } from '../metrics/resolve';
import { StagedDataError } from './errors';
import { clipInterval, mergeIntervals, PeakCounter, type Interval } from './intervals';
import type { Placement } from './placement';
import type { AggregationStats, MetricValue } from './values';

export type ResolvedSeatMetric = ResolvedMetric & SeatMetric;

/** One staged session. */
export interface SessionRecord {
  readonly resourceKey: number;
  readonly resourceName: string | null;
  readonly personDbid: number | null;
  readonly sessionKey: string;
  readonly media: string | null;
  readonly start: number;
  readonly end: number | null;
  /** Distinct (media, subtype) pairs of the handled interactions that started in the session. */
  readonly handled: readonly (readonly [string, string | null])[];
}

/** All of one agent's sessions of a day. */
export interface AgentDay {
  readonly resourceKey: number;
  readonly resourceName: string | null;
  readonly personDbid: number | null;
  readonly sessions: readonly SessionRecord[];
}

function int(value: string | undefined, column: string, nullable: boolean): number | null {
  if (value === undefined || value === '') {
    if (nullable) return null;
    throw new StagedDataError(`gim_sessions: ${column} is empty`);
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new StagedDataError(`gim_sessions: ${column} is not an integer: ${value}`);
  return n;
}

function parseHandled(text: string | undefined): SessionRecord['handled'] {
  if (text === undefined || text === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StagedDataError(`gim_sessions: handled is not JSON: ${text}`, { cause: error });
  }
  if (!Array.isArray(parsed)) throw new StagedDataError(`gim_sessions: handled is not a list: ${text}`);
  return parsed.map((pair: unknown) => {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || (pair[1] !== null && typeof pair[1] !== 'string')) {
      throw new StagedDataError(`gim_sessions: bad handled pair in ${text}`);
    }
    return [pair[0], pair[1] as string | null] as const;
  });
}

/** Parses a staged row (columns as in GIM_SESSION_COLUMNS). */
export function parseSessionRow(cells: readonly string[]): SessionRecord {
  const [resourceKey, name, person, sessionKey, media, start, end, handled] = cells;
  return {
    resourceKey: int(resourceKey, 'resource_key', false) as number,
    resourceName: name === undefined || name === '' ? null : name,
    personDbid: int(person, 'person_dbid', true),
    sessionKey: sessionKey ?? '',
    media: media === undefined || media === '' ? null : media,
    start: int(start, 'start_ts', false) as number,
    end: int(end, 'end_ts', true),
    handled: parseHandled(handled),
  };
}

/**
 * Groups consecutive sessions of one agent. Fails if the rows are not sorted by agent: counting
 * an agent twice would be a wrong bill, so order is checked, not assumed.
 */
export async function* groupByAgent(rows: AsyncIterable<readonly string[]>): AsyncGenerator<AgentDay> {
  let sessions: SessionRecord[] = [];
  let previousKey = Number.NEGATIVE_INFINITY;
  for await (const cells of rows) {
    const session = parseSessionRow(cells);
    const first = sessions[0];
    if (first !== undefined && session.resourceKey !== first.resourceKey) {
      yield { resourceKey: first.resourceKey, resourceName: first.resourceName, personDbid: first.personDbid, sessions };
      sessions = [];
    }
    if (session.resourceKey < previousKey) {
      throw new StagedDataError(
        `gim_sessions: rows are not sorted by resource_key (${session.resourceKey} after ${previousKey}); extract the day again`,
      );
    }
    previousKey = session.resourceKey;
    sessions.push(session);
  }
  const first = sessions[0];
  if (first !== undefined) {
    yield { resourceKey: first.resourceKey, resourceName: first.resourceName, personDbid: first.personDbid, sessions };
  }
}

function inMedia(codes: SeatMetric['mediaCodes'], media: string | null): boolean {
  return codes === 'any' || (media !== null && codes.includes(media));
}

/** Whether a session counts for a seat metric: its media, and where required a qualifying handled interaction. */
export function sessionCounts(metric: SeatMetric, session: SessionRecord): boolean {
  if (!inMedia(metric.mediaCodes, session.media)) return false;
  if (!metric.requiresInteraction) return true;
  return session.handled.some(
    ([media, subtype]) =>
      inMedia(metric.mediaCodes, media) &&
      (metric.subtypeCodes.length === 0 || (subtype !== null && metric.subtypeCodes.includes(subtype))),
  );
}

/** True when the agent's name matches one of the tenant's exclusion patterns. */
export function isExcluded(name: string | null, patterns: readonly Pick<AgentPattern, 'test'>[]): boolean {
  return name !== null && patterns.some((p) => p.test(name));
}

/** Per metric, the agent's counted time in the day: clipped, merged intervals (empty = not counted). */
export function agentIntervals(agent: AgentDay, metrics: readonly SeatMetric[], day: Interval): Interval[][] {
  return metrics.map((metric) => {
    const clipped: Interval[] = [];
    for (const session of agent.sessions) {
      if (!sessionCounts(metric, session)) continue;
      const part = clipInterval(session.start, session.end, day);
      if (part !== null) clipped.push(part);
    }
    return mergeIntervals(clipped);
  });
}

export interface SeatDayInput {
  readonly rows: AsyncIterable<readonly string[]>;
  readonly metrics: readonly ResolvedSeatMetric[];
  readonly placement: Placement;
  readonly day: Interval;
  readonly exclude: readonly Pick<AgentPattern, 'test'>[];
}

/** `concurrent` and `enabled` of every (seat metric, region) for one day, zeros included. */
export async function aggregateSeatDay(input: SeatDayInput): Promise<{ values: MetricValue[]; stats: AggregationStats }> {
  const { metrics, placement, day } = input;
  const regionCount = placement.regions.length;
  const peaks = metrics.flatMap(() => placement.regions.map(() => new PeakCounter(day)));
  const enabled = new Array<number>(metrics.length * regionCount).fill(0);
  const stats = { sessions: 0, agents: 0, excludedAgents: 0, excludedSessions: 0, emptySessions: 0 };
  for await (const agent of groupByAgent(input.rows)) {
    stats.sessions += agent.sessions.length;
    if (isExcluded(agent.resourceName, input.exclude)) {
      stats.excludedAgents += 1;
      stats.excludedSessions += agent.sessions.length;
      continue;
    }
    stats.agents += 1;
    for (const s of agent.sessions) if (clipInterval(s.start, s.end, day) === null) stats.emptySessions += 1;
    const region = placement.regionOf(agent.personDbid);
    agentIntervals(agent, metrics, day).forEach((intervals, m) => {
      if (intervals.length === 0) return;
      const bucket = m * regionCount + region;
      enabled[bucket] = (enabled[bucket] ?? 0) + 1;
      const counter = peaks[bucket] as PeakCounter;
      for (const interval of intervals) counter.add(interval);
    });
  }
  const values: MetricValue[] = [];
  metrics.forEach((metric, m) => {
    placement.regions.forEach((region, r) => {
      const bucket = m * regionCount + r;
      values.push({ metric: metric.key, region, measure: 'concurrent', value: (peaks[bucket] as PeakCounter).peak() });
      values.push({ metric: metric.key, region, measure: 'enabled', value: enabled[bucket] ?? 0 });
    });
  });
  return { values, stats };
}

/** One day of a month, opened only when its turn comes. */
export interface SeatMonthDay {
  readonly rows: () => AsyncIterable<readonly string[]>;
  readonly placement: () => Promise<Placement>;
  readonly day: Interval;
}

/**
 * Distinct agents over a month per (seat metric, region): an agent counts once in a region if it
 * was counted there on any day. Days are read one after the other; per agent only one flag per
 * bucket is kept (a few bytes an agent, whatever the month's volume).
 */
export async function distinctSeatAgents(
  days: readonly SeatMonthDay[],
  metrics: readonly SeatMetric[],
  regions: readonly string[],
  exclude: readonly Pick<AgentPattern, 'test'>[],
): Promise<MetricValue[]> {
  const regionCount = regions.length;
  const buckets = metrics.length * regionCount;
  const seen = new Map<number, Uint8Array>();
  for (const day of days) {
    const placement = await day.placement();
    for await (const agent of groupByAgent(day.rows())) {
      if (isExcluded(agent.resourceName, exclude)) continue;
      const region = placement.regionOf(agent.personDbid);
      agentIntervals(agent, metrics, day.day).forEach((intervals, m) => {
        if (intervals.length === 0) return;
        let flags = seen.get(agent.resourceKey);
        if (flags === undefined) {
          flags = new Uint8Array(buckets);
          seen.set(agent.resourceKey, flags);
        }
        flags[m * regionCount + region] = 1;
      });
    }
  }
  const counts = new Array<number>(buckets).fill(0);
  for (const flags of seen.values()) for (let b = 0; b < buckets; b += 1) counts[b] = (counts[b] ?? 0) + (flags[b] ?? 0);
  const values: MetricValue[] = [];
  metrics.forEach((metric, m) => {
    regions.forEach((region, r) => {
      values.push({ metric: metric.key, region, measure: 'enabled', value: counts[m * regionCount + r] ?? 0 });
    });
  });
  return values;
}
