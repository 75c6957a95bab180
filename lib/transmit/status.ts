/**
 * Delivery status for `bds status`: per tenant and destination, how many billing files (as the
 * manifests list them, with their current digests) the ledger records as delivered and how many
 * are pending. Reads manifests and the ledger only: no CSV is hashed, nothing is contacted and
 * nothing is written (a torn ledger line is left for the next delivery to repair).
 */
import { stat } from 'node:fs/promises';
import type { BdsConfig } from '../config/types';
import { hasAnyDelivery, holdsDigest, latestDeliveries, readLedger } from './ledger';
import { listBillingFiles } from './listing';
import { destinationIds } from './registry';

export interface DestinationStatus {
  readonly destination: string;
  readonly delivered: number;
  readonly pending: number;
  /** The newest delivery of this tenant's files to the destination, if any. */
  readonly lastDeliveredAt?: string;
}

export interface TenantDeliveryStatus {
  readonly tenant: string;
  /** Billing files the manifests list. */
  readonly files: number;
  readonly destinations: readonly DestinationStatus[];
  /** Manifests or folders that could not be read (their files are not counted). */
  readonly problems: readonly string[];
}

/**
 * Counts delivered and pending billing files per tenant and configured destination.
 *
 * @throws LedgerError when the ledger cannot be read or is damaged beyond a torn last line.
 */
export async function deliveryStatus(config: BdsConfig): Promise<TenantDeliveryStatus[]> {
  const ids = destinationIds(config);
  const { records } = await readLedger(config.dataDir);
  const delivered = latestDeliveries(records);
  const result: TenantDeliveryStatus[] = [];
  for (const tenant of config.tenants) {
    const listing = await listBillingFiles(config.dataDir, tenant.id);
    const destinations = ids.map((id): DestinationStatus => {
      let done = 0;
      for (const file of listing.files) if (holdsDigest(delivered, file.file, id, file.sha256)) done += 1;
      let last: string | undefined;
      for (const record of records) {
        if (record.destination === id && record.file.startsWith(`${tenant.id}/`) && (last === undefined || record.deliveredAt > last)) {
          last = record.deliveredAt;
        }
      }
      return {
        destination: id,
        delivered: done,
        pending: listing.files.length - done,
        ...(last === undefined ? {} : { lastDeliveredAt: last }),
      };
    });
    // Files still due somewhere that are gone or altered on disk (a size check: status hashes
    // nothing), and CSVs no manifest lists that some destination lacks: each is a failed
    // delivery until its period is processed again.
    const damaged: string[] = [];
    for (const file of listing.files) {
      if (ids.every((id) => holdsDigest(delivered, file.file, id, file.sha256))) continue;
      const size = await stat(file.path).then(
        (s) => s.size,
        () => undefined,
      );
      if (size === undefined) damaged.push(`${file.file}: missing before delivery; process ${file.period} again`);
      else if (size !== file.bytes) damaged.push(`${file.file}: altered before delivery (${size} bytes, the manifest says ${file.bytes}); process ${file.period} again`);
    }
    const lacking = (file: string): boolean => ids.some((id) => !hasAnyDelivery(delivered, file, id));
    for (const file of listing.unlisted) if (ids.length > 0 && lacking(file)) damaged.push(`${file}: no manifest lists it, so it cannot be delivered; process its period again`);
    result.push({
      tenant: tenant.id,
      files: listing.files.length,
      destinations,
      problems: [...listing.problems.map((p) => `${p.path}: ${p.error}`), ...damaged],
    });
  }
  return result;
}
