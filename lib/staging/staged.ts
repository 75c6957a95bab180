/**
 * Staged datasets: the raw rows of one source dataset for one tenant and day, as gzip CSV under
 * `extract/<tenant>/<dataset>/<YYYY>/<MM>/<date>.csv.gz`. Next to each, `<date>.meta.json`
 * records the row count, size and SHA-256 of the compressed file; it is written last, so a
 * dataset without its record is unfinished, and a dataset that does not match its record is
 * corrupt. Aggregation reads only datasets that verify.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { z } from 'zod';
import type { LocalDate } from '../config/types';
import { BdsError, describeError } from '../errors';
import { FileWriteError } from '../files/errors';
import { DigestPassThrough } from '../files/digest';
import { createAtomicWriteStream, writeFileAtomic, type FileModes } from '../files/atomic';
import { formatProblemMessage, parseFormat } from '../files/disk-format';
import { isLocalDate } from '../time/calendar';
import { FAULT_ROW_INTERVAL, faultPoint } from '../faults';
import { StagedDatasetCorruptError, StagedDatasetMissingError } from './errors';
import { stagedCsvChunks } from './staged-csv';

export const STAGED_FORMAT = 'bds-staged/1';

/** A cell of a staged row: null is written as an empty field. */
export type StagedCell = string | number | null;

/** The format of the record kept next to a staged dataset (`<date>.meta.json`). */
export const stagedMetaSchema = z.strictObject({
  format: z.literal(STAGED_FORMAT, { error: `not a BDS staged record (expected format "${STAGED_FORMAT}")` }),
  tenant: z.string(),
  dataset: z.string(),
  date: z.string().refine(isLocalDate, { error: 'expected a date YYYY-MM-DD' }),
  columns: z.array(z.string()).readonly(),
  rows: z.number().int().min(0),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'not a SHA-256 hex digest' }),
  /** Which configured source it came from (`gim`, `config`, `gvp@US`). */
  source: z.string(),
  /** When the extraction finished (ISO 8601 UTC). */
  extractedAt: z.string(),
  /** For sources without history (Config DB): the moment the configuration was read. */
  snapshotAt: z.string().optional(),
  /** The UTC bounds (epoch seconds) of the day the rows were selected for. */
  window: z.strictObject({ start: z.number().int(), end: z.number().int() }).readonly(),
  /** Facts of the day the source had but the dataset leaves out, by reason (e.g. `orphanSessions`). */
  notes: z.record(z.string(), z.number()).readonly().optional(),
});
export type StagedMeta = Readonly<z.infer<typeof stagedMetaSchema>>;

export interface StagedLocation {
  readonly dataDir: string;
  readonly tenant: string;
  readonly dataset: string;
  readonly date: LocalDate;
}

/** Paths of a staged dataset and its record. */
export function stagedPaths(loc: StagedLocation): { data: string; meta: string } {
  const [year, month] = loc.date.split('-');
  const dir = join(loc.dataDir, 'extract', loc.tenant, loc.dataset, year ?? '', month ?? '');
  return { data: join(dir, `${loc.date}.csv.gz`), meta: join(dir, `${loc.date}.meta.json`) };
}

/** The digest of a tap whose stream has ended; its absence would be a bug, never a record to write. */
function finishedDigest(tap: DigestPassThrough): string {
  if (tap.sha256 === undefined) throw new Error('staged dataset digest read before its stream ended');
  return tap.sha256;
}

/**
 * Streams `rows` into the staged dataset, replacing any earlier one for the same day only once
 * everything is written. Returns its record. `info.notes` is read once the rows have ended (the
 * rows' producer may count into it as it goes); empty notes are left out of the record.
 */
