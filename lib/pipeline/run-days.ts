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
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { aggregateDay, aggregateMonthOnly, StagedInputsError } from '../aggregate/aggregate-period';
import { buildDetailFiles } from '../explain/detail';
import { AggregationError } from '../aggregate/errors';
import { extractDay } from '../extract/extract-day';
import { billingFolder, manifestName } from '../files/period-writer';
import type { Logger } from '../log/logger';
import type { SourceName } from '../metrics/catalogue';
import { acquireLock } from '../state/lock';
import { writeRunRecord, type RunTrigger } from '../state/run-record';
import { recordStageSuccess } from '../state/stage-success';
import { writeStateGauges } from './monitoring';
import type { Runtime } from '../runtime/runtime';
import { addMark, clearMark, readMarks } from '../state/period-marks';
import { advanceWatermark, readWatermarks, setWatermark } from '../state/watermarks';
import { compareDates, isLastDayOfMonth, lastDayOfMonth, monthOf } from '../time/calendar';
import type { TransmitSummary } from '../transmit/summary';
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
  /** What transmission did in detail (absent when nothing is configured or it failed to start). */
  readonly summary?: TransmitSummary;
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
  /** The clock, file modes and secrets of the program or handler that runs the days. */
  readonly runtime: Runtime;
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
  /**
   * What started the run: a scheduled event, or a command / ad hoc event (default). Their run
   * records are kept apart, so a manual run never hides a failed scheduled firing.
   */
  readonly trigger?: RunTrigger;
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
 * Runs an aggregation; when that fails because staged data it reads (a month's rollup reads the
 * whole month) is missing or does not match its record, extracts exactly those days again, every
 * dataset of each, re-aggregates their daily files (the new staged data must be what the day's
 * own files say too, not only what the month says), and runs the aggregation once more. Only a
 * run that extracts does this (the aggregate handler alone reports the days instead). `onStage`
 * follows what is being done, so a failing re-extraction is reported as an extraction failure.
 */
async function aggregateRepairing<T>(
  options: RunOptions,
  tenant: TenantConfig,
  day: LocalDate | undefined,
  aggregate: () => Promise<T>,
  onStage: (stage: Stage) => void,
): Promise<T> {
  const { config, log } = options;
  const modes = options.runtime.fileModes;
  try {
    return await aggregate();
  } catch (error) {
    if (!(error instanceof StagedInputsError) || options.stages.extract !== true) throw error;
    log.warn('staged data is missing or does not match its record; extracting those days again', {
      tenant: tenant.id,
      ...(day === undefined ? {} : { day }),
      stage: 'aggregate',
      days: error.dates,
      datasets: error.problems.map((p) => `${p.dataset} ${p.date} (${p.problem})`),
    });
    onStage('extract');
    // Whole days, not single datasets: a day's datasets are extracted together everywhere else too.
    for (const repaired of error.dates) await extractDay({ config, tenant, date: repaired, log, modes });
    onStage('aggregate');
    for (const repaired of error.dates) {
      // The day being aggregated is written by `aggregate` itself; a month's last day is never
      // another day's input.
      if (repaired !== day && !isLastDayOfMonth(repaired)) await aggregateDay({ config, tenant, date: repaired, log, modes, detail: buildDetailFiles });
    }
  }
  return aggregate();
}

/** `verify: true` found the files of a day (or its month) different from the sources. */
export class VerificationFailedError extends AggregationError {}

/**
 * With `verify: true`, recomputes what aggregation just wrote for `date` (and its month on a last
 * day) inside the sources and compares. A difference holds the periods' files back from every
 * destination (lib/state/period-marks.ts) and fails the day's aggregation, so its watermark does
 * not move; equal values release them.
 */
async function verifyAggregated(options: RunOptions, tenant: TenantConfig, date: LocalDate, month: string | undefined): Promise<void> {
  const { config, log } = options;
  const modes = options.runtime.fileModes;
  if (!config.verify) return;
  const periods = [date, ...(month === undefined ? [] : [month])];
  // Loaded only where verification is configured.
  const { verifyTenantDays } = await import('../verify/verify');
  const result = await verifyTenantDays({ config, tenant, dates: [date], log });
  if (result.differences.length === 0) {
    for (const period of periods) await clearMark(config.dataDir, 'held', tenant.id, period, modes);
    return;
  }
  for (const period of periods) await addMark(config.dataDir, 'held', tenant.id, period, modes);
  for (const d of result.differences) {
    log.error('verification difference', { ...d, day: date, stage: 'aggregate' });
  }
  const shown = result.differences
    .slice(0, 5)
    .map((d) => `${d.region} ${d.metric} ${d.measure} ${d.period}: file ${d.fileValue ?? '-'}, sources ${d.sourceValue}`)
    .join('; ');
  throw new VerificationFailedError(
    `tenant ${tenant.id}, ${date}: verify found ${result.differences.length} difference(s) between the files and the sources (${shown}${result.differences.length > 5 ? '; ...' : ''}); the files are held, not transmitted; \`bds verify --date ${date} --tenant ${tenant.id}\` lists them`,
  );
}

