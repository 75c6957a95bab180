import { BdsError } from '../errors';

/** One thing wrong with the configuration file. */
export interface ConfigProblem {
  /** Key path such as `tenants[0].regions[1].locations[0].code`; empty for the file as a whole. */
  readonly path: string;
  /** What is wrong, and where possible the fix. Never contains a secret value. */
  readonly message: string;
}

/** A segment of a key path: a mapping key or a list index. */
export type PathSegment = string | number;

/** A problem before its path is rendered (the loader sorts problems by file position). */
export interface RawProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

// Keys that are plain identifiers print as `.key`; anything else (a typo with a space or a dot)
// is quoted so the path stays unambiguous.
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Renders path segments the way every message writes them: `tenants[0].regions[1].code`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else if (PLAIN_KEY.test(segment)) {
      out += out === '' ? segment : `.${segment}`;
    } else {
      out += `[${JSON.stringify(segment)}]`;
    }
  }
  return out;
}

/** Renders one problem as `path: message` (or just the message for the file as a whole). */
export function formatProblem(problem: ConfigProblem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
}

/**
 * The configuration file is missing, unreadable or invalid. The CLI exits with code 78
 * (`ExitCode.config`). The message lists every problem, one per line; the first line reads
 * `invalid configuration <file>: <first problem>`.
 */
export class ConfigError extends BdsError {
  constructor(
    /** Absolute path of the configuration file. */
    readonly configPath: string,
    /** Every problem found, in file order where known; never empty. */
    readonly problems: readonly ConfigProblem[],
    options?: { cause?: unknown },
  ) {
    super(renderMessage(configPath, problems), options);
  }
}

function renderMessage(configPath: string, problems: readonly ConfigProblem[]): string {
  const [first, ...rest] = problems;
  const head = `invalid configuration ${configPath}: ${first === undefined ? 'unknown problem' : formatProblem(first)}`;
  return [head, ...rest.map(formatProblem)].join('\n');
}
