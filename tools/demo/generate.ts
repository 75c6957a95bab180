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
 */
import type pg from 'pg';
import { BdsError } from '../../lib/errors';
import {
  daysInMonth,
  formatCivilDate,
  fromDayNumber,
  SECONDS_PER_DAY,
  toDayNumber,
  weekdayOfDayNumber,
} from '../../lib/time/civil';
import { UnknownTimeZoneError } from '../../lib/time/errors';
import { isValidTimeZone, offsetAt } from '../../lib/time/zone';

// ---------------------------------------------------------------------------------------------
// Public types and constants
// ---------------------------------------------------------------------------------------------

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

const IT = {
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

/** The parts of the data `generateActivity` produces. */
export type GeneratePart = 'gim-dimensions' | 'config' | 'gim-facts' | 'gvp';

export interface GenerateOptions {
  /** Any safe integer; the same seed gives the same rows. */
  readonly seed: number;
  /** The calendar month, `YYYY-MM` (2000-01 … 2079-12). */
  readonly month: string;
  readonly tenants: readonly TenantLayout[];
  /**
   * Multiplies interaction and IVR-call volume (default 1: about 10 interactions and 1.5 IVR
   * calls per agent and working day). `bds seed` at 20,000 agents uses about 2 to reach
   * ~25 M interaction rows a month. Sessions do not scale: they follow the agents.
   */
  readonly scale?: number;
  /** Rows per yielded chunk (default 1000). */
  readonly chunkRows?: number;
  /** Which parts to produce (default all). */
  readonly include?: readonly GeneratePart[];
}

/** One chunk of rows of one table. */
export interface TableRows {
  readonly table: TableName;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** The tenant-local day (`YYYY-MM-DD`) facts belong to; null for dimensions and Config DB. */
  readonly day: string | null;
}

/** What the generator knows once it has finished, beyond the rows themselves. */
export interface GenerateNotes {
  /** Voicemail boxes per tenant name, as a correct count of the Config DB snapshot finds them. */
  readonly voicemailBoxes: Readonly<Record<string, number>>;
  /** Sessions left open per tenant name. */
  readonly openSessions: Readonly<Record<string, number>>;
}

export interface GenerateSummary extends GenerateNotes {
  readonly seed: number;
  readonly month: string;
  /** Rows written per table. */
  readonly rows: Readonly<Record<TableName, number>>;
  readonly totalRows: number;
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

/** The options are unusable (bad month, duplicate keys, out-of-range numbers, unknown zone). */
export class GenerateOptionsError extends BdsError {}

/** Writing generated rows to the database failed. */
export class ActivityLoadError extends BdsError {
  constructor(
    readonly table: TableName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`loading ${table}: ${message}`, options);
  }
}

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Derives a 32-bit stream seed from integers (both halves of each, so big seeds stay apart). */
function streamSeed(...values: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    h = fmix32(h ^ (value >>> 0));
    h = fmix32(h + 0x7f4a7c15 + (Math.floor(value / 4_294_967_296) >>> 0));
  }
  return h;
}

/** mulberry32: tiny, fast and good enough for synthetic data. */
class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return at(items, Math.floor(this.next() * items.length));
  }

  /** An index drawn with the given relative weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i += 1) {
      r -= at(weights, i);
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

/** Purposes of random streams, so two uses of the same (tenant, day, agent) never correlate. */
const STREAM = { profile: 1, agentDay: 2, gvp: 3, config: 4, tenant: 5 } as const;

/** Indexing that fails loudly instead of yielding undefined (an internal bug, not bad input). */
function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`internal: index ${index} outside 0..${items.length - 1}`);
  return item;
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/** floor(ts / 900) × 900: GIM's 15-minute interval key. */
function dtKey(ts: number): number {
  return Math.floor(ts / 900) * 900;
}

/** GVP's UTC `timestamp` text with milliseconds, e.g. `2024-03-05 14:02:07.123`. */
function gvpTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
}

/** Converts a zone's wall clock to epoch seconds, on lib/time's zone offsets. */
class ZoneClock {
  constructor(readonly timeZone: string) {
    if (!isValidTimeZone(timeZone)) {
      throw new GenerateOptionsError(`unknown time zone "${timeZone}"`, { cause: new UnknownTimeZoneError(timeZone) });
    }
  }

  /**
   * The epoch second of a local wall-clock time. `month` may be 13 and `day` 0 or one past the
   * month's end (the snapshot and the eve are written that way). A skipped DST hour maps to one
   * side of the gap and a repeated one to one of its occurrences, whichever the two-step
   * fixed point below lands on: the generated data of a seed must not change, so this keeps
   * the generator's historical choice instead of lib/time's "first occurrence" rule.
   */
  toEpoch(year: number, month: number, day: number, hour: number): number {
    const normalYear = year + Math.floor((month - 1) / 12);
    const normalMonth = ((((month - 1) % 12) + 12) % 12) + 1;
    const wall = toDayNumber({ year: normalYear, month: normalMonth, day }) * SECONDS_PER_DAY + hour * 3600;
    const first = wall - offsetAt(wall, this.timeZone);
    return wall - offsetAt(first, this.timeZone);
  }
}

interface DayInfo {
  readonly date: string;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** Days since 1970-01-01: the day's identity in random streams, the same in any month run. */
  readonly ordinal: number;
  /** 1…N inside the month; 0 for the eve (the previous month's last day). */
  readonly dayOfMonth: number;
  readonly weekend: boolean;
}

function dayInfo(year: number, month: number, day: number, dayOfMonth: number): DayInfo {
  // `day` 0 is the previous month's last day: day numbers step across the month end.
  const ordinal = toDayNumber({ year, month, day });
  const date = fromDayNumber(ordinal);
  const weekday = weekdayOfDayNumber(ordinal);
  return {
    date: formatCivilDate(date),
    year: date.year,
    month: date.month,
    day: date.day,
    ordinal,
    dayOfMonth,
    weekend: weekday === 0 || weekday === 6,
  };
}

/** A tenant's local day: the epoch of each local hour and of the next local midnight. */
interface TenantDay {
  readonly day: DayInfo;
  readonly hours: readonly number[];
  readonly start: number;
  readonly end: number;
}

function tenantDay(clock: ZoneClock, day: DayInfo): TenantDay {
  const hours: number[] = [];
  for (let h = 0; h < 24; h += 1) hours.push(clock.toEpoch(day.year, day.month, day.day, h));
  const end = clock.toEpoch(day.year, day.month, day.day + 1, 0);
  return { day, hours, start: at(hours, 0), end };
}

// ---------------------------------------------------------------------------------------------
// The model: tenants and agents
// ---------------------------------------------------------------------------------------------

type ShiftKind = 'day' | 'evening' | 'night';

