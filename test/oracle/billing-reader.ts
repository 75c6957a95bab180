/**
 * Reads what a run wrote under `<dataDir>/billing/`, with a small RFC 4180 reader of its own
 * (billing-files.md: "RFC 4180 CSV, UTF-8 without BOM, \n line ends, one header row").
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The records of an RFC 4180 text: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** One billing file: its header and its rows as column → value. */
export interface BillingCsv {
  readonly header: readonly string[];
  readonly rows: readonly Readonly<Record<string, string>>[];
}

/** Every file under the billing folder: CSVs parsed, by path relative to the folder; the other paths listed. */
export async function readBillingTree(root: string): Promise<{ csv: Map<string, BillingCsv>; other: string[] }> {
  const csv = new Map<string, BillingCsv>();
  const other: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(root, sub), { withFileTypes: true });
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const path = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else if (path.endsWith('.csv')) {
        const [header = [], ...records] = parseCsv(await readFile(join(root, path), 'utf8'));
        csv.set(path, { header, rows: records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) });
      } else other.push(path);
    }
  };
  await walk('');
  return { csv, other };
}
