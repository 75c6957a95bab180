/**
 * A seeded, deterministic generator of a realistic month of Genesys activity for the three
 * reference schemas (sql/gim.sql, sql/cfg.sql, sql/gvp.sql). `bds demo`, `bds seed` and the tests
 * use it to fill an empty database with data that exercises every billing metric and its traps.
 *
 * Rows are produced incrementally, table by table and day by day, in chunks of at most
 * `chunkRows` rows: nothing holds a whole month, so `bds seed` can stream 20,000 agents × 31 days
 * through the same generator. All randomness comes from a small seeded PRNG (mulberry32) whose
 * streams are derived from (seed, purpose, tenant, date, agent), so an agent's day does not change
 * when an unrelated knob (the IVR volume, another tenant) does.
 *
 * Fixed keys (documented here because tests and demo configuration rely on them):
 *   media_type        1 VOICE, 2 EMAIL, 3 CHAT, 4 SMS, 5 SMSSESSION, 6 FACEBOOK, 7 TWITTER,
 *                     8 WHATSAPP, 9 COBROWSE, 10 WORKITEM (see MEDIA_TYPES)
 *   interaction_type  1 INBOUNDNEW, 2 INBOUNDCUSTOMERREPLY, 3 OUTBOUNDNEW, 4 OUTBOUNDREPLY,
 *                     5 OUTBOUNDCONTACT, 6 CALLBACK, 7 INTERNALCONSULT (see INTERACTION_TYPES)
 *   tenant_key        = gimTenantKey;  cfg_tenant.dbid = cfgTenantDbid (1 is the Environment)
 *   resource_key      gimTenantKey × 10⁶ + n: agents n = 1…, test agents 900 001…,
 *                     queues / routing point 950 001…; 999 999 is the deliberate ORPHAN (below)
 *   Config DB dbids   cfgTenantDbid × 10⁶ + n per table (persons and extension DNs follow the
 *                     agent number), switches and agent groups cfgTenantDbid × 100 + n
 *   fact keys         tenant × 10¹² + monthIndex × 10⁹ + sequence, with tenant = gimTenantKey
 *                     for GIM facts and cfgTenantDbid for GVP rows and monthIndex = months since
 *                     2000-01, so separately generated tenants and months never collide
 *
 * Deliberate irregularities (each one a trap a correct extraction must survive):
 *   - one session and one handled interaction per tenant on day 1 whose resource_key
 *     (orphanResourceKey) has no resource_ row, as GIM has while a dimension arrives late;
 *   - ~1 % of agents were deleted from the Config DB (resource_ points at a missing cfg_person)
 *     and stopped working mid-month; ~2 % are disabled (state 2) and also stopped;
 *   - resource_.switch_name is stale for ~10 % of agents: the region comes from the Config DB;
 *   - test agents `test_agent1@<tenant>` and `healthcheck.sip@<tenant>` have real sessions and
 *     handled calls (to be excluded by configuration, e.g. DEMO_EXCLUDE_AGENTS); one real agent
 *     is called "…testa…" so that an unanchored pattern over-excludes;
 *   - queues (resource_type_code QUEUE / ROUTINGPOINT) take part in interactions but have no
 *     sessions; some agent interactions are not handled (customer_handle_count 0); a few handled
 *     ones lie outside any session of their media;
 *   - the Config DB snapshot holds voicemail decoys: the option in another section, blank and
 *     NULL values, the option on a Person (object type 3); disabled DNs, logins and groups with
 *     the option DO count;
 *   - GVP: every MCP call has an RM record with the same session_id, some a CCP record, and a few
 *     RM records were rejected without any MCP call.
 *
 * The database is the snapshot at the end of the month (local midnight of the tenant): whatever
 * runs across that moment is open (sessions: end_ts NULL, active_flag 1, end key
 * OPEN_END_DATE_TIME_KEY; interactions: end_ts NULL; GVP: call_end / end_ts NULL), and nothing
 * starts after it. One "stuck" session per tenant, three days before the month's end, never
 * closed. The night shift of the month's eve (the previous month's last day) is included, so
 * sessions running into day 1 exist: loading consecutive months into one database duplicates
 * that night, and the Config DB rows are per snapshot (use `include` to load facts only).
 *
 * The code lives in tools/demo/generate/, one module per concern; this file is its public entry.
 */
export { generateActivity, type GenerateNotes } from './generate/activity';
export { ActivityLoadError, GenerateOptionsError } from './generate/errors';
export type { GenerateOptions, GeneratePart } from './generate/plan';
export { InsertTableSink, loadActivity, type GenerateSummary, type TableSink } from './generate/sink';
export {
  GVP_COMPONENTS,
  INTERACTION_TYPES,
  MEDIA_TYPES,
  OPEN_END_DATE_TIME_KEY,
  TABLE_COLUMNS,
  TABLE_NAMES,
  type Cell,
  type MediaCode,
  type TableName,
  type TableRows,
} from './generate/tables';
export {
  DEMO_EXCLUDE_AGENTS,
  DEMO_TENANTS,
  orphanResourceKey,
  type SwitchShare,
  type TenantLayout,
} from './generate/tenants';
