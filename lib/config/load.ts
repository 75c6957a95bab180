/**
 * Reads, checks and resolves the configuration file (config.md). Nothing else in BDS reads the
 * file: the rest of the program gets a `BdsConfig` whose values are substituted, validated,
 * defaulted and absolute, or the run stops on a `ConfigError` before any work starts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Parser } from 'yaml';
import type { Document, YAMLError } from 'yaml';
import { errorCode } from '../errors';
import { DEFAULT_DIR_MODE, DEFAULT_FILE_MODE } from '../files/atomic';
import type { BackOfficeCodes, Measure } from '../metrics/catalogue';
import { isPlainRecord, substituteEnv } from './env';
import type { EnvSubstitution } from './env';
import { ConfigError, formatPath } from './errors';
import type { ConfigProblem, PathSegment, RawProblem } from './errors';
import { SECRET_KEYS } from './messages';
import {
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DEFAULT_PROCESSING_DELAY_SECONDS,
  DEFAULT_QUERY_TIMEOUT_SECONDS,
  DEFAULT_SCHEDULER_TIMEZONE,
  DEFAULT_TIMEZONE,
} from './shapes';
import type { ParsedCodes, ParsedConfig, ParsedSource } from './shapes';
import { checkConfig } from './validate';
import { isPrivateKeyText } from './values';
import type { BdsConfig, MetricOverride, SftpConfig, SourceConfig, TenantConfig } from './types';

/** The SSH port when `transmit.sftp.port` is not given. */
const DEFAULT_SFTP_PORT = 22;

/** The resolved configuration and the strings that must never reach a log. */
export interface LoadedConfig {
  readonly config: BdsConfig;
  /**
   * Passwords, connection strings (whole, and the password inside them), S3 keys, and every
   * environment value substituted into those fields. Longest first, so a redactor replacing
   * them in order never leaves part of a longer secret behind.
   */
  readonly secrets: readonly string[];
}

export interface LoadOptions {
  /** The file to read; otherwise `env.BDS_CONFIG`, otherwise `<cwd>/bds.config.yaml`. */
  readonly path?: string | undefined;
  /** Environment for `BDS_CONFIG` and `${env:NAME}` (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Folder a relative path is resolved against (default `process.cwd()`). */
  readonly cwd?: string | undefined;
}

export interface ParseOptions {
  readonly format: 'yaml' | 'json';
  /** Where the text came from: named in messages, and relative paths resolve against its folder. */
  readonly configPath: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The default file name, looked for in the working folder. */
export const DEFAULT_CONFIG_FILE = 'bds.config.yaml';
const DEFAULT_DATA_DIR = './bds-data';

/**
 * Finds, reads and validates the configuration file.
 *
 * @throws ConfigError when the file is missing, unreadable or invalid; the error lists every
 *   problem found (the CLI exits with code 78).
 */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fromEnv = env.BDS_CONFIG !== undefined && env.BDS_CONFIG !== '' ? env.BDS_CONFIG : undefined;
  const configPath = path.resolve(cwd, options.path ?? fromEnv ?? DEFAULT_CONFIG_FILE);
  const format = path.extname(configPath).toLowerCase() === '.json' ? 'json' : 'yaml';
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error: unknown) {
    throw new ConfigError(configPath, [{ path: '', message: describeReadError(error) }], { cause: error });
  }
  return parseConfig(text, { format, configPath, env });
}

function describeReadError(error: unknown): string {
  const code = errorCode(error);
  switch (code) {
    case 'ENOENT':
      return 'file not found (point --config or the BDS_CONFIG environment variable at the configuration file)';
    case 'EISDIR':
      return 'is a folder, not a file (point --config or BDS_CONFIG at the configuration file itself)';
    case 'EACCES':
    case 'EPERM':
      return `cannot read the file: permission denied (${code})`;
    default:
      return `cannot read the file${code === undefined ? '' : ` (${code})`}`;
  }
}

function isPlainRecordLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Validates configuration text; `loadConfig` without the file system (tests use it directly).
 *
 * @throws ConfigError listing every problem, in file order.
 */
