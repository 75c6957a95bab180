/**
 * Crash anywhere (docs/reliability.md): the real `bds catch-up` child process is SIGKILLed by
 * its own fault points (lib/faults.ts) at points chosen from a seed among every point a clean run
 * passes — in extraction, aggregation, delivery and watermark writes — and a normal
 * `bds catch-up` afterwards must leave exactly what one uninterrupted run leaves: the same staged
 * data, billing files, checksums, manifests (but for their times), watermarks, copies and S3
 * objects, the same ledger (as a multiset of file, destination, key and digest: its times
 * differ), no temporary file under a final name, and not one object uploaded twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runBds } from '../helpers/cli';
import { isTemporary } from '../helpers/files';
import { seededRandom } from '../helpers/random';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver';
import { seatsFixtureConfig, seatsFixtureSql } from '../fixtures/seats-fixture';
import { ifSetUp } from '../helpers/suite';

// 2026-11-01 10:00 in New York (EST): with the 2 h delay the last ended day is 2026-10-31 for
// both tenants, so catch-up processes acme's 10-30 and 10-31 (the month's last day: monthly
// files too) and globex's 10-31, then delivers each tenant's files to S3 and a copyTo folder.
const NOW = '2026-11-01T15:00:00Z';
/** Change it (BDS_FAULT_SEED) to crash at other points; a failure message names the seed and the point. */
const SEED = Number(process.env.BDS_FAULT_SEED ?? 20261031);
/** Crash points in all; every kind of point is among them, and each stage gets at least MIN_PER_STAGE. */
const KILLS = 24;
const MIN_PER_STAGE = 6;

type Stage = 'extract' | 'aggregate' | 'transmit' | 'state';

/** The stage a fault point belongs to, from its area (the name's part before the first dot). */
function stageOf(point: string): Stage {
  const area = point.split('.')[0];
  if (area === 'extract') return 'extract';
  if (area === 'billing') return 'aggregate';
  if (area === 'watermark') return 'state';
  return 'transmit';
}

/**
 * One crash to inflict: the point and which of its calls (from 1) to die at, chosen at call `at`
 * of the clean run. A run is killed by point and occurrence, not by its overall call count:
 * each source's extraction and each delivery run side by side, so the points of different
 * chains interleave differently from one run to the next.
 */
interface Plan {
  readonly at: number;
  readonly point: string;
  readonly occurrence: number;
  readonly stage: Stage;
}

/**
 * Chooses `count` call counts from a clean run's trace: one occurrence of every distinct point
 * first (so no kind of point goes untested), then more until every main stage has its minimum,
 * then at random over the whole run.
 */
function choosePlans(trace: readonly string[], seed: number, count: number): Plan[] {
  const { pick } = seededRandom(seed);
  const chosen = new Set<number>();
  const indices = trace.map((_, i) => i + 1);
  for (const name of [...new Set(trace)].sort()) chosen.add(pick(indices.filter((i) => trace[i - 1] === name)));
  for (const stage of ['extract', 'aggregate', 'transmit'] as const) {
    const own = indices.filter((i) => stageOf(trace[i - 1] ?? '') === stage);
    while ([...chosen].filter((i) => stageOf(trace[i - 1] ?? '') === stage).length < Math.min(MIN_PER_STAGE, own.length)) {
      chosen.add(pick(own));
    }
  }
  while (chosen.size < Math.min(count, indices.length)) chosen.add(pick(indices));
  return [...chosen]
    .sort((a, b) => a - b)
    .map((at) => {
      const point = trace[at - 1] ?? '';
      const occurrence = trace.slice(0, at).filter((name) => name === point).length;
      return { at, point, occurrence, stage: stageOf(point) };
    });
}

let db: TestDatabase;
let s3: S3rverHandle;
let work: string;
let sites = 0;

