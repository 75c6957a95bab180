/** Whether a process of this host still runs: for locks and temporary files left by dead processes. */
import { readFileSync } from 'node:fs';

/** True when `pid` is a running process (EPERM: it runs, as someone else). Never for pid ≤ 0. */
export function isProcessAlive(pid: number): boolean {
  // kill(0) signals the process group and kill(-1) every process: both "succeed" for anyone.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * What tells one process from another that later gets the same PID: the boot's id and the
 * process's start time in clock ticks since boot (Linux `/proc`). Undefined where `/proc` has
 * neither: there a PID is all there is.
 */
export interface ProcessIdentity {
  readonly bootId: string;
  readonly startTicks: string;
}

/** The identity of a running process, or undefined (no such process, or no `/proc`). */
export function processIdentity(pid: number): ProcessIdentity | undefined {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[19];
    if (bootId === '' || startTicks === undefined) return undefined;
    return { bootId, startTicks };
  } catch {
    return undefined;
  }
}

/**
 * True when the process that recorded `identity` still runs: its PID is alive and, where the
 * identity can be read, it is the same process (same boot, same start time) and not a later one
 * that reused the PID, e.g. after a reboot.
 */
export function isSameProcessAlive(pid: number, identity: ProcessIdentity | undefined): boolean {
  if (!isProcessAlive(pid)) return false;
  if (identity === undefined) return true;
  const now = processIdentity(pid);
  if (now === undefined) return !existsProc();
  return now.bootId === identity.bootId && now.startTicks === identity.startTicks;
}

function existsProc(): boolean {
  try {
    readFileSync('/proc/sys/kernel/random/boot_id');
    return true;
  } catch {
    return false;
  }
}
