/**
 * What a transmission run reports: per tenant and destination, what was sent, found already
 * there, failed or not sent because of the file's state on disk. Kept apart from transmit.ts so
 * callers that only read a summary (the pipeline, the upload handler) import no adapter.
 */
import { ExitCode } from '../errors';
import type { Logger } from '../log/logger';
import type { SourceFileError } from './errors';

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

/** What one transmission run did, for the log, the handler's answer and the exit code. */
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

/** A {@link DestinationSummary} being filled in while the run's files are delivered, in any order. */
export interface DestinationTally {
  readonly tenant: string;
  readonly destination: string;
  readonly delivered: string[];
  readonly skippedAlreadyThere: string[];
  alreadyDelivered: number;
  readonly failed: { file: string; error: string }[];
  readonly missing: FileProblem[];
}

/** An empty tally for one tenant at one destination. */
export function newTally(tenant: string, destination: string): DestinationTally {
  return { tenant, destination, delivered: [], skippedAlreadyThere: [], alreadyDelivered: 0, failed: [], missing: [] };
}

/** What the run collected, besides the tallies, for {@link summarise}. */
export interface RunFindings {
  readonly unlisted: readonly { readonly tenant: string; readonly file: string }[];
  readonly stranded: readonly { readonly tenant: string; readonly file: string }[];
  readonly problems: readonly { readonly tenant: string; readonly path: string; readonly error: string }[];
  /** `Date.now()` when the run started. */
  readonly started: number;
}

/**
 * Turns the run's tallies into its summary, sorted (files are delivered concurrently, so their
 * order of completion means nothing), and logs the totals.
 */
export function summarise(tallies: readonly DestinationTally[], findings: RunFindings, log: Logger): TransmitSummary {
  const finished: DestinationSummary[] = tallies.map((s) => ({
    ...s,
    delivered: [...s.delivered].sort(),
    skippedAlreadyThere: [...s.skippedAlreadyThere].sort(),
    failed: [...s.failed].sort((a, b) => a.file.localeCompare(b.file)),
    missing: [...s.missing].sort((a, b) => a.file.localeCompare(b.file)),
  }));
  const { unlisted, stranded, problems } = findings;
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
    durationMs: Date.now() - findings.started,
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
