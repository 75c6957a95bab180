/**
 * One aggregator per metric family. The period logic (days, months, rollups, files) is shared;
 * a family only knows how to turn its staged datasets into values for one day, and, for the
 * `distinct` rollup, into the sets of members the month unites.
 */
import { compileAgentPattern, type AgentPattern } from '../metrics/agent-pattern';
import type { LocalDate, TenantConfig } from '../config/types';
import { CFG_AGENT_SWITCHES_DATASET, CFG_VOICEMAIL_DATASET, GIM_SESSIONS_DATASET, gvpDatasetName, needsAgentSwitches } from '../staging/datasets';
import type { GvpMetric, MetricDefinition } from '../metrics/catalogue';
import { GLOBAL_REGION } from '../files/period-writer';
import { aggregateGvpRegion } from './gvp';
import type { ResolvedMetric } from '../metrics/resolve';
import type { Interval } from './intervals';
import { buildPlacement, placementFromRows, type Placement } from './placement';
import { aggregateSeatDay, type ResolvedSeatMetric } from './seats';
import type { MemberSet } from './day-summary';
import type { AggregationStats, MetricValue } from './values';

/** What a family aggregator found in one day. */
export interface FamilyDayResult {
  readonly values: MetricValue[];
  readonly stats: AggregationStats;
  /** For each measure with the `distinct` rollup: who each (metric, region) counted. */
  readonly members?: MemberSet[];
}

/** What a family aggregator may use for one day. */
export interface FamilyDay {
  readonly tenant: TenantConfig;
  readonly date: LocalDate;
  readonly day: Interval;
  /** Streams a verified staged dataset of this day (and records it as an input of the period). */
  open(dataset: string): AsyncIterable<readonly string[]>;
}

export interface FamilyAggregator {
  readonly family: MetricDefinition['family'];
  /**
   * The values of every measure of `metrics` for one day, every region included, and for the
   * measures with the `distinct` rollup the members counted (a month unites its days' sets).
   */
  day(input: FamilyDay, metrics: readonly ResolvedMetric[]): Promise<FamilyDayResult>;
}

function compileExclusions(tenant: TenantConfig): AgentPattern[] {
  return tenant.excludeAgents.map(compileAgentPattern);
}

async function placementFor(input: FamilyDay): Promise<Placement> {
  if (!needsAgentSwitches(input.tenant)) return buildPlacement(input.tenant, undefined);
  return placementFromRows(input.tenant, input.open(CFG_AGENT_SWITCHES_DATASET));
}

function seatMetrics(metrics: readonly ResolvedMetric[]): ResolvedSeatMetric[] {
  return metrics.filter((m): m is ResolvedSeatMetric => m.family === 'seats');
}

const seats: FamilyAggregator = {
  family: 'seats',
  async day(input, metrics) {
    const placement = await placementFor(input);
    return aggregateSeatDay({
      rows: input.open(GIM_SESSIONS_DATASET),
      metrics: seatMetrics(metrics),
      placement,
      day: input.day,
      exclude: compileExclusions(input.tenant),
    });
  },
};

/** The voicemail-box count: objects in the day's Config DB snapshot. Global scope, no rollup. */
const voicemail: FamilyAggregator = {
  family: 'voicemail',
  async day(input, metrics) {
    let objects = 0;
    for await (const _ of input.open(CFG_VOICEMAIL_DATASET)) objects += 1;
    return {
      values: metrics.map((m) => ({ metric: m.key, region: GLOBAL_REGION, measure: 'count' as const, value: objects })),
      stats: { mailboxObjects: objects },
    };
  },
};

/** GVP ports and minutes, region by region from each region's own GVP dataset. */
const gvp: FamilyAggregator = {
  family: 'gvp',
  async day(input, metrics) {
    const own = metrics.filter((m): m is ResolvedMetric & GvpMetric => m.family === 'gvp');
    const values: MetricValue[] = [];
    const stats: Record<string, number> = {};
    for (const region of input.tenant.regions) {
      const result = await aggregateGvpRegion(input.open(gvpDatasetName(region.code)), own, region.code, input.day);
      values.push(...result.values);
      for (const [k, n] of Object.entries(result.stats)) stats[k] = (stats[k] ?? 0) + n;
    }
    return { values, stats };
  },
};

/** The aggregators, one per metric family. */
export const FAMILIES: readonly FamilyAggregator[] = [seats, voicemail, gvp];
