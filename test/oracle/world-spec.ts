/**
 * The random part of a world, as fast-check arbitraries of plain choices (indices, offsets,
 * kinds). Every reference between rows is an index taken modulo the list it points into, so any
 * shrink of any list still describes a valid world: fast-check can drop rows, tenants, days and
 * metrics freely while it looks for the smallest failing world. `buildWorld` turns a spec into
 * rows and configuration.
 */
import fc from 'fast-check';
import { METRIC_KEYS } from './metric-definitions';

/** Zones with DST changes inside the spans and odd offsets (metrics.md: "Days around a DST change last 23 or 25 hours"). */
export const ZONES = [
  'UTC',
  'Europe/Paris',
  'Europe/London',
  'America/New_York',
  'America/St_Johns', // -03:30 / -02:30
  'Asia/Kathmandu', // +05:45
  'Australia/Lord_Howe', // +10:30 / +11:00: a half-hour DST change
  'America/Santiago', // DST changes at midnight: a day that starts at 01:00, a day with two 23:00s
  'Pacific/Chatham', // +12:45 / +13:45
  'Pacific/Apia', // skipped 2011-12-30 entirely: a day of length zero
] as const;

/**
 * The spans a world may cover (2 to 5 days from `start`), each with the zones whose DST change
 * falls inside it. Every span holds a month end (mostly on its second or third day, so that a
 * month rolls up several days), a DST change, or both.
 */
export interface Span {
  readonly start: string;
  readonly zones: readonly (typeof ZONES)[number][];
  /** What the span is about, for a reader of a failing world. */
  readonly why: string;
}

export const SPANS: readonly Span[] = [
  { start: '2026-10-30', zones: ['America/New_York', 'America/St_Johns'], why: "October's end, then the US fall back (25 h)" },
  { start: '2027-10-29', zones: ['Europe/Paris', 'Europe/London'], why: "the EU fall back on October's last day" },
  { start: '2028-02-27', zones: ['UTC', 'Asia/Kathmandu'], why: 'the end of a leap February' },
  { start: '2026-03-28', zones: ['Europe/Paris', 'Europe/London'], why: "the EU spring forward (23 h), then March's end" },
  { start: '2028-03-30', zones: ['America/Santiago', 'Australia/Lord_Howe', 'Pacific/Chatham'], why: "March's end, then fall backs at midnight (Santiago), by 30 min (Lord Howe), at +13:45 (Chatham)" },
  { start: '2028-09-29', zones: ['Australia/Lord_Howe'], why: "September's end, then a 23.5 h day" },
  { start: '2026-09-05', zones: ['America/Santiago'], why: 'a day whose midnight does not exist' },
  { start: '2026-03-07', zones: ['America/New_York', 'America/St_Johns'], why: 'the US / Newfoundland spring forward' },
  { start: '2026-12-30', zones: ['Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns'], why: "the year's end at odd offsets" },
  { start: '2026-11-29', zones: ['Asia/Kathmandu', 'UTC'], why: "November's end" },
  { start: '2011-12-29', zones: ['Pacific/Apia'], why: 'a day that does not exist (Samoa crossed the date line), then the year end' },
];

/** Media codes of the GIM media_type rows; the index past the end is a key with no row. */
export const MEDIA_CODES = [
  'VOICE',
  'CHAT',
  'EMAIL',
  'SMS',
  'SMSSESSION',
  'FACEBOOK',
  'TWITTER',
  'WHATSAPP',
  'COBROWSE',
  'WORKITEM',
  'THIRDPARTY',
  'SIPVOICE',
] as const;

/** Interaction subtype codes of the interaction_type rows; the index past the end is a key with no row. */
export const SUBTYPE_CODES = ['INBOUNDNEW', 'OUTBOUNDCONTACT', 'CALLBACK', 'WEBCALLBACK', 'OUTBOUNDPREVIEW'] as const;

export const SWITCH_NAMES = ['SIP_A', 'SIP_B', 'SIP_C', 'SIP_D', 'SIP_E'] as const;

/** Names that the exclusion patterns are about; most agents get a plain name (`agent<n>`) instead. */
export const SPECIAL_AGENT_NAMES = [
  'test_frank', // excluded by ^test_
  'Test_gina', // not excluded: patterns are case-sensitive
  'healthcheck', // excluded by healthcheck
  'nightly_healthcheck_2', // unanchored: excluded by healthcheck
  'hc7', // excluded by ^hc[0-9]+$
  'hc7b', // not excluded by it
  null, // an agent with no name is never excluded
] as const;

export const EXCLUDE_PATTERNS = ['^test_', 'healthcheck', '^hc[0-9]+$'] as const;

