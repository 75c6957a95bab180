/**
 * Reading BDS's own JSON files (watermarks, run records, staged records, manifests, the ledger,
 * ...) through the zod schema of their format. Each format has one schema, in the module that
 * owns the file; its TypeScript type is derived from it, so what is written and what is read
 * cannot drift apart. A file that does not fit (damaged, edited by hand, written by something
 * else) is refused with its path, the first field that is wrong and what to do.
 */
import type { z } from 'zod';
import { DiskFormatError } from './errors';

/** Why a file's text does not fit its format: the field (empty: the file as a whole) and how. */
export interface FormatProblem {
  readonly field: string;
  readonly reason: string;
}

/** The text read as `schema`, or the first problem. */
export type FormatResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: FormatProblem };

/** Parses JSON `text` and checks it against `schema`; never throws. */
export function parseFormat<S extends z.ZodType>(schema: S, text: string): FormatResult<z.output<S>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: { field: '', reason: `not valid JSON (${error instanceof Error ? error.message : String(error)})` } };
  }
  return checkFormat(schema, value);
}

/** Checks an already parsed value against `schema`; never throws. */
export function checkFormat<S extends z.ZodType>(schema: S, value: unknown): FormatResult<z.output<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue === undefined) return { ok: false, problem: { field: '', reason: 'does not fit its format' } };
  // A key the format does not have is named as the field itself: that is where to look.
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) {
    return { ok: false, problem: { field: formatIssuePath([...issue.path, issue.keys[0]]), reason: 'not a field of this file (written by something other than this BDS?)' } };
  }
  return { ok: false, problem: { field: formatIssuePath(issue.path), reason: issue.message } };
}

/** `<path>: field <field>: <reason>; <fix>` (or `<path>: <reason>; <fix>` for the file as a whole). */
export function formatProblemMessage(path: string, problem: FormatProblem, fix: string): string {
  return `${path}: ${problem.field === '' ? '' : `field ${problem.field}: `}${problem.reason}; ${fix}`;
}

/** A zod issue path as the messages write it: `window.start`, `periods[0]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/**
 * Parses the JSON file `path` (its `text`) as `schema`.
 *
 * @throws DiskFormatError naming the file, the field and `fix` when it does not fit.
 */
export function parseFormatOrThrow<S extends z.ZodType>(schema: S, text: string, path: string, fix: string): z.output<S> {
  const result = parseFormat(schema, text);
  if (!result.ok) throw new DiskFormatError(path, result.problem.field, formatProblemMessage(path, result.problem, fix));
  return result.value;
}
