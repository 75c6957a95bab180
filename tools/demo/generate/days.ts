/**
 * Time: GIM's interval keys, GVP's timestamp text, a zone's wall clock → epoch seconds, and the
 * days of a run (the eve and the month's days) as a tenant's local hours.
 */
import {
  formatCivilDate,
  fromDayNumber,
  SECONDS_PER_DAY,
  toDayNumber,
  weekdayOfDayNumber,
} from '../../../lib/time/civil';
import { UnknownTimeZoneError } from '../../../lib/time/errors';
import { isValidTimeZone, offsetAt } from '../../../lib/time/zone';
import { GenerateOptionsError } from './errors';
import { at } from './random';

/** floor(ts / 900) × 900: GIM's 15-minute interval key. */
export function dtKey(ts: number): number {
  return Math.floor(ts / 900) * 900;
}

/** GVP's UTC `timestamp` text with milliseconds, e.g. `2024-03-05 14:02:07.123`. */
export function gvpTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
}

/** Converts a zone's wall clock to epoch seconds, on lib/time's zone offsets. */
export class ZoneClock {
  constructor(readonly timeZone: string) {
    if (!isValidTimeZone(timeZone)) {
      throw new GenerateOptionsError(`unknown time zone "${timeZone}"`, { cause: new UnknownTimeZoneError(timeZone) });
    }
  }

  /**
   * The epoch second of a local wall-clock time. `month` may be 13 and `day` 0 or one past the
   * month's end (the snapshot and the eve are written that way). A skipped DST hour maps to one
   * side of the gap and a repeated one to one of its occurrences, whichever the two-step
   * fixed point below lands on: the generated data of a seed must not change, so this keeps
   * the generator's historical choice instead of lib/time's "first occurrence" rule.
   */
  toEpoch(year: number, month: number, day: number, hour: number): number {
    const normalYear = year + Math.floor((month - 1) / 12);
    const normalMonth = ((((month - 1) % 12) + 12) % 12) + 1;
    const wall = toDayNumber({ year: normalYear, month: normalMonth, day }) * SECONDS_PER_DAY + hour * 3600;
    const first = wall - offsetAt(wall, this.timeZone);
    return wall - offsetAt(first, this.timeZone);
  }
}

export interface DayInfo {
  readonly date: string;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** Days since 1970-01-01: the day's identity in random streams, the same in any month run. */
  readonly ordinal: number;
  /** 1…N inside the month; 0 for the eve (the previous month's last day). */
  readonly dayOfMonth: number;
  readonly weekend: boolean;
}

export function dayInfo(year: number, month: number, day: number, dayOfMonth: number): DayInfo {
  // `day` 0 is the previous month's last day: day numbers step across the month end.
  const ordinal = toDayNumber({ year, month, day });
  const date = fromDayNumber(ordinal);
  const weekday = weekdayOfDayNumber(ordinal);
  return {
    date: formatCivilDate(date),
    year: date.year,
    month: date.month,
    day: date.day,
    ordinal,
    dayOfMonth,
    weekend: weekday === 0 || weekday === 6,
  };
}

/** A tenant's local day: the epoch of each local hour and of the next local midnight. */
export interface TenantDay {
  readonly day: DayInfo;
  readonly hours: readonly number[];
  readonly start: number;
  readonly end: number;
}

export function tenantDay(clock: ZoneClock, day: DayInfo): TenantDay {
  const hours: number[] = [];
  for (let h = 0; h < 24; h += 1) hours.push(clock.toEpoch(day.year, day.month, day.day, h));
  const end = clock.toEpoch(day.year, day.month, day.day + 1, 0);
  return { day, hours, start: at(hours, 0), end };
}
