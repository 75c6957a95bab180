/**
 * When each stage last succeeded for a tenant, in `state/stage-success/<tenant>.json`
 * (`{"extract": "<ISO time>", ...}`): for monitoring, which alerts on a stage that has not
 * succeeded for too long whatever the runs in between did. A stage succeeds when it completes a
 * day (extract, aggregate) or a delivery pass ends with nothing failed (transmit).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomic';
import type { StageName } from './watermarks';

export type StageSuccess = Partial<Record<StageName, string>>;

/** The file of a tenant's last successes. */
export function stageSuccessPath(dataDir: string, tenant: string): string {
  return join(dataDir, 'state', 'stage-success', `${tenant}.json`);
}

/** The tenant's last success per stage; none when unreadable (it only feeds monitoring). */
export async function readStageSuccess(dataDir: string, tenant: string): Promise<StageSuccess> {
  try {
    const parsed = JSON.parse(await readFile(stageSuccessPath(dataDir, tenant), 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const out: StageSuccess = {};
    for (const stage of ['extract', 'aggregate', 'transmit'] as const) {
      const value = (parsed as Record<string, unknown>)[stage];
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) out[stage] = value;
    }
    return out;
  } catch {
    return {};
  }
}

/** Records that `stage` succeeded for the tenant at `at`. */
export async function recordStageSuccess(dataDir: string, tenant: string, stage: StageName, at: Date): Promise<void> {
  const own = { ...(await readStageSuccess(dataDir, tenant)), [stage]: at.toISOString() };
  await writeFileAtomic(stageSuccessPath(dataDir, tenant), JSON.stringify(own, null, 2) + '\n');
}
