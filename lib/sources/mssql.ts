/**
 * The SQL Server source driver (the GVP Reporting Server usually lives there), on node-mssql with
 * its tedious driver.
 *
 * Rows are streamed through `request.toReadableStream()`: the library pauses the TDS token parser
 * whenever the stream's buffer is full, so memory stays bounded however big the day is, and no
 * hand-written `pause()`/`resume()` bookkeeping can drop rows. Every failure, whether it happens
 * while connecting, before the first row or in the middle of the result, reaches the consumer as a
 * `SourceError`: a billing file must never be written from a silently truncated result.
 */
import mssql from 'mssql';
import type { ConnectionPool, ISqlType, Request, config as MssqlPoolConfig } from 'mssql';
import type { Readable } from 'node:stream';
import type { SourceConfig } from '../config/types';
import { errorCode } from '../errors';
import { QueryParameterError, SourceError } from './errors';
import { bindValues, compileNamedParameters } from './named-params';
import type { Row, SourceClient, SqlQuery, SqlValue } from './types';

/** The name SQL Server shows for our sessions (`sys.dm_exec_sessions.program_name`). */
export const APPLICATION_NAME = 'bds';

/**
 * Rows buffered between the driver and the consumer. The TDS parser is paused once this many rows
 * wait, so this bounds memory; it is large enough that a consumer which keeps up never stalls the
 * connection on every row.
 */
export const STREAM_HIGH_WATER_MARK = 256;

/** Codes of the failures this module raises itself (the driver's own codes pass through). */
export const MssqlClientCode = {
  /** The configuration cannot describe a connection (bad connection string, no server). */
  config: 'ECONFIG',
  /** The query returned a second result set; which one holds the data would be a guess. */
  multipleResultSets: 'EMULTIRESULT',
  /** The query returned no result set at all (an UPDATE, say): not a data query. */
  noResultSet: 'ENORESULT',
  /** The client was used after `close()`. */
  closed: 'ECLOSED',
} as const;

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/**
 * Translates a source's configuration into node-mssql's pool configuration.
 *
 * The connection may be given as an ADO-style string (`Server=host,1433;Database=...`), which
 * node-mssql parses, as an `mssql://user:password@host:port/database?encrypt=true` URL, which this
 * function parses because node-mssql (since version 8) no longer does and silently returns an
 * empty configuration for one, or as separate host/port/database/user/password fields.
 *
 * TLS settings from the BDS configuration win over the connection string's, which win over the
 * defaults (encrypt on, server certificate verified). Timeouts always come from the BDS
 * configuration (seconds there, milliseconds here).
 *
 * @throws SourceError with code `ECONFIG` when no server can be determined or the string is
 *   malformed; the message never contains the connection string or the password.
 */
export function toMssqlConfig(sourceName: string, config: SourceConfig): MssqlPoolConfig {
  const base = config.connectionString !== undefined && config.connectionString !== ''
    ? fromConnectionString(sourceName, config.connectionString)
    : fromFields(config);
  if (base.server === undefined || base.server === '') {
    throw new SourceError(sourceName, 'the SQL Server connection names no server (host, or Server= in the connection string)', {
      code: MssqlClientCode.config,
    });
  }
  const parsedOptions = base.options ?? {};
  return {
    ...base,
    server: base.server,
    connectionTimeout: secondsToMilliseconds(config.connectTimeout),
    requestTimeout: secondsToMilliseconds(config.queryTimeout),
    // A connection string may ask for these; rows must stay keyed objects, and only the requests
    // streamRequest prepares are streamed (ping reads its single row from the result).
    stream: false,
    arrayRowMode: false,
    parseJSON: false,
    options: {
      ...parsedOptions,
      encrypt: config.encrypt ?? parsedOptions.encrypt ?? true,
      trustServerCertificate: config.trustServerCertificate ?? parsedOptions.trustServerCertificate ?? false,
      // The Reporting Server stores its timestamps in UTC; reading them as local time would shift
      // every call across the day boundary by the host's offset.
      useUTC: true,
      appName: APPLICATION_NAME,
    },
    // BDS runs one query at a time per source (two while a check pings alongside), so a bigger
    // pool would only hold idle sessions on the customer's server.
    pool: { min: 0, max: 2 },
  };
}

