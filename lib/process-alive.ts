/** Whether a process of this host still runs: for locks and temporary files left by dead processes. */

/** True when `pid` is a running process (EPERM: it runs, as someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