/** Shifts in local time; the night shift crosses local midnight. */
const SHIFTS: { readonly [K in ShiftKind]: { readonly startHour: number; readonly seconds: number } } = {
  day: { startHour: 8, seconds: 8.5 * 3600 },
  evening: { startHour: 14, seconds: 8.5 * 3600 },
  night: { startHour: 22, seconds: 8.5 * 3600 },
};

const DIGITAL_MEDIA: readonly MediaCode[] = [
  'CHAT',
  'EMAIL',
  'SMS',
  'SMSSESSION',
  'FACEBOOK',
  'TWITTER',
  'WHATSAPP',
  'COBROWSE',
  'WORKITEM',
];
const DIGITAL_WEIGHTS: readonly number[] = [30, 25, 8, 4, 6, 3, 8, 5, 11];

const MEDIA_KEY = new Map<MediaCode, number>(MEDIA_TYPES.map((m) => [m.code, m.key]));
function mediaKey(code: MediaCode): number {
  const key = MEDIA_KEY.get(code);
  if (key === undefined) throw new Error(`internal: no media key for ${code}`);
  return key;
}

/** Interactions per logged-in hour at scale 1, per media. */
const RATE_PER_HOUR: { readonly [M in MediaCode]: number } = {
  VOICE: 0.8,
  EMAIL: 0.7,
  CHAT: 1.0,
  SMS: 0.5,
  SMSSESSION: 0.4,
  FACEBOOK: 0.3,
  TWITTER: 0.2,
  WHATSAPP: 0.5,
  COBROWSE: 0.25,
  WORKITEM: 0.5,
};

/** Handling time bounds in seconds, per media. */
const HANDLE_SECONDS: { readonly [M in MediaCode]: readonly [number, number] } = {
  VOICE: [45, 900],
  EMAIL: [90, 900],
  CHAT: [240, 1500],
  SMS: [30, 600],
  SMSSESSION: [120, 900],
  FACEBOOK: [60, 900],
  TWITTER: [60, 600],
  WHATSAPP: [60, 900],
  COBROWSE: [300, 1800],
  WORKITEM: [300, 2400],
};

/** Local-hour weights of IVR call arrivals. */
const CALL_HOUR_WEIGHTS: readonly number[] = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 11, 12, 13, 13, 12, 10, 8, 6, 5, 4, 3, 2];

const FIRST_NAMES: readonly string[] = [
  'Anna', 'Ben', 'Carla', 'David', 'Elif', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Luca', 'Maya',
  'Nils', 'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umut', 'Vera', 'Wim', 'Xenia', 'Yusuf', 'Zoe',
  'Amir', 'Bianca', 'Chen', 'Dana', 'Celeste',
];
const LAST_NAMES: readonly string[] = [
  'Adler', 'Brandt', 'Costa', 'Dietrich', 'Evans', 'Fischer', 'Garcia', 'Hansen', 'Ivanova', 'Jansen', 'Keller',
  'Lopez', 'Meyer', 'Novak', 'Okafor', 'Peters', 'Quint', 'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Vogel', 'Weber',
  'Yilmaz', 'Zimmer', 'Moreau', 'Kowalski',
];

interface AgentModel {
  /** 0-based number among the tenant's regular agents; test agents 900 000 + j. */
  readonly serial: number;
  readonly kind: 'agent' | 'test' | 'healthcheck';
  readonly resourceKey: number;
  readonly personDbid: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly userName: string;
  readonly employeeId: string;
  readonly shift: ShiftKind;
  /** VOICE first when the agent does voice. */
  readonly media: readonly MediaCode[];
  readonly outbound: boolean;
  readonly callback: boolean;
  /** Indices into the tenant's switches, primary first. */
  readonly switches: readonly number[];
  readonly staleSwitchName: boolean;
  readonly personState: 'enabled' | 'disabled' | 'deleted';
  /** The last day of the month the agent works (left the company); undefined = all month. */
  readonly lastDay: number | undefined;
  readonly weekdayRate: number;
  readonly weekendRate: number;
  readonly disabledLogin: boolean;
  readonly loginMailbox: boolean;
  readonly dnMailbox: boolean;
  readonly dnOtherOptions: boolean;
}

interface QueueModel {
  readonly name: string;
  readonly code: 'QUEUE' | 'ROUTINGPOINT';
  readonly resourceKey: number;
}

const QUEUE_NAMES: readonly { name: string; code: 'QUEUE' | 'ROUTINGPOINT' }[] = [
  { name: 'VQ_Sales', code: 'QUEUE' },
  { name: 'VQ_Support', code: 'QUEUE' },
  { name: 'VQ_Callback', code: 'QUEUE' },
  { name: 'VQ_Digital', code: 'QUEUE' },
  { name: 'VQ_Email', code: 'QUEUE' },
  { name: 'RP_Main', code: 'ROUTINGPOINT' },
];

const AGENT_GROUPS: readonly { name: string; mailbox: boolean; disabled: boolean }[] = [
  { name: 'Sales', mailbox: true, disabled: false },
  { name: 'Support', mailbox: false, disabled: false },
  { name: 'Billing', mailbox: true, disabled: false },
  { name: 'Retention', mailbox: false, disabled: false },
  // Disabled but still configured: its mailbox exists and counts.
  { name: 'Digital Legacy', mailbox: true, disabled: true },
];

const MAX_AGENTS = 100_000;
const MAX_TENANT_ID = 2000;
const SEQUENCE_LIMIT = 1_000_000_000;

/** Per-run state of one tenant: its model, its clock and its key sequences. */
class TenantRun {
  readonly clock: ZoneClock;
  readonly agents: readonly AgentModel[];
  readonly queues: readonly QueueModel[];
  /** Epoch second of the snapshot: the tenant-local end of the month. */
  readonly snapshot: number;
  readonly stuck: { readonly serial: number; readonly day: number } | undefined;
  openSessions = 0;
  voicemailBoxes = 0;
  private readonly sequences = new Map<TableName, number>();
  private sessionSerial = 0;

  constructor(
    readonly layout: TenantLayout,
    readonly run: RunPlan,
  ) {
    this.clock = new ZoneClock(layout.timezone);
    const agents: AgentModel[] = [];
    for (let i = 0; i < layout.agents; i += 1) agents.push(this.regularAgent(i));
    agents.push(this.testAgent(0, 'test'), this.testAgent(1, 'healthcheck'));
    this.agents = agents;
    this.queues = QUEUE_NAMES.map((q, k) => ({ ...q, resourceKey: layout.gimTenantKey * 1_000_000 + 950_001 + k }));
    this.snapshot = this.clock.toEpoch(run.year, run.month + 1, 1, 0);
    const candidates = agents.filter(
      (a) => a.kind === 'agent' && a.media[0] === 'VOICE' && a.personState === 'enabled' && a.shift === 'day',
    );
    const rng = new Rng(streamSeed(run.seed, STREAM.tenant, layout.gimTenantKey));
    this.stuck =
      candidates.length === 0
        ? undefined
        : { serial: rng.pick(candidates).serial, day: Math.max(1, run.days.length - 1 - 3) };
  }

