import { BdsError } from '../errors';
import type { LockInfo } from './lock';

export type { LockInfo };

/** Another process works on the data directory (exit 75). */
export class LockHeldError extends BdsError {
  constructor(
    readonly holder: LockInfo,
    readonly lockPath: string,
  ) {
    super(
      `another bds process holds the lock on this data directory: pid ${holder.pid} on ${holder.host}, ` +
        `"${holder.command}", since ${holder.startedAt} (${lockPath}); wait for it to finish, or stop it`,
    );
  }
}

/** The state files cannot be read or written. */
export class StateError extends BdsError {}
