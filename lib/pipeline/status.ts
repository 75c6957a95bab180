/**
 * What `bds status` reports, and monitoring exports: per tenant, watermarks, days due and
 * deliveries, marks and warnings, when each stage last succeeded; the last scheduled and the
 * last manual run.
 */
import type { BdsConfig, LocalDate } from '../config/types';
import { readRunRecord, type RunRecord } from '../state/run-record';
import { readStageSuccessFile, type StageSuccess, type StageSuccessRead } from '../state/stage-success';
import { readMarks } from '../state/period-marks';
import { readSourceWarnings, sourceWarningLines } from '../state/source-warnings';
import { readWatermarks, type StageName } from '../state/watermarks';
import { deliveryStatus, type DestinationStatus } from '../transmit/status';
import { lastEndedDay } from '../time/calendar';
import { daysAfter } from './catch-up';

export interface TenantStatus {
  readonly tenant: string;
  readonly watermarks: Partial<Record<StageName, LocalDate>>;
  /** When each stage last succeeded for the tenant (ISO times). */
  readonly lastSuccess: StageSuccess;
  /** The last day that has ended in the tenant's zone (plus the processing delay). */
  readonly lastEndedDay: LocalDate;
  /** Days a catch-up would process now. */
  readonly daysDue: number;
  readonly files: number;
  readonly destinations: readonly DestinationStatus[];
  /** Months whose monthly files are older than one of their days and wait to be rebuilt. */
  readonly staleMonths: readonly string[];
  /** Periods whose files `verify: true` found different from the sources: not transmitted. */
  readonly heldPeriods: readonly string[];
  readonly problems: readonly string[];
  /**
   * What extractions noticed about the sources (a listed switch the Config DB lacks, a source
   * with no rows at all for a day), newest day first: the files may be right, but look.
   */
  readonly warnings: readonly string[];
}

export interface Status {
  readonly tenants: readonly TenantStatus[];
  /** The last run started by hand (a command or an ad hoc event). */
  readonly lastRun?: RunRecord;
  /** The last run started by a schedule, kept apart so that a manual run cannot hide its failure. */
  readonly lastScheduledRun?: RunRecord;
}

/**
 * Collects the status of every tenant, or of those `only` names (reads state only; connects to
 * nothing).
 */
export async function collectStatus(config: BdsConfig, nowSeconds: number, only?: readonly string[]): Promise<Status> {
  const selected = only === undefined ? config.tenants : config.tenants.filter((t) => only.includes(t.id));
  const watermarks = await readWatermarks(config.dataDir);
  const deliveries = await deliveryStatus(only === undefined ? config : { ...config, tenants: selected });
  const stale = new Map<string, string[]>();
  const held = new Map<string, string[]>();
  const warnings = new Map<string, string[]>();
  const success = new Map<string, StageSuccessRead>();
  for (const tenant of selected) {
    success.set(tenant.id, await readStageSuccessFile(config.dataDir, tenant.id));
    warnings.set(tenant.id, sourceWarningLines(await readSourceWarnings(config.dataDir, tenant.id)));
    stale.set(tenant.id, await readMarks(config.dataDir, 'stale-months', tenant.id));
    held.set(tenant.id, await readMarks(config.dataDir, 'held', tenant.id));
  }
  const tenants = selected.map((tenant): TenantStatus => {
    const own = watermarks[tenant.id] ?? {};
    const staleMonths = stale.get(tenant.id) ?? [];
    const heldPeriods = held.get(tenant.id) ?? [];
    const last = lastEndedDay(nowSeconds, tenant.timezone, config.processingDelaySeconds);
    const delivery = deliveries.find((d) => d.tenant === tenant.id);
    return {
      tenant: tenant.id,
      watermarks: own,
      lastSuccess: success.get(tenant.id)?.success ?? {},
      lastEndedDay: last,
      daysDue: daysAfter(tenant, own.aggregate, last).length,
      files: delivery?.files ?? 0,
      destinations: delivery?.destinations ?? [],
      staleMonths,
      heldPeriods,
      problems: [
        ...staleMonths.map((m) => `monthly files of ${m} are stale (a day of the month was processed again); the next run rebuilds them`),
        ...heldPeriods.map(
          (p) => `files of ${p} differ from the values recomputed in the sources (verify); held, not transmitted until the period is processed again and verifies`,
        ),
        ...(delivery?.problems ?? []),
        ...[success.get(tenant.id)?.problem].filter((p): p is string => p !== undefined),
      ],
      warnings: warnings.get(tenant.id) ?? [],
    };
  });
  const lastRun = await readRunRecord(config.dataDir, 'manual');
  const lastScheduledRun = await readRunRecord(config.dataDir, 'scheduled');
  return {
    tenants,
    ...(lastRun === undefined ? {} : { lastRun }),
    ...(lastScheduledRun === undefined ? {} : { lastScheduledRun }),
  };
}
