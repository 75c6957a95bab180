/**
 * Extracts one tenant's day from its sources into staged datasets. Each dataset is written
 * atomically with its record, so a failure leaves the previous state (nothing, or an older
 * complete extraction) and never a partial dataset.
 *
 * Each source (one connection) is read by its own chain, one dataset after the other, and the
 * chains run side by side: while one database computes a query, another dataset's rows are
 * compressed and written. On a big site this roughly halves the extraction stage. A source is
 * never asked for two queries at once.
 */
import type { BdsConfig, LocalDate, SourceConfig, TenantConfig } from '../config/types';
import { describeError } from '../errors';
import type { FileModes } from '../files/atomic';
import type { Logger } from '../log/logger';
import type { SourceName } from '../metrics/catalogue';
import { resolveMetrics } from '../metrics/resolve';
import { openSource } from '../sources/open';
import type { SourceClient } from '../sources/types';
import { dayBounds } from '../time/calendar';
import { recordSourceWarnings } from '../state/source-warnings';
import { CFG_AGENT_SWITCHES_DATASET } from '../staging/datasets';
import { datasetsFor, sourceFor, type DatasetSpec } from './datasets';
import { configTenantProblems, gimTenantProblem } from './tenant-sanity';
import { ExtractionError } from './errors';
import { writeStagedDataset, type StagedMeta } from '../staging/staged';

export interface ExtractDayOptions {
  readonly config: BdsConfig;
  readonly tenant: TenantConfig;
  readonly date: LocalDate;
  /** Only datasets of these sources (one handler per source); default every source. */
  readonly sources?: readonly SourceName[];
  readonly log: Logger;
  /** Permissions of the staged datasets, their records and the source warnings written. */
  readonly modes: FileModes;
}

export interface ExtractedDataset {
  readonly dataset: string;
  readonly source: string;
  readonly rows: number;
  readonly durationMs: number;
}

/** The datasets read through one configured source, in the order they are extracted. */
interface SourceChain {
  readonly name: string;
  readonly config: SourceConfig;
  readonly specs: DatasetSpec[];
}

/** Groups the datasets by the source they are read from, keeping the datasets' order. */
function chainsFor(options: ExtractDayOptions, specs: readonly DatasetSpec[]): SourceChain[] {
  const { config, tenant, date } = options;
  const chains = new Map<string, SourceChain>();
  for (const spec of specs) {
    const source = sourceFor(config, tenant, spec);
    if (source.config === undefined) {
      throw new ExtractionError(
        `tenant ${tenant.id}, ${date}: dataset ${spec.dataset} needs the source ${source.name}, which is not configured (sources.${spec.source})`,
      );
    }
    const chain = chains.get(source.name);
    if (chain === undefined) chains.set(source.name, { name: source.name, config: source.config, specs: [spec] });
    else chain.specs.push(spec);
  }
  return [...chains.values()];
}

/** Extracts one dataset through an open client. */
async function extractDataset(
  options: ExtractDayOptions,
  chain: SourceChain,
  client: SourceClient,
  spec: DatasetSpec,
): Promise<ExtractedDataset> {
  const { config, tenant, date, log } = options;
  const window = dayBounds(date, tenant.timezone);
  const started = Date.now();
  let meta: StagedMeta;
  try {
    const params = { tenant, dayStart: window.start, dayEnd: window.end, source: chain.config };
    const snapshotAt = spec.snapshot ? new Date().toISOString() : undefined;
    const notes: Record<string, number> = {};
    meta = await writeStagedDataset(
      { dataDir: config.dataDir, tenant: tenant.id, dataset: spec.dataset, date },
      spec.columns,
      spec.rows(client, params, notes),
      { source: chain.name, window, ...(snapshotAt === undefined ? {} : { snapshotAt }), notes },
      options.modes,
    );
  } catch (error) {
    throw new ExtractionError(
      `tenant ${tenant.id}, ${date}: extracting ${spec.dataset} from ${chain.name} failed: ${describeError(error)}`,
      { cause: error },
    );
  }
  const result = { dataset: spec.dataset, source: chain.name, rows: meta.rows, durationMs: Date.now() - started };
  log.info('dataset extracted', { tenant: tenant.id, day: date, stage: 'extract', ...result });
  return result;
}