function secondsToMilliseconds(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** The part of the pool configuration a connection string or the fields can supply. */
type ConnectionParts = Omit<MssqlPoolConfig, 'server'> & { server?: string | undefined };

function fromFields(config: SourceConfig): ConnectionParts {
  return {
    server: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    password: config.password,
  };
}

function fromConnectionString(sourceName: string, connectionString: string): ConnectionParts {
  if (/^mssql:\/\//i.test(connectionString.trim())) return fromUrl(sourceName, connectionString.trim());
  let parsed: ReturnType<typeof mssql.ConnectionPool.parseConnectionString>;
  try {
    parsed = mssql.ConnectionPool.parseConnectionString(connectionString);
  } catch (error) {
    // The parser's messages do not quote the string, but scrub anyway: this ends up in logs.
    throw new SourceError(sourceName, `the connection string cannot be parsed: ${scrub(messageOf(error), [connectionString])}`, {
      code: MssqlClientCode.config,
    });
  }
  const { pool: _ignoredPool, ...rest } = parsed;
  return rest;
}

const URL_BOOLEANS: Readonly<Record<string, boolean>> = { true: true, yes: true, '1': true, false: false, no: false, '0': false };

/**
 * Parses `mssql://user:password@host[:port]/database` or `.../instance/database`, with the query
 * parameters `encrypt` and `trustServerCertificate`. Anything else in the query is rejected rather
 * than ignored, so that a misspelt TLS option cannot silently fall back to a default.
 */
function fromUrl(sourceName: string, connectionString: string): ConnectionParts {
  const fail = (reason: string): never => {
    throw new SourceError(sourceName, `the mssql:// connection string is invalid: ${reason}`, { code: MssqlClientCode.config });
  };
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    // The URL parser's message would quote the whole string, password included.
    return fail('it is not a valid URL');
  }
  const decode = (part: string, what: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      return fail(`the ${what} is not correctly URL-encoded`);
    }
  };
  const server = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (server === '') fail('it names no host');
  let port: number | undefined;
  if (url.port !== '') port = Number(url.port);
  const segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decode(s, 'path'));
  if (segments.length > 2) fail('the path must be /database or /instance/database');
  const [first, second] = segments;
  const instanceName = segments.length === 2 ? first : undefined;
  const database = segments.length === 2 ? second : first;
  const options: { encrypt?: boolean; trustServerCertificate?: boolean; instanceName?: string } = {};
  if (instanceName !== undefined) options.instanceName = instanceName;
  for (const [key, raw] of url.searchParams) {
    const value = URL_BOOLEANS[raw.toLowerCase()];
    const name = key.toLowerCase();
    if (name !== 'encrypt' && name !== 'trustservercertificate') {
      fail(`unknown parameter "${key}" (known: encrypt, trustServerCertificate)`);
    }
    if (value === undefined) fail(`parameter "${key}" must be true or false`);
    if (name === 'encrypt') options.encrypt = value;
    else options.trustServerCertificate = value;
  }
  return {
    server,
    port,
    database,
    user: url.username === '' ? undefined : decode(url.username, 'user name'),
    password: url.password === '' ? undefined : decode(url.password, 'password'),
    options,
  };
}

/**
 * The strings that must never appear in a message: the connection string and the password, in
 * every spelling the configuration holds. Longest first, so a connection string is replaced whole
 * before the password inside it.
 */
export function secretsOf(config: SourceConfig, mssqlConfig?: MssqlPoolConfig): string[] {
  const secrets = new Set<string>();
  const add = (value: string | undefined): void => {
    if (value !== undefined && value !== '') secrets.add(value);
  };
  add(config.connectionString);
  add(config.connectionString?.trim());
  add(config.password);
  add(mssqlConfig?.password);
  if (mssqlConfig?.password !== undefined) add(encodeURIComponent(mssqlConfig.password));
  return [...secrets].sort((a, b) => b.length - a.length);
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.message !== '') return error.message;
    // tedious reports "could not reach any of the addresses" as an AggregateError with no message.
    if (error instanceof AggregateError) {
      const inner = error.errors.find((e): e is Error => e instanceof Error && e.message !== '');
      if (inner !== undefined) return inner.message;
    }
    return error.name;
  }
  return String(error);
}

function propertyOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * The most specific code of a driver error: the SQL Server error number (`208`: invalid object
 * name) when the server reported one, else the driver's code (`ESOCKET`, `ELOGIN`, `ETIMEOUT`...),
 * looking through `originalError` as node-mssql wraps tedious errors.
 */
export function mssqlErrorCode(error: unknown): string | undefined {
  // node-mssql copies tedious' code into `number` when the server sent no number, so only a
  // numeric `number` is a SQL Server error number.
  const number = propertyOf(error, 'number');
  if (typeof number === 'number' && Number.isInteger(number)) return String(number);
  const code = errorCode(error);
  if (code !== undefined && code !== '') return code;
  const original = propertyOf(error, 'originalError');
  if (original !== undefined && original !== error) return mssqlErrorCode(original);
  return undefined;
}

