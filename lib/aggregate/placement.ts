/**
 * Places agents in regions (metrics.md, "Region"): an agent belongs to the first location, in
 * configuration order, that lists a switch on which the agent has an Agent Login; otherwise to
 * the tenant's default location (the one with no switches).
 */
import type { TenantConfig } from '../config/types';
import { StagedDataError } from './errors';

export interface Placement {
  /** Region codes of the tenant, in configuration order. */
  readonly regions: readonly string[];
  /** Index into `regions` for an agent (its Person DBID, or null when GIM does not know it). */
  regionOf(personDbid: number | null): number;
  /** The code of the location the agent belongs to (the same rule as its region). */
  locationOf(personDbid: number | null): string;
}

interface Locations {
  readonly list: readonly { readonly code: string; readonly regionIndex: number; readonly switches: ReadonlySet<string> }[];
  /** The default location's index in `list`. */
  readonly fallback: number;
}

function locationsOf(tenant: TenantConfig): Locations {
  const list = tenant.regions.flatMap((region, regionIndex) =>
    region.locations.map((location) => ({ code: location.code, regionIndex, switches: new Set(location.switches) })),
  );
  const fallback = list.findIndex((l) => l.switches.size === 0);
  return { list, fallback: fallback < 0 ? 0 : fallback };
}

/** The index in `locations.list` of the agent's location. */
function locationFor(locations: Locations, switches: readonly string[]): number {
  const index = locations.list.findIndex((l) => l.switches.size > 0 && switches.some((s) => l.switches.has(s)));
  return index < 0 ? locations.fallback : index;
}

// Only agents outside the default location are remembered: one small map entry each, whatever
// the number of their logins (a month's rollup holds one placement per day).
function placementOf(tenant: TenantConfig, locations: Locations, locationByPerson: ReadonlyMap<number, number>): Placement {
  const locationIndex = (personDbid: number | null): number =>
    personDbid === null ? locations.fallback : (locationByPerson.get(personDbid) ?? locations.fallback);
  return {
    regions: tenant.regions.map((r) => r.code),
    regionOf: (personDbid) => locations.list[locationIndex(personDbid)]?.regionIndex ?? 0,
    locationOf: (personDbid) => locations.list[locationIndex(personDbid)]?.code ?? '',
  };
}

/**
 * Builds the placement from the agents' switches (`switchesByPerson`, from the Config DB); it
 * may be undefined for a tenant with a single location.
 */
export function buildPlacement(tenant: TenantConfig, switchesByPerson: ReadonlyMap<number, readonly string[]> | undefined): Placement {
  const locations = locationsOf(tenant);
  const locationByPerson = new Map<number, number>();
  for (const [person, switches] of switchesByPerson ?? []) {
    const location = locationFor(locations, switches);
    if (location !== locations.fallback) locationByPerson.set(person, location);
  }
  return placementOf(tenant, locations, locationByPerson);
}

/**
 * Builds the placement from the staged `cfg_agent_switches` rows ([person_dbid, switch_name],
 * sorted by person), resolving each agent as its rows go by.
 */
export async function placementFromRows(tenant: TenantConfig, rows: AsyncIterable<readonly string[]>): Promise<Placement> {
  const locations = locationsOf(tenant);
  const locationByPerson = new Map<number, number>();
  let person: number | undefined;
  let switches: string[] = [];
  const settle = (): void => {
    if (person === undefined) return;
    const location = locationFor(locations, switches);
    if (location !== locations.fallback) locationByPerson.set(person, location);
  };
  for await (const [personText, name] of rows) {
    const next = Number(personText);
    if (!Number.isSafeInteger(next)) throw new StagedDataError(`cfg_agent_switches: person_dbid is not an integer: ${String(personText)}`);
    // A person's rows must be together: resolving a person twice would drop switches seen first.
    if (person !== undefined && next < person) {
      throw new StagedDataError(`cfg_agent_switches: rows are not sorted by person_dbid (${next} after ${person}); extract the day again`);
    }
    if (next !== person) {
      settle();
      person = next;
      switches = [];
    }
    switches.push(name ?? '');
  }
  settle();
  return placementOf(tenant, locations, locationByPerson);
}
