/**
 * Delivering one billing file: verified once, then sent to each destination that lacks it, in
 * turn, with retries, and recorded in the ledger. Trouble is tallied and logged, never thrown, so
 * one file's failure never stops the others.
 */
import { describeError } from '../errors';
import { faultPoint } from '../faults';
import type { Logger } from '../log/logger';
import type { SecretRegistry } from '../log/redact';
import type { BillingFileRef, DeliveryOutcome, Destination } from './destination';
import { DeliveryError, SourceFileError } from './errors';
import type { Ledger } from './ledger';
import type { ListedFile } from './listing';
import { withRetry, type RetryPolicy } from './retry';
import type { DestinationTally } from './summary';
import { verifyBillingFile } from './verify';

/** What delivering a file needs from its run. */
export interface DeliveryRun {
  readonly destinations: readonly Destination[];
  readonly ledger: Ledger;
  readonly policy: RetryPolicy;
  readonly log: Logger;
  /**
   * Destination id → why it is given up on for the rest of this run. Shared by every file (and
   * tenant) of the run, so a destination that is down costs one file's retries, not every file's.
   */
  readonly down: Map<string, string>;
  /** The tally of the file's tenant at the destination. */
  tally(destination: Destination): DestinationTally;
  /** The run's secrets: every error kept in a tally is redacted with them. */
  readonly secrets: SecretRegistry;
}

/**
 * Delivers one listed billing file to every destination whose ledger entry lacks its current
 * digest. The file is verified against its side file and manifest first; if that fails it is
 * tallied as missing at each of those destinations and not sent anywhere.
 */
export async function deliverFile(listed: ListedFile, run: DeliveryRun): Promise<void> {
  const pending = run.destinations.filter((d) => {
    if (!run.ledger.isDelivered(listed.file, d.id, listed.sha256)) return true;
    run.tally(d).alreadyDelivered += 1;
    return false;
  });
  if (pending.length === 0) return;

  let ref: BillingFileRef;
  try {
    ref = await verifyBillingFile(listed);
  } catch (error) {
    const reason = error instanceof SourceFileError ? error.reason : 'unreadable';
    for (const d of pending) run.tally(d).missing.push({ file: listed.file, reason, error: run.secrets.redact(describeError(error)) });
    run.log.error('billing file not transmitted: not as its manifest and .sha256 file say; process its period again', {
      tenant: listed.tenant,
      period: listed.period,
      file: listed.file,
      reason,
      destinations: pending.map((d) => d.id),
      error,
    });
    return;
  }
  // In turn, not at once: the run's concurrency counts files, so this keeps one connection per
  // file in flight.
  for (const destination of pending) await deliverTo(ref, destination, run);
}

/**
 * Delivers one verified billing file to one destination, with the run's retries, and records it
 * in the ledger. A destination that still fails is marked down for the rest of the run.
 */
export async function deliverTo(ref: BillingFileRef, destination: Destination, run: DeliveryRun): Promise<void> {
  const { log } = run;
  const tally = run.tally(destination);
  const fields = { tenant: ref.tenant, period: ref.period, file: ref.file };
  const reasonDown = run.down.get(destination.id);
  if (reasonDown !== undefined) {
    tally.failed.push({ file: ref.file, error: `not attempted: ${destination.id} failed earlier in this run (${reasonDown})` });
    return;
  }
  let outcome: DeliveryOutcome;
  faultPoint('transmit.before-deliver');
  try {
    outcome = await withRetry(() => destination.deliver(ref), run.policy, (error, attempt, delayMs) => {
      log.warn('delivery attempt failed; retrying', { ...fields, destination: destination.id, attempt, delayMs, error });
    });
  } catch (error) {
    if (error instanceof SourceFileError) {
      tally.missing.push({ file: ref.file, reason: error.reason, error: run.secrets.redact(describeError(error)) });
      log.warn('billing file not transmitted: it changed or vanished during delivery', { ...fields, destination: destination.id, error });
      return;
    }
    const failure = new DeliveryError(destination.id, ref.file, 'not delivered; it stays pending for the next run', { cause: error });
    tally.failed.push({ file: ref.file, error: run.secrets.redact(describeError(failure)) });
    run.down.set(destination.id, run.secrets.redact(describeError(error)));
    log.error('delivery failed', { ...fields, destination: destination.id, error: failure });
    return;
  }
  faultPoint('transmit.before-ledger');
  try {
    await run.ledger.append({ file: ref.file, destination: destination.id, target: outcome.target, sha256: ref.sha256, bytes: ref.bytes });
  } catch (error) {
    // Delivered but not recorded: the next run finds it at the destination and records it then.
    tally.failed.push({ file: ref.file, error: run.secrets.redact(describeError(error)) });
    log.error('delivered but the ledger could not record it', { ...fields, destination: destination.id, error });
    return;
  }
  faultPoint('transmit.after-ledger');
  (outcome.sent ? tally.delivered : tally.skippedAlreadyThere).push(ref.file);
  log.info(outcome.sent ? 'delivered' : 'already at the destination; recorded without sending again', {
    ...fields,
    destination: destination.id,
    target: outcome.target,
    sha256: ref.sha256,
    bytes: ref.bytes,
  });
}