  /** The next fact key of `table` (GIM facts by GIM tenant key, GVP rows by Config DB tenant). */
  next(table: TableName): number {
    const seq = (this.sequences.get(table) ?? 0) + 1;
    if (seq >= SEQUENCE_LIMIT) throw new GenerateOptionsError(`too many ${table} rows for tenant ${this.layout.name}`);
    this.sequences.set(table, seq);
    const tenant = table.startsWith('gvp_') ? this.layout.cfgTenantDbid : this.layout.gimTenantKey;
    return tenant * 1e12 + this.run.monthIndex * SEQUENCE_LIMIT + seq;
  }

  /** The next serial of a GVP session id. */
  nextSessionSerial(): number {
    this.sessionSerial += 1;
    return this.sessionSerial;
  }

  private regularAgent(i: number): AgentModel {
    const { layout, run } = this;
    const rng = new Rng(streamSeed(run.seed, STREAM.profile, layout.gimTenantKey, i));
    const firstName = rng.pick(FIRST_NAMES);
    // Agent 7 is a real agent whose name contains "test": only an anchored pattern spares her.
    const lastName = i === 6 ? 'Testa' : rng.pick(LAST_NAMES);
    const shift: ShiftKind = (['day', 'evening', 'night'] as const)[rng.weighted([60, 25, 15])] ?? 'day';
    const voice = rng.chance(0.9);
    const media: MediaCode[] = voice ? ['VOICE'] : [];
    if (!voice || rng.chance(0.45)) {
      const wanted = rng.int(1, 3);
      for (let k = 0; k < wanted; k += 1) {
        const code = at(DIGITAL_MEDIA, rng.weighted(DIGITAL_WEIGHTS));
        if (!media.includes(code)) media.push(code);
      }
    }
    // The first agents cover every digital media, so even a small tenant exercises every metric.
    if (i < DIGITAL_MEDIA.length) {
      const code = at(DIGITAL_MEDIA, i);
      if (!media.includes(code)) media.push(code);
    }
    const outbound = voice && (i === 0 || rng.chance(0.2));
    const callback = voice && (i === 1 || rng.chance(0.15));
    const switches: number[] = [];
    const weights = layout.switches.map((s) => s.share);
    const loginCount = rng.weighted([5, 80, 15]);
    if (weights.length > 0 && loginCount >= 1) {
      const primary = rng.weighted(weights);
      switches.push(primary);
      if (loginCount === 2 && weights.length > 1) {
        const rest = weights.map((w, k) => (k === primary ? 0 : w));
        switches.push(rng.weighted(rest));
      }
    }
    const fate = rng.next();
    const personState = fate < 0.01 ? 'deleted' : fate < 0.03 ? 'disabled' : 'enabled';
    const lastDay = personState === 'enabled' ? undefined : rng.int(5, Math.max(5, run.days.length - 4));
    const userName = `${firstName}.${lastName}${i + 1}@${layout.name}`.toLowerCase();
    return {
      serial: i,
      kind: 'agent',
      resourceKey: layout.gimTenantKey * 1_000_000 + i + 1,
      personDbid: layout.cfgTenantDbid * 1_000_000 + i + 1,
      firstName,
      lastName,
      userName,
      employeeId: `${layout.name.toUpperCase()}-${String(i + 1).padStart(5, '0')}`,
      shift,
      media,
      outbound,
      callback,
      switches,
      staleSwitchName: rng.chance(0.1),
      personState,
      lastDay,
      weekdayRate: 0.9,
      weekendRate: 0.35,
      disabledLogin: rng.chance(0.02),
      loginMailbox: rng.chance(0.1),
      dnMailbox: rng.chance(0.3),
      dnOtherOptions: rng.chance(0.2),
    };
  }

  private testAgent(j: number, kind: 'test' | 'healthcheck'): AgentModel {
    const { layout } = this;
    const userName = kind === 'test' ? `test_agent1@${layout.name}` : `healthcheck.sip@${layout.name}`;
    return {
      serial: 900_000 + j,
      kind,
      resourceKey: layout.gimTenantKey * 1_000_000 + 900_001 + j,
      personDbid: layout.cfgTenantDbid * 1_000_000 + 900_001 + j,
      firstName: kind === 'test' ? 'Test' : 'Health',
      lastName: kind === 'test' ? 'Agent' : 'Check',
      userName,
      employeeId: `${layout.name.toUpperCase()}-T${j + 1}`,
      shift: 'day',
      media: kind === 'test' ? ['VOICE', 'CHAT'] : ['VOICE'],
      outbound: false,
      callback: false,
      switches: layout.switches.length > 0 ? [0] : [],
      staleSwitchName: false,
      personState: 'enabled',
      lastDay: undefined,
      weekdayRate: 1,
      weekendRate: 0,
      disabledLogin: false,
      loginMailbox: false,
      dnMailbox: false,
      dnOtherOptions: false,
    };
  }
}

interface RunPlan {
  readonly seed: number;
  readonly year: number;
  /** 1…12 */
  readonly month: number;
  readonly monthIndex: number;
  readonly scale: number;
  readonly chunkRows: number;
  readonly include: ReadonlySet<GeneratePart>;
  /** The eve first, then every day of the month. */
  readonly days: readonly DayInfo[];
}

const ALL_PARTS: readonly GeneratePart[] = ['gim-dimensions', 'config', 'gim-facts', 'gvp'];

function positiveInteger(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= max;
}

