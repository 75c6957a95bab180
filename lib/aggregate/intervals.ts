/**
 * Interval arithmetic for billing: half-open intervals [start, end) of whole seconds, clipped to
 * a period, merged per counted thing, and swept for the peak number active in any one second.
 */

/** A half-open interval of epoch seconds. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

/**
 * The part of the fact [start, end) inside `period`, or null when nothing is left. An open fact
 * (`end` null) runs until the end of the period; a fact with end <= start counts for nothing.
 */
export function clipInterval(start: number, end: number | null, period: Interval): Interval | null {
  if (end !== null && end <= start) return null;
  const s = Math.max(start, period.start);
  const e = Math.min(end ?? period.end, period.end);
  return e > s ? { start: s, end: e } : null;
}

/**
 * Merges overlapping and touching intervals into a sorted, disjoint list. Touching ones may be
 * merged because under half-open semantics they share no second: the union covers the same seconds.
 */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const merged: Interval[] = [];
  const union = new StreamingUnion((interval) => merged.push(interval));
  for (const interval of [...intervals].sort((a, b) => a.start - b.start || a.end - b.end)) union.add(interval);
  union.finish();
  return merged;
}

/**
 * The union of one agent's counted intervals for one metric, built as they arrive in order of
 * start: a run is extended while the next interval overlaps or touches it (half-open intervals
 * that touch share no second), and handed on once a gap shows it is complete. Memory is one run,
 * however many sessions the agent has.
 */
export class StreamingUnion {
  private runStart = 0;
  private runEnd = 0;
  private open = false;
  /** Whether any interval was added since the last {@link finish}. */
  counted = false;

  constructor(private readonly emit: (interval: Interval) => void) {}

  /** Adds an interval whose start is not before any earlier one's. */
  add(interval: Interval): void {
    this.counted = true;
    if (this.open && interval.start <= this.runEnd) {
      if (interval.end > this.runEnd) this.runEnd = interval.end;
      return;
    }
    if (this.open) this.emit({ start: this.runStart, end: this.runEnd });
    this.runStart = interval.start;
    this.runEnd = interval.end;
    this.open = true;
  }

  /** Hands on the last run and starts afresh for the next agent. */
  finish(): void {
    if (this.open) this.emit({ start: this.runStart, end: this.runEnd });
    this.open = false;
    this.counted = false;
  }
}

/** Total seconds covered by disjoint intervals. */
export function totalSeconds(intervals: readonly Interval[]): number {
  let sum = 0;
  for (const i of intervals) sum += i.end - i.start;
  return sum;
}

/**
 * Counts, for every second of a period, how many intervals are active, and reports the maximum.
 * Memory is one counter per second of the period (≤ 25 h), whatever the number of intervals.
 */
export class PeakCounter {
  private readonly deltas: Int32Array;
  private readonly origin: number;

  constructor(period: Interval) {
    this.origin = period.start;
    this.deltas = new Int32Array(Math.max(0, period.end - period.start) + 1);
  }

  /** Adds one active thing over `interval`, which must lie inside the period. */
  add(interval: Interval): void {
    const from = interval.start - this.origin;
    const to = interval.end - this.origin;
    if (from < 0 || to >= this.deltas.length || to <= from) {
      throw new RangeError(`interval [${interval.start}, ${interval.end}) is not inside the period`);
    }
    this.deltas[from] = (this.deltas[from] ?? 0) + 1;
    this.deltas[to] = (this.deltas[to] ?? 0) - 1;
  }

  /** The maximum number of intervals active in any one second (0 for none). */
  peak(): number {
    return this.peakAt().peak;
  }

  /**
   * The maximum and the first second that reaches it (`second` null when nothing was ever
   * active). The first one, because "when" must have one answer: `bds explain` and the detail
   * files show the agents of exactly that second, and a re-run must show the same ones.
   */
  peakAt(): { readonly peak: number; readonly second: number | null } {
    let active = 0;
    let max = 0;
    let at = -1;
    for (let i = 0; i < this.deltas.length; i += 1) {
      active += this.deltas[i] ?? 0;
      if (active > max) {
        max = active;
        at = i;
      }
    }
    return { peak: max, second: at < 0 ? null : this.origin + at };
  }
}
