/**
 * Extracts one tenant's day from its sources into staged datasets. Each dataset is written
 * atomically with its record, so a failure leaves the previous state (nothing, or an older
 * complete extraction) and never a partial dataset.
 */
import type { BdsConfig, LocalDate, TenantConfig } from '../config/types';
import { describeError } from '../errors';
import type { Logger } from '../log/logger';
import type { SourceName } from '../metrics/catalogue';
import { resolveMetrics } from '../metrics/resolve';
import { openSource } from '../sources/open';
import type { SourceClient } from '../sources/types';
import { dayBounds } from '../time/calendar';
import { datasetsFor, sourceFor } from './datasets';
import { ExtractionError } from './errors';
import { writeStagedDataset, type StagedMeta } from './staged';

export interface ExtractDayOptions {
  readonly config: BdsConfig;
  readonly tenant: TenantConfig;
  readonly date: LocalDate;
  /** Only datasets of these sources (one handler per source); default every source. */
  readonly sources?: readonly SourceName[];
  readonly log: Logger;
}

export interface ExtractedDataset {
  readonly dataset: string;
  readonly source: string;
  readonly rows: number;
  readonly durationMs: number;
}

/** Extracts every dataset the tenant's metrics need for `date` (optionally of some sources only). */
export async function extractDay(options: ExtractDayOptions): Promise<ExtractedDataset[]> {
  const { config, tenant, date, log } = options;
  const window = dayBounds(date, tenant.timezone);
  const specs = datasetsFor(tenant, resolveMetrics(config, tenant)).filter(
    (s) => options.sources === undefined || options.sources.includes(s.source),
  );
  const clients = new Map<string, SourceClient>();
  const results: ExtractedDataset[] = [];
  try {
    for (const spec of specs) {
      const source = sourceFor(config, tenant, spec);
      if (source.config === undefined) {
        throw new ExtractionError(
          `tenant ${tenant.id}, ${date}: dataset ${spec.dataset} needs the source ${source.name}, which is not configured (sources.${spec.source})`,
        );
      }
      let client = clients.get(source.name);
      if (client === undefined) {
        client = openSource(source.name, source.config);
        clients.set(source.name, client);
      }
      const started = Date.now();
      let meta: StagedMeta;
      try {
        const params = { tenant, dayStart: window.start, dayEnd: window.end, source: source.config };
        const snapshotAt = spec.snapshot ? new Date().toISOString() : undefined;
        const notes = spec.notes === undefined ? undefined : await spec.notes(client, params);
        meta = await writeStagedDataset(
          { dataDir: config.dataDir, tenant: tenant.id, dataset: spec.dataset, date },
          spec.columns,
          spec.rows(client, params),
          {
            source: source.name,
            window,
            ...(snapshotAt === undefined ? {} : { snapshotAt }),
            ...(notes === undefined ? {} : { notes }),
          },
        );
      } catch (error) {
        throw new ExtractionError(
          `tenant ${tenant.id}, ${date}: extracting ${spec.dataset} from ${source.name} failed: ${describeError(error)}`,
          { cause: error },
        );
      }
      const result = { dataset: spec.dataset, source: source.name, rows: meta.rows, durationMs: Date.now() - started };
      log.info('dataset extracted', { tenant: tenant.id, day: date, stage: 'extract', ...result });
      results.push(result);
    }
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
  }
  return results;
}
