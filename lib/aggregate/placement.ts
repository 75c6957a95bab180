/**
 * Places agents in regions (metrics.md, "Region"): an agent belongs to the first location, in
 * configuration order, that lists a switch on which the agent has an Agent Login; otherwise to
 * the tenant's default location (the one with no switches).
 */
import type { TenantConfig } from '../config/types';

export interface Placement {
  /** Region codes of the tenant, in configuration order. */
  readonly regions: readonly string[];
  /** Index into `regions` for an agent (its Person DBID, or null when GIM does not know it). */
  regionOf(personDbid: number | null): number;
}

/** True when a tenant needs the Config DB to place its agents (more than one location). */
export function needsAgentSwitches(tenant: TenantConfig): boolean {
  return tenant.regions.reduce((n, r) => n + r.locations.length, 0) > 1;
}

/**
 * Builds the placement from the agents' switches (`switchesByPerson`, from the Config DB); it
 * may be undefined for a tenant with a single location.
 */
export function buildPlacement(
  tenant: TenantConfig,
  switchesByPerson: ReadonlyMap<number, readonly string[]> | undefined,
): Placement {
  const locations = tenant.regions.flatMap((region, regionIndex) =>
    region.locations.map((location) => ({ regionIndex, switches: new Set(location.switches) })),
  );
  const fallback = locations.find((l) => l.switches.size === 0)?.regionIndex ?? 0;
  const cache = new Map<number, number>();
  return {
    regions: tenant.regions.map((r) => r.code),
    regionOf(personDbid) {
      if (personDbid === null || switchesByPerson === undefined) return fallback;
      const known = cache.get(personDbid);
      if (known !== undefined) return known;
      const switches = switchesByPerson.get(personDbid) ?? [];
      const location = locations.find((l) => l.switches.size > 0 && switches.some((s) => l.switches.has(s)));
      const region = location?.regionIndex ?? fallback;
      cache.set(personDbid, region);
      return region;
    },
  };
}
