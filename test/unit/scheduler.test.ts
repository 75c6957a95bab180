/**
 * The scheduler's loop on a simulated clock: what it fires, when, with which event, and how it
 * collapses missed firings. (test/integration/scheduler.test.ts runs the real process.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../lib/config/errors';
import { createLogger } from '../../lib/log/logger';
import type { BdsHandler, HandlerSummary } from '../../lib/pipeline/handler';
import { runScheduler, type SchedulerClock } from '../../app/scheduler/scheduler';
import { lockPath } from '../../lib/state/lock';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A configuration and a serverless.yml with the given functions block, in a fresh folder. */
function setup(functions: string, schedulerZone?: string): { configPath: string; serverlessFile: string; dataDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bds-scheduler-unit-'));
  dirs.push(dir);
  const configPath = join(dir, 'bds.config.yaml');
  writeFileSync(
    configPath,
    [
      'customer: { garn: GARN0042, name: Acme Corp }',
      'dataDir: ./data',
      'sources: { gim: { client: pg, connectionString: "postgres://bds@127.0.0.1:1/gim" } }',
      'tenants:',
      '  - { id: acme, gimTenantKey: 1, cfgTenantDbid: 101, productionDate: 2026-01-01, metrics: [seats_inbound_voice],',
      '      regions: [{ code: US, locations: [{ code: MAIN, switches: [] }] }] }',
      ...(schedulerZone === undefined ? [] : [`scheduler: { timezone: ${schedulerZone} }`]),
    ].join('\n'),
  );
  const serverlessFile = join(dir, 'serverless.yml');
  writeFileSync(serverlessFile, `service: bds\nprovider:\n  name: aws\n  stage: test\n  region: eu-west-1\nfunctions:\n${functions}`);
  return { configPath, serverlessFile, dataDir: join(dir, 'data') };
}

/** A clock whose sleeps pass instantly; handlers move it forward to simulate long runs. */
class SimulatedClock implements SchedulerClock {
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (!signal.aborted) this.time += Math.max(0, ms);
    await Promise.resolve();
  }
}

interface Call {
  readonly fn: string;
  readonly event: Record<string, unknown>;
  readonly at: number;
}

function summary(fn: string, exitCode = 0): HandlerSummary {
  return { function: fn, ok: exitCode === 0, exitCode, days: [], skipped: [], transmissions: [], durationMs: 0 };
}

/** Handlers that record their calls; `stopAfter` calls in all, the scheduler is stopped. */
function recording(
  names: readonly string[],
  stop: AbortController,
  stopAfter: number,
  behaviour: (fn: string, call: number) => Promise<HandlerSummary> | HandlerSummary = (fn) => summary(fn),
  clock?: SimulatedClock,
): { calls: Call[]; handlers: Record<string, BdsHandler>; maxInFlight: () => number } {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const handlers: Record<string, BdsHandler> = {};
  for (const name of names) {
    handlers[name] = async (event) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      calls.push({ fn: name, event: event as Record<string, unknown>, at: clock?.now() ?? 0 });
      if (calls.length >= stopAfter) stop.abort();
      try {
        return await behaviour(name, calls.length);
      } finally {
        inFlight -= 1;
      }
    };
  }
  return { calls, handlers, maxInFlight: () => maxInFlight };
}

