/**
 * One oracle run: load a world into the two databases, write its configuration, run the real
 * `bds backfill` over its span, and compare every file with the oracle. On a difference the
 * world's SQL, configuration and the differences are written to a folder for replay by hand.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBds } from '../helpers/cli';
import type { TestDatabase } from '../helpers/database';
import { readBillingTree } from './billing-reader';
import { compareFiles, formatMismatches, type Mismatch } from './compare';
import { expectedFiles, type ExpectedFile } from './oracle';
import { DB_A_ENV, DB_B_ENV, worldConfig } from './world-config';
import { databaseASql, databaseBSql, TRUNCATE_ALL } from './world-sql';
import type { World } from './world';

export interface WorldOutcome {
  /** The files the oracle expects, with their values. */
  readonly expected: readonly ExpectedFile[];
  readonly mismatches: readonly Mismatch[];
  readonly exitCode: number | null;
  readonly output: string;
  readonly fileCount: number;
}

/** What a caller may look at after the run, before the world's folder is removed. */
export interface WorldRun {
  readonly configPath: string;
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly expected: readonly ExpectedFile[];
}

/**
 * Runs the pipeline on `world` and compares its files with the oracle's. `inspect`, when given,
 * runs after a clean run (exit 0, no difference) with the world's files still in place.
 */
export async function runWorld(
  world: World,
  databases: { a: TestDatabase; b: TestDatabase },
  inspect?: (run: WorldRun) => Promise<void>,
): Promise<WorldOutcome> {
  await databases.a.exec(TRUNCATE_ALL);
  await databases.b.exec(TRUNCATE_ALL);
  await databases.a.exec(databaseASql(world));
  const sqlB = databaseBSql(world);
  if (sqlB !== '') await databases.b.exec(sqlB);
  const work = await mkdtemp(join(tmpdir(), 'bds-oracle-'));
  try {
    const configPath = join(work, 'bds.config.yaml');
    await writeFile(configPath, worldConfig(world, join(work, 'data')));
    let exitCode: number | null = 0;
    let output = '';
    for (const batch of world.batches) {
      const result = await runBds(['backfill', '--from', batch.from, '--to', batch.to, '--no-transmit'], {
        env: { BDS_CONFIG: configPath, BDS_NOW: world.now, [DB_A_ENV]: databases.a.url, [DB_B_ENV]: databases.b.url },
      });
      output += `$ bds backfill --from ${batch.from} --to ${batch.to}\n${result.stdout}\n${result.stderr}\n`;
      if (result.code !== 0) {
        exitCode = result.code;
        break;
      }
    }
    const expected = expectedFiles(world);
    const { csv, other } = await readBillingTree(join(work, 'data', 'billing'));
    const zones = new Map(world.tenants.map((t) => [t.id, t.timezone]));
    const mismatches = compareFiles(expected, csv, other, (tenant) => zones.get(tenant) ?? '?');
    if (inspect !== undefined && exitCode === 0 && mismatches.length === 0) {
      await inspect({
        configPath,
        dataDir: join(work, 'data'),
        env: { BDS_CONFIG: configPath, BDS_NOW: world.now, [DB_A_ENV]: databases.a.url, [DB_B_ENV]: databases.b.url },
        expected,
      });
    }
    return { expected, mismatches, exitCode, output, fileCount: csv.size };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The folder a failing world's reproduction is written to (overwritten by each smaller failing world). */
export const REPRO_DIR = join(tmpdir(), 'bds-oracle-failure');

/**
 * Writes the reproduction of a failing world: the two databases' SQL, the configuration (with
 * `${env:...}` URLs), the world as JSON, the differences and the command's output. fast-check
 * shrinks before it stops, so the last failure written is the smallest world found.
 */
export async function writeReproduction(world: World, spec: unknown, outcome: WorldOutcome): Promise<string> {
  await rm(REPRO_DIR, { recursive: true, force: true });
  await mkdir(REPRO_DIR, { recursive: true });
  await writeFile(join(REPRO_DIR, 'database-a.sql'), databaseASql(world));
  await writeFile(join(REPRO_DIR, 'database-b.sql'), databaseBSql(world));
  await writeFile(join(REPRO_DIR, 'bds.config.yaml'), worldConfig(world, join(REPRO_DIR, 'data')));
  await writeFile(join(REPRO_DIR, 'world.json'), `${JSON.stringify(world, null, 1)}\n`);
  await writeFile(join(REPRO_DIR, 'spec.json'), `${JSON.stringify(spec)}\n`);
  await writeFile(join(REPRO_DIR, 'mismatches.txt'), `${formatMismatches(outcome.mismatches)}\n`);
  await writeFile(join(REPRO_DIR, 'output.txt'), outcome.output);
  await writeFile(
    join(REPRO_DIR, 'README.txt'),
    [
      'Load database-a.sql into a database with the reference schemas (sql/*.sql) and database-b.sql into another,',
      `then, with ${DB_A_ENV}=<url A> ${DB_B_ENV}=<url B> BDS_NOW=${world.now} in the environment:`,
      ...world.batches.map(
        (b) => `  node bin/bds.mjs backfill --from ${b.from} --to ${b.to} --no-transmit --config ${join(REPRO_DIR, 'bds.config.yaml')}`,
      ),
      'and compare data/billing/ with mismatches.txt.',
      '',
    ].join('\n'),
  );
  return REPRO_DIR;
}

/** The message of a failing world: the differences, the exit code, and the world's SQL and configuration. */
export function failureMessage(world: World, outcome: WorldOutcome, reproDir: string): string {
  const lines = formatMismatches(outcome.mismatches).split('\n');
  const table = lines.length > 80 ? [...lines.slice(0, 80), `... ${lines.length - 80} more (see ${reproDir}/mismatches.txt)`] : lines;
  const output = outcome.exitCode === 0 ? '' : `\nexit code ${outcome.exitCode}; output (tail):\n${outcome.output.slice(-3000)}\n`;
  const sql = databaseASql(world);
  const sqlB = databaseBSql(world);
  return [
    `${outcome.mismatches.length} difference(s) between the billing files and the oracle (${outcome.fileCount} CSV files written):`,
    table.join('\n'),
    output,
    `reproduction written to ${reproDir} (SQL, configuration, world.json, output)`,
    `--- configuration ---\n${worldConfig(world, '<dataDir>')}`,
    `--- database A ---\n${sql.length > 20_000 ? `${sql.slice(0, 20_000)}\n... (see ${reproDir}/database-a.sql)` : sql}`,
    sqlB === '' ? '' : `--- database B ---\n${sqlB}`,
  ].join('\n');
}
