/**
 * Source warnings: what the last extraction of a day noticed about the tenant's sources that
 * makes its files suspect without making them wrong by rule (a listed switch the Config DB does
 * not have, a source that gave no rows at all for the day). Kept per tenant in
 * `state/source-warnings/<tenant>.json` as day → source → messages, so `bds status` keeps showing
 * them after the log has scrolled away. Extracting a day again replaces what its sources said;
 * only the most recent {@link KEPT_DAYS} days are kept.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic, type FileModes } from '../files/atomic';
import { parseFormatOrThrow } from '../files/disk-format';
import { StateError } from './errors';

/** Days of warnings kept per tenant (the newest ones). */
export const KEPT_DAYS = 62;

/** The format of `state/source-warnings/<tenant>.json`: day → source → messages. */
export const sourceWarningsSchema = z.strictObject({
  days: z.record(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a day YYYY-MM-DD' }), z.record(z.string(), z.array(z.string()).readonly())),
});
export type SourceWarningsFile = z.infer<typeof sourceWarningsSchema>;

export type SourceWarnings = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

/** The file of a tenant's source warnings. */
export function sourceWarningsPath(dataDir: string, tenant: string): string {
  return join(dataDir, 'state', 'source-warnings', `${tenant}.json`);
}

/** The tenant's warnings, day → source → messages; none when the file does not exist. */
export async function readSourceWarnings(dataDir: string, tenant: string): Promise<SourceWarnings> {
  const path = sourceWarningsPath(dataDir, tenant);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new StateError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseFormatOrThrow(sourceWarningsSchema, text, path, 'delete it (the next extraction of each day writes it again)').days;
}

/**
 * Records what one extraction of `date` found for the sources it read (`bySource`: every source
 * read, with no messages when all was well), replacing what those sources said about that day
 * before. Does not write when nothing changes.
 */
export async function recordSourceWarnings(
  dataDir: string,
  tenant: string,
  date: string,
  bySource: Readonly<Record<string, readonly string[]>>,
  modes: FileModes,
): Promise<void> {
  const days = new Map<string, Readonly<Record<string, readonly string[]>>>(Object.entries(await readSourceWarnings(dataDir, tenant)));
  const before = JSON.stringify(Object.fromEntries(days));
  const today = new Map<string, readonly string[]>(Object.entries(days.get(date) ?? {}));
  for (const [source, messages] of Object.entries(bySource)) {
    if (messages.length === 0) today.delete(source);
    else today.set(source, [...messages]);
  }
  if (today.size === 0) days.delete(date);
  else days.set(date, Object.fromEntries(today));
  const kept = [...days.keys()].sort().slice(-KEPT_DAYS);
  const pruned = Object.fromEntries(kept.map((day) => [day, days.get(day) ?? {}]));
  if (JSON.stringify(pruned) === before) return;
  const file: SourceWarningsFile = { days: pruned };
  await writeFileAtomic(sourceWarningsPath(dataDir, tenant), JSON.stringify(file, null, 2) + '\n', modes);
}

/** The warnings as lines for `bds status`, newest day first. */
export function sourceWarningLines(warnings: SourceWarnings): string[] {
  return Object.keys(warnings)
    .sort()
    .reverse()
    .flatMap((day) => Object.entries(warnings[day] ?? {}).flatMap(([source, messages]) => messages.map((m) => `${day} ${source}: ${m}`)));
}
