/**
 * Verification before send: a billing file goes out only when the CSV on disk, its `.sha256`
 * side file and its manifest entry agree. A file someone moved, deleted or edited is reported and
 * left alone; the service never sends bytes it did not produce.
 */
import { readFile, stat } from 'node:fs/promises';
import { digestFile } from '../files/digest';
import type { BillingFileRef } from './destination';
import { errorCode, SourceFileError } from './errors';
import type { ListedFile } from './listing';

const SIDE_LINE = /^([0-9a-f]{64}) [ *]([^\n]+)\n?$/;
// A `.sha256` side file is one line; anything bigger is not one of ours and is not read into memory.
const MAX_SIDE_BYTES = 4096;

/**
 * Checks that the CSV on disk, its side file and its manifest entry agree, and reads the side
 * file (a single line) for delivery.
 *
 * @throws SourceFileError when any of them is gone, unreadable or disagrees.
 */
export async function verifyBillingFile(listed: ListedFile): Promise<BillingFileRef> {
  let checksumText: string;
  try {
    const info = await stat(listed.checksumPath);
    if (!info.isFile() || info.size > MAX_SIDE_BYTES) {
      throw new SourceFileError(listed.file, 'changed', 'its .sha256 side file is not a checksum line');
    }
    checksumText = await readFile(listed.checksumPath, 'utf8');
  } catch (error) {
    if (error instanceof SourceFileError) throw error;
    if (errorCode(error) === 'ENOENT') {
      throw new SourceFileError(listed.file, 'missing', 'its .sha256 side file is gone (moved or deleted)', { cause: error });
    }
    throw new SourceFileError(listed.file, 'unreadable', 'cannot read its .sha256 side file', { cause: error });
  }
  const line = SIDE_LINE.exec(checksumText);
  if (line === null || line[2] !== listed.name) {
    throw new SourceFileError(listed.file, 'changed', 'its .sha256 side file does not hold a checksum line for this file');
  }
  if (line[1] !== listed.sha256) {
    throw new SourceFileError(
      listed.file,
      'changed',
      `its .sha256 side file says ${line[1] ?? '?'} but the manifest says ${listed.sha256} (the period is being rewritten, or was altered)`,
    );
  }
  let actual: { sha256: string; bytes: number };
  try {
    actual = await digestFile(listed.path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      throw new SourceFileError(listed.file, 'missing', 'the billing file is gone (moved or deleted)', { cause: error });
    }
    throw new SourceFileError(listed.file, 'unreadable', 'cannot read the billing file', { cause: error });
  }
  if (actual.sha256 !== listed.sha256 || actual.bytes !== listed.bytes) {
    throw new SourceFileError(
      listed.file,
      'changed',
      `the file on disk (${actual.bytes} bytes, SHA-256 ${actual.sha256}) no longer matches its digest (${listed.bytes} bytes, ${listed.sha256})`,
    );
  }
  return { ...listed, checksumText };
}
