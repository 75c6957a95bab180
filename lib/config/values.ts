/**
 * Checks of single values, each returning the value or a message: durations, dates, modes and
 * time zones. The shapes (shapes.ts) build on them; they are separate because their rules are
 * the configuration's own (what a mode must leave the owner, which bare numbers a duration
 * takes) and are read on their own.
 */
import { isLocalDate } from '../time/calendar';
import { parseDuration } from '../time/duration';
import { InvalidDurationError } from '../time/errors';
import { isValidTimeZone } from '../time/zone';
import { describeValue } from './messages';

// The shape only, to tell "not a date at all" from "not a real day" in the message.
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;


/**
 * True when `zone` is an IANA zone name the runtime knows: lib/time's rule, so that a zone the
 * configuration accepts is one every billing-day computation accepts too.
 */
export function isKnownTimeZone(zone: string): boolean {
  return isValidTimeZone(zone);
}

/**
 * Parses a duration such as '0', '90s', '30m', '2h', '1d' or '1h30m' into seconds; returns a
 * message for anything else. A bare number is accepted only for 0, where the unit is moot.
 */
export function parseDurationSeconds(value: unknown): number | { readonly error: string } {
  const hint = 'write it like "90s", "30m", "2h", "1d" or "1h30m"';
  if (value === 0 || value === '0') {
    return 0;
  }
  if (typeof value === 'number') {
    return { error: `a duration needs a unit: ${hint}` };
  }
  if (typeof value !== 'string') {
    return { error: `expected a duration, got ${describeValue(value)}: ${hint}` };
  }
  try {
    // lib/time's parser is the one the CLI uses too; only the messages are the configuration's.
    return parseDuration(value);
  } catch (error: unknown) {
    // Beyond every bound: the bounds' own message ("must be at most 7d") says what to do.
    if (error instanceof InvalidDurationError && error.tooLarge) return Number.POSITIVE_INFINITY;
    if (error instanceof InvalidDurationError) {
      return { error: `invalid duration ${JSON.stringify(value)}: ${hint}` };
    }
    throw error;
  }
}

/** Normalises a string or a YAML date to `YYYY-MM-DD`; returns a message when not a real date. */
export function parseLocalDate(value: unknown): string | { readonly error: string } {
  if (value instanceof Date) {
    // A YAML timestamp of a bare date is midnight UTC; anything with a time of day is not a day.
    if (Number.isNaN(value.getTime())) {
      return { error: 'invalid date' };
    }
    const iso = value.toISOString();
    if (!iso.endsWith('T00:00:00.000Z')) {
      return { error: `expected a date YYYY-MM-DD, got a timestamp with a time of day (${iso})` };
    }
    // Outside the years 0000–9999 toISOString writes a signed six-digit year, not a date.
    const date = iso.slice(0, 10);
    return isLocalDate(date) ? date : { error: `expected a date YYYY-MM-DD, got ${iso}` };
  }
  if (typeof value !== 'string') {
    return { error: `expected a date YYYY-MM-DD, got ${describeValue(value)}` };
  }
  if (!DATE_PATTERN.test(value)) {
    return { error: `expected a date YYYY-MM-DD, got ${JSON.stringify(value)}` };
  }
  // lib/time checks the day exists on day numbers: Date.UTC would read 0050 as 1950.
  if (!isLocalDate(value)) {
    return { error: `${JSON.stringify(value)} is not a real date` };
  }
  return value;
}


/**
 * Does an SFTP `privateKey` value hold the key itself (given through `${env:NAME}`) rather than
 * the path of a key file? Only then is it a secret: a path is not, and masking it would hide it
 * from the very messages that say the file cannot be read.
 */
export function isPrivateKeyText(value: string): boolean {
  return value.includes('-----BEGIN ') || value.includes('\n');
}

// '0640', '640' or '0o640': three octal digits, nothing else (no setuid, setgid or sticky bit).
const MODE_PATTERN = /^(?:0o?)?([0-7]{3})$/;

/**
 * Parses permissions written as an octal string (`"0640"`) for files or folders BDS creates.
 * The owner must keep what BDS itself needs (read and write; and enter, for a folder), and
 * others get nothing: billing data and state are confidential. A number is refused because
 * YAML reads an unquoted `0640` as the decimal 640, which is not what anyone means.
 */
export function parseMode(value: unknown, kind: 'file' | 'folder'): number | { readonly error: string } {
  const example = kind === 'file' ? '"0640"' : '"0750"';
  if (typeof value === 'number') {
    return { error: `write the mode as a quoted octal string such as ${example} (unquoted, YAML reads 0640 as the decimal number 640)` };
  }
  if (typeof value !== 'string') {
    return { error: `expected an octal mode such as ${example}, got ${describeValue(value)}` };
  }
  const match = MODE_PATTERN.exec(value);
  if (match === null) {
    return { error: `${JSON.stringify(value)} is not an octal mode such as ${example}` };
  }
  const mode = Number.parseInt(match[1] ?? '', 8);
  const ownerNeeds = kind === 'file' ? 0o600 : 0o700;
  if ((mode & ownerNeeds) !== ownerNeeds) {
    return { error: `${value} leaves the owner without ${kind === 'file' ? 'read and write' : 'read, write and search'} permission, which BDS needs` };
  }
  if ((mode & 0o007) !== 0) {
    return { error: `${value} gives permissions to every user of the machine; billing data is confidential: use at most ${kind === 'file' ? '"0660"' : '"0770"'}` };
  }
  if (kind === 'file' && (mode & 0o111) !== 0) {
    return { error: `${value} makes the files executable; they are data: use e.g. "0640"` };
  }
  return mode;
}