export function parseConfig(text: string, options: ParseOptions): LoadedConfig {
  const configPath = path.resolve(options.configPath);
  // Editors on Windows like to start files with a byte order mark; neither parser wants it.
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;

  const parsed = options.format === 'json' ? parseJson(source) : parseYaml(source);
  if ('problems' in parsed) {
    throw new ConfigError(configPath, parsed.problems);
  }
  const { data, document } = parsed;
  if (!isPlainRecord(data)) {
    const got = data === null || data === undefined ? 'the file is empty' : 'the file does not hold a mapping';
    throw new ConfigError(configPath, [
      { path: '', message: `${got}; expected a mapping with customer, sources, tenants, ...` },
    ]);
  }

  // Taken out before substitution copies the data: copying assigns `out[key]`, and for
  // `__proto__` that sets the copy's prototype, whose values the schema would then read as if
  // they were keys of the file (`__proto__: { dataDir: /elsewhere }` set dataDir).
  const unsafe = prototypeKeys(data);
  const substituted = substituteEnv(unsafe.length === 0 ? data : withoutPrototypeKeys(data), options.env);
  const secrets = collectSecrets(substituted.value, substituted.substitutions);

  const problems: RawProblem[] = [...unsafe, ...substituted.problems];
  // A string whose reference failed was left unsubstituted: other complaints about it would
  // only be noise.
  const unresolved = new Set(substituted.problems.map((p) => formatPath(p.path)));
  const result = checkConfig(substituted.value);
  for (const problem of result.problems) {
    if (!unresolved.has(formatPath(problem.path))) {
      problems.push(problem);
    }
  }

  if (problems.length > 0 || !result.success) {
    throw new ConfigError(configPath, finishProblems(problems, document, secrets));
  }
  // Read now, not at the first delivery: a key file that is missing or is not a private key is
  // a configuration error found before any work, like every other one.
  const key = readSftpKey(result.data.transmit?.sftp?.privateKey, path.dirname(configPath));
  if ('problem' in key) {
    throw new ConfigError(configPath, finishProblems([key.problem], document, secrets));
  }
  const allSecrets = key.key === undefined || secrets.includes(key.key) ? secrets : [key.key, ...secrets].sort((a, b) => b.length - a.length);
  return { config: resolve(result.data, configPath, key), secrets: allSecrets };
}

// Both YAML and JSON parsers keep these as ordinary own keys; in a plain object they are
// special (`__proto__` is the prototype), and the schema knows none of them.
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__']);

/** Every `__proto__` key of the parsed data, as an unknown-key problem at its path. */
function prototypeKeys(data: unknown): RawProblem[] {
  const problems: RawProblem[] = [];
  const walk = (node: unknown, path: readonly PathSegment[]): void => {
    if (Array.isArray(node)) {
      node.forEach((item: unknown, index) => walk(item, [...path, index]));
      return;
    }
    if (!isPlainRecord(node)) {
      return;
    }
    for (const key of Object.keys(node)) {
      if (PROTOTYPE_KEYS.has(key)) {
        problems.push({ path: [...path, key], message: 'unknown key (a key named __proto__ is never valid)' });
      } else {
        walk(node[key], [...path, key]);
      }
    }
  };
  walk(data, []);
  return problems;
}

