/**
 * Fault injection for the reliability tests (docs/reliability.md). Production code calls
 * `faultPoint(name)` at the moments where a crash or a stall would matter most: while a staged
 * dataset is streamed, between its commit and its record, between billing files, around a
 * delivery and its ledger line, around a watermark write. Without the variables below every call
 * is a no-op that costs one boolean test.
 *
 * - `BDS_FAULT_KILL_AT=<n>`: the n-th call (counted over the whole process, from 1) sends
 *   SIGKILL to this process, as a power cut or the OOM killer would: no `finally`, no clean-up.
 *   `BDS_FAULT_KILL_AT=<name>#<n>` does the same at the n-th call of the point `name`: where
 *   work runs concurrently (each source's extraction, deliveries), the points of different
 *   chains interleave in no fixed order, and only a named occurrence is sure to be the same
 *   moment from one run to the next.
 * - `BDS_FAULT_TRACE=<file>`: every call appends the point's name and a newline to `file`,
 *   before the kill check, so a clean run lists the points a test can choose from and a killed
 *   run's last line is the point it died at.
 * - `BDS_FAULT_HOLD_AT=<name>` with `BDS_FAULT_HOLD_FILE=<file>`: the first call of the point
 *   `name` (or `name@qualifier`, see `faultPoint`) creates `file` and blocks the whole process
 *   until the test deletes it: the consumer of a source stands still (the database sees an idle
 *   cursor), or a test fills the disk, at a known moment instead of a guessed one.
 *
 * Everything is synchronous on purpose: a trace line is on disk before the kill, and a hold
 * stops the event loop too, so nothing else of the process moves while it is held.
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { BdsError } from './errors';

/** A fault-injection variable is set to something that cannot be obeyed. */
export class FaultInjectionError extends BdsError {}

/** Row-level points are called once per this many rows streamed into a staged dataset. */
export const FAULT_ROW_INTERVAL = 10;

/** How often a held process looks whether it was released. */
const HOLD_POLL_MS = 20;
/** A held process gives up after this long, so an aborted test cannot leave it blocked forever. */
const HOLD_MAX_MS = 120_000;

/** Where to die: the n-th call of any point, or the n-th call of one named point. */
interface KillAt {
  readonly point: string | undefined;
  readonly call: number;
}

interface FaultSettings {
  readonly killAt: KillAt | undefined;
  readonly trace: string | undefined;
  readonly hold: { readonly point: string; readonly file: string } | undefined;
}

let settings: FaultSettings | undefined;
let enabled = false;
let calls = 0;
/** Calls of the point BDS_FAULT_KILL_AT names (of every point when it names none). */
let killCandidates = 0;
let held = false;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Reads the variables once; a malformed one throws rather than silently injecting nothing. */
function load(env: NodeJS.ProcessEnv): FaultSettings {
  const killText = nonEmpty(env.BDS_FAULT_KILL_AT);
  let killAt: KillAt | undefined;
  if (killText !== undefined) {
    const hash = killText.lastIndexOf('#');
    const point = hash < 0 ? undefined : killText.slice(0, hash);
    const call = Number(hash < 0 ? killText : killText.slice(hash + 1));
    if (!Number.isSafeInteger(call) || call < 1 || point === '') {
      throw new FaultInjectionError(
        `BDS_FAULT_KILL_AT=${JSON.stringify(killText)} is neither a positive whole number of fault points nor <point>#<n> (e.g. extract.rows#3)`,
      );
    }
    killAt = { point, call };
  }
  const holdPoint = nonEmpty(env.BDS_FAULT_HOLD_AT);
  const holdFile = nonEmpty(env.BDS_FAULT_HOLD_FILE);
  if ((holdPoint === undefined) !== (holdFile === undefined)) {
    throw new FaultInjectionError('BDS_FAULT_HOLD_AT and BDS_FAULT_HOLD_FILE go together: set both or neither');
  }
  const hold = holdPoint !== undefined && holdFile !== undefined ? { point: holdPoint, file: holdFile } : undefined;
  return { killAt, trace: nonEmpty(env.BDS_FAULT_TRACE), hold };
}

function current(): FaultSettings {
  if (settings === undefined) {
    settings = load(process.env);
    enabled = settings.killAt !== undefined || settings.trace !== undefined || settings.hold !== undefined;
  }
  return settings;
}

/** Blocks the thread (and so the event loop) until `file` is gone or the safety limit passes. */
function holdUntilReleased(file: string): void {
  writeFileSync(file, `${process.pid}\n`);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + HOLD_MAX_MS;
  while (existsSync(file) && Date.now() < deadline) Atomics.wait(pause, 0, 0, HOLD_POLL_MS);
}

/**
 * Marks a moment where a fault may be injected (see the module's documentation). A no-op unless
 * a `BDS_FAULT_*` variable is set.
 *
 * @param name the point's name, `<area>.<moment>` (e.g. `extract.before-commit`); the tests
 *   group points by the part before the first dot.
 * @param qualifier what the point is passed for (the staged dataset, say): a hold or a kill may
 *   name `<name>@<qualifier>` to pick that one among chains that run side by side. The trace
 *   records the name alone.
 * @throws FaultInjectionError when a `BDS_FAULT_*` variable is malformed.
 */
export function faultPoint(name: string, qualifier?: string): void {
  if (settings !== undefined && !enabled) return;
  const { killAt, trace, hold } = current();
  if (!enabled) return;
  calls += 1;
  const qualified = qualifier === undefined ? undefined : `${name}@${qualifier}`;
  if (trace !== undefined) appendFileSync(trace, `${name}\n`);
  if (hold !== undefined && !held && (name === hold.point || qualified === hold.point)) {
    held = true;
    holdUntilReleased(hold.file);
  }
  if (killAt === undefined || (killAt.point !== undefined && killAt.point !== name && killAt.point !== qualified)) return;
  killCandidates += 1;
  if (killCandidates === killAt.call) process.kill(process.pid, 'SIGKILL');
}

/** How many fault points this process has passed since the variables were (re)read. */
export function faultPointCalls(): number {
  return calls;
}

/** For tests in one process: forget the count and read the variables again at the next call. */
export function resetFaultPoints(): void {
  settings = undefined;
  enabled = false;
  calls = 0;
  killCandidates = 0;
  held = false;
}