/** Validates the options and resolves defaults. */
function plan(options: GenerateOptions): RunPlan {
  if (!Number.isSafeInteger(options.seed)) throw new GenerateOptionsError(`seed must be a safe integer, got ${options.seed}`);
  const match = /^(\d{4})-(\d{2})$/.exec(options.month);
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  if (match === null || year < 2000 || year > 2079 || month < 1 || month > 12) {
    throw new GenerateOptionsError(`month must be YYYY-MM between 2000-01 and 2079-12, got "${options.month}"`);
  }
  const scale = options.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 100)) {
    throw new GenerateOptionsError(`scale must be in (0, 100], got ${scale}`);
  }
  const chunkRows = options.chunkRows ?? 1000;
  if (!positiveInteger(chunkRows, 1_000_000)) {
    throw new GenerateOptionsError(`chunkRows must be a positive integer, got ${chunkRows}`);
  }
  const include = new Set(options.include ?? ALL_PARTS);
  for (const part of include) {
    if (!ALL_PARTS.includes(part)) throw new GenerateOptionsError(`unknown part "${String(part)}"`);
  }
  const seen = { name: new Set<string>(), gim: new Set<number>(), cfg: new Set<number>() };
  for (const t of options.tenants) {
    if (!/^[a-z][a-z0-9_-]*$/i.test(t.name)) throw new GenerateOptionsError(`tenant name "${t.name}" must be a simple identifier`);
    if (!positiveInteger(t.gimTenantKey, MAX_TENANT_ID)) {
      throw new GenerateOptionsError(`tenant ${t.name}: gimTenantKey must be an integer in 1..${MAX_TENANT_ID}`);
    }
    // DBID 1 is the Environment tenant the generator writes itself.
    if (!positiveInteger(t.cfgTenantDbid, MAX_TENANT_ID) || t.cfgTenantDbid === 1) {
      throw new GenerateOptionsError(`tenant ${t.name}: cfgTenantDbid must be an integer in 2..${MAX_TENANT_ID}`);
    }
    if (!Number.isInteger(t.agents) || t.agents < 0 || t.agents > MAX_AGENTS) {
      throw new GenerateOptionsError(`tenant ${t.name}: agents must be an integer in 0..${MAX_AGENTS}`);
    }
    if (t.switches.length > 99) throw new GenerateOptionsError(`tenant ${t.name}: at most 99 switches`);
    if (t.switches.some((s) => !(Number.isFinite(s.share) && s.share > 0) || s.name.trim() === '')) {
      throw new GenerateOptionsError(`tenant ${t.name}: every switch needs a name and a positive share`);
    }
    if (new Set(t.switches.map((s) => s.name)).size !== t.switches.length) {
      throw new GenerateOptionsError(`tenant ${t.name}: duplicate switch names`);
    }
    if (seen.name.has(t.name) || seen.gim.has(t.gimTenantKey) || seen.cfg.has(t.cfgTenantDbid)) {
      throw new GenerateOptionsError(`tenant ${t.name}: name, gimTenantKey and cfgTenantDbid must be unique`);
    }
    seen.name.add(t.name);
    seen.gim.add(t.gimTenantKey);
    seen.cfg.add(t.cfgTenantDbid);
  }
  const days: DayInfo[] = [dayInfo(year, month, 0, 0)];
  for (let d = 1; d <= daysInMonth(year, month); d += 1) days.push(dayInfo(year, month, d, d));
  return {
    seed: options.seed,
    year,
    month,
    monthIndex: (year - 2000) * 12 + month - 1,
    scale,
    chunkRows,
    include,
    days,
  };
}

// ---------------------------------------------------------------------------------------------
// Row producers. Each yields [table, row] pairs; generateActivity chunks them.
// ---------------------------------------------------------------------------------------------

type Emit = readonly [TableName, Cell[]];
type Span = [number, number];

/** Tenants, the two fixed dimensions and every tenant's resources. */
function* dimensionRows(tenants: readonly TenantRun[]): Generator<Emit> {
  for (const t of tenants) yield ['tenant', [t.layout.gimTenantKey, t.layout.name, t.layout.cfgTenantDbid]];
  for (const m of MEDIA_TYPES) yield ['media_type', [m.key, m.name, m.code, m.online]];
  for (const it of INTERACTION_TYPES) {
    yield ['interaction_type', [it.key, it.type, it.code, it.subtype, it.subtypeCode]];
  }
  for (const t of tenants) {
    const tenantKey = t.layout.gimTenantKey;
    const names = t.layout.switches.map((s) => s.name);
    for (const a of t.agents) {
      const primary = a.switches[0];
      let switchName: string | null = primary === undefined ? null : at(names, primary);
      // GIM copies the switch once and never updates it: stale names are normal, the Config DB
      // is what places an agent in a region.
      if (a.staleSwitchName && names.length > 1) switchName = at(names, ((primary ?? -1) + 1) % names.length);
      yield [
        'resource_',
        [a.resourceKey, tenantKey, 'Agent', 'AGENT', null, a.userName, a.firstName, a.lastName, a.employeeId,
          switchName, a.personDbid, 3],
      ];
    }
    const hasSwitch = names.length > 0;
    for (const [k, q] of t.queues.entries()) {
      yield [
        'resource_',
        [q.resourceKey, tenantKey, q.code === 'QUEUE' ? 'Queue' : 'Routing Point', q.code,
          q.code === 'QUEUE' ? 'Virtual Queue' : null, q.name, null, null, null, names[0] ?? null,
          hasSwitch ? queueDnDbid(t.layout.cfgTenantDbid, 0, k) : null, hasSwitch ? 2 : null],
      ];
    }
  }
}

function queueDnDbid(cfgTenantDbid: number, switchIndex: number, queueIndex: number): number {
  return cfgTenantDbid * 1_000_000 + 960_000 + switchIndex * 10 + queueIndex;
}

/** The Environment tenant and its default administrator (Person 100), written once per run. */
function* environmentRows(): Generator<Emit> {
  yield ['cfg_tenant', [1, 'Environment', 1]];
  yield ['cfg_person', [100, 1, 'default', null, null, 'default', 1, 1]];
}

