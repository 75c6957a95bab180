import { BdsError } from '../errors';

/** The delivery ledger cannot be read or appended to, or holds something that is not a delivery record. */
export class LedgerError extends BdsError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}

/**
 * A billing file cannot be delivered as it is on disk: gone, or no longer what its manifest and
 * `.sha256` side file say. Retrying does not help; the file is reported, never sent.
 */
export class SourceFileError extends BdsError {
  constructor(
    readonly file: string,
    readonly reason: 'missing' | 'changed' | 'unreadable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

/** One billing file could not be delivered to one destination (after the retries of the run). */
export class DeliveryError extends BdsError {
  constructor(
    readonly destination: string,
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${destination}: ${file}: ${message}`, options);
  }
}

/** What arrived at a destination is not what was sent (size or digest differ). */
export class VerificationError extends BdsError {
  constructor(
    readonly target: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${target}: ${message}`, options);
  }
}

/** An S3 request failed; the message names the operation, the HTTP status and S3's error code. */
export class S3RequestError extends BdsError {
  /** Whether another attempt can help (no answer, 5xx, throttling) or not (denied, no such bucket). */
  readonly retryable: boolean;

  constructor(
    readonly operation: string,
    readonly key: string,
    readonly httpStatus: number | undefined,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(`${operation} ${key}${httpStatus === undefined ? '' : ` (HTTP ${httpStatus})`}: ${message}`, { cause: options.cause });
    this.retryable = options.retryable ?? true;
  }
}

/** A manifest or billing folder cannot be read, so the files it lists cannot be considered. */
export class ManifestError extends BdsError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}

/**
 * The `code` of an error (lib/errors.ts has the one helper). Re-exported here, beside the error
 * classes, so every module of lib/transmit (an adapter included) keeps importing it from
 * './errors' without importing another adapter or the orchestrator.
 */
export { errorCode } from '../errors';

/**
 * An SFTP operation failed; the message names the operation, the remote path and the server's
 * reason (never a password, passphrase or key).
 */
export class SftpError extends BdsError {
  /** Whether another attempt can help (a dropped or refused connection) or not (denied, no such root). */
  readonly retryable: boolean;

  constructor(
    readonly operation: string,
    readonly remotePath: string | undefined,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(`${operation}${remotePath === undefined ? '' : ` ${remotePath}`}: ${message}`, { cause: options.cause });
    this.retryable = options.retryable ?? true;
  }
}

/**
 * The SFTP server showed a host key other than the pinned one: the connection is dropped before
 * anything is sent, and never retried (it is either an attack or a changed server, and the
 * operator must decide which).
 */
export class HostKeyMismatchError extends SftpError {
  constructor(
    readonly server: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'connect',
      undefined,
      `the host key of ${server} is ${actual}, but transmit.sftp.hostKey pins ${expected}; nothing was sent. If the server's key was changed on purpose, check the new fingerprint with its administrator and update hostKey`,
      { retryable: false },
    );
  }
}
