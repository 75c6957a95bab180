/**
 * `bds explain` (operation.md, "bds explain"): the options, and the three outputs of an
 * explanation — a headline and an aligned table for a person, `--csv` (one header row, then one
 * row per counted thing) and `--json` (the documented shape) for programs.
 */
import { stringify } from 'csv-stringify/sync';
import type { BdsConfig, TenantConfig } from '../../lib/config/types';
import { ExitCode, UsageError } from '../../lib/errors';
import { BilledValueMismatchError, ExplainRequestError, ExplainStagedDataError } from '../../lib/explain/errors';
import { explainValue, type Explanation } from '../../lib/explain/explain';
import type { Cell } from '../../lib/explain/evidence';
import type { Period } from '../../lib/files/billing-file';
import type { SecretRegistry } from '../../lib/log/redact';
import { table } from '../../lib/text/table';
import { isLocalDate } from '../../lib/time/calendar';

/** The options `bds explain` takes (for node:util parseArgs), besides `--config`. */
export const EXPLAIN_OPTIONS = {
  tenant: { type: 'string' },
  metric: { type: 'string' },
  region: { type: 'string' },
  measure: { type: 'string' },
  date: { type: 'string' },
  month: { type: 'string' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
  names: { type: 'boolean' },
} as const;

/** The parsed options of `bds explain`. */
export interface ExplainArguments {
  readonly tenant?: string;
  readonly metric?: string;
  readonly region?: string;
  readonly measure?: string;
  readonly date?: string;
  readonly month?: string;
  readonly json: boolean;
  readonly csv: boolean;
  readonly names: boolean;
}

/** The period `--date` or `--month` names; both, neither or a malformed one is a usage error. */
export function explainPeriod(args: ExplainArguments): Period {
  if ((args.date === undefined) === (args.month === undefined)) throw new UsageError('explain takes --date YYYY-MM-DD or --month YYYY-MM (one of them)');
  if (args.date !== undefined) {
    if (!isLocalDate(args.date)) throw new UsageError(`--date ${JSON.stringify(args.date)} is not a date; expected YYYY-MM-DD, e.g. 2026-11-14`);
    return { type: 'daily', date: args.date };
  }
  const month = args.month ?? '';
  if (!/^\d{4}-\d{2}$/.test(month) || !isLocalDate(`${month}-01`)) throw new UsageError(`--month ${JSON.stringify(month)} is not a month; expected YYYY-MM, e.g. 2026-11`);
  return { type: 'monthly', month };
}

function cellText(cell: Cell): string {
  return cell === null ? '' : String(cell);
}

/** `--csv`: one header row, then exactly one row per counted thing. */
export function renderExplainCsv(e: Explanation): string {
  return stringify([[...e.columns], ...e.rows.map((r) => r.map(cellText))], { record_delimiter: '\n' });
}

/** `--json`: the explanation with each row as an object keyed by the columns. */
export function renderExplainJson(e: Explanation): string {
  const rows = e.rows.map((r) => Object.fromEntries(e.columns.map((c, i) => [c, r[i] ?? null])));
  return `${JSON.stringify({ ...e, rows }, null, 2)}\n`;
}

function what(e: Explanation): string {
  if (e.metric.startsWith('seats_')) return 'agents';
  if (e.metric === 'voicemail_boxes') return 'mailbox objects';
  return e.metric.includes('asr') || e.metric.includes('tts') ? 'sessions' : 'calls';
}

/** The human output: a short headline, then the rows as an aligned table. */
export function renderExplainText(e: Explanation): string {
  const lines = [`${e.metric} ${e.measure}, tenant ${e.tenant}, region ${e.region}, ${e.period} (${e.timezone}): ${e.value}`];
  const noun = what(e);
  if (e.at !== null) {
    const day = e.periodType === 'monthly' ? `the month's highest day is ${e.at.date}; ` : '';
    lines.push(`${day}first reached at ${e.at.local} (${e.at.utc}); ${e.rows.length} ${noun} active in that second`);
  } else if (e.rule === 'seconds') {
    const seconds = e.rows.reduce((sum, r) => sum + Number(r[e.columns.indexOf('seconds')] ?? 0), 0);
    lines.push(`${e.rows.length} ${noun}, ${seconds} seconds in the day; ${seconds} / 60 rounded up = ${e.value} minutes`);
  } else if (e.rule === 'minutes') {
    lines.push(`the sum of each day's minutes (each day's seconds / 60, rounded up) = ${e.value}`);
  } else {
    lines.push(`${e.rows.length} ${noun} counted`);
  }
  lines.push(
    e.billed === null
      ? 'no billing file for this period (not aggregated yet, or moved away): this is what the staged data gives'
      : `billed ${e.billed.value} in ${e.billed.file}: matches the staged data`,
  );
  if (!e.names && e.columns.includes('resource_key')) lines.push('agent names hidden (personal data): add --names to show them');
  // The peak second is in the headline; repeating it on every row only widens the table.
  const shown = e.columns.map((c, i) => [c, i] as const).filter(([c]) => !c.startsWith('second_'));
  const rows = e.rows.map((r) => shown.map(([c, i]) => (r[i] === null ? (c === 'session_end' || c === 'end' ? 'open' : '-') : (r[i] as string | number))));
  return `${lines.join('\n')}\n${e.rows.length === 0 ? '' : `\n${table(shown.map(([c]) => c), rows)}`}`;
}

/**
 * Runs `bds explain` with parsed options and the loaded configuration; returns the exit code.
 * Missing staged data is the aggregation's exit bit (4), a billing file that no longer matches
 * its staged data is 65, like `bds verify`'s differences.
 */
export async function runExplain(config: BdsConfig, tenant: TenantConfig, secrets: SecretRegistry, args: ExplainArguments): Promise<number> {
  if (args.metric === undefined) throw new UsageError(`--metric KEY is required (tenant ${tenant.id} bills ${tenant.metrics.join(', ')})`);
  if (args.json && args.csv) throw new UsageError('--json and --csv are alternatives: choose one');
  const period = explainPeriod(args);
  let explanation: Explanation;
  try {
    explanation = await explainValue({
      config,
      tenant,
      metric: args.metric,
      period,
      names: args.names,
      ...(args.region === undefined ? {} : { region: args.region }),
      ...(args.measure === undefined ? {} : { measure: args.measure }),
    });
  } catch (error) {
    if (error instanceof ExplainRequestError) throw new UsageError(error.message, { cause: error });
    if (error instanceof ExplainStagedDataError) {
      process.stderr.write(secrets.redact(`bds: ${error.message}`) + '\n');
      return ExitCode.aggregate;
    }
    if (error instanceof BilledValueMismatchError) {
      process.stderr.write(secrets.redact(`bds: ${error.message}`) + '\n');
      return ExitCode.verifyDifferences;
    }
    throw error;
  }
  if (args.csv) process.stdout.write(renderExplainCsv(explanation));
  else if (args.json) process.stdout.write(renderExplainJson(explanation));
  else process.stdout.write(renderExplainText(explanation));
  return ExitCode.ok;
}
