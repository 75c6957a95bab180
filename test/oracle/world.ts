/**
 * A "world": everything one oracle run puts in the source databases and the configuration, as
 * plain data. The generator builds it, the SQL loader and the config writer serialise it, the
 * oracle counts it. Times are UTC epoch seconds (GIM) or epoch milliseconds (GVP, whose
 * timestamps may carry fractions of a second).
 */
import type { LocalDate } from './calendar';

/** Which of the two GVP databases of the harness a row lives in or a region reads. */
export type GvpDatabase = 'A' | 'B';

export interface LocationConfig {
  readonly code: string;
  readonly switches: readonly string[];
}

export interface RegionConfig {
  readonly code: string;
  /** The region's own GVP source, or undefined to use the top-level one (database A). */
  readonly gvp: GvpDatabase | undefined;
  readonly locations: readonly LocationConfig[];
}

/** One tenant's configuration entry. */
export interface TenantConfig {
  readonly id: string;
  readonly gimTenantKey: number;
  readonly cfgTenantDbid: number;
  readonly timezone: string;
  readonly productionDate: LocalDate;
  readonly excludeAgents: readonly string[];
  readonly metrics: readonly string[];
  readonly regions: readonly RegionConfig[];
}

/** A per-metric override of the catalogue (`catalogue.<metric>` in configuration). */
export interface CatalogueOverride {
  readonly mediaCodes?: readonly string[];
  readonly subtypeCodes?: readonly string[];
}

export interface GimTenantRow {
  readonly tenantKey: number;
  readonly name: string;
  readonly cfgDbid: number;
}
export interface MediaTypeRow {
  readonly key: number;
  readonly code: string;
}
export interface InteractionTypeRow {
  readonly key: number;
  readonly subtypeCode: string;
}
export interface ResourceRow {
  readonly key: number;
  readonly tenantKey: number;
  readonly typeCode: string;
  readonly name: string | null;
  readonly cfgDbid: number | null;
}
export interface SessionRow {
  readonly key: number;
  readonly tenantKey: number;
  readonly mediaKey: number;
  readonly resourceKey: number;
  readonly start: number;
  /** null: still open (active_flag 1). */
  readonly end: number | null;
}
export interface InteractionRow {
  readonly key: number;
  readonly tenantKey: number;
  readonly resourceKey: number;
  readonly mediaKey: number;
  readonly typeKey: number;
  readonly start: number;
  readonly handled: number;
}

export interface CfgTenantRow {
  readonly dbid: number;
  readonly name: string;
}
export interface CfgSwitchRow {
  readonly dbid: number;
  readonly tenantDbid: number;
  readonly name: string;
  readonly state: number;
}
export interface CfgPersonRow {
  readonly dbid: number;
  readonly tenantDbid: number;
  readonly userName: string;
}
export interface CfgAgentLoginRow {
  readonly dbid: number;
  readonly switchDbid: number;
  readonly tenantDbid: number;
  readonly state: number;
}
export interface CfgLoginInfoRow {
  readonly personDbid: number;
  readonly agentLoginDbid: number;
}
export interface CfgDnRow {
  readonly dbid: number;
  readonly switchDbid: number;
  readonly tenantDbid: number;
  readonly state: number;
}
export interface CfgGroupRow {
  readonly dbid: number;
  readonly tenantDbid: number;
  readonly state: number;
}
export interface CfgFlexPropRow {
  readonly dbid: number;
  readonly objectDbid: number;
  readonly objectType: number;
  readonly parentDbid: number;
  readonly name: string;
  readonly value: string | null;
}

export interface GvpCallRow {
  readonly id: number;
  readonly component: string;
  readonly sessionId: string;
  readonly tenantId: number;
  readonly startMs: number;
  /** null: still in progress. */
  readonly endMs: number | null;
}
export interface GvpMediaSessionRow {
  readonly id: number;
  readonly kind: 'ASR' | 'TTS';
  readonly tenantId: number;
  readonly startMs: number;
  readonly endMs: number | null;
}
export interface GvpRows {
  readonly calls: readonly GvpCallRow[];
  readonly mediaSessions: readonly GvpMediaSessionRow[];
}

export interface World {
  /** The days asked for on the command line (`bds backfill --from --to`). */
  readonly from: LocalDate;
  readonly to: LocalDate;
  /**
   * The backfills that process the span, in order: one, or two that split it, so that a month's
   * rollup also reads days staged by an earlier run.
   */
  readonly batches: readonly { readonly from: LocalDate; readonly to: LocalDate }[];
  /** BDS_NOW: late enough for every day of every tenant to have ended plus the delay. */
  readonly now: string;
  readonly tenants: readonly TenantConfig[];
  readonly catalogue: Readonly<Record<string, CatalogueOverride>>;
  readonly gim: {
    readonly tenants: readonly GimTenantRow[];
    readonly media: readonly MediaTypeRow[];
    readonly interactionTypes: readonly InteractionTypeRow[];
    readonly resources: readonly ResourceRow[];
    readonly sessions: readonly SessionRow[];
    readonly interactions: readonly InteractionRow[];
  };
  readonly cfg: {
    readonly tenants: readonly CfgTenantRow[];
    readonly switches: readonly CfgSwitchRow[];
    readonly persons: readonly CfgPersonRow[];
    readonly agentLogins: readonly CfgAgentLoginRow[];
    readonly loginInfo: readonly CfgLoginInfoRow[];
    readonly dns: readonly CfgDnRow[];
    readonly groups: readonly CfgGroupRow[];
    readonly flexProps: readonly CfgFlexPropRow[];
  };
  readonly gvp: Readonly<Record<GvpDatabase, GvpRows>>;
}
