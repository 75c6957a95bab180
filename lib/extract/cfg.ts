/**
 * Config DB extraction. The Config DB keeps only the current configuration, so everything read
 * from it is a snapshot taken at extraction time (recorded as `snapshotAt`).
 */
import type { SourceClient, SqlQuery } from '../sources/types';
import { SourceDataError } from './errors';
import type { StagedCell } from '../staging/staged';

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
 ORDER BY li.person_dbid, switch_name`,
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

/**
 * The tenant's DNs (2), Agent Logins (15) and Agent Groups (5) whose annex section `TServer`
 * has a non-blank `gvm_mailbox` option, enabled or disabled (metrics.md, "Voicemail boxes").
 * The tenant is the owning object's; a Person (3) or any other type never counts; an option
 * in another section does not count; each object counts once.
 *
 * Blank means no character that is not whitespace (metrics.md): every whitespace character is
 * turned into a space with TRANSLATE (PostgreSQL, SQL Server 2017+), then spaces are trimmed;
 * LTRIM/RTRIM alone would keep a tab or a line break and bill it as a mailbox. The characters are
 * bound as parameters because neither dialect spells a tab the same way in a literal.
 */
export const CFG_VOICEMAIL_QUERY: SqlQuery = {
  name: 'cfg_voicemail',
  text: `
SELECT DISTINCT o.object_type, o.object_dbid
  FROM cfg_flex_prop o
  JOIN cfg_flex_prop sec
    ON sec.dbid = o.parent_dbid
   AND sec.parent_dbid = 0
   AND sec.object_dbid = o.object_dbid
   AND sec.object_type = o.object_type
   AND sec.prop_name = 'TServer'
  LEFT JOIN cfg_dn dn ON o.object_type = 2 AND dn.dbid = o.object_dbid
  LEFT JOIN cfg_agent_login al ON o.object_type = 15 AND al.dbid = o.object_dbid
  LEFT JOIN cfg_group g ON o.object_type = 5 AND g.dbid = o.object_dbid
 WHERE o.prop_name = 'gvm_mailbox'
   AND o.object_type IN (2, 5, 15)
   AND o.prop_value IS NOT NULL
   AND LTRIM(RTRIM(TRANSLATE(o.prop_value, :whitespace, :spaces))) <> ''
   AND COALESCE(dn.tenant_dbid, al.tenant_dbid, g.tenant_dbid) = :tenantDbid
 ORDER BY o.object_type, o.object_dbid`,
};

/**
 * The characters a blank value may consist of: those JavaScript's `\s` matches (tab, line feed,
 * vertical tab, form feed, carriage return, space, no-break space and the other Unicode spaces,
 * line and paragraph separators, the byte-order mark).
 */
export const WHITESPACE = '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/** Streams the tenant's mailbox-carrying objects as staged rows. */
export async function* cfgVoicemailRows(client: SourceClient, params: { tenantDbid: number }): AsyncGenerator<StagedCell[]> {
  const bound = { ...params, whitespace: WHITESPACE, spaces: ' '.repeat(WHITESPACE.length) };
  for await (const row of client.stream(CFG_VOICEMAIL_QUERY, bound)) {
    const type = Number(row.object_type);
    const dbid = Number(row.object_dbid);
    if (!Number.isSafeInteger(type) || !Number.isSafeInteger(dbid)) {
      throw new SourceDataError(`cfg_voicemail: bad object ${String(row.object_type)}/${String(row.object_dbid)}`);
    }
    yield [type, dbid];
  }
}
