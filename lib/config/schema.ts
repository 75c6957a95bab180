/**
 * The shape of the configuration file (config.md) as zod schemas, plus the rules that relate
 * one part of the file to another. Every message is written here, never zod's default English:
 * an operator reads them as `path: what is wrong (and the fix)`.
 *
 * Two layers, on purpose:
 * - `configSchema` checks each value on its own (types, patterns, known keys, time zones, ...).
 * - `relationProblems` checks rules that span values (uniqueness, the default location, which
 *   sources are needed). It reads the raw data defensively, so it still reports its problems
 *   when `configSchema` failed elsewhere: one run shows every problem of the file.
 */
import { compileAgentPattern } from '../metrics/agent-pattern';
import * as z from 'zod';
import { findMetric, METRIC_KEYS, VOICEMAIL_METRIC_KEYS } from '../metrics/catalogue';
import type { MetricDefinition } from '../metrics/catalogue';
import { isLocalDate } from '../time/calendar';
import { parseDuration } from '../time/duration';
import { InvalidDurationError } from '../time/errors';
import { isValidTimeZone } from '../time/zone';
import { isPlainRecord } from './env';
import { formatPath } from './errors';
import type { PathSegment } from './errors';

/** A problem before its path is rendered (the loader sorts problems by file position). */
export interface RawProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** The message for a required key that is absent (also the start of longer messages). */
export const MISSING_KEY = 'required key is missing';

/** Default `timezone` of a tenant. */
export const DEFAULT_TIMEZONE = 'UTC';
/** Default `scheduler.timezone`: the zone EventBridge reads cron expressions in. */
export const DEFAULT_SCHEDULER_TIMEZONE = 'UTC';
/** Defaults of the optional durations, in seconds. */
export const DEFAULT_PROCESSING_DELAY_SECONDS = 2 * 3600;
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;
export const DEFAULT_QUERY_TIMEOUT_SECONDS = 3600;

// GARN and tenant ids end up in file and folder names: no separators, dots or spaces.
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const CODE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
// The shape only, to tell "not a date at all" from "not a real day" in the message.
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const RESERVED_REGION = 'GLOBAL';
const CODE_KEYS = ['channelType', 'serviceClass', 'activityType', 'status', 'agentGroupName'] as const;

// ---------------------------------------------------------------------------------------------
// Small value checks shared by the schemas and the relation rules
// ---------------------------------------------------------------------------------------------

/**
 * True when `zone` is an IANA zone name the runtime knows: lib/time's rule, so that a zone the
 * configuration accepts is one every billing-day computation accepts too.
 */
export function isKnownTimeZone(zone: string): boolean {
  return isValidTimeZone(zone);
}

/**
 * Parses a duration such as '0', '90s', '30m', '2h', '1d' or '1h30m' into seconds; returns a
 * message for anything else. A bare number is accepted only for 0, where the unit is moot.
 */
export function parseDurationSeconds(value: unknown): number | { readonly error: string } {
  const hint = 'write it like "90s", "30m", "2h", "1d" or "1h30m"';
  if (value === 0 || value === '0') {
    return 0;
  }
  if (typeof value === 'number') {
    return { error: `a duration needs a unit: ${hint}` };
  }
  if (typeof value !== 'string') {
    return { error: `expected a duration, got ${describeValue(value)}: ${hint}` };
  }
  try {
    // lib/time's parser is the one the CLI uses too; only the messages are the configuration's.
    return parseDuration(value);
  } catch (error: unknown) {
    // Beyond every bound: the bounds' own message ("must be at most 7d") says what to do.
    if (error instanceof InvalidDurationError && error.tooLarge) return Number.POSITIVE_INFINITY;
    if (error instanceof InvalidDurationError) {
      return { error: `invalid duration ${JSON.stringify(value)}: ${hint}` };
    }
    throw error;
  }
}