/** One tenant's Config DB snapshot, counting the voicemail boxes it creates as it goes. */
function* configRows(t: TenantRun): Generator<Emit> {
  const { layout } = t;
  const tenant = layout.cfgTenantDbid;
  const base = tenant * 1_000_000;
  const rng = new Rng(streamSeed(t.run.seed, STREAM.config, tenant));
  let flexSeq = 0;
  const nextFlexDbid = (): number => {
    flexSeq += 1;
    if (flexSeq >= 1_000_000) throw new GenerateOptionsError(`too many annex options for tenant ${layout.name}`);
    return base + flexSeq;
  };
  /** A section row (parent 0) and its option rows (parent = the section's dbid). */
  function* section(
    objectDbid: number,
    objectType: number,
    name: string,
    options: readonly (readonly [string, string | null])[],
  ): Generator<Emit> {
    const sectionDbid = nextFlexDbid();
    yield ['cfg_flex_prop', [sectionDbid, objectDbid, objectType, 0, null, name, null]];
    for (const [option, value] of options) {
      yield ['cfg_flex_prop', [nextFlexDbid(), objectDbid, objectType, sectionDbid, null, option, value]];
    }
  }
  /** A counted voicemail box: the option in section TServer, with a non-blank value. */
  function* mailbox(objectDbid: number, objectType: number, value: string): Generator<Emit> {
    t.voicemailBoxes += 1;
    yield* section(objectDbid, objectType, 'TServer', [['gvm_mailbox', value]]);
  }

  yield ['cfg_tenant', [tenant, layout.name, 1]];
  const switchDbid = (s: number): number => tenant * 100 + s + 1;
  for (const [s, sw] of layout.switches.entries()) yield ['cfg_switch', [switchDbid(s), tenant, sw.name, 1, 1]];

  // Persons: agents (is_agent 2) minus the deleted ones, plus supervisors who are not agents.
  for (const a of t.agents) {
    if (a.personState === 'deleted') continue;
    yield [
      'cfg_person',
      [a.personDbid, tenant, a.userName, a.firstName, a.lastName, a.employeeId, 2, a.personState === 'disabled' ? 2 : 1],
    ];
  }
  const supervisors = Math.max(1, Math.round(layout.agents / 25));
  for (let k = 0; k < supervisors; k += 1) {
    const dbid = base + 950_001 + k;
    const userName = `supervisor${k + 1}@${layout.name}`;
    yield ['cfg_person', [dbid, tenant, userName, 'Sam', `Lead${k + 1}`, `${layout.name.toUpperCase()}-S${k + 1}`, 1, 1]];
    // Decoy: the option on a Person (object type 3) is not a mailbox.
    if (k === 0) yield* section(dbid, 3, 'TServer', [['gvm_mailbox', '7001']]);
  }

  // Agent Logins and which Person may use them. A deleted Person's logins stay, unassigned.
  for (const a of t.agents) {
    const test = a.kind !== 'agent';
    for (const [k, s] of a.switches.entries()) {
      const loginDbid = test ? base + 900_101 + (a.serial - 900_000) * 2 + k : base + 2 * a.serial + k + 1;
      const code = test ? `99${a.serial - 900_000}` : String(100_000 + a.serial);
      yield ['cfg_agent_login', [loginDbid, switchDbid(s), tenant, code, a.disabledLogin ? 2 : 1]];
      if (a.personState !== 'deleted') yield ['cfg_login_info', [a.personDbid, loginDbid, (a.serial % 4) * 10]];
      if (k === 0 && a.loginMailbox) yield* mailbox(loginDbid, 15, code);
    }
  }
  if (layout.switches.length > 0) {
    const spare = Math.max(2, Math.round(layout.agents * 0.05));
    for (let j = 0; j < spare; j += 1) {
      const dbid = base + 800_001 + j;
      const code = String(800_000 + j);
      // Spare 0 is disabled and keeps its mailbox (counts); spare 1 has a blank one (does not).
      yield ['cfg_agent_login', [dbid, switchDbid(j % layout.switches.length), tenant, code, j === 0 ? 2 : 1]];
      if (j === 0) yield* mailbox(dbid, 15, code);
      else if (j === 1) yield* section(dbid, 15, 'TServer', [['gvm_mailbox', '   ']]);
      else if (rng.chance(0.3)) yield* mailbox(dbid, 15, code);
    }

    // DNs: an extension per agent with a login, queues and a routing point per switch, decoys.
    for (const a of t.agents) {
      const primary = a.switches[0];
      if (primary === undefined) continue;
      const test = a.kind !== 'agent';
      const dbid = test ? base + 900_001 + (a.serial - 900_000) : base + a.serial + 1;
      const number = test ? `2990${a.serial - 900_000}` : String(20_000 + a.serial);
      yield ['cfg_dn', [dbid, switchDbid(primary), tenant, 1, number, 1]];
      const options: (readonly [string, string | null])[] = [];
      if (a.dnOtherOptions) options.push(['contact', '*']);
      if (a.dnMailbox) {
        options.push(['gvm_mailbox', number]);
        t.voicemailBoxes += 1;
      }
      if (a.dnOtherOptions) options.push(['dual-dialog-enabled', 'true']);
      if (options.length > 0) yield* section(dbid, 2, 'TServer', options);
    }
    for (const s of layout.switches.keys()) {
      for (const [k, q] of QUEUE_NAMES.entries()) {
        const dbid = queueDnDbid(tenant, s, k);
        yield ['cfg_dn', [dbid, switchDbid(s), tenant, q.code === 'QUEUE' ? 3 : 4, String(7000 + s * 10 + k), 1]];
        if (s === 0 && k === 0) yield* mailbox(dbid, 2, '7000');
      }
    }
    const decoy = (k: number): number => base + 990_001 + k;
    const first = switchDbid(0);
    yield ['cfg_dn', [decoy(0), first, tenant, 1, '5990', 1]];
    yield* section(decoy(0), 2, 'voicemail', [['gvm_mailbox', '5990']]); // another section: no
    yield ['cfg_dn', [decoy(1), first, tenant, 1, '5991', 1]];
    yield* section(decoy(1), 2, 'TServer', [['gvm_mailbox', '']]); // blank: no
    yield ['cfg_dn', [decoy(2), first, tenant, 1, '5992', 1]];
    yield* section(decoy(2), 2, 'TServer', [['gvm_mailbox', null]]); // NULL: no
    yield ['cfg_dn', [decoy(3), first, tenant, 1, '5993', 2]];
    yield* mailbox(decoy(3), 2, '5993'); // disabled DN, still configured: yes
  }

  for (const [k, g] of AGENT_GROUPS.entries()) {
    const dbid = tenant * 100 + k + 1;
    yield ['cfg_group', [dbid, tenant, g.name, 1, g.disabled ? 2 : 1]];
    if (g.mailbox) yield* mailbox(dbid, 5, String(6000 + k));
  }
}

/** Emits one session; returns the window in which it can carry interactions, if it exists. */
function* session(
  t: TenantRun,
  resourceKey: number,
  media: MediaCode,
  start: number,
  plannedEnd: number,
  forcedOpen: boolean,
): Generator<Emit, Span | undefined> {
  if (start >= t.snapshot) return undefined;
  const open = forcedOpen || plannedEnd > t.snapshot;
  if (open) t.openSessions += 1;
  yield [
    'sm_res_session_fact',
    [t.next('sm_res_session_fact'), t.layout.gimTenantKey, mediaKey(media), resourceKey, dtKey(start),
      open ? OPEN_END_DATE_TIME_KEY : dtKey(plannedEnd), start, open ? null : plannedEnd,
      open ? null : plannedEnd - start, open ? 1 : 0],
  ];
  return [start, Math.min(plannedEnd, t.snapshot)];
}

interface InteractionOptions {
  /** Force handled or not (default: 90 % handled). */
  readonly handled?: boolean;
  /** false: no queue part even for an inbound interaction. */
  readonly queue?: boolean;
  /** Force the agent's handling time. */
  readonly seconds?: number;
}

/** The virtual queue an interaction waited in before reaching the agent, if any. */
function queueFor(t: TenantRun, rng: Rng, media: MediaCode, type: number): QueueModel | undefined {
  if (type === IT.callback) return at(t.queues, 2);
  if (type !== IT.inboundNew && type !== IT.inboundReply) return undefined;
  if (!rng.chance(0.6)) return undefined;
  if (media === 'VOICE') return at(t.queues, rng.chance(0.5) ? 0 : 1);
  return at(t.queues, media === 'EMAIL' ? 4 : 3);
}

