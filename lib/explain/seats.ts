/**
 * What made the seat numbers of a day or a month: the agents active at the peak second and the
 * agents counted as enabled. Everything is computed by the aggregation's own counting
 * (`countSeatDay` in lib/aggregate/seats.ts: the same exclusions, clipping, qualifying rule,
 * interval union and placement), watched through its observer; nothing here decides on its own
 * whether a session counts.
 *
 * The peak second is known only once a day has been read, so a concurrent explanation reads the
 * day twice: first to find the second (the counters), then to collect the agents active in it.
 * Memory is the answer itself (the active agents, the enabled agents) plus one counter per
 * second of the day, whatever the day's volume.
 */
import type { AgentPattern } from '../metrics/agent-pattern';
import type { LocalDate } from '../config/types';
import type { Interval, PeakCounter } from '../aggregate/intervals';
import type { Placement } from '../aggregate/placement';
import {
  countSeatDay,
  qualifyingPair,
  type AgentIdentity,
  type ResolvedSeatMetric,
  type SeatObserver,
  type SessionRecord,
} from '../aggregate/seats';
import { ExplainInconsistencyError } from './errors';

/** One counted agent and the session that made it count. */
export interface SeatAgentEvidence {
  readonly agent: AgentIdentity;
  readonly location: string;
  readonly region: string;
  readonly session: SessionRecord;
  /** The handled (media, subtype) pair that qualified the session; null for a metric that needs none. */
  readonly qualifying: readonly [string, string | null] | null;
}

/** One (metric, region) bucket of a day. */
export interface SeatDayBucket {
  readonly metric: string;
  readonly region: string;
  /** The day's `concurrent` value and the first second that reaches it (null when 0). */
  readonly peak: number;
  readonly second: number | null;
  /** The agents active in `second`, each with the first of its counted sessions that covers it. */
  readonly active: readonly SeatAgentEvidence[];
  /** The day's `enabled` agents, each with its first counted session (empty unless asked for). */
  readonly enabled: readonly SeatAgentEvidence[];
}

/** One day's staged inputs, opened only when read. */
export interface SeatDaySource {
  readonly date: LocalDate;
  readonly day: Interval;
  readonly rows: () => AsyncIterable<readonly string[]>;
  readonly placement: () => Promise<Placement>;
}

/** What to explain. */
export interface SeatWanted {
  readonly concurrent: boolean;
  readonly enabled: boolean;
}

function evidence(metric: ResolvedSeatMetric, placement: Placement, agent: AgentIdentity, session: SessionRecord): SeatAgentEvidence {
  const pair = metric.requiresInteraction ? qualifyingPair(metric, session) : undefined;
  return {
    agent,
    location: placement.locationOf(agent.personDbid),
    region: placement.regions[placement.regionOf(agent.personDbid)] ?? '',
    session,
    qualifying: pair === undefined ? null : [pair[0], pair[1]],
  };
}

/**
 * One pass over a day with an observer that collects, per bucket, the agents covering the
 * bucket's `second` (if any) and, when `enabled`, every counted agent. The rows are sorted by
 * agent, so "already collected" is only "the last agent collected", never a set.
 */
async function collectDay(
  source: SeatDaySource,
  placement: Placement,
  metrics: readonly ResolvedSeatMetric[],
  exclude: readonly Pick<AgentPattern, 'test'>[],
  seconds: readonly (number | null)[],
  enabled: boolean,
): Promise<{ active: SeatAgentEvidence[][]; enabled: SeatAgentEvidence[][]; peaks: readonly PeakCounter[]; counts: readonly number[] }> {
  const regionCount = placement.regions.length;
  const buckets = metrics.length * regionCount;
  const active = Array.from({ length: buckets }, (): SeatAgentEvidence[] => []);
  const counted = Array.from({ length: buckets }, (): SeatAgentEvidence[] => []);
  const lastActive = new Array<number | undefined>(buckets).fill(undefined);
  const lastCounted = new Array<number | undefined>(buckets).fill(undefined);
  const observer: SeatObserver = {
    counted(m, region, agent, session, part) {
      const b = m * regionCount + region;
      const metric = metrics[m] as ResolvedSeatMetric;
      if (enabled && lastCounted[b] !== agent.resourceKey) {
        lastCounted[b] = agent.resourceKey;
        (counted[b] as SeatAgentEvidence[]).push(evidence(metric, placement, agent, session));
      }
      const t = seconds[b];
      // Half-open: the session's part covers t when start <= t < end.
      if (t !== null && t !== undefined && part.start <= t && t < part.end && lastActive[b] !== agent.resourceKey) {
        lastActive[b] = agent.resourceKey;
        (active[b] as SeatAgentEvidence[]).push(evidence(metric, placement, agent, session));
      }
    },
  };
  const counts = await countSeatDay({ rows: source.rows(), metrics, placement, day: source.day, exclude }, observer);
  return { active, enabled: counted, peaks: counts.peaks, counts: counts.enabled.map((agents) => agents.length) };
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new ExplainInconsistencyError(`the explanation does not add up: ${what}; please report this`);
}

/**
 * Explains one day of seat metrics for every (metric, region) bucket: the peak second and its
 * active agents (`wanted.concurrent`), the enabled agents (`wanted.enabled`). Buckets are in the
 * order metric, then region, as aggregation numbers them.
 */
