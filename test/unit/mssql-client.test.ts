/**
 * The SQL Server client, without a SQL Server: configuration translation, parameter typing, error
 * wrapping, the streaming path against real Readables (a hand-made one, and node-mssql's own
 * `toReadableStream` fed by a simulated driver), and real failed connections to local sockets.
 */
import mssql from 'mssql';
import net from 'node:net';
import { Readable, type ReadableOptions } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../lib/config/types';
import { QueryParameterError, SourceError } from '../../lib/sources/errors';
import {
  APPLICATION_NAME,
  MssqlClientCode,
  bindParameters,
  createMssqlClient,
  mssqlErrorCode,
  readableToAsyncIterable,
  secretsOf,
  sqlTypeFor,
  streamRequest,
  toMssqlConfig,
  wrapMssqlError,
} from '../../lib/sources/mssql';
import type { Row } from '../../lib/sources/types';

const PASSWORD = 'Sup3r;S3cret!';

function sourceConfig(overrides: Partial<SourceConfig> = {}): SourceConfig {
  return { client: 'mssql', connectTimeout: 30, queryTimeout: 3600, ...overrides };
}

/** Runs `fn` and returns what it threw (failing the test when it does not throw). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('toMssqlConfig', () => {
  it('reads an ADO-style connection string, TLS settings included', () => {
    // Prepare
    const config = sourceConfig({
      connectionString: `Server=db.example.com,1444;Database=gvp_rs;User Id=bds;Password={${PASSWORD}};Encrypt=false;TrustServerCertificate=true`,
      connectTimeout: 7,
      queryTimeout: 600,
    });

    // Act
    const result = toMssqlConfig('gvp', config);

    // Assess
    expect(result).toMatchObject({
      server: 'db.example.com',
      port: 1444,
      database: 'gvp_rs',
      user: 'bds',
      password: PASSWORD,
      connectionTimeout: 7000,
      requestTimeout: 600_000,
      pool: { min: 0, max: 2 },
    });
    expect(result.options).toMatchObject({ encrypt: false, trustServerCertificate: true, useUTC: true, appName: APPLICATION_NAME });
  });

  it('lets the configuration fields override the TLS settings of the connection string', () => {
    // Prepare
    const config = sourceConfig({
      connectionString: 'Server=db;Database=gvp_rs;User Id=bds;Password=x;Encrypt=false;TrustServerCertificate=true',
      encrypt: true,
      trustServerCertificate: false,
    });

    // Act
    const result = toMssqlConfig('gvp', config);

    // Assess
    expect(result.options).toMatchObject({ encrypt: true, trustServerCertificate: false });
  });

  it('ignores connection-string settings that would change the shape of results', () => {
    // Prepare
    const config = sourceConfig({ connectionString: 'Server=db;Database=gvp_rs;User Id=bds;Password=x;Stream=true;ParseJSON=true;Request Timeout=5' });

    // Act
    const result = toMssqlConfig('gvp', config);

    // Assess
    expect(result).toMatchObject({ stream: false, parseJSON: false, arrayRowMode: false, requestTimeout: 3_600_000 });
  });

  it('keeps a named instance of an ADO-style string', () => {
    // Prepare
    const config = sourceConfig({ connectionString: 'Data Source=tcp:db.example.com\\GVP;Initial Catalog=gvp_rs;uid=bds;pwd=x' });

    // Act
    const result = toMssqlConfig('gvp', config);

    // Assess
    expect(result).toMatchObject({ server: 'db.example.com', database: 'gvp_rs', user: 'bds' });
    expect(result.options?.instanceName).toBe('GVP');
  });

  it('reads an mssql:// URL, decoding the user name and password', () => {
    // Prepare
    const config = sourceConfig({
      connectionString: `mssql://bds%5Fro:${encodeURIComponent(PASSWORD)}@db.example.com:1444/gvp_rs?encrypt=false&TrustServerCertificate=yes`,
    });

    // Act
    const result = toMssqlConfig('gvp', config);

    // Assess
    expect(result).toMatchObject({ server: 'db.example.com', port: 1444, database: 'gvp_rs', user: 'bds_ro', password: PASSWORD });
    expect(result.options).toMatchObject({ encrypt: false, trustServerCertificate: true, useUTC: true, appName: 'bds' });
  });

  it('reads the instance/database path and an IPv6 host of an mssql:// URL', () => {
    // Prepare
    const config = sourceConfig({ connectionString: 'mssql://bds:x@[::1]/GVP/gvp_rs' });

    // Act
    const result = toMssqlConfig('gvp', config);

    // Assess
    expect(result).toMatchObject({ server: '::1', database: 'gvp_rs' });
    expect(result.port).toBeUndefined();
    expect(result.options).toMatchObject({ instanceName: 'GVP', encrypt: true, trustServerCertificate: false });
  });

  it.each([
    ['an unknown parameter', `mssql://bds:${PASSWORD}@db/gvp_rs?encrpyt=false`, 'encrpyt'],
    ['a parameter that is not a boolean', `mssql://bds:${PASSWORD}@db/gvp_rs?encrypt=maybe`, 'true or false'],
    ['too many path segments', `mssql://bds:${PASSWORD}@db/a/b/c`, 'path'],
    ['a badly encoded password', 'mssql://bds:100%zz@db/gvp_rs', 'URL-encoded'],
  ])('rejects an mssql:// URL with %s without echoing it', (_label, connectionString, expected) => {
    // Prepare
    const config = sourceConfig({ connectionString });

    // Act
    const error = thrownBy(() => toMssqlConfig('gvp', config));

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    const sourceError = error as SourceError;
    expect(sourceError.code).toBe(MssqlClientCode.config);
    expect(sourceError.message).toContain(expected);
    expect(sourceError.message).not.toContain(PASSWORD);
    expect(sourceError.message).not.toContain('100%zz');
  });

  it('rejects a malformed ADO-style string without echoing it', () => {
    // Prepare
    const config = sourceConfig({ connectionString: `Server=db;Password={${PASSWORD}` });

    // Act
    const error = thrownBy(() => toMssqlConfig('gvp', config));

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('ECONFIG');
    expect((error as SourceError).message).toMatch(/^source gvp: the connection string cannot be parsed/);
    expect((error as SourceError).message).not.toContain(PASSWORD);
  });

  it('maps the separate fields, with TLS on and the certificate verified by default', () => {
    // Prepare
    const config = sourceConfig({
      host: 'rs.example.com',
      port: 1433,
      database: 'gvp_rs',
      user: 'bds',
      password: PASSWORD,
      connectTimeout: 2,
      queryTimeout: 3600,
    });

    // Act
    const result = toMssqlConfig('gvp', config);

    // Assess
    expect(result).toEqual({
      server: 'rs.example.com',
      port: 1433,
      database: 'gvp_rs',
      user: 'bds',
      password: PASSWORD,
      connectionTimeout: 2000,
      requestTimeout: 3_600_000,
      stream: false,
      arrayRowMode: false,
      parseJSON: false,
      options: { encrypt: true, trustServerCertificate: false, useUTC: true, appName: 'bds' },
      pool: { min: 0, max: 2 },
    });
  });

  it('fails when no server is named', () => {
    // Prepare
    const config = sourceConfig({ database: 'gvp_rs', user: 'bds', password: PASSWORD });

    // Act
    const error = thrownBy(() => toMssqlConfig('gvp', config));

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('ECONFIG');
  });

  it('reaches tedious as intended through node-mssql', () => {
    // Prepare
    const config = sourceConfig({ host: 'rs.example.com', port: 1444, database: 'gvp_rs', user: 'bds', password: PASSWORD, connectTimeout: 5, queryTimeout: 90 });
    const pool = new mssql.ConnectionPool(toMssqlConfig('gvp', config));

    // Act: the pool's own translation into a tedious connection configuration (internal, hence the cast).
    const tedious = (pool as unknown as { _config(): { server: string; options: Record<string, unknown> } })._config();

    // Assess
    expect(tedious.server).toBe('rs.example.com');
    expect(tedious.options).toMatchObject({
      port: 1444,
      database: 'gvp_rs',
      encrypt: true,
      trustServerCertificate: false,
      connectTimeout: 5000,
      requestTimeout: 90_000,
      useUTC: true,
      appName: 'bds',
    });
  });
});

describe('secretsOf', () => {
  it('lists the connection string before the password inside it', () => {
    // Prepare
    const connectionString = `Server=db;User Id=bds;Password={${PASSWORD}}`;
    const config = sourceConfig({ connectionString });

    // Act
    const secrets = secretsOf(config, toMssqlConfig('gvp', config));

    // Assess
    expect(secrets[0]).toBe(connectionString);
    expect(secrets).toContain(PASSWORD);
  });
});

describe('sqlTypeFor', () => {
  it.each<[string, Parameters<typeof sqlTypeFor>[0], unknown]>([
    ['zero', 0, mssql.Int],
    ['the largest INT', 2_147_483_647, mssql.Int],
    ['the smallest INT', -2_147_483_648, mssql.Int],
    ['an integer just above INT', 2_147_483_648, mssql.BigInt],
    ['an integer just below INT', -2_147_483_649, mssql.BigInt],
    ['an integer beyond 2^53', 2 ** 60, mssql.Float],
    ['a fraction', 1.5, mssql.Float],
    ['a string', 'DN 4000', mssql.NVarChar],
    ['the empty string', '', mssql.NVarChar],
    ['a boolean', false, mssql.Bit],
    ['a Date', new Date('2024-03-10T00:00:00Z'), mssql.DateTime2],
    ['null', null, mssql.NVarChar],
  ])('binds %s as the right SQL Server type', (_label, value, expected) => {
    // Act
    const type = sqlTypeFor(value);

    // Assess
    expect(type.type).toBe(expected);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['an invalid Date', new Date('not a date')],
  ])('refuses %s', (_label, value) => {
    // Act
    const error = thrownBy(() => sqlTypeFor(value));

    // Assess
    expect(error).toBeInstanceOf(RangeError);
  });
});

describe('bindParameters', () => {
  it('compiles :name to @name and declares each distinct name once, typed', () => {
    // Prepare
    const request = new mssql.Request();
    const since = new Date('2024-03-10T05:00:00Z');
    const query = {
      name: 'gvp.calls',
      text: "SELECT c.id AS id FROM calls c WHERE c.start >= :since AND c.tenant = :tenant AND (c.id > :since_id OR c.note = ':notAParameter') AND c.tenant2 = :tenant -- :comment",
    };

    // Act
    const text = bindParameters(request, query, { since, tenant: 101, since_id: 5_000_000_000, extra: 'unused' });

    // Assess
    expect(text).toBe(
      "SELECT c.id AS id FROM calls c WHERE c.start >= @since AND c.tenant = @tenant AND (c.id > @since_id OR c.note = ':notAParameter') AND c.tenant2 = @tenant -- :comment",
    );
    expect(Object.keys(request.parameters).sort()).toEqual(['since', 'since_id', 'tenant']);
    expect(request.parameters.since).toMatchObject({ type: mssql.DateTime2, value: since, io: 1 });
    expect(request.parameters.tenant).toMatchObject({ type: mssql.Int, value: 101 });
    expect(request.parameters.since_id).toMatchObject({ type: mssql.BigInt, value: 5_000_000_000 });
  });

  it('sends a hostile string as a value, never as SQL', () => {
    // Prepare
    const request = new mssql.Request();
    const hostile = "x'; DROP TABLE calls; --";

    // Act
    const text = bindParameters(request, { name: 'q', text: 'SELECT 1 AS one WHERE :name IS NOT NULL AND :flag = 1 AND :nothing IS NULL' }, {
      name: hostile,
      flag: true,
      nothing: null,
    });

    // Assess
    expect(text).not.toContain('DROP');
    expect(request.parameters.name).toMatchObject({ type: mssql.NVarChar, value: hostile });
    expect(request.parameters.flag).toMatchObject({ type: mssql.Bit, value: true });
    expect(request.parameters.nothing).toMatchObject({ type: mssql.NVarChar, value: null });
  });

  it('fails on a placeholder without a value', () => {
    // Prepare
    const request = new mssql.Request();

    // Act
    const error = thrownBy(() => bindParameters(request, { name: 'gvp.calls', text: 'SELECT 1 AS one WHERE :dayStart < :dayEnd' }, { dayStart: 1 }));

    // Assess
    expect(error).toBeInstanceOf(QueryParameterError);
    expect((error as Error).message).toContain(':dayEnd');
  });

  it('fails on a value SQL Server cannot hold, naming the parameter', () => {
    // Prepare
    const request = new mssql.Request();

    // Act
    const error = thrownBy(() => bindParameters(request, { name: 'gvp.calls', text: 'SELECT :ratio AS r' }, { ratio: Number.NaN }));

    // Assess
    expect(error).toBeInstanceOf(QueryParameterError);
    expect((error as Error).message).toContain('gvp.calls');
    expect((error as Error).message).toContain(':ratio');
    expect((error as Error).cause).toBeInstanceOf(RangeError);
  });
});

describe('wrapMssqlError', () => {
  it('keeps the SQL Server error number of a RequestError', () => {
    // Prepare: what node-mssql builds from a server error message (tedious puts it in `info`).
    const original = new mssql.RequestError(
      Object.assign(new Error("Invalid object name 'dbo.no_such_table'."), { info: { number: 208, state: 1, class: 16, lineNumber: 1 } }),
      'EREQUEST',
    );

    // Act
    const wrapped = wrapMssqlError('gvp', 'gvp.calls', original);

    // Assess
    expect(wrapped).toBeInstanceOf(SourceError);
    expect(wrapped.code).toBe('208');
    expect(wrapped.sourceName).toBe('gvp');
    expect(wrapped.message).toBe("source gvp: query gvp.calls failed: Invalid object name 'dbo.no_such_table'. (SQL Server error 208)");
    expect(wrapped.cause).toBe(original);
  });

  it('keeps the driver code when the error has no server number', () => {
    // Prepare: a request timeout, where node-mssql copies tedious' code into `number`.
    const original = new mssql.RequestError(
      Object.assign(new Error('Timeout: Request failed to complete in 3600000ms'), { code: 'ETIMEOUT' }),
      'EREQUEST',
    );

    // Act
    const wrapped = wrapMssqlError('gvp', 'gvp.calls', original);

    // Assess
    expect(original.number).toBe('ETIMEOUT');
    expect(wrapped.code).toBe('ETIMEOUT');
    expect(wrapped.message).toContain('(ETIMEOUT)');
  });

  it('keeps the code of a ConnectionError and hides the password and connection string', () => {
    // Prepare
    const connectionString = `Server=db;User Id=bds;Password=${PASSWORD}`;
    const config = sourceConfig({ connectionString });
    const original = new mssql.ConnectionError(
      Object.assign(new Error(`Login failed for user 'bds' (${PASSWORD}) using ${connectionString}`), { code: 'ELOGIN' }),
    );

    // Act
    const wrapped = wrapMssqlError('gvp', 'ping', original, secretsOf(config, toMssqlConfig('gvp', config)));

    // Assess
    expect(wrapped.code).toBe('ELOGIN');
    expect(wrapped.message).toContain("Login failed for user 'bds'");
    expect(wrapped.message).not.toContain(PASSWORD);
    expect(wrapped.message).not.toContain('Server=db');
    expect(wrapped.cause).toBe(original);
  });

  it('finds the code of an error node-mssql wrapped without one', () => {
    // Prepare
    const original = new mssql.ConnectionError('Connection lost', undefined);
    Object.defineProperty(original, 'originalError', { value: Object.assign(new Error('socket hang up'), { code: 'ESOCKET' }) });

    // Act
    const code = mssqlErrorCode(original);

    // Assess
    expect(code).toBe('ESOCKET');
  });

  it('leaves a SourceError alone and describes a non-Error', () => {
    // Prepare
    const already = new SourceError('gvp', 'query x failed: boom', { code: 'EMULTIRESULT' });

    // Act
    const same = wrapMssqlError('gvp', 'x', already);
    const odd = wrapMssqlError('gvp', 'x', 'plain string');

    // Assess
    expect(same).toBe(already);
    expect(odd.message).toBe('source gvp: query x failed: plain string');
    expect(odd.code).toBeUndefined();
  });
});

describe('readableToAsyncIterable', () => {
  /**
   * A producer honouring backpressure the way node-mssql's stream does: it pushes while push()
   * returns true, then waits for the next _read. It records the largest buffer it ever saw. With
   * `failAfter` it fails once that many rows were produced and consumed (a stream destroyed with an
   * error drops what it still buffers, so failing earlier would make the count depend on timing).
   */
  function countingReadable(total: number, highWaterMark: number, failAfter?: number) {
    const state = { produced: 0, reads: 0, maxBuffered: 0 };
    const readable = new Readable({
      objectMode: true,
      highWaterMark,
      read() {
        state.reads += 1;
        // Asynchronous, like rows arriving from a socket.
        setImmediate(() => {
          if (readable.destroyed) return;
          for (;;) {
            if (failAfter !== undefined && state.produced === failAfter) {
              const failWhenDrained = (): void => {
                if (readable.readableLength > 0) setImmediate(failWhenDrained);
                else readable.destroy(new Error('connection reset mid-stream'));
              };
              failWhenDrained();
              return;
            }
            if (state.produced === total) {
              readable.push(null);
              return;
            }
            const more = readable.push({ id: state.produced });
            state.produced += 1;
            state.maxBuffered = Math.max(state.maxBuffered, readable.readableLength);
            if (!more) return;
          }
        });
      },
    });
    return { readable, state };
  }

  it('delivers many thousands of rows in order, none lost, never buffering beyond the high-water mark', async () => {
    // Prepare
    const { readable, state } = countingReadable(20_000, 8);
    const ids: number[] = [];

    // Act: a slow consumer, yielding to the event loop after every row.
    for await (const row of readableToAsyncIterable<{ id: number }>(readable)) {
      ids.push(row.id);
      await nextTurn();
    }

    // Assess
    expect(ids.length).toBe(20_000);
    expect(ids.every((id, index) => id === index)).toBe(true);
    expect(state.maxBuffered).toBeLessThanOrEqual(8);
    // The producer was stopped and asked again many times: it was paused while the consumer worked.
    expect(state.reads).toBeGreaterThan(20_000 / 8);
  });

  it('rejects after the rows before an error, never ending as if complete', async () => {
    // Prepare
    const { readable } = countingReadable(10_000, 16, 1234);
    const ids: number[] = [];
    let completed = false;

    // Act
    const error = await rejectionOf(
      (async () => {
        for await (const row of readableToAsyncIterable<{ id: number }>(readable)) ids.push(row.id);
        completed = true;
      })(),
    );

    // Assess
    expect((error as Error).message).toBe('connection reset mid-stream');
    expect(completed).toBe(false);
    expect(ids.length).toBe(1234);
    expect(ids.at(-1)).toBe(1233);
  });

  it('on an early break stops the producer first, then destroys the stream', async () => {
    // Prepare
    const { readable, state } = countingReadable(10_000, 16);
    const events: string[] = [];
    readable.on('close', () => events.push('closed'));
    const onEarlyExit = (): void => {
      events.push(readable.destroyed ? 'stop after destroy' : 'stop');
    };
    let seen = 0;

    // Act
    for await (const _row of readableToAsyncIterable(readable, onEarlyExit)) {
      seen += 1;
      if (seen === 10) break;
    }
    await nextTurn();

    // Assess
    expect(events).toEqual(['stop', 'closed']);
    expect(readable.destroyed).toBe(true);
    expect(state.produced).toBeLessThan(10_000);
  });

  it('cleans up the same way when the consumer throws', async () => {
    // Prepare
    const { readable } = countingReadable(1000, 16);
    let stops = 0;

    // Act
    const error = await rejectionOf(
      (async () => {
        for await (const _row of readableToAsyncIterable(readable, () => (stops += 1))) throw new Error('consumer failed');
      })(),
    );

    // Assess
    expect((error as Error).message).toBe('consumer failed');
    expect(stops).toBe(1);
    expect(readable.destroyed).toBe(true);
  });

  it('does not call the early-exit hook when the stream ended or failed by itself', async () => {
    // Prepare
    const complete = countingReadable(100, 16);
    const failing = countingReadable(100, 16, 50);
    let stops = 0;

    // Act
    for await (const _row of readableToAsyncIterable(complete.readable, () => (stops += 1))) {
      // drain
    }
    await rejectionOf(
      (async () => {
        for await (const _row of readableToAsyncIterable(failing.readable, () => (stops += 1))) {
          // drain
        }
      })(),
    );

    // Assess
    expect(stops).toBe(0);
  });
});

