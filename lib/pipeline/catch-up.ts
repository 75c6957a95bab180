/**
 * What a scheduled run does: for each tenant, every day after its aggregate watermark up to the
 * last day that has ended in the tenant's zone plus the processing delay, oldest first, never
 * before the production date.
 */
import type { BdsConfig, LocalDate, TenantConfig } from '../config/types';
import { readWatermarks, nextDay } from '../state/watermarks';
import { compareDates, eachDay, lastEndedDay } from '../time/calendar';
import { selectTenants, type Target } from './targets';

/**
 * The days a stage whose watermark is `watermark` still has to do, up to `lastEnded`, oldest
 * first (none when it is caught up, or ahead).
 */
export function daysAfter(tenant: TenantConfig, watermark: LocalDate | undefined, lastEnded: LocalDate): LocalDate[] {
  const from = nextDay(tenant, watermark);
  return compareDates(from, lastEnded) > 0 ? [] : eachDay(from, lastEnded);
}

/** The catch-up targets at `nowSeconds` (one tenant or all). */
export async function catchUpTargets(config: BdsConfig, nowSeconds: number, tenantId?: string): Promise<Target[]> {
  const tenants: TenantConfig[] = selectTenants(config, tenantId, 'tenant');
  const watermarks = await readWatermarks(config.dataDir);
  return tenants.map((tenant) => {
    const to = lastEndedDay(nowSeconds, tenant.timezone, config.processingDelaySeconds);
    return { tenant, dates: daysAfter(tenant, watermarks[tenant.id]?.aggregate, to) };
  });
}
