import { BdsError } from '../errors';

/** Aggregation of a day or month failed; no billing file of that period was written. */
export class AggregationError extends BdsError {}

/** A staged row breaks the dataset's contract (bad value, wrong order). */
export class StagedDataError extends BdsError {}