/** Normalises a string or a YAML date to `YYYY-MM-DD`; returns a message when not a real date. */
export function parseLocalDate(value: unknown): string | { readonly error: string } {
  if (value instanceof Date) {
    // A YAML timestamp of a bare date is midnight UTC; anything with a time of day is not a day.
    if (Number.isNaN(value.getTime())) {
      return { error: 'invalid date' };
    }
    const iso = value.toISOString();
    if (!iso.endsWith('T00:00:00.000Z')) {
      return { error: `expected a date YYYY-MM-DD, got a timestamp with a time of day (${iso})` };
    }
    // Outside the years 0000–9999 toISOString writes a signed six-digit year, not a date.
    const date = iso.slice(0, 10);
    return isLocalDate(date) ? date : { error: `expected a date YYYY-MM-DD, got ${iso}` };
  }
  if (typeof value !== 'string') {
    return { error: `expected a date YYYY-MM-DD, got ${describeValue(value)}` };
  }
  if (!DATE_PATTERN.test(value)) {
    return { error: `expected a date YYYY-MM-DD, got ${JSON.stringify(value)}` };
  }
  // lib/time checks the day exists on day numbers: Date.UTC would read 0050 as 1950.
  if (!isLocalDate(value)) {
    return { error: `${JSON.stringify(value)} is not a real date` };
  }
  return value;
}

/**
 * Keys whose values are secrets: a message about one never echoes its value, and an environment
 * value substituted into one is a secret too.
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['password', 'connectionString', 'accessKeyId', 'secretAccessKey']);

// '0640', '640' or '0o640': three octal digits, nothing else (no setuid, setgid or sticky bit).
const MODE_PATTERN = /^(?:0o?)?([0-7]{3})$/;

/**
 * Parses permissions written as an octal string (`"0640"`) for files or folders BDS creates.
 * The owner must keep what BDS itself needs (read and write; and enter, for a folder), and
 * others get nothing: billing data and state are confidential. A number is refused because
 * YAML reads an unquoted `0640` as the decimal 640, which is not what anyone means.
 */
export function parseMode(value: unknown, kind: 'file' | 'folder'): number | { readonly error: string } {
  const example = kind === 'file' ? '"0640"' : '"0750"';
  if (typeof value === 'number') {
    return { error: `write the mode as a quoted octal string such as ${example} (unquoted, YAML reads 0640 as the decimal number 640)` };
  }
  if (typeof value !== 'string') {
    return { error: `expected an octal mode such as ${example}, got ${describeValue(value)}` };
  }
  const match = MODE_PATTERN.exec(value);
  if (match === null) {
    return { error: `${JSON.stringify(value)} is not an octal mode such as ${example}` };
  }
  const mode = Number.parseInt(match[1] ?? '', 8);
  const ownerNeeds = kind === 'file' ? 0o600 : 0o700;
  if ((mode & ownerNeeds) !== ownerNeeds) {
    return { error: `${value} leaves the owner without ${kind === 'file' ? 'read and write' : 'read, write and search'} permission, which BDS needs` };
  }
  if ((mode & 0o007) !== 0) {
    return { error: `${value} gives permissions to every user of the machine; billing data is confidential: use at most ${kind === 'file' ? '"0660"' : '"0770"'}` };
  }
  if (kind === 'file' && (mode & 0o111) !== 0) {
    return { error: `${value} makes the files executable; they are data: use e.g. "0640"` };
  }
  return mode;
}

/** Describes a value's kind for messages, without echoing strings (they may be secrets). */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (value === null) {
    return 'an empty value';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (value instanceof Date) {
    return 'a date';
  }
  if (isPlainRecord(value)) {
    return 'a mapping';
  }
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : 'a string';
    case 'number':
    case 'boolean':
      return String(value);
    default:
      return typeof value;
  }
}

/** The candidate closest to `word` (case-insensitive edit distance), if close enough. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

// Optimal string alignment distance: a swapped pair of letters ('nmae') counts as one edit.
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row: number[] = [];
    for (let j = 0; j <= b.length; j += 1) {
      if (i === 0 || j === 0) {
        row.push(i + j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const above = rows[i - 1] ?? [];
      let value = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(value);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

function suggestion(word: string, candidates: readonly string[]): string {
  const near = closest(word, candidates);
  return near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`;
}

/** The message for a key the schema does not know. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const near = closest(key, known);
  if (near !== undefined) {
    return `unknown key (did you mean ${JSON.stringify(near)}?)`;
  }
  return known.length === 0 ? 'unknown key' : `unknown key (expected one of: ${known.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

/** A schema built from a function that returns the value or a message. */
function custom<T>(parse: (value: unknown) => T | { readonly error: string }, isValue: (r: unknown) => r is T) {
  return z.unknown().transform((value, ctx): T => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: MISSING_KEY });
      return z.NEVER;
    }
    const result = parse(value);
    if (isValue(result)) {
      return result;
    }
    ctx.addIssue({ code: 'custom', message: (result as { readonly error: string }).error });
    return z.NEVER;
  });
}

