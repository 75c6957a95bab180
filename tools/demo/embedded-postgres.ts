/**
 * An embedded PostgreSQL (PGlite) reachable over a TCP socket, so that the product's real `pg`
 * driver talks to it exactly as it would to a server. Used by `bds demo` and by the tests on a
 * machine with no PostgreSQL server.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** A `postgres://` connection string for the `pg` driver. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts an in-memory PGlite and a socket server on a free loopback port. */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  const db = await PGlite.create();
  // Several connections are multiplexed onto the single PGlite session; BDS opens at most a few.
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 8 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  return {
    url,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
