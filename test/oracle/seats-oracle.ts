/**
 * Agent seats for one tenant, metric and day, straight from metrics.md "Agent seats" and the
 * "Agent seats" rules of docs/billing-rules.md.
 */
import type { DayBounds } from './calendar';
import type { SeatDefinition } from './metric-definitions';
import { countPerSecond, type Interval } from './per-second';
import { regionOfAgent } from './agent-region';
import type { ResourceRow, SessionRow, TenantConfig, World } from './world';

/** A region's day: its concurrent value and the agents that make its enabled value. */
export interface SeatDay {
  readonly concurrent: number;
  readonly enabled: ReadonlySet<number>;
}

function mediaCode(world: World, key: number): string | undefined {
  return world.gim.media.find((m) => m.key === key)?.code;
}

/** "Agents whose resource_name matches one of the excludeAgents regular expressions"; no name, never excluded. */
function isExcluded(tenant: TenantConfig, resource: ResourceRow): boolean {
  const name = resource.name;
  return name !== null && tenant.excludeAgents.some((pattern) => new RegExp(pattern).test(name));
}

/** Whether a session of this media is one the metric counts (unknown media: only "any media"). */
function sessionMediaCounts(definition: SeatDefinition, code: string | undefined): boolean {
  if (definition.mediaCodes === 'any') return true;
  return code !== undefined && definition.mediaCodes.includes(code);
}

/**
 * "A handled interaction of the same agent with customer_handle_count > 0, the metric's media,
 * and start_ts inside the whole (unclipped) session [start_ts, end_ts)"; `end` is the session's
 * end, or the end of the day being processed for an open session.
 */
function hasQualifyingInteraction(
  world: World,
  tenant: TenantConfig,
  definition: SeatDefinition,
  session: SessionRow,
  end: number,
): boolean {
  return world.gim.interactions.some((interaction) => {
    if (interaction.tenantKey !== tenant.gimTenantKey || interaction.resourceKey !== session.resourceKey) return false;
    if (interaction.handled <= 0) return false;
    const code = mediaCode(world, interaction.mediaKey);
    if (definition.mediaCodes === 'any' || code === undefined || !definition.mediaCodes.includes(code)) return false;
    if (definition.subtypeCodes !== undefined) {
      const subtype = world.gim.interactionTypes.find((t) => t.key === interaction.typeKey)?.subtypeCode;
      if (subtype === undefined || !definition.subtypeCodes.includes(subtype)) return false;
    }
    return interaction.start >= session.start && interaction.start < end;
  });
}

/** Every region of the tenant → its seat values for `definition` on `day`. */
export function seatDay(world: World, tenant: TenantConfig, definition: SeatDefinition, day: DayBounds): Map<string, SeatDay> {
  const sessionsByRegion = new Map<string, Map<number, Interval[]>>(tenant.regions.map((r) => [r.code, new Map()]));
  for (const session of world.gim.sessions) {
    if (session.tenantKey !== tenant.gimTenantKey) continue;
    const resource = world.gim.resources.find((r) => r.key === session.resourceKey);
    if (resource === undefined || resource.typeCode !== 'AGENT' || isExcluded(tenant, resource)) continue;
    // Open sessions run until the end of the day being processed.
    const end = session.end ?? day.end;
    if (!sessionMediaCounts(definition, mediaCode(world, session.mediaKey))) continue;
    if (definition.requiresInteraction && !hasQualifyingInteraction(world, tenant, definition, session, end)) continue;
    const agents = sessionsByRegion.get(regionOfAgent(world, tenant, resource));
    if (agents === undefined) throw new Error('region missing (a generator bug)');
    const intervals = agents.get(resource.key) ?? [];
    intervals.push([session.start, end]);
    agents.set(resource.key, intervals);
  }
  const out = new Map<string, SeatDay>();
  for (const [region, agents] of sessionsByRegion) {
    const counted = countPerSecond(day, agents);
    out.set(region, { concurrent: counted.peak, enabled: counted.active });
  }
  return out;
}