export async function explainSeatDay(
  source: SeatDaySource,
  metrics: readonly ResolvedSeatMetric[],
  exclude: readonly Pick<AgentPattern, 'test'>[],
  wanted: SeatWanted,
): Promise<SeatDayBucket[]> {
  const placement = await source.placement();
  const regionCount = placement.regions.length;
  let firsts: { peak: number; second: number | null }[] = [];
  if (wanted.concurrent) {
    // First pass: the counters alone, exactly as aggregation runs them, for each bucket's second.
    const counts = await countSeatDay({ rows: source.rows(), metrics, placement, day: source.day, exclude });
    firsts = counts.peaks.map((p) => p.peakAt());
  }
  const seconds = metrics.flatMap((_, m) => placement.regions.map((_r, r) => firsts[m * regionCount + r]?.second ?? null));
  const collected = await collectDay(source, placement, metrics, exclude, seconds, wanted.enabled);
  return metrics.flatMap((metric, m) =>
    placement.regions.map((region, r): SeatDayBucket => {
      const b = m * regionCount + r;
      const peak = firsts[b]?.peak ?? 0;
      const active = collected.active[b] ?? [];
      const enabled = collected.enabled[b] ?? [];
      if (wanted.concurrent) {
        check(collected.peaks[b]?.peak() === peak, `${metric.key} ${region}: the second reading found peak ${String(collected.peaks[b]?.peak())}, the first ${peak}`);
        check(active.length === peak, `${metric.key} ${region}: ${active.length} agents active at the peak second of ${peak}`);
      }
      if (wanted.enabled) check(enabled.length === collected.counts[b], `${metric.key} ${region}: ${enabled.length} agents listed for ${String(collected.counts[b])} enabled`);
      return { metric: metric.key, region, peak, second: firsts[b]?.second ?? null, active, enabled };
    }),
  );
}

/** An agent of a month's `enabled` value, and the days on which it counted in the bucket's region. */
export interface SeatMonthAgent {
  readonly agent: AgentIdentity;
  /** The agent's location on the first day it counted. */
  readonly location: string;
  readonly region: string;
  readonly days: readonly LocalDate[];
}

interface MonthAgent {
  readonly agent: AgentIdentity;
  readonly location: string;
  readonly region: string;
  readonly days: LocalDate[];
}

/** One (metric, region) bucket of a month. */
export interface SeatMonthBucket {
  readonly metric: string;
  readonly region: string;
  /** The month's `concurrent` (the largest day's), the first day that has it, and that day's peak second and agents. */
  readonly peak: number;
  readonly date: LocalDate | null;
  readonly second: number | null;
  readonly active: readonly SeatAgentEvidence[];
  /** The month's distinct agents, by first appearance (days in order, agents in staged order). */
  readonly enabled: readonly SeatMonthAgent[];
}

/**
 * Explains a month of seat metrics for every (metric, region) bucket. Each day is read once for
 * its counters (and the enabled agents); then the day that holds each bucket's maximum — the
 * first such day, as the monthly `max` rollup has no other notion of "when" — is read again for
 * the agents of its peak second.
 */
export async function explainSeatMonth(
  days: readonly SeatDaySource[],
  metrics: readonly ResolvedSeatMetric[],
  regions: readonly string[],
  exclude: readonly Pick<AgentPattern, 'test'>[],
  wanted: SeatWanted,
): Promise<SeatMonthBucket[]> {
  const regionCount = regions.length;
  const buckets = metrics.length * regionCount;
  const best = Array.from({ length: buckets }, () => ({ peak: 0, day: -1, second: null as number | null }));
  const agents = Array.from({ length: buckets }, () => new Map<number, MonthAgent>());
  for (const [index, source] of days.entries()) {
    const placement = await source.placement();
    // One reading gives both the enabled agents and the counters.
    const collected = await collectDay(source, placement, metrics, exclude, new Array<null>(buckets).fill(null), wanted.enabled);
    collected.enabled.forEach((list, b) => {
      const seen = agents[b] as Map<number, MonthAgent>;
      for (const e of list) {
        const known = seen.get(e.agent.resourceKey);
        if (known === undefined) seen.set(e.agent.resourceKey, { agent: e.agent, location: e.location, region: e.region, days: [source.date] });
        else known.days.push(source.date);
      }
    });
    const counts = wanted.concurrent ? collected : undefined;
    counts?.peaks.forEach((counter, b) => {
      const { peak, second } = counter.peakAt();
      const current = best[b] as { peak: number; day: number; second: number | null };
      // Strictly greater: the first day with the maximum holds it.
      if (peak > current.peak) best[b] = { peak, day: index, second };
    });
  }
  const active = Array.from({ length: buckets }, (): readonly SeatAgentEvidence[] => []);
  if (wanted.concurrent) {
    for (const dayIndex of [...new Set(best.map((b) => b.day))].filter((d) => d >= 0).sort((a, b) => a - b)) {
      const source = days[dayIndex] as SeatDaySource;
      const placement = await source.placement();
      const seconds = best.map((b) => (b.day === dayIndex ? b.second : null));
      const collected = await collectDay(source, placement, metrics, exclude, seconds, false);
      best.forEach((b, i) => {
        if (b.day !== dayIndex) return;
        const list = collected.active[i] ?? [];
        check(list.length === b.peak, `${metrics[Math.floor(i / regionCount)]?.key ?? '?'}: ${list.length} agents active at the month's peak second of ${b.peak}`);
        active[i] = list;
      });
    }
  }
  return metrics.flatMap((metric, m) =>
    regions.map((region, r): SeatMonthBucket => {
      const b = m * regionCount + r;
      const top = best[b] as { peak: number; day: number; second: number | null };
      return {
        metric: metric.key,
        region,
        peak: top.peak,
        date: top.day < 0 ? null : (days[top.day]?.date ?? null),
        second: top.second,
        active: active[b] ?? [],
        enabled: [...(agents[b]?.values() ?? [])],
      };
    }),
  );
}