/**
 * Whether a month has been rolled up already: its monthly manifest is on disk, or aggregation has
 * passed its last day (the customer may have moved the files away). Aggregating one of its days
 * again then makes its monthly files stale.
 */
async function monthRolledUp(config: BdsConfig, tenant: TenantConfig, month: string): Promise<boolean> {
  const aggregated = (await readWatermarks(config.dataDir))[tenant.id]?.aggregate;
  if (aggregated !== undefined && compareDates(aggregated, lastDayOfMonth(`${month}-01`)) >= 0) return true;
  const period = { type: 'monthly', month } as const;
  return access(join(billingFolder(config.dataDir, tenant.id, period), manifestName(tenant.id, period))).then(
    () => true,
    () => false,
  );
}

/**
 * Rebuilds every stale month of the tenant (lib/state/period-marks.ts), oldest first: those this
 * run's days made stale and those an earlier run left. A month that cannot be rebuilt is a failed
 * aggregation (outcome dated the month's last day) and stays marked for the next run.
 */
async function rebuildStaleMonths(options: RunOptions, tenant: TenantConfig, days: DayOutcome[]): Promise<void> {
  const { config, log } = options;
  const modes = options.runtime.fileModes;
  let stale: string[];
  try {
    stale = await readMarks(config.dataDir, 'stale-months', tenant.id);
  } catch (error) {
    const message = describeError(error);
    log.error('cannot read the stale months', { tenant: tenant.id, stage: 'aggregate', error });
    days.push({ tenant: tenant.id, date: tenant.productionDate, ok: false, failedStage: 'aggregate', error: message, datasets: 0, rows: 0, files: 0 });
    return;
  }
  for (const month of stale) {
    let stage: Stage = 'aggregate';
    try {
      const monthly = await aggregateRepairing(
        options,
        tenant,
        undefined,
        () => aggregateMonthOnly({ config, tenant, month, log, modes, detail: buildDetailFiles }),
        (next) => (stage = next),
      );
      await clearMark(config.dataDir, 'stale-months', tenant.id, month, modes);
      await verifyAggregated(options, tenant, lastDayOfMonth(`${month}-01`), month);
      log.info('stale month rebuilt', { tenant: tenant.id, stage: 'aggregate', month, files: monthly.files.length });
    } catch (error) {
      // Wrapped rather than only described, so that the log line also carries the cause's code.
      const failure = new AggregationError(`the monthly files of ${month} are stale (a day of the month changed) and could not be rebuilt`, { cause: error });
      const message = describeError(failure);
      log.error('month failed', { tenant: tenant.id, day: lastDayOfMonth(`${month}-01`), stage, month, error: failure });
      days.push({ tenant: tenant.id, date: lastDayOfMonth(`${month}-01`), ok: false, failedStage: stage, error: message, datasets: 0, rows: 0, files: 0 });
    }
  }
}

/** What could not be recorded for monitoring during a run (each sets the "other failure" bit). */
interface MonitoringFailures {
  count: number;
}

/**
 * Records a stage's success for monitoring. A failure to record it must not undo the stage (its
 * watermark has moved) but must not pass unseen either: the run exits with the "other" bit.
 */
async function noteSuccess(options: RunOptions, tenant: string, stage: Stage, monitoring: MonitoringFailures): Promise<void> {
  await recordStageSuccess(options.config.dataDir, tenant, stage, new Date(), options.runtime.fileModes).catch((error: unknown) => {
    monitoring.count += 1;
    options.log.error('cannot record the stage success', { tenant, stage, error });
  });
}

async function runTenantDays(
  options: RunOptions,
  target: Target,
  days: DayOutcome[],
  skipped: { tenant: string; date: LocalDate }[],
  monitoring: MonitoringFailures,
): Promise<void> {
  const { config, log, stages } = options;
  const modes = options.runtime.fileModes;
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
          modes,
          ...(stages.extract === true ? {} : { sources: stages.extract }),
        });
        datasets = extracted.length;
        rows = extracted.reduce((n, d) => n + d.rows, 0);
        // A watermark means the whole stage: only a run of every source completes it.
        if (stages.extract === true) {
          await advanceWatermark(config.dataDir, tenant, 'extract', date, modes);
          await noteSuccess(options, tenant.id, 'extract', monitoring);
        }
      }
      if (stages.aggregate) {
        stage = 'aggregate';
        const month = monthOf(date);
        // Marked before the day is written: a run that dies after writing it still leaves the
        // month to be rebuilt by the next one.
        if (!isLastDayOfMonth(date) && (await monthRolledUp(config, tenant, month))) await addMark(config.dataDir, 'stale-months', tenant.id, month, modes);
        const result = await aggregateRepairing(options, tenant, date, () => aggregateDay({ config, tenant, date, log, modes, detail: buildDetailFiles }), (next) => (stage = next));
        // The last day rebuilt the month from every day as they are now.
        if (result.monthly !== undefined) await clearMark(config.dataDir, 'stale-months', tenant.id, month, modes);
        await verifyAggregated(options, tenant, date, result.monthly === undefined ? undefined : month);
        files = result.daily.files.length + (result.monthly?.files.length ?? 0);
        await advanceWatermark(config.dataDir, tenant, 'aggregate', date, modes);
        await noteSuccess(options, tenant.id, 'aggregate', monitoring);
      }
      days.push({ tenant: tenant.id, date, ok: true, datasets, rows, files });
    } catch (error) {
      const message = describeError(error);
      log.error('day failed', { tenant: tenant.id, day: date, stage, error });
      days.push({ tenant: tenant.id, date, ok: false, failedStage: stage, error: message, datasets, rows, files });
      for (const rest of target.dates.slice(i + 1)) skipped.push({ tenant: tenant.id, date: rest });
      break;
    }
  }
  // Also after a failed day: the months made stale before it are rebuilt from the days as they are.
  if (stages.aggregate) await rebuildStaleMonths(options, tenant, days);
}

