/**
 * EventBridge schedule expressions, as written in serverless.yml `schedule` events:
 *
 * - `rate(N unit)`: every N minutes, hours or days (`minute`/`hour`/`day` only with N = 1, the
 *   plural otherwise, as AWS requires). `rate(N second|seconds)` is a LOCAL-ONLY extension for
 *   tests and demos: AWS rejects it, so a serverless.yml using it cannot be deployed.
 * - `cron(minutes hours day-of-month month day-of-week year)`: AWS's six-field cron, with `?` in
 *   exactly one of the two day fields, `* , - /`, `L` and `W` in day-of-month, `L` and `#` in
 *   day-of-week, names JAN–DEC and SUN–SAT, and day-of-week numbered 1–7 = SUN–SAT.
 *
 * Local rules where AWS's documentation is silent, chosen to refuse rather than guess: a range
 * must run upwards (`22-2` is refused; write `22-23,0-2`), and `L`, `W` and `#` forms stand
 * alone in their field (AWS says so for `#`).
 *
 * EventBridge reads cron fields in UTC; BDS's local scheduler reads them in its configured zone,
 * so {@link nextFireTime} takes the zone. This module is the AWS-specific part (syntax, AWS's
 * rules, 1-based weekdays); the calendar search itself is croner's, fed a pattern translated
 * from the parsed fields, and the zone arithmetic is lib/time's. Across DST a local time that does not exist (the hour
 * skipped in spring) does not fire, and a local time that happens twice (the hour repeated in
 * autumn) fires once, at its first occurrence. Rates are elapsed time and ignore the zone.
 */
import { Cron } from 'croner';
import { SECONDS_PER_DAY } from '../../lib/time/civil';
import { UnknownTimeZoneError } from '../../lib/time/errors';
import { instantsOfWallClock, isValidTimeZone, wallClockAt } from '../../lib/time/zone';
import { CronEngineError, ScheduleExpressionError } from './errors';

export type RateUnit = 'second' | 'minute' | 'hour' | 'day';

/** `rate(N unit)`: a fixed period of elapsed time. */
export interface RateExpression {
  readonly kind: 'rate';
  /** The expression as written. */
  readonly text: string;
  readonly value: number;
  readonly unit: RateUnit;
  readonly periodMs: number;
  /** True for `rate(N seconds)`, which only the local scheduler accepts. */
  readonly localOnly: boolean;
}

/** Which days of a month a cron expression fires on (the day field that is not `?`). */
export type CronDayRule =
  | { readonly kind: 'days-of-month'; readonly days: ReadonlySet<number> }
  | { readonly kind: 'last-day-of-month' }
  | { readonly kind: 'last-weekday-of-month' }
  | { readonly kind: 'weekday-nearest'; readonly day: number }
  | { readonly kind: 'days-of-week'; readonly weekdays: ReadonlySet<number> }
  | { readonly kind: 'last-of-weekday'; readonly weekday: number }
  | { readonly kind: 'nth-of-weekday'; readonly weekday: number; readonly nth: number };

/** `cron(...)`: calendar fields, each expanded to the values it allows. */
export interface CronExpression {
  readonly kind: 'cron';
  /** The expression as written. */
  readonly text: string;
  /** Ascending. */
  readonly minutes: readonly number[];
  /** Ascending. */
  readonly hours: readonly number[];
  readonly months: ReadonlySet<number>;
  /** Ascending. */
  readonly years: readonly number[];
  readonly day: CronDayRule;
}

export type ScheduleExpression = RateExpression | CronExpression;

const RATE_UNITS: Readonly<Record<string, { unit: RateUnit; plural: boolean; ms: number }>> = {
  second: { unit: 'second', plural: false, ms: 1000 },
  seconds: { unit: 'second', plural: true, ms: 1000 },
  minute: { unit: 'minute', plural: false, ms: 60_000 },
  minutes: { unit: 'minute', plural: true, ms: 60_000 },
  hour: { unit: 'hour', plural: false, ms: 3_600_000 },
  hours: { unit: 'hour', plural: true, ms: 3_600_000 },
  day: { unit: 'day', plural: false, ms: 86_400_000 },
  days: { unit: 'day', plural: true, ms: 86_400_000 },
};