const isNumber = (r: unknown): r is number => typeof r === 'number';
const isString = (r: unknown): r is string => typeof r === 'string';

const text = z.string().min(1);

function patterned(pattern: RegExp, rule: string) {
  return z.string().superRefine((value, ctx) => {
    if (!pattern.test(value)) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not valid: ${rule}` });
    }
  });
}

const identifier = patterned(NAME_PATTERN, 'use 1 to 64 letters, digits, "_" or "-" (it goes into file names)');
const locationCode = patterned(CODE_PATTERN, 'use 1 to 32 letters, digits, "_" or "-" (it goes into file names)');
const regionCode = locationCode.superRefine((value, ctx) => {
  if (value.toUpperCase() === RESERVED_REGION) {
    ctx.addIssue({
      code: 'custom',
      message: `region code ${JSON.stringify(value)} is reserved for tenant-wide files; choose another code`,
    });
  }
});

const duration = custom(parseDurationSeconds, isNumber);

/**
 * A duration within [min, max] seconds. The bounds are where a value stops being a setting and
 * becomes a typo that fails every run later (a timer beyond 2^31 ms fires at once, PostgreSQL
 * refuses a statement_timeout beyond it): refused at load, with the range in the message.
 */
function boundedDuration(min: number, max: number, maxText: string) {
  return duration.superRefine((seconds, ctx) => {
    if (seconds < min) {
      ctx.addIssue({ code: 'custom', message: min > 0 ? 'must be longer than 0 (write it like "30s" or "1h")' : 'must not be negative' });
    } else if (seconds > max) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${maxText} (write it like "30s" or "1h")` });
    }
  });
}

// S3's bucket naming rules: 3 to 63 lower-case letters, digits, dots and hyphens, starting and
// ending with a letter or digit, no two dots in a row, not shaped like an IP address.
const bucketName = z.string().superRefine((value, ctx) => {
  const rule = 'S3 bucket names are 3 to 63 lower-case letters, digits, "." and "-", beginning and ending with a letter or digit';
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) || value.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: `not a valid bucket name: ${rule}` });
  }
});

// The key prefix: "/"-separated segments, none empty, "." or "..", no control characters. On an
// S3-compatible store a ".." segment can address another bucket's objects.
const keyPrefix = z.string().max(512, { message: 'at most 512 characters' }).superRefine((value, ctx) => {
  if (value === '') return;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'a prefix must not contain control characters or "\\"' });
    return;
  }
  const segments = value.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    ctx.addIssue({ code: 'custom', message: 'a prefix is "/"-separated names: no leading, trailing or double "/", no "." or ".." segment' });
  }
});

// A host name or address: letters, digits, "-", "." and ":" (IPv6), at most 253 characters.
const hostName = z.string().superRefine((value, ctx) => {
  if (!/^[A-Za-z0-9]([A-Za-z0-9.:-]{0,251}[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'not a host name: letters, digits, "-" and "." (or an IP address), at most 253 characters' });
  }
});

// A name people read in files: printable, of a sane length.
const displayName = text.max(200, { message: 'at most 200 characters' }).superRefine((value, ctx) => {
  if (/[\u0000-\u001f\u007f]/.test(value)) ctx.addIssue({ code: 'custom', message: 'must not contain control characters (tabs, line breaks, NUL)' });
});

const processingDelay = boundedDuration(0, 7 * 86_400, '7d');
const connectTimeout = boundedDuration(1, 3_600, '1h');
const queryTimeout = boundedDuration(1, 86_400, '1d');

/** A file system path: no control characters (a NUL cuts a path short in every system call). */
const pathText = text.superRefine((value, ctx) => {
  if (/[\u0000-\u001f\u007f]/.test(value)) ctx.addIssue({ code: 'custom', message: 'a path must not contain control characters (NUL, tab, line breaks)' });
});

// An env reference always yields a string, so a port may also be written as a digit string.
const port = custom(
  (value): number | { readonly error: string } => {
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535) {
      return n;
    }
    return { error: `expected a port number from 1 to 65535, got ${describeValue(value)}` };
  },
  isNumber,
);

