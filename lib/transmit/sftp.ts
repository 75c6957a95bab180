/**
 * The SFTP destination: the vendor's other inbox. Each billing file goes to
 * `<path>/<tenant>/<YYYY>/<MM>/<file name>` (the folders below the configured root are created),
 * followed by `<file name>.sha256`, so the inbox can check it with `sha256sum -c`.
 *
 * The server is known by its pinned host key (`transmit.sftp.hostKey`, SHA256 as `ssh-keygen -lf`
 * prints it): any other key ends the connection before a byte is sent, and is never retried.
 *
 * Each file is streamed to a temporary name in its final folder, renamed into place, then checked
 * on the server: its size, and the SHA-256 of the bytes read back. A reader of the inbox never
 * sees half a file under a final name, whatever is killed when. Before sending, a file already
 * there with the same size and read-back digest is taken as delivered: that is how a run that
 * crashed between rename and ledger entry avoids sending a file twice.
 *
 * Replacing a changed file: OpenSSH's `posix-rename@openssh.com` replaces the old file in one
 * step. A server without that extension refuses a plain rename onto an existing name (SFTP v3);
 * then the old file is removed and the new one renamed at once, and for that moment the final
 * name is absent (never half-written). Only our own temporary files and, in that case, the
 * outdated final file are ever removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ssh2 from 'ssh2';
import type { Client as SshClient, ConnectConfig, SFTPWrapper, Stats } from 'ssh2';
import type { SftpConfig } from '../config/types';
import { TEMP_PREFIX } from '../files/atomic';
import { digestStream, DigestPassThrough } from '../files/digest';
import { faultPoint } from '../faults';
import type { Logger } from '../log/logger';
import { isProcessAlive } from '../process-alive';
import { targetSegments, type BillingFileRef, type DeliveryOutcome, type Destination } from './destination';
import { errorCode, HostKeyMismatchError, SftpError, SourceFileError, VerificationError } from './errors';

const { Client } = ssh2;

// SFTP status codes (draft-ietf-secsh-filexfer-02, the version OpenSSH speaks).
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

// A server that stops answering (a hung appliance, a dropped route) is given up on after
// about 3 × 10 s, so a delivery never waits forever on one request.
const KEEPALIVE_INTERVAL_MS = 10_000;
const KEEPALIVE_COUNT_MAX = 3;

/** Files we create on the server: readable by the inbox's group, never by everyone. */
const FILE_MODE = 0o640;

/** The ledger id of the SFTP destination: `sftp://user@host:port/path`. */
export function sftpDestinationId(sftp: Pick<SftpConfig, 'username' | 'host' | 'port' | 'path'>): string {
  const root = sftp.path.startsWith('/') ? sftp.path : `/~/${sftp.path}`;
  return `sftp://${sftp.username}@${sftp.host}:${sftp.port}${root === '/' ? '' : root}`;
}

/** The remote path of a billing file: `<path>/<tenant>/<YYYY>/<MM>/<file name>`. */
export function sftpTargetPath(sftp: Pick<SftpConfig, 'path'>, file: Pick<BillingFileRef, 'tenant' | 'folder' | 'name'>): string {
  return posix.join(sftp.path, ...targetSegments(file));
}

/** A host key's fingerprint as `ssh-keygen -lf` prints it: `SHA256:` and unpadded base64. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

function statusCode(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number' ? error.code : undefined;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Wraps a failed SFTP request: a refusal by the server is final, a lost connection is not. */
function sftpFailure(operation: string, remotePath: string, error: unknown): SftpError {
  if (error instanceof SftpError) return error;
  const code = statusCode(error);
  if (code === PERMISSION_DENIED) {
    return new SftpError(operation, remotePath, `permission denied by the server: the account needs write access to ${posix.dirname(remotePath)}`, {
      cause: error,
      retryable: false,
    });
  }
  return new SftpError(operation, remotePath, `failed: ${reason(error)}`, { cause: error });
}

