/**
 * The state gauges: per tenant, what `bds status` says, as Prometheus gauges for the
 * node-exporter textfile collector, in `state/bds-state.<tenant>.prom` (one file per tenant, so
 * fan-out workers of different tenants never write the same file). The run gauges
 * (`state/bds.prom`, lib/state/run-record.ts) say how the last runs ended; these say where the
 * data is, which is what an alert should be written on: "aggregate is more than one day
 * behind", "files pending for more than a day", "no transmit success for 26 hours".
 *
 * Written after every run and, by the scheduler, at start-up, after a failed firing and every
 * 15 minutes, so they stay current while nothing runs (days behind grows as days end).
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BdsConfig, TenantConfig } from '../config/types';
import { writeFileAtomic } from '../files/atomic';
import type { Runtime } from '../runtime/runtime';
import { renderGauges, type GaugeFamily, type Sample } from '../state/prometheus';
import { STAGES, type StageName } from '../state/watermarks';
import { dayBounds } from '../time/calendar';
import { daysAfter } from './catch-up';
import type { TenantStatus } from './status';

/** `state/bds-state.<tenant>.prom`. */
export function stateGaugesPath(dataDir: string, tenant: string): string {
  return join(dataDir, 'state', `bds-state.${tenant}.prom`);
}

const FILE_PATTERN = /^bds-state\.(.+)\.prom$/;

/**
 * Renders one tenant's state gauges. `generatedAt` is epoch seconds (the collector's own file
 * time is not exported, so the file says when it was written: an alert can tell stale gauges
 * from good news).
 */
export function stateGaugesText(tenant: TenantConfig, status: TenantStatus, generatedAt: number): string {
  const id = { tenant: tenant.id };
  const perStage = (value: (stage: StageName) => number | undefined): Sample[] =>
    STAGES.flatMap((stage) => {
      const v = value(stage);
      return v === undefined ? [] : [{ labels: { ...id, stage }, value: v }];
    });
  const one = (value: number): Sample[] => [{ labels: id, value }];
  const families: GaugeFamily[] = [
    {
      name: 'bds_watermark_timestamp_seconds',
      help: 'End of the last day the stage has completed for the tenant, in the tenant zone (Unix time); absent before its first day.',
      samples: perStage((stage) => {
        const day = status.watermarks[stage];
        return day === undefined ? undefined : dayBounds(day, tenant.timezone).end;
      }),
    },
    {
      name: 'bds_days_behind',
      help: 'Ended days the stage has still to do for the tenant (0 = caught up).',
      samples: perStage((stage) => daysAfter(tenant, status.watermarks[stage], status.lastEndedDay).length),
    },
    {
      name: 'bds_last_success_timestamp_seconds',
      help: 'When the stage last succeeded for the tenant (Unix time): a day extracted or aggregated, a delivery pass with nothing failed.',
      samples: perStage((stage) => {
        const at = status.lastSuccess[stage];
        return at === undefined ? undefined : Date.parse(at) / 1000;
      }),
    },
    { name: 'bds_files', help: 'Billing files the manifests of the tenant list.', samples: one(status.files) },
    {
      name: 'bds_files_pending',
      help: 'Billing files of the tenant not yet delivered (with their current digest) to the destination.',
      samples: status.destinations.map((d) => ({ labels: { ...id, destination: d.destination }, value: d.pending })),
    },
    {
      name: 'bds_files_delivered',
      help: 'Billing files of the tenant the destination holds with their current digest.',
      samples: status.destinations.map((d) => ({ labels: { ...id, destination: d.destination }, value: d.delivered })),
    },
    { name: 'bds_stale_months', help: 'Months whose monthly files wait to be rebuilt because one of their days was processed again.', samples: one(status.staleMonths.length) },
    { name: 'bds_held_periods', help: 'Periods whose files verify found different from the sources: held, not delivered.', samples: one(status.heldPeriods.length) },
    { name: 'bds_problems', help: 'Problems bds status lists for the tenant (each one is money not yet billed right).', samples: one(status.problems.length) },
    { name: 'bds_source_warnings', help: 'Source warnings bds status lists for the tenant (a missing switch, a source without rows for a day).', samples: one(status.warnings.length) },
    { name: 'bds_state_generated_timestamp_seconds', help: 'When these state gauges were written (Unix time).', samples: one(generatedAt) },
  ];
  return renderGauges(families);
}

/**
 * Writes the state gauges of the tenants (every tenant, or those `only` names) from the state
 * on disk. Writing every tenant also removes the files of tenants no longer configured, so a
 * removed tenant does not alert forever.
 *
 * @throws when the state cannot be read or a file cannot be written (the caller adds the
 * "other failure" exit bit: monitoring that silently stops is a hidden failure).
 */
export async function writeStateGauges(config: BdsConfig, runtime: Pick<Runtime, 'clock' | 'fileModes'>, only?: readonly string[]): Promise<void> {
  const { collectStatus } = await import('./status');
  const nowSeconds = runtime.clock.nowSeconds();
  const status = await collectStatus(config, nowSeconds, only);
  for (const tenantStatus of status.tenants) {
    const tenant = config.tenants.find((t) => t.id === tenantStatus.tenant);
    if (tenant === undefined) continue;
    await writeFileAtomic(stateGaugesPath(config.dataDir, tenant.id), stateGaugesText(tenant, tenantStatus, nowSeconds), runtime.fileModes);
  }
  if (only !== undefined) return;
  const known = new Set(config.tenants.map((t) => t.id));
  const names = await readdir(join(config.dataDir, 'state')).catch(() => [] as string[]);
  for (const name of names) {
    const tenant = FILE_PATTERN.exec(name)?.[1];
    if (tenant !== undefined && !known.has(tenant)) await rm(join(config.dataDir, 'state', name), { force: true });
  }
}