/** One step of what the simulated SQL Server sends. */
type Step =
  | { readonly recordset: string[] }
  | { readonly row: Record<string, unknown> }
  | { readonly error: Error };

/**
 * A real node-mssql (tedious driver) Request whose network part is replaced: `_query`, the
 * method node-mssql's `query()` calls to reach the server, plays a script of result sets, rows and
 * errors as the tedious driver emits them in stream mode, and honours pause and cancel as tedious'
 * token parser does (row by row). Everything else, including `toReadableStream`, is the library's.
 */
class SimulatedRequest extends mssql.Request {
  readonly record = { emitted: 0, pauses: 0, cancels: 0, maxBuffered: 0, done: false };
  stream$: Readable | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly script: readonly Step[], private readonly rowsPerPacket = 40) {
    super();
    this.on('done', () => {
      this.record.done = true;
    });
  }

  override toReadableStream(streamOptions?: ReadableOptions): Readable {
    this.stream$ = super.toReadableStream(streamOptions);
    return this.stream$;
  }

  override pause(): boolean {
    this.record.pauses += 1;
    return super.pause();
  }

  override resume(): boolean {
    const resumed = super.resume();
    this.wake?.();
    return resumed;
  }

  override cancel(): void {
    this.record.cancels += 1;
    super.cancel();
    this.wake?.();
  }

  /** Called by node-mssql's `query()`; the callback is tedious' request completion. */
  _query(_command: string, callback: (error: Error | null, recordsets?: null, output?: object, rowsAffected?: number[]) => void): void {
    this.play().then(
      () => callback(null, null, {}, [this.record.emitted]),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }

  private isPaused(): boolean {
    return Reflect.get(this, 'paused') === true;
  }

  private async play(): Promise<void> {
    let sinceBreak = 0;
    for (const step of this.script) {
      while (this.isPaused() && !this.canceled) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
      if (this.canceled) throw new mssql.RequestError('Canceled.', 'ECANCEL');
      if ('recordset' in step) {
        this.emit('recordset', Object.fromEntries(step.recordset.map((name, index) => [name, { index, name }])));
      } else if ('row' in step) {
        this.emit('row', step.row);
        this.record.emitted += 1;
        this.record.maxBuffered = Math.max(this.record.maxBuffered, this.stream$?.readableLength ?? 0);
      } else {
        // tedious reports a server error as an event in stream mode and completes normally.
        this.emit('error', step.error);
      }
      sinceBreak += 1;
      if (sinceBreak === this.rowsPerPacket) {
        sinceBreak = 0;
        await nextTurn();
      }
    }
  }
}