/** One interaction: its interaction_fact, maybe a queue's part, and the agent's part. */
function* interaction(
  t: TenantRun,
  rng: Rng,
  resourceKey: number,
  media: MediaCode,
  type: number,
  start: number,
  options: InteractionOptions = {},
): Generator<Emit> {
  const handled = options.handled ?? rng.chance(0.9);
  const [low, high] = HANDLE_SECONDS[media];
  // Not handled: it rang or was offered for a few seconds and went elsewhere.
  const agentEnd = start + (options.seconds ?? (handled ? rng.int(low, high) : rng.int(4, 25)));
  const queue = options.queue === false ? undefined : queueFor(t, rng, media, type);
  const first = queue === undefined ? start : start - rng.int(5, 180);
  const end = agentEnd > t.snapshot ? null : agentEnd;
  const tenantKey = t.layout.gimTenantKey;
  const mk = mediaKey(media);
  const id = t.next('interaction_fact');
  yield [
    'interaction_fact',
    [id, tenantKey, type, mk, dtKey(first), end === null ? OPEN_END_DATE_TIME_KEY : dtKey(end), first, end],
  ];
  if (queue !== undefined) {
    yield [
      'interaction_resource_fact',
      [t.next('interaction_resource_fact'), id, tenantKey, queue.resourceKey, mk, type, dtKey(first), first, start, 0, 0],
    ];
  }
  yield [
    'interaction_resource_fact',
    [t.next('interaction_resource_fact'), id, tenantKey, resourceKey, mk, type, dtKey(start), start, end,
      handled && media === 'VOICE' ? 1 : 0, handled ? 1 : 0],
  ];
}

function interactionType(rng: Rng, media: MediaCode, agent: AgentModel): number {
  switch (media) {
    case 'VOICE':
      return at(
        [IT.inboundNew, IT.outboundNew, IT.internal, IT.outboundContact, IT.callback],
        rng.weighted([70, 6, 5, agent.outbound ? 25 : 0, agent.callback ? 10 : 0]),
      );
    case 'EMAIL':
      return at([IT.inboundNew, IT.inboundReply, IT.outboundReply, IT.outboundNew], rng.weighted([55, 20, 20, 5]));
    case 'SMS':
      return rng.chance(0.3) ? IT.outboundNew : IT.inboundNew;
    case 'WORKITEM':
      return IT.inboundNew;
    default:
      return rng.chance(0.1) ? IT.inboundReply : IT.inboundNew;
  }
}

/**
 * The login spans of one shift: sometimes a few-second login glitch before it, then one span,
 * or two around a break (logged out), touching (re-login in the same second) or overlapping
 * (the new login recorded before the old logout).
 */
function shiftSpans(start: number, length: number, rng: Rng): Span[] {
  const spans: Span[] = [];
  if (rng.chance(0.04)) {
    const glitch = start - rng.int(300, 900);
    spans.push([glitch, glitch + rng.int(5, 90)]);
  }
  const end = start + length;
  const pattern = rng.weighted([50, 30, 10, 10]);
  if (pattern === 0) {
    spans.push([start, end]);
    return spans;
  }
  const pause = start + Math.floor(length * (0.4 + 0.2 * rng.next()));
  spans.push([start, pause]);
  const resume = pattern === 1 ? pause + rng.int(900, 2700) : pattern === 2 ? pause : pause - rng.int(60, 600);
  spans.push([resume, Math.max(end, resume + 1800)]);
  return spans;
}

/** A second media's spans: the same shape, logged in a little later and out a little earlier. */
function offsetSpans(spans: readonly Span[], rng: Rng): Span[] {
  const out = spans.map((s): Span => [s[0], s[1]]);
  const first = at(out, 0);
  const later = first[0] + rng.int(0, 180);
  if (later < first[1]) first[0] = later;
  const last = at(out, out.length - 1);
  const earlier = last[1] - rng.int(0, 180);
  if (earlier > last[0]) last[1] = earlier;
  return out;
}

/** One agent's sessions and interactions of one local day. */
function* agentDay(t: TenantRun, td: TenantDay, agent: AgentModel): Generator<Emit> {
  const { day } = td;
  const rng = new Rng(streamSeed(t.run.seed, STREAM.agentDay, t.layout.gimTenantKey, day.ordinal, agent.serial));
  if (agent.kind === 'healthcheck') {
    if (day.dayOfMonth > 0) yield* healthcheckDay(t, td, agent, rng);
    return;
  }
  // The eve only contributes the night shift that runs into day 1.
  if (day.dayOfMonth === 0 && !(agent.kind === 'agent' && agent.shift === 'night')) return;
  if (agent.lastDay !== undefined && day.dayOfMonth > agent.lastDay) return;
  const stuck = t.stuck !== undefined && t.stuck.serial === agent.serial && t.stuck.day === day.dayOfMonth;
  const works = rng.chance(day.weekend ? agent.weekendRate : agent.weekdayRate);
  if (!works && !stuck) return;
  let spans: Span[];
  if (agent.kind === 'test') {
    const start = at(td.hours, 10) + rng.int(0, 1200);
    spans = [[start, start + rng.int(1800, 3600)]];
  } else {
    const shift = SHIFTS[agent.shift];
    spans = shiftSpans(at(td.hours, shift.startHour) + rng.int(-1800, 1800), shift.seconds + rng.int(-1200, 1200), rng);
  }
  for (const [m, media] of agent.media.entries()) {
    const mediaSpans = m === 0 ? spans : offsetSpans(spans, rng);
    for (const [s, [start, end]] of mediaSpans.entries()) {
      const forcedOpen = stuck && m === 0 && s === mediaSpans.length - 1;
      const window = yield* session(t, agent.resourceKey, media, start, end, forcedOpen);
      if (window === undefined) continue;
      const hours = (window[1] - window[0]) / 3600;
      let count = Math.floor(RATE_PER_HOUR[media] * t.run.scale * hours * (0.5 + rng.next()) + rng.next());
      // A tester always places at least one test call or chat.
      if (agent.kind === 'test') count = Math.max(count, 1);
      for (let k = 0; k < count; k += 1) {
        const when = window[0] + rng.int(0, Math.max(0, window[1] - window[0] - 30));
        yield* interaction(t, rng, agent.resourceKey, media, interactionType(rng, media, agent), when,
          agent.kind === 'test' ? { handled: true } : {});
      }
    }
  }
  if (agent.kind !== 'agent') return;
  // Decoys: a handled interaction well after logout, and one of a media the agent is not
  // logged in to. Neither may make a seat.
  const lastEnd = Math.max(...spans.map((s) => s[1]));
  if (rng.chance(0.02)) {
    const when = lastEnd + rng.int(5400, 9000);
    if (when < t.snapshot) {
      yield* interaction(t, rng, agent.resourceKey, at(agent.media, 0), IT.inboundNew, when, { handled: true, queue: false });
    }
  }
  if (rng.chance(0.01)) {
    const other: MediaCode | undefined = !agent.media.includes('CHAT')
      ? 'CHAT'
      : !agent.media.includes('VOICE')
        ? 'VOICE'
        : undefined;
    const [start, end] = at(spans, spans.length - 1);
    const when = start + rng.int(0, Math.max(0, end - start - 1));
    if (other !== undefined && when < t.snapshot) {
      yield* interaction(t, rng, agent.resourceKey, other, IT.inboundNew, when, { handled: true, queue: false });
    }
  }
}

