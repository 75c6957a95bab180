/**
 * The metric table of metrics.md, copied by hand (not imported from lib/metrics): which sessions
 * or facts each metric counts, what it measures and how a month rolls up.
 */
import type { CatalogueOverride } from './world';

export type Measure = 'concurrent' | 'enabled' | 'count' | 'peak' | 'minutes';
export type Rollup = 'max' | 'distinct' | 'sum' | 'none';

/** An agent-seat metric: its session media, and what a session must include to count. */
export interface SeatDefinition {
  readonly family: 'seats';
  readonly key: string;
  /** Session (and qualifying interaction) media codes; 'any' for seats_workspace. */
  readonly mediaCodes: readonly string[] | 'any';
  /** Whether a session counts only with a handled interaction of the metric's media inside it. */
  readonly requiresInteraction: boolean;
  /** Subtype codes the qualifying interaction must have; undefined = any subtype, or none. */
  readonly subtypeCodes: readonly string[] | undefined;
}

export interface GvpDefinition {
  readonly family: 'gvp';
  readonly key: string;
  readonly facts: 'call' | 'asr' | 'tts';
  readonly measure: 'peak' | 'minutes';
}

export interface VoicemailDefinition {
  readonly family: 'voicemail';
  readonly key: 'voicemail_boxes';
}

export type MetricDefinition = SeatDefinition | GvpDefinition | VoicemailDefinition;

const seat = (
  key: string,
  mediaCodes: readonly string[] | 'any',
  requiresInteraction: boolean,
  subtypeCodes?: readonly string[],
): SeatDefinition => ({ family: 'seats', key, mediaCodes, requiresInteraction, subtypeCodes });

/** metrics.md, "Agent seats", "Voicemail boxes" and "GVP ports and minutes", in that order. */
export const METRICS: readonly MetricDefinition[] = [
  seat('seats_inbound_voice', ['VOICE'], false),
  seat('seats_outbound', ['VOICE'], true, ['OUTBOUNDCONTACT']),
  seat('seats_callback', ['VOICE'], true, ['CALLBACK']),
  seat('seats_chat', ['CHAT'], true),
  seat('seats_email', ['EMAIL'], true),
  seat('seats_sms', ['SMS', 'SMSSESSION'], true),
  seat('seats_social', ['FACEBOOK', 'TWITTER', 'WHATSAPP'], true),
  seat('seats_cobrowse', ['COBROWSE'], true),
  seat('seats_third_party', ['WORKITEM'], true),
  seat('seats_workspace', 'any', false),
  { family: 'voicemail', key: 'voicemail_boxes' },
  { family: 'gvp', key: 'gvp_ports', facts: 'call', measure: 'peak' },
  { family: 'gvp', key: 'gvp_minutes', facts: 'call', measure: 'minutes' },
  { family: 'gvp', key: 'gvp_asr_ports', facts: 'asr', measure: 'peak' },
  { family: 'gvp', key: 'gvp_tts_ports', facts: 'tts', measure: 'peak' },
  { family: 'gvp', key: 'gvp_asr_minutes', facts: 'asr', measure: 'minutes' },
  { family: 'gvp', key: 'gvp_tts_minutes', facts: 'tts', measure: 'minutes' },
];

/** Every metric key. */
export const METRIC_KEYS: readonly string[] = METRICS.map((m) => m.key);

/** The definition of `key`; throws on an unknown key (a generator bug). */
export function metricDefinition(key: string): MetricDefinition {
  const found = METRICS.find((m) => m.key === key);
  if (found === undefined) throw new Error(`unknown metric ${key}`);
  return found;
}

/** A seat metric with the deployment's catalogue override applied ("the media codes and subtype codes are defaults"). */
export function withOverride(definition: SeatDefinition, override: CatalogueOverride | undefined): SeatDefinition {
  return {
    ...definition,
    mediaCodes: override?.mediaCodes ?? definition.mediaCodes,
    subtypeCodes: override?.subtypeCodes ?? definition.subtypeCodes,
  };
}

/** The measures of a metric and how each rolls up over a month (metrics.md tables). */
export function measuresOf(definition: MetricDefinition): readonly { measure: Measure; rollup: Rollup }[] {
  switch (definition.family) {
    case 'seats':
      return [
        { measure: 'concurrent', rollup: 'max' },
        { measure: 'enabled', rollup: 'distinct' },
      ];
    case 'voicemail':
      return [{ measure: 'count', rollup: 'none' }];
    case 'gvp':
      return [{ measure: definition.measure, rollup: definition.measure === 'peak' ? 'max' : 'sum' }];
  }
}

/** Region-scoped metrics get a file per region; voicemail_boxes is global (region GLOBAL). */
export function isGlobal(definition: MetricDefinition): boolean {
  return definition.family === 'voicemail';
}

/** The back-office code columns of a billing row, in file order. */
export const CODE_COLUMNS = ['channel_type', 'service_class', 'activity_type', 'status', 'agent_group_name'] as const;

/**
 * The codes metrics.md publishes ("Codes carried in the files"): seats_outbound 4 / 23 / 5 /
 * AGENT_SEATS, voicemail_boxes 0 / 26 / 5, agent group name 1 for a concurrent value. Every
 * other code is not public and stays empty (the harness's configurations supply none).
 */
export function publishedCodes(metric: string, measure: Measure): Record<(typeof CODE_COLUMNS)[number], string> {
  const codes = { channel_type: '', service_class: '', activity_type: '', status: '', agent_group_name: '' };
  if (metric === 'seats_outbound') Object.assign(codes, { channel_type: '4', service_class: '23', activity_type: '5', status: 'AGENT_SEATS' });
  if (metric === 'voicemail_boxes') Object.assign(codes, { channel_type: '0', service_class: '26', activity_type: '5' });
  if (measure === 'concurrent') codes.agent_group_name = '1';
  return codes;
}
