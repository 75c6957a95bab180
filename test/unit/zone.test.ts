/**
 * The time engine under calendar.ts, the scheduler and the demo generator: day numbers
 * (civil.ts) and zone offsets (zone.ts). Expected values are worked out by hand; `Date` is used
 * only through `setUTCFullYear`, which (unlike `Date.UTC`) takes the years 0–99 as written.
 */
import { describe, expect, it } from 'vitest';
import {
  daysInMonth,
  formatCivilDate,
  fromDayNumber,
  isLeapYear,
  SECONDS_PER_DAY,
  toDayNumber,
  weekdayOfDayNumber,
} from '../../lib/time/civil';
import { UnknownTimeZoneError } from '../../lib/time/errors';
import {
  firstInstantAtOrAfterWallClock,
  instantsOfWallClock,
  isValidTimeZone,
  offsetAt,
  startOfLocalDay,
  wallClockAt,
} from '../../lib/time/zone';

const HOUR = 3600;

/** Epoch seconds of a UTC time, year taken literally (0050 is the year 50, not 1950). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, 0, 0);
  return date.getTime() / 1000;
}

function dayNumber(year: number, month: number, day: number): number {
  return toDayNumber({ year, month, day });
}

/** Length of a local day in hours. */
function dayHours(year: number, month: number, day: number, zone: string): number {
  const n = dayNumber(year, month, day);
  return (startOfLocalDay(n + 1, zone) - startOfLocalDay(n, zone)) / HOUR;
}

describe('civil: day numbers', () => {
  it('counts from 1970-01-01, a Thursday', () => {
    // Act
    const epoch = dayNumber(1970, 1, 1);

    // Assess
    expect(epoch).toBe(0);
    expect(weekdayOfDayNumber(epoch)).toBe(4);
    expect(dayNumber(1969, 12, 31)).toBe(-1);
  });

  it('takes the year 0050 as written, not as 1950', () => {
    // Act
    const n = dayNumber(50, 1, 1);

    // Assess: the year 50 began 1920 years × 365.2425 days (minus a little) before 1970.
    expect(n * SECONDS_PER_DAY).toBe(utc(50, 1, 1));
    expect(n).toBe(-701_265);
    expect(formatCivilDate(fromDayNumber(n))).toBe('0050-01-01');
    expect(weekdayOfDayNumber(n)).toBe(new Date(utc(50, 1, 1) * 1000).getUTCDay());
  });

  it.each([
    [2024, true],
    [2026, false],
    [2000, true],
    [1900, false],
    [2100, false],
    [48, true],
    [50, false],
    [0, true],
  ])('knows whether %i is a leap year (%s)', (year, leap) => {
    // Act / Assess
    expect(isLeapYear(year)).toBe(leap);
    expect(daysInMonth(year, 2)).toBe(leap ? 29 : 28);
  });

  it('puts the leap day between 28 February and 1 March', () => {
    // Act
    const leapDay = fromDayNumber(dayNumber(2024, 3, 1) - 1);
    const commonYear = fromDayNumber(dayNumber(2026, 3, 1) - 1);

    // Assess
    expect(leapDay).toEqual({ year: 2024, month: 2, day: 29 });
    expect(commonYear).toEqual({ year: 2026, month: 2, day: 28 });
    expect(dayNumber(2024, 12, 31) - dayNumber(2024, 1, 1)).toBe(365);
  });

  it('steps across month ends with day 0 and the day after the last', () => {
    // Act / Assess
    expect(fromDayNumber(dayNumber(2026, 3, 0))).toEqual({ year: 2026, month: 2, day: 28 });
    expect(fromDayNumber(dayNumber(2026, 12, 32))).toEqual({ year: 2027, month: 1, day: 1 });
  });

  it('round-trips every day from 0000 to 9999 at a stride', () => {
    // Act / Assess
    for (let n = dayNumber(0, 1, 1); n <= dayNumber(9999, 12, 31); n += 997) {
      expect(toDayNumber(fromDayNumber(n))).toBe(n);
    }
  });
});

