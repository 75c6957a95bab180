/**
 * The tenants to generate: their layout (zone, agents, switches), the default demo layout, the
 * exclusion patterns that match the generated test agents and the deliberate orphan's key.
 */

/** Agent-exclusion patterns that match exactly the generated test and health-check agents. */
export const DEMO_EXCLUDE_AGENTS: readonly string[] = ['^test_', '^healthcheck\\.'];

/** A switch of a tenant and the relative weight with which agents get a login on it. */
export interface SwitchShare {
  readonly name: string;
  readonly share: number;
}

/** One tenant to generate. */
export interface TenantLayout {
  /** Tenant name; also the suffix of user names (`anna.weber3@acme`). */
  readonly name: string;
  readonly gimTenantKey: number;
  readonly cfgTenantDbid: number;
  /** IANA zone: shifts follow the tenant's local clock. */
  readonly timezone: string;
  /** Regular agents (test and health-check agents come on top). */
  readonly agents: number;
  /**
   * Switches with relative weights. ~5 % of agents get no Agent Login at all, ~15 % one on each
   * of two switches, the rest one, drawn by weight.
   */
  readonly switches: readonly SwitchShare[];
}

/** The default demo layout: 'acme' (billed, three switches) and 'globex' (never billed for acme). */
export const DEMO_TENANTS: readonly TenantLayout[] = [
  {
    name: 'acme',
    gimTenantKey: 1,
    cfgTenantDbid: 101,
    timezone: 'Europe/Berlin',
    agents: 120,
    // SIP_NYC and SIP_CHI form the US region, SIP_BER the EU region; agents without a login
    // fall into the default location.
    switches: [
      { name: 'SIP_NYC', share: 0.4 },
      { name: 'SIP_CHI', share: 0.2 },
      { name: 'SIP_BER', share: 0.4 },
    ],
  },
  {
    name: 'globex',
    gimTenantKey: 2,
    cfgTenantDbid: 102,
    timezone: 'UTC',
    agents: 40,
    // Globex also has a switch called SIP_NYC (another DBID): a region lookup by switch name that
    // forgets the tenant would count globex agents for acme.
    switches: [
      { name: 'SIP_LON', share: 0.7 },
      { name: 'SIP_NYC', share: 0.3 },
    ],
  },
];

/** The resource_key of the tenant's deliberate orphan: facts use it, resource_ has no row. */
export function orphanResourceKey(gimTenantKey: number): number {
  return gimTenantKey * 1_000_000 + 999_999;
}
