/**
 * Watermarks: per tenant and stage, the last day that stage completed. Kept in one file per
 * tenant, `state/watermarks/<tenant>.json`, replaced atomically (one file per tenant, so workers
 * of different tenants running at once never overwrite each other's). A watermark only moves forward one day at a
 * time (the day after it completed), so a gap can never be skipped; `bds watermark --set`
 * moves it anywhere, e.g. back to re-process.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalDate, TenantConfig } from '../config/types';
import { z } from 'zod';
import { writeFileAtomic, type FileModes } from '../files/atomic';
import { parseFormatOrThrow } from '../files/disk-format';
import { faultPoint } from '../faults';
import { addDays, isLocalDate } from '../time/calendar';
import { StateError } from './errors';

export const STAGES = ['extract', 'aggregate', 'transmit'] as const;
export type StageName = (typeof STAGES)[number];

const watermarkDate = z.string().refine(isLocalDate, { error: 'expected a date YYYY-MM-DD' });

/** The format of `state/watermarks/<tenant>.json`: per stage, the last day it completed. */
export const tenantWatermarksSchema = z.strictObject({
  extract: watermarkDate.optional(),
  aggregate: watermarkDate.optional(),
  transmit: watermarkDate.optional(),
});
export type TenantWatermarks = z.infer<typeof tenantWatermarksSchema>;

export type Watermarks = Record<string, TenantWatermarks>;

/** The watermarks file of a tenant. */
export function watermarksPath(dataDir: string, tenant: string): string {
  return join(dataDir, 'state', 'watermarks', `${tenant}.json`);
}

async function readTenant(dataDir: string, tenant: string): Promise<TenantWatermarks> {
  const path = watermarksPath(dataDir, tenant);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new StateError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseFormatOrThrow(tenantWatermarksSchema, text, path, `fix it, or set the watermarks again with \`bds watermark --tenant ${tenant}\``);
}

/** Reads every tenant's watermarks (empty when none was ever written). */
export async function readWatermarks(dataDir: string): Promise<Watermarks> {
  let names: string[];
  try {
    names = await readdir(join(dataDir, 'state', 'watermarks'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new StateError(`cannot read ${join(dataDir, 'state', 'watermarks')}: ${(error as Error).message}`, { cause: error });
  }
  const all: Watermarks = {};
  for (const name of names) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const tenant = name.slice(0, -'.json'.length);
    all[tenant] = await readTenant(dataDir, tenant);
  }
  return all;
}

/** Sets one watermark (null removes it); the file is written with `modes`. */
export async function setWatermark(dataDir: string, tenant: string, stage: StageName, date: LocalDate | null, modes: FileModes): Promise<void> {
  const current = await readTenant(dataDir, tenant);
  const { [stage]: _removed, ...others } = current;
  const own: TenantWatermarks = date === null ? others : { ...current, [stage]: date };
  faultPoint('watermark.before-write');
  await writeFileAtomic(watermarksPath(dataDir, tenant), JSON.stringify(own, null, 2) + '\n', modes);
  faultPoint('watermark.after-write');
}

/** The first day a stage still has to do for a tenant: the day after its watermark, or the production date. */
export function nextDay(tenant: TenantConfig, watermark: LocalDate | undefined): LocalDate {
  if (watermark === undefined || watermark < tenant.productionDate) return tenant.productionDate;
  return addDays(watermark, 1);
}

/**
 * Records that `stage` completed `date` for the tenant, moving the watermark only when `date`
 * is exactly the next day due (re-running an older day, or a day after a gap, leaves it).
 */
export async function advanceWatermark(dataDir: string, tenant: TenantConfig, stage: StageName, date: LocalDate, modes: FileModes): Promise<boolean> {
  const current = (await readTenant(dataDir, tenant.id))[stage];
  if (date !== nextDay(tenant, current)) return false;
  await setWatermark(dataDir, tenant.id, stage, date, modes);
  return true;
}
