import { inspect } from 'node:util';

/**
 * Base class of every error BDS raises on purpose. Each module has its own `errors.ts` with
 * subclasses; the CLI maps them to exit codes. `cause` keeps the underlying error for logs.
 */
export class BdsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The exit codes of the `bds` command (operation.md, "Exit codes"). */
export const ExitCode = {
  ok: 0,
  other: 1,
  transmit: 2,
  aggregate: 4,
  extract: 8,
  usage: 64,
  /** `bds verify` found differences between the billing files and the sources. */
  verifyDifferences: 65,
  locked: 75,
  config: 78,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Renders an error and its causes on one line, e.g. for a log field. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    if (current instanceof Error) {
      parts.push(current.message);
      current = current.cause;
    } else {
      parts.push(valueText(current));
      break;
    }
  }
  // A wrapper often quotes its cause already ("cannot connect to gim: connect ECONNREFUSED ..."):
  // a cause whose message an outer one contains adds nothing but a repetition.
  return parts.filter((p, i) => p.length > 0 && !parts.slice(0, i).some((outer) => outer.includes(p))).join(': ');
}

/**
 * A value from outside (a thrown non-error, a database cell) as text for a message: a primitive
 * as String() gives it, an object as util.inspect shows it, where String() would print
 * "[object Object]".
 */
export function valueText(value: unknown): string {
  return typeof value === 'object' && value !== null ? inspect(value, { depth: 2, breakLength: Infinity }) : String(value);
}

/**
 * The `code` of an error, if it has a string one: a Node.js system error's (`ENOENT`,
 * `ECONNREFUSED`), a PostgreSQL SQLSTATE (`28P01`, `57P01`), a driver's (`ELOGIN`) or a
 * `SourceError`'s. The one way every module reads codes.
 */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/**
 * The code of an error for a log line: its own, else the nearest cause's (a wrapper such as
 * "day failed" often has none while the driver error it wraps has the SQLSTATE), looking as deep
 * as `describeError` does.
 */
export function nearestErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    const code = errorCode(current);
    if (code !== undefined && code !== '') return code;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

/** The command line is wrong (unknown command or option, bad value): exit 64. */
export class UsageError extends BdsError {}
