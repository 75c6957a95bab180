/**
 * Transmission (operation.md, "Transmission"): sends every billing file that is not yet in the
 * ledger, with its current digest, to every configured destination (the S3 inbox and the
 * `copyTo` folders; the local billing folder is the default destination and is only read).
 *
 * "Send what is pending" is the whole schedule rule: a daily file exists once the run that made
 * it wrote it, a monthly file once the run of the month's last day did, so whatever is written
 * and not yet delivered is due. The manifests say which files a period has and their digests;
 * a file is sent only when the CSV on disk, its `.sha256` side file and its manifest agree.
 * A file someone moved, deleted or edited is reported and left alone: the service never fails
 * because of the customer's housekeeping, and never sends bytes it did not produce.
 *
 * Failures are retried with back-off inside the run and, failing that, on the next run (the
 * ledger has no record, so the file is still pending). Nothing is deleted because a delivery
 * failed.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { BdsConfig, TenantConfig } from '../config/types';
import { describeError, ExitCode } from '../errors';
import { isTemporaryName } from '../files/atomic';
import { periodCode, periodFolder, type Period } from '../files/billing-file';
import type { Logger } from '../log/logger';
import { redact, registerSecrets } from '../log/redact';
import { digestFile } from '../files/digest';
import { CopyDestination, copyDestinationId, errorCode } from './copy-to';
import { DeliveryError, LedgerError, ManifestError, S3RequestError, SourceFileError } from './errors';
import { Ledger } from './ledger';
import { readMarks } from '../state/period-marks';
import { faultPoint } from '../faults';
import { S3Destination, s3DestinationId, type S3DestinationOptions } from './s3';

/** A billing file as a manifest lists it. */
export interface ListedFile {
  readonly tenant: string;
  /** The manifest's period: `YYYY-MM-DD` or `YYYY-MM`. */
  readonly period: string;
  /** Path under `<dataDir>/billing/`, `/`-separated: the ledger's `file`. */
  readonly file: string;
  readonly name: string;
  /** `YYYY/MM`. */
  readonly folder: string;
  /** Absolute paths of the CSV and its side file. */
  readonly path: string;
  readonly checksumPath: string;
  /** The digest and size the manifest lists. */
  readonly sha256: string;
  readonly bytes: number;
}

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
  deliver(file: BillingFileRef): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

/** The billing files of one tenant, from its manifests. */
export interface BillingListing {
  /** Oldest period first. */
  readonly files: readonly ListedFile[];
  /** Billing-file-like CSVs no manifest lists (e.g. a run that crashed before its manifest): never sent. */
  readonly unlisted: readonly string[];
  /** Manifests or folders that could not be read. */
  readonly problems: readonly { readonly path: string; readonly error: string }[];
}

/** A file that was not sent because of its state on disk. */
export interface FileProblem {
  readonly file: string;
  readonly reason: SourceFileError['reason'];
  readonly error: string;
}

/** What happened for one tenant at one destination. */
export interface DestinationSummary {
  readonly tenant: string;
  readonly destination: string;
  /** Sent (and verified) in this run. */
  readonly delivered: readonly string[];
  /** Found at the destination with the same digest; recorded without sending again. */
  readonly skippedAlreadyThere: readonly string[];
  /** Already in the ledger with this digest: nothing to do. */
  readonly alreadyDelivered: number;
  /** Not delivered in this run; still pending, retried on the next run. */
  readonly failed: readonly { readonly file: string; readonly error: string }[];
  /** Gone, changed or unreadable on disk: not sent. */
  readonly missing: readonly FileProblem[];
}

export interface TransmitSummary {
  /**
   * False when any delivery failed, a manifest could not be read, or a file not yet delivered is
   * missing or altered on disk (or listed by no manifest).
   */
  readonly ok: boolean;
  /** 0, or the transmission bit (2) of operation.md's exit codes. */
  readonly exitCode: number;
  readonly destinations: readonly DestinationSummary[];
  readonly unlisted: readonly { readonly tenant: string; readonly file: string }[];
  /** Of `unlisted`, those some destination does not have: failed deliveries. */
  readonly stranded: readonly { readonly tenant: string; readonly file: string }[];
  readonly problems: readonly { readonly tenant: string; readonly path: string; readonly error: string }[];
  readonly durationMs: number;
}

