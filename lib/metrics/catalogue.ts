/**
 * The one catalogue of billing metrics (metrics.md). Everything downstream — extraction,
 * aggregation, file names, rollups — is driven by these entries: adding a metric is adding an
 * entry here (and, for a new source, its extractor), never a branch in the aggregator.
 */

/** What a billing row measures; the `measure` column of a billing file. */
export type Measure = 'concurrent' | 'enabled' | 'count' | 'peak' | 'minutes';

/** How a month is rolled up from its days. */
export type Rollup = 'max' | 'distinct' | 'sum' | 'none';

/** The Genesys database a metric is read from. */
export type SourceName = 'gim' | 'config' | 'gvp';

/** The back-office codes carried in every billing row. Empty where not known. */
export interface BackOfficeCodes {
  readonly channelType?: string;
  readonly serviceClass?: string;
  readonly activityType?: string;
  readonly status?: string;
  readonly agentGroupName?: string;
}

export interface MeasureDefinition {
  readonly measure: Measure;
  readonly rollup: Rollup;
}

interface MetricBase {
  readonly key: string;
  readonly source: SourceName;
  /** `region`: one file per region of the tenant; `global`: one file, region `GLOBAL`. */
  readonly scope: 'region' | 'global';
  readonly measures: readonly MeasureDefinition[];
  /** Codes for every measure of the metric, then per-measure refinements. */
  readonly codes: BackOfficeCodes;
  readonly measureCodes: Partial<Record<Measure, BackOfficeCodes>>;
}

/** An agent-seat metric (GIM). */
export interface SeatMetric extends MetricBase {
  readonly family: 'seats';
  /** Session media codes that count; `any` = every media. */
  readonly mediaCodes: readonly string[] | 'any';
  /** Whether a counted session must include a handled interaction of the metric's media. */
  readonly requiresInteraction: boolean;
  /** Interaction subtype codes the handled interaction must have; empty = any subtype. */
  readonly subtypeCodes: readonly string[];
}

/** The voicemail-box count (Config DB snapshot). */
export interface VoicemailMetric extends MetricBase {
  readonly family: 'voicemail';
}

/** A GVP port or minute metric (GVP Reporting Server). */
export interface GvpMetric extends MetricBase {
  readonly family: 'gvp';
  /** Which facts are counted: IVR calls, ASR sessions or TTS sessions. */
  readonly resource: 'call' | 'asr' | 'tts';
}

export type MetricDefinition = SeatMetric | VoicemailMetric | GvpMetric;

const SEAT_MEASURES: readonly MeasureDefinition[] = [
  { measure: 'concurrent', rollup: 'max' },
  { measure: 'enabled', rollup: 'distinct' },
];

// The published back-office codes (metrics.md, "Codes carried in the files"). Unknown codes stay
// empty: a deployment supplies them in configuration (`catalogue.<metric>.codes`).
const CONCURRENT_AGENT_GROUP: Partial<Record<Measure, BackOfficeCodes>> = {
  concurrent: { agentGroupName: '1' },
};

function seat(
  key: string,
  mediaCodes: readonly string[] | 'any',
  requiresInteraction: boolean,
  subtypeCodes: readonly string[] = [],
  codes: BackOfficeCodes = {},
): SeatMetric {
  return {
    key,
    family: 'seats',
    source: 'gim',
    scope: 'region',
    measures: SEAT_MEASURES,
    codes,
    measureCodes: CONCURRENT_AGENT_GROUP,
    mediaCodes,
    requiresInteraction,
    subtypeCodes,
  };
}

function gvp(key: string, resource: GvpMetric['resource'], measure: 'peak' | 'minutes'): GvpMetric {
  return {
    key,
    family: 'gvp',
    source: 'gvp',
    scope: 'region',
    measures: [{ measure, rollup: measure === 'peak' ? 'max' : 'sum' }],
    codes: {},
    measureCodes: {},
    resource,
  };
}

/** The default catalogue, in the order of metrics.md. */
export const CATALOGUE: readonly MetricDefinition[] = [
  seat('seats_inbound_voice', ['VOICE'], false),
  seat('seats_outbound', ['VOICE'], true, ['OUTBOUNDCONTACT'], {
    channelType: '4',
    serviceClass: '23',
    activityType: '5',
    status: 'AGENT_SEATS',
  }),
  seat('seats_callback', ['VOICE'], true, ['CALLBACK']),
  seat('seats_chat', ['CHAT'], true),
  seat('seats_email', ['EMAIL'], true),
  seat('seats_sms', ['SMS', 'SMSSESSION'], true),
  seat('seats_social', ['FACEBOOK', 'TWITTER', 'WHATSAPP'], true),
  seat('seats_cobrowse', ['COBROWSE'], true),
  seat('seats_third_party', ['WORKITEM'], true),
  seat('seats_workspace', 'any', false),
  {
    key: 'voicemail_boxes',
    family: 'voicemail',
    source: 'config',
    scope: 'global',
    measures: [{ measure: 'count', rollup: 'none' }],
    codes: { channelType: '0', serviceClass: '26', activityType: '5' },
    measureCodes: {},
  },
  gvp('gvp_ports', 'call', 'peak'),
  gvp('gvp_minutes', 'call', 'minutes'),
  gvp('gvp_asr_ports', 'asr', 'peak'),
  gvp('gvp_tts_ports', 'tts', 'peak'),
  gvp('gvp_asr_minutes', 'asr', 'minutes'),
  gvp('gvp_tts_minutes', 'tts', 'minutes'),
];

/** Every metric key of the catalogue. */
export const METRIC_KEYS: readonly string[] = CATALOGUE.map((m) => m.key);

/** Voicemail metrics: at most one of them may be enabled for a tenant (metrics.md). */
export const VOICEMAIL_METRIC_KEYS: readonly string[] = CATALOGUE.filter((m) => m.family === 'voicemail').map(
  (m) => m.key,
);

/** Looks a metric up by key; undefined for an unknown key. */
export function findMetric(key: string): MetricDefinition | undefined {
  return CATALOGUE.find((m) => m.key === key);
}
