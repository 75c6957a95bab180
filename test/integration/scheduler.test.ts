/**
 * The real `bds scheduler` process on a real PostgreSQL fixture: it fires the dispatcher from a
 * serverless.yml schedule, holds the data directory's lock (a second scheduler and a `bds run`
 * exit 75 naming it), a new scheduler takes over the lock of a killed one, SIGTERM stops it
 * cleanly, and an invalid schedule stops it at start-up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BDS_BIN, runBds } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seatsFixtureConfig, seatsFixtureSql } from '../fixtures/seats-fixture';
import { readWatermarks } from '../../lib/state/watermarks';
import { ifSetUp } from '../helpers/suite';

// Generous: the first firing extracts and aggregates a few days for two tenants.
const DEADLINE_MS = 120_000;
// The handlers' "now" (not the scheduler's clock, which fires on real time): the fixture's days
// 2026-10-30 to 2026-11-01 have ended, so the dispatcher has exactly those to catch up.
const BDS_NOW = '2026-11-02T12:00:00Z';

interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written to stderr so far (the JSON log lines). */
  stderr(): string;
  readonly exited: Promise<number | null>;
}

let db: TestDatabase;
let work: string;
let dataDir: string;
let configPath: string;
let serverlessFile: string;
let env: NodeJS.ProcessEnv;
const children: ChildProcess[] = [];
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `bds ...args` and keeps it running. */
function startBds(args: readonly string[]): Running {
  const child = spawn(process.execPath, [BDS_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error('bds did not start');
  return { child, pid: child.pid, stderr: () => stderr, exited };
}

/** Polls `condition` until it holds; fails with `describe()` after the deadline. */
async function waitFor(condition: () => boolean | Promise<boolean>, describe: () => string, deadlineMs = DEADLINE_MS): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type LogLine = Record<string, unknown>;

function logLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

function firings(running: Running): LogLine[] {
  return logLines(running.stderr()).filter((l) => l.msg === 'firing finished' && l.component === 'scheduler');
}

async function lockHolder(): Promise<number | undefined> {
  try {
    return (JSON.parse(await readFile(join(dataDir, 'state', 'lock'), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

async function csvFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((name) => name.endsWith('.csv'));
}

beforeAll(async () => {
  db = await createTestDatabase();
  await db.exec(seatsFixtureSql());
  work = await mkdtemp(join(tmpdir(), 'bds-scheduler-'));
  dataDir = join(work, 'data');
  configPath = join(work, 'bds.config.yaml');
  await writeFile(configPath, seatsFixtureConfig(dataDir));
  serverlessFile = join(work, 'serverless.yml');
  // rate(N seconds) is the local-only extension meant for exactly this.
  await writeFile(
    serverlessFile,
    'service: bds\nprovider:\n  name: aws\n  stage: test\nfunctions:\n  dispatcher:\n    handler: handlers/dispatcher.handler\n    events:\n      - schedule: rate(2 seconds)\n',
  );
  env = { TEST_DB_URL: db.url, BDS_CONFIG: configPath, BDS_NOW };
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

describe('bds scheduler', () => {
  it('refuses an invalid schedule expression at start-up, naming the function and the expression (exit 78)', async () => {
    // Prepare
    const bad = join(work, 'bad-serverless.yml');
    await writeFile(bad, 'service: bds\nfunctions:\n  dispatcher:\n    handler: handlers/dispatcher.handler\n    events:\n      - schedule: cron(15 * * * * *)\n');

    // Act
    const result = await runBds(['scheduler', '--serverless', bad], { env });

    // Assess
    expect(result.code, result.stderr).toBe(78);
    expect(result.stderr).toContain(`bds: ${bad}: function "dispatcher": invalid schedule expression "cron(15 * * * * *)": `);
    expect(result.stderr).toContain('exactly one of them must be "?"');
    expect(await lockHolder()).toBeUndefined();
  });

  let first: Running;

  it('fires the dispatcher at start-up and on its schedule: watermarks and billing files appear', async () => {
    // Act
    first = startBds(['scheduler', '--serverless', serverlessFile]);

    // Assess: the start-up catch-up and at least one scheduled firing, both successful.
    await waitFor(
      () => firings(first).length >= 2,
      () => `two firings in:\n${first.stderr().slice(-3000)}`,
    );
    const lines = firings(first);
    expect(lines.slice(0, 2).map((l) => [l.function, l.exitCode])).toEqual([
      ['dispatcher', 0],
      ['dispatcher', 0],
    ]);
    expect(lines[1]?.scheduledTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    expect(lines.every((l) => typeof l.durationMs === 'number')).toBe(true);
    // Every ended day is done, once: the second firing found nothing left.
    const watermarks = await readWatermarks(dataDir);
    expect(watermarks.acme?.aggregate).toBe('2026-11-01');
    expect(watermarks.globex?.aggregate).toBe('2026-11-01');
    const runs = logLines(first.stderr()).filter((l) => l.msg === 'run finished');
    expect(runs.slice(0, 2).map((l) => l.days)).toEqual([5, 0]);
    const acme = await csvFiles(join(dataDir, 'billing', 'acme'));
    expect(acme.some((name) => name.endsWith('_D20261031.csv'))).toBe(true);
    expect(acme.some((name) => name.endsWith('_M202610.csv'))).toBe(true);
    expect((await csvFiles(join(dataDir, 'billing', 'globex'))).length).toBeGreaterThan(0);
    expect(await lockHolder()).toBe(first.pid);
  });

  it('refuses a second scheduler and a run on the same data directory (exit 75, naming the holder)', async () => {
    // Act
    const second = await runBds(['scheduler', '--serverless', serverlessFile], { env });
    const run = await runBds(['run', '--date', '2026-10-31', '--tenant', 'globex', '--no-transmit'], { env });

    // Assess
    expect(second.code, second.stderr).toBe(75);
    expect(second.stderr).toContain(`pid ${first.pid}`);
    expect(second.stderr).toContain('"bds scheduler"');
    expect(run.code, run.stderr).toBe(75);
    expect(run.stderr).toContain(`pid ${first.pid}`);
    expect(await lockHolder()).toBe(first.pid);
  });

  let third: Running;

  it('takes over the lock of a killed scheduler and fires', async () => {
    // Prepare: SIGKILL leaves the lock file behind, naming a dead process.
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await lockHolder()).toBe(first.pid);

    // Act
    third = startBds(['scheduler', '--serverless', serverlessFile]);

    // Assess
    await waitFor(
      () => firings(third).some((l) => l.exitCode === 0),
      () => `a firing of the new scheduler in:\n${third.stderr().slice(-3000)}`,
    );
    expect(await lockHolder()).toBe(third.pid);
  });

  it('stops cleanly through `npm start` too: SIGTERM to npm reaches the scheduler, which releases the lock', async () => {
    // Prepare: the scheduler of the first tests is still running; stop it first.
    third.child.kill('SIGTERM');
    await third.exited;
    const npm = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(npm);
    let stderr = '';
    npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    npm.stdout.resume();
    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
    await waitFor(async () => {
      const holder = await lockHolder();
      return holder !== undefined && holder !== npm.pid && logLines(stderr).some((l) => l.msg === 'firing finished');
    }, () => `npm start's scheduler holding the lock after its start-up firing:\n${stderr.slice(-3000)}`);
    const scheduler = await lockHolder();
    if (scheduler === undefined) throw new Error('no lock holder');

    // Act: what systemd or an operator's kill does to the npm process.
    npm.kill('SIGTERM');
    const code = await exited;

    // Assess: the scheduler is gone, not orphaned, and left no lock.
    await waitFor(() => !isAlive(scheduler), () => `the scheduler (pid ${scheduler}) still runs after npm exited ${String(code)}`, 10_000);
    expect(logLines(stderr).some((l) => l.msg === 'scheduler stopped'), stderr.slice(-3000)).toBe(true);
    expect(existsSync(join(dataDir, 'state', 'lock'))).toBe(false);
  });

  it('stops on SIGTERM with exit 0 and releases the lock', async () => {
    // Prepare: a scheduler of its own (the one above was stopped through npm).
    third = startBds(['scheduler', '--serverless', serverlessFile]);
    await waitFor(async () => (await lockHolder()) === third.pid, () => third.stderr().slice(-3000));

    // Act
    third.child.kill('SIGTERM');
    const code = await third.exited;

    // Assess
    expect(code, third.stderr().slice(-3000)).toBe(0);
    expect(logLines(third.stderr()).some((l) => l.msg === 'scheduler stopped')).toBe(true);
    expect(existsSync(join(dataDir, 'state', 'lock'))).toBe(false);
  });
});
