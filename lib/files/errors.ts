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

/**
 * One of BDS's own files does not fit its format (damaged, edited by hand, or not BDS's). The
 * message names the file, the field and the fix.
 */
export class DiskFormatError extends BdsError {
  constructor(
    readonly path: string,
    /** The first field that is wrong (`window.start`, `periods[0]`); empty for the file as a whole. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
