/**
 * When each stage last succeeded for a tenant, in `state/stage-success/<tenant>.json`
 * (`{"extract": "<ISO time>", ...}`): for monitoring, which alerts on a stage that has not
 * succeeded for too long whatever the runs in between did. A stage succeeds when it completes a
 * day (extract, aggregate) or a delivery pass ends with nothing failed (transmit).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic, type FileModes } from '../files/atomic';
import { parseFormat } from '../files/disk-format';
import type { StageName } from './watermarks';

const successTime = z.string().refine((t) => !Number.isNaN(Date.parse(t)), { error: 'expected an ISO 8601 time' });

/** The format of `state/stage-success/<tenant>.json`: per stage, when it last succeeded. */
export const stageSuccessSchema = z.strictObject({
  extract: successTime.optional(),
  aggregate: successTime.optional(),
  transmit: successTime.optional(),
}) satisfies z.ZodType<Partial<Record<StageName, string>>>;
export type StageSuccess = z.infer<typeof stageSuccessSchema>;

/** The file of a tenant's last successes. */
export function stageSuccessPath(dataDir: string, tenant: string): string {
  return join(dataDir, 'state', 'stage-success', `${tenant}.json`);
}

/** What reading a tenant's last successes found. */
export interface StageSuccessRead {
  readonly success: StageSuccess;
  /** Why the file was not used (it does not fit its format), naming the file and the field. */
  readonly problem?: string;
}

/**
 * The tenant's last success per stage. A missing file is none; a file that does not fit its
 * format is none too, with the problem (it only feeds monitoring, which must not stop a run,
 * but `bds status` says so rather than showing "never" in silence). The next success rewrites it.
 */
export async function readStageSuccessFile(dataDir: string, tenant: string): Promise<StageSuccessRead> {
  const path = stageSuccessPath(dataDir, tenant);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { success: {} };
  }
  const result = parseFormat(stageSuccessSchema, text);
  if (result.ok) return { success: result.value };
  const field = result.problem.field === '' ? '' : `field ${result.problem.field}: `;
  return { success: {}, problem: `${path}: ${field}${result.problem.reason}; the next success of each stage rewrites it (or delete it)` };
}

/** The tenant's last success per stage; none when missing or unreadable (see {@link readStageSuccessFile}). */
export async function readStageSuccess(dataDir: string, tenant: string): Promise<StageSuccess> {
  return (await readStageSuccessFile(dataDir, tenant)).success;
}

/** Records that `stage` succeeded for the tenant at `at`; the file is written with `modes`. */
export async function recordStageSuccess(dataDir: string, tenant: string, stage: StageName, at: Date, modes: FileModes): Promise<void> {
  const own: StageSuccess = { ...(await readStageSuccess(dataDir, tenant)), [stage]: at.toISOString() };
  await writeFileAtomic(stageSuccessPath(dataDir, tenant), JSON.stringify(own, null, 2) + '\n', modes);
}