/** Option values of voicemail options: non-blank, blank (only spaces, tabs, line breaks), empty and NULL. */
export const MAILBOX_VALUES = ['5001', '  6002 ', '\t7\n', 'x', null, '', ' ', '   ', '\t', '\n', ' \t\r\n ', '\r\n', '\t\t', ' \n'] as const;

/** Catalogue overrides a deployment might make ("sites name third-party media and callback subtypes differently"). */
export const CATALOGUE_VARIANTS: Readonly<Record<string, readonly { mediaCodes?: string[]; subtypeCodes?: string[] }[]>> = {
  seats_inbound_voice: [{ mediaCodes: ['VOICE', 'SIPVOICE'] }],
  seats_outbound: [{ subtypeCodes: ['OUTBOUNDCONTACT', 'OUTBOUNDPREVIEW'] }, { mediaCodes: ['VOICE', 'SIPVOICE'] }],
  seats_callback: [{ subtypeCodes: ['CALLBACK', 'WEBCALLBACK'] }],
  seats_chat: [{ mediaCodes: ['CHAT', 'WHATSAPP'] }, { subtypeCodes: ['INBOUNDNEW'] }],
  seats_sms: [{ mediaCodes: ['SMS'] }],
  seats_third_party: [{ mediaCodes: ['WORKITEM', 'THIRDPARTY'] }],
};

/** A moment: a day boundary of the tenant's zone (index into the span's boundaries) plus an offset in seconds. */
export interface AnchorSpec {
  readonly boundary: number;
  readonly offset: number;
}

const anchor: fc.Arbitrary<AnchorSpec> = fc.record({
  boundary: fc.nat({ max: 7 }),
  offset: fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(0, -1, 1, -60, 60, 1800, -1800, 3600, -3600, 7200) },
    { weight: 3, arbitrary: fc.integer({ min: -86_400, max: 86_400 }) },
  ),
});

/** How long a fact lasts: closed (seconds), open (end NULL), zero or negative length, or touching the previous one. */
export type ShapeSpec =
  | { readonly kind: 'closed'; readonly seconds: number }
  | { readonly kind: 'open' }
  | { readonly kind: 'zero' }
  | { readonly kind: 'negative'; readonly seconds: number }
  | { readonly kind: 'touch'; readonly seconds: number }
  /** Started `days` before its anchor, ending there or still open. */
  | { readonly kind: 'longAgo'; readonly days: number; readonly open: boolean }
  /** From before 1970 to the largest time the column holds (GIM: 2038, GVP: 9999), or open. */
  | { readonly kind: 'extreme'; readonly open: boolean };

