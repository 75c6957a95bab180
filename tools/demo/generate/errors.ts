/** The demo generator's errors: unusable options and failed writes. */
import { BdsError } from '../../../lib/errors';
import type { TableName } from './tables';

/** The options are unusable (bad month, duplicate keys, out-of-range numbers, unknown zone). */
export class GenerateOptionsError extends BdsError {}

/** Writing generated rows to the database failed. */
export class ActivityLoadError extends BdsError {
  constructor(
    readonly table: TableName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`loading ${table}: ${message}`, options);
  }
}
