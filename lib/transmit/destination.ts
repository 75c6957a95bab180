/**
 * The destination port: what every delivery adapter (S3, SFTP, copyTo) implements and
 * what the orchestrator calls. Adapters import their types from here, never from transmit.ts, so
 * the orchestrator can import the adapters (through registry.ts) without an import cycle.
 */
import type { ListedFile } from './listing';

/** A billing file checked against its side file and manifest, ready to send. */
export interface BillingFileRef extends ListedFile {
  /** The `.sha256` side file's exact content (one `sha256sum` line), as read and checked. */
  readonly checksumText: string;
}

/** What a destination did with one file. */
export interface DeliveryOutcome {
  /** The S3 key or the copy's path. */
  readonly target: string;
  /** False when an identical copy was already there and nothing was sent. */
  readonly sent: boolean;
}

/** Somewhere billing files are delivered to. */
export interface Destination {
  /** The ledger's destination id. */
  readonly id: string;
  /**
   * Delivers the file and its side file, verified, unless identical copies are already there.
   *
   * @throws SourceFileError when the local file vanished or changed meanwhile (never retried);
   *   any other error is retried by the caller as `isRetryable` (retry.ts) decides.
   */
  deliver(file: BillingFileRef): Promise<DeliveryOutcome>;
  /** Releases what the destination holds (sockets); called once, after the run. */
  close(): Promise<void>;
}

/**
 * Where a billing file goes below a destination's root, as path segments: its tenant, `YYYY`,
 * `MM` and its name. Every destination lays files out alike, as the billing folder does.
 */
export function targetSegments(file: Pick<BillingFileRef, 'tenant' | 'folder' | 'name'>): string[] {
  return [file.tenant, ...file.folder.split('/'), file.name];
}
