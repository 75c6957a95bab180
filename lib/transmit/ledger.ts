/**
 * The delivery ledger, `<dataDir>/state/ledger.jsonl`: one JSON line per delivery of a billing
 * file to a destination. A line is written (and flushed to disk) only after the delivery was
 * verified, so the ledger never claims more than happened; whatever a crash loses is found again
 * at the destination by the next run (an object or copy with the same digest is not re-sent).
 *
 * A crash in the middle of an append can leave a torn last line. Reading ignores it; the next
 * append repairs it first. A last line that is a complete record and only lacks its newline is
 * kept: the delivery it records did happen.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { describeError } from '../errors';
import { ensureDir, fsyncDirectory, type FileModes } from '../files/atomic';
import { parseFormat, type FormatProblem } from '../files/disk-format';
import { errorCode, LedgerError } from './errors';

/** The format of one ledger line: one delivery of one billing file to one destination. */
export const ledgerRecordSchema = z.strictObject({
  /** The file's path under `<dataDir>/billing/`, with `/` separators: `acme/2026/11/CNT_..._D20261125.csv`. */
  file: z.string().min(1),
  /** The destination's id: `s3://bucket/prefix` or `copy:/abs/path`. */
  destination: z.string().min(1),
  /** Where it went at the destination: the S3 key, or the copy's absolute path. */
  target: z.string().min(1),
  /** SHA-256 (hex) of the delivered bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'not a SHA-256 hex digest' }),
  bytes: z.number().int().min(0),
  /** ISO 8601 UTC time the delivery was verified. */
  deliveredAt: z.string().min(1),
});
export type LedgerRecord = Readonly<z.infer<typeof ledgerRecordSchema>>;

/** What reading the ledger found. */
export interface LedgerContents {
  readonly records: readonly LedgerRecord[];
  /** The bytes after the last complete line when a crash tore it; ignored, repaired on the next append. */
  readonly tornTail?: string;
}


const NEWLINE = 0x0a;
// Reading backwards for the last newline: one record is a few hundred bytes, so one chunk does.
const TAIL_CHUNK = 64 * 1024;

/** The ledger's path in a data directory. */
export function ledgerPath(dataDir: string): string {
  return join(dataDir, 'state', 'ledger.jsonl');
}

function parseRecord(line: string): { record: LedgerRecord } | { problem: FormatProblem } {
  const parsed = parseFormat(ledgerRecordSchema, line);
  return parsed.ok ? { record: parsed.value } : { problem: parsed.problem };
}

function keyOf(file: string, destination: string): string {
  // Newlines cannot occur in either (paths and ids come from our own names), so they separate safely.
  return `${destination}\n${file}`;
}

/**
 * The digest last delivered of each (destination, file), from records in ledger order: what the
 * destination holds now. A file that went back to an earlier digest (A, then B, then A again)
 * is not delivered until A is sent again, whatever was delivered before B.
 */
export function latestDeliveries(records: readonly Pick<LedgerRecord, 'file' | 'destination' | 'sha256'>[]): Map<string, string> {
  const latest = new Map<string, string>();
  for (const record of records) latest.set(keyOf(record.file, record.destination), record.sha256);
  return latest;
}

/** Whether `latest` (from {@link latestDeliveries}) records any delivery of the file to the destination. */
export function hasAnyDelivery(latest: ReadonlyMap<string, string>, file: string, destination: string): boolean {
  return latest.has(keyOf(file, destination));
}

/** Whether `latest` (from {@link latestDeliveries}) says the destination holds this digest of the file. */
export function holdsDigest(latest: ReadonlyMap<string, string>, file: string, destination: string, sha256: string): boolean {
  return latest.get(keyOf(file, destination)) === sha256;
}

/**
 * Reads every complete record of a ledger file. A missing file is an empty ledger.
 *
 * @throws LedgerError when the file cannot be read, or a line other than the last is not a
 *   record: that is not a crash's doing, and guessing what it meant could lose a delivery.
 */
export async function readLedgerFile(path: string): Promise<LedgerContents> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { records: [] };
    throw new LedgerError(path, `cannot read the delivery ledger: ${describeError(error)}`, { cause: error });
  }
  const lines = text.split('\n');
  // After the last newline: '' when the file ends cleanly, else a record missing its newline or a torn write.
  const last = lines.pop() ?? '';
  const records: LedgerRecord[] = [];
  lines.forEach((line, index) => {
    if (line.length === 0) return;
    const parsed = parseRecord(line);
    if ('problem' in parsed) {
      const field = parsed.problem.field === '' ? '' : `field ${parsed.problem.field}: `;
      throw new LedgerError(
        path,
        `line ${index + 1} is not a delivery record (${field}${parsed.problem.reason}); the ledger was altered outside BDS and needs a person to look at it`,
      );
    }
    records.push(parsed.record);
  });
  if (last.length === 0) return { records };
  const complete = parseRecord(last);
  if ('record' in complete) return { records: [...records, complete.record] };
  return { records, tornTail: last };
}