const sslOptions = z.union(
  [z.boolean(), z.strictObject({ rejectUnauthorized: z.boolean().optional(), ca: text.optional() })],
  { error: 'expected true, false or a mapping with rejectUnauthorized and/or ca' },
);

/** One source database; which fields combine is checked by `relationProblems`. */
export const sourceSchema = z.strictObject({
  client: z.enum(['pg', 'mssql']),
  connectionString: text.optional(),
  host: hostName.optional(),
  port: port.optional(),
  database: text.optional(),
  user: text.optional(),
  password: z.string().optional(),
  ssl: sslOptions.optional(),
  encrypt: z.boolean().optional(),
  trustServerCertificate: z.boolean().optional(),
  connectTimeout: connectTimeout.optional(),
  queryTimeout: queryTimeout.optional(),
  // GVP sources only: a deployment's own SQL for a Reporting Server whose schema differs from
  // the reference (docs/gvp-queries.md).
  queries: z.strictObject({ calls: text.optional(), mediaSessions: text.optional() }).optional(),
});

const timezone = z.string().superRefine((zone, ctx) => {
  if (!isKnownTimeZone(zone)) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown time zone ${JSON.stringify(zone)} (use an IANA name such as "Europe/Paris")`,
    });
  }
});

const agentPattern = z.string().superRefine((source, ctx) => {
  if (source === '') {
    ctx.addIssue({ code: 'custom', message: 'an empty pattern would exclude every agent' });
    return;
  }
  try {
    compileAgentPattern(source);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.addIssue({
      code: 'custom',
      message: `not a regular expression bds can match in linear time (RE2 syntax: no look-around, no back-references): ${reason}`,
    });
  }
});

const metricKey = z.string().superRefine((key, ctx) => {
  if (findMetric(key) === undefined) {
    ctx.addIssue({ code: 'custom', message: `unknown metric ${JSON.stringify(key)}${suggestion(key, METRIC_KEYS)}` });
  }
});

const locationSchema = z.strictObject({
  code: locationCode,
  switches: z.array(text),
});

const regionSchema = z.strictObject({
  code: regionCode,
  gvp: sourceSchema.optional(),
  locations: z.array(locationSchema).min(1),
});

const tenantKey = z.number().int().min(0);

const tenantSchema = z.strictObject({
  id: identifier,
  gimTenantKey: tenantKey,
  cfgTenantDbid: tenantKey,
  timezone: timezone.optional(),
  productionDate: custom(parseLocalDate, isString),
  excludeAgents: z.array(agentPattern).optional(),
  metrics: z.array(metricKey).min(1),
  regions: z.array(regionSchema).min(1),
  // Invoice detail files: `true`, or `{ names: true }` to show agent names (personal data).
  detail: z.union([z.boolean(), z.strictObject({ names: z.boolean().optional() })]).optional(),
});

const s3Schema = z.strictObject({
  bucket: bucketName,
  prefix: keyPrefix,
  region: text,
  endpoint: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
  forcePathStyle: z.boolean().optional(),
  accessKeyId: text.optional(),
  secretAccessKey: text.optional(),
  requestChecksumCalculation: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).optional(),
});

const transmitSchema = z.strictObject({
  s3: s3Schema.optional(),
  copyTo: z.array(pathText).optional(),
});

// Back-office codes are often numeric in YAML (`channelType: 7`); the files carry strings.
const codeValue = z
  .union([z.string(), z.number()], { error: 'expected a code (a string or a number)' })
  .transform((v) => String(v));

const codesSchema = z.strictObject(
  Object.fromEntries(CODE_KEYS.map((key) => [key, codeValue.optional()])) as Record<
    (typeof CODE_KEYS)[number],
    z.ZodOptional<typeof codeValue>
  >,
);

const overrideSchema = z.strictObject({
  mediaCodes: z.array(text).min(1).optional(),
  subtypeCodes: z.array(text).optional(),
  codes: codesSchema.optional(),
  // Keyed by measure; which measures a metric has is checked by `relationProblems`.
  measureCodes: z.record(z.string(), codesSchema).optional(),
});

const filesSchema = z.strictObject({
  mode: custom((value) => parseMode(value, 'file'), isNumber).optional(),
  dirMode: custom((value) => parseMode(value, 'folder'), isNumber).optional(),
});

/** The whole file, before paths are resolved and defaults applied. */
export const configSchema = z.strictObject({
  customer: z.strictObject({ garn: identifier, name: displayName }),
  dataDir: pathText.optional(),
  processingDelay: processingDelay.optional(),
  sources: z
    .strictObject({ gim: sourceSchema.optional(), config: sourceSchema.optional(), gvp: sourceSchema.optional() })
    .optional(),
  tenants: z.array(tenantSchema).min(1),
  transmit: transmitSchema.optional(),
  // Permissions of the files and folders BDS creates (billing files, staged data, state).
  files: filesSchema.optional(),
  catalogue: z.record(z.string(), overrideSchema).optional(),
  // The local scheduler's zone for the cron expressions of serverless.yml.
  scheduler: z.strictObject({ timezone: timezone.optional() }).optional(),
  // Recompute every value of each processed day in the source databases and compare (bds verify).
  verify: z.boolean().optional(),
  // How the dispatcher runs tenants: in-process, or one Lambda worker invocation per tenant.
  dispatch: z
    .strictObject({
      mode: z.enum(['in-process', 'lambda']),
      functionName: text.optional(),
      endpoint: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
      region: text.optional(),
    })
    .superRefine((d, ctx) => {
      if (d.mode === 'lambda' && d.functionName === undefined) {
        ctx.addIssue({ code: 'custom', path: ['functionName'], message: 'required when mode is lambda: the worker function to invoke (e.g. bds-prod-worker)' });
      }
    })
    .optional(),
});

export type ParsedConfig = z.output<typeof configSchema>;
export type ParsedSource = z.output<typeof sourceSchema>;
export type ParsedCodes = z.output<typeof codesSchema>;

// ---------------------------------------------------------------------------------------------
// zod issues → problems
// ---------------------------------------------------------------------------------------------

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  date: 'a date',
};

/**
 * The error map handed to `safeParse`: writes the message of every issue whose schema did not
 * bring its own. Unknown keys are rewritten per key by `issuesToProblems`.
 */
export function issueMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) {
        return MISSING_KEY;
      }
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${
        typeof issue.input === 'string' ? JSON.stringify(issue.input) : describeValue(issue.input)
      }`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) {
        return 'must not be empty';
      }
      if (issue.origin === 'array' && Number(issue.minimum) === 1) {
        return 'must list at least one entry';
      }
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_format':
      return 'has an invalid format';
    case 'unrecognized_keys':
      return 'unknown key';
    case 'invalid_union':
      return `unexpected ${describeValue(issue.input)}`;
    default:
      return 'invalid value';
  }
}

