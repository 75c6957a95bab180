/**
 * Runs the pipeline's stages for (tenant, days) targets: each day in order, extract then
 * aggregate. A failing day stops its tenant there (later days depend on it: a month's rollup
 * needs every day) while other tenants go on. The outcome of every day is reported and folded
 * into the exit code's bits.
 */
import type { BdsConfig, LocalDate } from '../config/types';
import { ExitCode, describeError } from '../errors';
import { aggregateDay } from '../aggregate/aggregate-period';
import { extractDay } from '../extract/extract-day';
import type { Logger } from '../log/logger';
import type { SourceName } from '../metrics/catalogue';
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

export interface RunSummary {
  readonly ok: boolean;
  readonly exitCode: number;
  readonly days: readonly DayOutcome[];
  /** Days not attempted because an earlier day of the same tenant failed. */
  readonly skipped: readonly { readonly tenant: string; readonly date: LocalDate }[];
  readonly durationMs: number;
}

export interface RunOptions {
  readonly config: BdsConfig;
  readonly targets: readonly Target[];
  readonly log: Logger;
  /** Which stages run; `extract` may be limited to some sources (one handler per source). */
  readonly stages: { readonly extract: boolean | readonly SourceName[]; readonly aggregate: boolean };
}

const STAGE_BIT: Record<Stage, number> = {
  extract: ExitCode.extract,
  aggregate: ExitCode.aggregate,
  transmit: ExitCode.transmit,
};

/** The exit code of a set of day outcomes: one bit per failed stage (operation.md). */
export function exitCodeOf(days: readonly DayOutcome[]): number {
  let code = 0;
  for (const day of days) if (!day.ok) code |= day.failedStage === undefined ? ExitCode.other : STAGE_BIT[day.failedStage];
  return code;
}

/** Runs the requested stages for every target. Never throws for a day's failure: it is in the summary. */
export async function runDays(options: RunOptions): Promise<RunSummary> {
  const { config, log, stages } = options;
  const started = Date.now();
  const days: DayOutcome[] = [];
  const skipped: { tenant: string; date: LocalDate }[] = [];
  for (const target of options.targets) {
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
        }
        if (stages.aggregate) {
          stage = 'aggregate';
          const result = await aggregateDay({ config, tenant, date, log });
          files = result.daily.files.length + (result.monthly?.files.length ?? 0);
        }
        days.push({ tenant: tenant.id, date, ok: true, datasets, rows, files });
      } catch (error) {
        const message = describeError(error);
        log.error('day failed', { tenant: tenant.id, day: date, stage, error: message });
        days.push({ tenant: tenant.id, date, ok: false, failedStage: stage, error: message, datasets, rows, files });
        for (const rest of target.dates.slice(i + 1)) skipped.push({ tenant: tenant.id, date: rest });
        break;
      }
    }
  }
  const exitCode = exitCodeOf(days);
  return { ok: exitCode === 0, exitCode, days, skipped, durationMs: Date.now() - started };
}
