/**
 * Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), with no time
 * zone and no `Date`. This is the one place BDS turns years, months and days into numbers and
 * back: `Date.UTC` maps the years 0–99 to 1900–1999 (so `0050-01-01` would become 1950), and a
 * `Date` drags the host's zone into anything not explicitly UTC.
 */

/** A calendar date as numbers; `month` is 1-based (January = 1), unlike `Date`. */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Seconds in a day on a clock without zone changes (UTC, or a wall clock read as UTC). */
export const SECONDS_PER_DAY = 86_400;

/** Cumulative days before each month in a common year (index 0 = January). */
const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334] as const;

/**
 * Whether `year` has a 29 February (year 0, i.e. 1 BC, does).
 */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * The number of days of a month (`month` 1–12), leap years included.
 */
export function daysInMonth(year: number, month: number): number {
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

/**
 * Days from 1970-01-01 to a date; negative before 1970. `day` may lie outside the month (0 is
 * the previous month's last day, `daysInMonth + 1` the next month's first), which is how callers
 * step across month ends without normalising first; `month` must be 1–12.
 */
export function toDayNumber({ year, month, day }: CivilDate): number {
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

/**
 * The date of a day number: the inverse of {@link toDayNumber}.
 */
export function fromDayNumber(dayNumber: number): CivilDate {
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

/**
 * The day of the week of a day number: 0 = Sunday … 6 = Saturday, as `Date#getUTCDay` counts.
 */
export function weekdayOfDayNumber(dayNumber: number): number {
  // 1970-01-01 was a Thursday (4); the double modulo keeps days before 1970 non-negative.
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** `value` as decimal digits, left-padded with zeros to `width`. */
export function padNumber(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * `YYYY-MM-DD` of a date whose year is within 0–9999 (the caller checks the range: it knows
 * what to name in the error).
 */
export function formatCivilDate({ year, month, day }: CivilDate): string {
  return `${padNumber(year, 4)}-${padNumber(month, 2)}-${padNumber(day, 2)}`;
}
