/**
 * `bds demo`: the whole product on a generated month, with nothing installed beyond `npm ci`.
 * An embedded PostgreSQL holds the three reference source schemas and a seeded month of
 * activity for two tenants; BDS processes every day of the month through the same pipeline a
 * site runs, into `<dir>/data`, and prints the month's figures.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { parse as parseCsv } from 'csv-parse/sync';
import { loadRuntime } from '../../lib/runtime/runtime';
import { ExitCode, UsageError } from '../../lib/errors';
import { CATALOGUE } from '../../lib/metrics/catalogue';
import { table } from '../../lib/text/table';
import { createLogger } from '../../lib/log/logger';
import { runDays } from '../../lib/pipeline/run-days';
import { referenceSchema } from '../../lib/package-root';
import { eachDay, lastDayOfMonth } from '../../lib/time/calendar';
import { manifestSchema, type Manifest } from '../../lib/files/manifest';
import { billingFolder, manifestName } from '../../lib/files/period-writer';
import { DEMO_EXCLUDE_AGENTS, DEMO_TENANTS, GVP_COMPONENTS, loadActivity } from './generate';
import { startEmbeddedPostgres } from './embedded-postgres';

/** The demo's month and seed: fixed, so every run produces the same files. October 2026 has Berlin's 25-hour day. */
export const DEMO_MONTH = '2026-10';
export const DEMO_SEED = 20261026;

// The demo enables the whole catalogue for acme.
const SEATS = CATALOGUE.filter((m) => m.family === 'seats').map((m) => m.key);
const GVP = CATALOGUE.filter((m) => m.family === 'gvp').map((m) => m.key);

// Acme's two regions each have their own Media Control Platforms in the demo's single Reporting
// Server, so each region's GVP source selects its own MCPs with a custom query (as a site whose
// RS differs from the reference would).
function regionGvp(mcps: readonly number[]): string {
  const ids = mcps.join(', ');
  const indent = (sql: string): string => sql.split('\n').map((l) => `              ${l}`).join('\n');
  return `
        gvp:
          client: pg
          connectionString: \${env:BDS_DEMO_DB}
          queries:
            calls: |
${indent(`SELECT CAST(c.cdr_id AS VARCHAR(20)) AS call_id, c.call_start, c.call_end
  FROM gvp_cdr c
 WHERE c.component = 'MCP' AND c.comp_id IN (${ids}) AND c.tenant_id = :tenantDbid
   AND c.call_start < :dayEnd AND (c.call_end IS NULL OR c.call_end > :dayStart)`)}
            mediaSessions: |
${indent(`SELECT CAST(m.id AS VARCHAR(20)) AS session_id, m.resource_kind, m.start_ts, m.end_ts
  FROM gvp_media_resource_session m
 WHERE m.tenant_id = :tenantDbid
   AND m.start_ts < :dayEnd AND (m.end_ts IS NULL OR m.end_ts > :dayStart)
   AND EXISTS (SELECT 1 FROM gvp_cdr c WHERE c.session_id = m.session_id AND c.component = 'MCP'
                  AND c.comp_id IN (${ids}) AND c.tenant_id = :tenantDbid)`)}`;
}

/** The demo's configuration file. */
export function demoConfig(month: string): string {
  const [acme, globex] = DEMO_TENANTS;
  const first = `${month}-01`;
  return `# Written by \`bds demo\`: the configuration it processed the generated month with.
customer:
  garn: GARN0042
  name: Acme Corp
dataDir: ./data
processingDelay: 2h
sources:
  gim: { client: pg, connectionString: "\${env:BDS_DEMO_DB}" }
  config: { client: pg, connectionString: "\${env:BDS_DEMO_DB}" }
  gvp: { client: pg, connectionString: "\${env:BDS_DEMO_DB}" }
tenants:
  - id: ${acme?.name}
    gimTenantKey: ${acme?.gimTenantKey}
    cfgTenantDbid: ${acme?.cfgTenantDbid}
    timezone: ${acme?.timezone}
    productionDate: ${first}
    excludeAgents: ${JSON.stringify(DEMO_EXCLUDE_AGENTS)}
    metrics: [${[...SEATS, 'voicemail_boxes', ...GVP].join(', ')}]
    regions:
      - code: US${regionGvp(GVP_COMPONENTS.mcp.slice(0, 2))}
        locations:
          - { code: NYC, switches: [SIP_NYC] }
          - { code: CHI, switches: [SIP_CHI] }
      - code: EU${regionGvp(GVP_COMPONENTS.mcp.slice(2))}
        locations:
          - { code: BER, switches: [SIP_BER] }
          - { code: MAIN, switches: [] }
  - id: ${globex?.name}
    gimTenantKey: ${globex?.gimTenantKey}
    cfgTenantDbid: ${globex?.cfgTenantDbid}
    timezone: ${globex?.timezone}
    productionDate: ${first}
    excludeAgents: ${JSON.stringify(DEMO_EXCLUDE_AGENTS)}
    metrics: [seats_inbound_voice, seats_chat, seats_workspace, gvp_ports, gvp_minutes]
    regions:
      - code: UK
        locations:
          - { code: LON, switches: [] }
`;
}

