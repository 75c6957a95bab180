/**
 * The `bds` command line (operation.md, "CLI"). Each command parses its own options strictly:
 * an unknown option or a malformed value is a usage error (exit 64) that says what is expected.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../../lib/config/errors';
import type { BdsConfig, LocalDate, TenantConfig } from '../../lib/config/types';
import { BdsError, ExitCode, UsageError, describeError } from '../../lib/errors';
import { createLogger } from '../../lib/log/logger';
import { SecretRegistry } from '../../lib/log/redact';
import { RequestError } from '../../lib/pipeline/errors';
import type { BdsHandler, HandlerCatalogue } from '../../lib/pipeline/handler';
import { runDays, type RunSummary } from '../../lib/pipeline/run-days';
import { catchUpTargets } from '../../lib/pipeline/catch-up';
import { LockHeldError } from '../../lib/state/errors';
import { acquireLock } from '../../lib/state/lock';
import type { RunRecord } from '../../lib/state/run-record';
import { STAGES, nextDay, readWatermarks, setWatermark, type StageName } from '../../lib/state/watermarks';
import { selectTenants, targetsFor, type Target } from '../../lib/pipeline/targets';
import { bdsVersion } from '../../lib/version';
import { compareDates, isLocalDate, lastEndedDay } from '../../lib/time/calendar';
import { table } from '../../lib/text/table';
import { loadRuntime, type LoadedRuntime } from '../../lib/runtime/runtime';
import type { Clock } from '../../lib/time/clock';
import { InvalidClockError } from '../../lib/time/errors';

const USAGE = `usage: bds <command> [options]

commands:
  run --date YYYY-MM-DD [--tenant ID] [--no-transmit]   the whole pipeline for one day
  backfill --from YYYY-MM-DD --to YYYY-MM-DD [--tenant ID] [--no-transmit]
                                                        the same for a range, oldest first
  catch-up [--tenant ID] [--no-transmit]                from the watermarks to the last ended day
  status [--json]                                       watermarks, deliveries, last run
  watermark --tenant ID --stage extract|aggregate|transmit --set YYYY-MM-DD
                                                        move a watermark (e.g. back, to re-process)
  check                                                 validate the configuration, try every connection
  verify (--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD) [--tenant ID] [--json]
                                                        recompute the days' values in the sources and compare with the files
  explain --tenant ID --metric KEY [--region CODE] [--measure M] (--date YYYY-MM-DD | --month YYYY-MM)
          [--json | --csv] [--names]                    who and what made a billed number, from the staged data
  scheduler [--serverless FILE]                         the long-running local scheduler (npm start)
  invoke <function> --event FILE                        run one handler with an event file
  demo [--dir DIR]                                      a month of generated activity, end to end
  seed --url URL [--scale 1.0] [--seed N] [--month YYYY-MM] [--reset] [--write-config FILE]
                                                        fill a PostgreSQL database with a generated month (docs/benchmark.md)
  help | version

options for every command:
  --config FILE   the configuration (default: $BDS_CONFIG, else ./bds.config.yaml)
`;

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * What every command runs with: the program's secrets (its error output and logs are redacted
 * with them, also when a command fails half-way) and where its runtime comes from.
 */
interface Program {
  readonly secrets: SecretRegistry;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock | undefined;
}

/** The configuration `--config` names (else BDS_CONFIG, else ./bds.config.yaml) and the command's runtime. */
function load(program: Program, values: Values): LoadedRuntime {
  return loadRuntime(str(values, 'config'), { env: program.env, secrets: program.secrets, ...(program.clock === undefined ? {} : { clock: program.clock }) });
}

/** A logger redacting with the program's secrets. */
function logger(program: Program): ReturnType<typeof createLogger> {
  return createLogger({ secrets: program.secrets });
}

function parse(args: readonly string[], options: ParseArgsConfig['options'], allowPositionals = false): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: [...args], options: { config: { type: 'string' }, ...options }, strict: true, allowPositionals });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(describeError(error).replace(/\. To specify a positional argument.*$/, ''), { cause: error });
  }
}

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function requireDate(values: Values, name: string): string {
  const v = str(values, name);
  if (v === undefined) throw new UsageError(`--${name} is required (YYYY-MM-DD)`);
  if (!isLocalDate(v)) throw new UsageError(`--${name} ${JSON.stringify(v)} is not a date; expected YYYY-MM-DD, e.g. 2026-11-25`);
  return v;
}

/**
 * The configuration and the (tenant, days) targets of `--date D` (or `--from D --to D` when
 * `range`) and `--tenant`: a day that has not ended, or an unknown tenant, is a usage error
 * naming the option.
 */
