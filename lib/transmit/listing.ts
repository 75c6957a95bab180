/**
 * The billing-file listing: which billing files a tenant has, as its manifests say, and which
 * billing-file-like CSVs no manifest lists. Only manifests and folder entries are read, never a
 * CSV, so `bds status` can use it as cheaply as transmission does.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../errors';
import { isTemporaryName } from '../files/atomic';
import { periodCode, periodFolder, type Period } from '../files/billing-file';
import { parseFormat } from '../files/disk-format';
import { manifestSchema, type Manifest } from '../files/manifest';
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

const PERIOD_CODE = /^(D\d{8}|M\d{6})$/;

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
  // Not redacted here: the callers print or return the problems, and redact with their
  // runtime's secrets (transmit.ts, the CLI).
  const report = (path: string, error: unknown): void => {
    problems.push({ path, error: describeError(error) });
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
      const shown = `${tenant}/${folder}/${entry}`;
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        // Moved away between listing and reading: the customer's to do; its files are not listed.
        if (errorCode(error) === 'ENOENT') continue;
        report(shown, new ManifestError(shown, 'unreadable manifest', { cause: error }));
        continue;
      }
      const parsed = parseFormat(manifestSchema, text);
      if (!parsed.ok) {
        const field = parsed.problem.field === '' ? '' : `field ${parsed.problem.field}: `;
        report(shown, new ManifestError(shown, `unreadable manifest: ${field}${parsed.problem.reason}; process the period again to rewrite it`));
        continue;
      }
      const manifest: Manifest = parsed.value;
      if (manifest.tenant !== tenant) {
        report(shown, new ManifestError(shown, `unreadable manifest: field tenant: it belongs to tenant "${manifest.tenant}"; move it to that tenant's folder, or process the period again`));
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
