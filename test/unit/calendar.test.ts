import { describe, it, expect } from 'vitest';
import { BdsError } from '../../lib/errors';
import {
  addDays,
  compareDates,
  dayBounds,
  eachDay,
  firstDayOfMonth,
  formatInstant,
  isLastDayOfMonth,
  isLocalDate,
  isValidTimeZone,
  lastDayOfMonth,
  lastEndedDay,
  localDateAt,
  monthBounds,
  monthOf,
  parseLocalDate,
  utcSecondsToIso,
} from '../../lib/time/calendar';
import {
  InvalidDateError,
  InvalidDurationError,
  InvalidInstantError,
  UnknownTimeZoneError,
} from '../../lib/time/errors';

/** Epoch seconds of a UTC wall-clock time; `month` is 1-based, unlike `Date.UTC`. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
}

const HOUR = 3600;

describe('isLocalDate', () => {
  it.each(['2026-11-25', '2026-01-01', '2026-12-31', '2024-02-29', '2000-02-29', '0000-01-01', '9999-12-31'])(
    'accepts %s',
    (value) => {
      // Act
      const result = isLocalDate(value);

      // Assess
      expect(result).toBe(true);
    },
  );

  it.each([
    '2026-02-29', // not a leap year
    '1900-02-29', // century, not a leap year
    '2026-02-30',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '2026-1-01',
    '26-01-01',
    '2026/01/01',
    '2026-01-01T00:00',
    ' 2026-01-01',
    '2026-01-01\n',
    '',
    '２０２６-01-01',
  ])('rejects %j', (value) => {
    // Act
    const result = isLocalDate(value);

    // Assess
    expect(result).toBe(false);
  });
});

describe('parseLocalDate', () => {
  it('splits a date into numbers', () => {
    // Act
    const parsed = parseLocalDate('2024-02-29');

    // Assess
    expect(parsed).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it('throws an InvalidDateError naming the value and the expected form', () => {
    // Prepare
    const bad = '2026-02-30';

    // Act
    const act = (): unknown => parseLocalDate(bad);

    // Assess
    expect(act).toThrow(InvalidDateError);
    expect(act).toThrow(/"2026-02-30".*YYYY-MM-DD/);
    try {
      act();
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(BdsError);
      expect((error as InvalidDateError).value).toBe(bad);
      expect((error as InvalidDateError).name).toBe('InvalidDateError');
    }
  });
});

describe('addDays', () => {
  it.each([
    ['2026-11-25', 1, '2026-11-26'],
    ['2026-11-25', 0, '2026-11-25'],
    ['2026-11-30', 1, '2026-12-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-02-28', 1, '2025-03-01'],
    ['2000-02-28', 1, '2000-02-29'],
    ['1900-02-28', 1, '1900-03-01'],
    ['2026-01-01', 365, '2027-01-01'],
    ['2024-01-01', 366, '2025-01-01'],
    ['2026-01-31', 31, '2026-03-03'],
    ['2026-01-01', -3652, '2016-01-02'],
    ['1970-01-01', -1, '1969-12-31'],
    ['0001-01-01', -1, '0000-12-31'],
    ['0000-03-01', -1, '0000-02-29'],
  ] as const)('%s plus %i days is %s', (date, n, expected) => {
    // Act
    const result = addDays(date, n);

    // Assess
    expect(result).toBe(expected);
  });

  it('rejects an invalid date, a fractional count and a result beyond 9999', () => {
    // Act
    const badDate = (): unknown => addDays('2026-02-30', 1);
    const fraction = (): unknown => addDays('2026-01-01', 1.5);
    const overflow = (): unknown => addDays('9999-12-31', 1);
    const underflow = (): unknown => addDays('0000-01-01', -1);

    // Assess
    expect(badDate).toThrow(InvalidDateError);
    expect(fraction).toThrow(InvalidDateError);
    expect(overflow).toThrow(InvalidDateError);
    expect(underflow).toThrow(InvalidDateError);
  });
});

describe('compareDates', () => {
  it('orders dates chronologically', () => {
    // Prepare
    const dates = ['2026-11-25', '2025-12-31', '2026-02-01', '2026-11-24'];

    // Act
    const sorted = [...dates].sort(compareDates);

    // Assess
    expect(compareDates('2026-01-01', '2026-01-02')).toBeLessThan(0);
    expect(compareDates('2026-01-02', '2026-01-01')).toBeGreaterThan(0);
    expect(compareDates('2026-01-01', '2026-01-01')).toBe(0);
    expect(sorted).toEqual(['2025-12-31', '2026-02-01', '2026-11-24', '2026-11-25']);
  });

  it('rejects an invalid date', () => {
    // Act
    const act = (): unknown => compareDates('2026-01-01', '2026-13-01');

    // Assess
    expect(act).toThrow(InvalidDateError);
  });
});

describe('eachDay', () => {
  it('lists every day inclusively, oldest first, across a leap day and a year end', () => {
    // Act
    const leap = eachDay('2024-02-27', '2024-03-01');
    const yearEnd = eachDay('2026-12-30', '2027-01-02');

    // Assess
    expect(leap).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    expect(yearEnd).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
  });

  it('gives one day when the bounds are equal and none when they are reversed', () => {
    // Act
    const single = eachDay('2026-11-25', '2026-11-25');
    const reversed = eachDay('2026-11-26', '2026-11-25');

    // Assess
    expect(single).toEqual(['2026-11-25']);
    expect(reversed).toEqual([]);
  });

  it('counts 365 days in 2026 and 366 in 2024', () => {
    // Act
    const common = eachDay('2026-01-01', '2026-12-31');
    const leap = eachDay('2024-01-01', '2024-12-31');

    // Assess
    expect(common).toHaveLength(365);
    expect(leap).toHaveLength(366);
    expect(new Set(leap).size).toBe(366);
    expect(leap[59]).toBe('2024-02-29');
  });

  it('rejects an invalid bound', () => {
    // Act
    const act = (): unknown => eachDay('2026-01-01', '2026-02-30');

    // Assess
    expect(act).toThrow(InvalidDateError);
  });
});

describe('months', () => {
  it.each([
    ['2026-01-15', '2026-01', '2026-01-01', '2026-01-31'],
    ['2026-02-01', '2026-02', '2026-02-01', '2026-02-28'],
    ['2024-02-10', '2024-02', '2024-02-01', '2024-02-29'],
    ['2000-02-29', '2000-02', '2000-02-01', '2000-02-29'],
    ['2100-02-03', '2100-02', '2100-02-01', '2100-02-28'],
    ['2026-04-30', '2026-04', '2026-04-01', '2026-04-30'],
    ['2026-12-31', '2026-12', '2026-12-01', '2026-12-31'],
  ])('%s is in %s, from %s to %s', (date, month, first, last) => {
    // Act
    const results = [monthOf(date), firstDayOfMonth(date), lastDayOfMonth(date)];

    // Assess
    expect(results).toEqual([month, first, last]);
  });

  it('recognises the last day of a month', () => {
    // Act
    const results = ['2026-01-31', '2026-02-28', '2024-02-28', '2024-02-29', '2026-04-30', '2026-04-29', '2026-12-31'].map(
      isLastDayOfMonth,
    );

    // Assess
    expect(results).toEqual([true, true, false, true, true, false, true]);
  });

  it('rejects invalid dates', () => {
    // Act
    const calls = [
      (): unknown => monthOf('2026-13-01'),
      (): unknown => firstDayOfMonth('x'),
      (): unknown => lastDayOfMonth('2026-02-30'),
      (): unknown => isLastDayOfMonth('2026-02-29'),
    ];

    // Assess
    for (const call of calls) expect(call).toThrow(InvalidDateError);
  });
});

describe('isValidTimeZone', () => {
  it.each(['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Etc/GMT+5'])(
    'accepts %s',
    (zone) => {
      // Act
      const result = isValidTimeZone(zone);

      // Assess
      expect(result).toBe(true);
    },
  );

  it.each(['Mars/Base', '', ' UTC', 'America/New York', '+05:00', '-03:00', 'Local'])('rejects %j', (zone) => {
    // Act
    const result = isValidTimeZone(zone);

    // Assess
    expect(result).toBe(false);
  });
});

describe('dayBounds', () => {
  it.each([
    // An ordinary day, and the same instants in UTC.
    ['UTC', '2026-11-25', utc(2026, 11, 25), utc(2026, 11, 26)],
    ['America/New_York', '2026-11-25', utc(2026, 11, 25, 5), utc(2026, 11, 26, 5)],
    ['America/New_York', '2026-07-04', utc(2026, 7, 4, 4), utc(2026, 7, 5, 4)],
    // Month and year ends.
    ['America/New_York', '2026-12-31', utc(2026, 12, 31, 5), utc(2027, 1, 1, 5)],
    ['Europe/Berlin', '2024-02-29', utc(2024, 2, 28, 23), utc(2024, 2, 29, 23)],
    // DST in New York: 23 hours in spring, 25 in autumn.
    ['America/New_York', '2026-03-08', utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)],
    ['America/New_York', '2026-11-01', utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)],
    // DST in Berlin.
    ['Europe/Berlin', '2026-03-29', utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)],
    ['Europe/Berlin', '2026-10-25', utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)],
    // Sao Paulo 2018: spring-forward at midnight, so 2018-11-04 begins at 01:00 local.
    ['America/Sao_Paulo', '2018-11-03', utc(2018, 11, 3, 3), utc(2018, 11, 4, 3)],
    ['America/Sao_Paulo', '2018-11-04', utc(2018, 11, 4, 3), utc(2018, 11, 5, 2)],
    // Sao Paulo 2018: fall-back at midnight, so the 17th has 23:00–24:00 twice.
    ['America/Sao_Paulo', '2018-02-17', utc(2018, 2, 17, 2), utc(2018, 2, 18, 3)],
    ['America/Sao_Paulo', '2018-02-18', utc(2018, 2, 18, 3), utc(2018, 2, 19, 3)],
    // Havana: spring-forward at midnight, and fall-back at 01:00 repeating 00:00–01:00.
    ['America/Havana', '2026-03-08', utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)],
    ['America/Havana', '2026-11-01', utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)],
    // Half-hour and 45-minute offsets.
    ['Asia/Kolkata', '2026-01-15', utc(2026, 1, 14, 18, 30), utc(2026, 1, 15, 18, 30)],
    ['Asia/Kathmandu', '2026-06-01', utc(2026, 5, 31, 18, 15), utc(2026, 6, 1, 18, 15)],
    // Lord Howe's 30-minute DST: 24.5 hours in April, 23.5 in October.
    ['Australia/Lord_Howe', '2026-04-05', utc(2026, 4, 4, 13), utc(2026, 4, 5, 13, 30)],
    ['Australia/Lord_Howe', '2026-10-04', utc(2026, 10, 3, 13, 30), utc(2026, 10, 4, 13)],
    // Chatham: +12:45 / +13:45.
    ['Pacific/Chatham', '2026-04-05', utc(2026, 4, 4, 10, 15), utc(2026, 4, 5, 11, 15)],
    // Samoa skipped 2011-12-30 when it moved across the date line.
    ['Pacific/Apia', '2011-12-29', utc(2011, 12, 29, 10), utc(2011, 12, 30, 10)],
    ['Pacific/Apia', '2011-12-30', utc(2011, 12, 30, 10), utc(2011, 12, 30, 10)],
    ['Pacific/Apia', '2011-12-31', utc(2011, 12, 30, 10), utc(2011, 12, 31, 10)],
  ])('%s %s', (zone, date, start, end) => {
    // Act
    const bounds = dayBounds(date, zone);

    // Assess
    expect(bounds).toEqual({ start, end });
  });

  it('gives the documented 23- and 25-hour days in New York and Berlin', () => {
    // Act
    const lengths = [
      dayBounds('2026-03-08', 'America/New_York'),
      dayBounds('2026-11-01', 'America/New_York'),
      dayBounds('2026-10-25', 'Europe/Berlin'),
    ].map(({ start, end }) => (end - start) / HOUR);

    // Assess
    expect(lengths).toEqual([23, 25, 25]);
  });

  it('starts a day whose midnight does not exist at the transition', () => {
    // Act
    const { start } = dayBounds('2018-11-04', 'America/Sao_Paulo');

    // Assess
    expect(formatInstant(start, 'America/Sao_Paulo')).toBe('2018-11-04T01:00:00-02:00');
    expect(formatInstant(start - 1, 'America/Sao_Paulo')).toBe('2018-11-03T23:59:59-03:00');
  });

  it('keeps a repeated hour before midnight in the earlier day', () => {
    // Prepare: 02:30Z is the second 23:30 of the 17th in Sao Paulo.
    const repeated = utc(2018, 2, 18, 2, 30);

    // Act
    const day17 = dayBounds('2018-02-17', 'America/Sao_Paulo');

    // Assess
    expect(repeated).toBeGreaterThanOrEqual(day17.start);
    expect(repeated).toBeLessThan(day17.end);
    expect(formatInstant(repeated, 'America/Sao_Paulo')).toBe('2018-02-17T23:30:00-03:00');
  });

  it('throws UnknownTimeZoneError for an unknown zone and InvalidDateError for a bad date', () => {
    // Act
    const unknownZone = (): unknown => dayBounds('2026-11-25', 'Mars/Base');
    const badDate = (): unknown => dayBounds('2026-11-31', 'UTC');

    // Assess
    expect(unknownZone).toThrow(UnknownTimeZoneError);
    expect(unknownZone).toThrow(/"Mars\/Base"/);
    expect(badDate).toThrow(InvalidDateError);
  });
});

describe('dayBounds over whole years', () => {
  const DAY = 24 * HOUR;
  it.each([
    ['UTC', 2026, {}],
    ['America/New_York', 2026, { '2026-03-08': 23 * HOUR, '2026-11-01': 25 * HOUR }],
    ['Europe/Berlin', 2026, { '2026-03-29': 23 * HOUR, '2026-10-25': 25 * HOUR }],
    ['America/Sao_Paulo', 2018, { '2018-02-17': 25 * HOUR, '2018-11-04': 23 * HOUR }],
    ['America/Havana', 2026, { '2026-03-08': 23 * HOUR, '2026-11-01': 25 * HOUR }],
    ['Asia/Kolkata', 2026, {}],
    ['Asia/Kathmandu', 2026, {}],
    ['Australia/Lord_Howe', 2026, { '2026-04-05': 24.5 * HOUR, '2026-10-04': 23.5 * HOUR }],
    ['Pacific/Chatham', 2026, { '2026-04-05': 25 * HOUR, '2026-09-27': 23 * HOUR }],
    ['Pacific/Apia', 2011, { '2011-04-02': 25 * HOUR, '2011-09-24': 23 * HOUR, '2011-12-30': 0 }],
  ] as const)('%s %i: days are contiguous and only DST days differ from 24 h', (zone, year, unusual) => {
    // Prepare: one day into the next year, to check the year end joins up too.
    const days = eachDay(`${year}-01-01`, `${year + 1}-01-01`);

    // Act
    const bounds = days.map((day) => dayBounds(day, zone));

    // Assess
    const odd: Record<string, number> = {};
    for (let i = 0; i < days.length - 1; i += 1) {
      const day = days[i] as string;
      const { start, end } = bounds[i] as { start: number; end: number };
      expect(end).toBe(bounds[i + 1]?.start);
      if (end - start !== DAY) odd[day] = end - start;
      if (end > start) {
        expect(localDateAt(start, zone)).toBe(day);
        expect(localDateAt(end - 1, zone)).toBe(day);
        expect(localDateAt(start - 1, zone)).not.toBe(day);
      }
    }
    expect(odd).toEqual(unusual);
  });
});

describe('monthBounds', () => {
  it('spans from the start of the first day to the end of the last', () => {
    // Act
    const november = monthBounds('2026-11', 'America/New_York');
    const february = monthBounds('2024-02', 'Asia/Kolkata');

    // Assess
    expect(november).toEqual({ start: utc(2026, 11, 1, 4), end: utc(2026, 12, 1, 5) });
    expect(february).toEqual({ start: utc(2024, 1, 31, 18, 30), end: utc(2024, 2, 29, 18, 30) });
    expect(november.start).toBe(dayBounds('2026-11-01', 'America/New_York').start);
    expect(november.end).toBe(dayBounds('2026-11-30', 'America/New_York').end);
  });

  it('joins December to the next January', () => {
    // Act
    const december = monthBounds('2026-12', 'Europe/Berlin');
    const january = monthBounds('2027-01', 'Europe/Berlin');

    // Assess
    expect(december.end).toBe(january.start);
    expect(december.end).toBe(utc(2026, 12, 31, 23));
  });

  it.each(['2026-13', '2026-00', '2026-1', '2026-11-01', '', '26-11'])('rejects %j', (month) => {
    // Act
    const act = (): unknown => monthBounds(month, 'UTC');

    // Assess
    expect(act).toThrow(InvalidDateError);
  });

  it('rejects an unknown zone', () => {
    // Act
    const act = (): unknown => monthBounds('2026-11', 'Mars/Base');

    // Assess
    expect(act).toThrow(UnknownTimeZoneError);
  });
});

describe('localDateAt', () => {
  it.each([
    [utc(2026, 11, 25, 4, 59, 59), 'America/New_York', '2026-11-24'],
    [utc(2026, 11, 25, 5), 'America/New_York', '2026-11-25'],
    [utc(2026, 12, 31, 23), 'Europe/Berlin', '2027-01-01'],
    [utc(2026, 12, 31, 22, 59, 59), 'Europe/Berlin', '2026-12-31'],
    [utc(2026, 1, 1), 'UTC', '2026-01-01'],
    [utc(2025, 12, 31, 23, 59, 59), 'UTC', '2025-12-31'],
    [utc(2024, 2, 28, 18, 30), 'Asia/Kolkata', '2024-02-29'],
    [utc(2011, 12, 30, 9, 59, 59), 'Pacific/Apia', '2011-12-29'],
    [utc(2011, 12, 30, 10), 'Pacific/Apia', '2011-12-31'],
  ])('%i in %s is %s', (instant, zone, expected) => {
    // Act
    const result = localDateAt(instant, zone);

    // Assess
    expect(result).toBe(expected);
  });

  it('rejects fractional seconds and unknown zones', () => {
    // Act
    const fraction = (): unknown => localDateAt(1.5, 'UTC');
    const notANumber = (): unknown => localDateAt(Number.NaN, 'UTC');
    const zone = (): unknown => localDateAt(0, 'Mars/Base');

    // Assess
    expect(fraction).toThrow(InvalidInstantError);
    expect(notANumber).toThrow(InvalidInstantError);
    expect(zone).toThrow(UnknownTimeZoneError);
  });
});

describe('formatInstant', () => {
  it.each([
    [utc(2026, 11, 25, 5), 'America/New_York', '2026-11-25T00:00:00-05:00'],
    [utc(2026, 7, 4, 16, 5, 9), 'America/New_York', '2026-07-04T12:05:09-04:00'],
    [utc(2026, 11, 25, 5), 'UTC', '2026-11-25T05:00:00+00:00'],
    [utc(2026, 11, 25, 5), 'Asia/Kolkata', '2026-11-25T10:30:00+05:30'],
    [utc(2026, 11, 25, 5), 'Asia/Kathmandu', '2026-11-25T10:45:00+05:45'],
    [utc(2026, 6, 1), 'Australia/Lord_Howe', '2026-06-01T10:30:00+10:30'],
    [utc(2026, 12, 1), 'Australia/Lord_Howe', '2026-12-01T11:00:00+11:00'],
    [utc(2026, 12, 31, 23), 'Europe/Berlin', '2027-01-01T00:00:00+01:00'],
    [utc(2018, 2, 18, 1, 59, 59), 'America/Sao_Paulo', '2018-02-17T23:59:59-02:00'],
    [utc(2018, 2, 18, 2), 'America/Sao_Paulo', '2018-02-17T23:00:00-03:00'],
    [utc(2026, 11, 1, 5, 30), 'America/New_York', '2026-11-01T01:30:00-04:00'],
    [utc(2026, 11, 1, 6, 30), 'America/New_York', '2026-11-01T01:30:00-05:00'],
  ])('%i in %s is %s', (instant, zone, expected) => {
    // Act
    const result = formatInstant(instant, zone);

    // Assess
    expect(result).toBe(expected);
  });

  it('round-trips through Date.parse', () => {
    // Prepare
    const instant = utc(2026, 3, 8, 7, 0, 1);

    // Act
    const text = formatInstant(instant, 'America/New_York');

    // Assess
    expect(text).toBe('2026-03-08T03:00:01-04:00');
    expect(Date.parse(text) / 1000).toBe(instant);
  });
});

describe('utcSecondsToIso', () => {
  it('writes UTC with a Z, to the second', () => {
    // Act
    const results = [utc(2026, 11, 25, 5), 0, utc(2024, 2, 29, 23, 59, 59)].map(utcSecondsToIso);

    // Assess
    expect(results).toEqual(['2026-11-25T05:00:00Z', '1970-01-01T00:00:00Z', '2024-02-29T23:59:59Z']);
  });

  it('rejects fractional seconds', () => {
    // Act
    const act = (): unknown => utcSecondsToIso(0.25);

    // Assess
    expect(act).toThrow(InvalidInstantError);
  });
});

describe('lastEndedDay', () => {
  const zone = 'America/New_York';
  const twoHours = 2 * HOUR;

  it('gives the day before yesterday while the delay after midnight has not passed', () => {
    // Prepare: 2026-11-26T01:00 local.
    const now = utc(2026, 11, 26, 6);

    // Act
    const result = lastEndedDay(now, zone, twoHours);

    // Assess
    expect(result).toBe('2026-11-24');
  });

  it('gives yesterday once the delay has passed', () => {
    // Prepare: 2026-11-26T03:00 local.
    const now = utc(2026, 11, 26, 8);

    // Act
    const result = lastEndedDay(now, zone, twoHours);

    // Assess
    expect(result).toBe('2026-11-25');
  });

  it('counts a day as ended exactly at end + delay, not a second before', () => {
    // Prepare
    const boundary = dayBounds('2026-11-25', zone).end + twoHours;

    // Act
    const atBoundary = lastEndedDay(boundary, zone, twoHours);
    const justBefore = lastEndedDay(boundary - 1, zone, twoHours);

    // Assess
    expect(boundary).toBe(utc(2026, 11, 26, 7));
    expect(atBoundary).toBe('2026-11-25');
    expect(justBefore).toBe('2026-11-24');
  });

  it('works with no delay and across a 25-hour day', () => {
    // Prepare: 2026-11-01 ends at 2026-11-02T05:00Z.
    const end = utc(2026, 11, 2, 5);

    // Act
    const atEnd = lastEndedDay(end, zone, 0);
    const before = lastEndedDay(end - 1, zone, 0);

    // Assess
    expect(atEnd).toBe('2026-11-01');
    expect(before).toBe('2026-10-31');
  });

  it('treats the repeated hour before midnight as part of the unfinished day', () => {
    // Prepare: the second 23:30 of 2018-02-17 in Sao Paulo; the 17th ends at 03:00Z.
    const repeated = utc(2018, 2, 18, 2, 30);

    // Act
    const during = lastEndedDay(repeated, 'America/Sao_Paulo', 0);
    const after = lastEndedDay(utc(2018, 2, 18, 3), 'America/Sao_Paulo', 0);

    // Assess
    expect(during).toBe('2018-02-16');
    expect(after).toBe('2018-02-17');
  });

  it('counts a skipped day as ended when the day after it starts', () => {
    // Prepare: Apia jumped from 2011-12-29 24:00 straight to 2011-12-31 00:00 at 10:00Z.
    const jump = utc(2011, 12, 30, 10);

    // Act
    const atJump = lastEndedDay(jump, 'Pacific/Apia', 0);
    const beforeJump = lastEndedDay(jump - 1, 'Pacific/Apia', 0);

    // Assess
    expect(atJump).toBe('2011-12-30');
    expect(beforeJump).toBe('2011-12-28');
  });

  it('rejects a fractional delay, a bad instant and an unknown zone', () => {
    // Act
    const delay = (): unknown => lastEndedDay(utc(2026, 1, 1), zone, 0.5);
    const now = (): unknown => lastEndedDay(Number.POSITIVE_INFINITY, zone, 0);
    const badZone = (): unknown => lastEndedDay(utc(2026, 1, 1), 'Mars/Base', 0);

    // Assess
    expect(delay).toThrow(InvalidDurationError);
    expect(now).toThrow(InvalidInstantError);
    expect(badZone).toThrow(UnknownTimeZoneError);
  });
});
