/**
 * Every message of the configuration's shape checks, never zod's default English: an operator
 * reads them as `path: what is wrong (and the fix)`. Also the suggestions ("did you mean")
 * shared with the rules, and the description of a value that never echoes it.
 *
 * Nothing here knows the schemas themselves (shapes.ts imports this module): the one function
 * that walks a schema, for the keys to suggest, is given it.
 */
import * as z from 'zod';
import { isPlainRecord } from './env';
import type { PathSegment, RawProblem } from './errors';

/** The message for a required key that is absent (also the start of longer messages). */
export const MISSING_KEY = 'required key is missing';

/**
 * Keys whose values are secrets: a message about one never echoes its value, and an environment
 * value substituted into one is a secret too.
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['password', 'connectionString', 'accessKeyId', 'secretAccessKey', 'passphrase']);

/** Describes a value's kind for messages, without echoing strings (they may be secrets). */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (value === null) {
    return 'an empty value';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (value instanceof Date) {
    return 'a date';
  }
  if (isPlainRecord(value)) {
    return 'a mapping';
  }
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : 'a string';
    case 'number':
    case 'boolean':
      return String(value);
    default:
      return typeof value;
  }
}

/** The candidate closest to `word` (case-insensitive edit distance), if close enough. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

// Optimal string alignment distance: a swapped pair of letters ('nmae') counts as one edit.
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row: number[] = [];
    for (let j = 0; j <= b.length; j += 1) {
      if (i === 0 || j === 0) {
        row.push(i + j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const above = rows[i - 1] ?? [];
      let value = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(value);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/** ` (did you mean "x"?)` for the candidate closest to `word`, or '' when none is close. */
export function suggestion(word: string, candidates: readonly string[]): string {
  const near = closest(word, candidates);
  return near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`;
}

/** The message for a key the schema does not know. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const near = closest(key, known);
  if (near !== undefined) {
    return `unknown key (did you mean ${JSON.stringify(near)}?)`;
  }
  return known.length === 0 ? 'unknown key' : `unknown key (expected one of: ${known.join(', ')})`;
}
// ---------------------------------------------------------------------------------------------
// zod issues → problems
// ---------------------------------------------------------------------------------------------

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  date: 'a date',
};

/**
 * The error map handed to `safeParse`: writes the message of every issue whose schema did not
 * bring its own. Unknown keys are rewritten per key by `issuesToProblems`.
 */
export function issueMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) {
        return MISSING_KEY;
      }
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${
        typeof issue.input === 'string' ? JSON.stringify(issue.input) : describeValue(issue.input)
      }`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) {
        return 'must not be empty';
      }
      if (issue.origin === 'array' && Number(issue.minimum) === 1) {
        return 'must list at least one entry';
      }
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_format':
      return 'has an invalid format';
    case 'unrecognized_keys':
      return 'unknown key';
    case 'invalid_union':
      return `unexpected ${describeValue(issue.input)}`;
    default:
      return 'invalid value';
  }
}

/**
 * Turns zod's issues into problems, one per unknown key, with a suggestion where one is near.
 * `schema` is the one the issues came from: its keys are the suggestions.
 */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): RawProblem[] {
  const problems: RawProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, path);
      for (const key of issue.keys) {
        problems.push({ path: [...path, key], message: unknownKeyMessage(key, known) });
      }
    } else if (issue.code === 'invalid_type' && SECRET_KEYS.has(String(path[path.length - 1])) && issue.message !== MISSING_KEY) {
      // The usual message echoes numbers and booleans ("got 123456"): an unquoted numeric
      // password would be printed. Only strings are registered as secrets, so say less here.
      problems.push({ path, message: 'expected a string (quote a value that looks like a number or true/false)' });
    } else if (issue.code === 'invalid_union') {
      // A value that has the shape of one alternative (a mapping for `ssl`) and fails inside it:
      // the key inside is what to name, not the union as a whole.
      const inner = issue.errors.find((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
      if (inner === undefined) {
        problems.push({ path, message: issue.message });
      } else {
        problems.push(...issuesToProblems(inner.map((i) => ({ ...i, path: [...issue.path, ...i.path] })), schema));
      }
    } else {
      problems.push({ path, message: issue.message });
    }
  }
  return problems;
}

/** The keys a strict object of the schema accepts at `path` (for "did you mean"). */
function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let current: z.ZodType | undefined = schema;
  for (const segment of path) {
    current = current === undefined ? undefined : child(unwrap(current), segment);
  }
  const target = current === undefined ? undefined : asObject(unwrap(current));
  return target === undefined ? [] : Object.keys(target.shape);
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

function asObject(schema: z.ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) {
    return schema;
  }
  if (schema instanceof z.ZodUnion) {
    const options = schema.options as readonly z.ZodType[];
    return options.find((o): o is z.ZodObject => o instanceof z.ZodObject);
  }
  return undefined;
}

function child(schema: z.ZodType, segment: PathSegment): z.ZodType | undefined {
  if (schema instanceof z.ZodArray) {
    return schema.element as z.ZodType;
  }
  if (schema instanceof z.ZodRecord) {
    return schema.valueType as z.ZodType;
  }
  const object = asObject(schema);
  return object === undefined ? undefined : (object.shape[String(segment)] as z.ZodType | undefined);
}

