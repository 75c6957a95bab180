/**
 * How extraction fills each staged dataset a tenant needs (lib/staging/datasets.ts says which),
 * and which configured source it reads.
 */
import type { BdsConfig, SourceConfig, TenantConfig } from '../config/types';
import type { ResolvedMetric } from '../metrics/resolve';
import type { SourceClient } from '../sources/types';
import { stagedDatasetsFor, type StagedDataset, type StagedDatasetKind } from '../staging/datasets';
import { cfgAgentSwitchRows, cfgVoicemailRows } from './cfg';
import { gimSessionRows } from './gim';
import { gvpUsageRows } from './gvp';
import type { StagedCell } from '../staging/staged';

/** What an extractor is given for one tenant and day. */
export interface ExtractParams {
  readonly tenant: TenantConfig;
  /** UTC epoch seconds of the day's bounds. */
  readonly dayStart: number;
  readonly dayEnd: number;
  /** The configured source being read (custom queries live there). */
  readonly source: SourceConfig;
}

/** A staged dataset with the source rows that fill it. */
export interface DatasetSpec extends StagedDataset {
  /**
   * The dataset's rows. A dataset that leaves some of the day's facts out sets their counts, by
   * reason, in `notes` by the time its rows end; they are recorded with it (and in manifests).
   */
  rows(client: SourceClient, params: ExtractParams, notes: Record<string, number>): AsyncIterable<StagedCell[]>;
}

// Staged data never depends on which metrics are enabled: a metric enabled later must find
// complete data for days already extracted (a month's rollup reads them all).
const ALL_GVP_FACTS = { calls: true, asr: true, tts: true } as const;

/** How each kind of staged dataset is filled from its source. */
const ROWS: { readonly [K in StagedDatasetKind]: DatasetSpec['rows'] } = {
  // Orphan sessions are counted by the same query that reads the sessions, as its rows go by.
  gim_sessions: (client, p, notes) => gimSessionRows(client, { tenantKey: p.tenant.gimTenantKey, dayStart: p.dayStart, dayEnd: p.dayEnd }, notes),
  cfg_agent_switches: (client, p) => cfgAgentSwitchRows(client, { tenantDbid: p.tenant.cfgTenantDbid }),
  cfg_voicemail: (client, p) => cfgVoicemailRows(client, { tenantDbid: p.tenant.cfgTenantDbid }),
  gvp_usage: (client, p) =>
    gvpUsageRows(client, p.source, { tenantDbid: p.tenant.cfgTenantDbid, dayStart: p.dayStart, dayEnd: p.dayEnd }, ALL_GVP_FACTS),
};

/** The datasets needed by the tenant's metrics, in a stable order, each with how to read it. */
export function datasetsFor(tenant: TenantConfig, metrics: readonly ResolvedMetric[]): DatasetSpec[] {
  return stagedDatasetsFor(tenant, metrics).map((staged) => ({ ...staged, rows: ROWS[staged.kind] }));
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
