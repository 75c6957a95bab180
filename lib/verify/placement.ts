/**
 * Region placement for the verification (metrics.md, "Region"): which region each agent's
 * Person belongs to, from the switches of its Agent Logins. Pure; the Config DB rows are read by
 * lib/verify/compute.ts and the result goes into the GIM SQL as literal tables.
 *
 * An agent belongs to the first location, in configuration order (regions in order, then their
 * locations in order), that lists the name of one of its switches; otherwise to the default
 * location (the one with an empty switch list). Two locations may list the same switch: the
 * first wins.
 */
import type { TenantConfig } from '../config/types';
import { VerifyError } from './errors';

export interface Placement {
  /** Index in `tenant.regions` of the region holding the default location. */
  readonly defaultRegion: number;
  /** Person DBID → region index, only for Persons placed outside the default region. */
  readonly regionOf: ReadonlyMap<number, number>;
}

/** The region index of the tenant's default location. */
export function defaultRegionIndex(tenant: TenantConfig): number {
  const index = tenant.regions.findIndex((r) => r.locations.some((l) => l.switches.length === 0));
  if (index === -1) throw new VerifyError(`tenant ${tenant.id} has no default location (a location without switches)`);
  return index;
}

/**
 * Places every Person that has at least one switch.
 *
 * @param personSwitches Person DBID → names of the switches of its Agent Logins (any state).
 */
export function placePersons(tenant: TenantConfig, personSwitches: ReadonlyMap<number, ReadonlySet<string>>): Placement {
  const defaultRegion = defaultRegionIndex(tenant);
  // Each switch name → the first location (in configuration order, flattened) that lists it.
  const firstLocation = new Map<string, { readonly position: number; readonly region: number }>();
  let position = 0;
  tenant.regions.forEach((region, regionIndex) => {
    for (const location of region.locations) {
      for (const name of location.switches) if (!firstLocation.has(name)) firstLocation.set(name, { position, region: regionIndex });
      position += 1;
    }
  });
  const regionOf = new Map<number, number>();
  for (const [person, switches] of personSwitches) {
    let best: { readonly position: number; readonly region: number } | undefined;
    for (const name of switches) {
      const location = firstLocation.get(name);
      if (location !== undefined && (best === undefined || location.position < best.position)) best = location;
    }
    if (best !== undefined && best.region !== defaultRegion) regionOf.set(person, best.region);
  }
  return { defaultRegion, regionOf };
}
