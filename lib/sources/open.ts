/**
 * Opens the configured client for a source: the one place that knows which driver serves which
 * `client` value.
 */
import type { SourceConfig } from '../config/types';
import type { SourceClient } from './types';

/**
 * Creates (without connecting yet) the client for one configured source.
 *
 * The driver is loaded here, on first use, rather than when the program starts: node-mssql and
 * tedious alone take about 0.4 s to load, which a site whose sources are all PostgreSQL would pay
 * on every command.
 *
 * @throws SourceError (code `ECONFIG`) when the configuration cannot describe a connection.
 */
export async function openSource(sourceName: string, config: SourceConfig): Promise<SourceClient> {
  if (config.client === 'pg') {
    const { createPgClient } = await import('./pg');
    return createPgClient(sourceName, config);
  }
  const { createMssqlClient } = await import('./mssql');
  return createMssqlClient(sourceName, config);
}
