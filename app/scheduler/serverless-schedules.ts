/**
 * The schedules declared in serverless.yml, the single place where BDS's schedules live: every
 * function's `schedule` events, in all of serverless v3's forms:
 *
 * ```yaml
 * events:
 *   - schedule: rate(1 hour)
 *   - schedule:
 *       rate: cron(15 * * * ? *)        # or a list: [cron(...), rate(...)], one rule each
 *       enabled: false                  # skipped
 *       input: { tenant: acme }         # sent INSTEAD of the EventBridge event, as AWS does
 * ```
 *
 * The file is read as plain YAML: serverless variables (`${...}`) are not resolved, so a
 * schedule must be written literally.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { describeError } from '../../lib/errors';
import { isValidTimeZone } from '../../lib/time/calendar';
import { ScheduleExpressionError, ServerlessFileError } from './errors';
import { parseScheduleExpression, type ScheduleExpression } from './schedule-expression';

/** One schedule of one function: one EventBridge rule. */
export interface ScheduleDefinition {
  /** The function's key under `functions:` (a name of HANDLERS). */
  readonly functionName: string;
  /** A rule name unique in the file, for the event's `resources`. */
  readonly ruleName: string;
  readonly expression: ScheduleExpression;
  /** The event to send instead of the EventBridge scheduled event, when `input` is given. */
  readonly input?: unknown;
  /** Per-schedule zone (`timezone:`, as EventBridge Scheduler has it); else the scheduler's. */
  readonly timeZone?: string;
}

/** What the scheduler needs from serverless.yml. */
export interface ServerlessSchedules {
  readonly service: string;
  readonly stage: string;
  readonly region: string;
  /** Enabled schedules, in file order. */
  readonly schedules: readonly ScheduleDefinition[];
}

// Keys serverless v3 knows on a schedule event. `inputPath` and `inputTransformer` select or
// reshape the EventBridge event; the local scheduler does not implement them and says so
// rather than sending something else.
const SCHEDULE_KEYS = ['rate', 'enabled', 'input', 'name', 'description', 'method', 'timezone'];
const UNSUPPORTED_KEYS = ['inputPath', 'inputTransformer'];

const DEFAULT_STAGE = 'dev';
const DEFAULT_REGION = 'us-east-1';

type Json = Record<string, unknown>;
type Fail = (problem: string, cause?: unknown) => never;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads serverless.yml and returns its enabled schedules, each validated.
 *
 * @param path - the serverless.yml file.
 * @param functions - the function names BDS can run (HANDLERS' keys).
 * @throws ServerlessFileError when the file cannot be read or declares something unusable.
 * @throws ScheduleExpressionError for an invalid expression, naming the function.
 */
export function readServerlessSchedules(path: string, functions: readonly string[]): ServerlessSchedules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ServerlessFileError(path, `cannot read the file: ${describeError(error)}`, { cause: error });
  }
  return parseServerlessSchedules(text, { file: path, functions });
}

/**
 * `readServerlessSchedules` without the file system.
 *
 * @param text - serverless.yml's text.
 * @param options - `file` names the source in messages; `functions` are the runnable names.
 * @throws SchedulerConfigError (ServerlessFileError or ScheduleExpressionError).
 */
