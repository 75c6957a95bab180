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
import { clipInterval, PeakCounter, StreamingUnion, type Interval } from './intervals';
import type { Placement } from './placement';
import type { MemberSet } from './day-summary';
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

/** Who an agent is, from the first of its sessions in the day. */
export interface AgentIdentity {
  readonly resourceKey: number;
  readonly resourceName: string | null;
  readonly personDbid: number | null;
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

/** What a consumer of {@link forEachAgentSession} does with each agent and session. */
export interface AgentSessionVisitor {
  /** An agent's first session is about to be visited. */
  startAgent(agent: AgentIdentity): void;
  /** One of the current agent's sessions, in order of start. */
  session(session: SessionRecord): void;
  /** The current agent has no more sessions. */
  endAgent(): void;
}

/**
 * Visits the staged sessions agent by agent, keeping nothing but the current row: one agent may
 * have millions of sessions in a day, so they are never collected. The rows must be sorted by
 * agent and, within an agent, by start (the extraction's ORDER BY); both are checked, not
 * assumed, because the streaming merge and "count an agent once" depend on them.
 */
export async function forEachAgentSession(rows: AsyncIterable<readonly string[]>, visitor: AgentSessionVisitor): Promise<void> {
  let current: number | undefined;
  let previousStart = Number.NEGATIVE_INFINITY;
  for await (const cells of rows) {
    const session = parseSessionRow(cells);
    if (session.resourceKey !== current) {
      if (current !== undefined) {
        if (session.resourceKey < current) {
          throw new StagedDataError(
            `gim_sessions: rows are not sorted by resource_key (${session.resourceKey} after ${current}); extract the day again`,
          );
        }
        visitor.endAgent();
      }
      current = session.resourceKey;
      visitor.startAgent({ resourceKey: session.resourceKey, resourceName: session.resourceName, personDbid: session.personDbid });
    } else if (session.start < previousStart) {
      throw new StagedDataError(
        `gim_sessions: sessions of resource_key ${current} are not sorted by start_ts (${session.start} after ${previousStart}); extract the day again`,
      );
    }
    previousStart = session.start;
    visitor.session(session);
  }
  if (current !== undefined) visitor.endAgent();
}

function inMedia(codes: SeatMetric['mediaCodes'], media: string | null): boolean {
  return codes === 'any' || (media !== null && codes.includes(media));
}

/**
 * The first handled (media, subtype) pair of the session that qualifies it for a metric that
 * requires an interaction; undefined when none does. The one rule for both counting and
 * explaining what counted.
 */
export function qualifyingPair(metric: SeatMetric, session: SessionRecord): readonly [string, string | null] | undefined {
  return session.handled.find(
    ([media, subtype]) =>
      inMedia(metric.mediaCodes, media) &&
      (metric.subtypeCodes.length === 0 || (subtype !== null && metric.subtypeCodes.includes(subtype))),
  );
}

/** Whether a session counts for a seat metric: its media, and where required a qualifying handled interaction. */
export function sessionCounts(metric: SeatMetric, session: SessionRecord): boolean {
  if (!inMedia(metric.mediaCodes, session.media)) return false;
  if (!metric.requiresInteraction) return true;
  return qualifyingPair(metric, session) !== undefined;
}

/** True when the agent's name matches one of the tenant's exclusion patterns. */
export function isExcluded(name: string | null, patterns: readonly Pick<AgentPattern, 'test'>[]): boolean {
  return name !== null && patterns.some((p) => p.test(name));
}

export interface SeatDayInput {
  readonly rows: AsyncIterable<readonly string[]>;
  readonly metrics: readonly ResolvedSeatMetric[];
  readonly placement: Placement;
  readonly day: Interval;
  readonly exclude: readonly Pick<AgentPattern, 'test'>[];
}

/**
 * Feeds each session of an agent to one streaming union per metric, for the agents that are not
 * excluded. `onAgent` sees the agent (and its region) before its sessions; after the agent's
 * last session every union is finished, so a consumer learns which metrics counted it.
 */
function seatVisitor(
  metrics: readonly SeatMetric[],
  day: Interval,
  exclude: readonly Pick<AgentPattern, 'test'>[],
  hooks: {
    readonly union: (metric: number) => StreamingUnion;
    readonly onAgent: (agent: AgentIdentity, excluded: boolean) => void;
    readonly onSession: (session: SessionRecord, excluded: boolean) => void;
    readonly onAgentEnd: (counted: readonly boolean[]) => void;
    /** A session that counts for metric `m`, with its part inside the day. */
    readonly onCounted?: (m: number, session: SessionRecord, part: Interval) => void;
  },
): AgentSessionVisitor {
  let excluded = false;
  const unions = metrics.map((_, m) => hooks.union(m));
  return {
    startAgent(agent) {
      excluded = isExcluded(agent.resourceName, exclude);
      hooks.onAgent(agent, excluded);
    },
    session(session) {
      hooks.onSession(session, excluded);
      if (excluded) return;
      const part = clipInterval(session.start, session.end, day);
      if (part === null) return;
      metrics.forEach((metric, m) => {
        if (!sessionCounts(metric, session)) return;
        (unions[m] as StreamingUnion).add(part);
        hooks.onCounted?.(m, session, part);
      });
    },
    endAgent() {
      const counted = unions.map((u) => u.counted);
      for (const u of unions) u.finish();
      if (!excluded) hooks.onAgentEnd(counted);
    },
  };
}

/**
 * Sees every session that counts, as aggregation counts it: `bds explain` and the detail files
 * are built on this, so they show what made a number by the very code that made it.
 */
export interface SeatObserver {
  /**
   * A session of `agent` (placed in region `region`) counts for `metrics[m]`; `part` is its part
   * inside the day. Called in the order of the staged rows (agent, then start).
   */
  counted(m: number, region: number, agent: AgentIdentity, session: SessionRecord, part: Interval): void;
}

/** The counters of one seat day: per bucket (`m * regions + r`) its peak counter and counted agents. */
export interface SeatDayCounts {
  readonly peaks: readonly PeakCounter[];
  /** Resource keys of the agents each bucket counted, ascending (its `enabled` is their number). */
  readonly enabled: readonly (readonly number[])[];
  readonly stats: AggregationStats;
}

/**
 * Counts one day of seat metrics: each agent's counted sessions merged per metric, the merged
 * runs fed to the peak counter of the agent's (metric, region), and the agents counted per
 * bucket. `observer` is told of every counted session.
 */
export async function countSeatDay(input: SeatDayInput, observer?: SeatObserver): Promise<SeatDayCounts> {
  const { metrics, placement, day } = input;
  const regionCount = placement.regions.length;
  const peaks = metrics.flatMap(() => placement.regions.map(() => new PeakCounter(day)));
  // Agents arrive sorted by resource key (checked by forEachAgentSession), so each set is too.
  const enabled = metrics.flatMap(() => placement.regions.map((): number[] => []));
  const stats = { sessions: 0, agents: 0, excludedAgents: 0, excludedSessions: 0, emptySessions: 0 };
  // The agent's region is known at its first session; its merged runs go to that region's counter.
  let region = 0;
  let current: AgentIdentity | undefined;
  await forEachAgentSession(
    input.rows,
    seatVisitor(metrics, day, input.exclude, {
      union: (m) => new StreamingUnion((interval) => (peaks[m * regionCount + region] as PeakCounter).add(interval)),
      onAgent(agent, excluded) {
        if (excluded) stats.excludedAgents += 1;
        else stats.agents += 1;
        region = placement.regionOf(agent.personDbid);
        current = agent;
      },
      ...(observer === undefined
        ? {}
        : {
            onCounted(m: number, session: SessionRecord, part: Interval) {
              if (current !== undefined) observer.counted(m, region, current, session, part);
            },
          }),
      onSession(session, excluded) {
        stats.sessions += 1;
        if (excluded) stats.excludedSessions += 1;
        else if (clipInterval(session.start, session.end, day) === null) stats.emptySessions += 1;
      },
      onAgentEnd(counted) {
        counted.forEach((yes, m) => {
          if (yes && current !== undefined) enabled[m * regionCount + region]?.push(current.resourceKey);
        });
      },
    }),
  );
  return { peaks, enabled, stats };
}

/**
 * `concurrent` and `enabled` of every (seat metric, region) for one day, zeros included, and the
 * agents each `enabled` counted (a month's distinct agents are the union of its days' sets).
 */
export async function aggregateSeatDay(input: SeatDayInput): Promise<{ values: MetricValue[]; members: MemberSet[]; stats: AggregationStats }> {
  const { metrics, placement } = input;
  const regionCount = placement.regions.length;
  const { peaks, enabled, stats } = await countSeatDay(input);
  const values: MetricValue[] = [];
  const members: MemberSet[] = [];
  metrics.forEach((metric, m) => {
    placement.regions.forEach((regionCode, r) => {
      const bucket = m * regionCount + r;
      const agents = enabled[bucket] ?? [];
      values.push({ metric: metric.key, region: regionCode, measure: 'concurrent', value: (peaks[bucket] as PeakCounter).peak() });
      values.push({ metric: metric.key, region: regionCode, measure: 'enabled', value: agents.length });
      members.push({ metric: metric.key, region: regionCode, measure: 'enabled', members: agents });
    });
  });
  return { values, members, stats };
}