function isMissing(error: unknown): boolean {
  return statusCode(error) === NO_SUCH_FILE;
}

/**
 * One authenticated SFTP channel over one SSH connection, its callbacks turned into promises.
 * Requests may be in flight side by side: the SFTP protocol numbers them.
 */
export class SftpSession {
  /** False once the connection dropped: the next delivery opens another. */
  open = true;

  private constructor(
    private readonly client: SshClient,
    private readonly channel: SFTPWrapper,
  ) {
    client.on('close', () => {
      this.open = false;
    });
  }

  /**
   * Connects, checks the host key against the pinned one, authenticates and opens SFTP.
   *
   * @throws HostKeyMismatchError when the server's key is not the pinned one; SftpError otherwise
   *   (retryable unless authentication was refused).
   */
  static async connect(sftp: SftpConfig, log: Logger): Promise<SftpSession> {
    const client = new Client();
    const server = `${sftp.host}:${sftp.port}`;
    let seen: string | undefined;
    const options: ConnectConfig = {
      host: sftp.host,
      port: sftp.port,
      username: sftp.username,
      readyTimeout: sftp.connectTimeout * 1000,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      // Pinning, not trust on first use: only the configured fingerprint is accepted.
      hostVerifier: (key: Buffer): boolean => {
        seen = hostKeyFingerprint(key);
        return seen === sftp.hostKey;
      },
      ...(sftp.privateKey === undefined ? {} : { privateKey: sftp.privateKey }),
      ...(sftp.passphrase === undefined ? {} : { passphrase: sftp.passphrase }),
      ...(sftp.password === undefined ? {} : { password: sftp.password }),
      // Only what the configuration gives: no agent, no keyboard prompts.
      tryKeyboard: false,
    };
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('ready', resolve);
        client.once('error', reject);
        client.once('close', () => reject(new Error('the server closed the connection during the handshake')));
        try {
          client.connect(options);
        } catch (error) {
          // A key that cannot be parsed or unlocked (a wrong passphrase) throws here.
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    } catch (error) {
      client.end();
      if (seen !== undefined && seen !== sftp.hostKey) throw new HostKeyMismatchError(server, sftp.hostKey, seen);
      const level = typeof error === 'object' && error !== null && 'level' in error ? String(error.level) : undefined;
      const refused = level === 'client-authentication' || /passphrase|private key|Cannot parse/i.test(reason(error));
      throw new SftpError('connect', undefined, `cannot connect to ${server} as ${sftp.username}: ${reason(error)}`, {
        cause: error,
        retryable: !refused,
      });
    }
    // After the handshake an error is a dropped connection: the request in flight fails with it.
    client.on('error', (error: Error) => log.debug('SFTP connection error', { server, error: error.message }));
    let channel: SFTPWrapper;
    try {
      channel = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((error, opened) => (error ? reject(error) : resolve(opened))));
    } catch (error) {
      client.end();
      throw new SftpError('open SFTP', undefined, `the server ${server} refused the SFTP subsystem: ${reason(error)}`, { cause: error });
    }
    return new SftpSession(client, channel);
  }

  /** Ends the connection. */
  close(): void {
    this.open = false;
    this.client.end();
  }

  /** The path's attributes, or undefined when there is nothing there. */
  async stat(path: string): Promise<Stats | undefined> {
    try {
      return await new Promise<Stats>((resolve, reject) => this.channel.stat(path, (error, stats) => (error ? reject(error) : resolve(stats))));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw sftpFailure('stat', path, error);
    }
  }

  async mkdir(path: string): Promise<void> {
    await new Promise<void>((resolve, reject) => this.channel.mkdir(path, (error) => (error ? reject(error) : resolve())));
  }

  async unlink(path: string): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => this.channel.unlink(path, (error) => (error ? reject(error) : resolve())));
    } catch (error) {
      throw sftpFailure('remove', path, error);
    }
  }

  async names(dir: string): Promise<string[]> {
    try {
      const entries = await new Promise<{ filename: string }[]>((resolve, reject) =>
        this.channel.readdir(dir, (error, list) => (error ? reject(error) : resolve(list))),
      );
      return entries.map((e) => e.filename);
    } catch (error) {
      if (isMissing(error)) return [];
      throw sftpFailure('list', dir, error);
    }
  }

  /**
   * Renames `from` to `to`, replacing `to` when it exists: in one step with OpenSSH's
   * posix-rename, else by removing `to` first (the module's doc says why that is the fallback).
   */
  async rename(from: string, to: string): Promise<void> {
    const plain = (): Promise<void> =>
      new Promise<void>((resolve, reject) => this.channel.rename(from, to, (error) => (error ? reject(error) : resolve())));
    let posixRename: Promise<void> | undefined;
    try {
      posixRename = new Promise<void>((resolve, reject) => this.channel.ext_openssh_rename(from, to, (error) => (error ? reject(error) : resolve())));
    } catch {
      // The server does not offer posix-rename@openssh.com (ssh2 says so by throwing).
    }
    try {
      if (posixRename !== undefined) {
        await posixRename;
        return;
      }
      try {
        await plain();
      } catch (error) {
        if (statusCode(error) === PERMISSION_DENIED || (await this.stat(to)) === undefined) throw error;
        await this.unlink(to);
        await plain();
      }
    } catch (error) {
      throw sftpFailure('rename', `${from} to ${to}`, error);
    }
  }

  /**
   * Streams `source`, through `digest` when given, into a new file `path` (truncating one of
   * ours left there); resolves once the server closed it.
   */
  async write(source: NodeJS.ReadableStream, path: string, digest?: DigestPassThrough): Promise<void> {
    const out = this.channel.createWriteStream(path, { flags: 'w', mode: FILE_MODE });
    // The handle is closed after the last write is acknowledged; only then is the file complete.
    const closed = new Promise<void>((resolve, reject) => {
      out.once('close', () => resolve());
      out.once('error', reject);
    });
    closed.catch(() => undefined);
    if (digest === undefined) await pipeline(source, out);
    else await pipeline(source, digest, out);
    await closed;
  }

  /** The size and SHA-256 of the file as the server returns it, streamed through the hash. */
  async digest(path: string): Promise<{ sha256: string; bytes: number }> {
    try {
      return await digestStream(this.channel.createReadStream(path));
    } catch (error) {
      throw sftpFailure('read back', path, error);
    }
  }
}

