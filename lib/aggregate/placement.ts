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
}

interface Locations {
  readonly list: readonly { readonly regionIndex: number; readonly switches: ReadonlySet<string> }[];
  /** The default location's region. */
  readonly fallback: number;
}

function locationsOf(tenant: TenantConfig): Locations {
  const list = tenant.regions.flatMap((region, regionIndex) =>
    region.locations.map((location) => ({ regionIndex, switches: new Set(location.switches) })),
  );
  return { list, fallback: list.find((l) => l.switches.size === 0)?.regionIndex ?? 0 };
}

function regionFor(locations: Locations, switches: readonly string[]): number {
  const location = locations.list.find((l) => l.switches.size > 0 && switches.some((s) => l.switches.has(s)));
  return location?.regionIndex ?? locations.fallback;
}

// Only agents outside the default location's region are remembered: one small map entry each,
// whatever the number of their logins (a month's rollup holds one placement per day).
function placementOf(tenant: TenantConfig, locations: Locations, regionByPerson: ReadonlyMap<number, number>): Placement {
  return {
    regions: tenant.regions.map((r) => r.code),
    regionOf: (personDbid) => (personDbid === null ? locations.fallback : (regionByPerson.get(personDbid) ?? locations.fallback)),
  };
}

/**
 * Builds the placement from the agents' switches (`switchesByPerson`, from the Config DB); it
 * may be undefined for a tenant with a single location.
 */
export function buildPlacement(tenant: TenantConfig, switchesByPerson: ReadonlyMap<number, readonly string[]> | undefined): Placement {
  const locations = locationsOf(tenant);
  const regionByPerson = new Map<number, number>();
  for (const [person, switches] of switchesByPerson ?? []) {
    const region = regionFor(locations, switches);
    if (region !== locations.fallback) regionByPerson.set(person, region);
  }
  return placementOf(tenant, locations, regionByPerson);
}

/**
 * Builds the placement from the staged `cfg_agent_switches` rows ([person_dbid, switch_name],
 * sorted by person), resolving each agent as its rows go by.
 */
export async function placementFromRows(tenant: TenantConfig, rows: AsyncIterable<readonly string[]>): Promise<Placement> {
  const locations = locationsOf(tenant);
  const regionByPerson = new Map<number, number>();
  let person: number | undefined;
  let switches: string[] = [];
  const settle = (): void => {
    if (person === undefined) return;
    const region = regionFor(locations, switches);
    if (region !== locations.fallback) regionByPerson.set(person, region);
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
  return placementOf(tenant, locations, regionByPerson);
}