export async function writeStagedDataset(
  loc: StagedLocation,
  columns: readonly string[],
  rows: AsyncIterable<readonly StagedCell[]>,
  info: { source: string; window: { start: number; end: number }; snapshotAt?: string; notes?: Readonly<Record<string, number>> },
  modes: FileModes,
): Promise<StagedMeta> {
  const paths = stagedPaths(loc);
  const out = await createAtomicWriteStream(paths.data, modes);
  let count = 0;
  const countRow = (): void => {
    count += 1;
    if (count % FAULT_ROW_INTERVAL === 0) faultPoint('extract.rows', loc.dataset);
  };
  const tap = new DigestPassThrough();
  try {
    await pipeline(
      Readable.from(stagedCsvChunks(columns, rows, countRow), { objectMode: false }),
      createGzip(),
      tap,
      out.stream,
    );
    faultPoint('extract.before-commit', loc.dataset);
    await out.commit();
  } catch (error) {
    await out.abort();
    // A failure of the file itself (disk full, file too large, permissions) names the file; a
    // failure of the source or of our own code keeps its own message.
    if (!(error instanceof BdsError) && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
      throw new FileWriteError(paths.data, `cannot write the staged dataset: ${describeError(error)}`, { cause: error });
    }
    throw error;
  }
  faultPoint('extract.after-commit', loc.dataset);
  const meta: StagedMeta = {
    format: STAGED_FORMAT,
    tenant: loc.tenant,
    dataset: loc.dataset,
    date: loc.date,
    columns: [...columns],
    rows: count,
    bytes: tap.bytes,
    sha256: finishedDigest(tap),
    source: info.source,
    extractedAt: new Date().toISOString(),
    window: info.window,
    ...(info.snapshotAt === undefined ? {} : { snapshotAt: info.snapshotAt }),
    ...(info.notes === undefined || Object.keys(info.notes).length === 0 ? {} : { notes: { ...info.notes } }),
  };
  await writeFileAtomic(paths.meta, JSON.stringify(meta, null, 2) + '\n', modes);
  faultPoint('extract.after-record', loc.dataset);
  return meta;
}

/** Reads the record of a staged dataset, or fails saying what to run. */
export async function readStagedMeta(loc: StagedLocation): Promise<StagedMeta> {
  const paths = stagedPaths(loc);
  let text: string;
  try {
    text = await readFile(paths.meta, 'utf8');
  } catch (error) {
    throw new StagedDatasetMissingError(
      `staged dataset ${loc.dataset} of tenant ${loc.tenant} for ${loc.date} has not been extracted ` +
        `(no ${paths.meta}); run \`bds run --date ${loc.date} --tenant ${loc.tenant}\``,
      { cause: error },
    );
  }
  const parsed = parseFormat(stagedMetaSchema, text);
  // Corrupt, not missing: aggregation in a run that extracts repairs it by extracting the day again.
  if (!parsed.ok) throw new StagedDatasetCorruptError(formatProblemMessage(paths.meta, parsed.problem, `extract ${loc.date} again`));
  const meta = parsed.value;
  if (meta.dataset !== loc.dataset || meta.date !== loc.date) {
    throw new StagedDatasetCorruptError(`${paths.meta} does not describe ${loc.dataset} for ${loc.date}; extract it again`);
  }
  return meta;
}

/** True when a staged dataset and its record exist (not verified). */
export async function stagedDatasetExists(loc: StagedLocation): Promise<boolean> {
  try {
    await readStagedMeta(loc);
    return true;
  } catch {
    return false;
  }
}

/**
 * Streams the rows of a verified staged dataset as arrays of strings in the record's column
 * order (empty string = NULL). The file's digest and row count are checked as it is read; a
 * mismatch throws at the end, before the consumer's loop completes, so nothing computed from a
 * corrupt dataset is ever used.
 */
export async function* readStagedRows(loc: StagedLocation, meta: StagedMeta): AsyncGenerator<readonly string[]> {
  const paths = stagedPaths(loc);
  const tap = new DigestPassThrough();
  const parser = parse({ relax_column_count: false });
  const source = createReadStream(paths.data);
  const flowing = pipeline(source, tap, createGunzip(), parser);
  // A failure of the pipeline is reported through the parser's iteration; this only avoids an
  // unhandled rejection when the consumer stops early.
  flowing.catch(() => undefined);
  let rows = 0;
  let header = true;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (header) {
        header = false;
        if (record.join(',') !== meta.columns.join(',')) {
          throw new StagedDatasetCorruptError(
            `${paths.data}: columns ${record.join(',')} differ from its record (${meta.columns.join(',')}); extract ${loc.date} again`,
          );
        }
        continue;
      }
      rows += 1;
      yield record;
    }
    await flowing;
  } catch (error) {
    if (error instanceof StagedDatasetCorruptError) throw error;
    throw new StagedDatasetCorruptError(`${paths.data} cannot be read (${describeError(error)}); extract ${loc.date} again`, {
      cause: error,
    });
  } finally {
    source.destroy();
    parser.destroy();
  }
  // The tap's digest is final once the pipeline has ended (awaited above).
  const digest = tap.sha256;
  if (digest !== meta.sha256 || tap.bytes !== meta.bytes || rows !== meta.rows) {
    throw new StagedDatasetCorruptError(
      `${paths.data} does not match its record (rows ${rows}/${meta.rows}, bytes ${tap.bytes}/${meta.bytes}); extract ${loc.date} again`,
    );
  }
}
