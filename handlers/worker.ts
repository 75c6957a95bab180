/**
 * A fan-out worker: catches up one tenant (every day after its watermarks up to the last ended
 * day, all stages, then delivery), under that tenant's own lock, so workers of different
 * tenants run at the same time. Invoked by the dispatcher in `dispatch.mode: lambda`.
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
import { nowSeconds } from '../lib/time/clock';

const NAME = 'worker';
const log = createLogger({ fields: { function: NAME } });
// `trigger` is what started the dispatcher (absent: an ad hoc invocation of the worker).
const workerEvent = z.strictObject({ tenant: z.string().min(1).max(64), trigger: z.enum(['scheduled', 'manual']).optional() });

const run = async (event: unknown): Promise<HandlerSummary> => {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new RequestError('event', 'expected a JSON object: {"tenant": "..."}');
  }
  const parsed = workerEvent.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') throw new RequestError(`event.${issue.keys[0] ?? ''}`, 'unknown field (a worker takes {"tenant": "...", "trigger": "scheduled" | "manual"})');
    if (issue?.path[0] === 'trigger') throw new RequestError('event.trigger', 'must be "scheduled" or "manual" (or left out: manual)');
    throw new RequestError('event.tenant', 'required: the tenant id to catch up');
  }
  const { tenant, trigger = 'manual' } = parsed.data;
  const config = loadRuntimeConfig();
  // Checked here rather than left to catchUpTargets, whose error names `tenant`, not the event's field.
  if (!config.tenants.some((t) => t.id === tenant)) {
    throw new RequestError('event.tenant', `unknown tenant "${tenant}" (configured: ${config.tenants.map((t) => t.id).join(', ')})`);
  }
  const targets = await catchUpTargets(config, nowSeconds(), tenant);
  const summary = await runDays({
    config,
    targets,
    log,
    stages: { extract: true, aggregate: true, transmit: true },
    command: `worker --tenant ${tenant}`,
    lockTenant: tenant,
    trigger,
  });
  return { function: NAME, ...summary };
};

const wrapped = middy<unknown, HandlerSummary, Error, Context>(run).use(invocationLog({ name: NAME, log }));

export const handler: BdsHandler = (event, context) => wrapped(event, (context ?? {}) as Context);
