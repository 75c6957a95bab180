/**
 * Config DB extraction. The Config DB keeps only the current configuration, so everything read
 * from it is a snapshot taken at extraction time (recorded as `snapshotAt`).
 */
import type { SourceClient, SqlQuery } from '../sources/types';
import { SourceDataError } from './errors';
import type { StagedCell } from './staged';

export const CFG_AGENT_SWITCHES_DATASET = 'cfg_agent_switches';

/** Columns of the staged `cfg_agent_switches` dataset: one row per (agent, switch of one of its Agent Logins). */
export const CFG_AGENT_SWITCH_COLUMNS = ['person_dbid', 'switch_name'] as const;

/**
 * Every switch on which a Person of the tenant has an Agent Login (metrics.md, "Region"). The
 * state of the objects is not considered: a disabled login still says where the agent sits.
 */
export const CFG_AGENT_SWITCHES_QUERY: SqlQuery = {
  name: 'cfg_agent_switches',
  text: `
SELECT DISTINCT li.person_dbid, sw.name AS switch_name
  FROM cfg_login_info li
  JOIN cfg_person p ON p.dbid = li.person_dbid
  JOIN cfg_agent_login al ON al.dbid = li.agent_login_dbid
  JOIN cfg_switch sw ON sw.dbid = al.switch_dbid
 WHERE p.tenant_dbid = :tenantDbid
 ORDER BY li.person_dbid, sw.name`,
};

/** Streams the tenant's (person, switch) pairs as staged rows. */
export async function* cfgAgentSwitchRows(
  client: SourceClient,
  params: { tenantDbid: number },
): AsyncGenerator<StagedCell[]> {
  for await (const row of client.stream(CFG_AGENT_SWITCHES_QUERY, params)) {
    const person = Number(row.person_dbid);
    if (!Number.isSafeInteger(person)) throw new SourceDataError(`cfg_agent_switches: bad person_dbid ${String(row.person_dbid)}`);
    yield [person, String(row.switch_name)];
  }
}
