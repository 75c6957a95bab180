/**
 * What made a region's GVP numbers: the calls or ASR/TTS sessions active at the peak second, and
 * every fact with its clipped seconds for minutes. Computed by the aggregation's own counting
 * (`countGvpRegion` in lib/aggregate/gvp.ts), watched through its observer.
 */
import type { LocalDate } from '../config/types';
import type { Interval } from '../aggregate/intervals';
import { billedMinutes, countGvpRegion, type GvpFact, type GvpKind } from '../aggregate/gvp';
import { ExplainInconsistencyError } from './errors';

/** A counted fact and its part inside the day. */
export interface GvpEvidence {
  readonly fact: GvpFact;
  readonly part: Interval;
}

/** One day's staged GVP rows of a region, opened only when read. */
export interface GvpDaySource {
  readonly date: LocalDate;
  readonly day: Interval;
  readonly rows: () => AsyncIterable<readonly string[]>;
}

/** One kind of fact (call, ASR, TTS) of one region and day. */
export interface GvpDayKind {
  readonly kind: GvpKind;
  /** The `peak` value and the first second that reaches it (null when 0). */
  readonly peak: number;
  readonly second: number | null;
  /** The facts active in `second` (when the peak was asked for). */
  readonly active: readonly GvpEvidence[];
  /** Every fact with a second in the day (when minutes were asked for), in staged order. */
  readonly facts: readonly GvpEvidence[];
  /** The day's clipped seconds and the `minutes` value they bill. */
  readonly seconds: number;
  readonly minutes: number;
}

/**
 * Explains one region's day for the kinds asked for: `peak` kinds are read twice (the counters,
 * then the facts covering the peak second), `minutes` kinds keep every counted fact.
 */
export async function explainGvpDay(
  source: GvpDaySource,
  wanted: { readonly peak: ReadonlySet<GvpKind>; readonly minutes: ReadonlySet<GvpKind> },
): Promise<Map<GvpKind, GvpDayKind>> {
  const facts = new Map<GvpKind, GvpEvidence[]>();
  const first = await countGvpRegion(source.rows(), source.day, (fact, part) => {
    if (!wanted.minutes.has(fact.kind)) return;
    let list = facts.get(fact.kind);
    if (list === undefined) facts.set(fact.kind, (list = []));
    list.push({ fact, part });
  });
  const at = new Map<GvpKind, { peak: number; second: number | null }>();
  for (const kind of wanted.peak) at.set(kind, first.peaks.get(kind)?.peakAt() ?? { peak: 0, second: null });
  const active = new Map<GvpKind, GvpEvidence[]>();
  if ([...at.values()].some((a) => a.second !== null)) {
    await countGvpRegion(source.rows(), source.day, (fact, part) => {
      const t = at.get(fact.kind)?.second;
      if (t === null || t === undefined || part.start > t || t >= part.end) return;
      let list = active.get(fact.kind);
      if (list === undefined) active.set(fact.kind, (list = []));
      list.push({ fact, part });
    });
  }
  const out = new Map<GvpKind, GvpDayKind>();
  for (const kind of new Set([...wanted.peak, ...wanted.minutes])) {
    const peak = at.get(kind) ?? { peak: 0, second: null };
    const list = active.get(kind) ?? [];
    const seconds = first.seconds.get(kind) ?? 0;
    if (wanted.peak.has(kind) && list.length !== peak.peak) {
      throw new ExplainInconsistencyError(`the explanation does not add up: ${list.length} ${kind} facts at the peak second of ${peak.peak}; please report this`);
    }
    out.set(kind, { kind, peak: peak.peak, second: peak.second, active: list, facts: facts.get(kind) ?? [], seconds, minutes: billedMinutes(seconds) });
  }
  return out;
}

/** One kind of a region's month: the day holding the maximum, and the minutes of each day. */
export interface GvpMonthKind {
  readonly kind: GvpKind;
  readonly peak: number;
  readonly date: LocalDate | null;
  readonly second: number | null;
  readonly active: readonly GvpEvidence[];
  /** Each day's clipped seconds and billed minutes: the month's `minutes` is their minutes' sum. */
  readonly days: readonly { readonly date: LocalDate; readonly seconds: number; readonly minutes: number }[];
}

/**
 * Explains one region's month: every day is read for its counters; the first day that holds a
 * kind's maximum is read again for the facts of its peak second. Minutes are summed per day,
 * each day rounded up on its own, as the monthly `sum` rollup adds the daily values.
 */
export async function explainGvpMonth(
  days: readonly GvpDaySource[],
  wanted: { readonly peak: ReadonlySet<GvpKind>; readonly minutes: ReadonlySet<GvpKind> },
): Promise<Map<GvpKind, GvpMonthKind>> {
  const kinds = [...new Set([...wanted.peak, ...wanted.minutes])];
  const best = new Map<GvpKind, { peak: number; day: number }>(kinds.map((k) => [k, { peak: 0, day: -1 }]));
  const perDay = new Map<GvpKind, { date: LocalDate; seconds: number; minutes: number }[]>(kinds.map((k) => [k, []]));
  for (const [index, source] of days.entries()) {
    const counts = await countGvpRegion(source.rows(), source.day);
    for (const kind of kinds) {
      const peak = counts.peaks.get(kind)?.peak() ?? 0;
      const top = best.get(kind);
      if (top !== undefined && peak > top.peak) best.set(kind, { peak, day: index });
      const seconds = counts.seconds.get(kind) ?? 0;
      perDay.get(kind)?.push({ date: source.date, seconds, minutes: billedMinutes(seconds) });
    }
  }
  const out = new Map<GvpKind, GvpMonthKind>();
  const explained = new Map<number, Map<GvpKind, GvpDayKind>>();
  for (const kind of kinds) {
    const top = best.get(kind) ?? { peak: 0, day: -1 };
    let day: GvpDayKind | undefined;
    const source = days[top.day];
    if (wanted.peak.has(kind) && source !== undefined) {
      let done = explained.get(top.day);
      if (done === undefined) {
        const peakKinds = new Set(kinds.filter((k) => wanted.peak.has(k) && best.get(k)?.day === top.day));
        done = await explainGvpDay(source, { peak: peakKinds, minutes: new Set() });
        explained.set(top.day, done);
      }
      day = done.get(kind);
    }
    out.set(kind, {
      kind,
      peak: wanted.peak.has(kind) ? top.peak : 0,
      date: wanted.peak.has(kind) && source !== undefined ? source.date : null,
      second: day?.second ?? null,
      active: day?.active ?? [],
      days: perDay.get(kind) ?? [],
    });
  }
  return out;
}
