/**
 * `${env:NAME}` substitution (config.md): any string value of the configuration may hold one or
 * more references, alone or embedded (`postgres://u:${env:PW}@h/db`). Substitution runs once,
 * before validation, so every rule sees the final values; a substituted value is never expanded
 * again (a password may legitimately contain `${`).
 */
import type { PathSegment } from './errors';

/** One reference that was replaced, kept so the loader can tell which values are secrets. */
export interface EnvSubstitution {
  readonly path: readonly PathSegment[];
  readonly name: string;
  readonly value: string;
}

/** A reference that could not be replaced (malformed, or the variable is not set). */
export interface EnvProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

export interface EnvResult {
  /** The input with every resolvable reference replaced; a bad string is left as it was. */
  readonly value: unknown;
  readonly substitutions: readonly EnvSubstitution[];
  readonly problems: readonly EnvProblem[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OPENER = '${env:';
// Catches near misses such as `${ENV:X}` or `${ env:X}`: they would otherwise pass through as
// literal text and fail much later, e.g. as a wrong password.
const NEAR_MISS = /\$\{\s*env\b/gi;

/** True for a mapping parsed from YAML/JSON (not a list, a Date or null). */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]';
}

/**
 * Replaces `${env:NAME}` references in every string of `value` (mappings and lists are walked;
 * keys are left alone). Returns a new value; the input is not modified.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv): EnvResult {
  const substitutions: EnvSubstitution[] = [];
  const problems: EnvProblem[] = [];

  const walk = (node: unknown, path: readonly PathSegment[]): unknown => {
    if (typeof node === 'string') {
      return substituteString(node, path, env, substitutions, problems);
    }
    if (Array.isArray(node)) {
      return node.map((item: unknown, index) => walk(item, [...path, index]));
    }
    if (isPlainRecord(node)) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        // defineProperty: a key named __proto__ must stay a plain (reported) key, never a prototype.
        Object.defineProperty(out, key, { value: walk(child, [...path, key]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return node;
  };

  return { value: walk(value, []), substitutions, problems };
}

function substituteString(
  text: string,
  path: readonly PathSegment[],
  env: NodeJS.ProcessEnv,
  substitutions: EnvSubstitution[],
  problems: EnvProblem[],
): string {
  if (!text.includes('${')) {
    return text;
  }
  const before = problems.length;
  let out = '';
  let cursor = 0;
  for (;;) {
    const start = text.indexOf(OPENER, cursor);
    if (start < 0) {
      break;
    }
    const end = text.indexOf('}', start + OPENER.length);
    if (end < 0) {
      problems.push({ path, message: `malformed environment reference: "${OPENER}" is not closed by "}"` });
      break;
    }
    const name = text.slice(start + OPENER.length, end);
    if (!ENV_NAME.test(name)) {
      problems.push({
        path,
        message: `malformed environment reference "${OPENER}${name}}": the name must match [A-Za-z_][A-Za-z0-9_]*`,
      });
      cursor = end + 1;
      continue;
    }
    const resolved = env[name];
    if (resolved === undefined) {
      problems.push({ path, message: `environment variable ${name} is not set` });
    } else {
      substitutions.push({ path, name, value: resolved });
      out += text.slice(cursor, start) + resolved;
    }
    cursor = end + 1;
  }
  // Near misses are looked for in the original text only, so substituted values are never
  // inspected.
  for (const match of text.matchAll(NEAR_MISS)) {
    if (!text.startsWith(OPENER, match.index)) {
      problems.push({
        path,
        message: `malformed environment reference near "${match[0]}": write \${env:NAME}`,
      });
    }
  }
  if (problems.length > before) {
    return text;
  }
  return out + text.slice(cursor);
}
