import { BdsError } from '../errors';

/**
 * A string that should be a calendar date (`YYYY-MM-DD`) or month (`YYYY-MM`) is malformed or
 * names a day that does not exist, or date arithmetic left the supported years 0000–9999.
 */
export class InvalidDateError extends BdsError {
  constructor(
    /** The offending value, as given. */
    readonly value: string,
    message: string,
  ) {
    super(message);
  }
}

/** A duration such as `1h30m` in the configuration or on the command line is malformed. */
export class InvalidDurationError extends BdsError {
  constructor(
    /** The offending value, as given. */
    readonly value: string,
    message: string,
    /**
     * True when the value is well formed but more seconds than a safe integer holds: callers
     * with bounds of their own report it as "too long" rather than as malformed.
     */
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/** A time zone name is not one the runtime's `Intl` knows (it must be an IANA name). */
export class UnknownTimeZoneError extends BdsError {
  constructor(readonly zone: string) {
    super(
      `unknown time zone ${JSON.stringify(zone)}: expected an IANA time zone name such as ` +
        `"UTC", "Europe/Berlin" or "America/New_York"`,
    );
  }
}

/**
 * An instant is not a whole number of epoch seconds within the years 0000–9999. This is a
 * programming error, never a configuration one.
 */
export class InvalidInstantError extends BdsError {
  constructor(readonly value: number) {
    super(
      `invalid instant ${String(value)}: expected whole epoch seconds within the years 0000–9999`,
    );
  }
}

/** `BDS_NOW` is set but is not an ISO 8601 time with its zone. */
export class InvalidClockError extends BdsError {
  constructor(
    /** The variable's value, as given. */
    readonly value: string,
    options?: { cause?: unknown },
  ) {
    super(
      `BDS_NOW=${JSON.stringify(value)} is not an ISO 8601 time with its zone (e.g. 2026-11-26T06:00:00Z); unset it to use the clock`,
      options,
    );
  }
}
