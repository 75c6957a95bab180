/**
 * Time zones: the one engine BDS uses to turn instants into wall-clock times of an IANA zone
 * and back (billing days, the scheduler's cron fields, the demo generator's shifts).
 *
 * The only thing `Intl` is asked for is the zone's UTC offset at an instant; every wall-clock
 * question is answered from that with the day-number arithmetic of `civil.ts`. Instants are
 * whole epoch seconds; a wall-clock time is "seconds since 1970-01-01T00:00 on the zone's
 * clock", i.e. the local time read as if it were UTC.
 */
import { BdsError } from '../errors';
import { fromDayNumber, SECONDS_PER_DAY, toDayNumber } from './civil';
import { UnknownTimeZoneError } from './errors';

/**
 * Widest distance between a wall-clock time and the instant it happens at that a search must
 * cover. Real offsets stay within −12 h…+14 h, and local mean time before a zone's first
 * standard offset reaches about ±16 h (Asia/Manila before 1845); 18 h covers all of them.
 */
const SEARCH_RADIUS_SECONDS = 18 * 3600;

/**
 * One formatter per zone: constructing an `Intl.DateTimeFormat` costs far more than using
 * one, and offsets are asked for every day of every tenant and every scheduler tick.
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
      // from the UTC year anyway (see offsetSeconds).
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

/** The zone's UTC offset in seconds at an instant (local time = UTC + offset). */
function offsetSeconds(formatter: Intl.DateTimeFormat, epochSeconds: number): number {
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
 * The zone's UTC offset in seconds at an instant: local wall-clock time = instant + offset
 * (+3600 for Europe/Berlin in winter, −14400 for America/New_York in summer). Fractions of a
 * second are dropped first: offsets change on whole seconds.
 *
 * @throws {UnknownTimeZoneError} when `zone` is not a known IANA zone.
 */
export function offsetAt(epochSeconds: number, zone: string): number {
  return offsetSeconds(formatterFor(zone), Math.floor(epochSeconds));
}

/**
 * The wall-clock time of `zone` at an instant, as seconds since 1970-01-01T00:00 on that clock
 * (split it with `Math.floor(wall / 86400)` for the day number and the remainder for the time
 * of day). Fractions of a second are dropped.
 *
 * @throws {UnknownTimeZoneError} when `zone` is not a known IANA zone.
 */
export function wallClockAt(epochSeconds: number, zone: string): number {
  const whole = Math.floor(epochSeconds);
  return whole + offsetSeconds(formatterFor(zone), whole);
}

/**
 * The instants at which the zone's clock shows the wall-clock time `wallSeconds`, earliest
 * first: one on most days, none for a time the zone skips (spring forward), two for a time it
 * repeats (fall back).
 *
 * @throws {UnknownTimeZoneError} when `zone` is not a known IANA zone.
 */
export function instantsOfWallClock(wallSeconds: number, zone: string): number[] {
  return candidates(formatterFor(zone), wallSeconds);
}

function candidates(formatter: Intl.DateTimeFormat, wall: number): number[] {
  // The offsets in force a day either side cover every offset that can apply at `wall`, as
  // long as the zone did not change offset twice within those two days (tzdb has no such
  // case; a missed candidate would only make a caller fall back to its search).
  const offsets = new Set([
    offsetSeconds(formatter, wall - SECONDS_PER_DAY),
    offsetSeconds(formatter, wall),
    offsetSeconds(formatter, wall + SECONDS_PER_DAY),
  ]);
  const instants: number[] = [];
  for (const offset of offsets) {
    const instant = wall - offset;
    // A candidate is real only if the zone actually uses that offset at that instant.
    if (offsetSeconds(formatter, instant) === offset && !instants.includes(instant)) instants.push(instant);
  }
  return instants.sort((a, b) => a - b);
}

/**
 * The first instant whose wall-clock time is `wallSeconds` or later. For a time that exists it
 * is that time's first occurrence; for one the zone skipped it is the transition that skipped
 * it (the first instant after the gap).
 *
 * @throws {UnknownTimeZoneError} when `zone` is not a known IANA zone.
 */
export function firstInstantAtOrAfterWallClock(wallSeconds: number, zone: string): number {
  const formatter = formatterFor(zone);
  const found = candidates(formatter, wallSeconds)[0];
  if (found !== undefined) return found;
  // The time does not exist: bisect for the transition, the first instant whose wall clock
  // is past it, keeping wall(low) < wallSeconds <= wall(high).
  let low = wallSeconds - SEARCH_RADIUS_SECONDS;
  let high = wallSeconds + SEARCH_RADIUS_SECONDS;
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (middle + offsetSeconds(formatter, middle) >= wallSeconds) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * The first instant whose local date is the day number `dayNumber` or later: the start of that
 * local day. Defining every day's start this way (and its end as the next day's start) makes
 * days contiguous by construction, gives a day that starts after a skipped midnight its
 * first real instant, and a day the zone skipped entirely (Pacific/Apia 2011-12-30) zero length.
 *
 * @throws {UnknownTimeZoneError} when `zone` is not a known IANA zone.
 */
export function startOfLocalDay(dayNumber: number, zone: string): number {
  return firstInstantAtOrAfterWallClock(dayNumber * SECONDS_PER_DAY, zone);
}
