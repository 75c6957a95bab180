import { BdsError } from '../errors';

/** The command line is wrong (unknown command or option, bad value): exit 64. */
export class UsageError extends BdsError {}
