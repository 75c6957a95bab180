/**
 * GVP ports and minutes (metrics.md, "GVP ports and minutes"). Every call or ASR/TTS session is
 * a counted thing of its own: peaks count concurrent facts to the second (clipped, half-open),
 * minutes round the day's total clipped seconds up to whole minutes.
 */
import type { GvpMetric } from '../metrics/catalogue';
import { StagedDataError } from './errors';
import { clipInterval, PeakCounter, type Interval } from './intervals';
import type { AggregationStats, MetricValue } from './values';

type Kind = GvpMetric['resource'];
const KINDS: readonly Kind[] = ['call', 'asr', 'tts'];

/** One region's GVP values for one day, from its staged `gvp_usage_<REGION>` rows. */
export async function aggregateGvpRegion(
  rows: AsyncIterable<readonly string[]>,
  metrics: readonly GvpMetric[],
  region: string,
  day: Interval,
): Promise<{ values: MetricValue[]; stats: AggregationStats }> {
  const peaks = new Map<Kind, PeakCounter>(KINDS.map((k) => [k, new PeakCounter(day)]));
  const seconds = new Map<Kind, number>(KINDS.map((k) => [k, 0]));
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
  }
  const values = metrics.map((metric): MetricValue => {
    const measure = metric.measures[0]?.measure;
    if (measure === 'peak') return { metric: metric.key, region, measure, value: peaks.get(metric.resource)?.peak() ?? 0 };
    if (measure === 'minutes') {
      return { metric: metric.key, region, measure, value: Math.ceil((seconds.get(metric.resource) ?? 0) / 60) };
    }
    throw new StagedDataError(`${metric.key}: unsupported measure ${String(measure)}`);
  });
  return { values, stats };
}