/** The health-check bot: a short login and one test call every hour, every day. */
function* healthcheckDay(t: TenantRun, td: TenantDay, agent: AgentModel, rng: Rng): Generator<Emit> {
  for (let h = 0; h < 24; h += 1) {
    const start = at(td.hours, h) + 300 + rng.int(0, 30);
    const window = yield* session(t, agent.resourceKey, 'VOICE', start, start + rng.int(150, 240), false);
    if (window !== undefined) {
      yield* interaction(t, rng, agent.resourceKey, 'VOICE', IT.inboundNew, window[0] + 20, {
        handled: true,
        queue: false,
        seconds: 60,
      });
    }
  }
}

/** The deliberate orphan: a session and a handled call of a resource_key resource_ lacks. */
function* orphanDay(t: TenantRun, td: TenantDay): Generator<Emit> {
  const key = orphanResourceKey(t.layout.gimTenantKey);
  const rng = new Rng(streamSeed(t.run.seed, STREAM.agentDay, t.layout.gimTenantKey, td.day.ordinal, 999_999));
  const start = at(td.hours, 9) + rng.int(0, 600);
  const window = yield* session(t, key, 'VOICE', start, start + 3600, false);
  if (window !== undefined) {
    yield* interaction(t, rng, key, 'VOICE', IT.inboundNew, start + 600, { handled: true, queue: false });
  }
}

/** A GVP session id: UUID-shaped, unique by tenant, month and serial. */
function gvpSessionId(t: TenantRun, rng: Rng): string {
  const hex = (value: number, width: number): string => value.toString(16).toUpperCase().padStart(width, '0');
  const serial = t.nextSessionSerial();
  const random = `${hex(rng.int(0, 0xffffffff), 8)}`;
  return `${random}-${hex(t.layout.cfgTenantDbid, 4)}-${hex(t.run.monthIndex, 4)}-${hex(rng.int(0, 0xffff), 4)}-${hex(serial, 12)}`;
}

function* mediaSession(t: TenantRun, kind: 'ASR' | 'TTS', sessionId: string, startMs: number, endMs: number): Generator<Emit> {
  const snapshotMs = t.snapshot * 1000;
  if (startMs >= snapshotMs) return;
  yield [
    'gvp_media_resource_session',
    [t.next('gvp_media_resource_session'), kind === 'ASR' ? GVP_COMPONENTS.asr : GVP_COMPONENTS.tts, sessionId, kind,
      t.layout.cfgTenantDbid, gvpTimestamp(startMs), endMs > snapshotMs ? null : gvpTimestamp(endMs)],
  ];
}

/** One IVR call: its MCP, RM (and sometimes CCP) records and the ASR / TTS it used. */
function* gvpCall(t: TenantRun, rng: Rng, startMs: number, plannedEndMs: number): Generator<Emit> {
  const snapshotMs = t.snapshot * 1000;
  if (startMs >= snapshotMs) return;
  const tenant = t.layout.cfgTenantDbid;
  const sessionId = gvpSessionId(t, rng);
  const appId = tenant * 10 + rng.int(1, 3);
  const dn = `+1800${String(tenant).padStart(4, '0')}${String(rng.int(0, 2)).padStart(3, '0')}`;
  // Every component's record of the call shares its session id; a record still running at the
  // snapshot has no end.
  const cdr = (component: 'MCP' | 'RM' | 'CCP', compId: number, fromMs: number, toMs: number): Emit => [
    'gvp_cdr',
    [t.next('gvp_cdr'), component, compId, sessionId, tenant, appId, dn, gvpTimestamp(fromMs),
      toMs > snapshotMs ? null : gvpTimestamp(toMs)],
  ];
  const rmStart = startMs - rng.int(50, 800);
  const rm = rng.pick(GVP_COMPONENTS.rm);
  if (rng.chance(0.01)) {
    // Rejected by the Resource Manager: an RM record and no MCP call.
    yield cdr('RM', rm, rmStart, rmStart + rng.int(500, 3000));
    return;
  }
  yield cdr('MCP', rng.pick(GVP_COMPONENTS.mcp), startMs, plannedEndMs);
  yield cdr('RM', rm, rmStart, plannedEndMs + rng.int(50, 500));
  if (rng.chance(0.08)) {
    yield cdr('CCP', at(GVP_COMPONENTS.ccp, 0), startMs + rng.int(20, 200), plannedEndMs + rng.int(0, 200));
  }
  const tts = rng.chance(0.55);
  const asr = rng.chance(0.35);
  if (!tts && !asr) return;
  let cursor = startMs + rng.int(300, 3000);
  const turns = rng.int(1, 3);
  for (let k = 0; k < turns && cursor < plannedEndMs; k += 1) {
    let turnEnd = cursor;
    if (tts) {
      turnEnd = Math.min(cursor + rng.int(2000, 25_000), plannedEndMs);
      yield* mediaSession(t, 'TTS', sessionId, cursor, turnEnd);
    }
    if (asr) {
      // Barge-in: recognition may start while the prompt still plays, so ASR and TTS overlap.
      const start = tts && rng.chance(0.5) ? cursor + Math.floor((turnEnd - cursor) * rng.next()) : turnEnd;
      const end = Math.min(start + rng.int(1500, 12_000), plannedEndMs);
      if (start < end) {
        yield* mediaSession(t, 'ASR', sessionId, start, end);
        turnEnd = Math.max(turnEnd, end);
      }
    }
    cursor = turnEnd + rng.int(2000, 20_000);
  }
}

/** IVR calls per agent and working day at scale 1. */
const CALLS_PER_AGENT = 1.5;

