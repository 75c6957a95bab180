/**
 * The current time, in epoch seconds, as a value passed down rather than read from the
 * environment wherever it is needed. `BDS_NOW` (an ISO 8601 time) replaces the wall clock: the
 * tests use it to make "the last day that has ended" reproducible, and an operator can use it to
 * see what a run at another moment would do. It never changes what a given day contains.
 */
import { parseIsoInstant } from './calendar';
import { InvalidClockError } from './errors';

/** What "now" is for a run: the system clock, or a fixed instant (`BDS_NOW`, tests). */
export interface Clock {
  /** The current time in whole epoch seconds. */
  nowSeconds(): number;
}

/** The machine's clock. */
export const systemClock: Clock = { nowSeconds: () => Math.floor(Date.now() / 1000) };

/** A clock that always says `epochSeconds` (BDS_NOW, tests). */
export function fixedClock(epochSeconds: number): Clock {
  return { nowSeconds: () => epochSeconds };
}

/**
 * The clock `env` asks for: `BDS_NOW` when set and not empty, else the system clock. BDS_NOW is
 * read strictly (calendar.ts `parseIsoInstant`): a typo must not silently become another day.
 *
 * @throws {InvalidClockError} when BDS_NOW is set but is not an ISO 8601 time with its zone.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv): Clock {
  const fixed = env.BDS_NOW;
  if (fixed === undefined || fixed === '') return systemClock;
  try {
    return fixedClock(parseIsoInstant(fixed));
  } catch (error) {
    throw new InvalidClockError(fixed, { cause: error });
  }
}
