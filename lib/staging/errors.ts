import { BdsError } from '../errors';

/** A staged dataset that aggregation needs has not been extracted (or was never completed). */
export class StagedDatasetMissingError extends BdsError {}

/** A staged dataset does not match its own record (truncated, edited or corrupt): it must be extracted again. */
export class StagedDatasetCorruptError extends BdsError {}

/** An extractor yielded a row whose width differs from its dataset's columns: a bug, never data. */
export class StagedRowShapeError extends BdsError {}
