/**
 * `bds seed`: fills the three reference schemas of a PostgreSQL database with a generated month
 * at the volume of a big site, for sizing and the benchmark (docs/benchmark.md).
 *
 * Scale 1.0 is one tenant, `big`, with 20,000 agents for a whole month: 1–2 voice sessions per
 * agent-day, digital sessions for about half of the agents, about 40 interaction-resource rows
 * per agent-day (≈ 25 M in the month), IVR calls with their ASR/TTS sessions and voicemail boxes
 * to match. Other scales multiply the number of agents; what one agent does in a day stays the
 * same, so a day's volume is proportional to the scale.
 *
 * Rows go in through COPY (one per table), the fact tables' indexes are built after the load
 * (the same definitions as the reference schema, nothing added), and the database is vacuumed
 * and analysed so that it looks like a customer's steady-state GIM, not a freshly loaded one.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import { table } from '../../lib/text/table';
import { BdsError, ExitCode, UsageError, describeError } from '../../lib/errors';
import { referenceSchema } from '../../lib/package-root';
import {
  DEMO_EXCLUDE_AGENTS,
  DEMO_TENANTS,
  GVP_COMPONENTS,
  TABLE_NAMES,
  loadActivity,
  type TableName,
  type TableRows,
  type TableSink,
  type TenantLayout,
} from '../demo/generate';
import { CATALOGUE } from '../../lib/metrics/catalogue';
import { CopyTableSink } from './copy-sink';

/** Agents of the `big` tenant at scale 1.0. */
export const SEED_AGENTS_AT_SCALE_1 = 20_000;

/**
 * The generator's activity knob (interactions and IVR calls per agent). Measured: 3.4 gives
 * ≈ 40 interaction-resource rows per agent and calendar day (weekends and absences included),
 * i.e. ≈ 25 M rows for 20,000 agents over 31 days.
 */
export const SEED_ACTIVITY = 3.4;

/** The default generator seed of `bds seed`. */
export const SEED_DEFAULT_SEED = 20_000;

/** The largest scale: the generator allows 100,000 agents per tenant. */
export const SEED_MAX_SCALE = 5;

/** The big tenant's switches and where each region's agents sit. */
const BIG_SWITCHES = [
  { name: 'SIP_NYC', share: 0.35 },
  { name: 'SIP_CHI', share: 0.25 },
  { name: 'SIP_BER', share: 0.4 },
] as const;

/** The fact tables: loaded in bulk, so their indexes are built once afterwards. */
const FACT_TABLES: readonly TableName[] = [
  'sm_res_session_fact',
  'interaction_fact',
  'interaction_resource_fact',
  'gvp_cdr',
  'gvp_media_resource_session',
];

/** The options of `bds seed` are unusable. */
export class SeedOptionsError extends BdsError {}

/** The target database cannot be seeded as asked (tables exist, connection refused, ...). */
export class SeedError extends BdsError {}

/** The seeded tenant `big` at a scale. */
export function bigTenant(scale: number): TenantLayout {
  return {
    name: 'big',
    gimTenantKey: 10,
    cfgTenantDbid: 110,
    timezone: 'America/New_York',
    agents: Math.max(1, Math.round(SEED_AGENTS_AT_SCALE_1 * scale)),
    switches: BIG_SWITCHES,
  };
}

/** The tenants `bds seed` generates: `big`, and the demo's two small tenants when asked. */
export function seedTenants(scale: number, demoTenants = false): TenantLayout[] {
  return [bigTenant(scale), ...(demoTenants ? DEMO_TENANTS : [])];
}

/** `YYYY-MM` of the calendar month before `now` (UTC): the latest month that has fully ended. */
export function previousMonth(now: Date = new Date()): string {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return first.toISOString().slice(0, 7);
}

export interface SeedOptions {
  /** `postgres://` URL of an existing database. */
  readonly url: string;
  /** 1.0 = 20,000 agents (default 1). */
  readonly scale?: number;
  /** Generator seed (default SEED_DEFAULT_SEED). */
  readonly seed?: number;
  /** `YYYY-MM` (default: the previous calendar month, so `bds run` may process all of it). */
  readonly month?: string;
  /** Drop the reference tables first if they exist (default: refuse to touch them). */
  readonly reset?: boolean;
  /** Also generate the demo tenants `acme` and `globex`. */
  readonly demoTenants?: boolean;
  /** Progress lines (default: none). */
  readonly progress?: (line: string) => void;
}

