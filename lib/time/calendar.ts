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
import { BdsError } from '../errors';
import {
  InvalidDateError,
  InvalidDurationError,
  InvalidInstantError,
  UnknownTimeZoneError,
} from './errors';

const SECONDS_PER_DAY = 86_400;

/** Cumulative days before each month in a common year (index 0 = January). */
const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334] as const;

/**
 * Widest distance between a local midnight and the instant it happens at that the gap search
 * must cover. Real offsets stay within −12 h…+14 h, and local mean time before a zone's first
 * standard offset reaches about ±16 h (Asia/Manila before 1845); 18 h covers all of them.
 */
const SEARCH_RADIUS_SECONDS = 18 * 3600;

/**
 * Instants are accepted from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z: the dates a
 * four-digit `YYYY` can write (and well inside what `Intl` can format).
 */
const MIN_EPOCH_SECONDS = -62_167_219_200;
const MAX_EPOCH_SECONDS = 253_402_300_799;

const LOCAL_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;

interface CivilDate {
  year: number;
  month: number;
  day: number;
}

// ---------------------------------------------------------------------------------------------
// Proleptic Gregorian arithmetic on day numbers.

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** How many leap years there are in [0, year) — year 0 (1 BC) is a leap year. */
function leapYearsBefore(year: number): number {
  return (
    Math.floor((year + 3) / 4) - Math.floor((year + 99) / 100) + Math.floor((year + 399) / 400)
  );
}

const LEAP_YEARS_BEFORE_1970 = leapYearsBefore(1970);

/** Days from 1970-01-01 to the given (valid) date; negative before 1970. */
function toDayNumber({ year, month, day }: CivilDate): number {
  const beforeMonth = DAYS_BEFORE_MONTH[month - 1] ?? 0;
  const leapDay = month > 2 && isLeapYear(year) ? 1 : 0;
  return (
    365 * (year - 1970) +
    (leapYearsBefore(year) - LEAP_YEARS_BEFORE_1970) +
    beforeMonth +
    leapDay +
    day -
    1
  );
}

/** Inverse of {@link toDayNumber}. */
function fromDayNumber(dayNumber: number): CivilDate {
  // The average Gregorian year gives a guess that is at most one year off; correct it.
  let year = 1970 + Math.floor(dayNumber / 365.2425);
  while (toDayNumber({ year, month: 1, day: 1 }) > dayNumber) year -= 1;
  while (toDayNumber({ year: year + 1, month: 1, day: 1 }) <= dayNumber) year += 1;
  let remaining = dayNumber - toDayNumber({ year, month: 1, day: 1 });
  let month = 1;
  while (remaining >= daysInMonth(year, month)) {
    remaining -= daysInMonth(year, month);
    month += 1;
  }
  return { year, month, day: remaining + 1 };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Formats a day number as a `LocalDate`, refusing years a `YYYY` field cannot hold. */
function formatDayNumber(dayNumber: number, what: string): LocalDate {
  const { year, month, day } = fromDayNumber(dayNumber);
  if (year < 0 || year > 9999) {
    throw new InvalidDateError(
      what,
      `date ${what} falls outside the years 0000–9999 a YYYY-MM-DD date can express`,
    );
  }
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
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
      String(s),
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
      String(month),
      `invalid month ${JSON.stringify(month)}: expected the form YYYY-MM, e.g. 2026-11`,
    );
  }
  return { year, month: monthNumber };
}

// ---------------------------------------------------------------------------------------------
// Time zones.

/**
 * One formatter per zone: constructing an `Intl.DateTimeFormat` costs far more than using
 * one, and day bounds are computed for every day of every tenant.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function createFormatter(zone: string): Intl.DateTimeFormat | undefined {
  // Offset strings ("+05:00") are not IANA names, and only newer runtimes accept them;
  // refusing them everywhere keeps a configuration valid or invalid regardless of Node version.
  if (typeof zone !== 'string' || zone.length === 0 || /^[+-]/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      // 'h23' so that midnight reads 0, not 24 as `hour12: false` gives on some engines.
      hourCycle: 'h23',
      numberingSystem: 'latn',
      // The year is not asked for: around year 0 it comes with an era, and it can be derived
      // from the UTC year anyway (see offsetAt).
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (error: unknown) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = createFormatter(zone);
    if (formatter === undefined) throw new UnknownTimeZoneError(zone);
    formatters.set(zone, formatter);
  }
  return formatter;
}

/**
 * Whether `zone` is an IANA time zone name this runtime's `Intl` knows, such as `UTC`,
 * `Europe/Berlin` or `America/New_York`. Empty strings, unknown names (`Mars/Base`) and
 * numeric offsets (`+05:00`) are not.
 */
export function isValidTimeZone(zone: string): boolean {
  if (formatters.has(zone)) return true;
  const formatter = createFormatter(zone);
  if (formatter === undefined) return false;
  formatters.set(zone, formatter);
  return true;
}

