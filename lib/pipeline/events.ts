/**
 * The one event boundary: every handler's event is read here, by one scheduled-event schema, one
 * ad hoc schema per kind of handler, one tenant selection and one mapping of schema errors to a
 * RequestError naming the field. Handlers receive a {@link BdsRequest}, never the raw event.
 *
 * Kinds:
 * - `days` (extract-*, aggregate): a scheduled event means the last ended day of each tenant (in
 *   its zone, after the processing delay); ad hoc `{ tenant?, date }` or `{ tenant?, from, to }`.
 * - `tenants` (dispatcher, upload): whatever is due, so a scheduled event (its `detail.tenant`
 *   selecting one) and ad hoc `{ tenant? }` mean the same.
 * - `worker`: `{ tenant, trigger? }` from the dispatcher only; a scheduled event is refused.
 */
import { z } from 'zod';
import type { BdsConfig, TenantConfig } from '../config/types';
import type { RunTrigger } from '../state/run-record';
import { compareDates, isLocalDate, lastEndedDay } from '../time/calendar';
import { RequestError } from './errors';
import { selectTenants, targetsFor, type Target } from './targets';

/**
 * How far a scheduled event's time may be ahead of this machine's clock: EventBridge stamps the
 * firing time, which is never after delivery, so more than clock skew means a forged or broken
 * event. Within it, the earlier of the two is used, so a day is never processed before it ended.
 */
export const MAX_EVENT_CLOCK_SKEW_SECONDS = 300;