/**
 * Turns any failure of the driver into a `SourceError` naming the source and the query, keeping
 * the SQL Server error number or driver code as `code` and the original error as `cause`. The
 * message is scrubbed of the given secrets (connection string, password).
 */
export function wrapMssqlError(
  sourceName: string,
  queryName: string,
  error: unknown,
  secrets: readonly string[] = [],
): SourceError {
  if (error instanceof SourceError) return error;
  const code = mssqlErrorCode(error);
  const number = propertyOf(error, 'number');
  const suffix = code === undefined ? '' : typeof number === 'number' ? ` (SQL Server error ${code})` : ` (${code})`;
  return new SourceError(sourceName, `query ${queryName} failed: ${scrub(messageOf(error), secrets)}${suffix}`, {
    cause: error,
    code,
  });
}

/**
 * The SQL Server type a value is bound as. Types are explicit so that the server never has to
 * guess from the driver's defaults (an integer as FLOAT would defeat index seeks on id columns).
 *
 * @throws RangeError for values SQL Server cannot represent (NaN, infinities, invalid dates).
 */
export function sqlTypeFor(value: SqlValue): ISqlType {
  if (value === null) return mssql.NVarChar();
  switch (typeof value) {
    case 'string':
      return mssql.NVarChar();
    case 'boolean':
      return mssql.Bit();
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`${value} cannot be sent to SQL Server`);
      if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return mssql.Int();
      // Beyond 2^53 a JavaScript integer is already approximate; BIGINT would pretend otherwise.
      if (Number.isSafeInteger(value)) return mssql.BigInt();
      return mssql.Float();
    default:
      if (Number.isNaN(value.getTime())) throw new RangeError('an invalid Date cannot be sent to SQL Server');
      return mssql.DateTime2();
  }
}

/**
 * Compiles the query's `:name` placeholders to `@name` and declares each as a typed input of the
 * request. Returns the SQL to run.
 *
 * @throws QueryParameterError when a placeholder has no value or a value cannot be bound.
 */
export function bindParameters(request: Request, query: SqlQuery, params: Readonly<Record<string, SqlValue>>): string {
  const compiled = compileNamedParameters(query.text, (name) => `@${name}`);
  const values = bindValues(query.name, compiled.names, params);
  compiled.names.forEach((name, index) => {
    const value = values[index] ?? null;
    let type: ISqlType;
    try {
      type = sqlTypeFor(value);
    } catch (error) {
      throw new QueryParameterError(`query ${query.name}: parameter :${name} cannot be bound: ${messageOf(error)}`, {
        cause: error,
      });
    }
    request.input(name, type, value);
  });
  return compiled.text;
}

/**
 * Iterates an object-mode Readable with its backpressure intact: one row is read per `next()`, so
 * the producer is paused (the Readable calls `_read` no more) while the consumer is busy.
 *
 * When the consumer stops early (a `break`, or it throws), `onEarlyExit` runs first, so the
 * producer is told to stop (a query is cancelled on the server) before the stream is destroyed.
 * An error of the stream rejects the pending `next()` after the rows already delivered.
 */
export async function* readableToAsyncIterable<T>(
  readable: Readable,
  onEarlyExit: () => void = () => undefined,
): AsyncGenerator<T, void, undefined> {
  const iterator: AsyncIterator<unknown> = readable[Symbol.asyncIterator]();
  let settled = false;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) {
        settled = true;
        return;
      }
      yield next.value as T;
    }
  } catch (error) {
    // The stream failed: it is already destroyed and there is nothing left to stop.
    settled = true;
    throw error;
  } finally {
    if (!settled) {
      try {
        onEarlyExit();
      } finally {
        readable.destroy();
      }
    }
  }
}

/** What `streamRequest` needs besides the request: names for messages, secrets to scrub. */
export interface StreamContext {
  readonly sourceName: string;
  readonly queryName: string;
  readonly secrets?: readonly string[];
  /** Rows buffered before the driver is paused (default `STREAM_HIGH_WATER_MARK`). */
  readonly highWaterMark?: number;
}

/**
 * Runs `text` on a prepared request (inputs already declared) and yields its rows.
 *
 * The query must produce exactly one result set. node-mssql's readable stream runs the rows of
 * every result set together with nothing to tell them apart, so the request's `recordset` events
 * are counted: a second one cancels the query and fails the iteration before any of its rows is
 * delivered; none at all (a statement without a SELECT) fails at the end.
 *
 * However the iteration ends, the request has finished (run to the end, failed, or been cancelled
 * and acknowledged) before the generator completes, so its connection is back in the pool.
 */
