/**
 * GVP ports and minutes for one tenant, metric and day, from metrics.md "GVP ports and minutes"
 * and the GVP rules of docs/billing-rules.md: MCP calls of the tenant, ASR / TTS sessions of the
 * tenant, timestamps truncated to the second, open facts running to the end of the day.
 */
import type { DayBounds } from './calendar';
import type { GvpDefinition } from './metric-definitions';
import { countPerSecond, type Interval } from './per-second';
import type { GvpDatabase, GvpRows, TenantConfig } from './world';

/** "The one configured on the region, or the top-level one when the tenant has a single region." */
export function gvpDatabaseOf(region: { readonly gvp: GvpDatabase | undefined }): GvpDatabase {
  return region.gvp ?? 'A';
}

/** Whole seconds of a GVP timestamp: truncated, not rounded. */
const second = (ms: number): number => Math.floor(ms / 1000);

/** The value of `definition` on `day` for the tenant, from the rows of one region's GVP database. */
export function gvpDay(rows: GvpRows, tenant: TenantConfig, definition: GvpDefinition, day: DayBounds): number {
  const facts = new Map<string, Interval[]>();
  const add = (id: string, startMs: number, endMs: number | null): void => {
    facts.set(id, [[second(startMs), endMs === null ? day.end : second(endMs)]]);
  };
  if (definition.facts === 'call') {
    for (const call of rows.calls) {
      if (call.component === 'MCP' && call.tenantId === tenant.cfgTenantDbid) add(`call ${call.id}`, call.startMs, call.endMs);
    }
  } else {
    const kind = definition.facts === 'asr' ? 'ASR' : 'TTS';
    for (const session of rows.mediaSessions) {
      if (session.kind === kind && session.tenantId === tenant.cfgTenantDbid) add(`media ${session.id}`, session.startMs, session.endMs);
    }
  }
  const counted = countPerSecond(day, facts);
  return definition.measure === 'peak' ? counted.peak : Math.ceil(counted.thingSeconds / 60);
}
