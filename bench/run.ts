/**
 * `npm run bench`: how BDS scales on this machine, side by side with what PostgreSQL itself can
 * do with the same data (docs/benchmark.md).
 *
 * For each scale it (re)uses a seeded database `bds_bench_s<scale>` on the server at
 * PG_BENCH_URL (seeding it once with `seedDatabase` when it is missing or holds something else),
 * and measures with the real command line, each figure the median of several runs after a
 * warm-up:
 *   - extraction of one day's GIM sessions (`bds invoke extract-gim`) next to
 *     `psql -c "\copy (<the same query>) to /dev/null"`: the database-to-disk limit;
 *   - `bds run --no-transmit` of the day (every metric) next to `bds verify` of the day, which
 *     computes every value inside PostgreSQL with SQL written from the specification and
 *     compares it with the files: the compute limit; the values must be equal;
 *   - `bds explain --csv` of the day's concurrent seats next to `bds invoke aggregate` of the
 *     day: explaining a day must take no longer than aggregating it;
 *   - the month's roll-up on the month's last day (`bds invoke aggregate`);
 *   - the peak RSS of the `bds` processes, and its ratio between scales.
 * It prints a table and writes bench/results/<date>-scale<N>.json.
 *
 * Options: --scale 0.1,1 (a list)  --runs 3  --warmup 1  --url URL  --month YYYY-MM  --seed N
 *          --day YYYY-MM-DD  --reseed  --explain  --skip-rollup
 *          --pgoptions "-c jit=off"  session settings for every connection of both sides (PGOPTIONS)
 *          --cli FILE  another build of the command line to measure, an executable (default bin/bds.mjs)
 *          --node-options "--max-old-space-size=192"  NODE_OPTIONS of the bds processes
 *          --quiet 0.15  before each measured run, wait (≤ 3 min) until other processes use less
 *                        than this share of the CPUs; what was seen is recorded ("noise")
 *          --tag NAME  suffix of the result files (for runs with --pgoptions, --cli or --node-options)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { LocalDate } from '../lib/config/types';
import { loadConfig } from '../lib/config/load';
import { datasetsFor } from '../lib/extract/datasets';
import { stagedDatasetExists } from '../lib/staging/staged';
import { resolveMetrics } from '../lib/metrics/resolve';
import { previousMonth, readSeedMarker, seedConfig, seedDatabase, type SeedMarker, type SeedReport } from '../tools/seed/seed';
import { eachDay, lastDayOfMonth } from '../lib/time/calendar';
import { BdsError, describeError } from '../lib/errors';
import { packageRoot } from '../lib/package-root';
import { extractionSql, gimSessionsSql } from './reference';

// Bundled into bench/.build/, so the root is found, not assumed relative to this file.
const ROOT = packageRoot();
const BDS_BIN = join(ROOT, 'bin', 'bds.mjs');
const WORK = join(ROOT, 'bench', '.work');
const RESULTS = join(ROOT, 'bench', 'results');
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const TENANT = 'big';

/** The targets of the issue. */
const TARGETS = {
  extractRatio: 1.3,
  dayRatio: 1.5,
  rssMb: 300,
  rssRatio: 1.3,
  extractSeconds: 60,
  /** The month's own cost on its last day, against a whole day (issue 17). */
  rollupRatio: 0.1,
  /** `bds explain` of a day's concurrent seats, next to aggregating the day: no longer. */
  explainRatio: 1.0,
} as const;

/** The benchmark cannot go on (a command failed, values differ, bad option). */
class BenchError extends BdsError {}

interface Options {
  readonly server: string;
  readonly scales: readonly number[];
  readonly runs: number;
  readonly warmup: number;
  readonly month: string;
  readonly seed: number;
  readonly day: string | undefined;
  readonly reseed: boolean;
  readonly explain: boolean;
  readonly rollup: boolean;
  readonly pgOptions: string | undefined;
  readonly cli: string;
  readonly tag: string | undefined;
  readonly nodeOptions: string | undefined;
  /** Busy fraction of the CPUs (others' work) under which a measured run may start. */
  readonly quiet: number;
}

