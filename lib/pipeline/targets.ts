/**
 * What to process: a request (a tenant, a date or a range; from a command line or an ad hoc
 * event, lib/pipeline/events.ts) to (tenant, days) pairs, and the one tenant selection every
 * command and handler uses.
 */
import type { BdsConfig, LocalDate, TenantConfig } from '../config/types';
import { addDays, compareDates, eachDay, lastEndedDay } from '../time/calendar';
import { InvalidDateError } from '../time/errors';
import { RequestError } from './errors';

export interface Target {
  readonly tenant: TenantConfig;
  /** Oldest first. */
  readonly dates: readonly LocalDate[];
}

/** The longest range one request may ask for: ten years of days. */
export const MAX_RANGE_DAYS = 3660;

/**
 * The tenants a request names: every tenant when it names none, else the one it names.
 *
 * @throws RequestError naming `field` for an unknown tenant (the configured ones listed).
 */
export function selectTenants(config: BdsConfig, tenantId: string | undefined, field: string): TenantConfig[] {
  if (tenantId === undefined) return [...config.tenants];
  const tenant = config.tenants.find((t) => t.id === tenantId);
  if (tenant === undefined) {
    throw new RequestError(field, `unknown tenant "${tenantId}" (configured: ${config.tenants.map((t) => t.id).join(', ')})`);
  }
  return [tenant];
}

/** Days of [from, to] that exist for billing for the tenant (on or after its production date). */
export function billableDays(tenant: TenantConfig, from: LocalDate, to: LocalDate): LocalDate[] {
  const start = compareDates(from, tenant.productionDate) < 0 ? tenant.productionDate : from;
  return eachDay(start, to);
}

/**
 * True when [from, to] has more than MAX_RANGE_DAYS days. Counted without listing the days: a
 * request for 0001-01-01..9999-12-31 would otherwise build millions of dates before being refused.
 */
function longerThanMaxRange(from: LocalDate, to: LocalDate): boolean {
  let firstBeyond: LocalDate;
  try {
    firstBeyond = addDays(from, MAX_RANGE_DAYS);
  } catch (error) {
    // Past the year 9999: no valid `to` can be that far.
    if (error instanceof InvalidDateError) return false;
    throw error;
  }
  return compareDates(to, firstBeyond) >= 0;
}

/**
 * Turns a request (tenant?, date | from/to) into targets, refusing days that have not ended yet
 * in a tenant's zone (plus the processing delay): such a day's data is not complete.
 */
export function targetsFor(
  config: BdsConfig,
  request: { tenant?: string | undefined; from: LocalDate; to: LocalDate },
  nowSeconds: number,
  fields: { tenant: string; from: string; to: string } = { tenant: 'tenant', from: 'from', to: 'to' },
): Target[] {
  if (compareDates(request.from, request.to) > 0) {
    throw new RequestError(fields.from, `${request.from} is after ${fields.to} ${request.to}`);
  }
  if (longerThanMaxRange(request.from, request.to)) {
    throw new RequestError(fields.to, `the range is longer than ${MAX_RANGE_DAYS} days; split it`);
  }
  return selectTenants(config, request.tenant, fields.tenant).map((tenant) => {
    const lastEnded = lastEndedDay(nowSeconds, tenant.timezone, config.processingDelaySeconds);
    if (compareDates(request.to, lastEnded) > 0) {
      throw new RequestError(
        fields.to,
        `${request.to} has not ended yet for tenant ${tenant.id} (zone ${tenant.timezone}, processing delay included); the latest day that can be processed is ${lastEnded}`,
      );
    }
    return { tenant, dates: billableDays(tenant, request.from, request.to) };
  });
}