/** Turns zod's issues into problems, one per unknown key, with a suggestion where one is near. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[]): RawProblem[] {
  const problems: RawProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(configSchema, path);
      for (const key of issue.keys) {
        problems.push({ path: [...path, key], message: unknownKeyMessage(key, known) });
      }
    } else if (issue.code === 'invalid_type' && SECRET_KEYS.has(String(path[path.length - 1])) && issue.message !== MISSING_KEY) {
      // The usual message echoes numbers and booleans ("got 123456"): an unquoted numeric
      // password would be printed. Only strings are registered as secrets, so say less here.
      problems.push({ path, message: 'expected a string (quote a value that looks like a number or true/false)' });
    } else if (issue.code === 'invalid_union') {
      // A value that has the shape of one alternative (a mapping for `ssl`) and fails inside it:
      // the key inside is what to name, not the union as a whole.
      const inner = issue.errors.find((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
      if (inner === undefined) {
        problems.push({ path, message: issue.message });
      } else {
        problems.push(...issuesToProblems(inner.map((i) => ({ ...i, path: [...issue.path, ...i.path] }))));
      }
    } else {
      problems.push({ path, message: issue.message });
    }
  }
  return problems;
}

/** The keys a strict object of the schema accepts at `path` (for "did you mean"). */
function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let current: z.ZodType | undefined = schema;
  for (const segment of path) {
    current = current === undefined ? undefined : child(unwrap(current), segment);
  }
  const target = current === undefined ? undefined : asObject(unwrap(current));
  return target === undefined ? [] : Object.keys(target.shape);
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

