/**
 * serverless-offline smoke test: `npm run offline` (serverless 3 + serverless-esbuild +
 * serverless-offline, no credentials) bundles the handlers, registers the dispatcher's schedule
 * and serves Lambda's Invoke API; every function of HANDLERS, invoked through it with the AWS
 * SDK, does its work on a real PostgreSQL fixture and answers a summary with exit code 0.
 * Also: `serverless print` shows every function and the dispatcher's schedule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HANDLERS } from '../../handlers/index';
import { nextFireTime } from '../../app/scheduler/schedule-expression';
import { readServerlessSchedules } from '../../app/scheduler/serverless-schedules';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seatsFixtureConfig, seatsFixtureSql } from '../fixtures/seats-fixture';
import { ifSetUp } from '../helpers/suite';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Bundling every handler on first start takes a while on a slow machine.
const START_DEADLINE_MS = 180_000;
// The handlers' "now": the fixture's days (2026-10-30 to 2026-11-01) have ended.
const BDS_NOW = '2026-11-02T12:00:00Z';
// The dispatcher first: it extracts and aggregates acme's days, so that the stage handlers'
// sample events (acme, 2026-10-30/31) find staged data wherever they need it.
const FIRST = ['dispatcher', 'extract-gim', 'extract-config', 'extract-gvp', 'aggregate'];
const SERVERLESS_ENV = { SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };

let db: TestDatabase;
let work: string;
let offline: ChildProcess | undefined;
let offlineExited: Promise<void> = Promise.resolve();
let output = '';
let lambdaPort: number;
// Its own bundle folder (gitignored under .build/): `serverless package`, run by another test
// at the same time, deletes the default one when it is done.
const workFolder = `.build/offline-test-${process.pid}`;

/**
 * The process zone that puts serverless-offline's next scheduled dispatcher firing furthest
 * away (node-schedule reads cron in the process's zone). A firing during the test would run
 * the dispatcher beside the test's invocations, in another worker thread, and one of them
 * would find the data directory locked. Zones at +0, +5:45 and +5:30 put minute 15 at three
 * different minutes of the UTC hour, so the best is always at least half an hour away.
 */
function quietZone(): string {
  const now = Date.now();
  const { schedules } = readServerlessSchedules(join(root, 'serverless.yml'), Object.keys(HANDLERS));
  let best = { zone: 'UTC', at: 0 };
  for (const zone of ['UTC', 'Asia/Kathmandu', 'Asia/Kolkata']) {
    const at = Math.min(...schedules.map((s) => nextFireTime(s.expression, now, zone) ?? Number.POSITIVE_INFINITY));
    if (at > best.at) best = { zone, at };
  }
  return best.zone;
}

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(condition: () => boolean, describe: () => string, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Signals serverless-offline's whole process group (npm, serverless, esbuild). */
function signalGroup(signal: NodeJS.Signals): void {
  if (offline?.pid === undefined) return;
  try {
    process.kill(-offline.pid, signal);
  } catch {
    // Already gone.
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  await db.exec(seatsFixtureSql());
  work = await mkdtemp(join(tmpdir(), 'bds-offline-'));
  const configPath = join(work, 'bds.config.yaml');
  await writeFile(configPath, seatsFixtureConfig(join(work, 'data')));
  lambdaPort = await freePort();
  const httpPort = await freePort();
  // The npm script as shipped, with the ports and the loopback host given on the command line.
  offline = spawn('npm', ['run', 'offline', '--', '--host', '127.0.0.1', '--lambdaPort', String(lambdaPort), '--httpPort', String(httpPort)], {
    cwd: root,
    // Its own process group, so that afterAll can stop npm and everything it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...SERVERLESS_ENV,
      // Handlers read BDS_CONFIG from the provider's environment; the configuration's
      // ${env:TEST_DB_URL} and BDS_NOW reach them through --localEnvironment.
      BDS_CONFIG: configPath,
      TEST_DB_URL: db.url,
      BDS_NOW,
      BDS_ESBUILD_WORK_FOLDER: workFolder,
      // The dispatcher's fan-out mode invokes workers through this same endpoint with the AWS
      // SDK, which wants credentials; serverless-offline accepts any.
      AWS_ACCESS_KEY_ID: 'offline',
      AWS_SECRET_ACCESS_KEY: 'offline',
      TZ: quietZone(),
    },
  });
  const child = offline;
  offlineExited = new Promise((resolve) => child.on('exit', () => resolve()));
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(
    () => output.includes(`listening on http://127.0.0.1:${lambdaPort}`) || child.exitCode !== null,
    () => `serverless-offline to listen on ${lambdaPort}:\n${output.slice(-3000)}`,
    START_DEADLINE_MS,
  );
  if (child.exitCode !== null) throw new Error(`serverless-offline exited with ${child.exitCode}:\n${output.slice(-3000)}`);
}, START_DEADLINE_MS + 60_000);

