/**
 * Opens the configured client for a source: the one place that knows which driver serves which
 * `client` value.
 */
import type { SourceConfig } from '../config/types';
import { createMssqlClient } from './mssql';
import { createPgClient } from './pg';
import type { SourceClient } from './types';

/** Creates (without connecting yet) the client for one configured source. */
export function openSource(sourceName: string, config: SourceConfig): SourceClient {
  return config.client === 'pg' ? createPgClient(sourceName, config) : createMssqlClient(sourceName, config);
}
