/**
 * One worker per data directory: a lock file in `state/` created exclusively. A lock whose
 * holder is a dead process on this host is taken over; so is a lock that cannot be read, and one
 * whose PID now belongs to another process (the PID reused after a reboot: the lock records the
 * holder's boot id and start time). The lock appears with its content or not at all: it is
 * written under a temporary name and hard-linked into place, which fails if a lock exists. The
 * lock is re-entrant within one process, so the scheduler (which holds it for its lifetime) can
 * run handlers that take it too.
 *
 * The directory's lock and the tenants' locks (fan-out workers) exclude each other: a process
 * that has created one checks the other level and backs off (LockHeldError) when another live
 * process holds it. Both sides create first and check second, so two racing processes cannot
 * both go on (at worst both back off, and the next firing retries).
 */
import { link, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ensureDir, isTemporaryName, temporaryPathFor, type FileModes } from '../files/atomic';
import { parseFormat } from '../files/disk-format';
import { isSameProcessAlive, processIdentity } from '../process-alive';
import { LockHeldError, StateError } from './errors';

/**
 * The format of a lock file: who holds it. Not strict: a newer BDS may record more, and its
 * lock must still be respected. Only `pid` and `host` decide whether the holder lives; the
 * rest is shown to whoever is refused, so a malformed one is dropped, not fatal.
 */
export const lockInfoSchema = z.object({
  pid: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  host: z.string(),
  command: z.string().catch(''),
  startedAt: z.string().catch(''),
  /** The holder's boot id and start time (Linux), so that a reused PID is not taken for it. */
  identity: z.object({ bootId: z.string(), startTicks: z.string() }).optional().catch(undefined),
});

/** Who holds a lock. */
export type LockInfo = z.infer<typeof lockInfoSchema>;

export interface LockHandle {
  release(): Promise<void>;
}

const held = new Map<string, { count: number; info: LockInfo }>();

/**
 * The lock file of a data directory, or of one tenant in it. Tenant locks serve fan-out workers
 * (one invocation per tenant, running at the same time); everything else takes the directory's.
 */
export function lockPath(dataDir: string, tenant?: string): string {
  return join(dataDir, 'state', tenant === undefined ? 'lock' : `lock.${tenant}`);
}


const UNREADABLE = 'unreadable lock file';

function unreadable(): LockInfo {
  // pid -1 is never alive (lib/process-alive.ts): the lock is stale and taken over.
  return { pid: -1, host: hostname(), command: UNREADABLE, startedAt: '' };
}

async function readHolder(path: string): Promise<LockInfo | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return unreadable();
  }
  const parsed = parseFormat(lockInfoSchema, text);
  // Empty or garbage (a lock written by hand, a disk fault): nobody can be holding it.
  if (!parsed.ok) return unreadable();
  const { identity, ...rest } = parsed.value;
  return identity === undefined ? rest : { ...rest, identity };
}

function isHolderAlive(holder: LockInfo): boolean {
  return holder.host !== hostname() || isSameProcessAlive(holder.pid, holder.identity);
}

async function tryCreate(path: string, info: LockInfo, modes: FileModes): Promise<boolean> {
  const temporary = temporaryPathFor(path);
  try {
    const handle = await open(temporary, 'wx', modes.file);
    try {
      await handle.writeFile(JSON.stringify(info) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    // link() creates the name exclusively, with the content already complete.
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new StateError(`cannot create the lock ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    await rm(temporary, { force: true });
  }
}

// A lock moved aside while being taken over (see acquireLock).
const ASIDE = /\.stale-[0-9a-f]{8}$/;

/**
 * The lock of the other level held by another live process, if any: for the directory's lock,
 * any tenant's; for a tenant's, the directory's. Locks this process holds do not count.
 */
async function conflictingLock(dataDir: string, tenant: string | undefined): Promise<{ holder: LockInfo; path: string } | undefined> {
  const state = join(dataDir, 'state');
  const names =
    tenant === undefined
      ? (await readdir(state).catch(() => [] as string[])).filter((n) => n.startsWith('lock.') && !ASIDE.test(n) && !isTemporaryName(n))
      : ['lock'];
  for (const name of names) {
    const path = join(state, name);
    if (held.has(path)) continue;
    const holder = await readHolder(path);
    if (holder !== undefined && isHolderAlive(holder)) return { holder, path };
  }
  return undefined;
}

/**
 * Takes the data directory's lock (or a tenant's) or throws LockHeldError naming the holder. `command` says
 * what this process is doing (shown to whoever is refused); the lock file is created with `modes`.
 */
export async function acquireLock(dataDir: string, command: string, modes: FileModes, tenant?: string): Promise<LockHandle> {
  const path = lockPath(dataDir, tenant);
  const mine = held.get(path);
  const release = (): LockHandle => ({
    async release() {
      const entry = held.get(path);
      if (entry === undefined) return;
      entry.count -= 1;
      if (entry.count > 0) return;
      held.delete(path);
      const holder = await readHolder(path);
      if (holder?.pid === process.pid) await rm(path, { force: true });
    },
  });
  if (mine !== undefined) {
    mine.count += 1;
    return release();
  }
  await ensureDir(join(dataDir, 'state'), modes);
  const identity = processIdentity(process.pid);
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    command,
    startedAt: new Date().toISOString(),
    ...(identity === undefined ? {} : { identity }),
  };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await tryCreate(path, info, modes)) {
      const conflict = await conflictingLock(dataDir, tenant);
      if (conflict !== undefined) {
        await rm(path, { force: true });
        throw new LockHeldError(conflict.holder, conflict.path);
      }
      held.set(path, { count: 1, info });
      return release();
    }
    const holder = await readHolder(path);
    if (holder === undefined) continue; // released in between: try again
    if (isHolderAlive(holder)) throw new LockHeldError(holder, path);
    // The holder died: move its lock aside (only one of several takers can rename it), then
    // check that what was moved is the dead holder's, not a lock a faster taker just created.
    const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
    try {
      await rename(path, aside);
    } catch {
      continue;
    }
    const moved = await readHolder(aside);
    if (moved !== undefined && moved.pid !== holder.pid && isHolderAlive(moved)) {
      await rename(aside, path).catch(() => undefined);
      throw new LockHeldError(moved, path);
    }
    await rm(aside, { force: true });
  }
  const holder = await readHolder(path);
  throw holder === undefined ? new StateError(`cannot take the lock ${path}`) : new LockHeldError(holder, path);
}