function asObject(schema: z.ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) {
    return schema;
  }
  if (schema instanceof z.ZodUnion) {
    const options = schema.options as readonly z.ZodType[];
    return options.find((o): o is z.ZodObject => o instanceof z.ZodObject);
  }
  return undefined;
}

function child(schema: z.ZodType, segment: PathSegment): z.ZodType | undefined {
  if (schema instanceof z.ZodArray) {
    return schema.element as z.ZodType;
  }
  if (schema instanceof z.ZodRecord) {
    return schema.valueType as z.ZodType;
  }
  const object = asObject(schema);
  return object === undefined ? undefined : (object.shape[String(segment)] as z.ZodType | undefined);
}

// ---------------------------------------------------------------------------------------------
// Rules across values
// ---------------------------------------------------------------------------------------------

const record = (value: unknown): Record<string, unknown> | undefined => (isPlainRecord(value) ? value : undefined);
const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

interface TenantFacts {
  readonly index: number;
  readonly label: string;
  readonly metrics: readonly MetricDefinition[];
  readonly locationCount: number;
}

/**
 * Checks the rules that relate values to each other. Reads the data defensively: a part with
 * the wrong shape is skipped here (the schema reports it), the rest is still checked.
 */
export function relationProblems(data: unknown): RawProblem[] {
  const problems: RawProblem[] = [];
  const root = record(data);
  if (root === undefined) {
    return problems;
  }
  const sources = record(root.sources) ?? {};
  for (const name of ['gim', 'config', 'gvp']) {
    const source = record(sources[name]);
    if (source !== undefined) {
      checkSource(source, ['sources', name], problems);
      if (name !== 'gvp' && source.queries !== undefined) {
        problems.push({
          path: ['sources', name, 'queries'],
          message: 'only GVP sources take custom queries (sources.gvp or tenants[].regions[].gvp)',
        });
      }
    }
  }

  const tenants = list(root.tenants);
  const tenantIds = new Map<string, number>();
  const facts: TenantFacts[] = [];
  tenants.forEach((raw, index) => {
    const tenant = record(raw);
    if (tenant === undefined) {
      return;
    }
    const id = str(tenant.id);
    if (id !== undefined) {
      // Ids name folders; compared ignoring case so two tenants never share one on a
      // case-insensitive file system.
      const first = tenantIds.get(id.toLowerCase());
      if (first === undefined) {
        tenantIds.set(id.toLowerCase(), index);
      } else {
        problems.push({
          path: ['tenants', index, 'id'],
          message:
            `duplicate tenant id ${JSON.stringify(id)} ` +
            `(already used by tenants[${first}]; ids are compared ignoring case)`,
        });
      }
    }
    facts.push(checkTenant(tenant, index, sources, problems));
  });

  requireSource(sources, 'gim', facts, problems);
  requireSource(sources, 'config', facts, problems);

  const s3 = record(record(root.transmit)?.s3);
  if (s3 !== undefined) {
    checkS3(s3, problems);
  }
  const catalogue = record(root.catalogue);
  if (catalogue !== undefined) {
    checkCatalogue(catalogue, problems);
  }
  return problems;
}

function checkSource(source: Record<string, unknown>, path: readonly PathSegment[], problems: RawProblem[]): void {
  const has = (key: string): boolean => source[key] !== undefined;
  if (source.client === 'pg') {
    for (const key of ['encrypt', 'trustServerCertificate']) {
      if (has(key)) {
        problems.push({ path: [...path, key], message: 'only for mssql sources; a pg source uses ssl' });
      }
    }
  }
  if (source.client === 'mssql' && has('ssl')) {
    problems.push({
      path: [...path, 'ssl'],
      message: 'only for pg sources; an mssql source uses encrypt and trustServerCertificate',
    });
  }
  if (has('connectionString')) {
    for (const key of ['host', 'port', 'database', 'user', 'password']) {
      if (has(key)) {
        problems.push({
          path: [...path, key],
          message:
            'not allowed together with connectionString: ' +
            'give either connectionString or host/port/database/user/password',
        });
      }
    }
  } else if (has('host')) {
    if (!has('database')) {
      problems.push({
        path: [...path, 'database'],
        message: `${MISSING_KEY} (a source given by host needs a database)`,
      });
    }
  } else {
    problems.push({ path, message: 'needs either connectionString, or host and database' });
  }
}