export async function* streamRequest(request: Request, text: string, context: StreamContext): AsyncGenerator<Row, void, undefined> {
  const { sourceName, queryName } = context;
  const secrets = context.secrets ?? [];
  let resultSets = 0;
  // Set by the 'done' listener, which TypeScript's narrowing does not follow.
  let requestDone = false as boolean;
  let failure: SourceError | undefined;

  const readable = request.toReadableStream({ highWaterMark: context.highWaterMark ?? STREAM_HIGH_WATER_MARK });
  request.on('recordset', () => {
    resultSets += 1;
    if (resultSets === 2) {
      failure = new SourceError(
        sourceName,
        `query ${queryName} failed: it returned more than one result set; a source query must be a single SELECT`,
        { code: MssqlClientCode.multipleResultSets },
      );
      request.cancel();
      // Destroying now, not when the cancel is acknowledged, keeps the second set's rows from
      // reaching the consumer.
      readable.destroy(failure);
    }
  });
  request.on('done', () => {
    requestDone = true;
  });
  // In stream mode node-mssql resolves this promise even when the query fails: failures come as
  // 'error' events, which toReadableStream turns into the stream's error. It is awaited only to
  // know that the request is over and its connection released.
  const completion = request.query(text).then(
    () => undefined,
    () => undefined,
  );

  try {
    yield* readableToAsyncIterable<Row>(readable, () => request.cancel());
  } catch (error) {
    throw failure ?? wrapMssqlError(sourceName, queryName, error, secrets);
  } finally {
    // After an error the server may still be sending rows (the stream's destroy resumes a paused
    // request so that it can run to the end): stop it rather than read them all.
    if (!requestDone) request.cancel();
    await completion;
  }
  // A cancel can lose the race with the end of the query, which then ends the stream cleanly.
  if (failure !== undefined) throw failure;
  if (resultSets === 0) {
    throw new SourceError(sourceName, `query ${queryName} failed: it returned no result set; a source query must be a SELECT`, {
      code: MssqlClientCode.noResultSet,
    });
  }
}

/**
 * Creates the SQL Server client of one source. Nothing connects until the first `stream()` or
 * `ping()`; a failed connection is retried by the next call.
 *
 * @throws SourceError (code `ECONFIG`) at once when the configuration cannot describe a connection.
 */
export function createMssqlClient(sourceName: string, config: SourceConfig): SourceClient {
  const poolConfig = toMssqlConfig(sourceName, config);
  const secrets = secretsOf(config, poolConfig);
  const pool = new mssql.ConnectionPool(poolConfig);
  // The pool re-emits failures to acquire or create a connection, and failures of idle
  // connections. Each failure that matters also reaches the request that met it; without a
  // listener, though, an idle connection dropped by the server would throw from an event handler
  // and end the process.
  pool.on('error', () => undefined);

  let connecting: Promise<ConnectionPool> | undefined;
  let closing: Promise<void> | undefined;

  const connected = async (queryName: string): Promise<ConnectionPool> => {
    if (closing !== undefined) {
      throw new SourceError(sourceName, `query ${queryName} failed: the client is closed`, { code: MssqlClientCode.closed });
    }
    connecting ??= pool.connect().catch((error: unknown) => {
      // Forget the failure so that the next call tries again (the server may be back).
      connecting = undefined;
      throw error;
    });
    try {
      return await connecting;
    } catch (error) {
      throw wrapMssqlError(sourceName, queryName, error, secrets);
    }
  };

  return {
    sourceName,

    async *stream(query: SqlQuery, params: Readonly<Record<string, SqlValue>>): AsyncGenerator<Row, void, undefined> {
      // Parameters are bound first: a query/parameter mismatch is a bug to report as such, not
      // hidden behind an unrelated connection failure.
      const request = pool.request();
      const text = bindParameters(request, query, params);
      await connected(query.name);
      yield* streamRequest(request, text, { sourceName, queryName: query.name, secrets });
    },

    async ping(): Promise<void> {
      const ready = await connected('ping');
      try {
        const result = await ready.request().query<{ ok: number }>('SELECT 1 AS ok');
        if (result.recordset[0]?.ok !== 1) throw new Error('SELECT 1 did not return 1');
      } catch (error) {
        throw wrapMssqlError(sourceName, 'ping', error, secrets);
      }
    },

    close(): Promise<void> {
      closing ??= (async () => {
        // node-mssql refuses to close a pool that is still connecting: let the attempt finish.
        if (connecting !== undefined) await connecting.catch(() => undefined);
        try {
          await pool.close();
        } catch (error) {
          throw wrapMssqlError(sourceName, 'close', error, secrets);
        }
      })();
      return closing;
    },
  };
}
