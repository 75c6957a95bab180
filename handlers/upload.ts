/**
 * Sends the billing files not yet delivered to the configured destinations (S3 inbox, copyTo
 * folders). Unlike the stage handlers it processes no days: whatever is written and pending is
 * due, so a scheduled event and an ad hoc `{ "tenant": "acme" }` (or `{}` for every tenant) mean
 * the same thing. It runs the pipeline's transmit stage alone (lib/pipeline/run-days.ts: the same
 * outcomes, watermark, run record and gauges as a full run) under the data directory's lock,
 * which excludes every run and fan-out worker. Failed deliveries are in the summary, with exit
 * code 2; they stay pending.
 */
import { ExitCode } from '../lib/errors';
import { createHandler, type HandlerSummary } from '../lib/pipeline/handler';
import { runDays } from '../lib/pipeline/run-days';
import type { TransmitSummary } from '../lib/transmit/summary';

const NAME = 'upload';

/** The handler's answer: the common summary shape (no days) plus what transmission did. */
export interface UploadSummary extends HandlerSummary {
  readonly transmit: TransmitSummary;
}

/** One summary of the tenants' transmissions, as one pass over every tenant would give. */
function mergeSummaries(parts: readonly (TransmitSummary | undefined)[], durationMs: number): TransmitSummary {
  const present = parts.filter((p): p is TransmitSummary => p !== undefined);
  const ok = present.every((p) => p.ok);
  return {
    ok,
    exitCode: ok ? ExitCode.ok : ExitCode.transmit,
    destinations: present.flatMap((p) => p.destinations),
    unlisted: present.flatMap((p) => p.unlisted),
    stranded: present.flatMap((p) => p.stranded),
    problems: present.flatMap((p) => p.problems),
    durationMs,
  };
}

export const handler = createHandler<UploadSummary>({
  name: NAME,
  kind: 'tenants',
  run: async ({ config, runtime, request, log }) => {
    const tenants = request.tenant === undefined ? config.tenants : [request.tenant];
    const summary = await runDays({
      config,
      runtime,
      targets: tenants.map((tenant) => ({ tenant, dates: [] })),
      log,
      stages: { extract: false, aggregate: false, transmit: true },
      command: `${NAME}${request.tenant === undefined ? '' : ` --tenant ${request.tenant.id}`}`,
      trigger: request.trigger,
    });
    return { function: NAME, ...summary, transmit: mergeSummaries(summary.transmissions.map((t) => t.summary), summary.durationMs) };
  },
});
