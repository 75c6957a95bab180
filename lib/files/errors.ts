import { BdsError } from '../errors';

/** A file could not be written, renamed or read where BDS keeps its data. */
export class FileWriteError extends BdsError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}
