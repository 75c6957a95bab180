/**
 * The data directory's lock: which holders are alive, and which locks are stale and taken over.
 * Real files and real processes (a `sleep` child stands for another bds process).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FILE_MODES } from '../../lib/files/atomic';
import { acquireLock, lockPath } from '../../lib/state/lock';
import { LockHeldError } from '../../lib/state/errors';
import { isProcessAlive, processIdentity } from '../../lib/process-alive';

let dataDir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'bds-lock-'));
  await mkdir(join(dataDir, 'state'));
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

function sleeper(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('sleep did not start');
  return child.pid;
}

async function takesOver(content: string): Promise<void> {
  // Prepare
  await writeFile(lockPath(dataDir), content);

  // Act
  const lock = await acquireLock(dataDir, 'bds test', DEFAULT_FILE_MODES);

  // Assess: the lock is now ours, written whole.
  const info = JSON.parse(await readFile(lockPath(dataDir), 'utf8')) as { pid: number; command: string };
  expect(info).toMatchObject({ pid: process.pid, command: 'bds test' });
  await lock.release();
  expect(await readdir(join(dataDir, 'state'))).toEqual([]);
}

describe('stale locks', () => {
  it('takes over an empty lock file', () => takesOver(''));
  it('takes over a lock file of garbage', () => takesOver('\u0000\u0001 not json'));
  it('takes over a lock whose pid is -1, 0 or not a number (kill(-1, 0) would succeed for anyone)', async () => {
    for (const pid of [-1, 0, '"12"', 1.5]) {
      await takesOver(`{"pid": ${pid}, "host": "${hostname()}", "command": "x", "startedAt": ""}`);
    }
  });

  it('takes over a lock whose pid is alive but is another process than the one that wrote it (a reused PID)', async () => {
    const pid = sleeper();
    const identity = processIdentity(pid);
    if (identity === undefined) return; // no /proc: a PID is all there is, nothing to tell apart
    await takesOver(
      JSON.stringify({ pid, host: hostname(), command: 'bds run', startedAt: '2026-01-01T00:00:00Z', identity: { ...identity, startTicks: '1' } }),
    );
    // The unrelated process is left alone.
    expect(isProcessAlive(pid)).toBe(true);
  });

  it('takes over a lock written before a reboot (another boot id)', async () => {
    const pid = sleeper();
    const identity = processIdentity(pid);
    if (identity === undefined) return;
    await takesOver(JSON.stringify({ pid, host: hostname(), command: 'bds run', startedAt: '', identity: { ...identity, bootId: 'another-boot' } }));
  });

  it('refuses while the recorded process itself is alive, naming it', async () => {
    // Prepare
    const pid = sleeper();
    const identity = processIdentity(pid);
    await writeFile(lockPath(dataDir), JSON.stringify({ pid, host: hostname(), command: 'bds catch-up', startedAt: 'then', ...(identity === undefined ? {} : { identity }) }));

    // Act
    const attempt = acquireLock(dataDir, 'bds test', DEFAULT_FILE_MODES);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(LockHeldError);
    await expect(attempt).rejects.toThrow(`pid ${pid} on ${hostname()}, "bds catch-up"`);
  });

  it('is refused to a second taker while held, and free again once released', async () => {
    const first = await acquireLock(dataDir, 'first', DEFAULT_FILE_MODES);
    const info = JSON.parse(await readFile(lockPath(dataDir), 'utf8')) as { identity?: unknown };
    if (processIdentity(process.pid) !== undefined) expect(info.identity).toEqual(processIdentity(process.pid));
    // Re-entrant within the process; another process is refused (tested through the CLI elsewhere).
    const again = await acquireLock(dataDir, 'again', DEFAULT_FILE_MODES);
    await again.release();
    expect(JSON.parse(await readFile(lockPath(dataDir), 'utf8'))).toMatchObject({ command: 'first' });
    await first.release();
    expect(await readdir(join(dataDir, 'state'))).toEqual([]);
  });
});

describe('the directory lock and the tenants\' locks', () => {
  async function heldBySleeper(path: string, command: string): Promise<number> {
    const pid = sleeper();
    const identity = processIdentity(pid);
    await writeFile(path, JSON.stringify({ pid, host: hostname(), command, startedAt: 'then', ...(identity === undefined ? {} : { identity }) }));
    return pid;
  }

  it('refuses a tenant lock while another process holds the directory lock, leaving no tenant lock behind', async () => {
    // Prepare: an upload (directory lock) is running in another process.
    const pid = await heldBySleeper(lockPath(dataDir), 'upload');

    // Act
    const attempt = acquireLock(dataDir, 'worker --tenant acme', DEFAULT_FILE_MODES, 'acme');

    // Assess
    await expect(attempt).rejects.toThrow(`pid ${pid} on ${hostname()}, "upload"`);
    expect((await readdir(join(dataDir, 'state'))).sort()).toEqual(['lock']);
  });

  it('refuses the directory lock while another process holds a tenant lock, naming it', async () => {
    // Prepare: a worker of globex runs in another process.
    const pid = await heldBySleeper(lockPath(dataDir, 'globex'), 'worker --tenant globex');

    // Act
    const attempt = acquireLock(dataDir, 'upload', DEFAULT_FILE_MODES);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(LockHeldError);
    await expect(attempt).rejects.toThrow(`pid ${pid} on ${hostname()}, "worker --tenant globex"`);
    expect((await readdir(join(dataDir, 'state'))).sort()).toEqual(['lock.globex']);
  });

  it('lets tenant locks of different tenants, and a dead worker\'s leftover, coexist with taking the directory lock', async () => {
    // Prepare: a worker of acme runs elsewhere; a dead worker left globex's lock.
    await heldBySleeper(lockPath(dataDir, 'acme'), 'worker --tenant acme');
    await writeFile(lockPath(dataDir, 'globex'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), command: 'worker --tenant globex', startedAt: 'then' }));

    // Act: another tenant's worker goes on; the directory lock is refused because of acme only.
    const beta = await acquireLock(dataDir, 'worker --tenant beta', DEFAULT_FILE_MODES, 'beta');
    const directory = acquireLock(dataDir, 'bds run', DEFAULT_FILE_MODES);

    // Assess
    await expect(directory).rejects.toThrow('"worker --tenant acme"');
    await beta.release();
  });

  it('lets one process take both levels (the scheduler runs a worker in-process)', async () => {
    const directory = await acquireLock(dataDir, 'bds scheduler', DEFAULT_FILE_MODES);
    const tenant = await acquireLock(dataDir, 'worker --tenant acme', DEFAULT_FILE_MODES, 'acme');
    await tenant.release();
    await directory.release();
    expect(await readdir(join(dataDir, 'state'))).toEqual([]);
  });
});