afterAll(async () => {
  signalGroup('SIGTERM');
  await Promise.race([offlineExited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  signalGroup('SIGKILL');
  await offlineExited;
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
  await rm(join(root, workFolder), { recursive: true, force: true });
}, 60_000);

describe('serverless-offline (npm run offline)', () => {
  it('registers the dispatcher schedule of serverless.yml and exposes every function', async () => {
    // Prepare
    const [schedule] = readServerlessSchedules(join(root, 'serverless.yml'), Object.keys(HANDLERS)).schedules;
    // serverless-offline may print its schedules after it listens (seen on a loaded machine).
    await waitFor(
      () => output.includes('Scheduling [dispatcher]'),
      () => `serverless-offline to register the dispatcher schedule:\n${output.slice(-3000)}`,
      30_000,
    );

    // Assess: serverless-offline prints each schedule as the cron it gives node-schedule (the
    // year field dropped) and each function's deployed name.
    expect(schedule?.functionName).toBe('dispatcher');
    const cron = (schedule?.expression.text ?? '').replace(/^cron\((.*)\s+\S+\)$/, '$1');
    expect(output).toContain(`Scheduling [dispatcher] cron: [${cron}]`);
    for (const name of Object.keys(HANDLERS)) expect(output).toContain(`* ${name}: bds-local-${name}`);
  });

  it('runs every handler through the Lambda Invoke API: a summary with exit code 0', { timeout: 300_000 }, async () => {
    // Prepare
    const client = new LambdaClient({
      endpoint: `http://127.0.0.1:${lambdaPort}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' },
    });
    const names = [...FIRST, ...Object.keys(HANDLERS).filter((n) => !FIRST.includes(n))];
    expect(new Set(names)).toEqual(new Set(Object.keys(HANDLERS)));

    for (const name of names) {
      const file = join(root, 'events', `${name}.json`);
      // A handler added without a sample event fails here: events/ must hold one for each.
      expect(existsSync(file), `events/${name}.json`).toBe(true);
      const payload = await readFile(file);

      // Act
      const response = await client.send(new InvokeCommand({ FunctionName: `bds-local-${name}`, Payload: payload }));

      // Assess
      const text = new TextDecoder().decode(response.Payload);
      expect(response.FunctionError, `${name}: ${text}`).toBeUndefined();
      expect(response.StatusCode).toBe(200);
      const summary = JSON.parse(text) as { function?: string; exitCode?: number };
      expect({ name, function: summary.function, exitCode: summary.exitCode }, text).toEqual({ name, function: name, exitCode: 0 });
    }
    client.destroy();

    // The stage handlers and the dispatcher wrote acme's files for the fixture's days.
    expect(existsSync(join(work, 'data', 'billing', 'acme', '2026', '10'))).toBe(true);
    expect(existsSync(join(work, 'data', 'billing', 'acme', '2026', '11'))).toBe(true);
  });

  it('fans tenants out to separate worker invocations; a failing tenant does not stop the others', { timeout: 300_000 }, async () => {
    // Prepare: the configuration is read at every invocation, so switching it switches the
    // dispatcher to fan-out mode. A third tenant's GVP source is unreachable.
    const dataDir = join(work, 'fanout-data');
    const configPath = join(work, 'bds.config.yaml');
    const brokenTenant = `  - id: broken
    gimTenantKey: 3
    cfgTenantDbid: 103
    timezone: UTC
    productionDate: 2026-11-01
    metrics: [gvp_ports]
    regions:
      - code: XX
        gvp: { client: pg, connectionString: "postgres://bds@127.0.0.1:1/gvp", connectTimeout: 2s }
        locations:
          - { code: ALL, switches: [] }
`;
    await writeFile(
      configPath,
      seatsFixtureConfig(dataDir) + brokenTenant +
        `dispatch:\n  mode: lambda\n  functionName: bds-local-worker\n  endpoint: "http://127.0.0.1:${lambdaPort}"\n  region: us-east-1\n`,
    );
    const client = new LambdaClient({
      endpoint: `http://127.0.0.1:${lambdaPort}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' },
    });
    try {
      // Act
      const response = await client.send(new InvokeCommand({ FunctionName: 'bds-local-dispatcher', Payload: Buffer.from('{}') }));

      // Assess: one asynchronous invocation per tenant, each accepted.
      const summary = JSON.parse(new TextDecoder().decode(response.Payload)) as {
        exitCode: number;
        dispatched: { tenant: string; ok: boolean; statusCode?: number; days: number }[];
      };
      expect(summary.dispatched.map((d) => [d.tenant, d.ok, d.statusCode]), JSON.stringify(summary.dispatched)).toEqual([
        ['acme', true, 202],
        ['globex', true, 202],
        ['broken', true, 202],
      ]);
      expect(summary.exitCode).toBe(0);
      // The workers run on their own: acme and globex are caught up, broken reports exit 8.
      const state = join(dataDir, 'state');
      const read = async (file: string): Promise<string | undefined> => readFile(join(state, file), 'utf8').catch(() => undefined);
      let acme: string | undefined;
      let globex: string | undefined;
      let broken: string | undefined;
      await waitFor(
        () => {
          void read('watermarks/acme.json').then((t) => (acme = t));
          void read('watermarks/globex.json').then((t) => (globex = t));
          void read('last-run.broken.json').then((t) => (broken = t));
          return acme?.includes('"aggregate": "2026-11-01"') === true && globex?.includes('"aggregate": "2026-11-01"') === true && broken !== undefined;
        },
        () => `workers to finish: acme=${acme ?? '-'} globex=${globex ?? '-'} broken=${broken ?? '-'}\n${output.slice(-2000)}`,
        240_000,
      );
      expect(JSON.parse(broken ?? '{}')).toMatchObject({ command: 'worker --tenant broken', exitCode: 8, daysFailed: 1 });
      expect(await read('watermarks/broken.json')).toBeUndefined();
      expect(existsSync(join(dataDir, 'billing', 'acme', '2026', '10', 'manifest_acme_M202610.json'))).toBe(true);
    } finally {
      client.destroy();
      await writeFile(configPath, seatsFixtureConfig(join(work, 'data')));
    }
  });
});

describe('serverless print', () => {
  it('shows every function of HANDLERS and the dispatcher schedule', { timeout: 120_000 }, async () => {
    // Act
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'node_modules', 'serverless', 'bin', 'serverless.js'), 'print', '--format', 'json'], {
      cwd: root,
      env: { ...process.env, ...SERVERLESS_ENV },
    });

    // Assess
    const printed = JSON.parse(stdout) as { functions: Record<string, { handler: string; events?: { schedule?: { rate?: string[] } }[] }> };
    for (const name of Object.keys(HANDLERS)) expect(printed.functions[name]?.handler, name).toBe(`handlers/${name}.handler`);
    const rates = (printed.functions.dispatcher?.events ?? []).flatMap((e) => e.schedule?.rate ?? []);
    const declared = readServerlessSchedules(join(root, 'serverless.yml'), Object.keys(HANDLERS)).schedules.map((s) => s.expression.text);
    expect(rates).toEqual(declared);
    expect(rates).toEqual(['cron(15 * * * ? *)']);
  });
});
