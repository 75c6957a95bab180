/**
 * A fan-out worker: catches up one tenant (every day after its watermarks up to the last ended
 * day, all stages, then delivery), under that tenant's own lock, so workers of different
 * tenants run at the same time. Invoked by the dispatcher in `dispatch.mode: lambda` with
 * `{"tenant": "...", "trigger": "scheduled" | "manual"}`.
 */
import { catchUpTargets } from '../lib/pipeline/catch-up';
import { createHandler, type BdsHandler } from '../lib/pipeline/handler';
import { runDays } from '../lib/pipeline/run-days';

const NAME = 'worker';

export const handler: BdsHandler = createHandler({
  name: NAME,
  kind: 'worker',
  run: async ({ config, runtime, request, log }) => {
    // A worker event always names its tenant (the event schema requires it).
    const tenant = request.tenant?.id ?? '';
    const summary = await runDays({
      config,
      runtime,
      targets: await catchUpTargets(config, runtime.clock.nowSeconds(), tenant),
      log,
      stages: { extract: true, aggregate: true, transmit: true },
      command: `${NAME} --tenant ${tenant}`,
      lockTenant: tenant,
      trigger: request.trigger,
    });
    return { function: NAME, ...summary };
  },
});