function rowsScript(count: number, set = 1): Step[] {
  return Array.from({ length: count }, (_unused, id) => ({ row: { id, set } }));
}

async function collect(rows: AsyncIterable<Row>, limit = Number.POSITIVE_INFINITY): Promise<Row[]> {
  const out: Row[] = [];
  for await (const row of rows) {
    out.push(row);
    if (out.length >= limit) break;
  }
  return out;
}

describe('streamRequest over node-mssql toReadableStream', () => {
  const context = { sourceName: 'gvp', queryName: 'gvp.calls', secrets: [PASSWORD] };

  it('streams every row in order through a small buffer, pausing the driver for a slow consumer', async () => {
    // Prepare
    const request = new SimulatedRequest([{ recordset: ['id', 'set'] }, ...rowsScript(30_000)]);
    const ids: unknown[] = [];

    // Act
    for await (const row of streamRequest(request, 'SELECT id FROM calls', { ...context, highWaterMark: 16 })) {
      ids.push(row.id);
      if (ids.length % 7 === 0) await nextTurn();
    }

    // Assess
    expect(ids.length).toBe(30_000);
    expect(ids.every((id, index) => id === index)).toBe(true);
    expect(request.record.maxBuffered).toBeLessThanOrEqual(16);
    expect(request.record.pauses).toBeGreaterThan(1);
    expect(request.record.cancels).toBe(0);
    expect(request.record.done).toBe(true);
  });

  it('yields nothing for an empty result set', async () => {
    // Prepare
    const request = new SimulatedRequest([{ recordset: ['id'] }]);

    // Act
    const rows = await collect(streamRequest(request, 'SELECT id FROM calls WHERE 1 = 0', context));

    // Assess
    expect(rows).toEqual([]);
  });

  it('rejects with the SQL Server error number when the server fails mid-stream', async () => {
    // Prepare
    const serverError = new mssql.RequestError(
      Object.assign(new Error('Divide by zero error encountered.'), { info: { number: 8134, state: 1, class: 16 } }),
      'EREQUEST',
    );
    const request = new SimulatedRequest([{ recordset: ['id', 'set'] }, ...rowsScript(5000), { error: serverError }, ...rowsScript(10)]);
    const ids: unknown[] = [];

    // Act
    const error = await rejectionOf(
      (async () => {
        for await (const row of streamRequest(request, 'SELECT id, 1 / (5000 - id) AS x FROM calls', context)) ids.push(row.id);
      })(),
    );

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('8134');
    expect((error as SourceError).message).toContain('query gvp.calls failed');
    expect((error as SourceError).cause).toBe(serverError);
    // The rows delivered before the failure are a prefix, in order (the library drops what it had buffered).
    expect(ids.length).toBeLessThanOrEqual(5000);
    expect(ids.every((id, index) => id === index)).toBe(true);
    expect(request.record.done).toBe(true);
  });

  it('reports a connection failure before the first row with its driver code, no password', async () => {
    // Prepare
    const lost = new mssql.ConnectionError(Object.assign(new Error(`Connection lost (password ${PASSWORD})`), { code: 'ESOCKET' }));
    const request = new SimulatedRequest([{ error: lost }]);

    // Act
    const error = await rejectionOf(collect(streamRequest(request, 'SELECT 1 AS one', context)));

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('ESOCKET');
    expect((error as SourceError).message).not.toContain(PASSWORD);
  });

  it('cancels the query and waits for it to end when the consumer breaks early', async () => {
    // Prepare
    const request = new SimulatedRequest([{ recordset: ['id', 'set'] }, ...rowsScript(50_000)]);

    // Act
    const rows = await collect(streamRequest(request, 'SELECT id FROM calls', context), 10);

    // Assess
    expect(rows.map((row) => row.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(request.record.cancels).toBeGreaterThanOrEqual(1);
    expect(request.canceled).toBe(true);
    expect(request.stream$?.destroyed).toBe(true);
    // The request completed (so its connection went back to the pool) before the loop ended.
    expect(request.record.done).toBe(true);
    expect(request.record.emitted).toBeLessThan(50_000);
  });

  it('fails on a second result set without delivering any of its rows', async () => {
    // Prepare
    const request = new SimulatedRequest([
      { recordset: ['id', 'set'] },
      ...rowsScript(100, 1),
      { recordset: ['id', 'set'] },
      ...rowsScript(100, 2),
    ]);
    const sets: unknown[] = [];

    // Act
    const error = await rejectionOf(
      (async () => {
        for await (const row of streamRequest(request, 'SELECT id FROM a; SELECT id FROM b', context)) sets.push(row.set);
      })(),
    );

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe(MssqlClientCode.multipleResultSets);
    expect(sets.every((set) => set === 1)).toBe(true);
    expect(request.record.cancels).toBeGreaterThanOrEqual(1);
    expect(request.record.done).toBe(true);
  });

  it('fails when the query returns no result set at all', async () => {
    // Prepare
    const request = new SimulatedRequest([]);

    // Act
    const error = await rejectionOf(collect(streamRequest(request, 'UPDATE calls SET x = 1', context)));

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe(MssqlClientCode.noResultSet);
  });
});

describe('createMssqlClient against local sockets (no SQL Server)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function listen(onConnection: (socket: net.Socket) => void): Promise<number> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      onConnection(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return address.port;
  }

  function client(port: number, overrides: Partial<SourceConfig> = {}) {
    const created = createMssqlClient(
      'gvp',
      sourceConfig({ host: '127.0.0.1', port, database: 'gvp_rs', user: 'bds', password: PASSWORD, connectTimeout: 2, queryTimeout: 5, ...overrides }),
    );
    cleanups.push(() => created.close());
    return created;
  }

  it('fails ping and stream on a closed port with ESOCKET, naming the source and query, hiding the password', async () => {
    // Prepare
    const port = await closedPort();
    const gvp = client(port);

    // Act
    const pingError = await rejectionOf(gvp.ping());
    const streamError = await rejectionOf(collect(gvp.stream({ name: 'gvp.calls', text: 'SELECT 1 AS one WHERE :a = 1' }, { a: 1 })));

    // Assess
    for (const [error, queryName] of [[pingError, 'ping'], [streamError, 'gvp.calls']] as const) {
      expect(error).toBeInstanceOf(SourceError);
      const sourceError = error as SourceError;
      expect(sourceError.code).toBe('ESOCKET');
      expect(sourceError.message).toMatch(new RegExp(`^source gvp: query ${queryName.replace('.', '\\.')} failed: `));
      expect(sourceError.message).toContain(String(port));
      expect(sourceError.message).not.toContain(PASSWORD);
      expect(sourceError.cause).toBeInstanceOf(mssql.ConnectionError);
    }
  });

  it('hides a connection string that carries the password', async () => {
    // Prepare
    const port = await closedPort();
    const connectionString = `Server=127.0.0.1,${port};Database=gvp_rs;User Id=bds;Password={${PASSWORD}}`;
    const gvp = client(port, { connectionString, host: undefined });

    // Act
    const error = await rejectionOf(gvp.ping());

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('ESOCKET');
    expect((error as SourceError).message).not.toContain(PASSWORD);
    expect((error as SourceError).message).not.toContain('Server=');
  });

  it('fails cleanly against a server that accepts and hangs up', async () => {
    // Prepare
    const port = await listen((socket) => socket.destroy());
    const gvp = client(port);

    // Act
    const error = await rejectionOf(gvp.ping());

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('ESOCKET');
    expect((error as SourceError).message).not.toContain(PASSWORD);
  });

  it('fails cleanly against a server that answers the pre-login with garbage', async () => {
    // Prepare: a well-framed TDS packet whose pre-login payload is nonsense.
    const port = await listen((socket) => {
      socket.once('data', () => {
        const payload = Buffer.alloc(40, 0xee);
        const header = Buffer.from([0x04, 0x01, 0, 0, 0, 0, 1, 0]);
        header.writeUInt16BE(header.length + payload.length, 2);
        socket.end(Buffer.concat([header, payload]));
      });
    });
    const gvp = client(port);

    // Act
    const error = await rejectionOf(gvp.ping());

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toEqual(expect.any(String));
    expect((error as SourceError).message).toMatch(/^source gvp: query ping failed: /);
    expect((error as SourceError).message).not.toContain(PASSWORD);
  });

  it('fails cleanly against a server that sends text and closes', async () => {
    // Prepare
    const port = await listen((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    });
    const gvp = client(port);

    // Act
    const error = await rejectionOf(gvp.ping());

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('ESOCKET');
  });

  it('times out with ETIMEOUT against a server that never answers', async () => {
    // Prepare
    const port = await listen(() => undefined);
    const gvp = client(port, { connectTimeout: 1 });

    // Act
    const error = await rejectionOf(gvp.ping());

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('ETIMEOUT');
  });

  it('closes idempotently, even after a failed connection, and refuses work afterwards', async () => {
    // Prepare
    const port = await closedPort();
    const gvp = client(port);
    await rejectionOf(gvp.ping());

    // Act
    await gvp.close();
    await gvp.close();
    const error = await rejectionOf(collect(gvp.stream({ name: 'gvp.calls', text: 'SELECT 1 AS one' }, {})));

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe(MssqlClientCode.closed);
  });

  it('reports a missing parameter before connecting', async () => {
    // Prepare: nothing listens, so reaching the network would fail with ESOCKET instead.
    const port = await closedPort();
    const gvp = client(port);

    // Act
    const error = await rejectionOf(collect(gvp.stream({ name: 'gvp.calls', text: 'SELECT 1 AS one WHERE :dayStart = 1' }, {})));

    // Assess
    expect(error).toBeInstanceOf(QueryParameterError);
  });
});
