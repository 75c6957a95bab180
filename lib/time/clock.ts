/**
 * The current time, in epoch seconds. `BDS_NOW` (an ISO 8601 time) replaces the wall clock: the
 * tests use it to make "the last day that has ended" reproducible, and an operator can use it to
 * see what a run at another moment would do. It never changes what a given day contains.
 */
import { BdsError } from '../errors';

/** BDS_NOW is set but is not a time. */
export class InvalidClockError extends BdsError {}

/** Now, or `BDS_NOW` when set. */
export function nowSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const fixed = env.BDS_NOW;
  if (fixed === undefined || fixed === '') return Math.floor(Date.now() / 1000);
  const ms = Date.parse(fixed);
  if (!Number.isFinite(ms)) throw new InvalidClockError(`BDS_NOW=${JSON.stringify(fixed)} is not an ISO 8601 time (e.g. 2026-11-26T06:00:00Z); unset it to use the clock`);
  return Math.floor(ms / 1000);
}
