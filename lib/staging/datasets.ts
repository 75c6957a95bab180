/**
 * The staged datasets: their names and columns, and which of them a tenant's metrics need. This
 * is the contract between extraction (which writes them) and aggregation (which reads them), so
 * it belongs to neither: both import it, and neither imports the other.
 */
import type { TenantConfig } from '../config/types';
import type { SourceName } from '../metrics/catalogue';
import type { ResolvedMetric } from '../metrics/resolve';

export const GIM_SESSIONS_DATASET = 'gim_sessions';

/** Columns of the staged `gim_sessions` dataset. `handled` is a JSON array of [media, subtype] pairs. */
export const GIM_SESSION_COLUMNS = [
  'resource_key',
  'resource_name',
  'person_dbid',
  'session_key',
  'media',
  'start_ts',
  'end_ts',
  'handled',
] as const;

export const CFG_AGENT_SWITCHES_DATASET = 'cfg_agent_switches';

/** Columns of the staged `cfg_agent_switches` dataset: one row per (agent, switch of one of its Agent Logins). */
export const CFG_AGENT_SWITCH_COLUMNS = ['person_dbid', 'switch_name'] as const;

export const CFG_VOICEMAIL_DATASET = 'cfg_voicemail';

/** Columns of the staged `cfg_voicemail` dataset: one row per object carrying a mailbox. */
export const CFG_VOICEMAIL_COLUMNS = ['object_type', 'object_dbid'] as const;

/** Columns of a staged `gvp_usage_<REGION>` dataset (epoch seconds). */
export const GVP_USAGE_COLUMNS = ['kind', 'id', 'start_ts', 'end_ts'] as const;

/** The staged dataset of one region's GVP usage. */
export function gvpDatasetName(region: string): string {
  return `gvp_usage_${region}`;
}

/** What kind of staged dataset this is: extraction maps each kind to the rows that fill it. */
export type StagedDatasetKind = 'gim_sessions' | 'cfg_agent_switches' | 'cfg_voicemail' | 'gvp_usage';

/** One staged dataset of a tenant's day. */
export interface StagedDataset {
  readonly kind: StagedDatasetKind;
  readonly dataset: string;
  readonly source: SourceName;
  /** For per-region sources (GVP): the region whose source is read. */
  readonly region?: string;
  readonly columns: readonly string[];
  /** True for sources without history: the rows describe the moment of extraction. */
  readonly snapshot: boolean;
}

/** True when a tenant needs the Config DB to place its agents (more than one location). */
export function needsAgentSwitches(tenant: TenantConfig): boolean {
  return tenant.regions.reduce((n, r) => n + r.locations.length, 0) > 1;
}

/** The datasets needed by the tenant's metrics, in a stable order. */
export function stagedDatasetsFor(tenant: TenantConfig, metrics: readonly ResolvedMetric[]): StagedDataset[] {
  const specs: StagedDataset[] = [];
  if (metrics.some((m) => m.family === 'seats')) {
    specs.push({ kind: 'gim_sessions', dataset: GIM_SESSIONS_DATASET, source: 'gim', columns: GIM_SESSION_COLUMNS, snapshot: false });
    // A tenant with a single location places every agent there: no Config DB needed.
    if (needsAgentSwitches(tenant)) {
      specs.push({ kind: 'cfg_agent_switches', dataset: CFG_AGENT_SWITCHES_DATASET, source: 'config', columns: CFG_AGENT_SWITCH_COLUMNS, snapshot: true });
    }
  }
  if (metrics.some((m) => m.family === 'voicemail')) {
    specs.push({ kind: 'cfg_voicemail', dataset: CFG_VOICEMAIL_DATASET, source: 'config', columns: CFG_VOICEMAIL_COLUMNS, snapshot: true });
  }
  if (metrics.some((m) => m.family === 'gvp')) {
    for (const region of tenant.regions) {
      specs.push({ kind: 'gvp_usage', dataset: gvpDatasetName(region.code), source: 'gvp', region: region.code, columns: GVP_USAGE_COLUMNS, snapshot: false });
    }
  }
  return specs;
}