/** The kinds of handler event (see the module comment). */
export const EVENT_KINDS = ['days', 'tenants', 'worker'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

const localDate = z.string().refine(isLocalDate, { error: 'expected a date YYYY-MM-DD' });
// Bounded: an unknown tenant is echoed in the error and the log.
const tenantId = z.string().min(1).max(64);

// EventBridge writes `2026-11-26T06:15:00Z`. Date.parse alone would also take "1" or "March 7"
// (as some day of 2001), so the shape is checked first.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

// The fields of an ad hoc event: in a scheduled event they would be silently ignored (its day
// comes from its time), so they are refused there.
const AD_HOC_FIELDS = ['tenant', 'date', 'from', 'to', 'trigger'] as const;

const scheduledEvent = z
  .object({
    source: z.literal('aws.events'),
    'detail-type': z.literal('Scheduled Event'),
    time: z.string().refine((t) => ISO_INSTANT.test(t) && !Number.isNaN(Date.parse(t)), { error: 'expected an ISO 8601 time such as 2026-11-26T06:15:00Z' }),
    detail: z.object({ tenant: tenantId.optional() }).loose().optional(),
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

const AD_HOC = {
  days: z.strictObject({ tenant: tenantId.optional(), date: localDate.optional(), from: localDate.optional(), to: localDate.optional() }),
  tenants: z.strictObject({ tenant: tenantId.optional() }),
  worker: z.strictObject({ tenant: tenantId, trigger: z.enum(['scheduled', 'manual']).optional() }),
} as const;

/** What each kind's ad hoc event looks like, for the messages. */
const SHAPES: Record<EventKind, string> = {
  days: 'a scheduled event, or { "tenant"?: ..., "date": "YYYY-MM-DD" } / { "tenant"?: ..., "from", "to" }',
  tenants: 'a scheduled event, or { "tenant": "..." } (or {} for every tenant)',
  worker: '{ "tenant": "...", "trigger"?: "scheduled" | "manual" }',
};

const MISSING: Partial<Record<string, string>> = {
  'worker:tenant': 'required: the tenant id to catch up',
};

/** The first schema problem as a RequestError naming the field (`event.<path>`). */
function requestErrorOf(error: z.ZodError, kind: EventKind | 'scheduled', event?: object): RequestError {
  const issue = error.issues[0];
  const path = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
  if (issue?.code === 'unrecognized_keys') {
    const allowed = kind === 'scheduled' ? '' : ` (allowed: ${Object.keys(AD_HOC[kind].shape).join(', ')})`;
    return new RequestError(`event${path}.${issue.keys[0] ?? ''}`, `unknown field(s) ${issue.keys.join(', ')}${allowed}`);
  }
  const key = path.slice(1);
  const missing = kind === 'scheduled' || event === undefined || key in event ? undefined : MISSING[`${kind}:${key}`];
  if (missing !== undefined) return new RequestError(`event${path}`, missing);
  return new RequestError(`event${path}`, issue?.code === 'invalid_type' ? `expected ${issue.expected}` : (issue?.message ?? 'invalid'));
}

/** What a scheduled event says: when it fired (epoch seconds, never after now) and its tenant, if any. */
export interface ScheduledRequest {
  readonly time: number;
  readonly tenant: string | undefined;
}

/** True when the event claims to be an EventBridge scheduled event (and must then be one). */
export function isScheduledEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && ('source' in event || 'detail-type' in event);
}

/**
 * Validates an EventBridge scheduled event: an ISO time at most MAX_EVENT_CLOCK_SKEW_SECONDS
 * ahead of this machine's clock (a forged or broken event otherwise), no ad hoc fields. The
 * time used is the earlier of the event's and now.
 *
 * @throws RequestError naming the offending field.
 */
export function parseScheduledEvent(event: unknown, nowSeconds: number): ScheduledRequest {
  const parsed = scheduledEvent.safeParse(event);
  if (!parsed.success) throw requestErrorOf(parsed.error, 'scheduled');
  const eventTime = Math.floor(Date.parse(parsed.data.time) / 1000);
  if (eventTime > nowSeconds + MAX_EVENT_CLOCK_SKEW_SECONDS) {
    throw new RequestError('event.time', `${parsed.data.time} is in the future; a scheduled event carries the time it fired`);
  }
  return { time: Math.min(eventTime, nowSeconds), tenant: parsed.data.detail?.tenant };
}

/** A handler's event, read: what started it, the tenant it names and the days it asks for. */
export interface BdsRequest {
  readonly kind: EventKind;
  /** A scheduled event, or (a worker) what started its dispatcher; else `manual`. */
  readonly trigger: RunTrigger;
  /** The tenant the event names, if any (always, for a worker). */
  readonly tenant: TenantConfig | undefined;
  /** `days`: the (tenant, days) the event asks for. Other kinds: none (what is due is read from state). */
  readonly targets: readonly Target[];
}

/**
 * Reads a handler's event. The shape is checked before the configuration is loaded (a bad
 * event is refused even where the configuration cannot be read); then the tenant is selected
 * and, for `days`, the days computed.
 *
 * @throws RequestError naming the offending field; whatever `loadConfig` throws.
 */
export function readRequest(kind: EventKind, event: unknown, nowSeconds: number, loadConfig: () => BdsConfig): { config: BdsConfig; request: BdsRequest } {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new RequestError('event', `expected a JSON object: ${SHAPES[kind]}`);
  }
  if (kind !== 'worker' && isScheduledEvent(event)) {
    const scheduled = parseScheduledEvent(event, nowSeconds);
    const config = loadConfig();
    const tenants = selectTenants(config, scheduled.tenant, 'event.detail.tenant');
    const targets =
      kind === 'days'
        ? tenants.map((tenant): Target => {
            const day = lastEndedDay(scheduled.time, tenant.timezone, config.processingDelaySeconds);
            return { tenant, dates: compareDates(day, tenant.productionDate) < 0 ? [] : [day] };
          })
        : [];
    return { config, request: { kind, trigger: 'scheduled', tenant: scheduled.tenant === undefined ? undefined : tenants[0], targets } };
  }
  if (kind === 'days') {
    const parsed = AD_HOC.days.safeParse(event);
    if (!parsed.success) throw requestErrorOf(parsed.error, kind, event);
    const { tenant, date, from, to } = parsed.data;
    if (date !== undefined && (from !== undefined || to !== undefined)) throw new RequestError('event.date', 'give either date, or from and to, not both');
    const first = date ?? from;
    const last = date ?? to;
    if (first === undefined || last === undefined) throw new RequestError(from === undefined ? 'event.from' : 'event.to', 'missing: give date, or both from and to');
    const config = loadConfig();
    const targets = targetsFor(config, { tenant, from: first, to: last }, nowSeconds, {
      tenant: 'event.tenant',
      from: date === undefined ? 'event.from' : 'event.date',
      to: date === undefined ? 'event.to' : 'event.date',
    });
    return { config, request: { kind, trigger: 'manual', tenant: tenant === undefined ? undefined : targets[0]?.tenant, targets } };
  }
  if (kind === 'worker') {
    const parsed = AD_HOC.worker.safeParse(event);
    if (!parsed.success) throw requestErrorOf(parsed.error, kind, event);
    const config = loadConfig();
    const tenant = selectTenants(config, parsed.data.tenant, 'event.tenant')[0];
    return { config, request: { kind, trigger: parsed.data.trigger ?? 'manual', tenant, targets: [] } };
  }
  const parsed = AD_HOC.tenants.safeParse(event);
  if (!parsed.success) throw requestErrorOf(parsed.error, kind, event);
  const config = loadConfig();
  const named = parsed.data.tenant;
  return { config, request: { kind, trigger: 'manual', tenant: named === undefined ? undefined : selectTenants(config, named, 'event.tenant')[0], targets: [] } };
}

/** Parses a `days` event into targets (the stage handlers' reading, for callers that want only that). */
export function targetsFromEvent(config: BdsConfig, event: unknown, nowSeconds: number): Target[] {
  return [...readRequest('days', event, nowSeconds, () => config).request.targets];
}

/**
 * What a handler invocation carries through middy: the raw event and, once the
 * handler (handler.ts) has read it, the configuration and the request read from it.
 */
export interface Invocation {
  readonly event: unknown;
  parsed?: { readonly config: BdsConfig; readonly request: BdsRequest };
}