function options(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scale: { type: 'string', default: '0.1,1' },
      runs: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '1' },
      url: { type: 'string' },
      month: { type: 'string' },
      seed: { type: 'string', default: '20000' },
      day: { type: 'string' },
      reseed: { type: 'boolean', default: false },
      explain: { type: 'boolean', default: false },
      'skip-rollup': { type: 'boolean', default: false },
      pgoptions: { type: 'string' },
      cli: { type: 'string' },
      tag: { type: 'string' },
      'node-options': { type: 'string' },
      quiet: { type: 'string', default: '0.15' },
    },
    strict: true,
  });
  const scales = values.scale.split(',').map((s) => Number(s.trim()));
  if (scales.some((s) => !(Number.isFinite(s) && s > 0 && s <= 5))) throw new BenchError(`--scale ${values.scale}: numbers in (0, 5]`);
  const runs = Number(values.runs);
  const warmup = Number(values.warmup);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(warmup) || warmup < 0) throw new BenchError('--runs ≥ 1 and --warmup ≥ 0, integers');
  return {
    server: values.url ?? process.env.PG_BENCH_URL ?? DEFAULT_SERVER,
    scales: [...new Set(scales)].sort((a, b) => a - b),
    runs,
    warmup,
    month: values.month ?? previousMonth(),
    seed: Number(values.seed),
    day: values.day,
    reseed: values.reseed,
    explain: values.explain,
    rollup: !values['skip-rollup'],
    pgOptions: values.pgoptions,
    cli: values.cli === undefined ? BDS_BIN : resolvePath(values.cli),
    tag: values.tag,
    nodeOptions: values['node-options'],
    quiet: Number(values.quiet),
  };
}

const log = (line: string): boolean => process.stdout.write(line + '\n');

// ---------------------------------------------------------------------------------------------
// Measuring child processes
// ---------------------------------------------------------------------------------------------

