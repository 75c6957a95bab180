/**
 * Which region an agent's seats count in, from metrics.md "Region": the first location in
 * configuration order (regions in order, then their locations in order) that lists the name of a
 * switch on which the agent has an Agent Login; otherwise the tenant's default location (the one
 * with no switches). Logins and switches count whatever their state (docs/billing-rules.md).
 */
import type { ResourceRow, TenantConfig, World } from './world';

/** Names of the switches on which the agent behind `resource` has an Agent Login. */
export function switchNamesOf(world: World, resource: ResourceRow): Set<string> {
  const names = new Set<string>();
  const person = world.cfg.persons.find((p) => p.dbid === resource.cfgDbid);
  if (person === undefined) return names;
  for (const info of world.cfg.loginInfo.filter((i) => i.personDbid === person.dbid)) {
    const login = world.cfg.agentLogins.find((l) => l.dbid === info.agentLoginDbid);
    const sw = world.cfg.switches.find((s) => s.dbid === login?.switchDbid);
    if (sw !== undefined) names.add(sw.name);
  }
  return names;
}

/** The code of the region whose locations the agent belongs to. */
export function regionOfAgent(world: World, tenant: TenantConfig, resource: ResourceRow): string {
  const names = switchNamesOf(world, resource);
  for (const region of tenant.regions) {
    for (const location of region.locations) {
      if (location.switches.some((name) => names.has(name))) return region.code;
    }
  }
  const fallback = tenant.regions.find((r) => r.locations.some((l) => l.switches.length === 0));
  if (fallback === undefined) throw new Error(`tenant ${tenant.id} has no default location (a generator bug)`);
  return fallback.code;
}