/**
 * Connects, checks the host key, and writes, reads back and removes a probe file in the remote
 * root: what `bds check` reports for the SFTP destination.
 *
 * @throws HostKeyMismatchError or SftpError saying what failed.
 */
export async function probeSftp(sftp: SftpConfig, log: Logger): Promise<void> {
  const session = await SftpSession.connect(sftp, log);
  try {
    const root = await session.stat(sftp.path);
    if (root === undefined || !root.isDirectory()) throw missingRoot(sftp.path, root === undefined);
    const probe = posix.join(sftp.path, `.bds-check-${randomBytes(4).toString('hex')}`);
    const text = 'bds check\n';
    try {
      await session.write(Readable.from([Buffer.from(text)]), probe);
      const read = await session.digest(probe);
      if (read.bytes !== Buffer.byteLength(text)) throw new VerificationError(probe, `the probe file reads back as ${read.bytes} bytes`);
    } catch (error) {
      throw sftpFailure('write probe', probe, error);
    } finally {
      await session.unlink(probe).catch(() => undefined);
    }
  } finally {
    session.close();
  }
}

function missingRoot(path: string, absent: boolean): SftpError {
  return new SftpError(
    'stat',
    path,
    absent
      ? 'the remote root does not exist on the server; bds never creates it (check transmit.sftp.path with the inbox\'s administrator)'
      : 'the remote root is not a folder',
    { retryable: false },
  );
}