const shape: fc.Arbitrary<ShapeSpec> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('closed' as const),
      // Around whole minutes (minutes are rounded up), short, up to a day, several days.
      seconds: fc.oneof(
        fc.constantFrom(59, 60, 61, 119, 120, 3600),
        fc.integer({ min: 1, max: 900 }),
        fc.integer({ min: 901, max: 86_400 }),
        fc.integer({ min: 86_401, max: 3 * 86_400 }),
      ),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'open' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'zero' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('negative' as const), seconds: fc.integer({ min: 1, max: 3600 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('touch' as const), seconds: fc.integer({ min: 1, max: 20_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('longAgo' as const), days: fc.integer({ min: 2, max: 40 }), open: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extreme' as const), open: fc.boolean() }) },
);

/** A media: one of the tenant's two channels (so that sessions and interactions meet), or any (MEDIA_CODES.length: no row). */
export interface MediaSpec {
  readonly from: 'channel' | 'any';
  readonly index: number;
}

const media: fc.Arbitrary<MediaSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ from: fc.constant('channel' as const), index: fc.nat({ max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ from: fc.constant('any' as const), index: fc.nat({ max: MEDIA_CODES.length - 1 }) }) },
  { weight: 1, arbitrary: fc.constant({ from: 'any' as const, index: MEDIA_CODES.length }) },
);

export interface SessionSpec {
  /** Mostly one of the tenant's agents; sometimes any resource (queues, places, a key with no row). */
  readonly resource: { readonly pool: 'agents' | 'any'; readonly index: number };
  readonly media: MediaSpec;
  readonly start: AnchorSpec;
  readonly shape: ShapeSpec;
}

/** Where an interaction starts relative to its session: the edges the spec's half-open rule is about. */
export type InteractionPlace =
  | { readonly kind: 'start' | 'end' | 'beforeStart' | 'lastSecond' | 'afterEnd' }
  | { readonly kind: 'inside'; readonly permille: number }
  | { readonly kind: 'boundary'; readonly delta: number };

export interface InteractionSpec {
  readonly session: number;
  readonly place: InteractionPlace;
  /** 'session': the session's own media. */
  readonly media: 'session' | MediaSpec;
  /** Index into SUBTYPE_CODES; SUBTYPE_CODES.length = a type key with no interaction_type row. */
  readonly subtype: number;
  readonly handled: number;
  /** 'other': the row carries another tenant's tenant_key. */
  readonly tenant: 'own' | 'other';
  /** 'other': the row is another resource's, at the same moment. */
  readonly resource: 'session' | 'other';
}

export interface AgentSpec {
  /** A plain name, or an index into SPECIAL_AGENT_NAMES. */
  readonly name: 'plain' | number;
  /** person: has a Person; none: resource_cfg_dbid NULL; missing: a DBID with no Person. */
  readonly person: 'person' | 'none' | 'missing';
  readonly logins: readonly { readonly switchIndex: number; readonly state: number }[];
}

export interface GvpFactSpec {
  readonly db: 'A' | 'B';
  /** own: this tenant's DBID; other: another configured tenant's; foreign: a tenant nobody configured. */
  readonly owner: 'own' | 'other' | 'foreign';
  /** Calls: MCP, RM, CCP; media sessions: ASR, TTS. */
  readonly kind: string;
  readonly start: AnchorSpec;
  readonly startMs: number;
  readonly shape: ShapeSpec | { readonly kind: 'subsecond'; readonly ms: number };
  readonly endMs: number;
}

export interface PropSpec {
  /** Object type: 2 DN, 15 Agent Login, 5 Agent Group, 3 Person (never counted). */
  readonly objectType: number;
  readonly object: number;
  readonly section: string;
  readonly option: string;
  readonly value: number;
}

export interface RegionSpec {
  readonly locations: readonly (readonly number[])[];
  readonly gvp: 'A' | 'B' | 'top';
}

export interface TenantSpec {
  /** The tenant's two usual media (indices into MEDIA_CODES). */
  readonly channels: readonly [number, number];
  /** span: one of the span's DST zones; any: any zone. */
  readonly zone: { readonly from: 'span' | 'any'; readonly index: number };
  readonly productionOffset: number;
  readonly exclude: readonly string[];
  readonly metrics: readonly string[];
  readonly switchCount: number;
  readonly switchStates: readonly number[];
  readonly regions: readonly RegionSpec[];
  readonly defaultLocation: number;
  readonly agents: readonly AgentSpec[];
  readonly nonAgents: readonly string[];
  readonly orphanResource: boolean;
  readonly sessions: readonly SessionSpec[];
  readonly interactions: readonly InteractionSpec[];
  readonly calls: readonly GvpFactSpec[];
  readonly mediaSessions: readonly GvpFactSpec[];
  readonly dns: number;
  readonly groups: number;
  readonly extraLogins: number;
  readonly props: readonly PropSpec[];
}

export interface WorldSpec {
  readonly span: number;
  readonly days: number;
  /** null: one backfill of the whole span; n: a first backfill of its first n + 1 days, then the rest. */
  readonly split: number | null;
  readonly catalogue: Readonly<Record<string, number | null>>;
  readonly tenants: readonly TenantSpec[];
}

const gvpShape: fc.Arbitrary<GvpFactSpec['shape']> = fc.oneof(
  { weight: 5, arbitrary: shape },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('subsecond' as const), ms: fc.integer({ min: 1, max: 999 }) }) },
);

const gvpFact = (kinds: readonly string[]): fc.Arbitrary<GvpFactSpec> =>
  fc.record({
    db: fc.constantFrom('A' as const, 'B' as const),
    owner: fc.constantFrom('own' as const, 'own' as const, 'own' as const, 'other' as const, 'foreign' as const),
    kind: fc.constantFrom(...kinds),
    start: anchor,
    startMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 })),
    shape: gvpShape,
    endMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 })),
  });

const interaction: fc.Arbitrary<InteractionSpec> = fc.record({
  session: fc.nat({ max: 40 }),
  // Mostly the edges: an interaction well inside a session qualifies it whatever the rules at
  // the edges, and would hide them.
  place: fc.oneof(
    {
      weight: 10,
      arbitrary: fc.constantFrom(
        { kind: 'start' as const },
        { kind: 'end' as const },
        { kind: 'beforeStart' as const },
        { kind: 'lastSecond' as const },
        { kind: 'afterEnd' as const },
      ),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('inside' as const), permille: fc.nat({ max: 999 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('boundary' as const), delta: fc.constantFrom(-1, 0, 1, 60, 86_400) }) },
  ),
  media: fc.oneof({ weight: 3, arbitrary: fc.constant('session' as const) }, { weight: 1, arbitrary: media }),
  subtype: fc.nat({ max: SUBTYPE_CODES.length }),
  handled: fc.constantFrom(1, 1, 1, 2, 0),
  tenant: fc.constantFrom('own' as const, 'own' as const, 'own' as const, 'own' as const, 'other' as const),
  resource: fc.constantFrom('session' as const, 'session' as const, 'session' as const, 'session' as const, 'other' as const),
});