/** The years EventBridge accepts in the year field. */
export const MIN_CRON_YEAR = 1970;
export const MAX_CRON_YEAR = 2199;

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Names for min, min+1, ... (months, days of the week). */
  readonly names?: readonly string[];
  readonly step: boolean;
}

const MINUTES: FieldSpec = { label: 'minutes', min: 0, max: 59, step: true };
const HOURS: FieldSpec = { label: 'hours', min: 0, max: 23, step: true };
const DAY_OF_MONTH: FieldSpec = { label: 'day-of-month', min: 1, max: 31, step: true };
const MONTH: FieldSpec = { label: 'month', min: 1, max: 12, names: MONTH_NAMES, step: true };
// AWS lists no "/" for day-of-week.
const DAY_OF_WEEK: FieldSpec = { label: 'day-of-week', min: 1, max: 7, names: DAY_NAMES, step: false };
const YEAR: FieldSpec = { label: 'year', min: MIN_CRON_YEAR, max: MAX_CRON_YEAR, step: true };

/** A problem found while parsing; turned into a ScheduleExpressionError by the caller. */
class Problem extends Error {}

/**
 * Parses and validates a schedule expression.
 *
 * @param text - the expression, e.g. `cron(15 * * * ? *)` or `rate(1 hour)`.
 * @param functionName - the function whose schedule it is, named in the error.
 * @throws ScheduleExpressionError naming the function, the expression and what is wrong.
 */
export function parseScheduleExpression(text: string, functionName?: string): ScheduleExpression {
  try {
    const trimmed = text.trim();
    const match = /^(rate|cron)\((.*)\)$/s.exec(trimmed);
    if (match === null) {
      throw new Problem('expected rate(<value> <unit>) or cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)');
    }
    const [, kind, body] = match;
    return kind === 'rate' ? parseRate(trimmed, body ?? '') : parseCron(trimmed, body ?? '');
  } catch (error) {
    if (error instanceof Problem) throw new ScheduleExpressionError(text, error.message, functionName);
    throw error;
  }
}

function parseRate(text: string, body: string): RateExpression {
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(body);
  if (match === null) throw new Problem('expected rate(<value> <unit>), e.g. rate(1 hour) or rate(15 minutes)');
  const [, rawValue = '', rawUnit = ''] = match;
  if (!/^\d+$/.test(rawValue) || Number(rawValue) < 1 || !Number.isSafeInteger(Number(rawValue))) {
    throw new Problem(`the value ${JSON.stringify(rawValue)} must be a whole number of at least 1`);
  }
  const value = Number(rawValue);
  const unit = RATE_UNITS[rawUnit];
  if (unit === undefined) {
    throw new Problem(
      `unknown unit ${JSON.stringify(rawUnit)}: expected minute(s), hour(s) or day(s) ` +
        '(or second(s), which only the local scheduler accepts)',
    );
  }
  // AWS refuses "rate(1 minutes)" and "rate(5 minute)": refusing them here keeps a file that
  // works locally deployable.
  if (value === 1 && unit.plural) throw new Problem(`with the value 1 the unit must be singular: rate(1 ${unit.unit})`);
  if (value > 1 && !unit.plural) throw new Problem(`with a value above 1 the unit must be plural: rate(${value} ${unit.unit}s)`);
  return { kind: 'rate', text, value, unit: unit.unit, periodMs: value * unit.ms, localOnly: unit.unit === 'second' };
}