const START = Date.parse('2026-11-26T06:00:00.250Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('runScheduler (simulated clock)', () => {
  it('fires the dispatcher at start-up, then at each time, with an EventBridge scheduled event', async () => {
    // Prepare
    const files = setup('  dispatcher:\n    handler: h.handler\n    events:\n      - schedule: rate(5 minutes)\n');
    const clock = new SimulatedClock(START);
    const stop = new AbortController();
    const { calls, handlers } = recording(['dispatcher'], stop, 3, undefined, clock);
    const lines: Record<string, unknown>[] = [];

    // Act
    const code = await runScheduler({
      ...files,
      log: createLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
      signal: stop.signal,
      signals: [],
      handlers,
      clock,
    });

    // Assess
    expect(code).toBe(0);
    expect(calls.map((c) => c.event.time)).toEqual(['2026-11-26T06:00:00Z', '2026-11-26T06:05:00Z', '2026-11-26T06:10:00Z']);
    const event = calls[1]?.event ?? {};
    expect(event).toEqual({
      version: '0',
      // `as unknown`: vitest types its asymmetric matchers `any`.
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/) as unknown,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: '2026-11-26T06:05:00Z',
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:000000000000:rule/bds-test-dispatcher-schedule-1'],
      detail: {},
    });
    expect(new Set(calls.map((c) => c.event.id)).size).toBe(3);
    const firings = lines.filter((l) => l.msg === 'firing finished');
    expect(firings.map((l) => [l.function, l.scheduledTime, l.exitCode])).toEqual([
      ['dispatcher', '2026-11-26T06:00:00.000Z', 0],
      ['dispatcher', '2026-11-26T06:05:00.000Z', 0],
      ['dispatcher', '2026-11-26T06:10:00.000Z', 0],
    ]);
    expect(firings.every((l) => typeof l.durationMs === 'number')).toBe(true);
    expect(existsSync(lockPath(files.dataDir))).toBe(false);
  });

  it('runs one firing at a time and collapses the firings missed meanwhile into one', async () => {
    // Prepare: the second dispatcher firing runs 5½ minutes; the minute schedules fall due.
    const files = setup(
      '  dispatcher:\n    handler: h.handler\n    events:\n      - schedule: rate(1 minute)\n' +
        '  aggregate:\n    handler: h.handler\n    events:\n      - schedule: rate(2 minutes)\n',
    );
    const clock = new SimulatedClock(START);
    const stop = new AbortController();
    const { calls, handlers, maxInFlight } = recording(
      ['dispatcher', 'aggregate'],
      stop,
      7,
      (fn, n) => {
        if (n === 2) clock.time += 5.5 * 60_000;
        return Promise.resolve(summary(fn));
      },
      clock,
    );

    // Act
    await runScheduler({ ...files, log: createLogger({ write: () => undefined }), signal: stop.signal, signals: [], handlers, clock });

    // Assess
    expect(maxInFlight()).toBe(1);
    expect(calls.map((c) => `${c.fn}@${String(c.event.time).slice(11, 19)}`)).toEqual([
      'dispatcher@06:00:00', // start-up catch-up
      'dispatcher@06:01:00', // runs until 06:06:30
      // Both were due since 06:02: the earliest due first, ties in file order; each once, with
      // the latest of its missed times.
      'dispatcher@06:06:00',
      'aggregate@06:06:00',
      'dispatcher@06:07:00',
      'dispatcher@06:08:00',
      'aggregate@06:08:00',
    ]);
  });

  it('reads cron expressions in the configured zone, skipping a time DST removes', async () => {
    // Prepare: 02:30 every day in New York; on 2026-03-08 02:30 does not exist.
    const files = setup(
      '  dispatcher:\n    handler: h.handler\n    events:\n      - schedule: cron(30 2 * * ? *)\n',
      'America/New_York',
    );
    const clock = new SimulatedClock(Date.parse('2026-03-07T12:00:00Z'));
    const stop = new AbortController();
    const { calls, handlers } = recording(['dispatcher'], stop, 3, undefined, clock);

    // Act
    await runScheduler({ ...files, log: createLogger({ write: () => undefined }), signal: stop.signal, signals: [], handlers, clock });

    // Assess
    expect(calls.map((c) => c.event.time)).toEqual(['2026-03-07T12:00:00Z', '2026-03-09T06:30:00Z', '2026-03-10T06:30:00Z']);
    expect(calls.map((c) => iso(c.at))).toEqual(['2026-03-07T12:00:00Z', '2026-03-09T06:30:00Z', '2026-03-10T06:30:00Z']);
  });

  it('sends input instead of the EventBridge event, a fresh copy each time', async () => {
    // Prepare
    const files = setup(
      '  dispatcher:\n    handler: h.handler\n    events:\n      - schedule:\n          rate: rate(1 hour)\n          input: { tenant: acme }\n',
    );
    const clock = new SimulatedClock(START);
    const stop = new AbortController();
    const { calls, handlers } = recording(['dispatcher'], stop, 2, (fn) => summary(fn), clock);
    const mutating: BdsHandler = async (event, context) => {
      (event as Record<string, unknown>).tenant = 'changed';
      return (handlers.dispatcher as BdsHandler)({ ...(event as object), tenant: 'acme' }, context);
    };

    // Act
    await runScheduler({ ...files, log: createLogger({ write: () => undefined }), signal: stop.signal, signals: [], handlers: { dispatcher: mutating }, clock });

    // Assess
    expect(calls.map((c) => c.event)).toEqual([{ tenant: 'acme' }, { tenant: 'acme' }]);
  });

  it('logs a failing firing with its exit code and goes on', async () => {
    // Prepare
    const files = setup('  dispatcher:\n    handler: h.handler\n    events:\n      - schedule: rate(1 minute)\n');
    const clock = new SimulatedClock(START);
    const stop = new AbortController();
    const { handlers } = recording(
      ['dispatcher'],
      stop,
      3,
      (fn, n) => {
        if (n === 1) throw new ConfigError('/srv/bds.config.yaml', [{ path: 'tenants', message: 'broken' }]);
        if (n === 2) throw new Error('boom');
        return summary(fn, 8);
      },
      clock,
    );
    const lines: Record<string, unknown>[] = [];

    // Act
    const code = await runScheduler({
      ...files,
      log: createLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
      signal: stop.signal,
      signals: [],
      handlers,
      clock,
    });

    // Assess
    expect(code).toBe(0);
    const firings = lines.filter((l) => l.msg === 'firing finished');
    expect(firings.map((l) => [l.level, l.exitCode])).toEqual([
      ['error', 78],
      ['error', 1],
      ['error', 8],
    ]);
    expect(firings[1]?.error).toBe('boom');
  });

  it('does not fire at all when stopped before it starts, and releases the lock', async () => {
    // Prepare
    const files = setup('  dispatcher:\n    handler: h.handler\n    events:\n      - schedule: rate(1 minute)\n');
    const stop = new AbortController();
    stop.abort();
    const { calls, handlers } = recording(['dispatcher'], stop, 1);

    // Act
    const code = await runScheduler({ ...files, log: createLogger({ write: () => undefined }), signal: stop.signal, signals: [], handlers, clock: new SimulatedClock(START) });

    // Assess
    expect(code).toBe(0);
    expect(calls).toEqual([]);
    expect(existsSync(lockPath(files.dataDir))).toBe(false);
  });
});
