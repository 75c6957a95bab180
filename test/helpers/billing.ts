/** Reads billing files back for assertions. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

export interface BillingRow {
  readonly [column: string]: string;
}

/** Every billing CSV in a folder, by file name, parsed with its header. */
export async function readBillingFolder(folder: string): Promise<Map<string, BillingRow[]>> {
  const files = new Map<string, BillingRow[]>();
  for (const name of (await readdir(folder)).sort()) {
    if (!name.endsWith('.csv')) continue;
    const rows = parse<BillingRow>(await readFile(join(folder, name), 'utf8'), { columns: true });
    files.set(name, rows);
  }
  return files;
}

/** metric → region → measure → value, from parsed files. */
export function valuesOf(files: Map<string, BillingRow[]>): Record<string, Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, Record<string, number>>> = {};
  for (const rows of files.values()) {
    for (const row of rows) {
      const metric = (out[row.metric ?? ''] ??= {});
      const region = (metric[row.region ?? ''] ??= {});
      region[row.measure ?? ''] = Number(row.message_size);
    }
  }
  return out;
}
