/**
 * The S3 destination: the vendor's inbox. Each billing file goes to
 * `<prefix>/<tenant>/<YYYY>/<MM>/<file name>` with its SHA-256 as object metadata (and, where the
 * store supports it, as the S3 checksum), followed by `<key>.sha256` so the inbox can check it
 * with `sha256sum -c`. A delivery counts only once the object was checked at the store: size and
 * digest metadata, then the store's own full-object checksum, or where it keeps none, a streamed
 * read-back hashed here.
 *
 * Before sending, an object already there with the same digest and size is taken as delivered:
 * that is how a run that crashed between upload and ledger entry avoids sending a file twice.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Config } from '../config/types';
import type { Logger } from '../log/logger';
import { digestStream, DigestPassThrough } from '../files/digest';
import { errorCode, S3RequestError, SourceFileError, VerificationError } from './errors';
import { targetSegments, type BillingFileRef, type DeliveryOutcome, type Destination } from './destination';
import { faultPoint } from '../faults';

/** Part size for multipart uploads: billing files are small, so most go in one PutObject. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

// Our own retry loop (retry.ts) is the one policy; SDK retries under it would multiply attempts.
const SDK_MAX_ATTEMPTS = 1;
const CONNECT_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 5 * 60_000;

// S3 error codes worth another attempt even though their HTTP status is 4xx.
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ExpiredToken',
  'TooManyRequestsException',
]);

function normalisedPrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

/** The ledger id of the S3 destination: `s3://bucket/prefix`. */
export function s3DestinationId(s3: S3Config): string {
  const prefix = normalisedPrefix(s3.prefix);
  return prefix.length === 0 ? `s3://${s3.bucket}` : `s3://${s3.bucket}/${prefix}`;
}

/** The object key of a billing file: `<prefix>/<tenant>/<YYYY>/<MM>/<file name>`. */
export function s3Key(s3: S3Config, file: Pick<BillingFileRef, 'tenant' | 'folder' | 'name'>): string {
  return [normalisedPrefix(s3.prefix), ...targetSegments(file)].filter((part) => part.length > 0).join('/');
}

/** Does the store compute and keep S3 checksums? s3rver and some appliances do not. */
function usesChecksums(s3: S3Config): boolean {
  return (s3.requestChecksumCalculation ?? 'WHEN_SUPPORTED') === 'WHEN_SUPPORTED';
}

/**
 * An S3 client for the configured store: explicit keys when configured, otherwise the SDK's
 * default credential chain (environment, profile, instance or task role).
 */
export function createS3Client(s3: S3Config): S3Client {
  const checksums = s3.requestChecksumCalculation ?? 'WHEN_SUPPORTED';
  return new S3Client({
    region: s3.region,
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    ...(s3.forcePathStyle === undefined ? {} : { forcePathStyle: s3.forcePathStyle }),
    ...(s3.accessKeyId !== undefined && s3.secretAccessKey !== undefined
      ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }
      : {}),
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    maxAttempts: SDK_MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  });
}

function isRetryableS3(error: unknown, status: number | undefined): boolean {
  if (error instanceof S3ServiceException && RETRYABLE_CODES.has(error.name)) return true;
  // No status: the request never got an answer (refused, reset, timed out).
  if (status === undefined) return true;
  return status >= 500 || status === 408 || status === 429;
}

/** Wraps an SDK failure with the operation and key; the message never carries request headers or credentials. */
function s3Failure(operation: string, key: string, error: unknown): S3RequestError {
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  const code = error instanceof Error ? error.name : 'Error';
  return new S3RequestError(operation, key, status, `failed (${code})`, {
    cause: error,
    retryable: isRetryableS3(error, status),
  });
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.$metadata.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchKey')
  );
}

/** The store's SHA-256 of the whole object, hex, when it keeps one (a multipart composite does not count). */
function fullObjectSha256(head: HeadObjectCommandOutput): string | undefined {
  const value = head.ChecksumSHA256;
  if (value === undefined || value.includes('-') || head.ChecksumType === 'COMPOSITE') return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === 32 ? bytes.toString('hex') : undefined;
}

export interface S3DestinationOptions {
  readonly log: Logger;
  /** A client to use instead of one built from the configuration (the destination does not own it then). */
  readonly client?: S3Client;
  /** Multipart part size in bytes (default 8 MiB, at least 5 MiB). */
  readonly partSize?: number;
  /** Parts in flight per upload; memory used is about partSize × queueSize (default 2). */
  readonly queueSize?: number;
}

/** The configured S3 bucket and prefix. */
export class S3Destination implements Destination {
  readonly id: string;
  private readonly client: S3Client;
  private readonly ownsClient: boolean;
  private readonly checksums: boolean;
  private readonly log: Logger;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(
    readonly s3: S3Config,
    options: S3DestinationOptions,
  ) {
    this.id = s3DestinationId(s3);
    this.client = options.client ?? createS3Client(s3);
    this.ownsClient = options.client === undefined;
    this.checksums = usesChecksums(s3);
    this.log = options.log;
    this.partSize = Math.max(5 * 1024 * 1024, options.partSize ?? DEFAULT_PART_SIZE);
    this.queueSize = Math.max(1, options.queueSize ?? 2);
  }