/** Bounded retries with exponential back-off and jitter, inside one run. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** [0, 1): the jitter's source. */
  readonly random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export interface TransmitOptions {
  readonly config: BdsConfig;
  /** Only this tenant; default every configured tenant. */
  readonly tenant?: TenantConfig;
  readonly log: Logger;
  /** Only files of these periods; default every period on disk. */
  readonly periods?: readonly Period[];
  readonly retry?: Partial<RetryPolicy>;
  /** Files delivered at the same time (default 4); each file visits its destinations in turn. */
  readonly concurrency?: number;
  /** Upload tuning (part size, queue size) or a client to use for S3. */
  readonly s3?: Omit<S3DestinationOptions, 'log'>;
}

const HEX64 = /^[0-9a-f]{64}$/;
// File names from a manifest become paths: anything that could climb out of the folder is refused.
const SAFE_CSV_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.csv$/;
const PERIOD_CODE = /^(D\d{8}|M\d{6})$/;
const SIDE_LINE = /^([0-9a-f]{64}) [ *]([^\n]+)\n?$/;
// A `.sha256` side file is one line; anything bigger is not one of ours and is not read into memory.
const MAX_SIDE_BYTES = 4096;

const manifestSchema = z.object({
  tenant: z.string(),
  period: z.string(),
  files: z.array(
    z.object({
      name: z.string().regex(SAFE_CSV_NAME, { message: 'not a billing file name' }),
      sha256: z.string().regex(HEX64, { message: 'not a SHA-256 hex digest' }),
      bytes: z.number().int().min(0),
    }),
  ),
});

/** The ledger ids of the configured destinations, S3 first. */
export function destinationIds(config: BdsConfig): string[] {
  const s3 = config.transmit?.s3;
  return [...(s3 === undefined ? [] : [s3DestinationId(s3)]), ...(config.transmit?.copyTo ?? []).map(copyDestinationId)];
}