describe('zone: offsets and wall clocks', () => {
  it.each([
    ['UTC', utc(2026, 1, 15), 0],
    ['Europe/Berlin', utc(2026, 1, 15), HOUR],
    ['Europe/Berlin', utc(2026, 7, 15), 2 * HOUR],
    ['America/New_York', utc(2026, 1, 15), -5 * HOUR],
    ['America/New_York', utc(2026, 7, 15), -4 * HOUR],
    ['Asia/Kolkata', utc(2026, 7, 15), 5.5 * HOUR],
  ])('%s at %i is %i seconds ahead of UTC', (zone, instant, offset) => {
    // Act / Assess
    expect(offsetAt(instant, zone)).toBe(offset);
    expect(wallClockAt(instant, zone)).toBe(instant + offset);
  });

  it('changes the Berlin offset at 01:00Z on the changeover Sundays', () => {
    // Act / Assess
    expect(offsetAt(utc(2026, 3, 29, 1) - 1, 'Europe/Berlin')).toBe(HOUR);
    expect(offsetAt(utc(2026, 3, 29, 1), 'Europe/Berlin')).toBe(2 * HOUR);
    expect(offsetAt(utc(2026, 10, 25, 1) - 1, 'Europe/Berlin')).toBe(2 * HOUR);
    expect(offsetAt(utc(2026, 10, 25, 1), 'Europe/Berlin')).toBe(HOUR);
  });

  it('finds no instant for a skipped wall time and two for a repeated one', () => {
    // Prepare: 02:30 local on Berlin's spring and autumn changeover days.
    const spring = dayNumber(2026, 3, 29) * SECONDS_PER_DAY + 2.5 * HOUR;
    const autumn = dayNumber(2026, 10, 25) * SECONDS_PER_DAY + 2.5 * HOUR;

    // Act / Assess
    expect(instantsOfWallClock(spring, 'Europe/Berlin')).toEqual([]);
    expect(instantsOfWallClock(autumn, 'Europe/Berlin')).toEqual([utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)]);
    // The first instant at or after a skipped time is the end of the gap, 03:00 CEST.
    expect(firstInstantAtOrAfterWallClock(spring, 'Europe/Berlin')).toBe(utc(2026, 3, 29, 1));
  });

  it('refuses unknown zones and numeric offsets', () => {
    // Act / Assess
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Base')).toBe(false);
    expect(isValidTimeZone('+05:00')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(() => offsetAt(0, 'Mars/Base')).toThrow(UnknownTimeZoneError);
  });
});

describe('zone: local days', () => {
  it('starts a day at local midnight', () => {
    // Act / Assess
    expect(startOfLocalDay(dayNumber(2026, 11, 25), 'UTC')).toBe(utc(2026, 11, 25));
    expect(startOfLocalDay(dayNumber(2026, 11, 25), 'Europe/Berlin')).toBe(utc(2026, 11, 24, 23));
    expect(startOfLocalDay(dayNumber(2026, 11, 25), 'America/New_York')).toBe(utc(2026, 11, 25, 5));
    expect(startOfLocalDay(dayNumber(2026, 11, 25), 'Asia/Kolkata')).toBe(utc(2026, 11, 24, 18, 30));
  });

  it.each([
    // Spring forward: 23-hour days; fall back: 25-hour days; the days around them: 24.
    [2026, 3, 28, 'Europe/Berlin', 24],
    [2026, 3, 29, 'Europe/Berlin', 23],
    [2026, 10, 25, 'Europe/Berlin', 25],
    [2026, 3, 8, 'America/New_York', 23],
    [2026, 11, 1, 'America/New_York', 25],
    [2026, 11, 2, 'America/New_York', 24],
    // Lord Howe moves by half an hour.
    [2026, 10, 4, 'Australia/Lord_Howe', 23.5],
    [2026, 4, 5, 'Australia/Lord_Howe', 24.5],
  ])('%i-%i-%i in %s lasts %f hours', (year, month, day, zone, hours) => {
    // Act / Assess
    expect(dayHours(year, month, day, zone)).toBe(hours);
  });

  it('starts a day whose midnight is skipped at the end of the gap (America/Santiago)', () => {
    // Chile springs forward at 24:00 on 2026-09-05 (-04 → -03): the 6th begins at 01:00 -03.
    // Act / Assess
    expect(startOfLocalDay(dayNumber(2026, 9, 6), 'America/Santiago')).toBe(utc(2026, 9, 6, 4));
    expect(dayHours(2026, 9, 5, 'America/Santiago')).toBe(24);
    expect(dayHours(2026, 9, 6, 'America/Santiago')).toBe(23);
  });

  it('handles leap days and the year 0050 in UTC', () => {
    // Act / Assess
    expect(startOfLocalDay(dayNumber(2024, 2, 29), 'UTC')).toBe(utc(2024, 2, 29));
    expect(dayHours(2024, 2, 29, 'Europe/Berlin')).toBe(24);
    expect(startOfLocalDay(dayNumber(50, 1, 1), 'UTC')).toBe(utc(50, 1, 1));
    expect(startOfLocalDay(dayNumber(48, 2, 29), 'UTC')).toBe(utc(48, 2, 29));
    expect(dayHours(50, 1, 1, 'UTC')).toBe(24);
  });
});
