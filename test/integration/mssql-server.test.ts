/**
 * The SQL Server client against a real server. Runs only when MSSQL_TEST_URL holds a connection
 * string (ADO-style or mssql://) for a login that may create global temporary tables, e.g.
 * `Server=localhost,1433;Database=master;User Id=sa;Password=...;TrustServerCertificate=true`.
 */
import mssql from 'mssql';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../lib/config/types';
import { SourceError } from '../../lib/sources/errors';
import { MssqlClientCode, createMssqlClient, toMssqlConfig } from '../../lib/sources/mssql';
import type { Row, SourceClient } from '../../lib/sources/types';
import { ifSetUp } from '../helpers/suite';

const url = process.env.MSSQL_TEST_URL ?? '';
const ROWS = 50_000;
const BIG_OFFSET = 3_000_000_000;
const EPOCH = Date.UTC(2024, 0, 1);

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function drain(rows: AsyncIterable<Row>, onRow: (row: Row) => void = () => undefined): Promise<void> {
  for await (const row of rows) onRow(row);
}

describe.skipIf(url === '')('mssql client against SQL Server (MSSQL_TEST_URL)', () => {
  // A global temporary table: visible to the client's own connections, and gone with the admin
  // session even if the run is killed before the cleanup.
  const table = `##bds_test_${randomBytes(6).toString('hex')}`;
  const config: SourceConfig = { client: 'mssql', connectionString: url, connectTimeout: 30, queryTimeout: 300 };
  let admin: mssql.ConnectionPool;
  let client: SourceClient;

  beforeAll(async () => {
    // One pinned session owns the table; it must not be reaped while the tests run.
    admin = new mssql.ConnectionPool({
      ...toMssqlConfig('admin', config),
      pool: { min: 1, max: 1, idleTimeoutMillis: 600_000 },
    });
    await admin.connect();
    await admin.request().batch(`
      CREATE TABLE ${table} (
        id INT NOT NULL PRIMARY KEY,
        name NVARCHAR(50) NOT NULL,
        started_at DATETIME2(3) NOT NULL,
        amount FLOAT NOT NULL,
        flag BIT NOT NULL,
        big BIGINT NOT NULL,
        note NVARCHAR(50) NULL
      );
      WITH n AS (
        SELECT TOP (${ROWS}) ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) - 1 AS i
        FROM sys.all_objects a CROSS JOIN sys.all_objects b
      )
      INSERT INTO ${table} (id, name, started_at, amount, flag, big, note)
      SELECT i, CONCAT(N'row-', i), DATEADD(SECOND, i, CAST('2024-01-01T00:00:00' AS DATETIME2(3))), i * 0.5, i % 2,
             i + ${BIG_OFFSET}, CASE WHEN i % 10 = 0 THEN N'tenth' END
      FROM n;
    `);
    client = createMssqlClient('gvp', config);
  });

  afterAll(async () => {
    await ifSetUp(client)?.close();
    if (ifSetUp(admin) !== undefined) {
      await admin.request().batch(`DROP TABLE IF EXISTS ${table}`);
      await admin.close();
    }
  });

  it('pings', async () => {
    // Act
    const result = client.ping();

    // Assess
    await expect(result).resolves.toBeUndefined();
  });

  it('streams every row in order with its types', async () => {
    // Prepare
    let expected = 0;
    let mismatches = 0;
    let sample: Row | undefined;

    // Act: rows are checked as they come, never collected.
    await drain(
      client.stream(
        { name: 'test.all', text: `SELECT id AS id, name AS name, started_at AS started_at, amount AS amount, flag AS flag, big AS big, note AS note FROM ${table} ORDER BY id` },
        {},
      ),
      (row) => {
        const i = expected;
        const ok =
          row.id === i &&
          row.name === `row-${i}` &&
          row.started_at instanceof Date &&
          row.started_at.getTime() === EPOCH + i * 1000 &&
          row.amount === i * 0.5 &&
          row.flag === (i % 2 === 1) &&
          // tedious returns BIGINT as a string, so as not to lose precision beyond 2^53.
          row.big === String(i + BIG_OFFSET) &&
          row.note === (i % 10 === 0 ? 'tenth' : null);
        if (!ok) mismatches += 1;
        if (i === 12_345) sample = row;
        expected += 1;
      },
    );

    // Assess
    expect(expected).toBe(ROWS);
    expect(mismatches).toBe(0);
    expect(sample).toEqual({
      id: 12_345,
      name: 'row-12345',
      started_at: new Date(EPOCH + 12_345_000),
      amount: 6172.5,
      flag: true,
      big: String(12_345 + BIG_OFFSET),
      note: null,
    });
    expect(Object.getPrototypeOf(sample)).toBe(Object.prototype);
  });

  it('binds every kind of parameter as a parameter', async () => {
    // Prepare
    const ids: unknown[] = [];
    const query = {
      name: 'test.params',
      text: `SELECT id AS id FROM ${table}
             WHERE id BETWEEN :lo AND :hi AND started_at >= :since AND flag = :flag AND big >= :bigMin
               AND amount > :half AND name LIKE :pattern AND (:maybe IS NULL OR note = :maybe)
             ORDER BY id`,
    };

    // Act
    await drain(
      client.stream(query, {
        lo: 100,
        hi: 199,
        since: new Date(EPOCH + 150_000),
        flag: true,
        bigMin: BIG_OFFSET,
        half: 0.25,
        pattern: "row-1%' OR 1 = 1 --",
        maybe: null,
      }),
      (row) => ids.push(row.id),
    );
    const literalPattern: unknown[] = [];
    await drain(
      client.stream(query, { lo: 100, hi: 199, since: new Date(EPOCH + 150_000), flag: true, bigMin: BIG_OFFSET, half: 0.25, pattern: 'row-1%', maybe: null }),
      (row) => literalPattern.push(row.id),
    );

    // Assess: the hostile pattern matched nothing because it was a value, not SQL.
    expect(ids).toEqual([]);
    expect(literalPattern).toEqual(Array.from({ length: 25 }, (_unused, k) => 151 + 2 * k));
  });

  it('fails with SQL Server error 208 on an unknown table', async () => {
    // Act
    const error = await rejectionOf(drain(client.stream({ name: 'test.missing', text: 'SELECT x AS x FROM dbo.bds_no_such_table' }, {})));

    // Assess
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('208');
    expect((error as SourceError).message).toContain('query test.missing failed');
    expect((error as SourceError).cause).toBeInstanceOf(mssql.RequestError);
  });

  it('reports an error raised after many rows instead of ending early', async () => {
    // Prepare
    let last = -1;
    let outOfOrder = false;

    // Act
    const error = await rejectionOf(
      drain(client.stream({ name: 'test.divide', text: `SELECT id AS id, 1 / (${ROWS - 1} - id) AS x FROM ${table} ORDER BY id` }, {}), (row) => {
        if (row.id !== last + 1) outOfOrder = true;
        last = Number(row.id);
      }),
    );

    // Assess
    expect((error as SourceError).code).toBe('8134');
    expect(outOfOrder).toBe(false);
    expect(last).toBeLessThan(ROWS - 1);
  });

  it('refuses a query with two result sets, and the connection stays usable', async () => {
    // Act
    const error = await rejectionOf(drain(client.stream({ name: 'test.two', text: `SELECT 1 AS a; SELECT id AS id FROM ${table}` }, {})));
    let count = 0;
    await drain(client.stream({ name: 'test.after', text: `SELECT id AS id FROM ${table} WHERE id < :n` }, { n: 10 }), () => (count += 1));

    // Assess
    expect((error as SourceError).code).toBe(MssqlClientCode.multipleResultSets);
    expect(count).toBe(10);
  });

  it('releases the connection when the consumer stops early', async () => {
    // Prepare
    const first: unknown[] = [];

    // Act: stop three big queries early; with a pool of two, a leaked connection would block.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      for await (const row of client.stream({ name: 'test.early', text: `SELECT id AS id FROM ${table} ORDER BY id` }, {})) {
        first.push(row.id);
        if (first.length % 10 === 0) break;
      }
    }
    let count = 0;
    await drain(client.stream({ name: 'test.count', text: `SELECT id AS id FROM ${table}` }, {}), () => (count += 1));

    // Assess
    expect(first).toEqual([...Array.from({ length: 10 }, (_u, i) => i), ...Array.from({ length: 10 }, (_u, i) => i), ...Array.from({ length: 10 }, (_u, i) => i)]);
    expect(count).toBe(ROWS);
  });

  it('times out a query with ETIMEOUT', async () => {
    // Prepare
    const impatient = createMssqlClient('gvp', { ...config, queryTimeout: 1 });

    // Act
    const error = await rejectionOf(drain(impatient.stream({ name: 'test.slow', text: "WAITFOR DELAY '00:00:05'; SELECT 1 AS one" }, {})));
    await impatient.close();

    // Assess
    expect((error as SourceError).code).toBe('ETIMEOUT');
  });

  it('fails a wrong password with ELOGIN without showing it', async () => {
    // Prepare
    const parsed = toMssqlConfig('gvp', config);
    const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
    const intruder = createMssqlClient('gvp', {
      client: 'mssql',
      host: parsed.server,
      port: parsed.port,
      database: parsed.database,
      user: parsed.user,
      password: wrongPassword,
      encrypt: parsed.options?.encrypt !== false,
      trustServerCertificate: parsed.options?.trustServerCertificate === true,
      connectTimeout: 30,
      queryTimeout: 30,
    });

    // Act
    const error = await rejectionOf(intruder.ping());
    await intruder.close();

    // Assess
    expect((error as SourceError).code).toBe('ELOGIN');
    expect((error as SourceError).message).not.toContain(wrongPassword);
  });
});
