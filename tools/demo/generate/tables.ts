/**
 * The schema the generator writes: the tables in load order, the columns it fills per table, the
 * fixed media_type and interaction_type dimensions, the open-end interval key and the GVP
 * component DBIDs, and the shapes of a row (Cell, Emit) and of a chunk of rows (TableRows).
 */

/** A value of one column, as both a parameterised INSERT and a COPY can take it. */
export type Cell = string | number | null;

/** Every table the generator writes, in load order. */
export const TABLE_NAMES = [
  'tenant',
  'media_type',
  'interaction_type',
  'resource_',
  'cfg_tenant',
  'cfg_switch',
  'cfg_person',
  'cfg_agent_login',
  'cfg_login_info',
  'cfg_dn',
  'cfg_group',
  'cfg_flex_prop',
  'sm_res_session_fact',
  'interaction_fact',
  'interaction_resource_fact',
  'gvp_cdr',
  'gvp_media_resource_session',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/** The columns the generator fills, per table, in the order of each row's cells. */
export const TABLE_COLUMNS: { readonly [T in TableName]: readonly string[] } = {
  tenant: ['tenant_key', 'tenant_name', 'tenant_cfg_dbid'],
  media_type: ['media_type_key', 'media_name', 'media_name_code', 'is_online'],
  interaction_type: [
    'interaction_type_key',
    'interaction_type',
    'interaction_type_code',
    'interaction_subtype',
    'interaction_subtype_code',
  ],
  resource_: [
    'resource_key',
    'tenant_key',
    'resource_type',
    'resource_type_code',
    'resource_subtype',
    'resource_name',
    'agent_first_name',
    'agent_last_name',
    'employee_id',
    'switch_name',
    'resource_cfg_dbid',
    'resource_cfg_type_id',
  ],
  cfg_tenant: ['dbid', 'name', 'state'],
  cfg_switch: ['dbid', 'tenant_dbid', 'name', 'type', 'state'],
  cfg_person: ['dbid', 'tenant_dbid', 'user_name', 'first_name', 'last_name', 'employee_id', 'is_agent', 'state'],
  cfg_agent_login: ['dbid', 'switch_dbid', 'tenant_dbid', 'login_code', 'state'],
  cfg_login_info: ['person_dbid', 'agent_login_dbid', 'wrapup_time'],
  cfg_dn: ['dbid', 'switch_dbid', 'tenant_dbid', 'type', 'number_', 'state'],
  cfg_group: ['dbid', 'tenant_dbid', 'name', 'type', 'state'],
  cfg_flex_prop: ['dbid', 'object_dbid', 'object_type', 'parent_dbid', 'prop_type', 'prop_name', 'prop_value'],
  sm_res_session_fact: [
    'sm_res_session_fact_key',
    'tenant_key',
    'media_type_key',
    'resource_key',
    'start_date_time_key',
    'end_date_time_key',
    'start_ts',
    'end_ts',
    'total_duration',
    'active_flag',
  ],
  interaction_fact: [
    'interaction_id',
    'tenant_key',
    'interaction_type_key',
    'media_type_key',
    'start_date_time_key',
    'end_date_time_key',
    'start_ts',
    'end_ts',
  ],
  interaction_resource_fact: [
    'interaction_resource_id',
    'interaction_id',
    'tenant_key',
    'resource_key',
    'media_type_key',
    'interaction_type_key',
    'start_date_time_key',
    'start_ts',
    'end_ts',
    'talk_count',
    'customer_handle_count',
  ],
  gvp_cdr: ['cdr_id', 'component', 'comp_id', 'session_id', 'tenant_id', 'app_id', 'dn', 'call_start', 'call_end'],
  gvp_media_resource_session: ['id', 'comp_id', 'session_id', 'resource_kind', 'tenant_id', 'start_ts', 'end_ts'],
};

/** The media_type dimension: fixed keys. EMAIL and WORKITEM are the non-real-time media. */
export const MEDIA_TYPES = [
  { key: 1, name: 'Voice', code: 'VOICE', online: 1 },
  { key: 2, name: 'E-Mail', code: 'EMAIL', online: 0 },
  { key: 3, name: 'Chat', code: 'CHAT', online: 1 },
  { key: 4, name: 'SMS', code: 'SMS', online: 1 },
  { key: 5, name: 'SMS Session', code: 'SMSSESSION', online: 1 },
  { key: 6, name: 'Facebook', code: 'FACEBOOK', online: 1 },
  { key: 7, name: 'Twitter', code: 'TWITTER', online: 1 },
  { key: 8, name: 'WhatsApp', code: 'WHATSAPP', online: 1 },
  { key: 9, name: 'Co-browse', code: 'COBROWSE', online: 1 },
  { key: 10, name: 'Workitem', code: 'WORKITEM', online: 0 },
] as const;
export type MediaCode = (typeof MEDIA_TYPES)[number]['code'];

/**
 * The interaction_type dimension: fixed keys. Only OUTBOUNDCONTACT (campaign calls) makes an
 * outbound seat and only CALLBACK a callback seat; OUTBOUNDNEW (a manual call) is neither.
 */
export const INTERACTION_TYPES = [
  { key: 1, type: 'Inbound', code: 'INBOUND', subtype: 'Inbound New', subtypeCode: 'INBOUNDNEW' },
  { key: 2, type: 'Inbound', code: 'INBOUND', subtype: 'Inbound Customer Reply', subtypeCode: 'INBOUNDCUSTOMERREPLY' },
  { key: 3, type: 'Outbound', code: 'OUTBOUND', subtype: 'Outbound New', subtypeCode: 'OUTBOUNDNEW' },
  { key: 4, type: 'Outbound', code: 'OUTBOUND', subtype: 'Outbound Reply', subtypeCode: 'OUTBOUNDREPLY' },
  { key: 5, type: 'Outbound', code: 'OUTBOUND', subtype: 'Outbound Contact', subtypeCode: 'OUTBOUNDCONTACT' },
  { key: 6, type: 'Outbound', code: 'OUTBOUND', subtype: 'Callback', subtypeCode: 'CALLBACK' },
  { key: 7, type: 'Internal', code: 'INTERNAL', subtype: 'Internal Consult', subtypeCode: 'INTERNALCONSULT' },
] as const;

/** The interaction_type keys by name, for the row producers. */
export const IT = {
  inboundNew: 1,
  inboundReply: 2,
  outboundNew: 3,
  outboundReply: 4,
  outboundContact: 5,
  callback: 6,
  internal: 7,
} as const;

/**
 * The end_date_time_key of an open fact: GIM points it at a sentinel interval instead of NULL.
 * Ours is the last interval of 2025 (2025-12-31 23:45 UTC), so it can lie before or after the
 * generated month: a filter on end keys must not rely on it either way.
 */
export const OPEN_END_DATE_TIME_KEY = 1_767_224_700;

/** Configuration Server DBIDs of the GVP components the generated CDRs name. */
export const GVP_COMPONENTS = { mcp: [301, 302, 303], rm: [401, 402], ccp: [501], asr: 601, tts: 602 } as const;

/** One chunk of rows of one table. */
export interface TableRows {
  readonly table: TableName;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** The tenant-local day (`YYYY-MM-DD`) facts belong to; null for dimensions and Config DB. */
  readonly day: string | null;
}

// Row producers yield [table, row] pairs; generateActivity chunks them.
export type Emit = readonly [TableName, Cell[]];
