import { BdsError } from '../errors';

/** `bds explain` or a detail file could not show what made a billed number. */
export class ExplainError extends BdsError {}

/** The request names a metric, region, measure or period the tenant does not bill: a usage error. */
export class ExplainRequestError extends ExplainError {}

/**
 * A staged dataset the explanation needs is missing or does not match its record. Like
 * aggregation, an explanation is computed from staged data only, so the fix is to extract the
 * day again (the message names the dataset, the date and the command).
 */
export class ExplainStagedDataError extends ExplainError {
  constructor(
    readonly problems: readonly { readonly dataset: string; readonly date: string }[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The billing file says one value and its staged data gives another (the data was extracted
 * again after the file was written, or the file was edited). Explaining the staged data would
 * explain a number the customer was never billed, so this is refused.
 */
export class BilledValueMismatchError extends ExplainError {
  constructor(
    readonly file: string,
    readonly billed: number,
    readonly recomputed: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The explanation does not add up to the value the same pass computed: a bug, never data. */
export class ExplainInconsistencyError extends ExplainError {}
