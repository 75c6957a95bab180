/**
 * The one counting primitive of the oracle: walk every second of a day and count the distinct
 * things active in it. Brute force on purpose: a day is at most 90,000 seconds and a world has a
 * handful of things, so there is no need for the sweep lines of lib/aggregate, and nothing here
 * can be wrong in the way a sweep line can (touching ends, duplicate starts, empty intervals).
 */
import type { DayBounds } from './calendar';

/** A half-open interval `[start, end)` of epoch seconds, unclipped. */
export type Interval = readonly [start: number, end: number];

export interface SecondCount<K> {
  /** The maximum over the day's seconds of the number of things active in that second. */
  readonly peak: number;
  /** The things active in at least one second of the day. */
  readonly active: ReadonlySet<K>;
  /** Seconds summed over things: for each thing, the number of the day's seconds it is active. */
  readonly thingSeconds: number;
}

/**
 * Counts, second by second over `day`, the things of `things` (each a list of intervals) active
 * in each second. A thing is active in second t when one of its intervals contains t, so a thing
 * with overlapping intervals counts once (metrics.md: "one agent with several overlapping
 * sessions is one"), and an interval with end <= start contains no second.
 */
export function countPerSecond<K>(day: DayBounds, things: ReadonlyMap<K, readonly Interval[]>): SecondCount<K> {
  const length = day.end - day.start;
  const activeThings = new Uint16Array(length);
  const thingActive = new Uint8Array(length);
  const active = new Set<K>();
  let thingSeconds = 0;
  for (const [thing, intervals] of things) {
    thingActive.fill(0);
    for (const [start, end] of intervals) {
      for (let t = Math.max(start, day.start); t < Math.min(end, day.end); t += 1) thingActive[t - day.start] = 1;
    }
    let seconds = 0;
    for (let i = 0; i < length; i += 1) {
      if (thingActive[i] === 1) {
        activeThings[i] = (activeThings[i] ?? 0) + 1;
        seconds += 1;
      }
    }
    if (seconds > 0) active.add(thing);
    thingSeconds += seconds;
  }
  let peak = 0;
  for (let i = 0; i < length; i += 1) peak = Math.max(peak, activeThings[i] ?? 0);
  return { peak, active, thingSeconds };
}