interface Site {
  readonly dataDir: string;
  readonly copyDir: string;
  readonly prefix: string;
  readonly trace: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A fresh deployment: its own data folder, copyTo folder and S3 prefix, on the shared database and bucket. */
async function createSite(name: string): Promise<Site> {
  sites += 1;
  const id = `${String(sites).padStart(2, '0')}-${name}`;
  const dataDir = join(work, id, 'data');
  const copyDir = join(work, id, 'copy');
  const prefix = `crash/${id}`;
  const config = join(work, `${id}.yaml`);
  await mkdir(copyDir, { recursive: true });
  await writeFile(
    config,
    seatsFixtureConfig(dataDir) +
      `transmit:
  s3:
    bucket: ${s3.bucket}
    prefix: ${prefix}
    region: us-east-1
    endpoint: ${s3.endpoint}
    forcePathStyle: true
    accessKeyId: S3RVER
    secretAccessKey: S3RVER
    requestChecksumCalculation: WHEN_REQUIRED
  copyTo: [${JSON.stringify(copyDir)}]
`,
  );
  return { dataDir, copyDir, prefix, trace: join(work, `${id}.trace`), env: { TEST_DB_URL: db.url, BDS_CONFIG: config, BDS_NOW: NOW } };
}

/** Every file under `root` (recursively), relative `/`-separated paths, sorted; a missing root has none. */
async function filesUnder(root: string, sub = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(root, sub), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = sub === '' ? entry.name : `${sub}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await filesUnder(root, path)));
    else files.push(path);
  }
  return files.sort();
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Drops the keys that hold the time of a run (not of the data) from a JSON record. */
function withoutTimes(text: string): string {
  const value = JSON.parse(text) as Record<string, unknown>;
  delete value.generatedAt;
  delete value.extractedAt;
  delete value.snapshotAt;
  if (Array.isArray(value.inputs)) {
    value.inputs = (value.inputs as Record<string, unknown>[]).map(({ extractedAt: _e, snapshotAt: _s, ...rest }) => rest);
  }
  return JSON.stringify(value);
}

const DAY_SUMMARY = /^data\/extract\/[^/]+\/day-summary\/.+\.json\.gz$/;

/** What a site holds after a run, in a form two sites can be compared in. */
interface SiteState {
  /** Data folder and copyTo folder: relative path → SHA-256 (JSON records without their times). */
  readonly files: Record<string, string>;
  /** Ledger as a sorted multiset of `file destination key sha256`, destinations made site-neutral. */
  readonly ledger: string[];
  /** S3 objects under the site's prefix: key below the prefix → SHA-256. */
  readonly objects: Record<string, string>;
  /** Temporary files left by a killed process (never final, never listed, never delivered). */
  readonly temporaries: string[];
}

async function stateOf(site: Site): Promise<SiteState> {
  const files: Record<string, string> = {};
  const temporaries: string[] = [];
  let ledgerText = '';
  for (const [label, root] of [['data', site.dataDir], ['copy', site.copyDir]] as const) {
    for (const path of await filesUnder(root)) {
      const key = `${label}/${path}`;
      if (isTemporary(path)) {
        temporaries.push(key);
        continue;
      }
      // Run records, stage successes and the Prometheus files describe the runs (their times, how
      // many days each did, how far behind), not the data.
      if (/^data\/state\/(last-(scheduled-)?run(\.[^/]+)?\.json|[^/]+\.prom|stage-success\/[^/]+\.json)$/.test(key)) continue;
      const bytes = await readFile(join(root, path));
      // Day summaries (lib/aggregate/day-summary.ts) record their inputs' extraction times, so
      // their bytes and digests differ from run to run: compared without the times, and their
      // digest files by whether they match.
      if (DAY_SUMMARY.test(key)) {
        files[key] = sha256(withoutTimes(gunzipSync(bytes).toString('utf8')));
        continue;
      }
      if (DAY_SUMMARY.test(key.replace(/\.sha256$/, '')) && key.endsWith('.sha256')) {
        const data = await readFile(join(root, path.replace(/\.sha256$/, ''))).catch(() => undefined);
        files[key] = data !== undefined && sha256(data) === bytes.toString('utf8').trim() ? 'digest matches' : 'digest does not match';
        continue;
      }
      if (key === 'data/state/ledger.jsonl') {
        ledgerText = bytes.toString('utf8');
        continue;
      }
      files[key] = path.endsWith('.json') ? sha256(withoutTimes(bytes.toString('utf8'))) : sha256(bytes);
    }
  }
  const s3Id = `s3://${s3.bucket}/${site.prefix}`;
  const ledger = ledgerText
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const r = JSON.parse(line) as { file: string; destination: string; target: string; sha256: string };
      const destination = r.destination === s3Id ? 's3://<inbox>' : r.destination.replace(site.copyDir, '<copy>');
      const target = r.target.startsWith(`${site.prefix}/`) ? `<prefix>/${r.target.slice(site.prefix.length + 1)}` : r.target.replace(site.copyDir, '<copy>');
      return `${r.file} ${destination} ${target} ${r.sha256}`;
    })
    .sort();
  const objects: Record<string, string> = {};
  for (const key of await s3.keys()) {
    if (!key.startsWith(`${site.prefix}/`)) continue;
    objects[key.slice(site.prefix.length + 1)] = (await s3.digestOf(key))?.sha256 ?? 'gone';
  }
  return { files, ledger, objects, temporaries: temporaries.sort() };
}

/** How many times each object under the site's prefix was stored, per s3rver's own log. */
async function uploadCounts(site: Site): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const key of await s3.storedKeys()) {
    if (key.startsWith(`${site.prefix}/`)) counts[key.slice(site.prefix.length + 1)] = (counts[key.slice(site.prefix.length + 1)] ?? 0) + 1;
  }
  return counts;
}

async function traceOf(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8').catch(() => '')).split('\n').filter((l) => l.length > 0);
}