/** What `seedDatabase` did. */
export interface SeedReport {
  readonly month: string;
  readonly seed: number;
  readonly scale: number;
  readonly tenants: readonly { readonly name: string; readonly agents: number }[];
  /** Rows loaded per table, as counted in the database after the load. */
  readonly rows: Readonly<Record<TableName, number>>;
  readonly totalRows: number;
  readonly voicemailBoxes: Readonly<Record<string, number>>;
  readonly openSessions: Readonly<Record<string, number>>;
  /** Milliseconds per phase: generation and COPY, index builds, VACUUM ANALYZE. */
  readonly durationMs: { readonly load: number; readonly indexes: number; readonly vacuum: number; readonly total: number };
}

/** What the database's comment records, so a later run can tell what it holds. */
export interface SeedMarker {
  readonly seededBy: 'bds seed';
  readonly month: string;
  readonly seed: number;
  readonly scale: number;
  readonly tenants: readonly string[];
  readonly rows: Readonly<Record<string, number>>;
  readonly at: string;
}

function validate(options: SeedOptions): { scale: number; seed: number; month: string } {
  const scale = options.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= SEED_MAX_SCALE)) {
    throw new SeedOptionsError(`scale must be a number in (0, ${SEED_MAX_SCALE}], got ${scale}`);
  }
  const seed = options.seed ?? SEED_DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new SeedOptionsError(`seed must be an integer, got ${seed}`);
  const month = options.month ?? previousMonth();
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new SeedOptionsError(`month must be YYYY-MM, got "${month}"`);
  return { scale, seed, month };
}

/** Reports progress once per generated day, passing chunks on to the real sink. */
class ProgressSink implements TableSink {
  private day: string | null | undefined;
  private rows = 0;

  constructor(
    private readonly inner: TableSink,
    private readonly progress: (line: string) => void,
    private readonly started: number,
  ) {}

