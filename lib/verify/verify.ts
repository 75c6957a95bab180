/**
 * `bds verify` (operation.md, CLI): recomputes the values of some days — and of the months whose
 * last day is among them — inside the source databases, with SQL written from the specification
 * and independent of the extraction (lib/verify/queries.ts), and compares them with the billing
 * files on disk. The pipeline may call `verifyTenantDays` after a day's aggregation.
 */
import type { BdsConfig, LocalDate, TenantConfig } from '../config/types';
import type { Logger } from '../log/logger';
import { ExitCode } from '../errors';
import { resolveMetrics } from '../metrics/resolve';
import { compareWithFiles, type FileReader, type VerifyDifference } from './compare';
import { computeTenantValues, type OpenClient, type SourceValue } from './compute';

export type { VerifyDifference, DifferenceReason, FileReader } from './compare';
export type { OpenClient, SourceValue } from './compute';

/** Exit code of `bds verify` when it found differences (README, "Exit codes"). */
export const VERIFY_DIFFERENCES_EXIT_CODE = ExitCode.verifyDifferences;

export interface VerifyTenantResult {
  readonly tenant: string;
  /** The days whose daily files were compared (the asked days from the production date on). */
  readonly days: readonly LocalDate[];
  /** The months (`YYYY-MM`) whose monthly files were compared. */
  readonly months: readonly string[];
  /** How many values (one per file and measure) were compared. */
  readonly values: number;
  readonly differences: readonly VerifyDifference[];
  /**
   * Metrics read from the Config DB, which has no history: the value recomputed is today's
   * configuration, so a difference against a file written earlier may be a legitimate change.
   */
  readonly snapshotMetrics: readonly string[];
  readonly durationMs: number;
}

/**
 * Verifies one tenant's days: recomputes every value of their billing files (and of the monthly
 * files of the months whose last day is among `dates`) inside the sources and compares them with
 * the files under `config.dataDir`. Days before the tenant's production date are ignored.
 *
 * @throws SourceError when a source cannot be reached or a query fails.
 */
export async function verifyTenantDays(options: {
  readonly config: BdsConfig;
  readonly tenant: TenantConfig;
  readonly dates: readonly LocalDate[];
  readonly log: Logger;
  readonly openClient?: OpenClient;
  readonly readFile?: FileReader;
}): Promise<VerifyTenantResult> {
  const started = Date.now();
  const log = options.log.child({ tenant: options.tenant.id, stage: 'verify' });
  const computed = await computeTenantValues({ ...options, log });
  const { compared, differences } = await compareWithFiles({
    config: options.config,
    tenant: options.tenant,
    values: computed.values,
    readFile: options.readFile,
  });
  const result: VerifyTenantResult = {
    tenant: options.tenant.id,
    days: computed.months.flatMap((m) => m.dailyCompared),
    months: computed.months.filter((m) => m.monthly).map((m) => m.month),
    values: compared,
    differences,
    snapshotMetrics: resolveMetrics(options.config, options.tenant)
      .filter((m) => m.source === 'config')
      .map((m) => m.key),
    durationMs: Date.now() - started,
  };
  const fields = { days: result.days.length, months: result.months.length, values: result.values, differences: differences.length, durationMs: result.durationMs };
  if (differences.length > 0) log.warn('verification found differences', fields);
  else log.info('verification passed', fields);
  return result;
}

/** The recomputed values alone, without reading any file (for tests and tools). */
export async function sourceValues(options: {
  readonly config: BdsConfig;
  readonly tenant: TenantConfig;
  readonly dates: readonly LocalDate[];
  readonly log: Logger;
  readonly openClient?: OpenClient;
}): Promise<readonly SourceValue[]> {
  return (await computeTenantValues(options)).values;
}
