import { BdsError } from '../errors';

/** A source database could not be reached or a query against it failed. */
export class SourceError extends BdsError {
  /** Driver-specific error code: PostgreSQL SQLSTATE, SQL Server error number, or a Node code. */
  readonly code: string | undefined;
  constructor(
    readonly sourceName: string,
    message: string,
    options?: { cause?: unknown; code?: string | undefined },
  ) {
    super(`source ${sourceName}: ${message}`, options);
    this.code = options?.code;
  }
}

/** A query's SQL names a parameter that was not supplied, or the reverse. */
export class QueryParameterError extends BdsError {}