async function folderNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw new ManifestError(dir, `cannot list the folder: ${describeError(error)}`, { cause: error });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Lists a tenant's billing files from the manifests under `<dataDir>/billing/<tenant>/`, oldest
 * period first (a month's days before the month). Reads no CSV.
 */
export async function listBillingFiles(dataDir: string, tenant: string, periods?: readonly Period[]): Promise<BillingListing> {
  const root = join(dataDir, 'billing', tenant);
  const files: ListedFile[] = [];
  const unlisted: string[] = [];
  const problems: { path: string; error: string }[] = [];
  const report = (path: string, error: unknown): void => {
    problems.push({ path, error: redact(describeError(error)) });
  };

  // YYYY/MM → the period codes wanted there (undefined: all).
  const folders = new Map<string, Set<string> | undefined>();
  if (periods === undefined) {
    try {
      for (const year of (await folderNames(root)).filter((n) => /^\d{4}$/.test(n))) {
        for (const month of (await folderNames(join(root, year))).filter((n) => /^\d{2}$/.test(n))) {
          folders.set(`${year}/${month}`, undefined);
        }
      }
    } catch (error) {
      report(`${tenant}/`, error);
    }
  } else {
    for (const period of periods) {
      const folder = periodFolder(period);
      const codes = folders.get(folder) ?? new Set<string>();
      codes.add(periodCode(period));
      folders.set(folder, codes);
    }
  }

  const manifestPrefix = `manifest_${tenant}_`;
  const billingName = new RegExp(`^CNT_.*_${escapeRegExp(tenant)}_(D\\d{8}|M\\d{6})\\.csv$`);
  for (const [folder, codes] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
    const dir = join(root, ...folder.split('/'));
    let entries: string[];
    try {
      entries = await folderNames(dir);
    } catch (error) {
      report(`${tenant}/${folder}/`, error);
      continue;
    }
    const listed = new Set<string>();
    for (const entry of entries) {
      if (!entry.startsWith(manifestPrefix) || !entry.endsWith('.json')) continue;
      const code = entry.slice(manifestPrefix.length, -'.json'.length);
      if (!PERIOD_CODE.test(code) || (codes !== undefined && !codes.has(code))) continue;
      const path = join(dir, entry);
      let manifest: z.infer<typeof manifestSchema>;
      try {
        manifest = manifestSchema.parse(JSON.parse(await readFile(path, 'utf8')));
        if (manifest.tenant !== tenant) throw new Error(`it belongs to tenant "${manifest.tenant}"`);
      } catch (error) {
        // Moved away between listing and reading: the customer's to do; its files are not listed.
        if (errorCode(error) === 'ENOENT') continue;
        report(`${tenant}/${folder}/${entry}`, new ManifestError(`${tenant}/${folder}/${entry}`, 'unreadable manifest', { cause: error }));
        continue;
      }
      for (const item of manifest.files) {
        listed.add(item.name);
        files.push({
          tenant,
          period: manifest.period,
          file: `${tenant}/${folder}/${item.name}`,
          name: item.name,
          folder,
          path: join(dir, item.name),
          checksumPath: join(dir, `${item.name}.sha256`),
          sha256: item.sha256,
          bytes: item.bytes,
        });
      }
    }
    for (const entry of entries) {
      if (isTemporaryName(entry) || listed.has(entry)) continue;
      const match = billingName.exec(entry);
      if (match === null || (codes !== undefined && !codes.has(match[1] ?? ''))) continue;
      unlisted.push(`${tenant}/${folder}/${entry}`);
    }
  }
  return { files, unlisted, problems };
}

/**
 * Checks that the CSV on disk, its side file and its manifest entry agree, and reads the side
 * file (a single line) for delivery.
 *
 * @throws SourceFileError when any of them is gone, unreadable or disagrees.
 */
async function prepare(listed: ListedFile): Promise<BillingFileRef> {
  let checksumText: string;
  try {
    const info = await stat(listed.checksumPath);
    if (!info.isFile() || info.size > MAX_SIDE_BYTES) {
      throw new SourceFileError(listed.file, 'changed', 'its .sha256 side file is not a checksum line');
    }
    checksumText = await readFile(listed.checksumPath, 'utf8');
  } catch (error) {
    if (error instanceof SourceFileError) throw error;
    if (errorCode(error) === 'ENOENT') {
      throw new SourceFileError(listed.file, 'missing', 'its .sha256 side file is gone (moved or deleted)', { cause: error });
    }
    throw new SourceFileError(listed.file, 'unreadable', 'cannot read its .sha256 side file', { cause: error });
  }
  const line = SIDE_LINE.exec(checksumText);
  if (line === null || line[2] !== listed.name) {
    throw new SourceFileError(listed.file, 'changed', 'its .sha256 side file does not hold a checksum line for this file');
  }
  if (line[1] !== listed.sha256) {
    throw new SourceFileError(
      listed.file,
      'changed',
      `its .sha256 side file says ${line[1] ?? '?'} but the manifest says ${listed.sha256} (the period is being rewritten, or was altered)`,
    );
  }
  let actual: { sha256: string; bytes: number };
  try {
    actual = await digestFile(listed.path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      throw new SourceFileError(listed.file, 'missing', 'the billing file is gone (moved or deleted)', { cause: error });
    }
    throw new SourceFileError(listed.file, 'unreadable', 'cannot read the billing file', { cause: error });
  }
  if (actual.sha256 !== listed.sha256 || actual.bytes !== listed.bytes) {
    throw new SourceFileError(
      listed.file,
      'changed',
      `the file on disk (${actual.bytes} bytes, SHA-256 ${actual.sha256}) no longer matches its digest (${listed.bytes} bytes, ${listed.sha256})`,
    );
  }
  return { ...listed, checksumText };
}

/** The delay before retry number `attempt` (1 = after the first failure): exponential, capped, half of it jittered. */
export function retryDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
}

