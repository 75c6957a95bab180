/**
 * lib/faults.ts on its own: a no-op without its variables, a trace of every point, SIGKILL at
 * exactly the n-th point (the signal is intercepted here; the crash suite lets it through), a
 * hold that blocks until released, and loud errors for variables it cannot obey.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FaultInjectionError, faultPoint, faultPointCalls, resetFaultPoints } from '../../lib/faults';

const VARIABLES = ['BDS_FAULT_KILL_AT', 'BDS_FAULT_TRACE', 'BDS_FAULT_HOLD_AT', 'BDS_FAULT_HOLD_FILE'] as const;
let saved: Partial<Record<(typeof VARIABLES)[number], string>>;
let dir: string;

beforeEach(async () => {
  saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) delete process.env[name];
  dir = await mkdtemp(join(tmpdir(), 'bds-faults-unit-'));
  resetFaultPoints();
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const name of VARIABLES) {
    const value = saved[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetFaultPoints();
  await rm(dir, { recursive: true, force: true });
});

/** Replaces process.kill for the test: records the calls instead of dying. */
function interceptKill(onKill: () => void = () => undefined): ReturnType<typeof vi.spyOn> {
  return vi.spyOn(process, 'kill').mockImplementation(() => {
    onKill();
    return true;
  });
}

describe('faultPoint', () => {
  it('does nothing and counts nothing without BDS_FAULT_* variables', () => {
    // Prepare
    const kill = interceptKill();
    // Act
    for (let i = 0; i < 1000; i += 1) faultPoint('extract.rows');
    // Assess
    expect(kill).not.toHaveBeenCalled();
    expect(faultPointCalls()).toBe(0);
  });

  it('appends every point, in order, to the BDS_FAULT_TRACE file', () => {
    // Prepare
    const trace = join(dir, 'trace');
    process.env.BDS_FAULT_TRACE = trace;
    const kill = interceptKill();
    // Act
    for (const name of ['extract.rows', 'extract.before-commit', 'billing.after-csv', 'extract.rows']) faultPoint(name);
    // Assess
    expect(readFileSync(trace, 'utf8')).toBe('extract.rows\nextract.before-commit\nbilling.after-csv\nextract.rows\n');
    expect(faultPointCalls()).toBe(4);
    expect(kill).not.toHaveBeenCalled();
  });

  it('sends SIGKILL to its own process at exactly the n-th call, after tracing it', () => {
    // Prepare
    const trace = join(dir, 'trace');
    process.env.BDS_FAULT_KILL_AT = '3';
    process.env.BDS_FAULT_TRACE = trace;
    const tracedAtKill: string[] = [];
    const kill = interceptKill(() => tracedAtKill.push(readFileSync(trace, 'utf8')));
    // Act
    faultPoint('a');
    faultPoint('b');
    expect(kill).not.toHaveBeenCalled();
    faultPoint('c');
    faultPoint('d');
    // Assess: once, at the third, with the third already in the trace (a test reads where it died).
    expect(kill).toHaveBeenCalledTimes(1);
    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGKILL');
    expect(tracedAtKill).toEqual(['a\nb\nc\n']);
  });

  it('counts from the start again after a reset', () => {
    process.env.BDS_FAULT_KILL_AT = '2';
    const kill = interceptKill();
    faultPoint('a');
    resetFaultPoints();
    faultPoint('a');
    expect(kill).not.toHaveBeenCalled();
    faultPoint('a');
    expect(kill).toHaveBeenCalledTimes(1);
  });

  it.each(['0', '-1', '1.5', 'three', '1e400'])('refuses BDS_FAULT_KILL_AT=%s rather than never killing', (value) => {
    process.env.BDS_FAULT_KILL_AT = value;
    expect(() => faultPoint('a')).toThrow(FaultInjectionError);
    expect(() => faultPoint('a')).toThrow(/BDS_FAULT_KILL_AT/);
  });

  it('refuses a hold point without its file', () => {
    process.env.BDS_FAULT_HOLD_AT = 'extract.rows';
    expect(() => faultPoint('a')).toThrow(/BDS_FAULT_HOLD_AT and BDS_FAULT_HOLD_FILE go together/);
  });

  it('holds the whole thread at the first call of the named point until its file is deleted, and only once', async () => {
    // Prepare: another thread plays the test that releases the hold (this one is blocked).
    const hold = join(dir, 'hold');
    process.env.BDS_FAULT_HOLD_AT = 'extract.rows';
    process.env.BDS_FAULT_HOLD_FILE = hold;
    const releaser = new Worker(
      `const { existsSync, readFileSync, rmSync } = require('node:fs');
       const { parentPort, workerData } = require('node:worker_threads');
       const pause = new Int32Array(new SharedArrayBuffer(4));
       while (!existsSync(workerData)) Atomics.wait(pause, 0, 0, 5);
       const content = readFileSync(workerData, 'utf8');
       rmSync(workerData);
       parentPort.postMessage(content);`,
      { eval: true, workerData: hold },
    );
    const released = new Promise<string>((resolve, reject) => {
      releaser.once('message', (m: string) => resolve(m));
      releaser.once('error', reject);
    });
    try {
      // Act: other points pass; the named one blocks until the worker deletes the file.
      faultPoint('extract.before-commit');
      expect(existsSync(hold)).toBe(false);
      faultPoint('extract.rows');

      // Assess: it had announced itself with its pid, and was released.
      expect(await released).toBe(`${process.pid}\n`);
      expect(existsSync(hold)).toBe(false);
      // A second call of the point does not hold again (nobody would release it).
      faultPoint('extract.rows');
      expect(existsSync(hold)).toBe(false);
      expect(faultPointCalls()).toBe(3);
    } finally {
      await releaser.terminate();
    }
  });
});