  async write(chunk: TableRows): Promise<void> {
    if (chunk.day !== this.day) {
      if (this.day !== undefined) {
        this.progress(`  ${this.day ?? 'dimensions and Config DB'}: ${this.rows.toLocaleString('en-US')} rows so far, ${seconds(Date.now() - this.started)}`);
      }
      this.day = chunk.day;
    }
    this.rows += chunk.rows.length;
    await this.inner.write(chunk);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Statements that drop the fact tables' keys and indexes, and those that rebuild them as they were. */
async function factIndexes(client: pg.Client): Promise<{ drop: string[]; create: string[] }> {
  const constraints = await client.query<{ table_name: string; name: string; definition: string }>(
    `SELECT t.relname AS table_name, c.conname AS name, pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1) AND c.contype IN ('p', 'u')
      ORDER BY t.relname, c.conname`,
    [FACT_TABLES],
  );
  const indexes = await client.query<{ name: string; definition: string }>(
    `SELECT i.indexname AS name, i.indexdef AS definition
       FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)
      ORDER BY i.tablename, i.indexname`,
    [FACT_TABLES],
  );
  const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
  return {
    drop: [
      ...indexes.rows.map((i) => `DROP INDEX ${quote(i.name)}`),
      ...constraints.rows.map((c) => `ALTER TABLE ${quote(c.table_name)} DROP CONSTRAINT ${quote(c.name)}`),
    ],
    create: [
      ...constraints.rows.map((c) => `ALTER TABLE ${quote(c.table_name)} ADD CONSTRAINT ${quote(c.name)} ${c.definition}`),
      ...indexes.rows.map((i) => i.definition),
    ],
  };
}

/** Drops the reference tables (reset) or fails if one exists. */
async function prepareTables(client: pg.Client, reset: boolean): Promise<void> {
  const existing = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND c.relname = ANY($1)
      ORDER BY c.relname`,
    [TABLE_NAMES],
  );
  if (existing.rows.length === 0) return;
  if (!reset) {
    throw new SeedError(
      `the database already has reference tables (${existing.rows.map((r) => r.name).join(', ')}); ` +
        'seed an empty database, or pass --reset to drop them first',
    );
  }
  await client.query(`DROP TABLE IF EXISTS ${TABLE_NAMES.join(', ')} CASCADE`);
}

/** Records what the database holds in its comment (no table is added to the reference schemas). */
async function writeMarker(client: pg.Client, marker: SeedMarker): Promise<void> {
  await client.query(
    `DO $$ BEGIN EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), ${literal(JSON.stringify(marker))}); END $$`,
  );
}

/** A SQL string literal (standard_conforming_strings on, the default since PostgreSQL 9.1). */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * What `bds seed` recorded in the database the client is connected to, or undefined when it was
 * not seeded by it (or the comment is someone else's).
 */
export async function readSeedMarker(client: pg.ClientBase): Promise<SeedMarker | undefined> {
  const result = await client.query<{ comment: string | null }>(
    'SELECT shobj_description(d.oid, \'pg_database\') AS comment FROM pg_database d WHERE d.datname = current_database()',
  );
  const comment = result.rows[0]?.comment;
  if (comment === null || comment === undefined) return undefined;
  try {
    const parsed = JSON.parse(comment) as Partial<SeedMarker>;
    return parsed.seededBy === 'bds seed' ? (parsed as SeedMarker) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates the reference schemas in the database at `options.url` and loads a generated month
 * into them through COPY, then builds the fact tables' indexes and runs VACUUM ANALYZE.
 *
 * @returns the rows per table as counted in the database, and the generator's notes.
 * @throws SeedOptionsError for unusable options; SeedError when the database cannot be used
 *   (reference tables already there without `reset`, connection refused); ActivityLoadError
 *   when a COPY fails.
 */
export async function seedDatabase(options: SeedOptions): Promise<SeedReport> {
  const { scale, seed, month } = validate(options);
  const progress = options.progress ?? (() => undefined);
  const tenants = seedTenants(scale, options.demoTenants === true);
  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: options.url, application_name: 'bds seed' });
    await client.connect();
    return client;
  };
  let client: pg.Client;
  try {
    client = await connect();
  } catch (error) {
    throw new SeedError(`cannot connect to the database: ${describeError(error)}`, { cause: error });
  }
  client.on('error', () => undefined);
  const started = Date.now();
  try {
    await prepareTables(client, options.reset === true);
    for (const schema of ['gim', 'cfg', 'gvp'] as const) await client.query(referenceSchema(schema));
    // Building an index once over sorted keys is far cheaper than maintaining it row by row.
    const indexes = await factIndexes(client);
    for (const statement of indexes.drop) await client.query(statement);

    progress(
      `bds seed: ${month}, seed ${seed}, scale ${scale}: ${tenants.map((t) => `${t.name} (${t.agents.toLocaleString('en-US')} agents)`).join(', ')}`,
    );
    const sink = new CopyTableSink({ connect });
    let generated;
    try {
      generated = await loadActivity(
        client,
        { seed, month, tenants, scale: SEED_ACTIVITY, chunkRows: 5000 },
        new ProgressSink(sink, progress, started),
      );
      await sink.finish();
    } catch (error) {
      await sink.abort(error);
      throw error;
    }
    const loaded = Date.now();
    progress(`  loaded ${generated.totalRows.toLocaleString('en-US')} rows in ${seconds(loaded - started)}; building indexes ...`);

    // Session settings only: more memory and the default parallel workers for the index sorts.
    await client.query("SET maintenance_work_mem = '1GB'");
    for (const statement of indexes.create) await client.query(statement);
    const indexed = Date.now();
    progress(`  indexes built in ${seconds(indexed - loaded)}; VACUUM ANALYZE ...`);
    // Without it, autovacuum would start on the new tables in the middle of the first
    // measurements, and the first queries would pay for setting every row's hint bits.
    await client.query('VACUUM (ANALYZE)');
    const vacuumed = Date.now();

    const rows = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>;
    for (const table of TABLE_NAMES) {
      const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      rows[table] = Number(result.rows[0]?.n ?? 0);
      if (rows[table] !== generated.rows[table]) {
        throw new SeedError(`${table}: ${rows[table]} rows in the database, ${generated.rows[table]} generated`);
      }
    }
    const totalRows = Object.values(rows).reduce((a, b) => a + b, 0);
    await writeMarker(client, {
      seededBy: 'bds seed',
      month,
      seed,
      scale,
      tenants: tenants.map((t) => t.name),
      rows,
      at: new Date().toISOString(),
    });
    return {
      month,
      seed,
      scale,
      tenants: tenants.map((t) => ({ name: t.name, agents: t.agents })),
      rows,
      totalRows,
      voicemailBoxes: generated.voicemailBoxes,
      openSessions: generated.openSessions,
      durationMs: { load: loaded - started, indexes: indexed - loaded, vacuum: vacuumed - indexed, total: Date.now() - started },
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// The matching configuration
// ---------------------------------------------------------------------------------------------

const ALL_METRICS: readonly string[] = CATALOGUE.map((m) => m.key);

export interface RegionSpec {
  readonly code: string;
  /** The MCPs whose calls (and their ASR/TTS sessions) belong to the region; none = the top-level GVP source. */
  readonly mcps?: readonly number[];
  readonly locations: readonly { readonly code: string; readonly switches: readonly string[] }[];
}

export interface TenantSpec {
  readonly layout: TenantLayout;
  readonly metrics: readonly string[];
  readonly regions: readonly RegionSpec[];
}

/** Two regions, each with its own MCPs: the first with two switch locations, the second with one and the default. */
function twoRegions(first: string): RegionSpec[] {
  const [mcp1, mcp2, mcp3] = GVP_COMPONENTS.mcp;
  return [
    {
      code: first,
      mcps: [mcp1, mcp2],
      locations: [
        { code: 'NYC', switches: ['SIP_NYC'] },
        { code: 'CHI', switches: ['SIP_CHI'] },
      ],
    },
    {
      code: 'EU',
      mcps: [mcp3],
      locations: [
        { code: 'BER', switches: ['SIP_BER'] },
        { code: 'MAIN', switches: [] },
      ],
    },
  ];
}

/**
 * How the seeded tenants are configured: `big` (and `acme`) with two regions, each with its own
 * MCPs, every metric; `globex` as in the demo, one region on the top-level GVP source.
 */
export function seedTenantSpecs(scale: number, demoTenants = false): TenantSpec[] {
  const specs: TenantSpec[] = [{ layout: bigTenant(scale), metrics: ALL_METRICS, regions: twoRegions('NA') }];
  const [acme, globex] = DEMO_TENANTS;
  if (demoTenants && acme !== undefined && globex !== undefined) {
    specs.push(
      { layout: acme, metrics: ALL_METRICS, regions: twoRegions('US') },
      {
        layout: globex,
        metrics: ['seats_inbound_voice', 'seats_chat', 'seats_workspace', 'gvp_ports', 'gvp_minutes'],
        regions: [{ code: 'UK', locations: [{ code: 'LON', switches: [] }] }],
      },
    );
  }
  return specs;
}

/**
 * The region's own GVP queries: the reference queries restricted to the region's MCPs. An
 * ASR/TTS session belongs to the region of the MCP call it served, and a session that overlaps
 * the day serves a call that overlaps it, so the call side is bounded by the day as well.
 */
export function regionGvpQueries(mcps: readonly number[]): { calls: string; mediaSessions: string } {
  const ids = mcps.map((m) => String(Math.trunc(m))).join(', ');
  return {
    calls: `SELECT CAST(c.cdr_id AS VARCHAR(20)) AS call_id, c.call_start, c.call_end
  FROM gvp_cdr c
 WHERE c.component = 'MCP' AND c.comp_id IN (${ids}) AND c.tenant_id = :tenantDbid
   AND c.call_start < :dayEnd AND (c.call_end IS NULL OR c.call_end > :dayStart)`,
    mediaSessions: `SELECT CAST(m.id AS VARCHAR(20)) AS session_id, m.resource_kind, m.start_ts, m.end_ts
  FROM gvp_media_resource_session m
 WHERE m.tenant_id = :tenantDbid AND m.resource_kind IN ('ASR', 'TTS')
   AND m.start_ts < :dayEnd AND (m.end_ts IS NULL OR m.end_ts > :dayStart)
   AND m.session_id IN (SELECT c.session_id FROM gvp_cdr c
                         WHERE c.component = 'MCP' AND c.comp_id IN (${ids}) AND c.tenant_id = :tenantDbid
                           AND c.call_start < :dayEnd AND (c.call_end IS NULL OR c.call_end > :dayStart))`,
  };
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

export interface SeedConfigOptions {
  /** The seeded database, or an `${env:NAME}` reference to it. */
  readonly connectionString: string;
  readonly month: string;
  readonly scale: number;
  readonly demoTenants?: boolean;
  /** Relative to the configuration file (default `./data`). */
  readonly dataDir?: string;
  /** The tenants' production date (default the month's first day). */
  readonly productionDate?: string;
}

/** A `bds.config.yaml` that processes what `seedDatabase` loaded, every metric of every tenant. */
export function seedConfig(options: SeedConfigOptions): string {
  const url = JSON.stringify(options.connectionString);
  const source = `{ client: pg, connectionString: ${url} }`;
  const specs = seedTenantSpecs(options.scale, options.demoTenants === true);
  const needsTopLevelGvp = specs.some((s) => s.regions.some((r) => r.mcps === undefined));
  const tenants = specs.map((spec) => {
    const { layout } = spec;
    const regions = spec.regions.map((region) => {
      const lines = [`      - code: ${region.code}`];
      if (region.mcps !== undefined) {
        const queries = regionGvpQueries(region.mcps);
        lines.push(
          '        gvp:',
          '          client: pg',
          `          connectionString: ${url}`,
          '          queries:',
          '            calls: |',
          indent(queries.calls, 14),
          '            mediaSessions: |',
          indent(queries.mediaSessions, 14),
        );
      }
      lines.push('        locations:');
      for (const location of region.locations) {
        lines.push(`          - { code: ${location.code}, switches: [${location.switches.join(', ')}] }`);
      }
      return lines.join('\n');
    });
    return [
      `  - id: ${layout.name}`,
      `    gimTenantKey: ${layout.gimTenantKey}`,
      `    cfgTenantDbid: ${layout.cfgTenantDbid}`,
      `    timezone: ${layout.timezone}`,
      `    productionDate: ${options.productionDate ?? `${options.month}-01`}`,
      `    excludeAgents: ${JSON.stringify(DEMO_EXCLUDE_AGENTS)}`,
      `    metrics: [${spec.metrics.join(', ')}]`,
      '    regions:',
      ...regions,
    ].join('\n');
  });
  return [
    `# Written by \`bds seed\`: processes the generated ${options.month} (scale ${options.scale}) of the seeded database.`,
    'customer:',
    '  garn: GARN0042',
    '  name: BDS seed',
    `dataDir: ${JSON.stringify(options.dataDir ?? './data')}`,
    'processingDelay: 2h',
    'sources:',
    `  gim: ${source}`,
    `  config: ${source}`,
    ...(needsTopLevelGvp ? [`  gvp: ${source}`] : []),
    'tenants:',
    ...tenants,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------

/** `bds seed`'s options as the command line gives them (strings, not yet checked). */
export interface SeedCommandOptions {
  readonly url: string | undefined;
  readonly scale: string | undefined;
  readonly seed: string | undefined;
  readonly month: string | undefined;
  readonly reset: boolean;
  readonly demoTenants: boolean;
  readonly writeConfig: string | undefined;
}

function numberOption(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    throw new UsageError(`--${name} ${JSON.stringify(text)} is not ${integer ? 'an integer' : 'a number'}`);
  }
  return value;
}