/** A copy of the parsed data without its `__proto__` keys (reported by `prototypeKeys`). */
function withoutPrototypeKeys(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(withoutPrototypeKeys);
  }
  if (!isPlainRecord(node)) {
    return node;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node)) {
    if (!PROTOTYPE_KEYS.has(key)) {
      out[key] = withoutPrototypeKeys(node[key]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing the text
// ---------------------------------------------------------------------------------------------

type Parsed =
  | { readonly data: unknown; readonly document: Document | undefined }
  | { readonly problems: ConfigProblem[] };

function parseYaml(text: string): Parsed {
  // `merge` lets a file share a source block with `<<: *anchor`.
  const document = parseDocument(text, { merge: true, prettyErrors: true });
  if (document.errors.length > 0) {
    // After the first syntax error the parser's further complaints are mostly echoes of it;
    // duplicate keys are independent, so each is reported.
    const duplicates = document.errors.filter((e) => e.code === 'DUPLICATE_KEY');
    const first = document.errors.find((e) => e.code !== 'DUPLICATE_KEY');
    const chosen = [...duplicates, ...(first === undefined ? [] : [first])];
    chosen.sort((a, b) => a.pos[0] - b.pos[0]);
    return { problems: chosen.map((e) => ({ path: '', message: yamlErrorMessage(e, text) })) };
  }
  try {
    return { data: document.toJS({ maxAliasCount: 1000 }), document };
  } catch (error) {
    const reason = error instanceof Error ? error.message : '';
    // An unquoted value that starts with `*` is an alias to an anchor of that name: the name is
    // the value (often a password), so it is not repeated.
    if (/unresolved alias/i.test(reason)) {
      return { problems: [{ path: '', message: 'a value starting with "*" is read as an alias to an anchor that does not exist: quote the value ("*...")' }] };
    }
    // An "alias bomb" (anchors referring to anchors, each expanding many times) would take the
    // memory of the machine: the parser stops at 1000 expansions, and so does the file.
    return { problems: [{ path: '', message: 'the file expands its aliases (*name) too many times; write the repeated parts out' }] };
  }
}

function yamlErrorMessage(error: YAMLError, text: string): string {
  const where = error.linePos === undefined ? '' : ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`;
  if (error.code === 'DUPLICATE_KEY') {
    return `YAML error${where}: the same key appears twice in one mapping`;
  }
  // The library's message quotes the offending source line; it may hold a password, so only
  // the first sentence is kept, without any quoted token.
  const reason = (error.message.split('\n')[0] ?? '')
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/: ".*"$/, '');
  const line = error.linePos === undefined ? '' : (text.split('\n')[error.linePos[0].line - 1] ?? '');
  const hint = line.includes('${')
    ? ' (a ${env:NAME} reference inside { } or [ ] must be quoted: "${env:NAME}")'
    : '';
  return `YAML syntax error${where}: ${reason}${hint}`;
}

function parseJson(text: string): Parsed {
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (error: unknown) {
    return { problems: [{ path: '', message: jsonErrorMessage(text, error) }] };
  }
  // JSON.parse keeps the last of two equal keys without a word; the YAML parser (JSON is YAML)
  // finds them, and gives the positions used to sort problems.
  const document = parseDocument(text, { prettyErrors: true });
  const duplicates = document.errors.filter((e) => e.code === 'DUPLICATE_KEY');
  if (duplicates.length > 0) {
    return { problems: duplicates.map((e) => ({ path: '', message: yamlErrorMessage(e, text) })) };
  }
  return { data, document: document.errors.length === 0 ? document : undefined };
}

function jsonErrorMessage(text: string, error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  // V8 quotes part of the text (`"..." is not valid JSON`); it may hold a password.
  // Everything quoted goes ("Unexpected token 'S', ..."assword": S3cr..."... is not valid JSON"):
  // the kind of error and its line and column are enough to find it.
  const reason = raw
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/,.*$/s, '')
    // The token itself may be a quote (`Unexpected token '''`), which the next rule cannot pair.
    .replace(/( token) '.*'$/s, '$1')
    .replace(/\s*(?:'[^']*'|"[^"]*")/g, '')
    .trim();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { schema: 'json', lineCounter, prettyErrors: false });
  const position = /at position (\d+)/.exec(raw);
  const offset = position === null ? firstJsonErrorOffset(text, document) : Number(position[1]);
  const { line, col } = lineCounter.linePos(offset);
  return `JSON syntax error at line ${line}, column ${col}: ${reason}`;
}

/**
 * Offset of the first thing a strict JSON reader rejects, for when V8's error names the bad
 * token but not where it is. The YAML parser reads JSON (JSON is YAML) and keeps every node's
 * range: with the JSON schema, a bare word (`secret`, `NaN`, `tru`) is an error at its start;
 * what YAML allows and JSON does not (a single-quoted string, a comment, a trailing comma, block
 * style) is found on the parsed tokens. Only used for messages.
 */
function firstJsonErrorOffset(text: string, document: Document): number {
  const candidates = document.errors.map((e) => e.pos[0]);
  for (const token of new Parser().parse(text)) {
    const found = firstNonJsonToken(token);
    if (found !== undefined) candidates.push(found);
  }
  return candidates.length === 0 ? text.length : Math.min(text.length, ...candidates);
}

// Token types of the YAML syntax tree that JSON has no equivalent for.
const NON_JSON_TOKENS: ReadonlySet<string> = new Set([
  'comment',
  'single-quoted-scalar',
  'block-scalar',
  'block-map',
  'block-seq',
  'anchor',
  'tag',
  'alias',
  'explicit-key-ind',
  'directive',
]);

/** The offset of the first token under `token` that JSON does not allow, if any. */
function firstNonJsonToken(token: unknown): number | undefined {
  let first: number | undefined;
  const note = (offset: number): void => {
    if (first === undefined || offset < first) first = offset;
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      // In a flow collection's item list a comma directly before the closing bracket is a
      // trailing comma: YAML takes it, JSON does not.
      node.forEach(walk);
      return;
    }
    if (!isPlainRecordLike(node)) return;
    const { type, offset } = node;
    if (typeof type === 'string' && typeof offset === 'number' && NON_JSON_TOKENS.has(type)) note(offset);
    if (type === 'flow-collection' && Array.isArray(node.items)) {
      const last: unknown = node.items[node.items.length - 1];
      if (isPlainRecordLike(last) && last.key === undefined && last.value === undefined && last.sep === undefined && Array.isArray(last.start)) {
        const comma: unknown = last.start.find((t: unknown) => isPlainRecordLike(t) && t.type === 'comma');
        if (isPlainRecordLike(comma) && typeof comma.offset === 'number') note(comma.offset);
      }
    }
    for (const value of Object.values(node)) if (typeof value === 'object') walk(value);
  };
  walk(token);
  return first;
}

// ---------------------------------------------------------------------------------------------
// Problems: order, redaction
// ---------------------------------------------------------------------------------------------

function finishProblems(
  problems: readonly RawProblem[],
  document: Document | undefined,
  secrets: readonly string[],
): ConfigProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${formatPath(p.path)}\u0000${p.message}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
  const positioned = unique.map((problem, index) => ({
    problem,
    index,
    offset: document === undefined ? 0 : offsetOf(document, problem.path),
  }));
  // Stable: problems at the same place keep the order in which they were found.
  positioned.sort((a, b) => a.offset - b.offset || a.index - b.index);
  // The path too: a secret written where a key belongs is a key of the path.
  return positioned.map(({ problem }) => ({
    path: redact(formatPath(problem.path), secrets),
    message: redact(problem.message, secrets),
  }));
}

/**
 * Where a path is in the file: the start of its key (or list item), or of the nearest ancestor
 * that exists when the key itself is missing.
 */
function offsetOf(document: Document, segments: readonly PathSegment[]): number {
  let node: unknown = document.contents;
  let offset = rangeStart(node) ?? 0;
  for (const segment of segments) {
    if (isAlias(node)) {
      node = node.resolve(document);
    }
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) {
        break;
      }
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) {
        break;
      }
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  if (isPlainRecordLike(node) && Array.isArray(node.range) && typeof node.range[0] === 'number') {
    return node.range[0];
  }
  return undefined;
}

// Messages never quote a secret field, but a secret pasted into another field (say a host)
// could be echoed by a value-quoting rule: a last guard before anything is printed. The rules
// quote with JSON.stringify, so a secret with a quote or a backslash is echoed escaped: both
// forms are masked.
function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret.length >= 4) {
      for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
        out = out.split(form).join('***');
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

function collectSecrets(data: unknown, substitutions: readonly EnvSubstitution[]): string[] {
  const found = new Set<string>();
  const add = (value: string): void => {
    if (value !== '') {
      found.add(value);
    }
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (!isPlainRecord(node)) {
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'privateKey' && typeof value === 'string') {
        if (isPrivateKeyText(value)) add(value);
      } else if (SECRET_KEYS.has(key) && typeof value === 'string') {
        add(value);
        if (key === 'connectionString') {
          passwordsInConnectionString(value).forEach(add);
        }
      } else {
        walk(value);
      }
    }
  };
  walk(data);
  for (const substitution of substitutions) {
    const last = substitution.path[substitution.path.length - 1];
    if (typeof last === 'string' && (SECRET_KEYS.has(last) || (last === 'privateKey' && isPrivateKeyText(substitution.value)))) {
      add(substitution.value);
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** The password of a URL (`postgres://u:pw@h/db`) or of a `key=value;` string (mssql, libpq). */
function passwordsInConnectionString(connectionString: string): string[] {
  const out: string[] = [];
  try {
    const url = new URL(connectionString);
    if (url.password !== '') {
      out.push(url.password);
      try {
        out.push(decodeURIComponent(url.password));
      } catch {
        // A malformed escape: the raw form is already listed.
      }
    }
  } catch {
    // Not a URL: look for key=value pairs below.
  }
  const pairs = /(?:^|[;\s])\s*(?:password|pwd)\s*=\s*('[^']*'|"[^"]*"|\{[^}]*\}|[^;\s]*)/gi;
  for (const match of connectionString.matchAll(pairs)) {
    const value = match[1] ?? '';
    const quoted = /^(['"{]).*(['"}])$/s.test(value);
    out.push(value);
    if (quoted) {
      out.push(value.slice(1, -1));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Resolution: defaults, absolute paths, final types
// ---------------------------------------------------------------------------------------------

interface SftpKey {
  /** The key's text, when `privateKey` is set. */
  readonly key?: string;
  /** The file it was read from, when it was given as a path. */
  readonly path?: string;
}

const KEY_HOW = 'give the path of an SSH private key file (relative to this file\'s folder), or the key itself through ${env:NAME}';

/** The SFTP private key: `privateKey` itself when it holds a key, else the file it names, read. */
function readSftpKey(privateKey: string | undefined, folder: string): SftpKey | { readonly problem: RawProblem } {
  if (privateKey === undefined) return {};
  if (isPrivateKeyText(privateKey)) {
    if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(privateKey)) {
      return { problem: { path: ['transmit', 'sftp', 'privateKey'], message: `the value is not a private key (no "-----BEGIN ... PRIVATE KEY-----" line): ${KEY_HOW}` } };
    }
    return { key: privateKey };
  }
  const file = path.resolve(folder, privateKey);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error: unknown) {
    const code = isPlainRecordLike(error) && typeof error.code === 'string' ? ` (${error.code})` : '';
    return { problem: { path: ['transmit', 'sftp', 'privateKey'], message: `cannot read the private key file ${file}${code}: ${KEY_HOW}` } };
  }
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    const isPublic = /^(ssh-|ecdsa-)[a-z0-9-]+ [A-Za-z0-9+/=]+/.test(text.trim());
    return {
      problem: {
        path: ['transmit', 'sftp', 'privateKey'],
        message: `${file} is ${isPublic ? 'a public key' : 'not a private key file'}: ${KEY_HOW}`,
      },
    };
  }
  return { key: text, path: file };
}

function resolve(parsed: ParsedConfig, configPath: string, sftpKey: SftpKey = {}): BdsConfig {
  const folder = path.dirname(configPath);
  const sources = parsed.sources ?? {};
  const transmit = parsed.transmit;
  return {
    configPath,
    customer: { garn: parsed.customer.garn, name: parsed.customer.name },
    dataDir: path.resolve(folder, parsed.dataDir ?? DEFAULT_DATA_DIR),
    processingDelaySeconds: parsed.processingDelay ?? DEFAULT_PROCESSING_DELAY_SECONDS,
    scheduler: { timezone: parsed.scheduler?.timezone ?? DEFAULT_SCHEDULER_TIMEZONE },
    verify: parsed.verify ?? false,
    ...(parsed.dispatch === undefined ? {} : { dispatch: parsed.dispatch }),
    ...(parsed.files === undefined
      ? {}
      : { files: { mode: parsed.files.mode ?? DEFAULT_FILE_MODE, dirMode: parsed.files.dirMode ?? DEFAULT_DIR_MODE } }),
    sources: {
      ...(sources.gim === undefined ? {} : { gim: resolveSource(sources.gim) }),
      ...(sources.config === undefined ? {} : { config: resolveSource(sources.config) }),
      ...(sources.gvp === undefined ? {} : { gvp: resolveSource(sources.gvp) }),
    },
    tenants: parsed.tenants.map(
      (tenant): TenantConfig => ({
        id: tenant.id,
        gimTenantKey: tenant.gimTenantKey,
        cfgTenantDbid: tenant.cfgTenantDbid,
        timezone: tenant.timezone ?? DEFAULT_TIMEZONE,
        productionDate: tenant.productionDate,
        excludeAgents: tenant.excludeAgents ?? [],
        metrics: tenant.metrics,
        regions: tenant.regions.map((region) => ({
          code: region.code,
          ...(region.gvp === undefined ? {} : { gvp: resolveSource(region.gvp) }),
          locations: region.locations.map((location) => ({ code: location.code, switches: location.switches })),
        })),
        ...(tenant.detail === undefined || tenant.detail === false
          ? {}
          : { detail: { names: tenant.detail !== true && tenant.detail.names === true } }),
      }),
    ),
    catalogue: Object.fromEntries(
      Object.entries(parsed.catalogue ?? {}).map(([key, override]): [string, MetricOverride] => [
        key,
        {
          ...(override.mediaCodes === undefined ? {} : { mediaCodes: override.mediaCodes }),
          ...(override.subtypeCodes === undefined ? {} : { subtypeCodes: override.subtypeCodes }),
          ...(override.codes === undefined ? {} : { codes: resolveCodes(override.codes) }),
          ...(override.measureCodes === undefined ? {} : { measureCodes: resolveMeasureCodes(override.measureCodes) }),
        },
      ]),
    ),
    ...(transmit === undefined
      ? {}
      : {
          transmit: {
            ...(transmit.s3 === undefined ? {} : { s3: transmit.s3 }),
            ...(transmit.sftp === undefined ? {} : { sftp: resolveSftp(transmit.sftp, sftpKey) }),
            copyTo: (transmit.copyTo ?? []).map((target) => path.resolve(folder, target)),
          },
        }),
  };
}

function resolveSftp(sftp: NonNullable<NonNullable<ParsedConfig['transmit']>['sftp']>, key: SftpKey): SftpConfig {
  const { privateKey: _given, port, connectTimeout, path: root, ...rest } = sftp;
  return {
    ...rest,
    port: port ?? DEFAULT_SFTP_PORT,
    connectTimeout: connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
    path: root === '/' ? root : root.replace(/\/$/, ''),
    ...(key.key === undefined ? {} : { privateKey: key.key }),
    ...(key.path === undefined ? {} : { privateKeyPath: key.path }),
  };
}

function resolveSource(source: ParsedSource): SourceConfig {
  const { connectTimeout, queryTimeout, ...rest } = source;
  return {
    ...rest,
    connectTimeout: connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
    queryTimeout: queryTimeout ?? DEFAULT_QUERY_TIMEOUT_SECONDS,
  };
}

function resolveCodes(codes: ParsedCodes): BackOfficeCodes {
  // Only the codes actually written: an absent key keeps the catalogue's value.
  // Typed with its `undefined`: an optional key may be present with no value.
  return Object.fromEntries(Object.entries<string | undefined>(codes).filter(([, v]) => v !== undefined));
}

const MEASURES: readonly string[] = ['concurrent', 'enabled', 'count', 'peak', 'minutes'] satisfies Measure[];

function resolveMeasureCodes(
  measureCodes: Readonly<Record<string, ParsedCodes>>,
): Partial<Record<Measure, BackOfficeCodes>> {
  const out: Partial<Record<Measure, BackOfficeCodes>> = {};
  for (const [measure, codes] of Object.entries(measureCodes)) {
    // relationProblems has already rejected keys that are not measures of the metric.
    if (isMeasure(measure)) {
      out[measure] = resolveCodes(codes);
    }
  }
  return out;
}

function isMeasure(value: string): value is Measure {
  return MEASURES.includes(value);
}
