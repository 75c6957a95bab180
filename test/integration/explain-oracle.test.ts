/**
 * `bds explain` against the independent oracle: on random worlds (test/oracle), after the real
 * `bds backfill`, every value of every daily and monthly file is explained, and the explanation's
 * CSV must add up to the value the oracle expects (and the file bills): one row per counted
 * thing, or for minutes the rule of billing-rules.md (a day's seconds / 60 rounded up; a month's
 * days' minutes summed). Every value goes through `explainValue` and the CLI's CSV renderer in
 * this process; some values of each world (one per metric family and period type) go through
 * the real command line as a child process too.
 *
 *   BDS_EXPLAIN_ORACLE_RUNS=20   more worlds (default 4)
 *   BDS_ORACLE_SEED=123          another base seed
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runBds } from '../helpers/cli';
import { buildWorld } from '../oracle/build-world';
import { worldSpec } from '../oracle/world-spec';
import { parseCsv } from '../oracle/billing-reader';
import { runWorld, type WorldRun } from '../oracle/run-world';
import { loadConfig } from '../../lib/config/load';
import { explainValue } from '../../lib/explain/explain';
import { renderExplainCsv } from '../../app/cli/explain';
import type { Period } from '../../lib/files/billing-file';

const RUNS = Number(process.env.BDS_EXPLAIN_ORACLE_RUNS ?? 4);
const SEED = Number(process.env.BDS_ORACLE_SEED ?? 20_261_125) + 1;

/** What the rows of an explanation's CSV add up to, by the billing rules, whatever the oracle says. */
function total(csv: string, measure: string, periodType: string): number {
  const [header = [], ...rows] = parseCsv(csv);
  if (measure !== 'minutes') return rows.length;
  if (periodType === 'daily') {
    const i = header.indexOf('seconds');
    return Math.ceil(rows.reduce((sum, r) => sum + Number(r[i]), 0) / 60);
  }
  const i = header.indexOf('minutes');
  return rows.reduce((sum, r) => sum + Number(r[i]), 0);
}

interface Checked {
  values: number;
  nonZero: number;
  cli: number;
}

async function checkWorld(run: WorldRun, checked: Checked): Promise<string[]> {
  const { config } = loadConfig({ path: run.configPath, env: run.env });
  const problems: string[] = [];
  const viaCli = new Set<string>();
  for (const file of run.expected) {
    const tenant = config.tenants.find((t) => t.id === file.tenant);
    if (tenant === undefined) throw new Error(`no tenant ${file.tenant}`);
    const period: Period = file.periodType === 'daily' ? { type: 'daily', date: file.period } : { type: 'monthly', month: file.period };
    for (const [measure, value] of file.values) {
      const explanation = await explainValue({ config, tenant, metric: file.metric, region: file.region, measure, period, names: true });
      const csv = renderExplainCsv(explanation);
      const sum = total(csv, measure, file.periodType);
      checked.values += 1;
      if (value > 0) checked.nonZero += 1;
      const label = `${file.tenant} ${file.region} ${file.metric} ${measure} ${file.period}`;
      if (sum !== value || explanation.value !== value || explanation.billed?.value !== value) {
        problems.push(`${label}: oracle ${value}, explain rows add up to ${sum}, explain value ${explanation.value}, billed ${String(explanation.billed?.value)}`);
      }
      // The real command line for the first non-zero value of each family, measure and period type.
      const family = `${file.metric.split('_')[0] ?? ''}|${measure}|${file.periodType}`;
      if (value > 0 && !viaCli.has(family)) {
        viaCli.add(family);
        const flag = file.periodType === 'daily' ? '--date' : '--month';
        const result = await runBds(
          ['explain', '--tenant', file.tenant, '--metric', file.metric, '--region', file.region, '--measure', measure, flag, file.period, '--csv', '--names'],
          { env: run.env },
        );
        checked.cli += 1;
        if (result.code !== 0) problems.push(`${label}: bds explain exited ${String(result.code)}: ${result.stderr}`);
        else if (result.stdout !== csv) problems.push(`${label}: the CLI's CSV differs from the in-process one`);
        else if (total(result.stdout, measure, file.periodType) !== value) problems.push(`${label}: CLI rows do not add up to ${value}`);
      }
    }
  }
  return problems;
}

describe('bds explain against the oracle', () => {
  let a: TestDatabase | undefined;
  let b: TestDatabase | undefined;
  beforeAll(async () => {
    a = await createTestDatabase();
    b = await createTestDatabase();
  }, 180_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
  }, 180_000);

  it(
    `explains every billed value of ${RUNS} random worlds with rows that add up to it (seed ${SEED})`,
    async () => {
      const checked: Checked = { values: 0, nonZero: 0, cli: 0 };
      let worlds = 0;
      await fc.assert(
        fc.asyncProperty(worldSpec, async (spec) => {
          const world = buildWorld(spec);
          let problems: string[] = [];
          if (a === undefined || b === undefined) throw new Error('no test databases');
          const outcome = await runWorld(world, { a, b }, async (run) => {
            problems = await checkWorld(run, checked);
          });
          // The pipeline itself must agree with the oracle first (oracle.test.ts says where not).
          expect(outcome.mismatches, outcome.output).toEqual([]);
          expect(outcome.exitCode, outcome.output).toBe(0);
          expect(problems).toEqual([]);
          worlds += 1;
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      console.log(`explain oracle: ${worlds} world(s), ${checked.values} values explained (${checked.nonZero} above 0), ${checked.cli} through the CLI`);
      expect(worlds).toBe(RUNS);
      // The worlds must have had something to explain, or the test proves nothing.
      expect(checked.nonZero).toBeGreaterThan(RUNS);
      expect(checked.cli).toBeGreaterThan(0);
    },
    RUNS * 120_000 + 120_000,
  );
});