function dayTargets(program: Program, values: Values, range: boolean): LoadedRuntime & { targets: Target[]; from: LocalDate; to: LocalDate } {
  const from = requireDate(values, range ? 'from' : 'date');
  const to = range ? requireDate(values, 'to') : from;
  const { config, runtime } = load(program, values);
  try {
    const targets = targetsFor(config, { tenant: str(values, 'tenant'), from, to }, runtime.clock.nowSeconds(), {
      tenant: '--tenant',
      from: range ? '--from' : '--date',
      to: range ? '--to' : '--date',
    });
    return { config, runtime, targets, from, to };
  } catch (error) {
    if (error instanceof RequestError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/** The tenant `--tenant` names; an unknown one is a usage error listing the configured ones. */
function requireTenant(config: BdsConfig, tenantId: string): TenantConfig {
  try {
    return selectTenants(config, tenantId, '--tenant')[0] as TenantConfig;
  } catch (error) {
    if (error instanceof RequestError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

function printSummary(summary: RunSummary, secrets: SecretRegistry): void {
  const redact = (text: string): string => secrets.redact(text);
  const rows = summary.days.map((d) => [d.tenant, d.date, d.ok ? 'ok' : `FAILED (${d.failedStage ?? 'other'})`, d.rows, d.files]);
  if (rows.length > 0) process.stdout.write(table(['tenant', 'day', 'result', 'rows', 'files'], rows));
  for (const d of summary.days) if (!d.ok) process.stdout.write(redact(`${d.tenant} ${d.date}: ${d.error ?? ''}`) + '\n');
  for (const s of summary.skipped) process.stdout.write(`${s.tenant} ${s.date}: not attempted (an earlier day failed)\n`);
  for (const t of summary.transmissions) {
    if (t.delivered > 0 || !t.ok || t.missing > 0) {
      process.stdout.write(
        redact(`${t.tenant}: ${t.delivered} delivered${t.ok ? '' : `, ${t.failed} FAILED (kept, retried next run)${t.error === undefined ? '' : `: ${t.error}`}`}${t.missing > 0 ? `, ${t.missing} missing from the folder` : ''}`) + '\n',
      );
    }
  }
  if (summary.days.length === 0) process.stdout.write('nothing to do\n');
}

async function commandRun(program: Program, args: readonly string[], range: boolean): Promise<number> {
  const { values } = parse(args, {
    date: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    tenant: { type: 'string' },
    'no-transmit': { type: 'boolean' },
  });
  if (range && values.date !== undefined) throw new UsageError('backfill takes --from and --to, not --date');
  if (!range && (values.from !== undefined || values.to !== undefined)) throw new UsageError('run takes --date; use `bds backfill --from --to` for a range');
  const { config, runtime, targets } = dayTargets(program, values, range);
  const summary = await runDays({
    config,
    runtime,
    targets,
    log: logger(program),
    stages: { extract: true, aggregate: true, transmit: values['no-transmit'] !== true },
    command: `bds ${range ? 'backfill' : 'run'} ${args.join(' ')}`,
  });
  printSummary(summary, program.secrets);
  return summary.exitCode;
}

async function commandCatchUp(program: Program, args: readonly string[]): Promise<number> {
  const { values } = parse(args, { tenant: { type: 'string' }, 'no-transmit': { type: 'boolean' } });
  const { config, runtime } = load(program, values);
  let targets;
  try {
    targets = await catchUpTargets(config, runtime.clock.nowSeconds(), str(values, 'tenant'));
  } catch (error) {
    if (error instanceof RequestError) throw new UsageError(`--${error.message}`, { cause: error });
    throw error;
  }
  const summary = await runDays({
    config,
    runtime,
    targets,
    log: logger(program),
    stages: { extract: true, aggregate: true, transmit: values['no-transmit'] !== true },
    command: `bds catch-up ${args.join(' ')}`.trim(),
  });
  printSummary(summary, program.secrets);
  return summary.exitCode;
}

async function commandWatermark(program: Program, args: readonly string[]): Promise<number> {
  const { values } = parse(args, { tenant: { type: 'string' }, stage: { type: 'string' }, set: { type: 'string' } });
  const tenantId = str(values, 'tenant');
  const stage = str(values, 'stage');
  if (tenantId === undefined) throw new UsageError('--tenant ID is required');
  if (stage === undefined || !(STAGES as readonly string[]).includes(stage)) {
    throw new UsageError(`--stage must be one of ${STAGES.join(', ')}`);
  }
  const date = requireDate(values, 'set');
  const { config, runtime } = load(program, values);
  const tenant = requireTenant(config, tenantId);
  // A watermark past the last ended day would make catch-up skip the days in between forever.
  const latest = lastEndedDay(runtime.clock.nowSeconds(), tenant.timezone, config.processingDelaySeconds);
  if (compareDates(date, latest) > 0) {
    throw new UsageError(`--set ${date} is after the last day that has ended for tenant ${tenant.id} (${latest}, in ${tenant.timezone} plus the processing delay); a watermark says what was done`);
  }
  const lock = await acquireLock(config.dataDir, `bds watermark ${args.join(' ')}`, runtime.fileModes);
  try {
    const current = (await readWatermarks(config.dataDir))[tenant.id] ?? {};
    // The stages run in order: a stage moved back is re-done from there, and so is every later
    // stage (they consumed its output), so they are moved back with it.
    const later = STAGES.slice(STAGES.indexOf(stage as StageName));
    for (const s of later) {
      const before = current[s];
      const after = s === stage || before === undefined || compareDates(before, date) > 0 ? date : before;
      if (s !== stage && after === before) continue;
      await setWatermark(config.dataDir, tenant.id, s, after, runtime.fileModes);
      process.stdout.write(`${tenant.id} ${s}: ${before ?? '(none)'} -> ${after}\n`);
    }
    const restart = nextDay(tenant, (await readWatermarks(config.dataDir))[tenant.id]?.aggregate);
    process.stdout.write(`the next catch-up processes ${tenant.id} from ${restart} (extract, aggregate, transmit)\n`);
  } finally {
    await lock.release();
  }
  return ExitCode.ok;
}

async function commandStatus(program: Program, args: readonly string[]): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean' } });
  const { config, runtime } = load(program, values);
  const redact = (text: string): string => runtime.secrets.redact(text);
  // Loaded with its command: delivery status reads through the transmission modules (S3 SDK).
  const { collectStatus } = await import('../../lib/pipeline/status');
  const status = await collectStatus(config, runtime.clock.nowSeconds());
  if (values.json === true) {
    process.stdout.write(redact(JSON.stringify(status, null, 2)) + '\n');
    return ExitCode.ok;
  }
  process.stdout.write(
    table(
      ['tenant', 'extract', 'aggregate', 'transmit', 'due up to', 'days due'],
      status.tenants.map((t) => [t.tenant, t.watermarks.extract ?? '-', t.watermarks.aggregate ?? '-', t.watermarks.transmit ?? '-', t.lastEndedDay, t.daysDue]),
    ),
  );
  const deliveries = status.tenants.flatMap((t) => t.destinations.map((d) => [t.tenant, d.destination, d.delivered, d.pending, d.lastDeliveredAt ?? '-']));
  if (deliveries.length > 0) process.stdout.write('\n' + table(['tenant', 'destination', 'delivered', 'pending', 'last delivery'], deliveries));
  else process.stdout.write('\nno destination configured: files stay in the local folder\n');
  // Apart, so that a manual run after a failed scheduled firing does not hide it.
  const runs: [string, RunRecord | undefined][] = [
    ['last scheduled run', status.lastScheduledRun],
    ['last manual run', status.lastRun],
  ];
  process.stdout.write('\n');
  for (const [label, last] of runs) {
    process.stdout.write(
      last === undefined
        ? `${label}: none recorded\n`
        : redact(`${label}: ${last.command}, ${last.startedAt} → ${last.endedAt}, exit ${last.exitCode}, ${last.daysProcessed} day(s), ${last.daysFailed} failed${last.error === undefined ? '' : `; failed: ${last.error}`}`) + '\n',
    );
    for (const f of last?.failures ?? []) process.stdout.write(redact(`  ${f.tenant} ${f.date} ${f.stage}: ${f.error}`) + '\n');
  }
  const problems = status.tenants.flatMap((t) => t.problems.map((p) => `  ${t.tenant}: ${p}`));
  if (problems.length > 0) process.stdout.write(`\nproblems:\n${redact(problems.join('\n'))}\n`);
  const warnings = status.tenants.flatMap((t) => t.warnings.map((w) => `  ${t.tenant}: ${w}`));
  if (warnings.length > 0) process.stdout.write(`\nsource warnings:\n${redact(warnings.join('\n'))}\n`);
  return ExitCode.ok;
}

async function commandCheck(program: Program, args: readonly string[]): Promise<number> {
  const { values } = parse(args, {});
  const { config, runtime } = load(program, values);
  const redact = (text: string): string => runtime.secrets.redact(text);
  process.stdout.write(`configuration ${config.configPath}: ok\n`);
  const { checkConnections } = await import('./check');
  const results = await checkConnections(config, runtime.fileModes);
  process.stdout.write(table(['kind', 'name', 'result'], results.map((r) => [r.kind, r.name, r.ok ? 'ok' : `FAILED: ${r.detail}`])).split('\n').map(redact).join('\n'));
  for (const warning of results.flatMap((r) => (r.warning === undefined ? [] : [r.warning]))) process.stdout.write(`warning: ${warning}\n`);
  let code = 0;
  if (results.some((r) => !r.ok && r.kind === 'source')) code |= ExitCode.extract;
  if (results.some((r) => !r.ok && r.kind === 'destination')) code |= ExitCode.transmit;
  return code;
}

async function commandVerify(program: Program, args: readonly string[]): Promise<number> {
  const { values } = parse(args, {
    date: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    tenant: { type: 'string' },
    json: { type: 'boolean' },
  });
  const range = values.date === undefined;
  if (!range && (values.from !== undefined || values.to !== undefined)) throw new UsageError('verify takes --date, or --from and --to, not both');
  if (range && values.from === undefined && values.to === undefined) throw new UsageError('verify needs --date YYYY-MM-DD, or --from YYYY-MM-DD --to YYYY-MM-DD');
  const { config, runtime, targets, from, to } = dayTargets(program, values, range);
  // Loaded with its command, like the other optional ones.
  const { runVerify } = await import('../../lib/verify/report');
  return runVerify({ config, targets, from, to, json: values.json === true, log: logger(program), secrets: runtime.secrets });
}

async function commandExplain(program: Program, args: readonly string[]): Promise<number> {
  // Loaded with its command, like the other optional ones.
  const { EXPLAIN_OPTIONS, runExplain } = await import('./explain');
  const { values } = parse(args, EXPLAIN_OPTIONS);
  const tenantId = str(values, 'tenant');
  if (tenantId === undefined) throw new UsageError('--tenant ID is required');
  const { config, runtime } = load(program, values);
  return runExplain(config, requireTenant(config, tenantId), runtime.secrets, {
    tenant: tenantId,
    metric: str(values, 'metric'),
    region: str(values, 'region'),
    measure: str(values, 'measure'),
    date: str(values, 'date'),
    month: str(values, 'month'),
    json: values.json === true,
    csv: values.csv === true,
    names: values.names === true,
  });
}

async function commandInvoke(program: Program, args: readonly string[], handlers: HandlerCatalogue): Promise<number> {
  const { values, positionals } = parse(args, { event: { type: 'string' } }, true);
  const [name, ...extra] = positionals;
  const names = handlers.names.join(', ');
  if (name === undefined || extra.length > 0) throw new UsageError(`invoke takes one function name: ${names}`);
  // Only the one handler asked for is loaded, so that a command loads what it uses.
  const handler = await handlers.load(name);
  if (handler === undefined) throw new UsageError(`unknown function "${name}"; functions: ${names}`);
  const file = str(values, 'event');
  if (file === undefined) throw new UsageError('--event FILE is required (a JSON event, see events/)');
  let event: unknown;
  try {
    event = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--event ${file}: cannot read a JSON event: ${describeError(error)}`, { cause: error });
  }
  const configPath = str(values, 'config');
  if (configPath !== undefined) process.env.BDS_CONFIG = configPath;
  // The handler loads the configuration with a registry of its own; loading the file here too
  // registers its secrets with the program's, which redacts what is printed (the answer, or the
  // error). A file the handler could not load is the handler's to report.
  const registerSecrets = (): void => {
    try {
      load(program, values);
    } catch {
      // Reported by the handler already.
    }
  };
  let result;
  try {
    result = await handler(event, { functionName: name, awsRequestId: `local-${Date.now()}` });
  } catch (error) {
    registerSecrets();
    if (error instanceof RequestError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
  registerSecrets();
  process.stdout.write(program.secrets.redact(JSON.stringify(result, null, 2)) + '\n');
  return result.exitCode;
}

async function commandDemo(args: readonly string[]): Promise<number> {
  const { values } = parse(args, { dir: { type: 'string' }, month: { type: 'string' } });
  const { runDemo } = await import('../../tools/demo/demo');
  return runDemo({ dir: str(values, 'dir') ?? 'bds-demo', month: str(values, 'month') });
}

async function commandSeed(args: readonly string[]): Promise<number> {
  const { values } = parse(args, {
    url: { type: 'string' },
    scale: { type: 'string' },
    seed: { type: 'string' },
    month: { type: 'string' },
    reset: { type: 'boolean' },
    'demo-tenants': { type: 'boolean' },
    'write-config': { type: 'string' },
  });
  // Imported here so that the generator loads only for `seed`.
  const { runSeedCommand } = await import('../../tools/seed/seed');
  return runSeedCommand({
    url: str(values, 'url'),
    scale: str(values, 'scale'),
    seed: str(values, 'seed'),
    month: str(values, 'month'),
    reset: values.reset === true,
    demoTenants: values['demo-tenants'] === true,
    writeConfig: str(values, 'write-config'),
  });
}

async function commandScheduler(program: Program, args: readonly string[], catalogue: HandlerCatalogue): Promise<number> {
  const { values } = parse(args, { serverless: { type: 'string' } });
  // Imported here so that the scheduler (and through it every handler) loads only for `scheduler`.
  const { runScheduler } = await import('../scheduler/scheduler');
  const { SchedulerConfigError } = await import('../scheduler/errors');
  const { packageRoot } = await import('../../lib/package-root');
  const path = await import('node:path');
  // The scheduler may fire any function: it gets them all, loaded once.
  const handlers: Record<string, BdsHandler> = {};
  for (const name of catalogue.names) {
    const handler = await catalogue.load(name);
    if (handler !== undefined) handlers[name] = handler;
  }
  try {
    return await runScheduler({
      handlers,
      configPath: str(values, 'config'),
      serverlessFile: str(values, 'serverless') ?? path.join(packageRoot(), 'serverless.yml'),
      log: logger(program),
      secrets: program.secrets,
      env: program.env,
      ...(program.clock === undefined ? {} : { now: program.clock }),
    });
  } catch (error) {
    // serverless.yml configures the schedules: a bad one is invalid configuration (78).
    if (error instanceof SchedulerConfigError) {
      process.stderr.write(program.secrets.redact(`bds: ${error.message}`) + '\n');
      return ExitCode.config;
    }
    throw error;
  }
}

/** What the command line is given by its entry point. */
export interface MainDependencies {
  /** The functions `bds invoke` and `bds scheduler` run. */
  readonly handlers: HandlerCatalogue;
  /** BDS_CONFIG, BDS_NOW and `${env:...}` are read here (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** "Now" instead of BDS_NOW or the system clock (tests). */
  readonly clock?: Clock;
}

/** Runs the command line and returns the exit code. */
export async function main(argv: readonly string[], dependencies: MainDependencies): Promise<number> {
  const [command, ...args] = argv;
  // One registry for the whole command: whatever configuration it loads registers its secrets
  // here, and every line printed below, errors included, is redacted with it.
  const program: Program = { secrets: new SecretRegistry(), env: dependencies.env ?? process.env, clock: dependencies.clock };
  const redact = (text: string): string => program.secrets.redact(text);
  try {
    switch (command) {
      case 'run':
        return await commandRun(program, args, false);
      case 'backfill':
        return await commandRun(program, args, true);
      case 'catch-up':
        return await commandCatchUp(program, args);
      case 'status':
        return await commandStatus(program, args);
      case 'watermark':
        return await commandWatermark(program, args);
      case 'check':
        return await commandCheck(program, args);
      case 'verify':
        return await commandVerify(program, args);
      case 'explain':
        return await commandExplain(program, args);
      case 'scheduler':
        return await commandScheduler(program, args, dependencies.handlers);
      case 'invoke':
        return await commandInvoke(program, args, dependencies.handlers);
      case 'demo':
        return await commandDemo(args);
      case 'seed':
        return await commandSeed(args);
      case 'version':
      case '--version':
        process.stdout.write(`bds ${bdsVersion()}\n`);
        return ExitCode.ok;
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return ExitCode.ok;
      case undefined:
        process.stderr.write(USAGE);
        return ExitCode.usage;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(redact(`bds: ${error.message}`) + `\nrun \`bds help\` for usage\n`);
      return ExitCode.usage;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(redact(error.message) + '\n');
      return ExitCode.config;
    }
    // BDS_NOW is configuration too, given in the environment.
    if (error instanceof InvalidClockError) {
      process.stderr.write(redact(`bds: ${error.message}`) + '\n');
      return ExitCode.config;
    }
    if (error instanceof LockHeldError) {
      process.stderr.write(redact(`bds: ${error.message}`) + '\n');
      return ExitCode.locked;
    }
    const message = error instanceof BdsError ? error.message : describeError(error);
    process.stderr.write(redact(`bds: ${message}`) + '\n');
    if (!(error instanceof BdsError) && error instanceof Error && process.env.BDS_DEBUG === '1') {
      process.stderr.write(redact(error.stack ?? '') + '\n');
    }
    return ExitCode.other;
  }
}
