import { BdsError } from '../errors';

/**
 * `bds verify` could not do its work (a value it cannot put into SQL, a query that returned
 * something no reference query can return). A source that cannot be reached is a SourceError.
 */
export class VerifyError extends BdsError {}
