/**
 * Runs the pipeline's stages for (tenant, days) targets: each day in order, extract then
 * aggregate, then the tenant's pending files are transmitted. A failing day stops its tenant
 * there (later days depend on it: a month's rollup needs every day) while other tenants go on;
 * a failed delivery stops nothing (the files stay pending for the next run). Watermarks move as
 * stages complete; the whole run holds the data directory's lock and leaves its record for
 * monitoring.
 */
import type { BdsConfig, LocalDate, TenantConfig } from '../config/types';
import { ExitCode, describeError } from '../errors';
import { aggregateDay, StagedInputsError, type AggregateResult } from '../aggregate/aggregate-period';
import { extractDay } from '../extract/extract-day';
import type { Logger } from '../log/logger';
import type { SourceName } from '../metrics/catalogue';
import { acquireLock } from '../state/lock';
import { writeRunRecord } from '../state/run-record';
import { advanceWatermark, readWatermarks, setWatermark } from '../state/watermarks';
import type { TransmitSummary } from '../transmit/transmit';
import type { Target } from './targets';

export type Stage = 'extract' | 'aggregate' | 'transmit';

export interface DayOutcome {
  readonly tenant: string;
  readonly date: LocalDate;
  readonly ok: boolean;
  readonly failedStage?: Stage;
  readonly error?: string;
  readonly datasets: number;
  readonly rows: number;
  readonly files: number;
}

export interface TransmitOutcome {
  readonly tenant: string;
  readonly ok: boolean;
  readonly delivered: number;
  readonly failed: number;
  readonly missing: number;
  readonly error?: string;
}

export interface RunSummary {
  readonly ok: boolean;
  readonly exitCode: number;
  readonly days: readonly DayOutcome[];
  /** Days not attempted because an earlier day of the same tenant failed. */
  readonly skipped: readonly { readonly tenant: string; readonly date: LocalDate }[];
  readonly transmissions: readonly TransmitOutcome[];
  readonly durationMs: number;
}

export interface RunOptions {
  readonly config: BdsConfig;
  readonly targets: readonly Target[];
  readonly log: Logger;
  /** Which stages run; `extract` may be limited to some sources (one handler per source). */
  readonly stages: {
    readonly extract: boolean | readonly SourceName[];
    readonly aggregate: boolean;
    readonly transmit?: boolean;
  };
  /** What is running, for the lock and the run record (e.g. `bds run --date 2026-11-25`). */
  readonly command?: string;
  /**
   * A fan-out worker's single tenant: the run takes that tenant's lock and writes that tenant's
   * run record, so workers of different tenants run side by side. Default: the whole directory.
   */
  readonly lockTenant?: string;
}

const STAGE_BIT: Record<Stage, number> = {
  extract: ExitCode.extract,
  aggregate: ExitCode.aggregate,
  transmit: ExitCode.transmit,
};

/** The exit code of a set of day outcomes: one bit per failed stage (operation.md). */
export function exitCodeOf(days: readonly DayOutcome[], transmissions: readonly TransmitOutcome[] = []): number {
  let code = 0;
  for (const day of days) if (!day.ok) code |= day.failedStage === undefined ? ExitCode.other : STAGE_BIT[day.failedStage];
  if (transmissions.some((t) => !t.ok)) code |= ExitCode.transmit;
  return code;
}

/**
 * Aggregates a day; when that fails because staged data of earlier days (a month's last day
 * reads the whole month) is missing or does not match its record, extracts exactly those days
 * again, every dataset of each, and aggregates once more. Only a run that extracts does this
 * (the aggregate handler alone reports the days instead). `onStage` follows what is being done,
 * so a failing re-extraction is reported as an extraction failure.
 */
async function aggregateRepairing(
  options: RunOptions,
  tenant: TenantConfig,
  date: LocalDate,
  onStage: (stage: Stage) => void,
): Promise<AggregateResult> {
  const { config, log } = options;
  try {
    return await aggregateDay({ config, tenant, date, log });
  } catch (error) {
    if (!(error instanceof StagedInputsError) || options.stages.extract !== true) throw error;
    log.warn('staged data is missing or does not match its record; extracting those days again', {
      tenant: tenant.id,
      day: date,
      stage: 'aggregate',
      days: error.dates,
      datasets: error.problems.map((p) => `${p.dataset} ${p.date} (${p.problem})`),
    });
    onStage('extract');
    // Whole days, not single datasets: a day's datasets are extracted together everywhere else too.
    for (const day of error.dates) await extractDay({ config, tenant, date: day, log });
    onStage('aggregate');
  }
  return aggregateDay({ config, tenant, date, log });
}