function checkTenant(
  tenant: Record<string, unknown>,
  index: number,
  sources: Record<string, unknown>,
  problems: RawProblem[],
): TenantFacts {
  const base: PathSegment[] = ['tenants', index];
  const id = str(tenant.id);
  const label = id === undefined ? `tenants[${index}]` : `tenants[${index}] (${JSON.stringify(id)})`;

  // Metrics: no duplicates, at most one voicemail metric.
  const metrics: MetricDefinition[] = [];
  const seenMetrics = new Map<string, number>();
  let voicemail: string | undefined;
  list(tenant.metrics).forEach((raw, m) => {
    const key = str(raw);
    if (key === undefined) {
      return;
    }
    const first = seenMetrics.get(key);
    if (first !== undefined) {
      problems.push({
        path: [...base, 'metrics', m],
        message: `${JSON.stringify(key)} is listed twice (first at metrics[${first}])`,
      });
      return;
    }
    seenMetrics.set(key, m);
    const metric = findMetric(key);
    if (metric !== undefined) {
      metrics.push(metric);
    }
    if (VOICEMAIL_METRIC_KEYS.includes(key)) {
      if (voicemail === undefined) {
        voicemail = key;
      } else {
        problems.push({
          path: [...base, 'metrics', m],
          message: `at most one voicemail metric per tenant: ${JSON.stringify(voicemail)} is already enabled`,
        });
      }
    }
  });

  // Regions and locations: unique codes, exactly one default location.
  const regions = list(tenant.regions);
  const regionCodes = new Map<string, number>();
  const locationCodes = new Map<string, string>();
  const defaults: string[] = [];
  let locationCount = 0;
  let unreadableSwitches = false;
  regions.forEach((rawRegion, r) => {
    const region = record(rawRegion);
    if (region === undefined) {
      // Its locations cannot be counted: claiming "no default location" would only echo the
      // schema's complaint about this region.
      unreadableSwitches = true;
      return;
    }
    const regionPath: PathSegment[] = [...base, 'regions', r];
    const code = str(region.code);
    if (code !== undefined) {
      const first = regionCodes.get(code.toLowerCase());
      if (first === undefined) {
        regionCodes.set(code.toLowerCase(), r);
      } else {
        problems.push({
          path: [...regionPath, 'code'],
          message:
            `duplicate region code ${JSON.stringify(code)} ` +
            `(already used by regions[${first}]; codes are compared ignoring case)`,
        });
      }
    }
    const gvp = record(region.gvp);
    if (gvp !== undefined) {
      checkSource(gvp, [...regionPath, 'gvp'], problems);
    }
    if (!Array.isArray(region.locations)) {
      unreadableSwitches = true;
    }
    list(region.locations).forEach((rawLocation, l) => {
      const location = record(rawLocation);
      if (location === undefined) {
        unreadableSwitches = true;
        return;
      }
      locationCount += 1;
      const locationPath: PathSegment[] = [...regionPath, 'locations', l];
      const where = formatPath(locationPath);
      const locationCode = str(location.code);
      if (locationCode !== undefined) {
        const first = locationCodes.get(locationCode.toLowerCase());
        if (first === undefined) {
          locationCodes.set(locationCode.toLowerCase(), where);
        } else {
          problems.push({
            path: [...locationPath, 'code'],
            message:
              `duplicate location code ${JSON.stringify(locationCode)} in this tenant ` +
              `(already used by ${first}; codes are compared ignoring case)`,
          });
        }
      }
      if (!Array.isArray(location.switches)) {
        unreadableSwitches = true;
        return;
      }
      if (location.switches.length === 0) {
        defaults.push(locationCode ?? where);
      }
      // A switch listed by two locations is allowed: metrics.md places an agent in the first
      // location, in configuration order, that lists one of its switches (`bds check` warns
      // that the later listing never places anyone through it).
    });
  });
  // With an unreadable `switches` (reported by the schema) the count of defaults is unknown,
  // unless there are already too many.
  if (locationCount > 0 && (defaults.length > 1 || (defaults.length === 0 && !unreadableSwitches))) {
    const names = defaults.map((d) => JSON.stringify(d)).join(', ');
    const found = defaults.length === 0 ? 'found none' : `found ${defaults.length}: ${names}`;
    problems.push({
      path: [...base, 'regions'],
      message: `exactly one location of the tenant must have no switches (the default location); ${found}`,
    });
  }

  // GVP: every region needs a GVP source; the top-level one only serves a single-region tenant.
  const gvpMetric = metrics.find((m) => m.source === 'gvp');
  if (gvpMetric !== undefined) {
    const topLevel = sources.gvp !== undefined;
    regions.forEach((rawRegion, r) => {
      const region = record(rawRegion);
      if (region === undefined || region.gvp !== undefined) {
        return;
      }
      if (regions.length === 1) {
        if (!topLevel) {
          problems.push({
            path: [...base, 'regions', r, 'gvp'],
            message:
              `required because ${label} enables ${gvpMetric.key}: ` +
              'give this region a gvp source, or set sources.gvp',
          });
        }
        return;
      }
      problems.push({
        path: [...base, 'regions', r, 'gvp'],
        message:
          `required because ${label} enables ${gvpMetric.key} and has ${regions.length} regions: ` +
          'each region needs its own gvp source' +
          (topLevel ? ' (sources.gvp only serves a tenant with a single region)' : ''),
      });
    });
  }

  return { index, label, metrics, locationCount };
}

