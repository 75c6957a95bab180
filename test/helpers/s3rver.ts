/**
 * A real S3 server for tests: s3rver started as a child process on a free port, with its own
 * data folder and one bucket. It can be stopped and started again on the same port and folder
 * (an outage), and it records the requests it answered, so tests can count uploads per key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';

const S3RVER_BIN = fileURLToPath(new URL('../../node_modules/s3rver/bin/s3rver.js', import.meta.url));
const START_TIMEOUT_MS = 20_000;
// s3rver's default credentials.
export const S3RVER_KEY = 'S3RVER';

export interface S3rverHandle {
  readonly bucket: string;
  readonly directory: string;
  readonly port: number;
  readonly endpoint: string;
  /** Keys of the objects stored so far, in order, one entry per store (across restarts). */
  storedKeys(): Promise<string[]>;
  /** How many times an object was stored under `key` (PutObject, or a completed multipart upload). */
  uploadsOf(key: string): Promise<number>;
  /** A client set up the way s3rver needs: path style, no request checksums. */
  client(): S3Client;
  /** Every key in the bucket, sorted. */
  keys(): Promise<string[]>;
  /** SHA-256 and size of an object, read back; undefined when absent. */
  digestOf(key: string): Promise<{ sha256: string; bytes: number } | undefined>;
  head(key: string): Promise<HeadObjectCommandOutput | undefined>;
  text(key: string): Promise<string>;
  /** Stops the server (an outage); the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  /** Stops it and deletes its data folder. */
  close(): Promise<void>;
}

// s3rver logs every object it stores (a PutObject, or a completed multipart upload; parts are
// logged differently), e.g. `info: Stored object "a/b.csv" in bucket "inbox" successfully`.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const STORED = /Stored object "(.*)" in bucket "([^"]+)" successfully/;

/**
 * Starts s3rver (`--port 0`: the system picks a free port) and creates the bucket.
 */
export async function startS3rver(options: { bucket?: string } = {}): Promise<S3rverHandle> {
  const bucket = options.bucket ?? 'billing-inbox';
  const directory = await mkdtemp(join(tmpdir(), 'bds-s3rver-'));
  const stored: string[] = [];
  const logLines: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  let child: ChildProcess | undefined;
  let port = 0;

  const launch = (wanted: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const args = ['--openssl-legacy-provider', S3RVER_BIN, '--directory', directory, '--address', '127.0.0.1', '--port', String(wanted)];
      const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      let pending = '';
      let errors = '';
      let started = false;
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`s3rver did not start within ${START_TIMEOUT_MS} ms: ${errors}`));
      }, START_TIMEOUT_MS);
      proc.stdout.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        const complete = pending.split('\n');
        pending = complete.pop() ?? '';
        for (const line of complete) {
          const plain = line.replace(ANSI, '');
          logLines.push(plain);
          const store = STORED.exec(plain);
          if (store !== null && store[2] === bucket) stored.push(store[1] ?? '');
          for (const waiter of waiters.filter((w) => plain.includes(w.text))) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
          const listening = /listening on [^\s:]+:(\d+)/.exec(line);
          if (!started && listening !== null) {
            started = true;
            clearTimeout(timer);
            resolve(Number(listening[1]));
          }
        }
      });
      proc.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
      proc.on('exit', (code) => {
        if (!started) {
          clearTimeout(timer);
          reject(new Error(`s3rver exited with code ${String(code)} before listening: ${errors}`));
        }
      });
    });

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };

  port = await launch(0);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = (): S3Client =>
    new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const admin = client();
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));

  const head = async (key: string): Promise<HeadObjectCommandOutput | undefined> => {
    try {
      return await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (error instanceof Error && error.name === 'NotFound') return undefined;
      throw error;
    }
  };

  // The server logs a store before it answers, but its log reaches us through a pipe that may
  // lag behind the HTTP answer: ask for a marker and wait until the marker's log line arrives.
  const sync = async (): Promise<void> => {
    const marker = randomUUID();
    const seen = new Promise<void>((resolve, reject) => {
      if (logLines.some((l) => l.includes(marker))) {
        resolve();
        return;
      }
      const timer = setTimeout(() => reject(new Error('s3rver log did not catch up')), 10_000);
      waiters.push({
        text: marker,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
    await head(`sync/${marker}`);
    await seen;
  };

  return {
    bucket,
    directory,
    port,
    endpoint,
    async storedKeys() {
      await sync();
      return [...stored];
    },
    async uploadsOf(key) {
      await sync();
      return stored.filter((k) => k === key).length;
    },
    client,
    async keys() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        for (const item of page.Contents ?? []) if (item.Key !== undefined) keys.push(item.Key);
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    },
    async digestOf(key) {
      if ((await head(key)) === undefined) return undefined;
      const object = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!(object.Body instanceof Readable)) throw new Error(`no body for ${key}`);
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of object.Body) {
        const buffer = chunk as Buffer;
        hash.update(buffer);
        bytes += buffer.length;
      }
      return { sha256: hash.digest('hex'), bytes };
    },
    head,
    async text(key) {
      const object = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await object.Body?.transformToString('utf8')) ?? '';
    },
    stop,
    async start() {
      if (child !== undefined) return;
      await launch(port);
    },
    async close() {
      await stop();
      admin.destroy();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