/** The configured SFTP inbox. */
export class SftpDestination implements Destination {
  readonly id: string;
  private session: Promise<SftpSession> | undefined;
  /** Folders known to exist on the server (this connection or an earlier one). */
  private readonly folders = new Set<string>();

  constructor(
    readonly sftp: SftpConfig,
    private readonly log: Logger,
  ) {
    this.id = sftpDestinationId(sftp);
  }

  /**
   * Uploads the billing file unless an identical file is already there, then its `.sha256` side
   * file, each through a temporary name and verified by reading it back.
   *
   * @throws SourceFileError when the local file vanished or changed during the upload;
   *   HostKeyMismatchError, SftpError or VerificationError otherwise.
   */
  async deliver(file: BillingFileRef): Promise<DeliveryOutcome> {
    const session = await this.connect();
    const target = sftpTargetPath(this.sftp, file);
    const dir = posix.dirname(target);
    const alreadyThere = await this.holds(session, target, file.sha256, file.bytes);
    if (alreadyThere) {
      this.log.debug('already on the SFTP server with the same digest; not sent again', { destination: this.id, target });
    } else {
      await this.ensureFolders(session, dir);
      await this.removeStaleTemporaries(session, dir, file.name);
      await this.put(session, target, file.sha256, file.bytes, () => createReadStream(file.path), file);
      faultPoint('sftp.after-file');
    }

    // The side file goes second, so its presence tells the inbox the CSV is complete.
    const sideTarget = `${target}.sha256`;
    const sideBytes = Buffer.byteLength(file.checksumText);
    const sideSha256 = createHash('sha256').update(file.checksumText).digest('hex');
    if (!(await this.holds(session, sideTarget, sideSha256, sideBytes))) {
      await this.ensureFolders(session, dir);
      await this.removeStaleTemporaries(session, dir, `${file.name}.sha256`);
      await this.put(session, sideTarget, sideSha256, sideBytes, () => Readable.from([Buffer.from(file.checksumText)]));
    }
    return { target, sent: !alreadyThere };
  }

  /** Ends the connection, if one is open. */
  async close(): Promise<void> {
    const opening = this.session;
    this.session = undefined;
    if (opening === undefined) return;
    try {
      (await opening).close();
    } catch {
      // It never opened: nothing to close.
    }
  }

  /** The open session, or a new one (the first delivery, or the last connection dropped). */
  private async connect(): Promise<SftpSession> {
    const current = this.session;
    if (current !== undefined) {
      const session = await current.catch(() => undefined);
      if (session?.open === true) return session;
      if (this.session === current) this.session = undefined;
    }
    if (this.session === undefined) {
      const opening = (async (): Promise<SftpSession> => {
        const session = await SftpSession.connect(this.sftp, this.log);
        try {
          const root = await session.stat(this.sftp.path);
          if (root === undefined || !root.isDirectory()) throw missingRoot(this.sftp.path, root === undefined);
        } catch (error) {
          session.close();
          throw error;
        }
        return session;
      })();
      this.session = opening;
      // A failed connection is not kept: the retry opens another.
      opening.catch(() => {
        if (this.session === opening) this.session = undefined;
      });
    }
    return this.session;
  }

  /** Is there a file at `path` with exactly this size and, read back, this digest? */
  private async holds(session: SftpSession, path: string, sha256: string, bytes: number): Promise<boolean> {
    const stats = await session.stat(path);
    if (stats === undefined) return false;
    if (stats.isFile() && stats.size === bytes && (await session.digest(path)).sha256 === sha256) return true;
    this.log.info('replacing a file with a different size or digest on the SFTP server', {
      destination: this.id,
      target: path,
      previousBytes: stats.size,
      sha256,
    });
    return false;
  }

