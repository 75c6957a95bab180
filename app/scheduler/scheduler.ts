/**
 * The local scheduler (`bds scheduler`, the `npm start` of a premise install): fires the
 * handlers at the times serverless.yml's `schedule` events declare, in-process, with the event
 * EventBridge would send, so the same handlers run the same way here and on AWS.
 *
 * - It holds the data directory's lock for its whole life: a second scheduler or a `bds run` is
 *   refused (exit 75). Handlers take the same lock re-entrantly.
 * - On start-up it fires the dispatcher's schedule once at once: the dispatcher catches up from
 *   the watermarks, so whatever was missed while the scheduler was down is done exactly once.
 * - One firing at a time. A firing that falls due while another runs waits; several missed
 *   firings of one schedule collapse into one (carrying the latest missed time).
 * - SIGTERM/SIGINT: no new firing, the running one finishes, the lock is released, exit 0. A
 *   second signal (a second later or more) exits at once: every write is atomic and the
 *   watermarks only move after a stage completed, so the abandoned day is simply done again by
 *   the next run.
 *
 * The exit code after a stop is 0 whatever the firings returned: each firing's code is in its
 * log line and in the run record (`bds status`), and a failed day is retried by the next firing.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { ConfigError } from '../../lib/config/errors';
import { ExitCode, describeError } from '../../lib/errors';
import type { Logger } from '../../lib/log/logger';
import type { SecretRegistry } from '../../lib/log/redact';
import type { BdsHandler } from '../../lib/pipeline/handler';
import { RequestError } from '../../lib/pipeline/errors';
import { LockHeldError } from '../../lib/state/errors';
import { acquireLock, lockPath, type LockHandle } from '../../lib/state/lock';
import { writeRunRecord, type RunRecord } from '../../lib/state/run-record';
import { writeStateGauges } from '../../lib/pipeline/monitoring';
import { isScheduledEvent } from '../../lib/pipeline/events';
import { latestDueTime, nextFireTime } from './schedule-expression';
import { readServerlessSchedules, type ScheduleDefinition, type ServerlessSchedules } from './serverless-schedules';
import { checkFormat } from '../../lib/files/disk-format';
import { loadRuntime } from '../../lib/runtime/runtime';
import { lockInfoSchema } from '../../lib/state/lock';
import type { Clock } from '../../lib/time/clock';
import { InvalidClockError } from '../../lib/time/errors';

/** The function the scheduler fires once on start-up to catch up. */
export const DISPATCHER = 'dispatcher';
/** The account id in scheduled events: there is no AWS account on premises. */
export const LOCAL_ACCOUNT = '000000000000';
// Sleep in slices so that a wall clock moved by an operator (or NTP, or a suspended VM) is
// noticed within a minute rather than after one long timer.
const MAX_SLEEP_MS = 60_000;
/** A signal this soon after the first is a copy of it, not an operator insisting. */
const DUPLICATE_SIGNAL_MS = 1000;
/** How often the state gauges are refreshed while nothing fires (days behind grows as days end). */
const GAUGE_REFRESH_MS = 15 * 60_000;

/** Time as the scheduler sees it; tests replace it to run days of schedule in milliseconds. */
export interface SchedulerClock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts (never rejects). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done, { once: true });
    }),
};

export interface SchedulerOptions {
  /** The configuration file (else BDS_CONFIG, else ./bds.config.yaml). */
  readonly configPath?: string;
  /** serverless.yml, where the schedules are declared. */
  readonly serverlessFile: string;
  readonly log: Logger;
  /** Stops the scheduler like SIGTERM does. */
  readonly signal?: AbortSignal;
  /** Process signals that stop it (default SIGTERM and SIGINT; [] installs no listener). */
  readonly signals?: readonly NodeJS.Signals[];
  /** The functions it can fire, by name (the command line passes the project's handlers). */
  readonly handlers: Readonly<Record<string, BdsHandler>>;
  /** When the firings happen (real time, or a simulated one in tests). */
  readonly clock?: SchedulerClock;
  /**
   * "Now" for the scheduler's own decisions (the events' times, the gauges), default BDS_NOW or
   * the system clock. Separate from `clock`: with BDS_NOW set, firings follow real time while
   * "now" is fixed, as each handler sees it.
   */
  readonly now?: Clock;
  /** Where BDS_NOW is read (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** The program's secrets (its logger's); the configuration's are registered with it. */
  readonly secrets?: SecretRegistry;
}

/** The EventBridge "Scheduled Event" for one firing of a schedule. */
export function scheduledEvent(
  file: Pick<ServerlessSchedules, 'region'>,
  schedule: Pick<ScheduleDefinition, 'ruleName'>,
  scheduledMs: number,
): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    // EventBridge writes whole seconds without milliseconds: 2026-11-26T06:15:00Z.
    time: new Date(scheduledMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: file.region,
    resources: [`arn:aws:events:${file.region}:${LOCAL_ACCOUNT}:rule/${schedule.ruleName}`],
    detail: {},
  };
}

