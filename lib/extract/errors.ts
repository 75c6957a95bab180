import { BdsError } from '../errors';

/** Extraction of a day from a source failed; nothing was staged for it. */
export class ExtractionError extends BdsError {}

/** A source returned a row that breaks the query's contract (missing column, wrong type). */
export class SourceDataError extends BdsError {}
