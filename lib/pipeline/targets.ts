/**
 * What to process: from a handler event or a command line to (tenant, days) pairs. An
 * EventBridge scheduled event means "the last day that has ended" for each tenant (in its own
 * zone, after the processing delay); an ad hoc event names a tenant and a date or a range.
 */
import { z } from 'zod';
import type { BdsConfig, LocalDate, TenantConfig } from '../config/types';
import { addDays, compareDates, eachDay, isLocalDate, lastEndedDay } from '../time/calendar';
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
 * How far a scheduled event's time may be ahead of this machine's clock: EventBridge stamps the
 * firing time, which is never after delivery, so more than clock skew means a forged or broken
 * event. Within it, the earlier of the two is used, so a day is never processed before it ended.
 */
export const MAX_EVENT_CLOCK_SKEW_SECONDS = 300;

const localDate = z.string().refine(isLocalDate, { message: 'expected a date YYYY-MM-DD' });

// EventBridge writes `2026-11-26T06:15:00Z`. Date.parse alone would also take "1" or "March 7"
// (as some day of 2001), so the shape is checked first.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

// The fields of an ad hoc event: in a scheduled event they would be silently ignored (its day
// comes from its time), so they are refused there.
const AD_HOC_FIELDS = ['tenant', 'date', 'from', 'to'] as const;

const scheduledEvent = z
  .object({
    source: z.literal('aws.events'),
    'detail-type': z.literal('Scheduled Event'),
    time: z.string().refine((t) => ISO_INSTANT.test(t) && !Number.isNaN(Date.parse(t)), { message: 'expected an ISO 8601 time such as 2026-11-26T06:15:00Z' }),
    // Bounded: an unknown tenant is echoed in the error and the log.
    detail: z.object({ tenant: z.string().min(1).max(64).optional() }).loose().optional(),
  })
  // EventBridge adds id, version, account, region, resources: those stay allowed.
  .loose()
  .superRefine((event, ctx) => {
    for (const field of AD_HOC_FIELDS) {
      if (field in event) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `a scheduled event's day comes from its time, so "${field}" would be ignored; send an ad hoc event { "tenant", "date" } (without source and detail-type), or name the tenant in detail.tenant`,
        });
      }
    }
  });

/** What a scheduled event says: when it fired (epoch seconds, never after now) and its tenant, if any. */
export interface ScheduledRequest {
  readonly time: number;
  readonly tenant: string | undefined;
}

/** True when the event claims to be an EventBridge scheduled event (and must then be one). */
export function isScheduledEvent(event: object): boolean {
  return 'source' in event || 'detail-type' in event;
}

/**
 * Validates an EventBridge scheduled event, the one schema every handler uses: an ISO time at most
 * MAX_EVENT_CLOCK_SKEW_SECONDS ahead of this machine's clock (a forged or broken event
 * otherwise), no ad hoc fields. The time used is the earlier of the event's and now.
 *
 * @throws RequestError naming the offending field.
 */
export function parseScheduledEvent(event: unknown, nowSeconds: number): ScheduledRequest {
  const parsed = scheduledEvent.safeParse(event);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw new RequestError(field, message);
  }
  const eventTime = Math.floor(Date.parse(parsed.data.time) / 1000);
  if (eventTime > nowSeconds + MAX_EVENT_CLOCK_SKEW_SECONDS) {
    throw new RequestError('event.time', `${parsed.data.time} is in the future; a scheduled event carries the time it fired`);
  }
  return { time: Math.min(eventTime, nowSeconds), tenant: parsed.data.detail?.tenant };
}

const adHocEvent = z
  .object({
    tenant: z.string().min(1).max(64).optional(),
    date: localDate.optional(),
    from: localDate.optional(),
    to: localDate.optional(),
  })
  .strict();

function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const path = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
  let message = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') {
    message = `unknown field(s) ${issue.keys.join(', ')} (allowed: tenant, date, from, to)`;
  } else if (issue?.code === 'invalid_type') {
    message = `expected ${issue.expected}`;
  }
  const field = issue?.code === 'unrecognized_keys' ? `event${path}.${issue.keys[0] ?? ''}` : `event${path}`;
  return { field, message };
}

function selectTenants(config: BdsConfig, tenantId: string | undefined, field: string): TenantConfig[] {
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

/** Parses a handler event (scheduled or ad hoc) into targets. */
export function targetsFromEvent(config: BdsConfig, event: unknown, nowSeconds: number): Target[] {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new RequestError('event', 'expected a JSON object: a scheduled event, or { "tenant": ..., "date": "YYYY-MM-DD" } / { "from", "to" }');
  }
  if (isScheduledEvent(event)) {
    const { time, tenant: named } = parseScheduledEvent(event, nowSeconds);
    return selectTenants(config, named, 'event.detail.tenant').map((tenant) => {
      const day = lastEndedDay(time, tenant.timezone, config.processingDelaySeconds);
      return { tenant, dates: compareDates(day, tenant.productionDate) < 0 ? [] : [day] };
    });
  }
  const parsed = adHocEvent.safeParse(event);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw new RequestError(field, message);
  }
  const { tenant, date, from, to } = parsed.data;
  if (date !== undefined && (from !== undefined || to !== undefined)) {
    throw new RequestError('event.date', 'give either date, or from and to, not both');
  }
  if (date === undefined && (from === undefined || to === undefined)) {
    throw new RequestError(from === undefined ? 'event.from' : 'event.to', 'missing: give date, or both from and to');
  }
  return targetsFor(
    config,
    { tenant, from: date ?? (from as string), to: date ?? (to as string) },
    nowSeconds,
    { tenant: 'event.tenant', from: date === undefined ? 'event.from' : 'event.date', to: date === undefined ? 'event.to' : 'event.date' },
  );
}
