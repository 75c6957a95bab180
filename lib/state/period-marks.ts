/**
 * Period marks: small per-tenant sets of billing periods that are in a state the operator must
 * know about, kept in `state/<kind>/<tenant>.json` and replaced atomically.
 *
 * - `stale-months`: months whose monthly files no longer agree with their days, because a day of
 *   the month was aggregated again after the month was rolled up (a re-run, a backfill, a
 *   repaired dataset). A month is marked before the day that makes it stale is written, and
 *   unmarked once its files are rebuilt: a run that dies in between leaves the mark, and the
 *   next run rebuilds the month.
 * - `held`: periods (`YYYY-MM-DD` or `YYYY-MM`) whose files `verify: true` found different from
 *   the values recomputed in the sources. Their files are not transmitted until the period is
 *   processed again and verifies.
 *
 * Until a mark is cleared, `bds status` lists it as a problem.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic, type FileModes } from '../files/atomic';
import { parseFormatOrThrow } from '../files/disk-format';
import { StateError } from './errors';

export type MarkKind = 'stale-months' | 'held';

/** The format of `state/<kind>/<tenant>.json`, per kind: the marked periods. */
export const MARKS_SCHEMAS = {
  'stale-months': z.strictObject({ periods: z.array(z.string().regex(/^\d{4}-\d{2}$/, { error: 'expected a month YYYY-MM' })) }),
  held: z.strictObject({ periods: z.array(z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, { error: 'expected a period YYYY-MM-DD or YYYY-MM' })) }),
} as const satisfies Record<MarkKind, z.ZodType>;
export type MarksFile = z.infer<(typeof MARKS_SCHEMAS)[MarkKind]>;

/** The file of one kind of mark for a tenant. */
export function marksPath(dataDir: string, kind: MarkKind, tenant: string): string {
  return join(dataDir, 'state', kind, `${tenant}.json`);
}

/** The tenant's marked periods of a kind, sorted; none when the file does not exist. */
export async function readMarks(dataDir: string, kind: MarkKind, tenant: string): Promise<string[]> {
  const path = marksPath(dataDir, kind, tenant);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StateError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  // Ignoring the file would forget periods whose files are wrong: the operator must look.
  const marks = parseFormatOrThrow(MARKS_SCHEMAS[kind], text, path, 'fix it, or process the periods it named again and delete it');
  return [...marks.periods].sort();
}

async function writeMarks(dataDir: string, kind: MarkKind, tenant: string, periods: readonly string[], modes: FileModes): Promise<void> {
  const file: MarksFile = { periods: [...new Set(periods)].sort() };
  await writeFileAtomic(marksPath(dataDir, kind, tenant), JSON.stringify(file, null, 2) + '\n', modes);
}

/** Marks a period (no write when it already is); the file is written with `modes`. */
export async function addMark(dataDir: string, kind: MarkKind, tenant: string, period: string, modes: FileModes): Promise<void> {
  const periods = await readMarks(dataDir, kind, tenant);
  if (periods.includes(period)) return;
  await writeMarks(dataDir, kind, tenant, [...periods, period], modes);
}

/** Clears a period's mark (no write when it was not marked); the file is written with `modes`. */
export async function clearMark(dataDir: string, kind: MarkKind, tenant: string, period: string, modes: FileModes): Promise<void> {
  const periods = await readMarks(dataDir, kind, tenant);
  if (!periods.includes(period)) return;
  await writeMarks(dataDir, kind, tenant, periods.filter((p) => p !== period), modes);
}
