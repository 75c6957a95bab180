/**
 * The billing-file listing: which billing files a tenant has, as its manifests say, and which
 * billing-file-like CSVs no manifest lists. Only manifests and folder entries are read, never a
 * CSV, so `bds status` can use it as cheaply as transmission does.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { describeError } from '../errors';
import { isTemporaryName } from '../files/atomic';
import { periodCode, periodFolder, type Period } from '../files/billing-file';
import { redact } from '../log/redact';
import { readMarks } from '../state/period-marks';
import { errorCode, ManifestError } from './errors';

/** A billing file as a manifest lists it. */
export interface ListedFile {
  readonly tenant: string;
  /** The manifest's period: `YYYY-MM-DD` or `YYYY-MM`. */
  readonly period: string;
  /** Path under `<dataDir>/billing/`, `/`-separated: the ledger's `file`. */
  readonly file: string;
  readonly name: string;
  /** `YYYY/MM`. */
  readonly folder: string;
  /** Absolute paths of the CSV and its side file. */
  readonly path: string;
  readonly checksumPath: string;
  /** The digest and size the manifest lists. */
  readonly sha256: string;
  readonly bytes: number;
}

/** The billing files of one tenant, from its manifests. */
export interface BillingListing {
  /** Oldest period first. */
  readonly files: readonly ListedFile[];
  /** Billing-file-like CSVs no manifest lists (e.g. a run that crashed before its manifest): never sent. */
  readonly unlisted: readonly string[];
  /** Manifests or folders that could not be read. */
  readonly problems: readonly { readonly path: string; readonly error: string }[];
}

const HEX64 = /^[0-9a-f]{64}$/;
// File names from a manifest become paths: anything that could climb out of the folder is refused.
const SAFE_CSV_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.csv$/;
const PERIOD_CODE = /^(D\d{8}|M\d{6})$/;

const listedFileSchema = z.object({
  name: z.string().regex(SAFE_CSV_NAME, { message: 'not a billing file name' }),
  sha256: z.string().regex(HEX64, { message: 'not a SHA-256 hex digest' }),
  bytes: z.number().int().min(0),
});

const manifestSchema = z.object({
  tenant: z.string(),
  period: z.string(),
  files: z.array(listedFileSchema),
  // Invoice detail files travel with their billing files: listed, delivered and verified alike.
  details: z.array(listedFileSchema).optional(),
});

async function folderNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw new ManifestError(dir, `cannot list the folder: ${describeError(error)}`, { cause: error });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Lists a tenant's billing files from the manifests under `<dataDir>/billing/<tenant>/`, oldest
 * period first (a month's days before the month). Reads no CSV.
 */
export async function listBillingFiles(dataDir: string, tenant: string, periods?: readonly Period[]): Promise<BillingListing> {
  const root = join(dataDir, 'billing', tenant);
  const files: ListedFile[] = [];
  const unlisted: string[] = [];
  const problems: { path: string; error: string }[] = [];
  const report = (path: string, error: unknown): void => {
    problems.push({ path, error: redact(describeError(error)) });
  };

  // YYYY/MM → the period codes wanted there (undefined: all).
  const folders = new Map<string, Set<string> | undefined>();
  if (periods === undefined) {
    try {
      for (const year of (await folderNames(root)).filter((n) => /^\d{4}$/.test(n))) {
        for (const month of (await folderNames(join(root, year))).filter((n) => /^\d{2}$/.test(n))) {
          folders.set(`${year}/${month}`, undefined);
        }
      }
    } catch (error) {
      report(`${tenant}/`, error);
    }
  } else {
    for (const period of periods) {
      const folder = periodFolder(period);
      const codes = folders.get(folder) ?? new Set<string>();
      codes.add(periodCode(period));
      folders.set(folder, codes);
    }
  }

  const manifestPrefix = `manifest_${tenant}_`;
  const billingName = new RegExp(`^CNT_.*_${escapeRegExp(tenant)}_(D\\d{8}|M\\d{6})\\.csv$`);
  for (const [folder, codes] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
    const dir = join(root, ...folder.split('/'));
    let entries: string[];
    try {
      entries = await folderNames(dir);
    } catch (error) {
      report(`${tenant}/${folder}/`, error);
      continue;
    }
    const listed = new Set<string>();
    for (const entry of entries) {
      if (!entry.startsWith(manifestPrefix) || !entry.endsWith('.json')) continue;
      const code = entry.slice(manifestPrefix.length, -'.json'.length);
      if (!PERIOD_CODE.test(code) || (codes !== undefined && !codes.has(code))) continue;
      const path = join(dir, entry);
      let manifest: z.infer<typeof manifestSchema>;
      try {
        manifest = manifestSchema.parse(JSON.parse(await readFile(path, 'utf8')));
        if (manifest.tenant !== tenant) throw new Error(`it belongs to tenant "${manifest.tenant}"`);
      } catch (error) {
        // Moved away between listing and reading: the customer's to do; its files are not listed.
        if (errorCode(error) === 'ENOENT') continue;
        report(`${tenant}/${folder}/${entry}`, new ManifestError(`${tenant}/${folder}/${entry}`, 'unreadable manifest', { cause: error }));
        continue;
      }
      for (const item of [...manifest.files, ...(manifest.details ?? [])]) {
        listed.add(item.name);
        files.push({
          tenant,
          period: manifest.period,
          file: `${tenant}/${folder}/${item.name}`,
          name: item.name,
          folder,
          path: join(dir, item.name),
          checksumPath: join(dir, `${item.name}.sha256`),
          sha256: item.sha256,
          bytes: item.bytes,
        });
      }
    }
    for (const entry of entries) {
      if (isTemporaryName(entry) || listed.has(entry)) continue;
      const match = billingName.exec(entry);
      if (match === null || (codes !== undefined && !codes.has(match[1] ?? ''))) continue;
      unlisted.push(`${tenant}/${folder}/${entry}`);
    }
  }
  return { files, unlisted, problems };
}

/** A listing with the files of held periods taken out, and what was taken. */
export interface TransmittableListing {
  readonly listing: BillingListing;
  /** The tenant's held periods (all of them, whether or not the listing had files of them). */
  readonly heldPeriods: readonly string[];
  /** Files taken out because their period is held. */
  readonly heldFiles: number;
}

/**
 * Lists a tenant's billing files as {@link listBillingFiles} does, without those of periods that
 * verification holds: a file verification found wrong is never sent (see lib/state/period-marks.ts).
 */
export async function listTransmittable(dataDir: string, tenant: string, periods?: readonly Period[]): Promise<TransmittableListing> {
  const listed = await listBillingFiles(dataDir, tenant, periods);
  const held = new Set(await readMarks(dataDir, 'held', tenant));
  const files = listed.files.filter((f) => !held.has(f.period));
  return { listing: { ...listed, files }, heldPeriods: [...held], heldFiles: listed.files.length - files.length };
}
