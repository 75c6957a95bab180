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

/** One INSERT of `rows` (column → value; every row has the same columns), or nothing. */
function insert(table: string, rows: readonly Readonly<Record<string, Value>>[]): string {
  const first = rows[0];
  if (first === undefined) return '';
  const columns = Object.keys(first);
  const values = rows.map((r) => `(${columns.map((c) => literal(r[c] ?? null)).join(', ')})`);
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES\n  ${values.join(',\n  ')};\n`;
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
      rows.calls.map((c) => ({
        cdr_id: c.id,
        component: c.component,
        comp_id: 7,
        session_id: c.sessionId,
        tenant_id: c.tenantId,
        app_id: 900,
        dn: '5550',
        call_start: timestamp(c.startMs),
        call_end: timestamp(c.endMs),
      })),
    ) +
    insert(
      'gvp_media_resource_session',
      rows.mediaSessions.map((m) => ({
        id: m.id,
        comp_id: 8,
        session_id: `s${m.id}`,
        resource_kind: m.kind,
        tenant_id: m.tenantId,
        start_ts: timestamp(m.startMs),
        end_ts: timestamp(m.endMs),
      })),
    )
  );
}

/** The SQL of database A: GIM, Config DB and the first GVP Reporting Server. */
export function databaseASql(world: World): string {
  const { gim, cfg } = world;
  return [
    insert('tenant', gim.tenants.map((t) => ({ tenant_key: t.tenantKey, tenant_name: t.name, tenant_cfg_dbid: t.cfgDbid }))),
    insert('media_type', gim.media.map((m) => ({ media_type_key: m.key, media_name: m.code.toLowerCase(), media_name_code: m.code, is_online: 1 }))),
    insert(
      'interaction_type',
      gim.interactionTypes.map((t) => ({
        interaction_type_key: t.key,
        interaction_type: 'Type',
        interaction_type_code: 'TYPE',
        interaction_subtype: t.subtypeCode.toLowerCase(),
        interaction_subtype_code: t.subtypeCode,
      })),
    ),
    insert(
      'resource_',
      gim.resources.map((r) => ({
        resource_key: r.key,
        tenant_key: r.tenantKey,
        resource_type: r.typeCode.toLowerCase(),
        resource_type_code: r.typeCode,
        resource_name: r.name,
        resource_cfg_dbid: r.cfgDbid,
        resource_cfg_type_id: r.typeCode === 'AGENT' ? 3 : null,
      })),
    ),
    insert(
      'sm_res_session_fact',
      gim.sessions.map((s) => ({
        sm_res_session_fact_key: s.key,
        tenant_key: s.tenantKey,
        media_type_key: s.mediaKey,
        resource_key: s.resourceKey,
        start_date_time_key: key(s.start),
        end_date_time_key: s.end === null ? SENTINEL_END_KEY : key(s.end),
        start_ts: s.start,
        end_ts: s.end,
        total_duration: s.end === null ? null : s.end - s.start,
        active_flag: s.end === null ? 1 : 0,
      })),
    ),
    insert(
      'interaction_fact',
      gim.interactions.map((i) => ({
        interaction_id: 100_000 + i.key,
        tenant_key: i.tenantKey,
        interaction_type_key: i.typeKey,
        media_type_key: i.mediaKey,
        start_date_time_key: key(i.start),
        end_date_time_key: key(i.start + 60),
        start_ts: i.start,
        end_ts: i.start + 60,
      })),
    ),
    insert(
      'interaction_resource_fact',
      gim.interactions.map((i) => ({
        interaction_resource_id: i.key,
        interaction_id: 100_000 + i.key,
        tenant_key: i.tenantKey,
        resource_key: i.resourceKey,
        media_type_key: i.mediaKey,
        interaction_type_key: i.typeKey,
        start_date_time_key: key(i.start),
        start_ts: i.start,
        end_ts: i.start + 60,
        talk_count: i.handled,
        customer_handle_count: i.handled,
      })),
    ),
    insert('cfg_tenant', cfg.tenants.map((t) => ({ dbid: t.dbid, name: t.name, state: 1 }))),
    insert('cfg_switch', cfg.switches.map((s) => ({ dbid: s.dbid, tenant_dbid: s.tenantDbid, name: s.name, type: 1, state: s.state }))),
    insert(
      'cfg_person',
      cfg.persons.map((p) => ({
        dbid: p.dbid,
        tenant_dbid: p.tenantDbid,
        user_name: p.userName,
        first_name: null,
        last_name: null,
        employee_id: `e${p.dbid}`,
        is_agent: 2,
        state: 1,
      })),
    ),
    insert(
      'cfg_agent_login',
      cfg.agentLogins.map((l) => ({ dbid: l.dbid, switch_dbid: l.switchDbid, tenant_dbid: l.tenantDbid, login_code: `${6000 + l.dbid}`, state: l.state })),
    ),
    insert('cfg_login_info', cfg.loginInfo.map((i) => ({ person_dbid: i.personDbid, agent_login_dbid: i.agentLoginDbid }))),
    insert(
      'cfg_dn',
      cfg.dns.map((d) => ({ dbid: d.dbid, switch_dbid: d.switchDbid, tenant_dbid: d.tenantDbid, type: 1, number_: `${5000 + d.dbid}`, state: d.state })),
    ),
    insert('cfg_group', cfg.groups.map((g) => ({ dbid: g.dbid, tenant_dbid: g.tenantDbid, name: `group${g.dbid}`, type: 1, state: g.state }))),
    insert(
      'cfg_flex_prop',
      cfg.flexProps.map((p) => ({
        dbid: p.dbid,
        object_dbid: p.objectDbid,
        object_type: p.objectType,
        parent_dbid: p.parentDbid,
        prop_type: null,
        prop_name: p.name,
        prop_value: p.value,
      })),
    ),
    gvpSql(world.gvp.A),
  ].join('');
}

/** The SQL of database B: the second GVP Reporting Server. */
export function databaseBSql(world: World): string {
  return gvpSql(world.gvp.B);
}
