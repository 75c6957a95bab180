/**
 * The PostgreSQL driver behind `SourceClient`: `pg` with a server-side cursor (pg-cursor), so a
 * query's rows are fetched in batches only as fast as the consumer takes them.
 */
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { SourceConfig } from '../config/types';
import { errorCode } from '../errors';
import { SourceError } from './errors';
import { bindValues, compileNamedParameters } from './named-params';
import type { Row, SourceClient, SqlQuery, SqlValue } from './types';

/** Rows fetched per round trip: large enough to amortise latency, small enough to bound memory. */
const BATCH_ROWS = 2000;

const TIMESTAMP_WITHOUT_TIME_ZONE = pg.types.builtins.TIMESTAMP;

// GVP stores UTC in `timestamp` columns without a zone; pg's default parser would read them as
// the host's local time and shift every call by the server's offset.
const typeParsers = {
  getTypeParser(oid: Parameters<typeof pg.types.getTypeParser>[0], format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === TIMESTAMP_WITHOUT_TIME_ZONE && format !== 'binary') {
      return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
    }
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  },
};

/** Translates the configuration into `pg` client options. */
export function toPgClientConfig(config: SourceConfig): pg.ClientConfig {
  const base: pg.ClientConfig = {
    application_name: 'bds',
    connectionTimeoutMillis: config.connectTimeout * 1000,
    statement_timeout: config.queryTimeout * 1000,
    types: typeParsers,
  };
  if (config.connectionString !== undefined) base.connectionString = config.connectionString;
  if (config.host !== undefined) base.host = config.host;
  if (config.port !== undefined) base.port = config.port;
  if (config.database !== undefined) base.database = config.database;
  if (config.user !== undefined) base.user = config.user;
  if (config.password !== undefined) base.password = config.password;
  if (config.ssl !== undefined) base.ssl = config.ssl;
  return base;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Creates a pg-backed source client. The connection is opened on first use. */
export function createPgClient(sourceName: string, config: SourceConfig): SourceClient {
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let broken = false;

  const connect = async (): Promise<pg.Client> => {
    if (client !== undefined && !broken) return client;
    connecting ??= (async () => {
      const c = new pg.Client(toPgClientConfig(config));
      // An idle connection dropped by the server must not crash the process; the next query fails instead.
      c.on('error', () => {
        broken = true;
      });
      try {
        await c.connect();
      } catch (error) {
        await c.end().catch(() => undefined);
        throw new SourceError(sourceName, `cannot connect: ${errorMessage(error)}`, {
          cause: error,
          code: errorCode(error),
        });
      }
      client = c;
      broken = false;
      return c;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  async function* stream(query: SqlQuery, params: Readonly<Record<string, SqlValue>>): AsyncGenerator<Row> {
    const compiled = compileNamedParameters(query.text, (_name, index) => `$${index}`);
    const values = bindValues(query.name, compiled.names, params);
    const c = await connect();
    // After a failure the connection's state is unknown (e.g. a terminated backend): it is dropped.
    const failed = (error: unknown): SourceError => {
      broken = true;
      return new SourceError(sourceName, `query ${query.name} failed: ${errorMessage(error)}`, { cause: error, code: errorCode(error) });
    };
    let cursor: Cursor<Row> | undefined;
    try {
      // An explicit read-only transaction: a query of the configuration (custom GVP queries are)
      // cannot change the customer's database, and a connection multiplexer that shares one
      // session (PGlite's socket server in `bds demo`) keeps the session to this connection until
      // the transaction ends, instead of letting another connection's statement end the implicit
      // transaction and with it this cursor's portal.
      try {
        await c.query('BEGIN READ ONLY');
      } catch (error) {
        throw failed(error);
      }
      const open = c.query(new Cursor<Row>(compiled.text, values));
      cursor = open;
      // One batch is always on its way while the consumer works through the previous one, so the
      // server sends rows while Node parses, compresses and writes (two batches in memory at most).
      const fetchBatch = (): Promise<Row[]> => {
        const batch = open.read(BATCH_ROWS);
        // Awaited below, or abandoned when the consumer stops early (closing the cursor settles it).
        batch.catch(() => undefined);
        return batch;
      };
      let next = fetchBatch();
      for (;;) {
        let rows: Row[];
        try {
          rows = await next;
        } catch (error) {
          throw failed(error);
        }
        if (rows.length === 0) break;
        next = fetchBatch();
        for (const row of rows) yield row;
      }
    } finally {
      // Closing releases the portal and ends the transaction; a broken connection is dropped instead.
      if (!broken) {
        try {
          await cursor?.close();
          await c.query('COMMIT');
        } catch {
          broken = true;
        }
      }
      if (broken) {
        await c.end().catch(() => undefined);
        client = undefined;
      }
    }
  }

  return {
    sourceName,
    stream,
    async ping() {
      const c = await connect();
      try {
        await c.query('SELECT 1');
      } catch (error) {
        broken = true;
        throw new SourceError(sourceName, `ping failed: ${errorMessage(error)}`, { cause: error, code: errorCode(error) });
      }
    },
    async close() {
      const c = client;
      client = undefined;
      if (c !== undefined) await c.end().catch(() => undefined);
    },
  };
}
