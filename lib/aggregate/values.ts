import type { Measure } from '../metrics/catalogue';

/** One number of one billing file: a metric's measure in a region for a period. */
export interface MetricValue {
  readonly metric: string;
  /** Region code, or `GLOBAL` for a global-scope metric. */
  readonly region: string;
  readonly measure: Measure;
  readonly value: number;
}

/** Facts read and what happened to them, for the manifest: nothing is dropped silently. */
export type AggregationStats = Record<string, number>;
