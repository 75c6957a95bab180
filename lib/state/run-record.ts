/**
 * What monitoring reads about runs. Each run leaves a record: its command, times, exit code and
 * failures, for `bds status`, and the same as Prometheus gauges for the node-exporter textfile
 * collector (point its directory at `state/`, or link the files).
 *
 * Runs started by a schedule and runs started by hand are recorded apart: a manual `bds run`
 * after a failed scheduled firing must not hide the failure.
 *
 * - `state/last-scheduled-run.json`: the last run started by a scheduled event (the scheduler
 *   harness, serverless-offline's schedule, EventBridge), including a firing whose handler
 *   failed before it could run any day;
 * - `state/last-run.json`: the last run started by a command or an ad hoc event;
 * - `state/bds.prom`: both, as `bds_last_run_*{trigger="scheduled"|"manual"}`.
 *
 * A fan-out worker's run writes `last-scheduled-run.<tenant>.json` / `last-run.<tenant>.json`
 * and `bds.<tenant>.prom` instead (labelled with its tenant), so workers never write one file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic, type FileModes } from '../files/atomic';
import { parseFormatOrThrow } from '../files/disk-format';
import { DiskFormatError } from '../files/errors';
import { renderGauges, type GaugeFamily } from './prometheus';

export const RUN_TRIGGERS = ['scheduled', 'manual'] as const;

/** What started a run. */
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

const recordTime = z.string().refine((t) => !Number.isNaN(Date.parse(t)), { error: 'expected an ISO 8601 time' });
const count = z.number().int().min(0);

/** The format of `state/last-run.json`, `state/last-scheduled-run.json` (and a worker's `.<tenant>` ones). */
export const runRecordSchema = z.strictObject({
  command: z.string(),
  /** Absent in records written before runs were told apart: those were manual or scheduled alike. */
  trigger: z.enum(RUN_TRIGGERS).optional(),
  startedAt: recordTime,
  endedAt: recordTime,
  exitCode: count,
  daysProcessed: count,
  daysFailed: count,
  failures: z.array(z.strictObject({ tenant: z.string(), date: z.string(), stage: z.string(), error: z.string() })).readonly(),
  /** Why the run did no day at all: its invocation failed (a bad event, configuration, a held lock). */
  error: z.string().optional(),
});
export type RunRecord = Readonly<z.infer<typeof runRecordSchema>>;

/** The record file of a trigger, or of a fan-out worker's tenant. */
export function lastRunPath(dataDir: string, trigger: RunTrigger, tenant?: string): string {
  const base = trigger === 'scheduled' ? 'last-scheduled-run' : 'last-run';
  return join(dataDir, 'state', tenant === undefined ? `${base}.json` : `${base}.${tenant}.json`);
}

/** `state/bds.prom`, or `state/bds.<tenant>.prom` for a worker's runs (the textfile collector reads every `*.prom`). */
export function prometheusPath(dataDir: string, tenant?: string): string {
  return join(dataDir, 'state', tenant === undefined ? 'bds.prom' : `bds.${tenant}.prom`);
}

/** Renders the records (one per trigger that has one) as gauges labelled with their trigger, and the worker's tenant. */
export function prometheusText(records: Partial<Record<RunTrigger, RunRecord>>, tenant?: string): string {
  const present = RUN_TRIGGERS.flatMap((trigger) => {
    const record = records[trigger];
    return record === undefined ? [] : [{ trigger, record }];
  });
  const family = (name: string, help: string, value: (r: RunRecord) => number): GaugeFamily => ({
    name,
    help,
    samples: present.map(({ trigger, record }) => ({ labels: { ...(tenant === undefined ? {} : { tenant }), trigger }, value: value(record) })),
  });
  return renderGauges([
    family('bds_last_run_start_timestamp_seconds', 'When the last bds run of this trigger started (Unix time).', (r) => Date.parse(r.startedAt) / 1000),
    family('bds_last_run_end_timestamp_seconds', 'When the last bds run of this trigger ended (Unix time).', (r) => Date.parse(r.endedAt) / 1000),
    family('bds_last_run_exit_code', 'Exit code of the last bds run of this trigger (0 = everything done).', (r) => r.exitCode),
    family('bds_last_run_days_processed', 'Tenant-days the last run of this trigger processed.', (r) => r.daysProcessed),
    family('bds_last_run_days_failed', 'Tenant-days that failed in the last run of this trigger.', (r) => r.daysFailed),
  ]);
}

/**
 * The last record of a trigger; undefined when there is none (or it cannot be read).
 *
 * @throws DiskFormatError when the file is not a run record, naming the field.
 */
export async function readRunRecord(dataDir: string, trigger: RunTrigger, tenant?: string): Promise<RunRecord | undefined> {
  const path = lastRunPath(dataDir, trigger, tenant);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  return parseFormatOrThrow(runRecordSchema, text, path, 'delete it (the next run of that kind writes it again)');
}

/**
 * Writes the record of a run (its `trigger` says which file) and the Prometheus file, which
 * also carries the other trigger's last record. Both are replaced atomically.
 */
export async function writeRunRecord(
  dataDir: string,
  record: RunRecord & { readonly trigger: RunTrigger },
  modes: FileModes,
  tenant?: string,
): Promise<void> {
  await writeFileAtomic(lastRunPath(dataDir, record.trigger, tenant), JSON.stringify(record, null, 2) + '\n', modes);
  const records: Partial<Record<RunTrigger, RunRecord>> = { [record.trigger]: record };
  for (const other of RUN_TRIGGERS) if (other !== record.trigger) {
    // A damaged record of the other trigger must not cost this run its own record: it is left
    // out of the gauges, and `bds status` names it.
    const kept = await readRunRecord(dataDir, other, tenant).catch((error: unknown) => {
      if (error instanceof DiskFormatError) return undefined;
      throw error;
    });
    if (kept !== undefined) records[other] = kept;
  }
  await writeFileAtomic(prometheusPath(dataDir, tenant), prometheusText(records, tenant), modes);
}
