/**
 * Sends the billing files not yet delivered to the configured destinations (S3 inbox, copyTo
 * folders). Unlike the stage handlers it processes no days: whatever is written and pending is
 * due, so a scheduled event and an ad hoc `{ "tenant": "acme" }` (or `{}` for every tenant) mean
 * the same thing. Failed deliveries are in the summary, with exit code 2; they stay pending.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { loadRuntimeConfig } from '../lib/config/runtime';
import type { BdsConfig, TenantConfig } from '../lib/config/types';
import { createLogger } from '../lib/log/logger';
import { RequestError } from '../lib/pipeline/errors';
import { invocationLog, type HandlerSummary } from '../lib/pipeline/handler';
import type { TransmitOutcome } from '../lib/pipeline/run-days';
import { isScheduledEvent, parseScheduledEvent } from '../lib/pipeline/targets';
import { nowSeconds } from '../lib/time/clock';
import { acquireLock } from '../lib/state/lock';
import { readWatermarks, setWatermark } from '../lib/state/watermarks';
import type { TransmitSummary } from '../lib/transmit/summary';
import { transmitPending } from '../lib/transmit/transmit';

const NAME = 'upload';

/** The handler's answer: the common summary shape (no days) plus what transmission did. */
export interface UploadSummary extends HandlerSummary {
  readonly transmit: TransmitSummary;
}

const adHocEvent = z.object({ tenant: z.string().min(1).max(64).optional() }).strict();

function invalid(error: z.ZodError, allowed: string): RequestError {
  const issue = error.issues[0];
  const path = issue?.path.map((p) => `.${String(p)}`).join('') ?? '';
  if (issue?.code === 'unrecognized_keys') {
    return new RequestError(`event${path}.${issue.keys[0] ?? ''}`, `unknown field(s) ${issue.keys.join(', ')} (allowed: ${allowed})`);
  }
  return new RequestError(`event${path}`, issue?.message ?? 'invalid');
}

/**
 * Reads an upload event: `{ "tenant"?: string }` or an EventBridge scheduled event (whose
 * `detail.tenant`, if any, selects the tenant).
 *
 * @throws RequestError naming the offending field.
 */
export function uploadTenantFromEvent(event: unknown): string | undefined {
  return namedTenant(event).tenant;
}

/** The tenant an upload event names, if any, with the field that names it (for errors). */
function namedTenant(event: unknown): { tenant: string | undefined; field: string } {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new RequestError('event', 'expected a JSON object: a scheduled event, or { "tenant": "..." } (or {} for every tenant)');
  }
  if (isScheduledEvent(event)) return { tenant: parseScheduledEvent(event, nowSeconds()).tenant, field: 'event.detail.tenant' };
  const parsed = adHocEvent.safeParse(event);
  if (!parsed.success) throw invalid(parsed.error, 'tenant');
  return { tenant: parsed.data.tenant, field: 'event.tenant' };
}

function selectTenant(config: BdsConfig, id: string | undefined, field: string): TenantConfig | undefined {
  if (id === undefined) return undefined;
  const tenant = config.tenants.find((t) => t.id === id);
  if (tenant === undefined) {
    throw new RequestError(field, `unknown tenant "${id}" (configured: ${config.tenants.map((t) => t.id).join(', ')})`);
  }
  return tenant;
}

const log = createLogger({ fields: { function: NAME } });

/** Per tenant, in the pipeline's terms (`RunSummary.transmissions`). */
function outcomes(tenants: readonly TenantConfig[], summary: TransmitSummary): TransmitOutcome[] {
  return tenants.map((tenant) => {
    const mine = summary.destinations.filter((d) => d.tenant === tenant.id);
    const failed = mine.reduce((n, d) => n + d.failed.length, 0);
    const missing = mine.reduce((n, d) => n + d.missing.length, 0);
    return {
      tenant: tenant.id,
      // The same rule as the summary's own `ok`, for this tenant's part of it.
      ok: failed === 0 && missing === 0 && !summary.problems.some((p) => p.tenant === tenant.id) && !summary.stranded.some((u) => u.tenant === tenant.id),
      delivered: mine.reduce((n, d) => n + d.delivered.length + d.skippedAlreadyThere.length, 0),
      failed,
      missing,
    };
  });
}

async function run(event: unknown): Promise<UploadSummary> {
  const started = Date.now();
  const named = namedTenant(event);
  const config = loadRuntimeConfig();
  const tenant = selectTenant(config, named.tenant, named.field);
  // Two deliveries of the same data directory at once could both send a file before either
  // records it: uploads take the same lock as every other run.
  const lock = await acquireLock(config.dataDir, `${NAME}${tenant === undefined ? '' : ` --tenant ${tenant.id}`}`);
  try {
    const transmit = await transmitPending({ config, log, ...(tenant === undefined ? {} : { tenant }) });
    const transmissions = outcomes(tenant === undefined ? config.tenants : [tenant], transmit);
    // As after a pipeline run: a tenant with nothing left pending has transmitted what was aggregated.
    const watermarks = await readWatermarks(config.dataDir);
    for (const outcome of transmissions) {
      const aggregated = watermarks[outcome.tenant]?.aggregate;
      if (outcome.ok && aggregated !== undefined) await setWatermark(config.dataDir, outcome.tenant, 'transmit', aggregated);
    }
    return {
      function: NAME,
      ok: transmit.ok,
      exitCode: transmit.exitCode,
      days: [],
      skipped: [],
      transmissions,
      durationMs: Date.now() - started,
      transmit,
    };
  } finally {
    await lock.release();
  }
}

const wrapped = middy<unknown, UploadSummary, Error, Context>(run).use(invocationLog({ name: NAME, log }));

/** Lambda-style entry point: `handler(event, context)`. */
export const handler = (event: unknown, context?: Partial<Context>): Promise<UploadSummary> =>
  wrapped(event, (context ?? {}) as Context);
