/**
 * The staged datasets a tenant needs for a day, derived from its metrics: the single list that
 * extraction (what to fetch) and aggregation (what to read) agree on.
 */
import type { BdsConfig, SourceConfig, TenantConfig } from '../config/types';
import type { SourceName } from '../metrics/catalogue';
import type { ResolvedMetric } from '../metrics/resolve';
import { needsAgentSwitches } from '../aggregate/placement';
import type { SourceClient } from '../sources/types';
import {
  CFG_AGENT_SWITCH_COLUMNS,
  CFG_AGENT_SWITCHES_DATASET,
  CFG_VOICEMAIL_COLUMNS,
  CFG_VOICEMAIL_DATASET,
  cfgAgentSwitchRows,
  cfgVoicemailRows,
} from './cfg';
import { GIM_SESSION_COLUMNS, GIM_SESSIONS_DATASET, gimSessionRows } from './gim';
import { GVP_USAGE_COLUMNS, gvpDatasetName, gvpUsageRows } from './gvp';
import type { StagedCell } from './staged';

/** What an extractor is given for one tenant and day. */
export interface ExtractParams {
  readonly tenant: TenantConfig;
  /** UTC epoch seconds of the day's bounds. */
  readonly dayStart: number;
  readonly dayEnd: number;
  /** The configured source being read (custom queries live there). */
  readonly source: SourceConfig;
}

export interface DatasetSpec {
  readonly dataset: string;
  readonly source: SourceName;
  /** For per-region sources (GVP): the region whose source is read. */
  readonly region?: string;
  readonly columns: readonly string[];
  /** True for sources without history: the rows describe the moment of extraction. */
  readonly snapshot: boolean;
  /**
   * The dataset's rows. A dataset that leaves some of the day's facts out sets their counts, by
   * reason, in `notes` by the time its rows end; they are recorded with it (and in manifests).
   */
  rows(client: SourceClient, params: ExtractParams, notes: Record<string, number>): AsyncIterable<StagedCell[]>;
}

const gimSessions: DatasetSpec = {
  dataset: GIM_SESSIONS_DATASET,
  source: 'gim',
  columns: GIM_SESSION_COLUMNS,
  snapshot: false,
  // Orphan sessions are counted by the same query that reads the sessions, as its rows go by.
  rows: (client, p, notes) => gimSessionRows(client, { tenantKey: p.tenant.gimTenantKey, dayStart: p.dayStart, dayEnd: p.dayEnd }, notes),
};

const cfgAgentSwitches: DatasetSpec = {
  dataset: CFG_AGENT_SWITCHES_DATASET,
  source: 'config',
  columns: CFG_AGENT_SWITCH_COLUMNS,
  snapshot: true,
  rows: (client, p) => cfgAgentSwitchRows(client, { tenantDbid: p.tenant.cfgTenantDbid }),
};

const cfgVoicemail: DatasetSpec = {
  dataset: CFG_VOICEMAIL_DATASET,
  source: 'config',
  columns: CFG_VOICEMAIL_COLUMNS,
  snapshot: true,
  rows: (client, p) => cfgVoicemailRows(client, { tenantDbid: p.tenant.cfgTenantDbid }),
};

// Staged data never depends on which metrics are enabled: a metric enabled later must find
// complete data for days already extracted (a month's rollup reads them all).
const ALL_GVP_FACTS = { calls: true, asr: true, tts: true } as const;

function gvpUsage(region: string): DatasetSpec {
  return {
    dataset: gvpDatasetName(region),
    source: 'gvp',
    region,
    columns: GVP_USAGE_COLUMNS,
    snapshot: false,
    rows: (client, p) =>
      gvpUsageRows(client, p.source, { tenantDbid: p.tenant.cfgTenantDbid, dayStart: p.dayStart, dayEnd: p.dayEnd }, ALL_GVP_FACTS),
  };
}

/** The datasets needed by the tenant's metrics, in a stable order. */
export function datasetsFor(tenant: TenantConfig, metrics: readonly ResolvedMetric[]): DatasetSpec[] {
  const specs: DatasetSpec[] = [];
  if (metrics.some((m) => m.family === 'seats')) {
    specs.push(gimSessions);
    // A tenant with a single location places every agent there: no Config DB needed.
    if (needsAgentSwitches(tenant)) specs.push(cfgAgentSwitches);
  }
  if (metrics.some((m) => m.family === 'voicemail')) specs.push(cfgVoicemail);
  if (metrics.some((m) => m.family === 'gvp')) {
    for (const region of tenant.regions) specs.push(gvpUsage(region.code));
  }
  return specs;
}

/** The configured source a dataset is read from, with its name for messages (`gim`, `gvp@US`). */
export function sourceFor(
  config: BdsConfig,
  tenant: TenantConfig,
  spec: DatasetSpec,
): { name: string; config: SourceConfig | undefined } {
  if (spec.source === 'gvp') {
    const region = tenant.regions.find((r) => r.code === spec.region);
    if (region?.gvp !== undefined) return { name: `gvp@${region.code}`, config: region.gvp };
    return { name: 'gvp', config: config.sources.gvp };
  }
  return { name: spec.source, config: config.sources[spec.source] };
}
