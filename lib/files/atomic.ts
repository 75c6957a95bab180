/**
 * Atomic file writes: a file appears complete or not at all. Data goes to a temporary name in
 * the same folder (so the rename cannot cross file systems), is flushed to disk, then renamed
 * over the final name; the folder is flushed too so the rename survives a power cut.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describeError } from '../errors';
import { isProcessAlive } from '../process-alive';
import { FileWriteError } from './errors';

/** Default permissions of files BDS creates: owner read/write, group read (billing data is not public). */
export const DEFAULT_FILE_MODE = 0o640;
/** Default permissions of folders BDS creates. */
export const DEFAULT_DIR_MODE = 0o750;

/**
 * The permissions of the files and folders a run creates (`files.mode`, `files.dirMode`; the
 * process umask still applies). Passed to every writer (lib/runtime carries the run's) rather
 * than kept in this module: a process may run configurations with different modes, and a
 * writer that was not told would silently use whichever was set last.
 */
export interface FileModes {
  readonly file: number;
  readonly dir: number;
}

/** The modes of a configuration without a `files` section. */
export const DEFAULT_FILE_MODES: FileModes = { file: DEFAULT_FILE_MODE, dir: DEFAULT_DIR_MODE };

/** Temporary files start with this, so readers and clean-ups can tell them from finished ones. */
export const TEMP_PREFIX = '.tmp-';

/** The temporary name used while `finalPath` is being written. */
export function temporaryPathFor(finalPath: string): string {
  return join(dirname(finalPath), `${TEMP_PREFIX}${basename(finalPath)}.${process.pid}.${randomBytes(4).toString('hex')}`);
}

/** True for a file name that belongs to an unfinished write. */
export function isTemporaryName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

/** The process that is (or was) writing a temporary file, from its name; undefined if not one of ours. */
export function temporaryOwner(name: string): number | undefined {
  if (!isTemporaryName(name)) return undefined;
  const match = /\.(\d+)\.[0-9a-f]{8}$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

const swept = new Set<string>();

/**
 * Removes the temporary files a dead process left in `dir` (a killed run, a power cut). Readers
 * ignore them already; this keeps folders that people read clean. Done once per folder and
 * process: a living writer's files are never touched.
 */
export async function sweepStaleTemporaries(dir: string): Promise<void> {
  if (swept.has(dir)) return;
  swept.add(dir);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const owner = temporaryOwner(entry);
    if (owner === undefined || owner === process.pid || isProcessAlive(owner)) continue;
    await rm(join(dir, entry), { force: true }).catch(() => undefined);
  }
}

/** Flushes a folder, so that a rename or a new file in it survives a power cut. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates a folder and its parents with the folder permissions of `modes`. */
export async function ensureDir(dir: string, modes: FileModes): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: modes.dir });
  } catch (error) {
    throw new FileWriteError(dir, `cannot create the folder: ${describeError(error)}`, { cause: error });
  }
}

/** Writes `data` to `path` atomically, with the permissions of `modes`. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, modes: FileModes): Promise<void> {
  await ensureDir(dirname(path), modes);
  await sweepStaleTemporaries(dirname(path));
  const temp = temporaryPathFor(path);
  try {
    const handle = await open(temp, 'wx', modes.file);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await fsyncDirectory(dirname(path));
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new FileWriteError(path, `cannot write: ${describeError(error)}`, { cause: error });
  }
}

/** A stream into a temporary file that becomes `path` only on `commit`. */
export interface AtomicWriteStream {
  readonly stream: WriteStream;
  /** Flushes, then renames the temporary file to its final name. Call after the stream finished. */
  commit(): Promise<void>;
  /** Deletes the temporary file; the final name is left as it was. Safe to call twice. */
  abort(): Promise<void>;
}

/** Opens a temporary file next to `path` for streaming writes, with the permissions of `modes`. */
export async function createAtomicWriteStream(path: string, modes: FileModes): Promise<AtomicWriteStream> {
  await ensureDir(dirname(path), modes);
  await sweepStaleTemporaries(dirname(path));
  const temp = temporaryPathFor(path);
  const stream = createWriteStream(temp, { flags: 'wx', mode: modes.file });
  return {
    stream,
    async commit() {
      try {
        const handle = await open(temp, 'r+');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, path);
        await fsyncDirectory(dirname(path));
      } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined);
        throw new FileWriteError(path, `cannot finish writing: ${describeError(error)}`, { cause: error });
      }
    },
    async abort() {
      stream.destroy();
      await rm(temp, { force: true }).catch(() => undefined);
    },
  };
}
