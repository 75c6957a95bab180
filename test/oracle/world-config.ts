/**
 * The BDS configuration of a world (README "Configuration"), written as JSON, which is also
 * YAML. Connection strings are `${env:...}` references so that a printed configuration replays
 * against any database.
 */
import type { TenantConfig, World } from './world';
import { CUSTOMER, GARN } from './oracle';

/** Environment variables the configuration reads the two databases' URLs from. */
export const DB_A_ENV = 'BDS_ORACLE_DB_A';
export const DB_B_ENV = 'BDS_ORACLE_DB_B';

const source = (env: string): { client: 'pg'; connectionString: string } => ({ client: 'pg', connectionString: `\${env:${env}}` });

function tenantEntry(tenant: TenantConfig): Record<string, unknown> {
  return {
    id: tenant.id,
    gimTenantKey: tenant.gimTenantKey,
    cfgTenantDbid: tenant.cfgTenantDbid,
    // UTC is the default zone: leave it out, as a configuration may.
    ...(tenant.timezone === 'UTC' ? {} : { timezone: tenant.timezone }),
    productionDate: tenant.productionDate,
    ...(tenant.excludeAgents.length > 0 ? { excludeAgents: tenant.excludeAgents } : {}),
    metrics: tenant.metrics,
    regions: tenant.regions.map((region) => ({
      code: region.code,
      ...(region.gvp === undefined ? {} : { gvp: source(region.gvp === 'A' ? DB_A_ENV : DB_B_ENV) }),
      locations: region.locations.map((l) => ({ code: l.code, switches: l.switches })),
    })),
  };
}

/** The configuration file's text for `world`, writing billing files under `dataDir`. */
export function worldConfig(world: World, dataDir: string): string {
  const config = {
    customer: { garn: GARN, name: CUSTOMER },
    dataDir,
    processingDelay: '2h',
    sources: { gim: source(DB_A_ENV), config: source(DB_A_ENV), gvp: source(DB_A_ENV) },
    ...(Object.keys(world.catalogue).length > 0 ? { catalogue: world.catalogue } : {}),
    tenants: world.tenants.map(tenantEntry),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
