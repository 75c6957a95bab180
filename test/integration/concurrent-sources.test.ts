/**
 * Sources read side by side (lib/extract/extract-day.ts runs one chain per source): two pg
 * clients streaming at the same time each get every row of their own query, on the PostgreSQL
 * server (PG_TEST_URL) and on the embedded PGlite of `bds demo`, whose socket server multiplexes
 * every connection onto one session (there the clients' transactions take turns). A query run
 * through a source client cannot write: it runs in a read-only transaction, ended even when the
 * consumer stops early.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../tools/demo/embedded-postgres';
import type { SourceConfig } from '../../lib/config/types';
import { SourceError } from '../../lib/sources/errors';
import { openSource } from '../../lib/sources/open';
import type { Row, SourceClient } from '../../lib/sources/types';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ifSetUp } from '../helpers/suite';

const REAL_PG = (process.env.PG_TEST_URL ?? '') !== '';
/** More rows than one cursor batch (2000), so each client goes back to its server several times. */
const ROWS = 7_500;

function sourceConfig(url: string): SourceConfig {
  return { client: 'pg', connectionString: url, connectTimeout: 10, queryTimeout: 60 };
}

const TABLES = `
  CREATE TABLE numbers_a (n integer NOT NULL);
  CREATE TABLE numbers_b (n integer NOT NULL);
  INSERT INTO numbers_a SELECT g FROM generate_series(1, ${ROWS}) AS g;
  INSERT INTO numbers_b SELECT -g FROM generate_series(1, ${ROWS}) AS g;`;

interface Backend {
  readonly url: string;
  close(): Promise<void>;
}

async function embedded(): Promise<Backend> {
  const server: EmbeddedPostgres = await startEmbeddedPostgres();
  const setup = new pg.Client({ connectionString: server.url });
  await setup.connect();
  await setup.query(TABLES);
  await setup.end();
  return { url: server.url, close: () => server.stop() };
}

async function onServer(): Promise<Backend> {
  const db: TestDatabase = await createTestDatabase({ schemas: false });
  await db.exec(TABLES);
  return { url: db.url, close: () => db.close() };
}

/** Name, how to start it, and whether all its connections share one session (PGlite). */
const backends: [string, () => Promise<Backend>, boolean][] = [['embedded PGlite', embedded, true]];
if (REAL_PG) backends.push(['PostgreSQL server', onServer, false]);

describe.each(backends)('source clients on the %s', (_name, start, oneSession) => {
  let backend: Backend;
  const clients: SourceClient[] = [];

  beforeAll(async () => {
    backend = await start();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await ifSetUp(backend)?.close();
  });

  async function open(name: string): Promise<SourceClient> {
    const client = await openSource(name, sourceConfig(backend.url));
    clients.push(client);
    return client;
  }

  // PGlite has one session for every connection: while one client's transaction is open, the
  // others wait (even to connect), so two cursors cannot be consumed in turns there.
  it.skipIf(oneSession)('stream two queries in turns, row by row, each to its last row', async () => {
    // Prepare
    const a = (await open('a')).stream({ name: 'a', text: 'SELECT n FROM numbers_a ORDER BY n' }, {})[Symbol.asyncIterator]();
    const b = (await open('b')).stream({ name: 'b', text: 'SELECT n FROM numbers_b ORDER BY n DESC' }, {})[Symbol.asyncIterator]();
    const seen: { a: number[]; b: number[] } = { a: [], b: [] };
    const take = (it: AsyncIterator<Row>) => it.next().then((r) => (r.done === true ? undefined : Number(r.value.n)));

    // Act: one row from each in turn, so both cursors stay open across each other's fetches.
    for (;;) {
      const [x, y] = [await take(a), await take(b)];
      if (x !== undefined) seen.a.push(x);
      if (y !== undefined) seen.b.push(y);
      if (x === undefined && y === undefined) break;
    }

    // Assess: every row of each, in order, none of the other's.
    expect(seen.a).toHaveLength(ROWS);
    expect(seen.b).toHaveLength(ROWS);
    expect(seen.a.every((n, i) => n === i + 1)).toBe(true);
    expect(seen.b.every((n, i) => n === -(i + 1))).toBe(true);
  });

  it('stream two queries concurrently through Promise.all, as extraction chains do', async () => {
    // Prepare
    const sum = async (client: SourceClient, table: string): Promise<number> => {
      let total = 0;
      for await (const row of client.stream({ name: table, text: `SELECT n FROM ${table}` }, {})) total += Number(row.n);
      return total;
    };
    const [x, y] = [await open('x'), await open('y')];

    // Act
    const [sa, sb] = await Promise.all([sum(x, 'numbers_a'), sum(y, 'numbers_b')]);

    // Assess
    expect(sa).toBe((ROWS * (ROWS + 1)) / 2);
    expect(sb).toBe(-(ROWS * (ROWS + 1)) / 2);
  });

  it('refuses a query that writes (read-only transaction), and the data stays', async () => {
    // Prepare
    const client = await open('writer');

    // Act
    const attempt = (async () => {
      for await (const _ of client.stream({ name: 'custom', text: 'DELETE FROM numbers_a RETURNING n' }, {})) {
        // never reached
      }
    })();

    // Assess: refused as a source error naming the query...
    await expect(attempt).rejects.toBeInstanceOf(SourceError);
    await expect(attempt).rejects.toThrow(/query custom failed: .*read-only transaction/);
    // ...and the client still works, with every row in place.
    let count = 0;
    for await (const row of client.stream({ name: 'count', text: 'SELECT COUNT(*) AS c FROM numbers_a' }, {})) count = Number(row.c);
    expect(count).toBe(ROWS);
  });

  it('leaves no transaction open after a consumer stops early', async () => {
    // Prepare
    const client = await open('early');
    const check = await open('check');

    // Act: the consumer takes three rows and leaves the loop.
    let taken = 0;
    for await (const _ of client.stream({ name: 'early', text: 'SELECT n FROM numbers_a' }, {})) {
      taken += 1;
      if (taken === 3) break;
    }

    // Assess: another connection can run at once (the embedded session is not held by the
    // finished transaction) and the same client serves the next query.
    let one = 0;
    for await (const row of check.stream({ name: 'one', text: 'SELECT 1 AS one' }, {})) one = Number(row.one);
    expect(one).toBe(1);
    let again = 0;
    for await (const row of client.stream({ name: 'again', text: 'SELECT COUNT(*) AS c FROM numbers_b' }, {})) again = Number(row.c);
    expect(taken).toBe(3);
    expect(again).toBe(ROWS);
  });
});
