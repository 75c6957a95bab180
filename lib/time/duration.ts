/**
 * Durations as written in the configuration and on the command line: `90s`, `30m`, `2h`, `1d`
 * and combinations such as `1h30m`, always in seconds once parsed.
 */
import { InvalidDurationError } from './errors';

const UNITS = [
  { suffix: 'd', seconds: 86_400 },
  { suffix: 'h', seconds: 3_600 },
  { suffix: 'm', seconds: 60 },
  { suffix: 's', seconds: 1 },
] as const;

/**
 * Whole numbers with a unit, largest unit first, each at most once. Insisting on the order
 * turns a slip such as `30m1h` or `1h1h` into an error instead of a silently summed value.
 */
const DURATION_PATTERN = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

const ACCEPTED_FORM =
  'expected whole numbers with units d, h, m, s in that order, e.g. 90s, 30m, 2h, 1d, 1h30m ' +
  'or 2d12h (or 0)';

function invalid(text: string, reason?: string): InvalidDurationError {
  const why = reason === undefined ? '' : ` (${reason})`;
  return new InvalidDurationError(
    text,
    `invalid duration ${JSON.stringify(text)}${why}: ${ACCEPTED_FORM}`,
    reason === 'too large',
  );
}

/**
 * Parses a duration such as `90s`, `30m`, `2h`, `1d`, `1h30m` or `2d12h` into seconds. A bare
 * `0` is also accepted, since "no delay" is common and has no natural unit. Fractions, signs,
 * spaces, upper-case units and out-of-order or repeated units are rejected.
 *
 * @throws {InvalidDurationError} naming the value and the accepted form.
 */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const match = typeof text === 'string' ? DURATION_PATTERN.exec(text) : null;
  // The pattern's parts are all optional, so it also matches '': that is not a duration.
  if (match === null || text.length === 0) throw invalid(text);
  let total = 0;
  UNITS.forEach((unit, index) => {
    const digits = match[index + 1];
    if (digits !== undefined) total += Number(digits) * unit.seconds;
  });
  if (!Number.isSafeInteger(total)) throw invalid(text, 'too large');
  return total;
}

/**
 * Writes a number of seconds the way {@link parseDuration} reads it, largest units first and
 * zero parts left out: 5400 → `1h30m`, 90 → `1m30s`, 0 → `0s`.
 *
 * @throws {InvalidDurationError} when `seconds` is negative or not a whole number.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new InvalidDurationError(
      String(seconds),
      `invalid duration ${String(seconds)}: expected a whole, non-negative number of seconds`,
    );
  }
  if (seconds === 0) return '0s';
  let remaining = seconds;
  let text = '';
  for (const unit of UNITS) {
    const count = Math.floor(remaining / unit.seconds);
    remaining -= count * unit.seconds;
    if (count > 0) text += `${count}${unit.suffix}`;
  }
  return text;
}