/** True when the URL carries a password, which must not be written into a configuration file. */
function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

/**
 * Runs `bds seed`: seeds, prints what was loaded, and writes the matching configuration when
 * asked. Option problems are usage errors (exit 64).
 * @returns the exit code.
 */
export async function runSeedCommand(options: SeedCommandOptions): Promise<number> {
  if (options.url === undefined) throw new UsageError('--url is required: the database to fill, e.g. postgres://postgres@127.0.0.1:5432/bds_bench');
  const scale = numberOption('scale', options.scale, false);
  const seed = numberOption('seed', options.seed, true);
  const out = (line: string): boolean => process.stdout.write(line + '\n');
  let report: SeedReport;
  try {
    report = await seedDatabase({
      url: options.url,
      ...(scale === undefined ? {} : { scale }),
      ...(seed === undefined ? {} : { seed }),
      ...(options.month === undefined ? {} : { month: options.month }),
      reset: options.reset,
      demoTenants: options.demoTenants,
      progress: out,
    });
  } catch (error) {
    if (error instanceof SeedOptionsError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
  out('');
  out(table(['table', 'rows'], TABLE_NAMES.map((t) => [t, report.rows[t]])).trimEnd());
  out(`total ${report.totalRows.toLocaleString('en-US')} rows in ${seconds(report.durationMs.total)} ` +
    `(COPY ${seconds(report.durationMs.load)}, indexes ${seconds(report.durationMs.indexes)}, VACUUM ANALYZE ${seconds(report.durationMs.vacuum)})`);
  out(`voicemail boxes: ${Object.entries(report.voicemailBoxes).map(([t, n]) => `${t} ${n}`).join(', ')}`);
  if (options.writeConfig !== undefined) {
    const secret = hasPassword(options.url);
    const file = resolve(options.writeConfig);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(
      file,
      seedConfig({
        connectionString: secret ? '${env:BDS_SEED_URL}' : options.url,
        month: report.month,
        scale: report.scale,
        demoTenants: options.demoTenants,
      }),
    );
    out(`configuration written to ${file}${secret ? ' (set BDS_SEED_URL to the database URL: the password is not written)' : ''}`);
    out(`process a day: bds run --config ${file} --date ${report.month}-15 --no-transmit`);
  }
  return ExitCode.ok;
}
