/**
 * Invoice detail files (`detail` in a tenant's configuration): next to each billing file,
 * `<file>.detail.csv` lists what each of its values counted — the agents at the peak second
 * (concurrent), the counted agents (enabled), the calls at the peak second (peak), every call
 * with its seconds (minutes), the mailbox objects (count) — with a `measure` column, so the rows
 * of a measure are as many as its value (for minutes: as the rule of {@link ValueRule} says).
 * The rows come from the same evidence as `bds explain` and are a pure function of the staged
 * data: a re-run writes the same bytes.
 */
import { stringify } from 'csv-stringify/sync';
import type { DetailBuilder, DetailFile } from '../aggregate/aggregate-period';
import type { Measure } from '../metrics/catalogue';
import { GLOBAL_REGION } from '../files/period-writer';
import { ExplainInconsistencyError } from './errors';
import { computeEvidence, evidenceKey, type Cell, type Evidence } from './evidence';

/** The detail file of one billing file: its measures' evidence under one header. */
export function renderDetail(evidence: readonly Evidence[]): DetailFile {
  const columns: string[] = ['measure'];
  for (const e of evidence) for (const c of e.columns) if (!columns.includes(c)) columns.push(c);
  const rows: Cell[][] = [];
  for (const e of evidence) {
    for (const row of e.rows) {
      const cells: Cell[] = new Array<Cell>(columns.length).fill(null);
      cells[0] = e.measure;
      e.columns.forEach((c, i) => (cells[columns.indexOf(c)] = row[i] ?? null));
      rows.push(cells);
    }
  }
  const csv = stringify([columns, ...rows.map((r) => r.map((c) => (c === null ? '' : String(c))))], { record_delimiter: '\n' });
  return { csv, rows: rows.length };
}

/**
 * Builds the detail files of a period for aggregation: one per billing file, keyed
 * `metric|region`. Each measure's evidence must give the value aggregation computed; anything
 * else would be a detail that contradicts its invoice, so it fails the aggregation.
 */
export const buildDetailFiles: DetailBuilder = async ({ config, tenant, period, metrics, values }) => {
  const wanted = metrics.flatMap((m) => m.measures.filter((x) => period.type === 'daily' || x.rollup !== 'none').map((x) => x.measure));
  const evidence = await computeEvidence({
    config,
    tenant,
    period,
    metrics,
    measures: new Set<Measure>(wanted),
    names: tenant.detail?.names === true,
  });
  const files = new Map<string, DetailFile>();
  for (const metric of metrics) {
    const measures = metric.measures.filter((x) => period.type === 'daily' || x.rollup !== 'none').map((x) => x.measure);
    if (measures.length === 0) continue;
    const regions = metric.scope === 'global' ? [GLOBAL_REGION] : tenant.regions.map((r) => r.code);
    for (const region of regions) {
      const parts = measures.map((measure) => {
        const e = evidence.get(evidenceKey(metric.key, region, measure));
        const billed = values.find((v) => v.metric === metric.key && v.region === region && v.measure === measure)?.value;
        if (e === undefined || e.value !== billed) {
          throw new ExplainInconsistencyError(
            `the detail of ${metric.key} ${measure} in ${region} gives ${String(e?.value)} where aggregation computed ${String(billed)}; please report this`,
          );
        }
        return e;
      });
      files.set(`${metric.key}|${region}`, renderDetail(parts));
    }
  }
  return files;
};
