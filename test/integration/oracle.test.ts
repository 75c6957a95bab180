/**
 * An independent oracle for every billed value. fast-check generates random worlds of source
 * data (several tenants and zones, DST changes, month ends, regions, odd sessions, interactions
 * at the sessions' edges, GVP facts, voicemail options); the real `bds backfill` processes each
 * world, and every daily and monthly value of every file is compared with a second-by-second
 * count written from the specification alone (test/oracle/, which imports nothing from lib/).
 *
 *   BDS_ORACLE_RUNS=200        more worlds (default 16: 30 to 70 s)
 *   BDS_ORACLE_SEED=123        another base seed (default fixed, so `npm test` is repeatable)
 *   BDS_ORACLE_PATH=0:1:2      with the seed: replay the world fast-check reported
 *   BDS_ORACLE_SHRINK_S=300    how long a failing world may be shrunk (default 90 s)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { dayBounds, localDateAt } from '../oracle/calendar';
import { countPerSecond } from '../oracle/per-second';
import { isNonBlank } from '../oracle/voicemail-oracle';
import { buildWorld } from '../oracle/build-world';
import { worldSpec } from '../oracle/world-spec';
import { expectedFiles } from '../oracle/oracle';
import { failureMessage, runWorld, writeReproduction } from '../oracle/run-world';
import { worldFeatures } from '../oracle/world-features';
import { ifSetUp } from '../helpers/suite';

const RUNS = Number(process.env.BDS_ORACLE_RUNS ?? 16);
const SEED = Number(process.env.BDS_ORACLE_SEED ?? 20_261_125);
const PATH = process.env.BDS_ORACLE_PATH;
const SHRINK_MS = Number(process.env.BDS_ORACLE_SHRINK_S ?? 90) * 1000;
// Generous: a world takes 1 to 3 s; a loaded machine may take several times that.
const TIMEOUT_MS = RUNS * 30_000 + SHRINK_MS + 120_000;

const iso = (second: number): string => new Date(second * 1000).toISOString();

describe('the oracle itself', () => {
  it('finds day bounds from the zone: DST days of 23, 23.5, 24.5 and 25 hours, odd offsets, a missing midnight, a missing day', () => {
    const hours = (date: string, zone: string): number => {
      const day = dayBounds(date, zone);
      return (day.end - day.start) / 3600;
    };
    expect(iso(dayBounds('2026-11-01', 'America/New_York').start)).toBe('2026-11-01T04:00:00.000Z');
    expect(hours('2026-11-01', 'America/New_York')).toBe(25);
    expect(hours('2026-03-08', 'America/St_Johns')).toBe(23);
    expect(iso(dayBounds('2026-03-08', 'America/St_Johns').start)).toBe('2026-03-08T03:30:00.000Z');
    expect(iso(dayBounds('2026-10-30', 'Asia/Kathmandu').start)).toBe('2026-10-29T18:15:00.000Z');
    expect(hours('2026-04-05', 'Australia/Lord_Howe')).toBe(24.5);
    expect(hours('2028-10-01', 'Australia/Lord_Howe')).toBe(23.5);
    // Santiago skips 00:00 on 2026-09-06: the day starts at the jump, 01:00 local.
    expect(iso(dayBounds('2026-09-06', 'America/Santiago').start)).toBe('2026-09-06T04:00:00.000Z');
    expect(hours('2026-09-06', 'America/Santiago')).toBe(23);
    expect(hours('2026-04-04', 'America/Santiago')).toBe(25);
    // Samoa skipped 2011-12-30: a day of length zero.
    expect(hours('2011-12-30', 'Pacific/Apia')).toBe(0);
    expect(localDateAt(Date.UTC(2028, 1, 29, 23, 59, 59) / 1000, 'UTC')).toBe('2028-02-29');
  });

  it('counts second by second: touching intervals never overlap, one thing counts once, empty intervals count nothing', () => {
    const day = dayBounds('2026-01-01', 'UTC');
    const t = day.start;
    const counted = countPerSecond(
      day,
      new Map<string, [number, number][]>([
        ['a', [[t + 10, t + 20], [t + 15, t + 30]]],
        ['b', [[t + 30, t + 40]]],
        ['c', [[t + 50, t + 50], [t + 60, t + 55]]],
        ['d', [[t - 100, t + 1]]],
      ]),
    );
    expect(counted.peak).toBe(1);
    expect([...counted.active].sort()).toEqual(['a', 'b', 'd']);
    expect(counted.thingSeconds).toBe(20 + 10 + 1);
  });

  it('reads blank the way metrics.md says: spaces, tabs and line breaks', () => {
    expect([' ', '\t', '\n', ' \t\r\n', '', null].map(isNonBlank)).toEqual([false, false, false, false, false, false]);
    expect([' 1', '\tx\n'].map(isNonBlank)).toEqual([true, true]);
  });

  it('generates worlds with every file the spec requires', () => {
    const [spec] = fc.sample(worldSpec, { seed: SEED, numRuns: 1 });
    if (spec === undefined) throw new Error('no sample');
    const world = buildWorld(spec);
    const files = expectedFiles(world);
    const perTenant = world.tenants.map((t) => files.filter((f) => f.tenant === t.id && f.periodType === 'daily').length);
    expect(perTenant.every((n) => n > 0)).toBe(true);
  });
});

describe('every billed value against the oracle', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  // Creating and dropping databases waits for the server's other sessions: give it room.
  beforeAll(async () => {
    a = await createTestDatabase();
    b = await createTestDatabase();
  }, 180_000);
  afterAll(async () => {
    await ifSetUp(a)?.close();
    await ifSetUp(b)?.close();
  }, 180_000);

  it(
    `agrees with a second-by-second count on ${RUNS} random worlds (seed ${SEED})`,
    async () => {
      let worlds = 0;
      const features = new Map<string, number>();
      const property = fc.asyncProperty(worldSpec, async (spec) => {
        const world = buildWorld(spec);
        const outcome = await runWorld(world, { a, b });
        if (outcome.mismatches.length > 0 || outcome.exitCode !== 0) {
          const dir = await writeReproduction(world, spec, outcome);
          throw new Error(failureMessage(world, outcome, dir));
        }
        worlds += 1;
        for (const [name, n] of worldFeatures(world, outcome.expected)) features.set(name, (features.get(name) ?? 0) + n);
      });
      // Every world runs to the end, however slow the machine: no time limit while looking for
      // a failure, so a passing test has really compared all its worlds.
      const found = await fc.check(property, {
        numRuns: RUNS,
        seed: SEED,
        ...(PATH === undefined ? {} : { path: PATH }),
        endOnFailure: true,
      });
      if (found.failed) {
        // Then shrink from the failing world, for a bounded time, and report the smallest
        // failing world found (fast-check prints the seed and path that replay it).
        await fc.assert(property, {
          seed: found.seed,
          path: found.counterexamplePath ?? undefined,
          ...(PATH === undefined ? {} : { endOnFailure: true }),
          includeErrorInReport: true,
          plugins: [fc.interruptAfterTimeLimit(SHRINK_MS)],
        });
        throw new Error(`world ${found.counterexamplePath} failed, but not when replayed: ${String(found.errorInstance)}`);
      }
      const totals = [...features].map(([name, n]) => `  ${name}: ${n}`).join('\n');
      console.log(`oracle: ${worlds} world(s) agree with the pipeline; they contained:\n${totals}`);
      expect(worlds).toBe(RUNS);
    },
    TIMEOUT_MS,
  );
});
