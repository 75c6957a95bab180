/**
 * A fresh PostgreSQL database for one test file: a new database on the server at PG_TEST_URL
 * when it is set (CI sets it to the local server), otherwise an embedded PGlite started here,
 * so `npm test` passes on a machine with no database server.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres } from '../../tools/demo/embedded-postgres';
import { referenceSchema } from '../../lib/package-root';

export interface TestDatabase {
  readonly url: string;
  /** Runs SQL (several statements allowed) on the test database. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** Creates an empty database, loads the three reference schemas when `schemas` is true. */
export async function createTestDatabase(options: { schemas?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.PG_TEST_URL;
  let url: string;
  let dispose: () => Promise<void>;
  if (serverUrl !== undefined && serverUrl !== '') {
    const name = `bds_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const parsed = new URL(serverUrl);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    dispose = async () => {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    };
  } else {
    const embedded = await startEmbeddedPostgres();
    url = embedded.url;
    dispose = () => embedded.stop();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  if (options.schemas ?? true) {
    for (const schema of ['gim', 'cfg', 'gvp'] as const) await client.query(referenceSchema(schema));
  }
  return {
    url,
    async exec(sql: string) {
      await client.query(sql);
    },
    async close() {
      await client.end();
      await dispose();
    },
  };
}
