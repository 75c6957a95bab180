/**
 * Sanity checks of a tenant's keys against its sources. A `gimTenantKey` or `cfgTenantDbid` that
 * is not in its source gives all-zero files, and a switch name with a typo moves its agents to
 * the default location; neither fails a query. `bds check` runs these before any work, and every
 * extraction runs the Config DB's again (configuration and sources change after the check), and
 * notes a source that gave no rows at all for the day.
 */
import type { TenantConfig } from '../config/types';
import type { SourceClient, SqlQuery, SqlValue } from '../sources/types';

const GIM_TENANT: SqlQuery = { name: 'check gim tenant', text: 'SELECT tenant_key FROM tenant WHERE tenant_key = :tenantKey' };
const CFG_TENANT: SqlQuery = { name: 'check cfg tenant', text: 'SELECT dbid FROM cfg_tenant WHERE dbid = :tenantDbid' };
const CFG_SWITCHES: SqlQuery = { name: 'check cfg switches', text: 'SELECT name FROM cfg_switch WHERE tenant_dbid = :tenantDbid' };

async function firstColumn(client: SourceClient, query: SqlQuery, params: Readonly<Record<string, SqlValue>>): Promise<string[]> {
  const values: string[] = [];
  for await (const row of client.stream(query, params)) values.push(String(Object.values(row)[0]));
  return values;
}

/** A problem with the tenant's keys in GIM, or undefined when its `gimTenantKey` exists. */
export async function gimTenantProblem(client: SourceClient, tenant: TenantConfig): Promise<string | undefined> {
  const found = await firstColumn(client, GIM_TENANT, { tenantKey: tenant.gimTenantKey });
  return found.length > 0 ? undefined : `gimTenantKey ${tenant.gimTenantKey} is not in GIM's tenant table: every seat file would say 0`;
}

/**
 * Problems with the tenant's keys in the Config DB: its `cfgTenantDbid` must exist, and so must
 * every switch its locations list (only checked when `checkSwitches`, i.e. when the tenant places
 * agents by switch). Empty when all is well.
 */
export async function configTenantProblems(client: SourceClient, tenant: TenantConfig, checkSwitches: boolean): Promise<string[]> {
  const found = await firstColumn(client, CFG_TENANT, { tenantDbid: tenant.cfgTenantDbid });
  if (found.length === 0) return [`cfgTenantDbid ${tenant.cfgTenantDbid} is not in the Config DB's cfg_tenant table`];
  if (!checkSwitches) return [];
  const known = new Set(await firstColumn(client, CFG_SWITCHES, { tenantDbid: tenant.cfgTenantDbid }));
  const missing = [...new Set(tenant.regions.flatMap((r) => r.locations.flatMap((l) => l.switches)))].filter((name) => !known.has(name));
  if (missing.length === 0) return [];
  return [
    `switch(es) ${missing.map((m) => JSON.stringify(m)).join(', ')} not in the tenant's cfg_switch: their agents would be placed in the default location`,
  ];
}
