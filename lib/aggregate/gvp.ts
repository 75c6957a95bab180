/**
 * GVP ports and minutes (metrics.md, "GVP ports and minutes"). Every call or ASR/TTS session is
 * a counted thing of its own: peaks count concurrent facts to the second (clipped, half-open),
 * minutes round the day's total clipped seconds up to whole minutes.
 */
import type { GvpMetric } from '../metrics/catalogue';
import { StagedDataError } from './errors';
import { clipInterval, PeakCounter, type Interval } from './intervals';
import type { AggregationStats, MetricValue } from './values';

export type GvpKind = GvpMetric['resource'];
const KINDS: readonly GvpKind[] = ['call', 'asr', 'tts'];

/** One staged GVP fact (a call, an ASR or a TTS session). */
export interface GvpFact {
  readonly kind: GvpKind;
  readonly id: string;
  readonly start: number;
  /** Null while the fact was still in progress. */
  readonly end: number | null;
}

/** The counters of one region's GVP day, per kind: peak counters and clipped seconds. */
export interface GvpDayCounts {
  readonly peaks: ReadonlyMap<GvpKind, PeakCounter>;
  readonly seconds: ReadonlyMap<GvpKind, number>;
  readonly stats: AggregationStats;
}

/**
 * Counts one region's GVP day: every fact clipped to the day, fed to its kind's peak counter and
 * seconds. `observer` sees each fact that has a second in the day, with its part (`bds explain`
 * and the detail files are built on it).
 */
export async function countGvpRegion(
  rows: AsyncIterable<readonly string[]>,
  day: Interval,
  observer?: (fact: GvpFact, part: Interval) => void,
): Promise<GvpDayCounts> {
  const peaks = new Map<GvpKind, PeakCounter>(KINDS.map((k) => [k, new PeakCounter(day)]));
  const seconds = new Map<GvpKind, number>(KINDS.map((k) => [k, 0]));
  const stats: Record<string, number> = { calls: 0, asrSessions: 0, ttsSessions: 0, emptyFacts: 0 };
  for await (const [kind, id, startText, endText] of rows) {
    if (kind !== 'call' && kind !== 'asr' && kind !== 'tts') throw new StagedDataError(`gvp_usage: unknown kind ${String(kind)}`);
    const start = Number(startText);
    const end = endText === undefined || endText === '' ? null : Number(endText);
    if (!Number.isSafeInteger(start) || (end !== null && !Number.isSafeInteger(end))) {
      throw new StagedDataError(`gvp_usage: bad times for ${kind} ${String(id)}: ${String(startText)}, ${String(endText)}`);
    }
    stats[kind === 'call' ? 'calls' : `${kind}Sessions`] = (stats[kind === 'call' ? 'calls' : `${kind}Sessions`] ?? 0) + 1;
    const part = clipInterval(start, end, day);
    if (part === null) {
      stats.emptyFacts = (stats.emptyFacts ?? 0) + 1;
      continue;
    }
    peaks.get(kind)?.add(part);
    seconds.set(kind, (seconds.get(kind) ?? 0) + (part.end - part.start));
    observer?.({ kind, id: id ?? '', start, end }, part);
  }
  return { peaks, seconds, stats };
}

/** A day's billed minutes from its clipped seconds: the total rounded up to whole minutes. */
export function billedMinutes(seconds: number): number {
  return Math.ceil(seconds / 60);
}

/** One region's GVP values for one day, from its staged `gvp_usage_<REGION>` rows. */
export async function aggregateGvpRegion(
  rows: AsyncIterable<readonly string[]>,
  metrics: readonly GvpMetric[],
  region: string,
  day: Interval,
): Promise<{ values: MetricValue[]; stats: AggregationStats }> {
  const { peaks, seconds, stats } = await countGvpRegion(rows, day);
  const values = metrics.map((metric): MetricValue => {
    const measure = metric.measures[0]?.measure;
    if (measure === 'peak') return { metric: metric.key, region, measure, value: peaks.get(metric.resource)?.peak() ?? 0 };
    if (measure === 'minutes') {
      return { metric: metric.key, region, measure, value: billedMinutes(seconds.get(metric.resource) ?? 0) };
    }
    throw new StagedDataError(`${metric.key}: unsupported measure ${String(measure)}`);
  });
  return { values, stats };
}