async function transmitTenant(options: RunOptions, tenant: TenantConfig, monitoring: MonitoringFailures): Promise<TransmitOutcome> {
  const { config, log } = options;
  let summary: TransmitSummary | undefined;
  try {
    if (config.transmit !== undefined) {
      // Loaded only when there is something to deliver: the S3 SDK is a large part of start-up.
      const { transmitPending } = await import('../transmit/transmit');
      summary = await transmitPending({ config, runtime: options.runtime, tenant, log });
    }
  } catch (error) {
    const message = describeError(error);
    log.error('transmission failed', { tenant: tenant.id, stage: 'transmit', error });
    return { tenant: tenant.id, ok: false, delivered: 0, failed: 0, missing: 0, error: message };
  }
  const ok = summary?.ok ?? true;
  if (ok) {
    // Every file produced so far is delivered (or stays local only): transmit has caught up
    // with aggregation.
    const aggregated = (await readWatermarks(config.dataDir))[tenant.id]?.aggregate;
    if (aggregated !== undefined) await setWatermark(config.dataDir, tenant.id, 'transmit', aggregated, options.runtime.fileModes);
  }
  // Only a pass that had somewhere to deliver succeeded at delivering.
  if (ok && summary !== undefined) await noteSuccess(options, tenant.id, 'transmit', monitoring);
  const destinations = summary?.destinations ?? [];
  return {
    tenant: tenant.id,
    ok,
    delivered: destinations.reduce((n, d) => n + d.delivered.length + d.skippedAlreadyThere.length, 0),
    failed: destinations.reduce((n, d) => n + d.failed.length, 0),
    missing: destinations.reduce((n, d) => n + d.missing.length, 0),
    ...(summary === undefined ? {} : { summary }),
  };
}

/** Runs the requested stages for every target. Never throws for a day's failure: it is in the summary. */
export async function runDays(options: RunOptions): Promise<RunSummary> {
  const { config, runtime } = options;
  const started = new Date();
  const lock = await acquireLock(config.dataDir, options.command ?? 'bds', runtime.fileModes, options.lockTenant);
  try {
    const days: DayOutcome[] = [];
    const skipped: { tenant: string; date: LocalDate }[] = [];
    const transmissions: TransmitOutcome[] = [];
    const monitoring: MonitoringFailures = { count: 0 };
    for (const target of options.targets) {
      await runTenantDays(options, target, days, skipped, monitoring);
      if (options.stages.transmit === true) transmissions.push(await transmitTenant(options, target.tenant, monitoring));
    }
    let exitCode = exitCodeOf(days, transmissions);
    // The state gauges follow every run (before its record, which then carries their failure);
    // a worker writes its tenant's only, as workers of other tenants write theirs meanwhile.
    await writeStateGauges(config, runtime, options.lockTenant === undefined ? undefined : [options.lockTenant]).catch((error: unknown) => {
      monitoring.count += 1;
      options.log.error('cannot write the state gauges', { error });
    });
    if (monitoring.count > 0) exitCode |= ExitCode.other;
    const ended = new Date();
    // A record that cannot be written (a full disk) must not replace what the run did: the days'
    // outcomes and stage bits still reach the caller, with the "other failure" bit added.
    await writeRunRecord(config.dataDir, {
      command: options.command ?? 'bds',
      trigger: options.trigger ?? 'manual',
      startedAt: started.toISOString(),
      endedAt: ended.toISOString(),
      exitCode,
      daysProcessed: days.length,
      daysFailed: days.filter((d) => !d.ok).length,
      failures: days
        .filter((d) => !d.ok)
        .map((d) => ({ tenant: d.tenant, date: d.date, stage: d.failedStage ?? 'other', error: d.error ?? '' })),
    }, runtime.fileModes, options.lockTenant).catch((error: unknown) => {
      exitCode |= ExitCode.other;
      options.log.error('cannot write the run record', { error });
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
