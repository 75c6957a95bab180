/**
 * The schedule's entry point: does what `bds catch-up` does, for every tenant (or the one named
 * by `{"tenant": ...}` / the scheduled event's `detail.tenant`): every day after the watermarks
 * up to the last ended day, all stages, then delivery of what is pending. With
 * `dispatch.mode: lambda` it hands each tenant to its own `worker` invocation instead.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { loadRuntimeConfig } from '../lib/config/runtime';
import { createLogger } from '../lib/log/logger';
import { catchUpTargets } from '../lib/pipeline/catch-up';
import { RequestError } from '../lib/pipeline/errors';
import { invocationLog, type BdsHandler, type HandlerSummary } from '../lib/pipeline/handler';
import { runDays } from '../lib/pipeline/run-days';
import { isScheduledEvent, parseScheduledEvent } from '../lib/pipeline/targets';
import { fanOut } from '../lib/pipeline/fan-out';
import { ExitCode } from '../lib/errors';
import { nowSeconds } from '../lib/time/clock';

const NAME = 'dispatcher';
const log = createLogger({ fields: { function: NAME } });

const adHoc = z.strictObject({ tenant: z.string().min(1).max(64).optional() });

/** The tenant an event names, if any, and the field that named it. */
interface NamedTenant {
  readonly tenant: string | undefined;
  readonly field: string;
}

/** The tenant an event names, if any; throws a RequestError naming a bad field. */
function tenantOf(event: unknown): NamedTenant {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new RequestError('event', 'expected a JSON object: a scheduled event, {} or {"tenant": "..."}');
  }
  if (isScheduledEvent(event)) return { tenant: parseScheduledEvent(event, nowSeconds()).tenant, field: 'event.detail.tenant' };
  const parsed = adHoc.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.code === 'unrecognized_keys' ? issue.keys[0] : issue?.path.join('.');
    throw new RequestError(`event${key ? `.${key}` : ''}`, issue?.code === 'unrecognized_keys' ? 'unknown field (allowed: tenant)' : (issue?.message ?? 'invalid'));
  }
  return { tenant: parsed.data.tenant, field: 'event.tenant' };
}

const run = async (event: unknown): Promise<HandlerSummary> => {
  const { tenant, field } = tenantOf(event);
  const config = loadRuntimeConfig();
  // Checked here rather than left to catchUpTargets, whose error names `tenant`, not the event's field.
  if (tenant !== undefined && !config.tenants.some((t) => t.id === tenant)) {
    throw new RequestError(field, `unknown tenant "${tenant}" (configured: ${config.tenants.map((t) => t.id).join(', ')})`);
  }
  const targets = await catchUpTargets(config, nowSeconds(), tenant);
  const trigger = isScheduledEvent(event as object) ? 'scheduled' : 'manual';
  if (config.dispatch?.mode === 'lambda') {
    // One asynchronous worker invocation per tenant with days due; the workers take the
    // tenants' locks, so the dispatcher takes none.
    const started = Date.now();
    const dispatched = await fanOut(config.dispatch, targets, log, trigger);
    const failed = dispatched.some((d) => !d.ok);
    return {
      function: NAME,
      ok: !failed,
      exitCode: failed ? ExitCode.other : ExitCode.ok,
      days: [],
      skipped: [],
      transmissions: [],
      dispatched,
      durationMs: Date.now() - started,
    };
  }
  const summary = await runDays({
    config,
    targets,
    log,
    stages: { extract: true, aggregate: true, transmit: true },
    command: `dispatcher${tenant === undefined ? '' : ` --tenant ${tenant}`}`,
    trigger,
  });
  return { function: NAME, ...summary };
};

const wrapped = middy<unknown, HandlerSummary, Error, Context>(run).use(invocationLog({ name: NAME, log }));

export const handler: BdsHandler = (event, context) => wrapped(event, (context ?? {}) as Context);