function requireSource(
  sources: Record<string, unknown>,
  name: 'gim' | 'config',
  facts: readonly TenantFacts[],
  problems: RawProblem[],
): void {
  if (sources[name] !== undefined) {
    return;
  }
  const database = name === 'gim' ? 'the GIM database' : 'the Config DB';
  for (const tenant of facts) {
    const metric = tenant.metrics.find((m) => m.source === name);
    if (metric !== undefined) {
      problems.push({
        path: ['sources', name],
        message: `${MISSING_KEY}: ${tenant.label} enables ${metric.key}, which is read from ${database}`,
      });
      return;
    }
    if (name === 'config' && tenant.locationCount > 1) {
      problems.push({
        path: ['sources', name],
        message:
          `${MISSING_KEY}: ${tenant.label} has ${tenant.locationCount} locations, ` +
          'and placing agents in locations reads the Config DB',
      });
      return;
    }
  }
}

function checkS3(s3: Record<string, unknown>, problems: RawProblem[]): void {
  const pairs: readonly [string, string][] = [
    ['accessKeyId', 'secretAccessKey'],
    ['secretAccessKey', 'accessKeyId'],
  ];
  for (const [given, needed] of pairs) {
    if (s3[given] !== undefined && s3[needed] === undefined) {
      problems.push({
        path: ['transmit', 's3', needed],
        message: `${MISSING_KEY}: ${given} is given (give both, or neither to use the AWS SDK's default credentials)`,
      });
    }
  }
}

function checkCatalogue(catalogue: Record<string, unknown>, problems: RawProblem[]): void {
  for (const [key, raw] of Object.entries(catalogue)) {
    const path: PathSegment[] = ['catalogue', key];
    const metric = findMetric(key);
    if (metric === undefined) {
      problems.push({ path, message: `unknown metric${suggestion(key, METRIC_KEYS)}` });
      continue;
    }
    const override = record(raw);
    if (override === undefined) {
      continue;
    }
    if (override.mediaCodes !== undefined && metric.family !== 'seats') {
      problems.push({
        path: [...path, 'mediaCodes'],
        message: `only seat metrics have media codes; ${key} is a ${metric.family} metric`,
      });
    }
    if (override.subtypeCodes !== undefined) {
      if (metric.family !== 'seats') {
        problems.push({
          path: [...path, 'subtypeCodes'],
          message: `only seat metrics have subtype codes; ${key} is a ${metric.family} metric`,
        });
      } else if (!metric.requiresInteraction) {
        problems.push({
          path: [...path, 'subtypeCodes'],
          message: `${key} counts sessions without requiring an interaction, so subtype codes do not apply`,
        });
      }
    }
    const measureCodes = record(override.measureCodes);
    if (measureCodes !== undefined) {
      const measures = metric.measures.map((d) => d.measure);
      for (const measure of Object.keys(measureCodes)) {
        if (!(measures as readonly string[]).includes(measure)) {
          const near = closest(measure, measures);
          problems.push({
            path: [...path, 'measureCodes', measure],
            message:
              `${key} has no measure ${JSON.stringify(measure)} (its measures: ${measures.join(', ')})` +
              (near === undefined ? '' : `; did you mean ${JSON.stringify(near)}?`),
          });
        }
      }
    }
  }
}
