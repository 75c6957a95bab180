/**
 * A fresh SQL Server database for one test file, holding the T-SQL reference schemas
 * (sql/mssql/gim.sql, cfg.sql, gvp.sql, which mirror sql/*.sql). Available only when
 * MSSQL_TEST_URL names a server and a login allowed to CREATE and DROP a database, e.g.
 *
 *   MSSQL_TEST_URL='Server=localhost,1433;User Id=sa;Password=...;Encrypt=true;TrustServerCertificate=true' npm test
 *   MSSQL_TEST_URL='mssql://sa:...@localhost:1433/master?encrypt=true&trustServerCertificate=true' npm test
 *
 * Both spellings are what the product's own `toMssqlConfig` accepts (an ADO-style string, parsed by
 * node-mssql, or an mssql:// URL with an optional /instance before the database). The database the
 * string names, if any, is only where the helper connects to create its own: the test database,
 * `bds_test_<random>`, replaces it in the returned `sourceConfig` (for an ADO string by appending
 * `Initial Catalog=`, which wins over an earlier `Database=` or `Initial Catalog=`; for a URL by
 * replacing the path's database segment). A quick server for a developer machine:
 *
 *   docker run -e ACCEPT_EULA=Y -e MSSQL_SA_PASSWORD='<strong password>' -p 1433:1433 mcr.microsoft.com/mssql/server:2022-latest
 *
 * The helper talks to the server through the mssql package directly, never through the product's
 * SourceClient, so that a bug in the client under test cannot hide behind its own fixtures.
 */
import mssql from 'mssql';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceConfig } from '../../lib/config/types';
import { packageRoot } from '../../lib/package-root';
import { toMssqlConfig } from '../../lib/sources/mssql';

export interface MssqlTestDatabase {
  /** A source configuration (client `mssql`) whose connection string points at the test database. */
  readonly sourceConfig: SourceConfig;
  /** Runs T-SQL (several statements allowed, no GO) on the test database as one batch. */
  exec(sql: string): Promise<void>;
  /** Closes the helper's connections and drops the database. */
  close(): Promise<void>;
}

/** The server the SQL Server tests run against, or undefined when they are to be skipped. */
export function mssqlTestUrl(): string | undefined {
  const url = process.env.MSSQL_TEST_URL;
  return url === undefined || url.trim() === '' ? undefined : url;
}

const SCHEMAS = ['gim', 'cfg', 'gvp'] as const;

/** The T-SQL text of one reference schema. */
export function mssqlReferenceSchema(name: (typeof SCHEMAS)[number]): string {
  return readFileSync(join(packageRoot(), 'sql', 'mssql', `${name}.sql`), 'utf8');
}

function sourceConfigFor(connectionString: string): SourceConfig {
  return { client: 'mssql', connectionString, connectTimeout: 30, queryTimeout: 300 };
}

/**
 * The same connection string naming another database. Checked by parsing it back the way the
 * product does: a string whose end is ambiguous (a value ending in an escaped `;;`) is refused
 * rather than silently pointing the tests at the wrong database.
 */
export function withDatabase(connectionString: string, database: string): string {
  const trimmed = connectionString.trim();
  let result: string;
  if (/^mssql:\/\//i.test(trimmed)) {
    const url = new URL(trimmed);
    const segments = url.pathname.split('/').filter((s) => s !== '');
    const instance = segments.length === 2 ? segments[0] : undefined;
    url.pathname = instance === undefined ? `/${encodeURIComponent(database)}` : `/${instance}/${encodeURIComponent(database)}`;
    result = url.toString();
  } else {
    result = `${trimmed}${trimmed.endsWith(';') ? '' : ';'}Initial Catalog=${database};`;
  }
  const before = toMssqlConfig('MSSQL_TEST_URL', sourceConfigFor(trimmed));
  const after = toMssqlConfig('MSSQL_TEST_URL', sourceConfigFor(result));
  const same = after.server === before.server && after.port === before.port && after.user === before.user && after.password === before.password;
  if (after.database !== database || !same) {
    throw new Error(
      'MSSQL_TEST_URL: cannot point the connection string at the test database (end an ADO-style string with a plain ";", or use an mssql:// URL)',
    );
  }
  return result;
}

function bracketed(identifier: string): string {
  return `[${identifier.replace(/]/g, ']]')}]`;
}

/** Creates a uniquely named database on the MSSQL_TEST_URL server, with the schemas loaded unless `schemas` is false. */
export async function createMssqlTestDatabase(options: { schemas?: boolean } = {}): Promise<MssqlTestDatabase> {
  const url = mssqlTestUrl();
  if (url === undefined) throw new Error('MSSQL_TEST_URL is not set: the SQL Server tests should have been skipped');
  const name = `bds_test_${randomBytes(6).toString('hex')}`;
  const sourceConfig = sourceConfigFor(withDatabase(url, name));

  const admin = new mssql.ConnectionPool({ ...toMssqlConfig('mssql-test-admin', sourceConfigFor(url)), pool: { min: 0, max: 1 } });
  admin.on('error', () => undefined);
  await admin.connect();
  let pool: mssql.ConnectionPool | undefined;
  const drop = async (): Promise<void> => {
    try {
      // Connections the code under test left open would block the DROP: end them.
      await admin.request().batch(
        `IF DB_ID(N'${name}') IS NOT NULL BEGIN ` +
          `ALTER DATABASE ${bracketed(name)} SET SINGLE_USER WITH ROLLBACK IMMEDIATE; ` +
          `DROP DATABASE ${bracketed(name)}; END`,
      );
    } finally {
      await admin.close();
    }
  };

  try {
    await admin.request().batch(`CREATE DATABASE ${bracketed(name)}`);
    pool = new mssql.ConnectionPool({ ...toMssqlConfig('mssql-test', sourceConfig), pool: { min: 0, max: 1 } });
    pool.on('error', () => undefined);
    await pool.connect();
    if (options.schemas ?? true) {
      // Each file is a GO-free script: CREATE TABLE and CREATE INDEX may share a batch.
      for (const schema of SCHEMAS) await pool.request().batch(mssqlReferenceSchema(schema));
    }
  } catch (error) {
    await pool?.close().catch(() => undefined);
    await drop().catch(() => undefined);
    throw error;
  }

  const connected = pool;
  return {
    sourceConfig,
    async exec(sql: string) {
      await connected.request().batch(sql);
    },
    async close() {
      await connected.close().catch(() => undefined);
      await drop();
    },
  };
}