  /** Creates the folders below the root that `dir` needs; another delivery may be creating them too. */
  private async ensureFolders(session: SftpSession, dir: string): Promise<void> {
    if (this.folders.has(dir)) return;
    const below = posix.relative(this.sftp.path, dir).split('/');
    let current = this.sftp.path;
    for (const segment of below) {
      current = posix.join(current, segment);
      if (this.folders.has(current)) continue;
      try {
        await session.mkdir(current);
      } catch (error) {
        // Already there (made by an earlier run, or by the delivery beside this one) is fine.
        const stats = await session.stat(current);
        if (stats === undefined || !stats.isDirectory()) throw sftpFailure('mkdir', current, error);
      }
      this.folders.add(current);
    }
  }

  /**
   * Removes temporary files of `name` in `dir` left by a delivery whose process died: they are
   * hidden, but would pile up in the vendor's inbox. One of a living process is left alone.
   */
  private async removeStaleTemporaries(session: SftpSession, dir: string, name: string): Promise<void> {
    const prefix = `${TEMP_PREFIX}${name}.`;
    for (const entry of await session.names(dir)) {
      if (!entry.startsWith(prefix)) continue;
      // `<pid>.<random hex>`; the side file's temporaries have `sha256.` first and are not matched.
      const owner = /^(\d+)\.[0-9a-f]+$/.exec(entry.slice(prefix.length));
      if (owner === null) continue;
      const pid = Number(owner[1]);
      if (pid === process.pid || isProcessAlive(pid)) continue;
      await session.unlink(posix.join(dir, entry));
      this.log.info('removed a temporary file left on the SFTP server by an interrupted delivery', { destination: this.id, path: posix.join(dir, entry) });
    }
  }

  /**
   * Streams the bytes to a temporary name beside `target`, renames it into place and verifies
   * it. With `local`, the bytes are the billing file's, hashed as they are read: a file that
   * changed meanwhile is not renamed into place.
   */
  private async put(
    session: SftpSession,
    target: string,
    sha256: string,
    bytes: number,
    source: () => NodeJS.ReadableStream,
    local?: BillingFileRef,
  ): Promise<void> {
    const temp = posix.join(posix.dirname(target), `${TEMP_PREFIX}${posix.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}`);
    const digest = new DigestPassThrough();
    try {
      await session.write(source(), temp, digest);
    } catch (error) {
      await session.unlink(temp).catch(() => undefined);
      if (local !== undefined && errorCode(error) === 'ENOENT') {
        throw new SourceFileError(local.file, 'missing', 'the billing file disappeared while it was being uploaded', { cause: error });
      }
      throw sftpFailure('upload', temp, error);
    }
    if (digest.sha256 !== sha256 || digest.bytes !== bytes) {
      await session.unlink(temp).catch(() => undefined);
      throw local === undefined
        ? new VerificationError(target, 'the side file changed while it was being uploaded')
        : new SourceFileError(
            local.file,
            'changed',
            `the billing file changed while it was being uploaded (read ${digest.bytes} bytes, SHA-256 ${digest.sha256 ?? '?'}); not renamed into place`,
          );
    }
    // Killed here, the server holds a hidden temporary file and nothing under the final name.
    faultPoint('sftp.before-rename');
    try {
      await session.rename(temp, target);
    } catch (error) {
      await session.unlink(temp).catch(() => undefined);
      throw error;
    }
    await this.verify(session, target, sha256, bytes);
  }

  private async verify(session: SftpSession, target: string, sha256: string, bytes: number): Promise<void> {
    const where = `${this.id}: ${target}`;
    const stats = await session.stat(target);
    if (stats === undefined) throw new VerificationError(where, 'the file is not there after the rename');
    if (stats.size !== bytes) throw new VerificationError(where, `the file has ${stats.size} bytes, expected ${bytes}`);
    const read = await session.digest(target);
    if (read.bytes !== bytes || read.sha256 !== sha256) {
      throw new VerificationError(where, `the file reads back as ${read.bytes} bytes with SHA-256 ${read.sha256}, expected ${bytes} bytes with ${sha256}`);
    }
  }
}