/**
 * What a completed chain's source says about the tenant that would otherwise pass unnoticed: a
 * source that gave no rows at all for the day (a wrong key gives exactly that), and for the
 * Config DB a missing tenant or listed switch. Asked through the chain's own client, after its
 * datasets, so a source still never runs two queries at once.
 */
async function chainWarnings(options: ExtractDayOptions, chain: SourceChain, client: SourceClient, results: ReadonlyMap<DatasetSpec, ExtractedDataset>): Promise<string[]> {
  const { tenant } = options;
  const warnings: string[] = [];
  const daily = chain.specs.filter((spec) => !spec.snapshot);
  if (daily.length > 0 && daily.every((spec) => results.get(spec)?.rows === 0)) {
    const keyProblem = daily.some((spec) => spec.source === 'gim') ? await gimTenantProblem(client, tenant) : undefined;
    const key = daily.some((spec) => spec.source === 'gim') ? `gimTenantKey ${tenant.gimTenantKey}` : `cfgTenantDbid ${tenant.cfgTenantDbid}`;
    warnings.push(
      keyProblem ??
        `no rows at all for the day in ${daily.map((spec) => spec.dataset).join(', ')}: every file of this source says 0; if the tenant was active, check ${key}`,
    );
  }
  if (chain.specs.some((spec) => spec.source === 'config')) {
    warnings.push(...(await configTenantProblems(client, tenant, chain.specs.some((spec) => spec.dataset === CFG_AGENT_SWITCHES_DATASET))));
  }
  return warnings;
}

/**
 * Extracts every dataset the tenant's metrics need for `date` (optionally of some sources only),
 * each source's datasets in turn and the sources side by side. When a dataset fails, the other
 * sources finish the dataset they are writing (it is complete and valid) and start no other, and
 * the first failure in the datasets' order is thrown; any other is logged.
 *
 * @returns one entry per dataset, in the datasets' order (whatever order they finished in).
 */
export async function extractDay(options: ExtractDayOptions): Promise<ExtractedDataset[]> {
  const { config, tenant, date, log } = options;
  const specs = datasetsFor(tenant, resolveMetrics(config, tenant)).filter(
    (s) => options.sources === undefined || options.sources.includes(s.source),
  );
  const chains = chainsFor(options, specs);
  const results = new Map<DatasetSpec, ExtractedDataset>();
  const warnings: Record<string, readonly string[]> = {};
  let failed = false;

  const runChain = async (chain: SourceChain): Promise<void> => {
    let client: SourceClient | undefined;
    try {
      for (const spec of chain.specs) {
        if (failed) return;
        client ??= await openSource(chain.name, chain.config);
        results.set(spec, await extractDataset(options, chain, client, spec));
      }
      if (client !== undefined) warnings[chain.name] = await chainWarnings(options, chain, client, results);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await client?.close();
    }
  };

  const settled = await Promise.allSettled(chains.map(runChain));
  // Recorded for the chains that completed, even when another failed: what they found is true.
  for (const [source, messages] of Object.entries(warnings)) {
    for (const message of messages) log.warn('source warning', { tenant: tenant.id, day: date, stage: 'extract', source, warning: message });
  }
  await recordSourceWarnings(config.dataDir, tenant.id, date, warnings, options.modes);
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (failures.length > 0) {
    for (const other of failures.slice(1)) {
      log.error('another source failed too', { tenant: tenant.id, day: date, stage: 'extract', error: other });
    }
    throw failures[0];
  }
  return specs.flatMap((spec) => {
    const result = results.get(spec);
    return result === undefined ? [] : [result];
  });
}