  /**
   * Uploads the billing file unless an identical object is already there, then its `.sha256`
   * object, verifying each.
   *
   * @throws SourceFileError when the local file vanished or changed during the upload;
   *   S3RequestError or VerificationError otherwise (with `retryable` saying whether another
   *   attempt can help).
   */
  async deliver(file: BillingFileRef): Promise<DeliveryOutcome> {
    const key = s3Key(this.s3, file);
    const alreadyThere = await this.holds(key, file.sha256, file.bytes);
    if (alreadyThere) {
      this.log.debug('already in the bucket with the same digest; not sent again', { destination: this.id, key });
    } else {
      await this.uploadFile(file, key);
      await this.verify(key, file.sha256, file.bytes);
      faultPoint('s3.after-object');
    }

    // The side object goes second, so its presence tells the inbox the CSV is complete.
    const sideKey = `${key}.sha256`;
    const sideBytes = Buffer.byteLength(file.checksumText);
    const sideSha256 = createHash('sha256').update(file.checksumText).digest('hex');
    if (!(await this.holds(sideKey, sideSha256, sideBytes))) {
      await this.upload(sideKey, file.checksumText, sideSha256, sideBytes, 'text/plain; charset=utf-8');
      await this.verify(sideKey, sideSha256, sideBytes);
    }
    return { target: key, sent: !alreadyThere };
  }

  /** Releases the client's sockets (only a client this destination made). */
  close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
    return Promise.resolve();
  }

  private async head(key: string): Promise<HeadObjectCommandOutput | undefined> {
    try {
      return await this.client.send(
        new HeadObjectCommand({ Bucket: this.s3.bucket, Key: key, ...(this.checksums ? { ChecksumMode: 'ENABLED' } : {}) }),
      );
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw s3Failure('HeadObject', key, error);
    }
  }

  private async holds(key: string, sha256: string, bytes: number): Promise<boolean> {
    const head = await this.head(key);
    if (head === undefined) return false;
    if (head.Metadata?.sha256 === sha256 && head.ContentLength === bytes) return true;
    this.log.info('replacing an object with a different digest', {
      destination: this.id,
      key,
      previousSha256: head.Metadata?.sha256,
      previousBytes: head.ContentLength,
      sha256,
    });
    return false;
  }

  private async uploadFile(file: BillingFileRef, key: string): Promise<void> {
    const digest = new DigestPassThrough();
    // Settles to the pipeline's error (or undefined) right away, so a failure while the upload
    // is still running is never an unhandled rejection.
    const pumped: Promise<unknown> = pipeline(createReadStream(file.path), digest).then(
      () => undefined,
      (error: unknown) => error ?? new Error('reading the billing file failed'),
    );
    // Boxed: a rejection may carry any value, even undefined, and is rethrown as it is.
    let uploadFailure: { readonly error: unknown } | undefined;
    try {
      await this.upload(key, digest, file.sha256, file.bytes, 'text/csv');
    } catch (error) {
      uploadFailure = { error };
      // Nobody reads the rest of the file now: end the pipeline instead of leaving it waiting.
      digest.destroy();
    }
    const readError = await pumped;
    if (readError !== undefined) uploadFailure ??= { error: readError };
    if (readError !== undefined && errorCode(readError) === 'ENOENT') {
      throw new SourceFileError(file.file, 'missing', 'the billing file disappeared while it was being uploaded', {
        cause: readError,
      });
    }
    if (uploadFailure !== undefined) throw uploadFailure.error;
    if (digest.sha256 !== file.sha256 || digest.bytes !== file.bytes) {
      this.log.error('the billing file changed while it was being uploaded; the object may hold the changed bytes', {
        destination: this.id,
        key,
        file: file.file,
      });
      throw new SourceFileError(
        file.file,
        'changed',
        `the billing file changed while it was being uploaded (read ${digest.bytes} bytes, SHA-256 ${digest.sha256 ?? '?'})`,
      );
    }
  }

  private async upload(key: string, body: Readable | string, sha256: string, bytes: number, contentType: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
      params: {
        Bucket: this.s3.bucket,
        Key: key,
        Body: body,
        ContentLength: bytes,
        ContentType: contentType,
        Metadata: { sha256 },
        // The SDK then sends the SHA-256 of every request body and S3 rejects one that differs.
        ...(this.checksums ? { ChecksumAlgorithm: 'SHA256' as const } : {}),
      },
    });
    try {
      await upload.done();
    } catch (error) {
      throw s3Failure('Upload', key, error);
    }
  }

  private async verify(key: string, sha256: string, bytes: number): Promise<void> {
    const target = `${this.id}: ${key}`;
    const head = await this.head(key);
    if (head === undefined) throw new VerificationError(target, 'the object is not there after the upload');
    if (head.ContentLength !== bytes) {
      throw new VerificationError(target, `the object has ${String(head.ContentLength)} bytes, expected ${bytes}`);
    }
    if (head.Metadata?.sha256 !== sha256) {
      throw new VerificationError(target, `the object's sha256 metadata is ${head.Metadata?.sha256 ?? 'missing'}, expected ${sha256}`);
    }
    const stored = fullObjectSha256(head);
    if (stored !== undefined) {
      if (stored !== sha256) throw new VerificationError(target, `the store's SHA-256 checksum is ${stored}, expected ${sha256}`);
      return;
    }
    // No checksum kept by the store (or a composite one): read the object back and hash it.
    const read = await this.readBack(key);
    if (read.bytes !== bytes || read.sha256 !== sha256) {
      throw new VerificationError(target, `the object reads back as ${read.bytes} bytes with SHA-256 ${read.sha256}, expected ${bytes} bytes with ${sha256}`);
    }
  }

  private async readBack(key: string): Promise<{ sha256: string; bytes: number }> {
    let body: unknown;
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.s3.bucket, Key: key, ...(this.checksums ? { ChecksumMode: 'ENABLED' } : {}) }),
      );
      body = object.Body;
    } catch (error) {
      throw s3Failure('GetObject', key, error);
    }
    if (!(body instanceof Readable)) {
      throw new VerificationError(`${this.id}: ${key}`, 'the store returned no readable body to verify');
    }
    try {
      return await digestStream(body);
    } catch (error) {
      throw s3Failure('GetObject (reading the body)', key, error);
    }
  }
}
