/**
 * The shape of the configuration file (config.md) as zod schemas: each value checked on its own
 * (types, patterns, known keys, time zones, ...), and the Parsed* types the rest of the loader
 * reads. Rules that span values (uniqueness, the default location, which sources are needed)
 * are in rules.ts; the messages in messages.ts.
 *
 * The parts the rules read on their own (a source, a tenant, transmit.s3 and .sftp, a catalogue
 * override) are exported as schemas of their own, so that a part parses even when another part
 * of the file does not.
 */
import { compileAgentPattern } from '../metrics/agent-pattern';
import * as z from 'zod';
import { findMetric, METRIC_KEYS } from '../metrics/catalogue';
import { describeValue, MISSING_KEY, suggestion } from './messages';
import { isKnownTimeZone, parseDurationSeconds, parseLocalDate, parseMode } from './values';

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
const RESERVED_REGION = 'GLOBAL';
const CODE_KEYS = ['channelType', 'serviceClass', 'activityType', 'status', 'agentGroupName'] as const;

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
    ctx.addIssue({ code: 'custom', message: result.error });
    return z.NEVER;
  });
}

// C0 controls and DEL, by code unit (what the regular expression [\u0000-\u001f\u007f] matched):
// eslint's no-control-regex flags such a class, rightly for typos, so it is spelled out here.
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    if (unit < 0x20 || unit === 0x7f) return true;
  }
  return false;
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
const keyPrefix = z.string().max(512, { error: 'at most 512 characters' }).superRefine((value, ctx) => {
  if (value === '') return;
  if (hasControlCharacter(value) || value.includes('\\')) {
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
const displayName = text.max(200, { error: 'at most 200 characters' }).superRefine((value, ctx) => {
  if (hasControlCharacter(value)) ctx.addIssue({ code: 'custom', message: 'must not contain control characters (tabs, line breaks, NUL)' });
});

const processingDelay = boundedDuration(0, 7 * 86_400, '7d');
const connectTimeout = boundedDuration(1, 3_600, '1h');
const queryTimeout = boundedDuration(1, 86_400, '1d');

/** A file system path: no control characters (a NUL cuts a path short in every system call). */
const pathText = text.superRefine((value, ctx) => {
  if (hasControlCharacter(value)) ctx.addIssue({ code: 'custom', message: 'a path must not contain control characters (NUL, tab, line breaks)' });
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

export const locationSchema = z.strictObject({
  code: locationCode,
  switches: z.array(text),
});

export const regionSchema = z.strictObject({
  code: regionCode,
  gvp: sourceSchema.optional(),
  locations: z.array(locationSchema).min(1),
});

const tenantKey = z.number().int().min(0);

export const tenantSchema = z.strictObject({
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

export const s3Schema = z.strictObject({
  bucket: bucketName,
  prefix: keyPrefix,
  region: text,
  endpoint: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
  forcePathStyle: z.boolean().optional(),
  accessKeyId: text.optional(),
  secretAccessKey: text.optional(),
  requestChecksumCalculation: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).optional(),
});

// The server's host key fingerprint exactly as `ssh-keygen -lf` prints it: "SHA256:" and the
// digest in unpadded base64 (43 characters). Only SHA-256: MD5 fingerprints can be forged.
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
const FINGERPRINT_HOW = 'give the server\'s SHA256 fingerprint exactly as "ssh-keygen -lf" prints it, e.g. SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8 (get it with: ssh-keyscan -p PORT HOST | ssh-keygen -lf -)';
const hostKeyFingerprint = z.string().superRefine((value, ctx) => {
  if (FINGERPRINT.test(value)) return;
  let why = 'not a host key fingerprint';
  if (/^(MD5:)?[0-9a-f]{2}(:[0-9a-f]{2}){15}$/i.test(value)) why = 'an MD5 fingerprint is not accepted (MD5 can be forged)';
  else if (/^SHA256:[A-Za-z0-9+/]{43}=$/.test(value)) why = 'ssh-keygen prints the fingerprint without the trailing "="';
  else if (/\bSHA256:[A-Za-z0-9+/]{43}\b/.test(value)) why = 'give only the SHA256:... part of ssh-keygen\'s line';
  else if (value.startsWith('SHA256:')) why = 'a SHA256 fingerprint has 43 characters of base64 after "SHA256:"';
  ctx.addIssue({ code: 'custom', message: `${why}: ${FINGERPRINT_HOW}` });
});

// The remote root on the SFTP server: absolute, or relative to the account's login folder;
// "/"-separated names, no "." or ".." segment (it must not climb out of the vendor's inbox).
const remoteRoot = z.string().max(1024, { error: 'at most 1024 characters' }).superRefine((value, ctx) => {
  if (value === '' || hasControlCharacter(value) || value.includes('\\')) {
    ctx.addIssue({ code: 'custom', message: 'a remote path such as "/inbox/billing": not empty, no control characters or "\\"' });
    return;
  }
  if (value === '/') return;
  const segments = value.replace(/^\//, '').replace(/\/$/, '').split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    ctx.addIssue({ code: 'custom', message: 'a remote path is "/"-separated names: no double "/", no "." or ".." segment' });
  }
});

export const sftpSchema = z.strictObject({
  host: hostName,
  port: port.optional(),
  username: text,
  // The path of a private key file (relative to the configuration's folder), or the key itself
  // through ${env:NAME}.
  privateKey: text.optional(),
  password: text.optional(),
  passphrase: text.optional(),
  hostKey: hostKeyFingerprint,
  path: remoteRoot,
  connectTimeout: connectTimeout.optional(),
});

const transmitSchema = z.strictObject({
  s3: s3Schema.optional(),
  sftp: sftpSchema.optional(),
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

export const overrideSchema = z.strictObject({
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
export type ParsedTenant = z.output<typeof tenantSchema>;
export type ParsedRegion = z.output<typeof regionSchema>;
export type ParsedS3 = z.output<typeof s3Schema>;
export type ParsedSftp = z.output<typeof sftpSchema>;
export type ParsedOverride = z.output<typeof overrideSchema>;