function assertInstant(epochSeconds: number): void {
  if (
    !Number.isSafeInteger(epochSeconds) ||
    epochSeconds < MIN_EPOCH_SECONDS ||
    epochSeconds > MAX_EPOCH_SECONDS
  ) {
    throw new InvalidInstantError(epochSeconds);
  }
}

/** The zone's UTC offset in seconds at an instant (local time = UTC + offset). */
function offsetAt(formatter: Intl.DateTimeFormat, epochSeconds: number): number {
  let month = NaN;
  let day = NaN;
  let hour = NaN;
  let minute = NaN;
  let second = NaN;
  for (const part of formatter.formatToParts(epochSeconds * 1000)) {
    const value = Number(part.value);
    if (part.type === 'month') month = value;
    else if (part.type === 'day') day = value;
    else if (part.type === 'hour') hour = value % 24;
    else if (part.type === 'minute') minute = value;
    else if (part.type === 'second') second = value;
  }
  if ([month, day, hour, minute, second].some((n) => !Number.isInteger(n))) {
    throw new BdsError(`Intl returned an unreadable local time for epoch ${epochSeconds}`);
  }
  // Offsets are under a day, so the local date is the UTC date or a neighbour: only a
  // December/January mismatch moves the year.
  const utc = fromDayNumber(Math.floor(epochSeconds / SECONDS_PER_DAY));
  let year = utc.year;
  if (month === 12 && utc.month === 1) year -= 1;
  else if (month === 1 && utc.month === 12) year += 1;
  const localSeconds =
    toDayNumber({ year, month, day }) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
  return localSeconds - epochSeconds;
}

/**
 * The first instant whose local date is `dayNumber` or later: the start of that billing day. Defining every day's start this way (and its end as the next day's start)
 * makes days contiguous by construction and gives a day that is skipped locally zero length.
 */
function startOfDay(formatter: Intl.DateTimeFormat, dayNumber: number): number {
  // Local midnight read as if it were UTC; the real instant is this minus the offset then.
  const midnight = dayNumber * SECONDS_PER_DAY;
  // The offsets in force a day either side cover every offset that can apply at midnight,
  // as long as the zone did not change offset twice within those two days (tzdb has no such
  // case near a midnight; a missed candidate would only make the bisection below answer).
  const offsets = new Set([
    offsetAt(formatter, midnight - SECONDS_PER_DAY),
    offsetAt(formatter, midnight),
    offsetAt(formatter, midnight + SECONDS_PER_DAY),
  ]);
  let earliest: number | undefined;
  for (const offset of offsets) {
    const candidate = midnight - offset;
    // A candidate is real only if the zone actually uses that offset at that instant. When
    // midnight repeats (fall-back across it) two are real and the first one starts the day.
    const real = offsetAt(formatter, candidate) === offset;
    if (real && (earliest === undefined || candidate < earliest)) earliest = candidate;
  }
  if (earliest !== undefined) return earliest;

  // Midnight does not exist (spring-forward at or across it): the day starts at the
  // transition, the first instant whose local time is past midnight. Bisect for it, keeping
  // local(low) < midnight <= local(high).
  let low = midnight - SEARCH_RADIUS_SECONDS;
  let high = midnight + SEARCH_RADIUS_SECONDS;
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (middle + offsetAt(formatter, middle) >= midnight) high = middle;
    else low = middle;
  }
  return high;
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
  const formatter = formatterFor(zone);
  return { start: startOfDay(formatter, dayNumber), end: startOfDay(formatter, dayNumber + 1) };
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
  const formatter = formatterFor(zone);
  const first = toDayNumber({ ...parsed, day: 1 });
  const afterLast = first + daysInMonth(parsed.year, parsed.month);
  return { start: startOfDay(formatter, first), end: startOfDay(formatter, afterLast) };
}

/**
 * The local calendar date in `zone` at an instant.
 *
 * @throws {InvalidInstantError} when `epochSeconds` is not whole seconds in years 0000–9999.
 * @throws {UnknownTimeZoneError} when `zone` is not a known IANA zone.
 */
export function localDateAt(epochSeconds: number, zone: string): LocalDate {
  assertInstant(epochSeconds);
  const local = epochSeconds + offsetAt(formatterFor(zone), epochSeconds);
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
  const offset = offsetAt(formatterFor(zone), epochSeconds);
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
  const formatter = formatterFor(zone);
  // D has ended by `cutoff` exactly when the next day has started by then.
  const cutoff = nowEpochSeconds - delaySeconds;
  assertInstant(cutoff);
  let started = Math.floor((cutoff + offsetAt(formatter, cutoff)) / SECONDS_PER_DAY);
  // The local date at `cutoff` has started; the next one may have too if the clock went back
  // across midnight after it began (the repeated hour belongs to the new day).
  while (startOfDay(formatter, started + 1) <= cutoff) started += 1;
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
