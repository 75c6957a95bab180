/**
 * Compares recomputed values with the billing files on disk: each value is the `message_size` of
 * the row of its measure in the file of its metric, region and period
 * (`<dataDir>/billing/<tenant>/<YYYY>/<MM>/CNT_<REGION>_PES_<METRIC>_<GARN>_<TENANT>_<PERIOD>.csv`).
 * A missing file, a missing row and a file that cannot be read are differences too.
 * Pure except for the file reader it is given; unit-tested in test/unit/verify-compare.test.ts.
 */
import { readFile as fsReadFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { BdsConfig, TenantConfig } from '../config/types';
import { describeError } from '../errors';
import { billingFileName, type Period } from '../files/billing-file';
import { billingFolder } from '../files/period-writer';
import type { SourceValue } from './compute';

/** Why a value differs. */
export type DifferenceReason =
  /** the file holds another number */
  | 'value'
  /** there is no such file */
  | 'missing-file'
  /** the file has no row for the measure */
  | 'missing-row'
  /** the file is not a billing CSV BDS can read, or the row's `message_size` is not a non-negative integer */
  | 'unreadable';

export interface VerifyDifference {
  readonly tenant: string;
  readonly region: string;
  readonly metric: string;
  readonly measure: string;
  /** `YYYY-MM-DD` or `YYYY-MM`. */
  readonly period: string;
  readonly periodType: 'daily' | 'monthly';
  /** The file's name (in `<dataDir>/billing/<tenant>/<YYYY>/<MM>/`). */
  readonly file: string;
  /** null: the file or the row is missing, or unreadable. */
  readonly fileValue: number | null;
  readonly sourceValue: number;
  readonly reason: DifferenceReason;
  /** For `unreadable`: what is wrong. */
  readonly detail?: string;
}

/** Reads a file's text; undefined when it does not exist. */
export type FileReader = (path: string) => Promise<string | undefined>;

/** The default reader: the local disk. */
export const readLocalFile: FileReader = async (path) => {
  try {
    return await fsReadFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** What one billing file says: measure → message_size text, or why it cannot be read. */
export type ParsedBillingFile = { readonly ok: true; readonly sizes: ReadonlyMap<string, string> } | { readonly ok: false; readonly detail: string };

/** Parses a billing CSV (header row, one row per measure) into measure → `message_size`. */
export function parseBillingFile(text: string): ParsedBillingFile {
  let records: Record<string, string>[];
  try {
    records = parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true });
  } catch (error) {
    return { ok: false, detail: `not a CSV file: ${describeError(error)}` };
  }
  const sizes = new Map<string, string>();
  for (const record of records) {
    const measure = record.measure;
    const size = record.message_size;
    if (measure === undefined || size === undefined) return { ok: false, detail: 'no measure or message_size column' };
    if (sizes.has(measure)) return { ok: false, detail: `two rows for measure ${measure}` };
    sizes.set(measure, size);
  }
  return { ok: true, sizes };
}

function periodOf(value: SourceValue): Period {
  return value.periodType === 'daily' ? { type: 'daily', date: value.period } : { type: 'monthly', month: value.period };
}

/**
 * Compares every value with its file. Returns how many values were compared and the differences,
 * in the order of `values`.
 */
export async function compareWithFiles(options: {
  readonly config: BdsConfig;
  readonly tenant: TenantConfig;
  readonly values: readonly SourceValue[];
  readonly readFile?: FileReader;
}): Promise<{ compared: number; differences: VerifyDifference[] }> {
  const { config, tenant } = options;
  const read = options.readFile ?? readLocalFile;
  const files = new Map<string, ParsedBillingFile | undefined>();
  const differences: VerifyDifference[] = [];
  for (const value of options.values) {
    const period = periodOf(value);
    const name = billingFileName({ region: value.region, metric: value.metric, garn: config.customer.garn, tenant: tenant.id, period });
    const path = join(billingFolder(config.dataDir, tenant.id, period), name);
    if (!files.has(path)) {
      const text = await read(path);
      files.set(path, text === undefined ? undefined : parseBillingFile(text));
    }
    const parsed = files.get(path);
    // Fields in the documented order (README, "Verifying the numbers").
    const differ = (fileValue: number | null, reason: DifferenceReason, detail?: string): void => {
      differences.push({
        tenant: tenant.id,
        region: value.region,
        metric: value.metric,
        measure: value.measure,
        period: value.period,
        periodType: value.periodType,
        file: name,
        fileValue,
        sourceValue: value.value,
        reason,
        ...(detail === undefined ? {} : { detail }),
      });
    };
    if (parsed === undefined) {
      differ(null, 'missing-file');
      continue;
    }
    if (!parsed.ok) {
      differ(null, 'unreadable', parsed.detail);
      continue;
    }
    const size = parsed.sizes.get(value.measure);
    if (size === undefined) {
      differ(null, 'missing-row');
      continue;
    }
    const fileValue = /^\d+$/.test(size) ? Number(size) : Number.NaN;
    if (!Number.isSafeInteger(fileValue)) {
      differ(null, 'unreadable', `message_size ${JSON.stringify(size)} is not a non-negative integer`);
      continue;
    }
    if (fileValue !== value.value) differ(fileValue, 'value');
  }
  return { compared: options.values.length, differences };
}
