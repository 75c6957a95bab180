/**
 * Calendar arithmetic for the oracle, written from metrics.md ("a tenant's day D is the half-open
 * interval [local midnight of D, local midnight of D+1)") and docs/billing-rules.md ("the first
 * instant whose local date is D"). It shares nothing with lib/time: local dates come from the
 * platform's Intl time-zone data, and day starts are found by bisection over whole seconds, which
 * needs nothing but the fact that the local date never goes backwards as time goes forward.
 */

/** A calendar date `YYYY-MM-DD`. */
export type LocalDate = string;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The local calendar date, in `zone`, of the UTC epoch second `second`. */
export function localDateAt(second: number, zone: string): LocalDate {
  const parts = formatterFor(zone).formatToParts(new Date(second * 1000));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

/** Epoch second of `date` 00:00:00 UTC. */
export function utcMidnight(date: LocalDate): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1) / 1000;
}

/** The date `days` days after `date` (negative: before). */
export function addDays(date: LocalDate, days: number): LocalDate {
  return new Date((utcMidnight(date) + days * 86_400) * 1000).toISOString().slice(0, 10);
}

/** Every date from `from` to `to`, both included. */
export function datesBetween(from: LocalDate, to: LocalDate): LocalDate[] {
  const out: LocalDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** `YYYY-MM` of a date. */
export function monthOf(date: LocalDate): string {
  return date.slice(0, 7);
}

/** The last date of the month of `date`. */
export function lastDayOfMonth(date: LocalDate): LocalDate {
  return addDays(`${nextMonth(monthOf(date))}-01`, -1);
}

/** The month after `YYYY-MM`. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  const year = (y ?? 0) + ((m ?? 1) === 12 ? 1 : 0);
  const next = ((m ?? 1) % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(next).padStart(2, '0')}`;
}

/**
 * The first epoch second whose local date in `zone` is `date` or later: the start of billing day
 * `date`. Every zone's offset lies within ±18 h, so the answer lies within 18 h of UTC midnight;
 * bisection keeps `lo` before the day and `hi` inside it or later.
 */
export function dayStart(date: LocalDate, zone: string): number {
  let lo = utcMidnight(date) - 18 * 3600;
  let hi = utcMidnight(date) + 18 * 3600;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDateAt(mid, zone) >= date) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** A billing day's UTC bounds `[start, end)` in epoch seconds. */
export interface DayBounds {
  readonly date: LocalDate;
  readonly start: number;
  readonly end: number;
}

/** The bounds of billing day `date` in `zone`: [start of D, start of D+1). */
export function dayBounds(date: LocalDate, zone: string): DayBounds {
  return { date, start: dayStart(date, zone), end: dayStart(addDays(date, 1), zone) };
}