/** Runs the demo; returns the exit code. */
export async function runDemo(options: { dir: string; month?: string | undefined }): Promise<number> {
  const month = options.month ?? DEMO_MONTH;
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError(`--month ${JSON.stringify(month)}: expected YYYY-MM`);
  const dir = resolve(options.dir);
  const out = (line: string): boolean => process.stdout.write(line + '\n');
  const started = Date.now();
  // Only what the demo itself wrote is replaced, never anything else in the folder.
  await rm(join(dir, 'data'), { recursive: true, force: true });
  await mkdir(dir, { recursive: true });

  out(`bds demo: starting an embedded PostgreSQL and generating ${month} (seed ${DEMO_SEED}) ...`);
  const db = await startEmbeddedPostgres();
  const client = new pg.Client({ connectionString: db.url });
  try {
    await client.connect();
    for (const schema of ['gim', 'cfg', 'gvp'] as const) await client.query(referenceSchema(schema));
    const generated = await loadActivity(client, { seed: DEMO_SEED, month, tenants: DEMO_TENANTS });
    // Fresh tables have no planner statistics; a real GIM has them.
    await client.query('ANALYZE');
    await client.end();
    out(`  ${generated.totalRows.toLocaleString('en-US')} source rows in ${Object.keys(generated.rows).length} tables`);

    const configPath = join(dir, 'bds.config.yaml');
    await writeFile(configPath, demoConfig(month));
    const { config, runtime } = loadRuntime(configPath, { env: { ...process.env, BDS_DEMO_DB: db.url } });
    const days = eachDay(`${month}-01`, lastDayOfMonth(`${month}-01`));
    out(`  processing ${days.length} days for ${config.tenants.length} tenants into ${config.dataDir} ...`);
    const summary = await runDays({
      config,
      runtime,
      targets: config.tenants.map((tenant) => ({ tenant, dates: days })),
      log: createLogger({ secrets: runtime.secrets, ...(process.env.BDS_LOG_LEVEL === undefined ? { level: 'warn' } : {}) }),
      stages: { extract: true, aggregate: true },
    });

    const files = summary.days.reduce((n, d) => n + d.files, 0);
    out(`  ${summary.days.filter((d) => d.ok).length} tenant-days processed, ${files} billing files written in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    for (const d of summary.days) if (!d.ok) out(`  FAILED ${d.tenant} ${d.date} (${d.failedStage ?? 'other'}): ${d.error ?? ''}`);

    const rows: (string | number)[][] = [];
    for (const tenant of config.tenants) {
      const period = { type: 'monthly', month } as const;
      const daily = { type: 'daily', date: days[days.length - 1] ?? '' } as const;
      const read = async (p: typeof period | typeof daily): Promise<Manifest | undefined> => {
        try {
          return manifestSchema.parse(JSON.parse(await readFile(join(billingFolder(config.dataDir, tenant.id, p), manifestName(tenant.id, p)), 'utf8')));
        } catch {
          return undefined;
        }
      };
      const monthly = await read(period);
      const lastDay = await read(daily);
      for (const manifest of [monthly, lastDay]) {
        for (const file of manifest?.files ?? []) {
          if (manifest === lastDay && file.metric !== 'voicemail_boxes') continue;
          const csv = await readFile(join(billingFolder(config.dataDir, tenant.id, manifest === monthly ? period : daily), file.name), 'utf8');
          for (const row of parseCsv<Record<string, string>>(csv, { columns: true })) {
            rows.push([tenant.id, file.region, file.metric, row.measure ?? '', row.period ?? '', Number(row.message_size)]);
          }
        }
      }
    }
    out(table(['tenant', 'region', 'metric', 'measure', 'period', 'value'], rows));
    out(`Files: ${join(config.dataDir, 'billing')}   Configuration used: ${configPath}`);
    return summary.ok ? ExitCode.ok : summary.exitCode;
  } finally {
    await client.end().catch(() => undefined);
    await db.stop();
  }
}
