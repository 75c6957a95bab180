/**
 * What monitoring reads: `state/last-run.json` (the last run's command, times, exit code and
 * failures, for `bds status`) and `state/bds.prom`, the same in the Prometheus node-exporter
 * textfile format (point the collector's directory at `state/`, or link the file).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomic';

export interface RunRecord {
  readonly command: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly exitCode: number;
  readonly daysProcessed: number;
  readonly daysFailed: number;
  readonly failures: readonly { readonly tenant: string; readonly date: string; readonly stage: string; readonly error: string }[];
}

/** `state/last-run.json`, or `state/last-run.<tenant>.json` for a fan-out worker's run. */
export function lastRunPath(dataDir: string, tenant?: string): string {
  return join(dataDir, 'state', tenant === undefined ? 'last-run.json' : `last-run.${tenant}.json`);
}

/** `state/bds.prom`, or `state/bds.<tenant>.prom` (the textfile collector reads every `*.prom`). */
export function prometheusPath(dataDir: string, tenant?: string): string {
  return join(dataDir, 'state', tenant === undefined ? 'bds.prom' : `bds.${tenant}.prom`);
}

/** Renders the run as Prometheus text exposition (gauges), labelled with the tenant for a worker's run. */
export function prometheusText(record: RunRecord, tenant?: string): string {
  const labels = tenant === undefined ? '' : `{tenant="${tenant}"}`;
  const gauge = (name: string, help: string, value: number): string =>
    `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name}${labels} ${value}\n`;
  return (
    gauge('bds_last_run_start_timestamp_seconds', 'When the last bds run started (Unix time).', Date.parse(record.startedAt) / 1000) +
    gauge('bds_last_run_end_timestamp_seconds', 'When the last bds run ended (Unix time).', Date.parse(record.endedAt) / 1000) +
    gauge('bds_last_run_exit_code', 'Exit code of the last bds run (0 = everything done).', record.exitCode) +
    gauge('bds_last_run_days_processed', 'Tenant-days the last run processed.', record.daysProcessed) +
    gauge('bds_last_run_days_failed', 'Tenant-days that failed in the last run.', record.daysFailed)
  );
}

/** Writes both files atomically. */
export async function writeRunRecord(dataDir: string, record: RunRecord, tenant?: string): Promise<void> {
  await writeFileAtomic(lastRunPath(dataDir, tenant), JSON.stringify(record, null, 2) + '\n');
  await writeFileAtomic(prometheusPath(dataDir, tenant), prometheusText(record, tenant));
}

/** The last run's record, if any. */
export async function readRunRecord(dataDir: string, tenant?: string): Promise<RunRecord | undefined> {
  try {
    return JSON.parse(await readFile(lastRunPath(dataDir, tenant), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}
