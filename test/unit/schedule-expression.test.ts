/** EventBridge schedule expressions: parsing, validation, and the next fire time in a zone. */
import { describe, expect, it } from 'vitest';
import { ScheduleExpressionError } from '../../app/scheduler/errors';
import {
  latestDueTime,
  nextFireTime,
  parseScheduleExpression,
  type ScheduleExpression,
  toCronerPattern,
} from '../../app/scheduler/schedule-expression';
import { UnknownTimeZoneError } from '../../lib/time/errors';

const ms = (iso: string): number => Date.parse(iso);
const iso = (epochMs: number | undefined): string | undefined =>
  epochMs === undefined ? undefined : new Date(epochMs).toISOString().replace('.000Z', 'Z');

/** The next `count` fire times after `after`. */
function fireTimes(text: string, after: string, zone = 'UTC', count = 1): (string | undefined)[] {
  const expr = parseScheduleExpression(text);
  const out: (string | undefined)[] = [];
  let t: number | undefined = ms(after);
  for (let i = 0; i < count; i += 1) {
    t = t === undefined ? undefined : nextFireTime(expr, t, zone);
    out.push(iso(t));
  }
  return out;
}

function problemOf(text: string): string {
  try {
    parseScheduleExpression(text, 'dispatcher');
  } catch (error) {
    if (error instanceof ScheduleExpressionError) return error.problem;
    throw error;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('parseScheduleExpression: valid expressions', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(12 hours)', 43_200_000],
    ['rate(1 day)', 86_400_000],
    ['rate(7 days)', 604_800_000],
    ['rate(1 second)', 1000],
    ['rate(2 seconds)', 2000],
    ['  rate( 10   minutes )  ', 600_000],
  ])('%s is a rate of %d ms', (text, periodMs) => {
    // Act
    const expr = parseScheduleExpression(text);

    // Assess
    expect(expr.kind).toBe('rate');
    expect(expr.kind === 'rate' && expr.periodMs).toBe(periodMs);
  });

  it('marks second rates as local-only and the others not', () => {
    // Act
    const seconds = parseScheduleExpression('rate(2 seconds)');
    const minutes = parseScheduleExpression('rate(2 minutes)');

    // Assess
    expect(seconds.kind === 'rate' && seconds.localOnly).toBe(true);
    expect(minutes.kind === 'rate' && minutes.localOnly).toBe(false);
  });

  it.each([
    'cron(15 * * * ? *)',
    'cron(0 10 * * ? *)',
    'cron(15 12 * * ? *)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0/10 * ? * MON-FRI *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 9 ? * MON#1 *)',
    'cron(0 18 L * ? *)',
    'cron(0 18 LW * ? *)',
    'cron(0 18 15W * ? *)',
    'cron(0 18 ? * L *)',
    'cron(0 18 ? * 6L *)',
    'cron(0 0 1 JAN,APR,JUL,OCT ? *)',
    'cron(0 0 1 jan-mar ? 2027-2030)',
    'cron(0 18 lw * ? *)',
    'cron(0 18 ? * fri#2 *)',
    'cron(*/5 * * * ? *)',
    'cron(1,2,3 4-6 1-31/2 */3 ? 2026/2)',
    'cron(0 0 ? * SUN,SAT 2199)',
    'cron(0 0 ? * 1,7 1970)',
  ])('%s is a valid cron expression', (text) => {
    // Act
    const expr = parseScheduleExpression(text);

    // Assess
    expect(expr.kind).toBe('cron');
    expect(expr.text).toBe(text);
  });
});

