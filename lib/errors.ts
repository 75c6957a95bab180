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
      parts.push(String(current));
      break;
    }
  }
  // A wrapper often quotes its cause already ("cannot connect to gim: connect ECONNREFUSED ..."):
  // a cause whose message an outer one contains adds nothing but a repetition.
  return parts.filter((p, i) => p.length > 0 && !parts.slice(0, i).some((outer) => outer.includes(p))).join(': ');
}

/** The command line is wrong (unknown command or option, bad value): exit 64. */
export class UsageError extends BdsError {}
