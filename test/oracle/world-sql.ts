/**
 * The SQL that puts a world into the harness's databases, against the project's copies of the
 * reference schemas (sql/*.sql, loaded by test/helpers/database.ts). Database A holds GIM, the
 * Config DB and one GVP Reporting Server; database B a second Reporting Server.
 */
import type { GvpRows, World } from './world';

/** Every table of the reference schemas, emptied between worlds. */
export const TRUNCATE_ALL = `TRUNCATE tenant, media_type, resource_, interaction_type, sm_res_session_fact, interaction_fact,
  interaction_resource_fact, cfg_tenant, cfg_switch, cfg_person, cfg_agent_login, cfg_login_info, cfg_dn, cfg_group,
  cfg_flex_prop, gvp_cdr, gvp_media_resource_session;`;

type Value = string | number | null;

/** A SQL literal: numbers as they are, strings quoted (E'' with escapes when they hold control characters). */
function literal(value: Value): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (/[\t\n\r\\]/.test(value)) {
    const escaped = value.replaceAll('\\', '\\\\').replaceAll("'", "''").replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r');
    return `E'${escaped}'`;
  }
  return `'${value.replaceAll("'", "''")}'`;
}

function insert(table: string, columns: readonly string[], rows: readonly (readonly Value[])[]): string {
  if (rows.length === 0) return '';
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES\n  ${rows.map((r) => `(${r.map(literal).join(', ')})`).join(',\n  ')};\n`;
}

/** GIM's interval key: "floor(ts / 900) * 900". */
const key = (ts: number): number => Math.floor(ts / 900) * 900;
/** GIM points an open fact's end key at a sentinel interval dated in 2025. */
const SENTINEL_END_KEY = key(Date.UTC(2025, 11, 31) / 1000);

/** A GVP timestamp: UTC, without a time zone, milliseconds kept. */
const timestamp = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().replace('T', ' ').replace('Z', ''));

function gvpSql(rows: GvpRows): string {
  return (
    insert(
      'gvp_cdr',
      ['cdr_id', 'component', 'comp_id', 'session_id', 'tenant_id', 'app_id', 'dn', 'call_start', 'call_end'],
      rows.calls.map((c) => [c.id, c.component, 7, c.sessionId, c.tenantId, 900, '5550', timestamp(c.startMs), timestamp(c.endMs)]),
    ) +
    insert(
      'gvp_media_resource_session',
      ['id', 'comp_id', 'session_id', 'resource_kind', 'tenant_id', 'start_ts', 'end_ts'],
      rows.mediaSessions.map((m) => [m.id, 8, `s${m.id}`, m.kind, m.tenantId, timestamp(m.startMs), timestamp(m.endMs)]),
    )
  );
}

/** The SQL of database A: GIM, Config DB and the first GVP Reporting Server. */
export function databaseASql(world: World): string {
  const { gim, cfg } = world;
  return [
    insert('tenant', ['tenant_key', 'tenant_name', 'tenant_cfg_dbid'], gim.tenants.map((t) => [t.tenantKey, t.name, t.cfgDbid])),
    insert('media_type', ['media_type_key', 'media_name', 'media_name_code', 'is_online'], gim.media.map((m) => [m.key, m.code.toLowerCase(), m.code, 1])),
    insert(
      'interaction_type',
      ['interaction_type_key', 'interaction_type', 'interaction_type_code', 'interaction_subtype', 'interaction_subtype_code'],
      gim.interactionTypes.map((t) => [t.key, 'Type', 'TYPE', t.subtypeCode.toLowerCase(), t.subtypeCode]),
    ),
    insert(
      'resource_',
      ['resource_key', 'tenant_key', 'resource_type', 'resource_type_code', 'resource_name', 'resource_cfg_dbid', 'resource_cfg_type_id'],
      gim.resources.map((r) => [r.key, r.tenantKey, r.typeCode.toLowerCase(), r.typeCode, r.name, r.cfgDbid, r.typeCode === 'AGENT' ? 3 : null]),
    ),
    insert(
      'sm_res_session_fact',
      ['sm_res_session_fact_key', 'tenant_key', 'media_type_key', 'resource_key', 'start_date_time_key', 'end_date_time_key', 'start_ts', 'end_ts', 'total_duration', 'active_flag'],
      gim.sessions.map((s) => [
        s.key,
        s.tenantKey,
        s.mediaKey,
        s.resourceKey,
        key(s.start),
        s.end === null ? SENTINEL_END_KEY : key(s.end),
        s.start,
        s.end,
        s.end === null ? null : s.end - s.start,
        s.end === null ? 1 : 0,
      ]),
    ),
    insert(
      'interaction_fact',
      ['interaction_id', 'tenant_key', 'interaction_type_key', 'media_type_key', 'start_date_time_key', 'end_date_time_key', 'start_ts', 'end_ts'],
      gim.interactions.map((i) => [100_000 + i.key, i.tenantKey, i.typeKey, i.mediaKey, key(i.start), key(i.start + 60), i.start, i.start + 60]),
    ),
    insert(
      'interaction_resource_fact',
      ['interaction_resource_id', 'interaction_id', 'tenant_key', 'resource_key', 'media_type_key', 'interaction_type_key', 'start_date_time_key', 'start_ts', 'end_ts', 'talk_count', 'customer_handle_count'],
      gim.interactions.map((i) => [i.key, 100_000 + i.key, i.tenantKey, i.resourceKey, i.mediaKey, i.typeKey, key(i.start), i.start, i.start + 60, i.handled, i.handled]),
    ),
    insert('cfg_tenant', ['dbid', 'name', 'state'], cfg.tenants.map((t) => [t.dbid, t.name, 1])),
    insert('cfg_switch', ['dbid', 'tenant_dbid', 'name', 'type', 'state'], cfg.switches.map((s) => [s.dbid, s.tenantDbid, s.name, 1, s.state])),
    insert(
      'cfg_person',
      ['dbid', 'tenant_dbid', 'user_name', 'first_name', 'last_name', 'employee_id', 'is_agent', 'state'],
      cfg.persons.map((p) => [p.dbid, p.tenantDbid, p.userName, null, null, `e${p.dbid}`, 2, 1]),
    ),
    insert('cfg_agent_login', ['dbid', 'switch_dbid', 'tenant_dbid', 'login_code', 'state'], cfg.agentLogins.map((l) => [l.dbid, l.switchDbid, l.tenantDbid, `${6000 + l.dbid}`, l.state])),
    insert('cfg_login_info', ['person_dbid', 'agent_login_dbid'], cfg.loginInfo.map((i) => [i.personDbid, i.agentLoginDbid])),
    insert('cfg_dn', ['dbid', 'switch_dbid', 'tenant_dbid', 'type', 'number_', 'state'], cfg.dns.map((d) => [d.dbid, d.switchDbid, d.tenantDbid, 1, `${5000 + d.dbid}`, d.state])),
    insert('cfg_group', ['dbid', 'tenant_dbid', 'name', 'type', 'state'], cfg.groups.map((g) => [g.dbid, g.tenantDbid, `group${g.dbid}`, 1, g.state])),
    insert(
      'cfg_flex_prop',
      ['dbid', 'object_dbid', 'object_type', 'parent_dbid', 'prop_type', 'prop_name', 'prop_value'],
      cfg.flexProps.map((p) => [p.dbid, p.objectDbid, p.objectType, p.parentDbid, null, p.name, p.value]),
    ),
    gvpSql(world.gvp.A),
  ].join('');
}

/** The SQL of database B: the second GVP Reporting Server. */
export function databaseBSql(world: World): string {
  return gvpSql(world.gvp.B);
}
