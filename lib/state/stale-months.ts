/**
 * Stale months: months whose monthly files no longer agree with their days, because a day of the
 * month was aggregated again after the month had been rolled up (a re-run, a backfill, a repaired
 * dataset). Kept per tenant in `state/stale-months/<tenant>.json`, replaced atomically.
 *
 * A month is marked before the day that makes it stale is written, and unmarked only once its
 * files have been rebuilt: a run that dies in between leaves the mark, and the next run rebuilds
 * the month. Until then `bds status` lists it as a problem.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../files/atomic';
import { StateError } from './errors';

const staleMonthsSchema = z.object({ months: z.array(z.string().regex(/^\d{4}-\d{2}$/)) });

/** The stale-months file of a tenant. */
export function staleMonthsPath(dataDir: string, tenant: string): string {
  return join(dataDir, 'state', 'stale-months', `${tenant}.json`);
}

/** The tenant's stale months (`YYYY-MM`), oldest first; none when the file does not exist. */
export async function readStaleMonths(dataDir: string, tenant: string): Promise<string[]> {
  const path = staleMonthsPath(dataDir, tenant);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StateError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return [...staleMonthsSchema.parse(JSON.parse(text)).months].sort();
  } catch (error) {
    // Deleting the file would forget months whose files are wrong: the operator must look.
    throw new StateError(`${path} is not a list of months; fix it, or run \`bds backfill\` over the months it named and delete it`, {
      cause: error,
    });
  }
}

async function writeStaleMonths(dataDir: string, tenant: string, months: readonly string[]): Promise<void> {
  const sorted = [...new Set(months)].sort();
  await writeFileAtomic(staleMonthsPath(dataDir, tenant), JSON.stringify({ months: sorted }, null, 2) + '\n');
}

/** Marks a month stale (no write when it already is). */
export async function markMonthStale(dataDir: string, tenant: string, month: string): Promise<void> {
  const months = await readStaleMonths(dataDir, tenant);
  if (months.includes(month)) return;
  await writeStaleMonths(dataDir, tenant, [...months, month]);
}

/** Records that a month's files were rebuilt (no write when it was not marked). */
export async function clearStaleMonth(dataDir: string, tenant: string, month: string): Promise<void> {
  const months = await readStaleMonths(dataDir, tenant);
  if (!months.includes(month)) return;
  await writeStaleMonths(dataDir, tenant, months.filter((m) => m !== month));
}