const tenantSpec: fc.Arbitrary<TenantSpec> = fc.record({
  channels: fc.tuple(
    fc.oneof(fc.constant(0), fc.nat({ max: MEDIA_CODES.length - 1 })),
    fc.nat({ max: MEDIA_CODES.length - 1 }),
  ),
  zone: fc.oneof(
    { weight: 2, arbitrary: fc.record({ from: fc.constant('span' as const), index: fc.nat({ max: 2 }) }) },
    { weight: 1, arbitrary: fc.record({ from: fc.constant('any' as const), index: fc.nat({ max: ZONES.length - 1 }) }) },
  ),
  productionOffset: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat({ max: 4 }) }),
  exclude: fc.subarray([...EXCLUDE_PATTERNS]),
  // Each metric enabled with probability 4/5 (shrinking disables them), so that a handful of
  // worlds exercises every metric; buildWorld enables seats_workspace when none is left.
  metrics: fc
    .tuple(...METRIC_KEYS.map(() => fc.constantFrom(false, true, true, true, true)))
    .map((enabled) => METRIC_KEYS.filter((_, i) => enabled[i] === true)),
  switchCount: fc.integer({ min: 2, max: SWITCH_NAMES.length }),
  switchStates: fc.array(fc.constantFrom(1, 1, 2), { minLength: SWITCH_NAMES.length, maxLength: SWITCH_NAMES.length }),
  regions: fc.array(
    fc.record({
      locations: fc.array(fc.subarray([0, 1, 2, 3, 4], { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }),
      gvp: fc.constantFrom('A' as const, 'B' as const, 'top' as const),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  defaultLocation: fc.nat({ max: 8 }),
  agents: fc.array(
    fc.record({
      name: fc.oneof(
        { weight: 3, arbitrary: fc.constant('plain' as const) },
        { weight: 2, arbitrary: fc.nat({ max: SPECIAL_AGENT_NAMES.length - 1 }) },
      ),
      person: fc.constantFrom('person' as const, 'person' as const, 'person' as const, 'none' as const, 'missing' as const),
      logins: fc.array(
        fc.record({ switchIndex: fc.nat({ max: SWITCH_NAMES.length - 1 }), state: fc.constantFrom(1, 1, 2) }),
        { maxLength: 3, size: 'max' },
      ),
    }),
    { maxLength: 8, size: 'max' },
  ),
  nonAgents: fc.array(fc.constantFrom('QUEUE', 'ROUTINGPOINT', 'PLACE'), { maxLength: 2 }),
  orphanResource: fc.boolean(),
  sessions: fc.array(
    fc.record({
      resource: fc.oneof(
        { weight: 4, arbitrary: fc.record({ pool: fc.constant('agents' as const), index: fc.nat({ max: 10 }) }) },
        { weight: 1, arbitrary: fc.record({ pool: fc.constant('any' as const), index: fc.nat({ max: 10 }) }) },
      ),
      media,
      start: anchor,
      shape,
    }),
    { maxLength: 24, size: 'max' },
  ),
  interactions: fc.array(interaction, { maxLength: 30, size: 'max' }),
  calls: fc.array(gvpFact(['MCP', 'MCP', 'MCP', 'RM', 'CCP']), { maxLength: 12, size: 'max' }),
  mediaSessions: fc.array(gvpFact(['ASR', 'TTS']), { maxLength: 10, size: 'max' }),
  dns: fc.nat({ max: 3 }),
  groups: fc.nat({ max: 2 }),
  extraLogins: fc.nat({ max: 2 }),
  props: fc.array(
    fc.record({
      objectType: fc.constantFrom(2, 15, 5, 2, 15, 5, 3),
      object: fc.nat({ max: 6 }),
      section: fc.constantFrom('TServer', 'TServer', 'TServer', 'TServer', 'tserver', 'Other'),
      option: fc.constantFrom('gvm_mailbox', 'gvm_mailbox', 'gvm_mailbox', 'gvm_mailbox', 'GVM_MAILBOX', 'gvm_mailbox_old'),
      value: fc.nat({ max: MAILBOX_VALUES.length - 1 }),
    }),
    { maxLength: 14, size: 'max' },
  ),
});

/** The arbitrary of world specs: 1 to 3 tenants over a span of 2 to 5 days. */
export const worldSpec: fc.Arbitrary<WorldSpec> = fc.record({
  span: fc.nat({ max: SPANS.length - 1 }),
  days: fc.integer({ min: 2, max: 5 }),
  split: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat({ max: 3 }) }),
  catalogue: fc.record(
    Object.fromEntries(
      Object.entries(CATALOGUE_VARIANTS).map(([key, variants]) => [
        key,
        fc.option(fc.nat({ max: variants.length - 1 }), { freq: 3 }),
      ]),
    ),
  ),
  tenants: fc.array(tenantSpec, { minLength: 1, maxLength: 3, size: 'max' }),
});