/** The exit code a firing whose handler threw is logged with (as `bds invoke` would exit). */
function exitCodeOfError(error: unknown): number {
  if (error instanceof ConfigError || error instanceof InvalidClockError) return ExitCode.config;
  if (error instanceof LockHeldError) return ExitCode.locked;
  if (error instanceof RequestError) return ExitCode.usage;
  return ExitCode.other;
}

interface Entry {
  readonly schedule: ScheduleDefinition;
  readonly timeZone: string;
  next: number | undefined;
}

/**
 * Runs the scheduler until it is stopped (SIGTERM/SIGINT or `options.signal`) and returns the
 * exit code: 0 after a clean stop.
 *
 * @throws ConfigError when the configuration is invalid (exit 78).
 * @throws SchedulerConfigError when serverless.yml's schedules are unusable (exit 78).
 * @throws LockHeldError when another process works on the data directory (exit 75).
 */
export async function runScheduler(options: SchedulerOptions): Promise<number> {
  const clock = options.clock ?? systemClock;
  const { config, runtime } = loadRuntime(options.configPath, {
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.now === undefined ? {} : { clock: options.now }),
    ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
  });
  // Handlers load the configuration themselves (as on Lambda, from BDS_CONFIG): point them at
  // the file this scheduler was started with.
  process.env.BDS_CONFIG = config.configPath;
  const handlers = options.handlers;
  const file = readServerlessSchedules(options.serverlessFile, Object.keys(handlers));
  const log = options.log.child({ component: 'scheduler' });

  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted === true) stop.abort();
  let firstSignalAt = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    if (!stop.signal.aborted) {
      log.info('stopping: no new firing; a running one finishes first (signal again to exit at once)', { signal: name });
      firstSignalAt = Date.now();
      stop.abort();
      return;
    }
    // Ctrl-C reaches npm and the scheduler together, and npm forwards it again (so does a
    // service manager signalling the whole group): copies arriving together count as one.
    if (Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
    log.warn('stopping at once: the running firing is abandoned and is redone by the next run', { signal: name });
    releaseLockNow(config.dataDir);
    // The table is the platform's: a signal name of another platform is not in it.
    process.exit(128 + ((constants.signals as Partial<Record<NodeJS.Signals, number>>)[name] ?? 0));
  };
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  // Listening before the lock is taken: the lock file is visible (a service manager or a test
  // may signal as soon as it sees it) before acquireLock returns.
  for (const name of signals) process.on(name, onSignal);
  let lock: LockHandle;
  try {
    lock = await acquireLock(config.dataDir, 'bds scheduler', runtime.fileModes);
  } catch (error) {
    for (const name of signals) process.off(name, onSignal);
    options.signal?.removeEventListener('abort', onAbort);
    throw error;
  }

  try {
    const started = clock.now();
    // Rates count from the start, as AWS counts them from the rule's creation; whole seconds
    // keep the events' times tidy.
    const anchor = Math.floor(started / 1000) * 1000;
    const entries: Entry[] = file.schedules.map((schedule) => {
      const timeZone = schedule.timeZone ?? config.scheduler.timezone;
      return { schedule, timeZone, next: nextFireTime(schedule.expression, started, timeZone, anchor) };
    });
    log.info('scheduler started', {
      pid: process.pid,
      serverlessFile: options.serverlessFile,
      timezone: config.scheduler.timezone,
      schedules: entries.map((e) => ({
        function: e.schedule.functionName,
        expression: e.schedule.expression.text,
        next: e.next === undefined ? null : new Date(e.next).toISOString(),
      })),
    });
    for (const entry of entries) {
      if (entry.schedule.expression.kind === 'rate' && entry.schedule.expression.localOnly) {
        log.warn('rate in seconds is a local-only extension: AWS rejects it, so this serverless.yml cannot be deployed', {
          function: entry.schedule.functionName,
          expression: entry.schedule.expression.text,
        });
      }
    }

    let gaugesAt = clock.now();
    const refreshGauges = async (): Promise<void> => {
      gaugesAt = clock.now();
      await writeStateGauges(config, runtime).catch((error: unknown) => log.error('cannot write the state gauges', { error }));
    };
    await refreshGauges();

    const fire = async (entry: Entry, scheduledMs: number): Promise<void> => {
      const { schedule } = entry;
      const handler = handlers[schedule.functionName];
      if (handler === undefined) return; // readServerlessSchedules checked every name
      // As on AWS, `input` replaces the scheduled event; a copy, so a handler cannot alter
      // the next firing's event.
      // The handlers refuse an event from the future (lib/pipeline/targets.ts). With BDS_NOW set,
      // "now" is that time while the firings follow the real clock: the event then says BDS_NOW,
      // as EventBridge would have at that moment. Without it, the runtime's clock is the real
      // one, never before a firing, and the event carries the scheduled time.
      const stamped = Math.min(scheduledMs, runtime.clock.nowSeconds() * 1000);
      const event = schedule.input === undefined ? scheduledEvent(file, schedule, stamped) : structuredClone(schedule.input);
      const begun = clock.now();
      const startedAt = new Date().toISOString();
      const fields = { function: schedule.functionName, scheduledTime: new Date(scheduledMs).toISOString() };
      log.debug('firing', fields);
      // A scheduled-shaped event makes the handler's run record a scheduled one; a firing whose
      // handler threw, or that carried a schedule's `input` (which the handler cannot tell from
      // an ad hoc event), is recorded here, so a manual run can never hide it.
      let record: Omit<RunRecord, 'startedAt' | 'endedAt'> | undefined;
      let threw = false;
      try {
        const summary = await handler(event, {
          functionName: `${file.service}-${file.stage}-${schedule.functionName}`,
          awsRequestId: randomUUID(),
        });
        const exitCode = typeof summary.exitCode === 'number' ? summary.exitCode : ExitCode.other;
        const line = { ...fields, exitCode, durationMs: clock.now() - begun };
        if (exitCode === 0) log.info('firing finished', line);
        else log.error('firing finished', line);
        if (!isScheduledEvent(event)) {
          const failed = summary.days.filter((d) => !d.ok);
          record = {
            command: `scheduler: ${schedule.functionName}`,
            exitCode,
            daysProcessed: summary.days.length,
            daysFailed: failed.length,
            failures: failed.map((d) => ({ tenant: d.tenant, date: d.date, stage: d.failedStage ?? 'other', error: d.error ?? '' })),
          };
        }
      } catch (error) {
        // A firing never stops the scheduler: the next one may well succeed (a source back
        // up, a configuration fixed), and the watermarks say what is still to do.
        threw = true;
        const exitCode = exitCodeOfError(error);
        log.error('firing finished', { ...fields, exitCode, durationMs: clock.now() - begun, error });
        record = { command: `scheduler: ${schedule.functionName}`, exitCode, daysProcessed: 0, daysFailed: 0, failures: [], error: describeError(error) };
      }
      if (record !== undefined) {
        await writeRunRecord(config.dataDir, {
          ...record,
          trigger: 'scheduled',
          startedAt,
          endedAt: new Date().toISOString(),
        }, runtime.fileModes).catch((error: unknown) => log.error('cannot write the run record', { ...fields, error }));
      }
      // A handler that ran its days wrote the gauges at the end of its run (run-days.ts); one
      // that threw did not.
      if (threw) await refreshGauges();
    };

    const startup = entries.find((e) => e.schedule.functionName === DISPATCHER);
    if (startup === undefined) {
      log.info('no enabled dispatcher schedule: nothing to catch up at start-up');
    } else if (!stop.signal.aborted) {
      await fire(startup, anchor);
    }

    while (!stop.signal.aborted) {
      const now = clock.now();
      let due: Entry | undefined;
      let wake: number | undefined;
      for (const entry of entries) {
        if (entry.next === undefined) continue;
        if (entry.next <= now && (due === undefined || entry.next < (due.next ?? Infinity))) due = entry;
        if (wake === undefined || entry.next < wake) wake = entry.next;
      }
      if (due?.next !== undefined) {
        const time = latestDueTime(due.schedule.expression, due.next, now, due.timeZone, anchor);
        await fire(due, time);
        due.next = nextFireTime(due.schedule.expression, time, due.timeZone, anchor);
        continue;
      }
      if (now - gaugesAt >= GAUGE_REFRESH_MS) await refreshGauges();
      await clock.sleep(wake === undefined ? MAX_SLEEP_MS : Math.min(wake - now, MAX_SLEEP_MS), stop.signal);
    }
    log.info('scheduler stopped');
    return ExitCode.ok;
  } finally {
    for (const name of signals) process.off(name, onSignal);
    options.signal?.removeEventListener('abort', onAbort);
    await lock.release();
  }
}

/** Removes the lock file now, if this process holds it (the process is about to exit). */
function releaseLockNow(dataDir: string): void {
  const path = lockPath(dataDir);
  try {
    const holder = checkFormat(lockInfoSchema, JSON.parse(readFileSync(path, 'utf8')));
    if (holder.ok && holder.value.pid === process.pid) rmSync(path, { force: true });
  } catch {
    // Nothing to remove, or unreadable: a lock of a dead process is taken over anyway.
  }
}
