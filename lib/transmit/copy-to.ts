/**
 * The `copyTo` destinations: extra local folders (a finance share, a folder another tool picks
 * up) that receive an identical copy of every billing file and its `.sha256` side file, laid out
 * like the billing folder: `<copyTo>/<tenant>/<YYYY>/<MM>/<file>`.
 *
 * Copies are written under a temporary name and renamed (a reader never sees half a file), the
 * CSV before its side file (a side file present means its CSV is complete), and each is read
 * back and hashed before the delivery counts.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createAtomicWriteStream, TEMP_PREFIX, writeFileAtomic, type FileModes } from '../files/atomic';
import { digestFile, DigestPassThrough } from '../files/digest';
import { isProcessAlive } from '../process-alive';
import type { Logger } from '../log/logger';
import { faultPoint } from '../faults';
import { DeliveryError, errorCode, SourceFileError, VerificationError } from './errors';
import { targetSegments, type BillingFileRef, type DeliveryOutcome, type Destination } from './destination';

/** The ledger id of a copyTo folder. */
export function copyDestinationId(root: string): string {
  return `copy:${root}`;
}

/** Where a billing file's copy goes: `<root>/<tenant>/<YYYY>/<MM>/<name>`. */
export function copyTargetPath(root: string, file: Pick<BillingFileRef, 'tenant' | 'folder' | 'name'>): string {
  return join(root, ...targetSegments(file));
}

/** Is there already a file at `path` with exactly this size and digest? */
async function holds(path: string, sha256: string, bytes: number): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size !== bytes) return false;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
  return (await digestFile(path)).sha256 === sha256;
}

async function verifyCopy(path: string, sha256: string, bytes: number): Promise<void> {
  const written = await digestFile(path);
  if (written.bytes !== bytes || written.sha256 !== sha256) {
    throw new VerificationError(
      path,
      `the copy reads back as ${written.bytes} bytes with SHA-256 ${written.sha256}, expected ${bytes} bytes with ${sha256}`,
    );
  }
}


/**
 * Removes temporary files of `name` left in `dir` by a copy whose process died (killed, power
 * cut): they are hidden, but would pile up in a folder other people read. A temporary file of a
 * living process is left alone.
 */
async function removeStaleTemporaries(dir: string, name: string, log: Logger): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  const prefix = `${TEMP_PREFIX}${name}.`;
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    // `<pid>.<random hex>` (atomic.ts); the side file's temporaries have `sha256.` first and are not matched.
    const owner = /^(\d+)\.[0-9a-f]+$/.exec(entry.slice(prefix.length));
    if (owner === null) continue;
    const pid = Number(owner[1]);
    if (pid === process.pid || isProcessAlive(pid)) continue;
    await rm(join(dir, entry), { force: true });
    log.info('removed a temporary file left by an interrupted copy', { path: join(dir, entry) });
  }
}

/** One `copyTo` folder. */
export class CopyDestination implements Destination {
  readonly id: string;

  /**
   * @param root the folder's absolute path (configuration resolves it).
   * @param modes the permissions of the copies and of the folders made under `root`.
   */
  constructor(
    readonly root: string,
    private readonly log: Logger,
    private readonly modes: FileModes,
  ) {
    this.id = copyDestinationId(root);
  }

  /**
   * Copies the file and its side file unless identical copies are already there.
   *
   * @throws SourceFileError when the billing file vanished or changed while it was copied (the
   *   half-made copy is discarded); other errors (the folder is unwritable, full, or a network
   *   share is away) propagate for the caller to retry.
   */
  async deliver(file: BillingFileRef): Promise<DeliveryOutcome> {
    await this.requireRoot(file);
    const target = copyTargetPath(this.root, file);
    const alreadyThere = await holds(target, file.sha256, file.bytes);
    if (!alreadyThere) {
      await removeStaleTemporaries(dirname(target), file.name, this.log);
      await this.copyBillingFile(file, target);
      faultPoint('copy.after-file');
    }

    const sideTarget = `${target}.sha256`;
    const sideBytes = Buffer.byteLength(file.checksumText);
    const sideSha256 = createHash('sha256').update(file.checksumText).digest('hex');
    if (!(await holds(sideTarget, sideSha256, sideBytes))) {
      await removeStaleTemporaries(dirname(sideTarget), `${file.name}.sha256`, this.log);
      // The side file's bytes were read and checked before delivery started; they are tiny.
      await writeFileAtomic(sideTarget, file.checksumText, this.modes);
      await verifyCopy(sideTarget, sideSha256, sideBytes);
    }
    return { target, sent: !alreadyThere };
  }

  /**
   * The configured folder must exist already: it is never created. A missing root is usually a
   * share that is not mounted, and creating it would put the copies on the local disk, where
   * nobody looks, and record them as delivered.
   */
  private async requireRoot(file: BillingFileRef): Promise<void> {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(this.root)).isDirectory();
    } catch (error) {
      throw new DeliveryError(this.id, file.file, `the copyTo folder ${this.root} cannot be reached (${errorCode(error) ?? 'error'}); is the share mounted? It is never created by bds`, {
        cause: error,
      });
    }
    if (!isDirectory) throw new DeliveryError(this.id, file.file, `the copyTo folder ${this.root} is not a folder`);
  }

  private async copyBillingFile(file: BillingFileRef, target: string): Promise<void> {
    const out = await createAtomicWriteStream(target, this.modes);
    const digest = new DigestPassThrough();
    try {
      await pipeline(createReadStream(file.path), digest, out.stream);
    } catch (error) {
      await out.abort();
      if (errorCode(error) === 'ENOENT' && typeof error === 'object' && error !== null && 'path' in error && error.path === file.path) {
        throw new SourceFileError(file.file, 'missing', 'the billing file disappeared while it was being copied', { cause: error });
      }
      throw error;
    }
    if (digest.sha256 !== file.sha256 || digest.bytes !== file.bytes) {
      await out.abort();
      throw new SourceFileError(
        file.file,
        'changed',
        `the billing file changed while it was being copied (now ${digest.bytes} bytes, SHA-256 ${digest.sha256 ?? '?'}); not copied`,
      );
    }
    await out.commit();
    await verifyCopy(target, file.sha256, file.bytes);
    this.log.debug('copied', { destination: this.id, file: file.file, target });
  }

  /** Nothing to release; present so every destination closes the same way. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