/** Reads the ledger of a data directory (see `readLedgerFile`). */
export function readLedger(dataDir: string): Promise<LedgerContents> {
  return readLedgerFile(ledgerPath(dataDir));
}


/** Offset just after the last newline of the file (0 if there is none). */
async function endOfLastLine(handle: FileHandle, size: number): Promise<number> {
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - TAIL_CHUNK);
    const buffer = Buffer.alloc(end - start);
    await handle.read(buffer, 0, buffer.length, start);
    const at = buffer.lastIndexOf(NEWLINE);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
}

/**
 * Makes the file end with a newline before a record is appended: a complete last record gets
 * its newline, a torn one is cut off. Returns what was cut, if anything, for the log.
 */
async function repairTail(handle: FileHandle): Promise<string | undefined> {
  const { size } = await handle.stat();
  if (size === 0) return undefined;
  const lastByte = Buffer.alloc(1);
  await handle.read(lastByte, 0, 1, size - 1);
  if (lastByte[0] === NEWLINE) return undefined;
  const lineStart = await endOfLastLine(handle, size);
  const tail = Buffer.alloc(size - lineStart);
  await handle.read(tail, 0, tail.length, lineStart);
  const text = tail.toString('utf8');
  if ('record' in parseRecord(text)) {
    await handle.appendFile('\n');
    return undefined;
  }
  await handle.truncate(lineStart);
  return text;
}

/** The ledger of one data directory, loaded once and appended to as deliveries are verified. */
export class Ledger {
  /** (destination, file) → the digest last delivered there. */
  private readonly delivered: Map<string, string>;
  // Appends are serialised: two concurrent deliveries must not interleave their lines or repairs.
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    contents: LedgerContents,
    private readonly modes: FileModes,
    private readonly onRepair?: (tornTail: string) => void,
  ) {
    this.delivered = latestDeliveries(contents.records);
  }

  /**
   * Loads the ledger of `dataDir` (an absent file is an empty ledger).
   *
   * @param options.modes the permissions a new ledger file (and its folder) is created with.
   * @param options.onRepair called with the bytes cut off when an append repairs a torn last line.
   * @throws LedgerError when it cannot be read or is damaged other than by a torn last line.
   */
  static async open(dataDir: string, options: { modes: FileModes; onRepair?: (tornTail: string) => void }): Promise<Ledger> {
    const path = ledgerPath(dataDir);
    return new Ledger(path, await readLedgerFile(path), options.modes, options.onRepair);
  }

  /**
   * Was this digest of `file` the last one delivered to `destination`? A changed digest is a new
   * delivery, and so is a return to a digest delivered before another one.
   */
  isDelivered(file: string, destination: string, sha256: string): boolean {
    return holdsDigest(this.delivered, file, destination, sha256);
  }

  /** Was any version of `file` ever delivered to `destination`? */
  hasDelivery(file: string, destination: string): boolean {
    return hasAnyDelivery(this.delivered, file, destination);
  }

  /**
   * Appends a delivery and flushes it to disk before returning.
   *
   * @throws LedgerError when the record cannot be written; the delivery then counts as not
   *   recorded, and the next run finds it at the destination instead.
   */
  append(entry: Omit<LedgerRecord, 'deliveredAt'> & { readonly deliveredAt?: string }): Promise<LedgerRecord> {
    const record: LedgerRecord = {
      file: entry.file,
      destination: entry.destination,
      target: entry.target,
      sha256: entry.sha256,
      bytes: entry.bytes,
      deliveredAt: entry.deliveredAt ?? new Date().toISOString(),
    };
    if (!ledgerRecordSchema.safeParse(record).success) {
      return Promise.reject(new LedgerError(this.path, `refusing to record an invalid delivery of ${record.file}`));
    }
    const result = this.queue.then(() => this.write(record));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async write(record: LedgerRecord): Promise<LedgerRecord> {
    try {
      await ensureDir(dirname(this.path), this.modes);
      // 'a+': created if absent, every write lands at the end, and the tail can be read and cut.
      const handle = await open(this.path, 'a+', this.modes.file);
      let wasEmpty = false;
      try {
        wasEmpty = (await handle.stat()).size === 0;
        const cut = await repairTail(handle);
        if (cut !== undefined) this.onRepair?.(cut);
        await handle.appendFile(JSON.stringify(record) + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
      // A new ledger's directory entry must survive a power cut too.
      if (wasEmpty) await fsyncDirectory(dirname(this.path));
    } catch (error) {
      throw new LedgerError(this.path, `cannot record the delivery of ${record.file}: ${describeError(error)}`, {
        cause: error,
      });
    }
    this.delivered.set(keyOf(record.file, record.destination), record.sha256);
    return record;
  }
}