export function parseServerlessSchedules(
  text: string,
  options: { readonly file: string; readonly functions: readonly string[] },
): ServerlessSchedules {
  const { file } = options;
  const fail: Fail = (problem, cause) => {
    throw new ServerlessFileError(file, problem, cause === undefined ? undefined : { cause });
  };
  // CloudFormation tags (!Ref, !GetAtt) elsewhere in the file are only warnings here.
  const document = parseDocument(text, { prettyErrors: true });
  const [syntax] = document.errors;
  if (syntax !== undefined) fail(`not valid YAML: ${syntax.message.split('\n')[0] ?? ''}`);
  const root: unknown = document.toJS({ maxAliasCount: 1000 });
  if (!isRecord(root)) return fail('expected a mapping with service, provider and functions');

  // serverless v1 allowed `service: { name: ... }`; v3 still reads it.
  const named = isRecord(root.service) ? root.service.name : root.service;
  const service = typeof named === 'string' && named !== '' ? named : fail('"service" is missing');
  const provider = isRecord(root.provider) ? root.provider : {};
  const literal = (value: unknown, fallback: string): string =>
    typeof value === 'string' && value !== '' && !value.includes('${') ? value : fallback;

  const stage = literal(provider.stage, DEFAULT_STAGE);
  const functions = root.functions ?? {};
  if (!isRecord(functions)) fail('"functions" must be a mapping of function names');
  const schedules: ScheduleDefinition[] = [];
  for (const [name, definition] of Object.entries(functions)) {
    if (!isRecord(definition)) continue;
    const events = definition.events ?? [];
    if (!Array.isArray(events)) fail(`functions.${name}.events must be a list`);
    let ordinal = 0;
    (events as unknown[]).forEach((event, index) => {
      if (!isRecord(event) || !('schedule' in event)) return;
      const where = `functions.${name}.events[${index}].schedule`;
      for (const found of scheduleEvent(file, event.schedule, where, name, fail)) {
        if (!options.functions.includes(name)) {
          fail(`${where}: function "${name}" has a schedule but BDS has no such handler (handlers: ${options.functions.join(', ')})`);
        }
        ordinal += 1;
        schedules.push({ ...found, functionName: name, ruleName: `${service}-${stage}-${name}-schedule-${ordinal}` });
      }
    });
  }
  return {
    service,
    stage,
    region: literal(provider.region, DEFAULT_REGION),
    schedules,
  };
}

/** The rules of one `schedule` event (several when `rate` is a list; none when disabled). */
function scheduleEvent(
  file: string,
  raw: unknown,
  where: string,
  functionName: string,
  fail: Fail,
): Omit<ScheduleDefinition, 'functionName' | 'ruleName'>[] {
  const spec: Json = typeof raw === 'string' ? { rate: raw } : isRecord(raw) ? raw : fail(`${where}: expected an expression or a mapping with "rate"`);
  for (const key of Object.keys(spec)) {
    if (UNSUPPORTED_KEYS.includes(key)) fail(`${where}.${key}: not supported by the local scheduler (use "input")`);
    // A typo such as "enable: false" would otherwise leave the schedule silently enabled.
    if (!SCHEDULE_KEYS.includes(key)) fail(`${where}.${key}: unknown key (expected one of: ${SCHEDULE_KEYS.join(', ')})`);
  }
  if (spec.enabled !== undefined && typeof spec.enabled !== 'boolean') fail(`${where}.enabled: expected true or false`);
  if (spec.enabled === false) return [];

  const rates = Array.isArray(spec.rate) ? (spec.rate as unknown[]) : [spec.rate];
  if (spec.rate === undefined || rates.length === 0) fail(`${where}.rate: required (e.g. rate(1 hour) or cron(15 * * * ? *))`);
  const expressions = rates.map((rate, i) => {
    const at = Array.isArray(spec.rate) ? `${where}.rate[${i}]` : `${where}.rate`;
    if (typeof rate !== 'string') return fail(`${at}: expected an expression such as rate(1 hour)`);
    if (rate.includes('${')) return fail(`${at}: serverless variables are not resolved by the local scheduler; write the expression itself`);
    try {
      return parseScheduleExpression(rate, functionName);
    } catch (error) {
      // Name the file too: the operator has to find the expression to fix it.
      if (error instanceof ScheduleExpressionError) {
        throw new ScheduleExpressionError(error.expression, error.problem, functionName, { cause: error, file });
      }
      throw error;
    }
  });

  let input: unknown;
  if (typeof spec.input === 'string') {
    // serverless passes a string input through as the event's JSON text.
    try {
      input = JSON.parse(spec.input) as unknown;
    } catch (error) {
      fail(`${where}.input: a string input must be JSON text (${describeError(error)})`, error);
    }
  } else if (spec.input !== undefined && spec.input !== null) {
    input = spec.input;
  }

  let timeZone: string | undefined;
  if (spec.timezone !== undefined) {
    if (typeof spec.timezone !== 'string' || !isValidTimeZone(spec.timezone)) {
      fail(`${where}.timezone: unknown time zone ${JSON.stringify(spec.timezone)} (use an IANA name such as "Europe/Paris")`);
    }
    timeZone = spec.timezone;
  }
  return expressions.map((expression) => ({
    expression,
    ...(input === undefined ? {} : { input }),
    ...(timeZone === undefined ? {} : { timeZone }),
  }));
}