let reference: SiteState;
let plans: Plan[] = [];
const outcomes: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bds-faults-crash-'));
  db = await createTestDatabase();
  await db.exec(seatsFixtureSql());
  s3 = await startS3rver({ bucket: 'billing-inbox' });

  // The uninterrupted run: what every crashed-and-recovered site must end up equal to, and,
  // traced, the list of fault points the crashes are chosen from.
  const site = await createSite('reference');
  const clean = await runBds(['catch-up'], { env: { ...site.env, BDS_FAULT_TRACE: site.trace } });
  if (clean.code !== 0) throw new Error(`the uninterrupted run failed (${String(clean.code)}): ${clean.stderr}`);
  reference = await stateOf(site);
  plans = choosePlans(await traceOf(site.trace), SEED, KILLS);
}, 120_000);

afterAll(async () => {
  if (outcomes.length > 0) process.stdout.write(`crash points (seed ${SEED}):\n${outcomes.join('\n')}\n`);
  await ifSetUp(s3)?.close();
  await ifSetUp(db)?.close();
  if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
});

describe('crash anywhere', () => {
  it('chooses crash points of every kind from an uninterrupted run that delivered everything once', () => {
    expect(plans.length).toBe(KILLS);
    expect([...new Set(plans.map((p) => p.stage))].sort()).toEqual(['aggregate', 'extract', 'state', 'transmit']);
    for (const stage of ['extract', 'aggregate', 'transmit'] as const) {
      expect(plans.filter((p) => p.stage === stage).length, stage).toBeGreaterThanOrEqual(MIN_PER_STAGE);
    }
    // Every kind of point (docs/reliability.md lists them): rows, commits and records, billing
    // files and manifests, deliveries and their ledger lines, watermarks.
    expect(new Set(plans.map((p) => p.point))).toEqual(
      new Set([
        'extract.rows',
        'extract.before-commit',
        'extract.after-commit',
        'extract.after-record',
        'billing.after-csv',
        'billing.after-checksum',
        'billing.before-manifest',
        'billing.after-manifest',
        'transmit.before-deliver',
        's3.after-object',
        'copy.after-file',
        'transmit.before-ledger',
        'transmit.after-ledger',
        'watermark.before-write',
        'watermark.after-write',
      ]),
    );
    expect(Object.keys(reference.objects).length).toBeGreaterThan(100);
    expect(reference.ledger.length).toBe(Object.keys(reference.objects).length);
    expect(new Set(reference.ledger).size).toBe(reference.ledger.length);
    expect(reference.temporaries).toEqual([]);
  });

  for (let n = 0; n < KILLS; n += 1) {
    it(`is recovered by the next run, byte for byte, after a SIGKILL at chosen point ${n + 1} of ${KILLS}`, { timeout: 180_000 }, async () => {
      const plan = plans[n];
      if (plan === undefined) throw new Error('no crash point was planned');
      const killAt = `${plan.point}#${plan.occurrence}`;
      const where = `seed ${SEED}, ${killAt} (call ${plan.at} of the clean run, ${plan.stage})`;
      const site = await createSite(`kill-${plan.at}`);

      // Act: the run that dies, then a normal run.
      const killed = await runBds(['catch-up'], { env: { ...site.env, BDS_FAULT_KILL_AT: killAt, BDS_FAULT_TRACE: site.trace } });
      const passed = await traceOf(site.trace);
      const recovered = await runBds(['catch-up'], { env: site.env });

      // Assess: it died exactly there (no exit code: a signal), at that call of that point; how
      // far the chains running beside it had come may differ from the clean run.
      expect(killed.code, `${where}: ${killed.stderr}`).toBeNull();
      expect(passed[passed.length - 1], where).toBe(plan.point);
      expect(passed.filter((name) => name === plan.point).length, where).toBe(plan.occurrence);
      // The next run finished the work...
      expect(recovered.code, `${where}: ${recovered.stderr}`).toBe(0);
      // ...and left exactly what an uninterrupted run leaves.
      const state = await stateOf(site);
      expect(state.files, where).toEqual(reference.files);
      expect(state.ledger, where).toEqual(reference.ledger);
      expect(state.objects, where).toEqual(reference.objects);
      // Nothing was uploaded twice, not even what the killed run had sent without recording it.
      const counts = await uploadCounts(site);
      expect(Object.keys(counts).sort(), where).toEqual(Object.keys(reference.objects).sort());
      expect(Object.entries(counts).filter(([, times]) => times !== 1), where).toEqual([]);
      // A temporary file of the killed run may stay behind, hidden; it is never taken for a finished file.
      for (const temp of state.temporaries) {
        const name = temp.split('/').pop() ?? '';
        expect(name, where).toMatch(/^\.tmp-.+\.\d+\.[0-9a-f]{8}$/);
        expect(state.ledger.some((line) => line.includes(name)), where).toBe(false);
        expect(Object.keys(state.objects).some((key) => key.includes('.tmp-')), where).toBe(false);
      }
      await expect(readFile(join(site.dataDir, 'state', 'lock')), where).rejects.toThrow(/ENOENT/);
      outcomes.push(`  ${String(plan.at).padStart(5)}  ${plan.stage.padEnd(9)}  ${killAt}${state.temporaries.length > 0 ? `  (left ${state.temporaries.length} temporary file(s))` : ''}`);
    });
  }
});
