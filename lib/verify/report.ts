/**
 * `bds verify`'s output: a table of differences and a summary per tenant for people, or one JSON
 * document (`--json`, format `bds-verify/1`, README "Verifying the numbers") for machines.
 * The exit code: 0 when every value is equal, 65 when some differ, 1 when a tenant could not be
 * verified (a source unreachable, a query failed) — 1 wins, since then not everything was compared.
 */
import type { BdsConfig, LocalDate } from '../config/types';
import { describeError } from '../errors';
import { ExitCode } from '../errors';
import type { Logger } from '../log/logger';
import type { SecretRegistry } from '../log/redact';
import type { Target } from '../pipeline/targets';
import { table } from '../text/table';
import { VERIFY_DIFFERENCES_EXIT_CODE, verifyTenantDays, type VerifyDifference, type VerifyTenantResult } from './verify';
import type { OpenClient } from './compute';

/** One tenant in the JSON document. */
export interface VerifyJsonTenant {
  readonly tenant: string;
  readonly ok: boolean;
  readonly days: readonly LocalDate[];
  readonly months: readonly string[];
  readonly valuesCompared: number;
  readonly differences: number;
  readonly snapshotMetrics: readonly string[];
  readonly durationMs: number;
  /** Present when the tenant could not be verified. */
  readonly error?: string;
}

/** The `--json` document. Fields are only ever added, never renamed or removed, within `bds-verify/1`. */
export interface VerifyJson {
  readonly format: 'bds-verify/1';
  /** true when every compared value is equal and every tenant could be verified. */
  readonly ok: boolean;
  readonly exitCode: number;
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly valuesCompared: number;
  readonly differences: readonly VerifyDifference[];
  readonly tenants: readonly VerifyJsonTenant[];
}

type Outcome = { readonly tenant: string; readonly result?: VerifyTenantResult; readonly error?: string };

function exitCodeOf(outcomes: readonly Outcome[]): number {
  if (outcomes.some((o) => o.error !== undefined)) return ExitCode.other;
  if (outcomes.some((o) => (o.result?.differences.length ?? 0) > 0)) return VERIFY_DIFFERENCES_EXIT_CODE;
  return ExitCode.ok;
}

function shown(value: number | null): string {
  return value === null ? '-' : String(value);
}

const REASON_TEXT: Record<VerifyDifference['reason'], string> = {
  value: '',
  'missing-file': 'file missing',
  'missing-row': 'no row for the measure',
  unreadable: 'unreadable',
};

/** The human output (not redacted: `runVerify` redacts what it writes). */
export function renderText(outcomes: readonly Outcome[]): string {
  const differences = outcomes.flatMap((o) => o.result?.differences ?? []);
  let out = '';
  if (differences.length > 0) {
    out += table(
      ['tenant', 'region', 'metric', 'period', 'measure', 'file', 'source', 'note'],
      differences.map((d) => [d.tenant, d.region, d.metric, d.period, d.measure, shown(d.fileValue), String(d.sourceValue), [REASON_TEXT[d.reason], d.detail ?? ''].filter((s) => s !== '').join(': ')]),
    );
    out += '\n';
  }
  for (const o of outcomes) {
    if (o.error !== undefined) {
      out += `${o.tenant}: NOT VERIFIED: ${o.error}\n`;
      continue;
    }
    const r = o.result;
    if (r === undefined) continue;
    if (r.days.length === 0) {
      out += `${r.tenant}: nothing to verify (no day on or after the production date)\n`;
      continue;
    }
    const span = r.days.length === 1 ? r.days[0] : `${r.days[0]}..${r.days[r.days.length - 1]} (${r.days.length} days)`;
    const months = r.months.length === 0 ? '' : ` and month${r.months.length > 1 ? 's' : ''} ${r.months.join(', ')}`;
    const verdict = r.differences.length === 0 ? 'all equal' : `${r.differences.length} differ${r.differences.length === 1 ? 's' : ''}`;
    out += `${r.tenant}: ${span}${months}: ${r.values} values compared, ${verdict} (${(r.durationMs / 1000).toFixed(1)} s)\n`;
    const snapshot = r.snapshotMetrics.filter((m) => r.differences.some((d) => d.metric === m));
    if (snapshot.length > 0) {
      out +=
        `${r.tenant}: note: ${snapshot.join(', ')} is counted from the Config DB as it is now (it keeps no history); ` +
        'a file written earlier holds the configuration of its extraction, so a difference there may be a legitimate change\n';
    }
  }
  return out;
}

/** The `--json` document (not redacted: `runVerify` redacts what it writes). */
export function renderJson(outcomes: readonly Outcome[], from: LocalDate, to: LocalDate): VerifyJson {
  const exitCode = exitCodeOf(outcomes);
  return {
    format: 'bds-verify/1',
    ok: exitCode === ExitCode.ok,
    exitCode,
    from,
    to,
    valuesCompared: outcomes.reduce((n, o) => n + (o.result?.values ?? 0), 0),
    differences: outcomes.flatMap((o) => o.result?.differences ?? []),
    tenants: outcomes.map((o) => ({
      tenant: o.tenant,
      ok: o.error === undefined && (o.result?.differences.length ?? 0) === 0,
      days: o.result?.days ?? [],
      months: o.result?.months ?? [],
      valuesCompared: o.result?.values ?? 0,
      differences: o.result?.differences.length ?? 0,
      snapshotMetrics: o.result?.snapshotMetrics ?? [],
      durationMs: o.result?.durationMs ?? 0,
      ...(o.error === undefined ? {} : { error: o.error }),
    })),
  };
}

/**
 * Runs `bds verify` for the targets (tenants one after the other), writes its output and returns
 * the exit code. A tenant that cannot be verified does not stop the others.
 */
export async function runVerify(options: {
  readonly config: BdsConfig;
  readonly targets: readonly Target[];
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly json: boolean;
  readonly log: Logger;
  /** The run's secrets: the output is redacted with them. */
  readonly secrets: SecretRegistry;
  readonly write?: (text: string) => void;
  readonly openClient?: OpenClient;
}): Promise<number> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const outcomes: Outcome[] = [];
  for (const target of options.targets) {
    try {
      const result = await verifyTenantDays({ config: options.config, tenant: target.tenant, dates: target.dates, log: options.log, openClient: options.openClient });
      outcomes.push({ tenant: target.tenant.id, result });
    } catch (error) {
      options.log.error('verification failed', { tenant: target.tenant.id, stage: 'verify', error });
      outcomes.push({ tenant: target.tenant.id, error: describeError(error) });
    }
  }
  const { secrets } = options;
  if (options.json) write(secrets.redact(JSON.stringify(renderJson(outcomes, options.from, options.to), null, 2)) + '\n');
  else write(secrets.redact(renderText(outcomes)));
  return exitCodeOf(outcomes);
}
