/**
 * SHA-256 digests of files and streams, computed as the bytes flow (never a whole file in
 * memory): for billing files, staged datasets, deliveries and their verification.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A pass-through stream that hashes (SHA-256) and counts what flows through it. */
export class DigestPassThrough extends Transform {
  private readonly hash = createHash('sha256');
  private count = 0;
  private result: string | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.count += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.result = this.hash.digest('hex');
    callback();
  }

  /** Hex digest of everything that passed; only once the stream has ended. */
  get sha256(): string | undefined {
    return this.result;
  }

  get bytes(): number {
    return this.count;
  }
}

/** SHA-256 (hex) and size of whatever a readable stream yields, read with backpressure. */
export async function digestStream(source: NodeJS.ReadableStream): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    source,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        bytes += chunk.length;
        callback();
      },
    }),
  );
  return { sha256: hash.digest('hex'), bytes };
}

/** SHA-256 (hex) and size of a file, streamed. */
export function digestFile(path: string): Promise<{ sha256: string; bytes: number }> {
  return digestStream(createReadStream(path));
}