describe('parseScheduleExpression: invalid expressions', () => {
  it.each([
    ['', /expected rate\(.*\) or cron\(/],
    ['every hour', /expected rate\(.*\) or cron\(/],
    ['rate(1 hour', /expected rate\(.*\) or cron\(/],
    ['Rate(1 hour)', /expected rate\(.*\) or cron\(/],
    ['rate(hour)', /expected rate\(<value> <unit>\)/],
    ['rate()', /expected rate\(<value> <unit>\)/],
    ['rate(0 minutes)', /must be a whole number of at least 1/],
    ['rate(-5 minutes)', /must be a whole number of at least 1/],
    ['rate(1.5 hours)', /must be a whole number of at least 1/],
    ['rate(1 minutes)', /must be singular: rate\(1 minute\)/],
    ['rate(5 minute)', /must be plural: rate\(5 minutes\)/],
    ['rate(1 seconds)', /must be singular/],
    ['rate(2 weeks)', /unknown unit "weeks"/],
    ['rate(2 Minutes)', /unknown unit "Minutes"/],
    ['cron(15 * * * ?)', /expected 6 fields .* got 5/],
    ['cron(15 * * * ? * *)', /expected 6 fields .* got 7/],
    ['cron(15 * * * * *)', /exactly one of them must be "\?"/],
    ['cron(15 * ? * ? *)', /both "\?"/],
    ['cron(? * * * ? *)', /minutes: "\?" is only allowed in day-of-month or day-of-week/],
    ['cron(60 * * * ? *)', /minutes: 60 is out of range \(expected 0-59\)/],
    ['cron(0 24 * * ? *)', /hours: 24 is out of range \(expected 0-23\)/],
    ['cron(0 0 0 * ? *)', /day-of-month: 0 is out of range \(expected 1-31\)/],
    ['cron(0 0 32 * ? *)', /day-of-month: 32 is out of range/],
    ['cron(0 0 1 13 ? *)', /month: 13 is out of range \(expected 1-12\)/],
    ['cron(0 0 1 FOO ? *)', /month: "FOO" is not a value \(expected 1-12 or JAN-DEC\)/],
    ['cron(0 0 ? * 0 *)', /day-of-week: 0 is out of range \(expected 1-7\)/],
    ['cron(0 0 ? * 8 *)', /day-of-week: 8 is out of range/],
    ['cron(0 0 ? * FUN *)', /day-of-week: "FUN" is not a value \(expected 1-7 or SUN-SAT\)/],
    ['cron(0 0 1 * ? 1969)', /year: 1969 is out of range \(expected 1970-2199\)/],
    ['cron(0 0 1 * ? 2200)', /year: 2200 is out of range/],
    ['cron(0 22-2 * * ? *)', /hours: the range "22-2" runs backwards; .*22-23,0-2/],
    ['cron(0 0 ? * FRI-MON *)', /day-of-week: the range "FRI-MON" runs backwards/],
    ['cron(0/0 * * * ? *)', /minutes: the step in "0\/0" must be a whole number of at least 1/],
    ['cron(0/x * * * ? *)', /minutes: the step/],
    ['cron(0/5/5 * * * ? *)', /more than one "\/"/],
    ['cron(1,,2 * * * ? *)', /minutes: empty entry/],
    ['cron(1-2-3 * * * ? *)', /not a valid range/],
    ['cron(0 0 ? * 1/2 *)', /day-of-week: "\/" is not allowed/],
    ['cron(0 0 ? * 3#6 *)', /occurrence after "#" must be 1 to 5/],
    ['cron(0 0 ? * 3#0 *)', /occurrence after "#" must be 1 to 5/],
    ['cron(0 0 ? * 3#1,6#3 *)', /"#" takes one expression/],
    ['cron(0 0 ? * 8#1 *)', /day-of-week: 8 is out of range/],
    ['cron(0 0 ? * L,2 *)', /"L" and "<day>L" .* must stand alone/],
    ['cron(0 0 L,15 * ? *)', /"L", "LW" and "<day>W" .* must stand alone/],
    ['cron(0 0 32W * ? *)', /day-of-month: 32 is out of range/],
    ['cron(0 0 W * ? *)', /must stand alone|not a value/],
    ['cron(0 0 1 * 2#1 *)', /exactly one of them must be "\?"/],
    ['cron(0 0 L * L *)', /exactly one of them must be "\?"/],
    ['cron(a * * * ? *)', /minutes: "a" is not a value \(expected 0-59\)/],
    ['cron(0 0 1 foo ? *)', /month: "foo" is not a value/],
  ])('%j is refused: %s', (text, message) => {
    // Act
    const problem = problemOf(text);

    // Assess
    expect(problem).toMatch(message);
  });

  it('names the function, the expression and the problem in the message', () => {
    // Act
    let caught: unknown;
    try {
      parseScheduleExpression('cron(15 * * * * *)', 'dispatcher');
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(ScheduleExpressionError);
    expect((caught as Error).message).toMatch(
      /^function "dispatcher": invalid schedule expression "cron\(15 \* \* \* \* \*\)": day-of-month and day-of-week/,
    );
  });
});

describe('nextFireTime: rates', () => {
  it('fires at anchor + k × period, strictly after the given time', () => {
    // Prepare
    const expr = parseScheduleExpression('rate(15 minutes)');
    const anchor = ms('2026-11-26T06:03:20Z');

    // Act
    const atAnchor = nextFireTime(expr, anchor, 'UTC', anchor);
    const mid = nextFireTime(expr, ms('2026-11-26T06:20:00Z'), 'UTC', anchor);
    const onTick = nextFireTime(expr, ms('2026-11-26T06:33:20Z'), 'UTC', anchor);

    // Assess
    expect(iso(atAnchor)).toBe('2026-11-26T06:18:20Z');
    expect(iso(mid)).toBe('2026-11-26T06:33:20Z');
    expect(iso(onTick)).toBe('2026-11-26T06:48:20Z');
  });

  it('counts from the Unix epoch without an anchor, and ignores the zone (elapsed time)', () => {
    // Prepare
    const expr = parseScheduleExpression('rate(1 day)');

    // Act
    const utc = nextFireTime(expr, ms('2026-03-07T12:00:00Z'), 'UTC');
    const zoned = nextFireTime(expr, ms('2026-03-07T12:00:00Z'), 'America/New_York');

    // Assess
    expect(iso(utc)).toBe('2026-03-08T00:00:00Z');
    expect(zoned).toBe(utc);
  });

  it('collapses missed rate firings into the latest one that is due', () => {
    // Prepare
    const expr = parseScheduleExpression('rate(2 seconds)');

    // Act
    const latest = latestDueTime(expr, ms('2026-11-26T06:00:02Z'), ms('2026-11-26T06:00:09.500Z'), 'UTC');

    // Assess
    expect(iso(latest)).toBe('2026-11-26T06:00:08Z');
  });
});

describe('nextFireTime: cron in UTC', () => {
  it.each<[string, string, (string | undefined)[]]>([
    ['cron(15 * * * ? *)', '2026-11-26T06:08:00Z', ['2026-11-26T06:15:00Z', '2026-11-26T07:15:00Z']],
    ['cron(15 * * * ? *)', '2026-11-26T06:15:00Z', ['2026-11-26T07:15:00Z']],
    ['cron(0/20 * * * ? *)', '2026-11-26T06:40:00Z', ['2026-11-26T07:00:00Z', '2026-11-26T07:20:00Z']],
    ['cron(1/10 * * * ? *)', '2026-11-26T06:00:00Z', ['2026-11-26T06:01:00Z', '2026-11-26T06:11:00Z']],
    ['cron(0 10 * * ? *)', '2026-12-31T11:00:00Z', ['2027-01-01T10:00:00Z']],
    // 2026-11-27 is a Friday.
    ['cron(0 18 ? * MON-FRI *)', '2026-11-27T18:00:00Z', ['2026-11-30T18:00:00Z']],
    ['cron(0 0 29 2 ? *)', '2026-03-01T00:00:00Z', ['2028-02-29T00:00:00Z']],
    ['cron(0 0 31 * ? *)', '2026-11-01T00:00:00Z', ['2026-12-31T00:00:00Z', '2027-01-31T00:00:00Z', '2027-03-31T00:00:00Z']],
    ['cron(0 18 L * ? *)', '2026-02-01T00:00:00Z', ['2026-02-28T18:00:00Z', '2026-03-31T18:00:00Z']],
    ['cron(0 18 L * ? *)', '2028-02-01T00:00:00Z', ['2028-02-29T18:00:00Z']],
    // 2026-01-31 is a Saturday, 2026-05-31 a Sunday: the last weekdays are the 30th and 29th.
    ['cron(0 9 LW 1 ? 2026)', '2026-01-01T00:00:00Z', ['2026-01-30T09:00:00Z', undefined]],
    ['cron(0 9 LW 5 ? *)', '2026-05-01T00:00:00Z', ['2026-05-29T09:00:00Z']],
    // 2026-11-15 is a Sunday → Monday 16th; 2026-08-01 a Saturday → Monday 3rd (stays in August);
    // 2026-05-31 a Sunday → Friday 29th.
    ['cron(0 9 15W 11 ? *)', '2026-11-01T00:00:00Z', ['2026-11-16T09:00:00Z']],
    ['cron(0 9 1W 8 ? *)', '2026-07-01T00:00:00Z', ['2026-08-03T09:00:00Z']],
    ['cron(0 9 31W 5 ? *)', '2026-05-01T00:00:00Z', ['2026-05-29T09:00:00Z']],
    // 31W never fires in a 30-day month.
    ['cron(0 9 31W 4,5 ? *)', '2026-04-01T00:00:00Z', ['2026-05-29T09:00:00Z']],
    // Second Tuesday (3#2) of December 2026: the 8th. First Monday of February 2027: the 1st.
    ['cron(0 9 ? * 3#2 *)', '2026-12-01T00:00:00Z', ['2026-12-08T09:00:00Z', '2027-01-12T09:00:00Z']],
    ['cron(0 9 ? * MON#1 *)', '2027-01-05T00:00:00Z', ['2027-02-01T09:00:00Z']],
    // Fifth Friday exists only in some months: January 2027 has Fridays 1, 8, 15, 22, 29.
    ['cron(0 9 ? * 6#5 *)', '2026-12-01T00:00:00Z', ['2027-01-29T09:00:00Z']],
    // Last Friday (6L) of November 2026: the 27th. "L" alone in day-of-week is Saturday.
    ['cron(0 9 ? * 6L *)', '2026-11-01T00:00:00Z', ['2026-11-27T09:00:00Z', '2026-12-25T09:00:00Z']],
    ['cron(0 9 ? * L *)', '2026-11-26T10:00:00Z', ['2026-11-28T09:00:00Z']],
    ['cron(0 9 ? * 1 *)', '2026-11-26T10:00:00Z', ['2026-11-29T09:00:00Z']],
    ['cron(0 0 1 JAN,JUL ? *)', '2026-02-01T00:00:00Z', ['2026-07-01T00:00:00Z', '2027-01-01T00:00:00Z']],
    ['cron(30 23 31 12 ? 2030)', '2026-11-26T00:00:00Z', ['2030-12-31T23:30:00Z', undefined]],
    ['cron(0 0 1 1 ? 2020)', '2026-11-26T00:00:00Z', [undefined]],
  ])('%s after %s fires at %j', (text, after, expected) => {
    // Act
    const times = fireTimes(text, after, 'UTC', expected.length);

    // Assess
    expect(times).toEqual(expected);
  });
});

describe('nextFireTime: cron in a zone, across DST', () => {
  it('reads the fields in the zone', () => {
    // Act: 10:00 in Berlin is 09:00Z in winter and 08:00Z in summer.
    const winter = fireTimes('cron(0 10 * * ? *)', '2026-01-15T00:00:00Z', 'Europe/Berlin');
    const summer = fireTimes('cron(0 10 * * ? *)', '2026-07-15T00:00:00Z', 'Europe/Berlin');

    // Assess
    expect(winter).toEqual(['2026-01-15T09:00:00Z']);
    expect(summer).toEqual(['2026-07-15T08:00:00Z']);
  });

  it('skips a local time that does not exist (spring forward)', () => {
    // America/New_York: 2026-03-08 02:00 EST jumps to 03:00 EDT; 02:30 does not happen that day.
    // Act
    const times = fireTimes('cron(30 2 * * ? *)', '2026-03-07T07:30:00Z', 'America/New_York', 2);

    // Assess
    expect(times).toEqual(['2026-03-09T06:30:00Z', '2026-03-10T06:30:00Z']);
  });

  it('fires a repeated local time once, at its first occurrence (fall back)', () => {
    // America/New_York: 2026-11-01 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
    // Act
    const times = fireTimes('cron(30 1 * * ? *)', '2026-10-31T12:00:00Z', 'America/New_York', 2);

    // Assess: 05:30Z (01:30 EDT) and not 06:30Z (01:30 EST) on the 1st.
    expect(times).toEqual(['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z']);
  });

  it('does not fire the second occurrence even when asked just after the first', () => {
    // Prepare
    const expr = parseScheduleExpression('cron(30 1 * * ? *)');

    // Act
    const next = nextFireTime(expr, ms('2026-11-01T05:30:00Z'), 'America/New_York');

    // Assess
    expect(iso(next)).toBe('2026-11-02T06:30:00Z');
  });

  it('runs an hourly schedule through both changes of New York', () => {
    // Act
    const spring = fireTimes('cron(15 * * * ? *)', '2026-03-08T05:00:00Z', 'America/New_York', 3);
    const fall = fireTimes('cron(15 * * * ? *)', '2026-11-01T04:00:00Z', 'America/New_York', 3);

    // Assess: 00:15 EST, 01:15 EST, (02:15 skipped) 03:15 EDT; 00:15 EDT, 01:15 EDT,
    // (01:15 EST repeated) 02:15 EST.
    expect(spring).toEqual(['2026-03-08T05:15:00Z', '2026-03-08T06:15:00Z', '2026-03-08T07:15:00Z']);
    expect(fall).toEqual(['2026-11-01T04:15:00Z', '2026-11-01T05:15:00Z', '2026-11-01T07:15:00Z']);
  });

  it('handles a half-hour DST change (Australia/Lord_Howe)', () => {
    // 2026-04-05 02:00 +11 falls back to 01:30 +10:30: 01:45 happens twice, fired once.
    // 2026-10-04 02:00 +10:30 springs to 02:30 +11: 02:15 does not happen.
    // Act
    const fall = fireTimes('cron(45 1 * * ? *)', '2026-04-04T12:00:00Z', 'Australia/Lord_Howe', 2);
    const spring = fireTimes('cron(15 2 * * ? *)', '2026-10-03T12:00:00Z', 'Australia/Lord_Howe', 1);

    // Assess
    expect(fall).toEqual(['2026-04-04T14:45:00Z', '2026-04-05T15:15:00Z']);
    expect(spring).toEqual(['2026-10-04T15:15:00Z']);
  });

  it('keeps daily midnight in a zone whose DST changes at midnight (America/Santiago)', () => {
    // Chile springs forward at 24:00 on Saturday 2026-09-05: 00:00 of the 6th does not exist.
    // Act
    const times = fireTimes('cron(0 0 * * ? *)', '2026-09-04T12:00:00Z', 'America/Santiago', 2);

    // Assess: the 5th at 00:00 -04, then (the 6th's midnight skipped) the 7th at 00:00 -03.
    expect(times).toEqual(['2026-09-05T04:00:00Z', '2026-09-07T03:00:00Z']);
  });

  it('collapses missed cron firings into the latest due one', () => {
    // Prepare
    const expr = parseScheduleExpression('cron(0/15 * * * ? *)');

    // Act
    const latest = latestDueTime(expr, ms('2026-11-26T01:00:00Z'), ms('2026-11-26T06:08:00Z'), 'UTC');

    // Assess
    expect(iso(latest)).toBe('2026-11-26T06:00:00Z');
  });

  it('refuses an unknown zone', () => {
    // Prepare
    const expr: ScheduleExpression = parseScheduleExpression('cron(0 0 * * ? *)');

    // Act / Assess
    expect(() => nextFireTime(expr, 0, 'Mars/Base')).toThrow(UnknownTimeZoneError);
    expect(() => nextFireTime(expr, 0, '+05:00')).toThrow(UnknownTimeZoneError);
  });
});

// Expected instants below are worked out by hand from the zone rules: Europe/Berlin springs
// forward on 2026-03-29 (02:00 CET → 03:00 CEST, at 01:00Z) and falls back on 2026-10-25
// (03:00 CEST → 02:00 CET, at 01:00Z); America/New_York springs forward on 2027-03-14
// (02:00 EST → 03:00 EDT, at 07:00Z) and falls back on 2027-11-07 (02:00 EDT → 01:00 EST,
// at 06:00Z).
describe('nextFireTime: croner behind the AWS parser, DST in Europe/Berlin and America/New_York', () => {
  it.each<[string, string, string, (string | undefined)[]]>([
    // Spring forward: 02:30 does not happen on the 29th, so the daily job skips that day.
    ['cron(30 2 * * ? *)', '2026-03-27T12:00:00Z', 'Europe/Berlin', ['2026-03-28T01:30:00Z', '2026-03-30T00:30:00Z']],
    // Hourly through the gap: 01:00 CET, (02:00 skipped) 03:00 CEST, 04:00 CEST.
    ['cron(0 * * * ? *)', '2026-03-28T23:30:00Z', 'Europe/Berlin', ['2026-03-29T00:00:00Z', '2026-03-29T01:00:00Z', '2026-03-29T02:00:00Z']],
    // Fall back: 02:30 happens at 00:30Z (CEST) and 01:30Z (CET); it fires at the first only.
    ['cron(30 2 * * ? *)', '2026-10-24T12:00:00Z', 'Europe/Berlin', ['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z']],
    // Every 30 minutes through the repeated hour: 02:00 and 02:30 CEST, then 03:00 CET.
    ['cron(0/30 * * * ? *)', '2026-10-24T23:45:00Z', 'Europe/Berlin', ['2026-10-25T00:00:00Z', '2026-10-25T00:30:00Z', '2026-10-25T02:00:00Z']],
    // Sundays at 02:00 New York time: 2027-03-14 has no 02:00; the next is 02:00 EDT on the 21st.
    ['cron(0 2 ? * SUN *)', '2027-03-08T00:00:00Z', 'America/New_York', ['2027-03-21T06:00:00Z']],
    // Sundays at 01:30: on 2027-11-07 it fires at 01:30 EDT (05:30Z), not again at 01:30 EST.
    ['cron(30 1 ? * 1 *)', '2027-11-01T00:00:00Z', 'America/New_York', ['2027-11-07T05:30:00Z', '2027-11-14T06:30:00Z']],
  ])('%s after %s in %s fires at %j', (text, after, zone, expected) => {
    // Act
    const times = fireTimes(text, after, zone, expected.length);

    // Assess
    expect(times).toEqual(expected);
  });
});

describe('nextFireTime: L, W, # and years through croner', () => {
  it.each<[string, string, string, (string | undefined)[]]>([
    // L: last day of February 2026 (the 28th, CET) and of March (the 31st, CEST since the 29th).
    ['cron(0 23 L * ? *)', '2026-02-01T00:00:00Z', 'Europe/Berlin', ['2026-02-28T22:00:00Z', '2026-03-31T21:00:00Z']],
    // LW: 2026-10-31 is a Saturday → Friday the 30th (EDT); 2026-11-30 is a Monday (EST).
    ['cron(0 18 LW * ? *)', '2026-10-01T00:00:00Z', 'America/New_York', ['2026-10-30T22:00:00Z', '2026-11-30T23:00:00Z']],
    // 15W: 2026-02-15 and 2026-03-15 are Sundays → Mondays the 16th.
    ['cron(0 9 15W * ? *)', '2026-02-01T00:00:00Z', 'UTC', ['2026-02-16T09:00:00Z', '2026-03-16T09:00:00Z']],
    // 1#2, the second Sunday: 2027-03-14, New York's spring-forward day (10:00 exists), then
    // 2027-04-11.
    ['cron(0 10 ? * 1#2 *)', '2027-03-01T00:00:00Z', 'America/New_York', ['2027-03-14T14:00:00Z', '2027-04-11T14:00:00Z']],
    // 2#5, a fifth Monday: January and February 2026 have four; March has the 30th.
    ['cron(0 9 ? * 2#5 *)', '2026-01-01T00:00:00Z', 'UTC', ['2026-03-30T09:00:00Z']],
    // 6L, the last Friday: 2026-03-27 (CET) and 2026-04-24 (CEST).
    ['cron(0 9 ? * 6L *)', '2026-03-01T00:00:00Z', 'Europe/Berlin', ['2026-03-27T08:00:00Z', '2026-04-24T07:00:00Z']],
    // Years: New Year's midnight in Berlin is 23:00Z the day before; none after 2029.
    ['cron(0 0 1 1 ? 2027,2029)', '2026-06-01T00:00:00Z', 'Europe/Berlin', ['2026-12-31T23:00:00Z', '2028-12-31T23:00:00Z', undefined]],
    ['cron(0 12 29 2 ? 2028-2032/4)', '2026-01-01T00:00:00Z', 'UTC', ['2028-02-29T12:00:00Z', '2032-02-29T12:00:00Z', undefined]],
    // 2100 is not a leap year: 29 February 2100 never comes.
    ['cron(0 0 29 2 ? 2100)', '2026-01-01T00:00:00Z', 'UTC', [undefined]],
    // The last instant AWS's years allow, and nothing after it.
    ['cron(59 23 31 12 ? 2199)', '2199-12-31T00:00:00Z', 'UTC', ['2199-12-31T23:59:00Z', undefined]],
  ])('%s after %s in %s fires at %j', (text, after, zone, expected) => {
    // Act
    const times = fireTimes(text, after, zone, expected.length);

    // Assess
    expect(times).toEqual(expected);
  });
});

describe('toCronerPattern', () => {
  it.each([
    // AWS's 1-based weekdays become names; "?" becomes "*"; steps and "*" are expanded.
    ['cron(0/15 8-17 ? * MON-FRI *)', '0 0,15,30,45 8-17 * 1-12 MON-FRI 1970-2199'],
    ['cron(0 0 ? * 1,7 2026)', '0 0 0 * 1-12 SUN,SAT 2026'],
    ['cron(5 4 L 2 ? 2027-2030)', '0 5 4 L 2 * 2027-2030'],
    ['cron(0 9 LW * ? *)', '0 0 9 LW 1-12 * 1970-2199'],
    ['cron(0 9 1W 8 ? *)', '0 0 9 1W 8 * 1970-2199'],
    ['cron(0 9 ? * 6L *)', '0 0 9 * 1-12 FRI#L 1970-2199'],
    ['cron(0 9 ? * 2#1 *)', '0 0 9 * 1-12 MON#1 1970-2199'],
    ['cron(0 9 ? * L *)', '0 0 9 * 1-12 SAT 1970-2199'],
    ['cron(1,2,4 0 1-31/2 */3 ? 2026/2)', '0 1,2,4 0 1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31 1,4,7,10 * ' +
      Array.from({ length: 87 }, (_, i) => 2026 + 2 * i).join(',')],
  ])('%s becomes %s', (text, pattern) => {
    // Prepare
    const expr = parseScheduleExpression(text);

    // Act
    const translated = expr.kind === 'cron' ? toCronerPattern(expr) : undefined;

    // Assess
    expect(translated).toBe(pattern);
  });
});