/** One tenant's IVR traffic of one local day, with calls across local and UTC midnight. */
function* gvpDay(t: TenantRun, td: TenantDay): Generator<Emit> {
  const { day } = td;
  if (day.dayOfMonth === 0) return;
  const rng = new Rng(streamSeed(t.run.seed, STREAM.gvp, t.layout.cfgTenantDbid, day.ordinal));
  const volume = t.layout.agents * CALLS_PER_AGENT * t.run.scale * (day.weekend ? 0.5 : 1);
  const calls = Math.round(volume * (0.85 + 0.3 * rng.next()));
  for (let i = 0; i < calls; i += 1) {
    const start = (at(td.hours, rng.weighted(CALL_HOUR_WEIGHTS)) + rng.int(0, 3599)) * 1000 + rng.int(0, 999);
    // Mostly short calls, with a long tail (exponential, capped at an hour).
    const length = Math.min(3_600_000, 15_000 + Math.round(-Math.log(1 - rng.next()) * 150_000));
    yield* gvpCall(t, rng, start, start + length);
  }
  // On the month's last day these two are still running at the snapshot: call_end NULL.
  for (let k = 0; k < 2; k += 1) {
    const start = td.end * 1000 - rng.int(30_000, 600_000);
    yield* gvpCall(t, rng, start, start + rng.int(900_000, 1_800_000));
  }
  // The UTC midnights that fall inside the local day (ms).
  for (const utc of [day.ordinal * SECONDS_PER_DAY * 1000, (day.ordinal + 1) * SECONDS_PER_DAY * 1000]) {
    if (utc > td.start * 1000 && utc < td.end * 1000) {
      const start = utc - rng.int(30_000, 600_000);
      yield* gvpCall(t, rng, start, start + rng.int(900_000, 1_800_000));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Chunking, the generator and the loader
// ---------------------------------------------------------------------------------------------

/** Per-table row buffers, handed out in chunks of at most `chunkRows` rows. */
class RowBuffers {
  private readonly buffers = new Map<TableName, Cell[][]>();

  constructor(private readonly chunkRows: number) {
    // Pre-seeded in load order, so chunks come out dimension tables first.
    for (const table of TABLE_NAMES) this.buffers.set(table, []);
  }

  push([table, row]: Emit): void {
    this.buffers.get(table)?.push(row);
  }

  /** Full chunks only; the remainder waits for more rows. */
  *full(day: string | null): Generator<TableRows> {
    for (const [table, rows] of this.buffers) {
      while (rows.length >= this.chunkRows) yield this.chunk(table, rows.splice(0, this.chunkRows), day);
    }
  }

  /** Everything buffered. */
  *rest(day: string | null): Generator<TableRows> {
    for (const [table, rows] of this.buffers) {
      while (rows.length > 0) yield this.chunk(table, rows.splice(0, this.chunkRows), day);
    }
  }

  private chunk(table: TableName, rows: Cell[][], day: string | null): TableRows {
    return { table, columns: TABLE_COLUMNS[table], rows, day };
  }
}

/**
 * Generates a month of activity for the given tenants, as chunks of rows per table: first the
 * GIM dimensions and the Config DB snapshot, then each day (the eve first) with every tenant's
 * sessions, interactions and GVP records of that tenant-local day. Memory stays bounded by the
 * chunk size and the agent models, whatever the month's volume.
 *
 * @returns an async generator whose return value carries the expected voicemail-box count and
 *   the number of open sessions per tenant.
 * @throws GenerateOptionsError when the options are unusable.
 */
export async function* generateActivity(options: GenerateOptions): AsyncGenerator<TableRows, GenerateNotes, undefined> {
  const run = plan(options);
  const tenants = options.tenants.map((layout) => new TenantRun(layout, run));
  const buffers = new RowBuffers(run.chunkRows);
  const { include } = run;
  if (include.has('gim-dimensions')) {
    for (const emit of dimensionRows(tenants)) {
      buffers.push(emit);
      yield* buffers.full(null);
    }
  }
  if (include.has('config')) for (const emit of environmentRows()) buffers.push(emit);
  for (const t of tenants) {
    // Walked even when not wanted, so the voicemail count never depends on `include`.
    for (const emit of configRows(t)) {
      if (!include.has('config')) continue;
      buffers.push(emit);
      yield* buffers.full(null);
    }
  }
  yield* buffers.rest(null);
  const facts = include.has('gim-facts');
  const gvp = include.has('gvp');
  if (facts || gvp) {
    for (const day of run.days) {
      for (const t of tenants) {
        const td = tenantDay(t.clock, day);
        if (facts) {
          for (const agent of t.agents) {
            for (const emit of agentDay(t, td, agent)) buffers.push(emit);
            yield* buffers.full(day.date);
          }
          if (day.dayOfMonth === 1) for (const emit of orphanDay(t, td)) buffers.push(emit);
        }
        if (gvp) {
          for (const emit of gvpDay(t, td)) {
            buffers.push(emit);
            yield* buffers.full(day.date);
          }
        }
      }
      yield* buffers.rest(day.date);
    }
  }
  return {
    voicemailBoxes: Object.fromEntries(tenants.map((t) => [t.layout.name, t.voicemailBoxes])),
    openSessions: Object.fromEntries(tenants.map((t) => [t.layout.name, t.openSessions])),
  };
}

/** Where generated chunks go: a multi-row INSERT today, maybe COPY later. */
export interface TableSink {
  write(chunk: TableRows): Promise<void>;
}

/** PostgreSQL's limit on bind parameters in one statement. */
const MAX_PARAMETERS = 65_535;

/** Writes chunks with parameterised multi-row INSERTs of up to `rowsPerStatement` rows. */
export class InsertTableSink implements TableSink {
  constructor(
    private readonly client: pg.ClientBase,
    private readonly rowsPerStatement = 1000,
  ) {}

  /**
   * Inserts the chunk's rows.
   * @throws ActivityLoadError when a statement fails.
   */
  async write(chunk: TableRows): Promise<void> {
    const width = chunk.columns.length;
    const step = Math.max(1, Math.min(this.rowsPerStatement, Math.floor(MAX_PARAMETERS / width)));
    const head = `INSERT INTO ${chunk.table} (${chunk.columns.join(', ')}) VALUES `;
    for (let offset = 0; offset < chunk.rows.length; offset += step) {
      const values: Cell[] = [];
      const tuples: string[] = [];
      for (const row of chunk.rows.slice(offset, offset + step)) {
        if (row.length !== width) throw new ActivityLoadError(chunk.table, `a row has ${row.length} cells for ${width} columns`);
        const marks: string[] = [];
        for (const cell of row) {
          values.push(cell);
          marks.push(`$${values.length}`);
        }
        tuples.push(`(${marks.join(', ')})`);
      }
      try {
        await this.client.query(head + tuples.join(', '), values);
      } catch (error) {
        throw new ActivityLoadError(chunk.table, error instanceof Error ? error.message : String(error), { cause: error });
      }
    }
  }
}

/**
 * Generates a month of activity and writes it to the database `client` is connected to (which
 * must hold the three reference schemas, empty of the generated keys).
 *
 * @param sink where rows go; default: multi-row INSERTs on `client`.
 * @returns rows written per table, plus the generator's notes.
 * @throws GenerateOptionsError for unusable options, ActivityLoadError when writing fails.
 */
export async function loadActivity(
  client: pg.ClientBase,
  options: GenerateOptions,
  sink: TableSink = new InsertTableSink(client),
): Promise<GenerateSummary> {
  const rows = Object.fromEntries(TABLE_NAMES.map((table) => [table, 0])) as Record<TableName, number>;
  let totalRows = 0;
  const activity = generateActivity(options);
  for (;;) {
    const step = await activity.next();
    if (step.done === true) {
      return { seed: options.seed, month: options.month, rows, totalRows, ...step.value };
    }
    await sink.write(step.value);
    rows[step.value.table] += step.value.rows.length;
    totalRows += step.value.rows.length;
  }
}
