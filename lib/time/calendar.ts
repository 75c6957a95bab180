/**
 * Calendar dates and tenant-local billing days.
 *
 * A billing day is a `LocalDate` (`YYYY-MM-DD`) in the tenant's IANA time zone; instants are
 * whole epoch seconds (UTC). Date arithmetic is done on day numbers (days since 1970-01-01),
 * never through `Date`, because `Date.UTC` maps years 0–99 to 1900–1999 and `Date` in general
 * drags the host's zone into anything that is not explicitly UTC. The only thing `Intl` is used
 * for is the zone's UTC offset at an instant; everything else is derived from that.
 */
import type { LocalDate } from '../config/types';
import {
  type CivilDate,
  daysInMonth,
  formatCivilDate,
  fromDayNumber,
  padNumber as pad,
  SECONDS_PER_DAY,
  toDayNumber,
} from './civil';
import { InvalidDateError, InvalidDurationError, InvalidInstantError } from './errors';
import { isValidTimeZone, offsetAt, startOfLocalDay } from './zone';

// Re-exported so that callers that deal in billing days need one module only.
export { isValidTimeZone };

/**
 * Instants are accepted from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z: the dates a
 * four-digit `YYYY` can write (and well inside what `Intl` can format).
 */
const MIN_EPOCH_SECONDS = -62_167_219_200;
const MAX_EPOCH_SECONDS = 253_402_300_799;

const LOCAL_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;

/** Formats a day number as a `LocalDate`, refusing years a `YYYY` field cannot hold. */
function formatDayNumber(dayNumber: number, what: string): LocalDate {
  const { year, month, day } = fromDayNumber(dayNumber);
  if (year < 0 || year > 9999) {
    throw new InvalidDateError(
      what,
      `date ${what} falls outside the years 0000–9999 a YYYY-MM-DD date can express`,
    );
  }
  return formatCivilDate({ year, month, day });
}

function dayNumberOf(date: LocalDate): number {
  return toDayNumber(parseLocalDate(date));
}

// ---------------------------------------------------------------------------------------------
// Local dates.