/** Can another attempt help? Not when the local file is the problem, nor when the store refused for good. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof SourceFileError || error instanceof LedgerError) return false;
  if (error instanceof S3RequestError) return error.retryable;
  return true;
}

/** Runs `work` until it succeeds, fails for good, or runs out of attempts. */
export async function withRetry<T>(
  work: () => Promise<T>,
  policy: RetryPolicy,
  onRetry: (error: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= policy.attempts || !isRetryable(error)) throw error;
      const delayMs = retryDelay(attempt, policy);
      onRetry(error, attempt, delayMs);
      await policy.sleep(delayMs);
    }
  }
}

async function runPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

interface MutableDestinationSummary {
  tenant: string;
  destination: string;
  delivered: string[];
  skippedAlreadyThere: string[];
  alreadyDelivered: number;
  failed: { file: string; error: string }[];
  missing: FileProblem[];
}

function message(error: unknown): string {
  return redact(describeError(error));
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
  const started = Date.now();
  const log = options.log.child({ stage: 'transmit' });
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const tenants = options.tenant === undefined ? config.tenants : [options.tenant];
  const s3 = config.transmit?.s3;
  // The handler's config loader registers these too; a library caller may not have.
  registerSecrets([s3?.secretAccessKey, s3?.accessKeyId].filter((v): v is string => v !== undefined));

  const destinations: Destination[] = [
    ...(s3 === undefined ? [] : [new S3Destination(s3, { ...options.s3, log })]),
    ...(config.transmit?.copyTo ?? []).map((root) => new CopyDestination(root, log)),
  ];
  const summaries: MutableDestinationSummary[] = [];
  const unlisted: { tenant: string; file: string }[] = [];
  const stranded: { tenant: string; file: string }[] = [];
  const problems: { tenant: string; path: string; error: string }[] = [];
  if (destinations.length === 0) {
    log.info('no transmission destination configured; the billing folder is the only one');
  }

  try {
    const ledger =
      destinations.length === 0
        ? undefined
        : await Ledger.open(config.dataDir, {
            onRepair: (tail) => log.warn('repaired a torn last line of the delivery ledger', { bytesCut: Buffer.byteLength(tail) }),
          });
    // Destination id → why it is given up on for the rest of this run.
    const down = new Map<string, string>();

    for (const tenant of tenants) {
      const listed = await listBillingFiles(config.dataDir, tenant.id, options.periods);
      // Files that verification found wrong are never sent (see lib/state/period-marks.ts).
      const held = new Set(await readMarks(config.dataDir, 'held', tenant.id));
      const listing = { ...listed, files: listed.files.filter((f) => !held.has(f.period)) };
      if (listing.files.length < listed.files.length) {
        log.warn('billing files held by verification are not transmitted', {
          tenant: tenant.id,
          periods: [...held],
          files: listed.files.length - listing.files.length,
        });
      }
      for (const problem of listing.problems) {
        problems.push({ tenant: tenant.id, ...problem });
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

      const byDestination = new Map<string, MutableDestinationSummary>();
      for (const destination of destinations) {
        const summary: MutableDestinationSummary = {
          tenant: tenant.id,
          destination: destination.id,
          delivered: [],
          skippedAlreadyThere: [],
          alreadyDelivered: 0,
          failed: [],
          missing: [],
        };
        byDestination.set(destination.id, summary);
        summaries.push(summary);
      }
      const summaryOf = (destination: Destination): MutableDestinationSummary =>
        byDestination.get(destination.id) as MutableDestinationSummary;

      await runPool(listing.files, options.concurrency ?? 4, async (listed) => {
        const fields = { tenant: tenant.id, period: listed.period, file: listed.file };
        const pending = destinations.filter((d) => {
          if (!ledger.isDelivered(listed.file, d.id, listed.sha256)) return true;
          summaryOf(d).alreadyDelivered += 1;
          return false;
        });
        if (pending.length === 0) return;

        let ref: BillingFileRef;
        try {
          ref = await prepare(listed);
        } catch (error) {
          const reason = error instanceof SourceFileError ? error.reason : 'unreadable';
          for (const d of pending) summaryOf(d).missing.push({ file: listed.file, reason, error: message(error) });
          log.error('billing file not transmitted: not as its manifest and .sha256 file say; process its period again', {
            ...fields,
            reason,
            destinations: pending.map((d) => d.id),
            error,
          });
          return;
        }

        for (const destination of pending) {
          const summary = summaryOf(destination);
          const reasonDown = down.get(destination.id);
          if (reasonDown !== undefined) {
            summary.failed.push({ file: listed.file, error: `not attempted: ${destination.id} failed earlier in this run (${reasonDown})` });
            continue;
          }
          let outcome: DeliveryOutcome;
          faultPoint('transmit.before-deliver');
          try {
            outcome = await withRetry(() => destination.deliver(ref), policy, (error, attempt, delayMs) => {
              log.warn('delivery attempt failed; retrying', { ...fields, destination: destination.id, attempt, delayMs, error });
            });
          } catch (error) {
            if (error instanceof SourceFileError) {
              summary.missing.push({ file: listed.file, reason: error.reason, error: message(error) });
              log.warn('billing file not transmitted: it changed or vanished during delivery', {
                ...fields,
                destination: destination.id,
                error,
              });
              continue;
            }
            const failure = new DeliveryError(destination.id, listed.file, 'not delivered; it stays pending for the next run', {
              cause: error,
            });
            summary.failed.push({ file: listed.file, error: message(failure) });
            down.set(destination.id, message(error));
            log.error('delivery failed', { ...fields, destination: destination.id, error: failure });
            continue;
          }
          faultPoint('transmit.before-ledger');
          try {
            await ledger.append({
              file: listed.file,
              destination: destination.id,
              target: outcome.target,
              sha256: ref.sha256,
              bytes: ref.bytes,
            });
          } catch (error) {
            // Delivered but not recorded: the next run finds it at the destination and records it then.
            summary.failed.push({ file: listed.file, error: message(error) });
            log.error('delivered but the ledger could not record it', { ...fields, destination: destination.id, error });
            continue;
          }
          faultPoint('transmit.after-ledger');
          (outcome.sent ? summary.delivered : summary.skippedAlreadyThere).push(listed.file);
          log.info(outcome.sent ? 'delivered' : 'already at the destination; recorded without sending again', {
            ...fields,
            destination: destination.id,
            target: outcome.target,
            sha256: ref.sha256,
            bytes: ref.bytes,
          });
        }
      });
    }
  } finally {
    await Promise.all(destinations.map((d) => d.close()));
  }

  const finished: DestinationSummary[] = summaries.map((s) => ({
    ...s,
    delivered: [...s.delivered].sort(),
    skippedAlreadyThere: [...s.skippedAlreadyThere].sort(),
    failed: [...s.failed].sort((a, b) => a.file.localeCompare(b.file)),
    missing: [...s.missing].sort((a, b) => a.file.localeCompare(b.file)),
  }));
  // A file gone or altered before it reached a destination is money not delivered: a failure,
  // retried (and reported) until a re-run of its period writes it again.
  const ok = problems.length === 0 && stranded.length === 0 && finished.every((s) => s.failed.length === 0 && s.missing.length === 0);
  const summary: TransmitSummary = {
    ok,
    exitCode: ok ? ExitCode.ok : ExitCode.transmit,
    destinations: finished,
    unlisted,
    stranded,
    problems,
    durationMs: Date.now() - started,
  };
  log.info('transmission finished', {
    ok,
    destinations: finished.map((s) => ({
      tenant: s.tenant,
      destination: s.destination,
      delivered: s.delivered.length,
      skippedAlreadyThere: s.skippedAlreadyThere.length,
      alreadyDelivered: s.alreadyDelivered,
      failed: s.failed.length,
      missing: s.missing.length,
    })),
    durationMs: summary.durationMs,
  });
  return summary;
}
