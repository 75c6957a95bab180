import { BdsError } from '../errors';

/** A handler event or a command's request that cannot be served (bad field, unknown tenant). */
export class RequestError extends BdsError {
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}
