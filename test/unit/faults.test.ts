/**
 * lib/faults.ts on its own: a no-op without its variables, a trace of every point, SIGKILL at
 * exactly the n-th point (the signal is intercepted here; the crash suite lets it through), a
 * hold that blocks until released, and loud errors for variables it cannot obey.
 */
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FaultInjectionError, faultPoint, faultPointCalls, resetFaultPoints } from '../../lib/faults';
import { restoreEnv, unsetEnv } from '../helpers/suite';

const VARIABLES = ['BDS_FAULT_KILL_AT', 'BDS_FAULT_TRACE', 'BDS_FAULT_HOLD_AT', 'BDS_FAULT_HOLD_FILE'] as const;
let saved: Partial<Record<(typeof VARIABLES)[number], string>>;
let dir: string;

beforeEach(async () => {
  saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) unsetEnv(name);
  dir = await mkdtemp(join(tmpdir(), 'bds-faults-unit-'));
  resetFaultPoints();
});

afterEach(async () => {
  vi.restoreAllMocks();
  restoreEnv(saved);
  resetFaultPoints();
  await rm(dir, { recursive: true, force: true });
});

/** Replaces process.kill for the test: records the calls instead of dying. */
function interceptKill(onKill: () => void = () => undefined): MockInstance<typeof process.kill> {
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

  it('sends SIGKILL at the n-th call of a named point, whatever other points came between', () => {
    // Prepare: two chains interleave their points (as concurrent extractions do).
    const trace = join(dir, 'trace');
    process.env.BDS_FAULT_KILL_AT = 'extract.after-commit#2';
    process.env.BDS_FAULT_TRACE = trace;
    const tracedAtKill: string[] = [];
    const kill = interceptKill(() => tracedAtKill.push(readFileSync(trace, 'utf8')));
    // Act
    for (const name of ['extract.rows', 'extract.after-commit', 'extract.rows', 'extract.rows']) faultPoint(name);
    expect(kill).not.toHaveBeenCalled();
    faultPoint('extract.after-commit');
    faultPoint('extract.after-commit');
    // Assess: once, at the second call of that point (the sixth call in all is not the one).
    expect(kill).toHaveBeenCalledTimes(1);
    expect(tracedAtKill).toEqual(['extract.rows\nextract.after-commit\nextract.rows\nextract.rows\nextract.after-commit\n']);
  });

  it('kills at the n-th call of a point qualified by what it was passed for, counting only those', () => {
    // Prepare
    process.env.BDS_FAULT_KILL_AT = 'extract.rows@gim_sessions#2';
    const kill = interceptKill();
    // Act: other datasets' rows do not count...
    faultPoint('extract.rows', 'gim_sessions');
    faultPoint('extract.rows', 'gvp_usage_NA');
    faultPoint('extract.rows', 'gvp_usage_NA');
    expect(kill).not.toHaveBeenCalled();
    // ...the second of this one's does.
    faultPoint('extract.rows', 'gim_sessions');
    // Assess
    expect(kill).toHaveBeenCalledTimes(1);
  });

  it('holds at a qualified point only when that qualifier passes it', () => {
    // Prepare: nobody releases a hold here, so a call that held would block until the safety
    // limit; a hold writes its file before blocking, so the file tells whether one began.
    const file = join(dir, 'hold');
    process.env.BDS_FAULT_HOLD_AT = 'extract.rows@gim_sessions';
    process.env.BDS_FAULT_HOLD_FILE = file;
    // Act
    faultPoint('extract.rows', 'gvp_usage_NA');
    faultPoint('extract.rows');
    // Assess: neither held (a hold creates the file before blocking).
    expect(existsSync(file)).toBe(false);
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

  it.each(['0', '-1', '1.5', 'three', '1e400', 'extract.rows#0', 'extract.rows#', '#3', 'extract.rows#two'])('refuses BDS_FAULT_KILL_AT=%s rather than never killing', (value) => {
    process.env.BDS_FAULT_KILL_AT = value;
    expect(() => faultPoint('a')).toThrow(FaultInjectionError);
    expect(() => faultPoint('a')).toThrow(/BDS_FAULT_KILL_AT/);
  });

  it('refuses a hold point without its file', () => {
    process.env.BDS_FAULT_HOLD_AT = 'extract.rows';
    expect(() => faultPoint('a')).toThrow(/BDS_FAULT_HOLD_AT and BDS_FAULT_HOLD_FILE go together/);
  });

  it.each([
    ['extract.rows', undefined],
    ['extract.rows@gim_sessions', 'gim_sessions'],
  ])('holds the whole thread at the first call of %s until its file is deleted, and only once', async (point, qualifier) => {
    // Prepare: another thread plays the test that releases the hold (this one is blocked).
    const hold = join(dir, 'hold');
    process.env.BDS_FAULT_HOLD_AT = point;
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
      faultPoint('extract.before-commit', qualifier);
      expect(existsSync(hold)).toBe(false);
      faultPoint('extract.rows', qualifier);

      // Assess: it had announced itself with its pid, and was released.
      expect(await released).toBe(`${process.pid}\n`);
      expect(existsSync(hold)).toBe(false);
      // A second call of the point does not hold again (nobody would release it).
      faultPoint('extract.rows', qualifier);
      expect(existsSync(hold)).toBe(false);
      expect(faultPointCalls()).toBe(3);
    } finally {
      await releaser.terminate();
    }
  });
});
