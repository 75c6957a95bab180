/**
 * The schedule's entry point: does what `bds catch-up` does, for every tenant (or the one named
 * by `{"tenant": ...}` / the scheduled event's `detail.tenant`): every day after the watermarks
 * up to the last ended day, all stages, then delivery of what is pending. With
 * `dispatch.mode: lambda` it hands each tenant to its own `worker` invocation instead.
 */
import { ExitCode } from '../lib/errors';
import { catchUpTargets } from '../lib/pipeline/catch-up';
import { fanOut } from '../lib/pipeline/fan-out';
import { createHandler, type BdsHandler } from '../lib/pipeline/handler';
import { runDays } from '../lib/pipeline/run-days';

const NAME = 'dispatcher';

export const handler: BdsHandler = createHandler({
  name: NAME,
  kind: 'tenants',
  run: async ({ config, runtime, request, log }) => {
    const tenant = request.tenant?.id;
    const targets = await catchUpTargets(config, runtime.clock.nowSeconds(), tenant);
    if (config.dispatch?.mode === 'lambda') {
      // One asynchronous worker invocation per tenant with days due; the workers take the
      // tenants' locks, so the dispatcher takes none.
      const started = Date.now();
      const dispatched = await fanOut(config.dispatch, targets, log, request.trigger);
      const failed = dispatched.some((d) => !d.ok);
      return { function: NAME, ok: !failed, exitCode: failed ? ExitCode.other : ExitCode.ok, days: [], skipped: [], transmissions: [], dispatched, durationMs: Date.now() - started };
    }
    const summary = await runDays({
      config,
      runtime,
      targets,
      log,
      stages: { extract: true, aggregate: true, transmit: true },
      command: `${NAME}${tenant === undefined ? '' : ` --tenant ${tenant}`}`,
      trigger: request.trigger,
    });
    return { function: NAME, ...summary };
  },
});