interface Measured {
  readonly seconds: number;
  /** Peak resident set of the process (VmHWM), MiB. */
  readonly rssMb: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Reads VmHWM (kB) of a live process; undefined once it has gone. */
async function highWaterMark(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/**
 * Runs a command to completion, timing it from spawn to exit. Peak RSS comes from
 * /usr/bin/time when installed (it reads the child's rusage at exit, so nothing is missed),
 * else from polling /proc/<pid>/status.
 */
async function measure(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Measured> {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const marker = '__bench_maxrss_kb=';
  const [file, argv] = timeBin === undefined ? [command, [...args]] : [timeBin, ['-f', `${marker}%M`, command, ...args]];
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let polled = 0;
  const poller =
    timeBin === undefined
      ? setInterval(() => {
          if (child.pid !== undefined) void highWaterMark(child.pid).then((kb) => (polled = Math.max(polled, kb ?? 0)));
        }, 20)
      : undefined;
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (poller !== undefined) clearInterval(poller);
  let kb = polled;
  const index = stderr.lastIndexOf(marker);
  if (index !== -1) {
    kb = Number(stderr.slice(index + marker.length).trim().split('\n')[0]);
    stderr = stderr.slice(0, index);
  }
  if (code !== 0) {
    throw new BenchError(`${command} ${args.join(' ')} exited with ${code}:\n${stderr.slice(-3000)}${stdout.slice(-2000)}`);
  }
  return { seconds, rssMb: kb / 1024, stdout, stderr };
}

/** CPU time counters of the whole machine, from /proc/stat (undefined where there is none). */
async function cpuTimes(): Promise<{ idle: number; total: number } | undefined> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/** How busy the machine was over `ms` (0…1), while nothing of the benchmark runs. */
async function busyFraction(ms: number): Promise<number> {
  const before = await cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await cpuTimes();
  if (before === undefined || after === undefined || after.total === before.total) return 0;
  return 1 - (after.idle - before.idle) / (after.total - before.total);
}

/** Busy fractions seen before measured runs: other work on the machine skews every figure. */
const noise: number[] = [];

/**
 * Waits (up to `maxWaitMs`) until other processes leave the CPUs idle, so that a measured run
 * does not share two cores with someone else's work; records what it saw either way.
 */
async function waitForQuiet(threshold: number, maxWaitMs: number): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  let busy = await busyFraction(500);
  while (busy > threshold && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    busy = await busyFraction(500);
  }
  noise.push(busy);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Runs each task `warmup` times unmeasured, then `runs` times, interleaved so drift hits both sides alike. */
async function compare<T extends string>(
  opts: Options,
  tasks: Readonly<Record<T, () => Promise<Measured>>>,
): Promise<Record<T, Measured[]>> {
  const names = Object.keys(tasks) as T[];
  const out = Object.fromEntries(names.map((n) => [n, [] as Measured[]])) as Record<T, Measured[]>;
  for (let i = 0; i < opts.warmup + opts.runs; i += 1) {
    for (const name of names) {
      if (i >= opts.warmup) await waitForQuiet(opts.quiet, 180_000);
      const result = await tasks[name]();
      if (i >= opts.warmup) out[name].push(result);
    }
  }
  return out;
}

/** Both sides get the same session settings: libpq (psql) and node-postgres (bds) read PGOPTIONS. */
let sessionEnv: NodeJS.ProcessEnv = {};
let cli = BDS_BIN;
let nodeEnv: NodeJS.ProcessEnv = {};

function bds(args: readonly string[]): Promise<Measured> {
  // Executed as users run it (`npx bds`), so the heap settings of its first line apply.
  return measure(cli, [...args], { ...sessionEnv, ...nodeEnv, BDS_CONFIG: '' });
}

function psql(url: string, args: readonly string[]): Promise<Measured> {
  return measure('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, ...args], sessionEnv);
}

/** `\copy (<query>) to /dev/null`: psql reads a backslash command to the end of its line. */
function copyToNull(sql: string): string {
  return `\\copy (${sql.replace(/\s+/g, ' ').trim()}) to /dev/null`;
}

/** Durations in ms that `bds` logged per extracted dataset. */
function datasetDurations(stderr: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const record of extractedRecords(stderr)) out[record.dataset] = record.durationMs;
  return out;
}

/** The `dataset extracted` log lines of a run: when each dataset ended, and how long it took. */
function extractedRecords(stderr: string): { dataset: string; durationMs: number; endedMs: number }[] {
  const out: { dataset: string; durationMs: number; endedMs: number }[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const record = JSON.parse(line) as { msg?: unknown; dataset?: unknown; durationMs?: unknown; time?: unknown };
      if (
        record.msg === 'dataset extracted' &&
        typeof record.dataset === 'string' &&
        typeof record.durationMs === 'number' &&
        typeof record.time === 'string'
      ) {
        out.push({ dataset: record.dataset, durationMs: record.durationMs, endedMs: Date.parse(record.time) });
      }
    } catch {
      // Not a log line.
    }
  }
  return out;
}

/**
 * Wall time of a run's extraction stage, ms: from the first dataset's start to the last one's end.
 * The sources are read side by side, so the datasets' durations overlap and do not add up.
 */
/**
 * The month's own time in a last day's aggregation: both log lines carry the time since the day's
 * aggregation started, the daily one when its files were written, the monthly one when the month's
 * were, so their difference is what the month costs on top of the day.
 */
function monthMs(stderr: string): number {
  let daily: number | undefined;
  let monthly: number | undefined;
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as { msg?: unknown; durationMs?: unknown };
    if (typeof record.durationMs !== 'number') continue;
    if (record.msg === 'daily files written') daily = record.durationMs;
    if (record.msg === 'monthly files written') monthly = record.durationMs;
  }
  if (daily === undefined || monthly === undefined) throw new BenchError('the aggregation of the last day logged no daily and monthly times');
  return monthly - daily;
}

function extractStageMs(stderr: string): number {
  const records = extractedRecords(stderr);
  if (records.length === 0) return Number.NaN;
  const start = Math.min(...records.map((r) => r.endedMs - r.durationMs));
  const end = Math.max(...records.map((r) => r.endedMs));
  return end - start;
}

// ---------------------------------------------------------------------------------------------
// Databases and data
// ---------------------------------------------------------------------------------------------

function databaseName(scale: number): string {
  return `bds_bench_s${String(scale).replace('.', '_')}`;
}

function databaseUrl(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates the database if needed; seeds it unless it already holds this scale, seed and month. */
async function ensureSeeded(opts: Options, scale: number): Promise<{ url: string; marker: SeedMarker; seeded?: SeedReport }> {
  const name = databaseName(scale);
  const admin = new pg.Client({ connectionString: opts.server });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(opts.server, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let marker: SeedMarker | undefined;
  try {
    marker = await readSeedMarker(client);
  } finally {
    await client.end();
  }
  if (!opts.reseed && marker !== undefined && marker.scale === scale && marker.seed === opts.seed && marker.month === opts.month) {
    log(`scale ${scale}: reusing ${name} (seeded ${marker.at})`);
    return { url, marker };
  }
  log(`scale ${scale}: seeding ${name} ...`);
  const seeded = await seedDatabase({ url, scale, seed: opts.seed, month: opts.month, reset: true, progress: () => undefined });
  log(`  ${seeded.totalRows.toLocaleString('en-US')} rows in ${(seeded.durationMs.total / 1000).toFixed(0)} s`);
  const again = new pg.Client({ connectionString: url });
  await again.connect();
  try {
    marker = await readSeedMarker(again);
  } finally {
    await again.end();
  }
  if (marker === undefined) throw new BenchError(`${name}: seeded but no marker`);
  return { url, marker, seeded };
}

/** The benchmark day: the month's last weekday before its last day (a full working day, stuck session included). */
function benchDay(month: string): LocalDate {
  const last = lastDayOfMonth(`${month}-01`);
  const days = eachDay(`${month}-01`, last).slice(0, -1).reverse();
  const day = days.find((d) => {
    const weekday = new Date(`${d}T12:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  });
  if (day === undefined) throw new BenchError(`no weekday in ${month}`);
  return day;
}

// ---------------------------------------------------------------------------------------------
// One scale
// ---------------------------------------------------------------------------------------------

interface Pair {
  readonly bds: number;
  readonly reference: number;
  readonly ratio: number;
  readonly runs: { readonly bds: readonly number[]; readonly reference: readonly number[] };
}

function pair(a: readonly Measured[], b: readonly Measured[]): Pair {
  const x = median(a.map((m) => m.seconds));
  const y = median(b.map((m) => m.seconds));
  return { bds: x, reference: y, ratio: x / y, runs: { bds: a.map((m) => m.seconds), reference: b.map((m) => m.seconds) } };
}

interface ScaleResult {
  readonly scale: number;
  readonly database: string;
  readonly seededAt: string;
  readonly seed?: SeedReport;
  readonly sourceRows: Readonly<Record<string, number>>;
  readonly day: LocalDate;
  readonly extract: Pair & { readonly rows: number; readonly rssMb: number };
  readonly datasets: readonly { readonly dataset: string; readonly bdsMs: number; readonly psqlMs: number }[];
  readonly extractStageSeconds: number;
  readonly dayRun: Pair & { readonly rssMb: number; readonly valuesCompared: number };
  /** `bds explain --csv` of the day's concurrent seats (two readings of gim_sessions) next to `bds invoke aggregate` of the day. */
  readonly explainRun: Pair & { readonly metric: string; readonly rows: number; readonly rssMb: number };
  readonly rollup?: {
    readonly seconds: number;
    readonly rssMb: number;
    readonly runs: readonly number[];
    readonly backfillSeconds?: number;
    /** The month's own cost: from the last day's daily files written to its monthly ones (the log's times). */
    readonly monthSeconds: number;
    readonly monthRuns: readonly number[];
  };
  readonly peakRssMb: number;
  /** CPU share used by other processes just before each measured run: max and median. */
  readonly noise: { readonly maxBusy: number; readonly medianBusy: number; readonly loadAverage: readonly number[] };
  readonly explain?: string;
}

async function explain(url: string, sql: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`);
    return result.rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

async function benchScale(opts: Options, scale: number): Promise<ScaleResult> {
  noise.length = 0;
  const { url, marker, seeded } = await ensureSeeded(opts, scale);
  const work = join(WORK, databaseName(scale));
  await mkdir(work, { recursive: true });
  const configPath = join(work, 'bds.config.yaml');
  await writeFile(configPath, seedConfig({ connectionString: url, month: opts.month, scale }));
  const config = loadConfig({ path: configPath, env: {} }).config;
  const tenant = config.tenants.find((t) => t.id === TENANT);
  if (tenant === undefined) throw new BenchError(`the seeded configuration has no tenant ${TENANT}`);
  const day = opts.day ?? benchDay(opts.month);
  const event = join(work, 'day.json');
  await writeFile(event, JSON.stringify({ tenant: TENANT, date: day }));

  // 1. Extraction of the day's GIM sessions: the database-to-disk limit.
  log(`scale ${scale}: extraction of ${day} (GIM sessions) ...`);
  const gimCopy = copyToNull(gimSessionsSql(tenant, day));
  const extraction = await compare(opts, {
    bds: () => bds(['invoke', 'extract-gim', '--event', event, '--config', configPath]),
    psql: () => psql(url, ['-c', gimCopy]),
  });
  const extractRows = Number(/"rows":\s*(\d+)/.exec(extraction.bds[0]?.stdout ?? '')?.[1] ?? 0);

  // 2. The whole day next to the in-database reference, and the values compared. The reference
  // is `bds verify`: SQL written from the specification, independent of the extraction queries,
  // computing every value inside PostgreSQL and comparing it with the files the run just wrote
  // (its exit code is not 0 on any difference, which stops the benchmark).
  log(`scale ${scale}: bds run --date ${day} ...`);
  const dayRuns = await compare(opts, {
    bds: () => bds(['run', '--date', day, '--no-transmit', '--config', configPath]),
    reference: () => bds(['verify', '--date', day, '--tenant', TENANT, '--json', '--config', configPath]),
  });
  const verified = JSON.parse(dayRuns.reference[0]?.stdout ?? '{}') as { ok?: boolean; valuesCompared?: number };
  if (verified.ok !== true || (verified.valuesCompared ?? 0) === 0) {
    throw new BenchError(`bds verify did not confirm the files of ${day}:\n${dayRuns.reference[0]?.stdout.slice(0, 3000) ?? ''}`);
  }

  // Per dataset: what bds logged for each extraction, next to psql \copy of the same query.
  const perDataset = dayRuns.bds.map((m) => datasetDurations(m.stderr));
  const datasets: { dataset: string; bdsMs: number; psqlMs: number }[] = [];
  for (const { dataset, sql } of extractionSql(config, tenant, day)) {
    const staged = dataset.replace(/ \(.*\)$/, '');
    const copies = await compare(opts, { psql: () => psql(url, ['-c', copyToNull(sql)]) });
    const psqlMs = median(copies.psql.map((m) => m.seconds * 1000));
    const existing = datasets.find((d) => d.dataset === staged);
    if (existing !== undefined) existing.psqlMs += psqlMs;
    else datasets.push({ dataset: staged, bdsMs: median(perDataset.map((d) => d[staged] ?? 0)), psqlMs });
  }
  const switches = median(perDataset.map((d) => d.cfg_agent_switches ?? 0));
  if (switches > 0) datasets.push({ dataset: 'cfg_agent_switches', bdsMs: switches, psqlMs: Number.NaN });
  const extractStageSeconds = median(dayRuns.bds.map((m) => extractStageMs(m.stderr))) / 1000;

  // 2b. Explaining the day's heaviest seat number (every session counts for seats_workspace) from
  // the staged data the run just left, next to aggregating the same day from it.
  const explainMetric = tenant.metrics.includes('seats_workspace') ? 'seats_workspace' : (tenant.metrics.find((m) => m.startsWith('seats_')) ?? '');
  const explainArgs = ['explain', '--tenant', TENANT, '--metric', explainMetric, '--region', tenant.regions[0]?.code ?? '', '--measure', 'concurrent', '--date', day, '--csv', '--config', configPath];
  log(`scale ${scale}: bds explain ${explainMetric} concurrent ${day} ...`);
  const explainRuns = await compare(opts, {
    explain: () => bds(explainArgs),
    aggregate: () => bds(['invoke', 'aggregate', '--event', event, '--config', configPath]),
  });
  const explainRows = Math.max(0, (explainRuns.explain[0]?.stdout.trimEnd().split('\n').length ?? 1) - 1);

  // 3. The month's roll-up on its last day, from every day's staged data.
  let rollup: ScaleResult['rollup'];
  if (opts.rollup) {
    const last = lastDayOfMonth(`${opts.month}-01`);
    const days = eachDay(`${opts.month}-01`, last);
    const specs = datasetsFor(tenant, resolveMetrics(config, tenant));
    const preparedPath = join(work, 'prepared.json');
    const prepared = existsSync(preparedPath) ? (JSON.parse(await readFile(preparedPath, 'utf8')) as { seededAt?: string }) : {};
    let complete = prepared.seededAt === marker.at;
    for (const d of days) {
      for (const spec of specs) {
        if (!complete) break;
        complete = await stagedDatasetExists({ dataDir: config.dataDir, tenant: tenant.id, dataset: spec.dataset, date: d });
      }
    }
    let backfillSeconds: number | undefined;
    if (!complete) {
      log(`scale ${scale}: extracting the whole month for the roll-up (once) ...`);
      await rm(config.dataDir, { recursive: true, force: true });
      const backfill = await bds(['backfill', '--from', days[0] ?? last, '--to', last, '--no-transmit', '--config', configPath]);
      backfillSeconds = backfill.seconds;
      await writeFile(preparedPath, JSON.stringify({ seededAt: marker.at, backfillSeconds }));
    }
    log(`scale ${scale}: roll-up of ${opts.month} on ${last} ...`);
    const lastEvent = join(work, 'last-day.json');
    await writeFile(lastEvent, JSON.stringify({ tenant: TENANT, date: last }));
    const runs = await compare(opts, { aggregate: () => bds(['invoke', 'aggregate', '--event', lastEvent, '--config', configPath]) });
    const monthRuns = runs.aggregate.map((m) => monthMs(m.stderr) / 1000);
    rollup = {
      seconds: median(runs.aggregate.map((m) => m.seconds)),
      monthSeconds: median(monthRuns),
      monthRuns,
      rssMb: Math.max(...runs.aggregate.map((m) => m.rssMb)),
      runs: runs.aggregate.map((m) => m.seconds),
      ...(backfillSeconds === undefined ? {} : { backfillSeconds }),
    };
  }

  const rssRuns = [...extraction.bds, ...dayRuns.bds].map((m) => m.rssMb);
  const result: ScaleResult = {
    scale,
    database: databaseName(scale),
    seededAt: marker.at,
    ...(seeded === undefined ? {} : { seed: seeded }),
    sourceRows: marker.rows,
    day,
    extract: { ...pair(extraction.bds, extraction.psql), rows: extractRows, rssMb: Math.max(...extraction.bds.map((m) => m.rssMb)) },
    datasets,
    extractStageSeconds,
    dayRun: {
      ...pair(dayRuns.bds, dayRuns.reference),
      rssMb: Math.max(...dayRuns.bds.map((m) => m.rssMb)),
      valuesCompared: verified.valuesCompared ?? 0,
    },
    explainRun: {
      ...pair(explainRuns.explain, explainRuns.aggregate),
      metric: explainMetric,
      rows: explainRows,
      rssMb: Math.max(...explainRuns.explain.map((m) => m.rssMb)),
    },
    ...(rollup === undefined ? {} : { rollup }),
    peakRssMb: Math.max(...rssRuns, rollup?.rssMb ?? 0),
    noise: { maxBusy: Math.max(0, ...noise), medianBusy: median(noise), loadAverage: os.loadavg() },
    ...(opts.explain
      ? {
          explain: [
            `-- GIM sessions query, ${day}\n${await explain(url, gimSessionsSql(tenant, day))}`,
          ].join('\n\n'),
        }
      : {}),
  };
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

async function machine(server: string): Promise<Record<string, string | number>> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  const setting = async (name: string): Promise<string> =>
    (await client.query<{ v: string }>(`SELECT current_setting($1) AS v`, [name])).rows[0]?.v ?? '';
  try {
    return {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      postgres: await setting('server_version'),
      shared_buffers: await setting('shared_buffers'),
      work_mem: await setting('work_mem'),
      max_parallel_workers_per_gather: await setting('max_parallel_workers_per_gather'),
    };
  } finally {
    await client.end();
  }
}

function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

function mark(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}

function render(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

function scaleTable(r: ScaleResult): string {
  const rows: string[][] = [['figure', 'bds', 'reference', 'ratio', 'target', '']];
  rows.push([
    `extract GIM sessions (${r.extract.rows} rows)`,
    `${fmt(r.extract.bds)} s`,
    `${fmt(r.extract.reference)} s psql \\copy`,
    fmt(r.extract.ratio),
    `≤ ${TARGETS.extractRatio}`,
    mark(r.extract.ratio <= TARGETS.extractRatio),
  ]);
  for (const d of r.datasets) {
    rows.push([`  in bds run: ${d.dataset}`, `${fmt(d.bdsMs / 1000)} s`, Number.isNaN(d.psqlMs) ? '' : `${fmt(d.psqlMs / 1000)} s`, Number.isNaN(d.psqlMs) ? '' : fmt(d.bdsMs / d.psqlMs), '', '']);
  }
  rows.push(['extract stage, every dataset (wall)', `${fmt(r.extractStageSeconds)} s`, '', '', `< ${TARGETS.extractSeconds} s`, mark(r.extractStageSeconds < TARGETS.extractSeconds)]);
  rows.push([
    `bds run --date ${r.day} (${r.dayRun.valuesCompared} values equal)`,
    `${fmt(r.dayRun.bds)} s`,
    `${fmt(r.dayRun.reference)} s SQL`,
    fmt(r.dayRun.ratio),
    `≤ ${TARGETS.dayRatio}`,
    mark(r.dayRun.ratio <= TARGETS.dayRatio),
  ]);
  rows.push([
    `bds explain ${r.explainRun.metric} concurrent (${r.explainRun.rows} agents)`,
    `${fmt(r.explainRun.bds)} s`,
    `${fmt(r.explainRun.reference)} s aggregate`,
    fmt(r.explainRun.ratio),
    `≤ ${TARGETS.explainRatio}`,
    mark(r.explainRun.ratio <= TARGETS.explainRatio),
  ]);
  if (r.rollup !== undefined) {
    rows.push(['month roll-up (last day, daily + monthly)', `${fmt(r.rollup.seconds)} s`, '', '', '', '']);
    const ratio = r.rollup.monthSeconds / r.dayRun.bds;
    rows.push(['the month alone / bds run of a day', `${fmt(r.rollup.monthSeconds)} s`, `${fmt(r.dayRun.bds)} s`, fmt(ratio), `≤ ${TARGETS.rollupRatio}`, mark(ratio <= TARGETS.rollupRatio)]);
  }
  rows.push(['peak RSS: bds run (day)', `${fmt(r.dayRun.rssMb, 0)} MiB`, '', '', `≤ ${TARGETS.rssMb}`, mark(r.dayRun.rssMb <= TARGETS.rssMb)]);
  rows.push(['peak RSS: extract-gim', `${fmt(r.extract.rssMb, 0)} MiB`, '', '', `≤ ${TARGETS.rssMb}`, mark(r.extract.rssMb <= TARGETS.rssMb)]);
  if (r.rollup !== undefined) {
    rows.push(['peak RSS: roll-up', `${fmt(r.rollup.rssMb, 0)} MiB`, '', '', `≤ ${TARGETS.rssMb}`, mark(r.rollup.rssMb <= TARGETS.rssMb)]);
  }
  return render(rows);
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  cli = opts.cli;
  if (opts.pgOptions !== undefined) sessionEnv = { PGOPTIONS: opts.pgOptions };
  if (opts.nodeOptions !== undefined) nodeEnv = { NODE_OPTIONS: opts.nodeOptions };
  const host = await machine(opts.server);
  log(`bds bench: ${host.cpu}, ${host.cores} cores, ${host.memoryGiB} GiB, node ${host.node}, PostgreSQL ${host.postgres}`);
  log(`month ${opts.month}, seed ${opts.seed}, ${opts.runs} runs after ${opts.warmup} warm-up, scales ${opts.scales.join(', ')}` +
    `${opts.pgOptions === undefined ? '' : `, PGOPTIONS ${opts.pgOptions}`}${opts.nodeOptions === undefined ? '' : `, NODE_OPTIONS ${opts.nodeOptions}`}` +
    `${opts.cli === BDS_BIN ? '' : `, cli ${opts.cli}`}\n`);
  await mkdir(RESULTS, { recursive: true });
  const results: ScaleResult[] = [];
  for (const scale of opts.scales) {
    const r = await benchScale(opts, scale);
    results.push(r);
    log(`\nscale ${scale} (${r.database}, ${Object.values(r.sourceRows).reduce((a, b) => a + b, 0).toLocaleString('en-US')} source rows), day ${r.day}:`);
    log(scaleTable(r));
    log(`other processes' CPU share before measured runs: median ${fmt(r.noise.medianBusy * 100, 0)} %, max ${fmt(r.noise.maxBusy * 100, 0)} %\n`);
  }
  // The RSS ratio compares the largest scale with scale 0.1, measured now or in an earlier run.
  const largest = results[results.length - 1];
  let small = results.find((r) => r.scale === 0.1);
  if (small === undefined && largest !== undefined && largest.scale !== 0.1) {
    const earlier = (await readdir(RESULTS)).filter((n) => n.endsWith('-scale0.1.json')).sort().pop();
    if (earlier !== undefined) small = (JSON.parse(await readFile(join(RESULTS, earlier), 'utf8')) as { result: ScaleResult }).result;
  }
  const base = small;
  const rssRatio = largest !== undefined && base !== undefined && base !== largest ? largest.dayRun.rssMb / base.dayRun.rssMb : undefined;
  const rollupRssRatio =
    largest?.rollup !== undefined && base?.rollup !== undefined && base !== largest ? largest.rollup.rssMb / base.rollup.rssMb : undefined;
  if (largest !== undefined && base !== undefined && base !== largest) {
    for (const [what, ratio, big, little] of [
      ['bds run (day)', rssRatio, largest.dayRun.rssMb, base.dayRun.rssMb],
      ['roll-up', rollupRssRatio, largest.rollup?.rssMb, base.rollup?.rssMb],
    ] as const) {
      if (ratio === undefined || big === undefined || little === undefined) continue;
      log(`peak RSS of ${what}, scale ${largest.scale} / scale ${base.scale}: ${fmt(big, 0)} / ${fmt(little, 0)} MiB = ${fmt(ratio)} (target ≤ ${TARGETS.rssRatio}: ${mark(ratio <= TARGETS.rssRatio)})`);
    }
  }
  const date = new Date().toISOString().slice(0, 10);
  for (const r of results) {
    const name = `${date}-scale${r.scale}${opts.tag === undefined ? '' : `-${opts.tag}`}`;
    const file = join(RESULTS, `${name}.json`);
    const targets = {
      extractRatio: { value: r.extract.ratio, target: TARGETS.extractRatio, met: r.extract.ratio <= TARGETS.extractRatio },
      dayRatio: { value: r.dayRun.ratio, target: TARGETS.dayRatio, met: r.dayRun.ratio <= TARGETS.dayRatio },
      extractStageSeconds: { value: r.extractStageSeconds, target: TARGETS.extractSeconds, met: r.extractStageSeconds < TARGETS.extractSeconds },
      peakRssMb: { value: r.peakRssMb, target: TARGETS.rssMb, met: r.peakRssMb <= TARGETS.rssMb },
      dayRunRssMb: { value: r.dayRun.rssMb, target: TARGETS.rssMb, met: r.dayRun.rssMb <= TARGETS.rssMb },
      ...(r === largest && rssRatio !== undefined ? { rssRatio: { value: rssRatio, target: TARGETS.rssRatio, met: rssRatio <= TARGETS.rssRatio } } : {}),
      ...(r === largest && rollupRssRatio !== undefined
        ? { rollupRssRatio: { value: rollupRssRatio, target: TARGETS.rssRatio, met: rollupRssRatio <= TARGETS.rssRatio } }
        : {}),
    };
    const { explain: plans, ...rest } = r;
    const settings = { pgOptions: opts.pgOptions ?? null, nodeOptions: opts.nodeOptions ?? null, cli: opts.cli === BDS_BIN ? 'bin/bds.mjs' : opts.cli };
    await writeFile(
      file,
      JSON.stringify({ format: 'bds-bench/1', date, machine: host, settings, month: opts.month, seed: opts.seed, runs: opts.runs, warmup: opts.warmup, result: rest, targets }, null, 2) + '\n',
    );
    if (plans !== undefined) await writeFile(join(RESULTS, `${name}-explain.txt`), plans + '\n');
    log(`written ${file}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${describeError(error)}\n`);
  process.exitCode = 1;
});
