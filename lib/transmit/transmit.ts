/**
 * Transmission (operation.md, "Transmission"): sends every billing file that is not yet in the
 * ledger, with its current digest, to every configured destination (registry.ts; the local
 * billing folder is the default destination and is only read).
 *
 * "Send what is pending" is the whole schedule rule: whatever is written and not yet delivered
 * is due. This module only orchestrates: listing.ts says which files a tenant has, deliver.ts
 * verifies each (verify.ts) and sends it with retries (retry.ts), summary.ts reports. Failures
 * are retried inside the run and, failing that, on the next run (the ledger has no record, so
 * the file is still pending). Nothing is deleted because a delivery failed.
 */
import type { BdsConfig, TenantConfig } from '../config/types';
import type { Period } from '../files/billing-file';
import type { Logger } from '../log/logger';
import type { Runtime } from '../runtime/runtime';
import { deliverFile } from './deliver';
import type { Destination } from './destination';
import { Ledger } from './ledger';
import { listTransmittable } from './listing';
import { openDestinations, type AdapterContext } from './registry';
import { DEFAULT_RETRY_POLICY, runPool, type RetryPolicy } from './retry';
import { newTally, summarise, type DestinationTally, type TransmitSummary } from './summary';

/** What to transmit, and how; only `config`, `runtime` and `log` are needed. */
export interface TransmitOptions {
  readonly config: BdsConfig;
  /** The file modes of copies and the ledger; the secrets every reported error is redacted with. */
  readonly runtime: Pick<Runtime, 'fileModes' | 'secrets'>;
  /** Only this tenant; default every configured tenant. */
  readonly tenant?: TenantConfig;
  readonly log: Logger;
  /** Only files of these periods; default every period on disk. */
  readonly periods?: readonly Period[];
  readonly retry?: Partial<RetryPolicy>;
  /** Files delivered at the same time (default 4); each file visits its destinations in turn. */
  readonly concurrency?: number;
  /** Upload tuning (part size, queue size) or a client to use for S3. */
  readonly s3?: AdapterContext['s3'];
}

/**
 * Delivers every pending billing file of the tenant(s) to every configured destination.
 * Per-file trouble (a failed delivery, a file gone or changed on disk) is reported in the summary
 * and the log, never thrown. A destination that still fails after the retries is not tried again
 * for the rest of the run: its remaining files are reported as failed, and stay pending.
 *
 * @throws LedgerError when the ledger cannot be read (or was altered other than by a crash).
 */
export async function transmitPending(options: TransmitOptions): Promise<TransmitSummary> {
  const { config } = options;
  const log = options.log.child({ stage: 'transmit' });
  const started = Date.now();
  const unlisted: { tenant: string; file: string }[] = [];
  const stranded: { tenant: string; file: string }[] = [];
  const problems: { tenant: string; path: string; error: string }[] = [];
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const { fileModes, secrets } = options.runtime;
  const destinations = openDestinations(config, { log, fileModes, s3: options.s3 }, secrets);
  const tallies: DestinationTally[] = [];
  if (destinations.length === 0) log.info('no transmission destination configured; the billing folder is the only one');

  try {
    const ledger =
      destinations.length === 0
        ? undefined
        : await Ledger.open(config.dataDir, {
            modes: fileModes,
            onRepair: (tail) => log.warn('repaired a torn last line of the delivery ledger', { bytesCut: Buffer.byteLength(tail) }),
          });
    const down = new Map<string, string>();

    for (const tenant of options.tenant === undefined ? config.tenants : [options.tenant]) {
      const { listing, heldPeriods, heldFiles } = await listTransmittable(config.dataDir, tenant.id, options.periods);
      if (heldFiles > 0) {
        log.warn('billing files held by verification are not transmitted', { tenant: tenant.id, periods: heldPeriods, files: heldFiles });
      }
      for (const problem of listing.problems) {
        problems.push({ tenant: tenant.id, path: problem.path, error: secrets.redact(problem.error) });
        log.error('cannot read billing files; they are not transmitted', { tenant: tenant.id, path: problem.path, error: problem.error });
      }
      for (const file of listing.unlisted) unlisted.push({ tenant: tenant.id, file });
      if (ledger === undefined) continue;
      // A CSV no manifest lists (its manifest deleted, or a run that died before writing it) is
      // not sent; unless every destination has it already, that is a failed delivery until a
      // re-run of its period rebuilds the manifest.
      const lacking = listing.unlisted.filter((file) => destinations.some((d) => !ledger.hasDelivery(file, d.id)));
      for (const file of lacking) stranded.push({ tenant: tenant.id, file });
      if (lacking.length > 0) {
        log.error('billing files no manifest lists cannot be transmitted; process their period again', {
          tenant: tenant.id,
          count: lacking.length,
          files: lacking.slice(0, 10),
        });
      }

      const byDestination = new Map<string, DestinationTally>();
      for (const d of destinations) {
        const tally = newTally(tenant.id, d.id);
        byDestination.set(d.id, tally);
        tallies.push(tally);
      }
      const tally = (d: Destination): DestinationTally => byDestination.get(d.id) as DestinationTally;
      await runPool(listing.files, options.concurrency ?? 4, (file) => deliverFile(file, { destinations, ledger, policy, log, down, tally, secrets }));
    }
  } finally {
    await Promise.all(destinations.map((d) => d.close()));
  }
  return summarise(tallies, { unlisted, stranded, problems, started }, log);
}