/** Parses without throwing; `undefined` when `s` is not a strict, real `YYYY-MM-DD` date. */
function tryParseLocalDate(s: string): CivilDate | undefined {
  if (typeof s !== 'string') return undefined;
  const match = LOCAL_DATE_PATTERN.exec(s);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/**
 * Tells whether `s` is a strict `YYYY-MM-DD` string naming a day that exists in the
 * (proleptic Gregorian) calendar: `2024-02-29` is one, `2026-02-29`, `2026-13-01` and
 * `2026-1-01` are not.
 */
export function isLocalDate(s: string): boolean {
  return tryParseLocalDate(s) !== undefined;
}

/**
 * Splits a `YYYY-MM-DD` date into numbers.
 *
 * @throws {InvalidDateError} when `s` is malformed or names a day that does not exist.
 */
export function parseLocalDate(s: string): { year: number; month: number; day: number } {
  const parsed = tryParseLocalDate(s);
  if (parsed === undefined) {
    throw new InvalidDateError(
      s,
      `invalid date ${JSON.stringify(s)}: expected a calendar date in the form YYYY-MM-DD, ` +
        `e.g. 2026-11-25`,
    );
  }
  return parsed;
}

/**
 * The date `n` days after `date` (before it when `n` is negative), across month and year ends.
 *
 * @throws {InvalidDateError} when `date` is invalid, `n` is not a whole number or the result
 *   leaves the years 0000–9999.
 */
export function addDays(date: LocalDate, n: number): LocalDate {
  const start = dayNumberOf(date);
  if (!Number.isSafeInteger(n)) {
    throw new InvalidDateError(
      date,
      `cannot add ${String(n)} days to ${date}: expected a whole number of days`,
    );
  }
  return formatDayNumber(start + n, `${date} ${n < 0 ? '-' : '+'} ${Math.abs(n)} days`);
}

/**
 * Orders two dates: negative when `a` is earlier, 0 when equal, positive when later.
 * Usable directly as an `Array.prototype.sort` comparator.
 *
 * @throws {InvalidDateError} when either is not a valid date.
 */
export function compareDates(a: LocalDate, b: LocalDate): number {
  // Validating first is what makes the plain string comparison below sound: for strict
  // four-digit-year dates lexical order is chronological order.
  parseLocalDate(a);
  parseLocalDate(b);
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * Every date from `from` to `to`, both included, oldest first; empty when `from` is after `to`.
 *
 * @throws {InvalidDateError} when either bound is not a valid date.
 */
export function eachDay(from: LocalDate, to: LocalDate): LocalDate[] {
  const first = dayNumberOf(from);
  const last = dayNumberOf(to);
  const days: LocalDate[] = [];
  for (let n = first; n <= last; n += 1) days.push(formatDayNumber(n, from));
  return days;
}

/**
 * The month (`YYYY-MM`) a date belongs to.
 *
 * @throws {InvalidDateError} when `date` is not a valid date.
 */
export function monthOf(date: LocalDate): string {
  parseLocalDate(date);
  return date.slice(0, 7);
}

/**
 * The first day of the month `date` is in.
 *
 * @throws {InvalidDateError} when `date` is not a valid date.
 */
export function firstDayOfMonth(date: LocalDate): LocalDate {
  return `${monthOf(date)}-01`;
}

/**
 * The last day of the month `date` is in (leap years included).
 *
 * @throws {InvalidDateError} when `date` is not a valid date.
 */
export function lastDayOfMonth(date: LocalDate): LocalDate {
  const { year, month } = parseLocalDate(date);
  return `${monthOf(date)}-${pad(daysInMonth(year, month), 2)}`;
}

/**
 * Whether `date` is the last day of its month.
 *
 * @throws {InvalidDateError} when `date` is not a valid date.
 */
export function isLastDayOfMonth(date: LocalDate): boolean {
  const { year, month, day } = parseLocalDate(date);
  return day === daysInMonth(year, month);
}

/** Parses a strict `YYYY-MM` month, or throws {@link InvalidDateError}. */
function parseMonth(month: string): { year: number; month: number } {
  const match = typeof month === 'string' ? MONTH_PATTERN.exec(month) : null;
  const year = Number(match?.[1]);
  const monthNumber = Number(match?.[2]);
  if (match === null || monthNumber < 1 || monthNumber > 12) {
    throw new InvalidDateError(
      month,
      `invalid month ${JSON.stringify(month)}: expected the form YYYY-MM, e.g. 2026-11`,
    );
  }
  return { year, month: monthNumber };
}

// ---------------------------------------------------------------------------------------------
// Time zones (the offsets themselves come from zone.ts).

/** Refuses an instant outside MIN_EPOCH_SECONDS…MAX_EPOCH_SECONDS or not in whole seconds. */
function assertInstant(epochSeconds: number): void {
  if (
    !Number.isSafeInteger(epochSeconds) ||
    epochSeconds < MIN_EPOCH_SECONDS ||
    epochSeconds > MAX_EPOCH_SECONDS
  ) {
    throw new InvalidInstantError(epochSeconds);
  }
}

/**
 * The instants a tenant-local billing day covers, as the half-open interval `[start, end)` in
 * epoch seconds. `start` is the first instant whose local date is `date`, `end` the start of
 * the next day, so consecutive days always meet exactly. Days are 23 or 25 hours long on DST
 * changes (other lengths in zones such as Australia/Lord_Howe), and a day the zone skipped
 * (Pacific/Apia 2011-12-30) has `start === end`.
 *
 * @throws {InvalidDateError} when `date` is not a valid date.
 * @throws {UnknownTimeZoneError} when `zone` is not a known IANA zone.
 */
export function dayBounds(date: LocalDate, zone: string): { start: number; end: number } {
  const dayNumber = dayNumberOf(date);
  return { start: startOfLocalDay(dayNumber, zone), end: startOfLocalDay(dayNumber + 1, zone) };
}

/**
 * The instants a tenant-local month (`YYYY-MM`) covers, `[start of its first day, end of its
 * last day)`.
 *
 * @throws {InvalidDateError} when `month` is not a valid `YYYY-MM` month.
 * @throws {UnknownTimeZoneError} when `zone` is not a known IANA zone.
 */
export function monthBounds(month: string, zone: string): { start: number; end: number } {
  const parsed = parseMonth(month);
  const first = toDayNumber({ ...parsed, day: 1 });
  const afterLast = first + daysInMonth(parsed.year, parsed.month);
  return { start: startOfLocalDay(first, zone), end: startOfLocalDay(afterLast, zone) };
}

/**
 * The local calendar date in `zone` at an instant.
 *
 * @throws {InvalidInstantError} when `epochSeconds` is not whole seconds in years 0000–9999.
 * @throws {UnknownTimeZoneError} when `zone` is not a known IANA zone.
 */
export function localDateAt(epochSeconds: number, zone: string): LocalDate {
  assertInstant(epochSeconds);
  const local = epochSeconds + offsetAt(epochSeconds, zone);
  return formatDayNumber(Math.floor(local / SECONDS_PER_DAY), String(epochSeconds));
}

function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const magnitude = Math.abs(offsetSeconds);
  const hours = Math.floor(magnitude / 3600);
  const minutes = Math.floor((magnitude % 3600) / 60);
  const seconds = magnitude % 60;
  // Only local mean time (before a zone adopted standard time) has offset seconds; ISO 8601
  // extended format can carry them, and dropping them would misstate the instant.
  const tail = seconds === 0 ? '' : `:${pad(seconds, 2)}`;
  return `${sign}${pad(hours, 2)}:${pad(minutes, 2)}${tail}`;
}

/** `YYYY-MM-DDTHH:MM:SS` of a count of seconds since 1970-01-01T00:00 on some clock. */
function formatWallClock(seconds: number, what: string): string {
  const dayNumber = Math.floor(seconds / SECONDS_PER_DAY);
  const ofDay = seconds - dayNumber * SECONDS_PER_DAY;
  const hh = pad(Math.floor(ofDay / 3600), 2);
  const mm = pad(Math.floor((ofDay % 3600) / 60), 2);
  const ss = pad(ofDay % 60, 2);
  return `${formatDayNumber(dayNumber, what)}T${hh}:${mm}:${ss}`;
}

/**
 * An instant as ISO 8601 local time with the zone's offset at that instant, to the second:
 * `2026-11-25T00:00:00-05:00`. UTC is written `+00:00`, never `Z`, so every value has the same
 * shape.
 *
 * @throws {InvalidInstantError} when `epochSeconds` is not whole seconds in years 0000–9999.
 * @throws {UnknownTimeZoneError} when `zone` is not a known IANA zone.
 */
export function formatInstant(epochSeconds: number, zone: string): string {
  assertInstant(epochSeconds);
  const offset = offsetAt(epochSeconds, zone);
  return `${formatWallClock(epochSeconds + offset, String(epochSeconds))}${formatOffset(offset)}`;
}

/**
 * The latest local day that is over and has been for at least `delaySeconds`: the latest `D`
 * with `dayBounds(D, zone).end + delaySeconds <= nowEpochSeconds`. The delay lets late data
 * (records written after the day ended) arrive before the day is counted.
 *
 * @throws {InvalidInstantError} when `nowEpochSeconds` is not whole seconds in years 0000–9999.
 * @throws {InvalidDurationError} when `delaySeconds` is not a whole number of seconds.
 * @throws {UnknownTimeZoneError} when `zone` is not a known IANA zone.
 */
export function lastEndedDay(
  nowEpochSeconds: number,
  zone: string,
  delaySeconds: number,
): LocalDate {
  assertInstant(nowEpochSeconds);
  if (!Number.isSafeInteger(delaySeconds)) {
    throw new InvalidDurationError(
      String(delaySeconds),
      `invalid delay ${String(delaySeconds)}: expected a whole number of seconds`,
    );
  }
  // D has ended by `cutoff` exactly when the next day has started by then.
  const cutoff = nowEpochSeconds - delaySeconds;
  assertInstant(cutoff);
  let started = Math.floor((cutoff + offsetAt(cutoff, zone)) / SECONDS_PER_DAY);
  // The local date at `cutoff` has started; the next one may have too if the clock went back
  // across midnight after it began (the repeated hour belongs to the new day).
  while (startOfLocalDay(started + 1, zone) <= cutoff) started += 1;
  return formatDayNumber(started - 1, String(nowEpochSeconds));
}

/**
 * An instant as ISO 8601 UTC to the second, `2026-11-25T05:00:00Z`, for logs and manifests.
 *
 * @throws {InvalidInstantError} when `epochSeconds` is not whole seconds in years 0000–9999.
 */
export function utcSecondsToIso(epochSeconds: number): string {
  assertInstant(epochSeconds);
  return `${formatWallClock(epochSeconds, String(epochSeconds))}Z`;
}

// `YYYY-MM-DDTHH:MM[:SS[.fraction]]` then `Z` or `±HH:MM`: the ISO 8601 shape EventBridge and
// operators write. Date.parse would also take "1", "March 7" or a time without a zone (read in
// the host's zone), none of which say one instant.
const ISO_INSTANT_PATTERN = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an ISO 8601 instant with an explicit zone (`2026-11-26T06:00:00Z`,
 * `2026-11-26T07:00+01:00`) into whole epoch seconds (a fraction is dropped).
 *
 * @throws {InvalidDateError} when `text` is not of that shape, or names a date, hour, minute,
 *   second or offset that does not exist.
 */
export function parseIsoInstant(text: string): number {
  const invalid = (): InvalidDateError =>
    new InvalidDateError(
      text,
      `invalid time ${JSON.stringify(text)}: expected an ISO 8601 time with its zone, e.g. 2026-11-26T06:00:00Z`,
    );
  const match = typeof text === 'string' ? ISO_INSTANT_PATTERN.exec(text) : null;
  if (match === null) throw invalid();
  const date = tryParseLocalDate(match[1] ?? '');
  const hour = Number(match[2]);
  const minute = Number(match[3]);
  const second = match[4] === undefined ? 0 : Number(match[4]);
  const offsetHours = match[7] === undefined ? 0 : Number(match[7]);
  const offsetMinutes = match[8] === undefined ? 0 : Number(match[8]);
  // No leap second: epoch seconds cannot tell 23:59:60 from the next day's 00:00:00.
  if (date === undefined || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) throw invalid();
  const offset = (match[6] === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  const epochSeconds = toDayNumber(date) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset;
  if (epochSeconds < MIN_EPOCH_SECONDS || epochSeconds > MAX_EPOCH_SECONDS) throw invalid();
  return epochSeconds;
}