function parseCron(text: string, body: string): CronExpression {
  const fields = body.trim().split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 6) {
    throw new Problem(
      `expected 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = fields;
  for (const [spec, field] of [
    [MINUTES, minutes],
    [HOURS, hours],
    [MONTH, month],
    [YEAR, year],
  ] as const) {
    if (field.includes('?')) throw new Problem(`${spec.label}: "?" is only allowed in day-of-month or day-of-week`);
  }
  const domAny = dayOfMonth === '?';
  const dowAny = dayOfWeek === '?';
  if (domAny && dowAny) {
    throw new Problem('day-of-month and day-of-week are both "?": exactly one of them must be "?"');
  }
  if (!domAny && !dowAny) {
    throw new Problem(
      'day-of-month and day-of-week: exactly one of them must be "?" (AWS does not allow both; ' +
        `write "${dayOfMonth} ${month} ?" or "? ${month} ${dayOfWeek}")`,
    );
  }
  const years = [...parseField(year, YEAR)].sort((a, b) => a - b);
  return {
    kind: 'cron',
    text,
    minutes: [...parseField(minutes, MINUTES)].sort((a, b) => a - b),
    hours: [...parseField(hours, HOURS)].sort((a, b) => a - b),
    months: parseField(month, MONTH),
    years,
    day: domAny ? parseDayOfWeek(dayOfWeek) : parseDayOfMonth(dayOfMonth),
  };
}

// Names and the letters L and W are read in either case, like month and day names.
function parseDayOfMonth(field: string): CronDayRule {
  if (field.toUpperCase() === 'L') return { kind: 'last-day-of-month' };
  if (field.toUpperCase() === 'LW') return { kind: 'last-weekday-of-month' };
  const weekday = /^(\d+)W$/i.exec(field);
  if (weekday !== null) {
    return { kind: 'weekday-nearest', day: value(weekday[1] ?? '', DAY_OF_MONTH) };
  }
  if (/[LW]/i.test(field)) {
    throw new Problem('day-of-month: "L", "LW" and "<day>W" (e.g. 15W) must stand alone in the field');
  }
  return { kind: 'days-of-month', days: parseField(field, DAY_OF_MONTH) };
}

function parseDayOfWeek(field: string): CronDayRule {
  // "L" alone is the last day of the week: Saturday.
  if (field.toUpperCase() === 'L') return { kind: 'days-of-week', weekdays: new Set([7]) };
  const last = /^([^,#L-]+)L$/i.exec(field);
  if (last !== null) return { kind: 'last-of-weekday', weekday: value(last[1] ?? '', DAY_OF_WEEK) };
  const nth = /^([^,#L-]+)#(\d+)$/.exec(field);
  if (nth !== null) {
    const occurrence = Number(nth[2]);
    if (occurrence < 1 || occurrence > 5) {
      throw new Problem(`day-of-week: in ${field} the occurrence after "#" must be 1 to 5`);
    }
    return { kind: 'nth-of-weekday', weekday: value(nth[1] ?? '', DAY_OF_WEEK), nth: occurrence };
  }
  if (field.includes('#')) {
    throw new Problem('day-of-week: "#" takes one expression such as 3#2 (the second Tuesday), not a list or range');
  }
  if (/L/i.test(field)) {
    throw new Problem('day-of-week: "L" and "<day>L" (e.g. 6L, the last Friday) must stand alone in the field');
  }
  return { kind: 'days-of-week', weekdays: parseField(field, DAY_OF_WEEK) };
}

/** Expands a field of `*`, values, ranges and steps, separated by commas. */
function parseField(field: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    if (item === '') throw new Problem(`${spec.label}: empty entry in ${JSON.stringify(field)}`);
    const [range = '', step, ...extra] = item.split('/');
    if (extra.length > 0) throw new Problem(`${spec.label}: ${JSON.stringify(item)} has more than one "/"`);
    if (step !== undefined && !spec.step) throw new Problem(`${spec.label}: "/" is not allowed in this field`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2) throw new Problem(`${spec.label}: ${JSON.stringify(item)} is not a valid range`);
      from = value(bounds[0] ?? '', spec);
      // "5/15" starts at 5 and runs to the end of the field.
      to = bounds[1] !== undefined ? value(bounds[1], spec) : step !== undefined ? spec.max : from;
      if (to < from) {
        throw new Problem(
          `${spec.label}: the range ${JSON.stringify(range)} runs backwards; list both parts instead ` +
            `(e.g. ${from}-${spec.max},${spec.min}-${to})`,
        );
      }
    }
    let increment = 1;
    if (step !== undefined) {
      if (!/^\d+$/.test(step) || Number(step) < 1) {
        throw new Problem(`${spec.label}: the step in ${JSON.stringify(item)} must be a whole number of at least 1`);
      }
      increment = Number(step);
    }
    for (let v = from; v <= to; v += increment) values.add(v);
  }
  return values;
}

/** One value of a field: a number in range, or a name where the field has names. */
function value(token: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return spec.min + named;
  if (!/^\d+$/.test(token)) {
    const names = spec.names === undefined ? '' : ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}`;
    throw new Problem(`${spec.label}: ${JSON.stringify(token)} is not a value (expected ${spec.min}-${spec.max}${names})`);
  }
  const n = Number(token);
  if (n < spec.min || n > spec.max) {
    throw new Problem(`${spec.label}: ${n} is out of range (expected ${spec.min}-${spec.max})`);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Next fire time
// ---------------------------------------------------------------------------------------------

/**
 * One croner job per expression and zone: building one parses the pattern, and the scheduler
 * asks for the next firing on every tick. Keyed by the parsed expression so that a discarded
 * expression takes its jobs with it.
 */
const cronJobs = new WeakMap<CronExpression, Map<string, Cron>>();

/** Sorted distinct values as croner list items, runs of three or more as ranges: `0-5,30`. */
function cronerList(values: Iterable<number>, name: (value: number) => string = String): string {
  const items: string[] = [];
  let run: number[] = [];
  const flush = (): void => {
    const [first] = run;
    const last = run[run.length - 1];
    if (first !== undefined && last !== undefined && run.length >= 3) items.push(`${name(first)}-${name(last)}`);
    else items.push(...run.map(name));
    run = [];
  };
  for (const value of [...new Set(values)].sort((a, b) => a - b)) {
    if (run.length > 0 && run[run.length - 1] !== value - 1) flush();
    run.push(value);
  }
  flush();
  return items.join(',');
}

/** AWS numbers the days of the week 1–7 = SUN–SAT, croner 0–6; names mean the same to both. */
function cronerWeekday(awsWeekday: number): string {
  const name = DAY_NAMES[awsWeekday - 1];
  if (name === undefined) throw new Error(`internal: day-of-week ${awsWeekday} outside 1-7`);
  return name;
}

/**
 * The croner pattern (7-part: second minute hour day-of-month month day-of-week year) of a
 * parsed AWS expression. It is built from the expanded values, not from the text, so every
 * AWS-only spelling (`0/15`, `?`, 1-based weekdays) is already resolved; `*` in the day field
 * that AWS marks `?` leaves the other field alone in charge, as in Vixie cron.
 */
export function toCronerPattern(expr: CronExpression): string {
  let dayOfMonth = '*';
  let dayOfWeek = '*';
  const rule = expr.day;
  switch (rule.kind) {
    case 'days-of-month':
      dayOfMonth = cronerList(rule.days);
      break;
    case 'last-day-of-month':
      dayOfMonth = 'L';
      break;
    case 'last-weekday-of-month':
      dayOfMonth = 'LW';
      break;
    case 'weekday-nearest':
      dayOfMonth = `${rule.day}W`;
      break;
    case 'days-of-week':
      dayOfWeek = cronerList(rule.weekdays, cronerWeekday);
      break;
    case 'last-of-weekday':
      dayOfWeek = `${cronerWeekday(rule.weekday)}#L`;
      break;
    case 'nth-of-weekday':
      dayOfWeek = `${cronerWeekday(rule.weekday)}#${rule.nth}`;
      break;
  }
  return [
    '0',
    cronerList(expr.minutes),
    cronerList(expr.hours),
    dayOfMonth,
    cronerList(expr.months),
    dayOfWeek,
    cronerList(expr.years),
  ].join(' ');
}

function cronJobFor(expr: CronExpression, timeZone: string): Cron {
  let byZone = cronJobs.get(expr);
  if (byZone === undefined) {
    byZone = new Map();
    cronJobs.set(expr, byZone);
  }
  let job = byZone.get(timeZone);
  if (job === undefined) {
    const pattern = toCronerPattern(expr);
    try {
      // paused: the job is only asked for dates, never run; domAndDow false (OR) is moot as
      // one day field is always `*`.
      job = new Cron(pattern, { timezone: timeZone, paused: true, mode: '7-part', domAndDow: false });
    } catch (error) {
      throw new CronEngineError(expr.text, pattern, error);
    }
    byZone.set(timeZone, job);
  }
  return job;
}

/**
 * Whether croner's candidate is a firing under BDS's DST rules. Croner follows Vixie cron: a
 * single-time job skipped by spring forward runs at the end of the gap, and a job with lists or
 * steps runs twice in the hour fall back repeats. BDS's scheduler fires neither (a skipped
 * local time does not happen; a repeated one happens once, first), so a candidate counts only
 * when its local time is one the expression names and is that time's first occurrence.
 */
function isFiring(expr: CronExpression, epochMs: number, timeZone: string): boolean {
  const epochSeconds = epochMs / 1000;
  const wall = wallClockAt(epochSeconds, timeZone);
  const secondOfDay = wall - Math.floor(wall / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  if (!expr.hours.includes(hour) || !expr.minutes.includes(minute)) return false;
  return instantsOfWallClock(wall, timeZone)[0] === epochSeconds;
}

/**
 * The first time the schedule fires strictly after `afterEpochMs`, or undefined when it never
 * fires again (a cron expression whose years are over).
 *
 * @param expr - a parsed expression.
 * @param afterEpochMs - the instant after which to look (epoch milliseconds).
 * @param timeZone - IANA zone the cron fields are read in (ignored by rates).
 * @param rateAnchorMs - the instant a rate counts from: it fires at anchor + k × period (AWS
 *   counts from the rule's creation; the scheduler passes its start). Default: the Unix epoch.
 * @throws UnknownTimeZoneError when `timeZone` is not a known IANA zone.
 */
export function nextFireTime(
  expr: ScheduleExpression,
  afterEpochMs: number,
  timeZone: string,
  rateAnchorMs = 0,
): number | undefined {
  if (expr.kind === 'rate') {
    const periods = Math.floor((afterEpochMs - rateAnchorMs) / expr.periodMs) + 1;
    return rateAnchorMs + periods * expr.periodMs;
  }
  // Checked here so that an unknown zone is the same error as everywhere else in BDS, not
  // croner's TypeError.
  if (!isValidTimeZone(timeZone)) throw new UnknownTimeZoneError(timeZone);
  const job = cronJobFor(expr, timeZone);
  let after = afterEpochMs;
  for (;;) {
    let next: Date | null;
    try {
      next = job.nextRun(new Date(after));
    } catch (error) {
      throw new CronEngineError(expr.text, job.getPattern() ?? '', error);
    }
    // null: the years the expression names are over.
    if (next === null) return undefined;
    const candidate = next.getTime();
    if (isFiring(expr, candidate, timeZone)) return candidate;
    after = candidate;
  }
}

/**
 * The latest time the schedule fires that is not after `nowMs`, starting from a fire time
 * `dueMs` that is already due. Used to collapse several missed firings into one.
 */
export function latestDueTime(
  expr: ScheduleExpression,
  dueMs: number,
  nowMs: number,
  timeZone: string,
  rateAnchorMs = 0,
): number {
  if (expr.kind === 'rate') {
    if (nowMs < dueMs) return dueMs;
    return dueMs + Math.floor((nowMs - dueMs) / expr.periodMs) * expr.periodMs;
  }
  let latest = dueMs;
  for (let next = nextFireTime(expr, latest, timeZone, rateAnchorMs); next !== undefined && next <= nowMs; ) {
    latest = next;
    next = nextFireTime(expr, latest, timeZone, rateAnchorMs);
  }
  return latest;
}