async function runTenantDays(
  options: RunOptions,
  target: Target,
  days: DayOutcome[],
  skipped: { tenant: string; date: LocalDate }[],
): Promise<void> {
  const { config, log, stages } = options;
  const tenant = target.tenant;
  for (let i = 0; i < target.dates.length; i += 1) {
    const date = target.dates[i] as LocalDate;
    let stage: Stage = 'extract';
    let datasets = 0;
    let rows = 0;
    let files = 0;
    try {
      if (stages.extract !== false) {
        const extracted = await extractDay({
          config,
          tenant,
          date,
          log,
          ...(stages.extract === true ? {} : { sources: stages.extract }),
        });
        datasets = extracted.length;
        rows = extracted.reduce((n, d) => n + d.rows, 0);
        // A watermark means the whole stage: only a run of every source completes it.
        if (stages.extract === true) await advanceWatermark(config.dataDir, tenant, 'extract', date);
      }
      if (stages.aggregate) {
        stage = 'aggregate';
        const result = await aggregateRepairing(options, tenant, date, (next) => (stage = next));
        files = result.daily.files.length + (result.monthly?.files.length ?? 0);
        await advanceWatermark(config.dataDir, tenant, 'aggregate', date);
      }
      days.push({ tenant: tenant.id, date, ok: true, datasets, rows, files });
    } catch (error) {
      const message = describeError(error);
      log.error('day failed', { tenant: tenant.id, day: date, stage, error: message });
      days.push({ tenant: tenant.id, date, ok: false, failedStage: stage, error: message, datasets, rows, files });
      for (const rest of target.dates.slice(i + 1)) skipped.push({ tenant: tenant.id, date: rest });
      return;
    }
  }
}

async function transmitTenant(options: RunOptions, tenant: TenantConfig): Promise<TransmitOutcome> {
  const { config, log } = options;
  let summary: TransmitSummary | undefined;
  try {
    if (config.transmit !== undefined) {
      // Loaded only when there is something to deliver: the S3 SDK is a large part of start-up.
      const { transmitPending } = await import('../transmit/transmit');
      summary = await transmitPending({ config, tenant, log });
    }
  } catch (error) {
    const message = describeError(error);
    log.error('transmission failed', { tenant: tenant.id, stage: 'transmit', error: message });
    return { tenant: tenant.id, ok: false, delivered: 0, failed: 0, missing: 0, error: message };
  }
  const ok = summary?.ok ?? true;
  if (ok) {
    // Every file produced so far is delivered (or stays local only): transmit has caught up
    // with aggregation.
    const aggregated = (await readWatermarks(config.dataDir))[tenant.id]?.aggregate;
    if (aggregated !== undefined) await setWatermark(config.dataDir, tenant.id, 'transmit', aggregated);
  }
  const destinations = summary?.destinations ?? [];
  return {
    tenant: tenant.id,
    ok,
    delivered: destinations.reduce((n, d) => n + d.delivered.length + d.skippedAlreadyThere.length, 0),
    failed: destinations.reduce((n, d) => n + d.failed.length, 0),
    missing: destinations.reduce((n, d) => n + d.missing.length, 0),
  };
}

/** Runs the requested stages for every target. Never throws for a day's failure: it is in the summary. */
export async function runDays(options: RunOptions): Promise<RunSummary> {
  const { config } = options;
  const started = new Date();
  const lock = await acquireLock(config.dataDir, options.command ?? 'bds', options.lockTenant);
  try {
    const days: DayOutcome[] = [];
    const skipped: { tenant: string; date: LocalDate }[] = [];
    const transmissions: TransmitOutcome[] = [];
    for (const target of options.targets) {
      await runTenantDays(options, target, days, skipped);
      if (options.stages.transmit === true) transmissions.push(await transmitTenant(options, target.tenant));
    }
    let exitCode = exitCodeOf(days, transmissions);
    const ended = new Date();
    // A record that cannot be written (a full disk) must not replace what the run did: the days'
    // outcomes and stage bits still reach the caller, with the "other failure" bit added.
    await writeRunRecord(config.dataDir, {
      command: options.command ?? 'bds',
      startedAt: started.toISOString(),
      endedAt: ended.toISOString(),
      exitCode,
      daysProcessed: days.length,
      daysFailed: days.filter((d) => !d.ok).length,
      failures: days
        .filter((d) => !d.ok)
        .map((d) => ({ tenant: d.tenant, date: d.date, stage: d.failedStage ?? 'other', error: d.error ?? '' })),
    }, options.lockTenant).catch((error: unknown) => {
      exitCode |= ExitCode.other;
      options.log.error('cannot write the run record', { error: describeError(error) });
    });
    options.log.info('run finished', {
      command: options.command,
      exitCode,
      days: days.length,
      failedDays: days.filter((d) => !d.ok).length,
      files: days.reduce((n, d) => n + d.files, 0),
      delivered: transmissions.reduce((n, t) => n + t.delivered, 0),
      durationMs: ended.getTime() - started.getTime(),
    });
    return { ok: exitCode === 0, exitCode, days, skipped, transmissions, durationMs: ended.getTime() - started.getTime() };
  } finally {
    await lock.release();
  }
}
