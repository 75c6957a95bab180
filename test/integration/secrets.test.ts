/**
 * Secrets never leave the process (docs/security.md, "Secrets"). Known secrets are planted where
 * a deployment keeps them — a password inside a GIM connection string, an environment-substituted
 * Config DB password, the passwords of two GVP sources that fail (SQL Server and PostgreSQL, both
 * unreachable), and an S3 key id and secret key that the store rejects — and every command is run
 * with debug logging and stack traces on: run, backfill, catch-up, status, status --json, check,
 * watermark, invoke of each handler, and invalid configurations that mention a secret-bearing
 * key. Every output (stdout, stderr) and every file under the data folder (gzip files
 * decompressed) is searched for each secret, as written, URL-encoded and JSON-escaped.
 *
 * The secrets carry a quote and a backslash on purpose: in a JSON log line or `--json` output
 * such a value is escaped, and a redactor that only knows the raw form would let it through.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../lib/log/redact';
import { createLogger } from '../../lib/log/logger';
import { runBds, type CliResult } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver';
import { seatsFixtureSql } from '../fixtures/seats-fixture';
import { ifSetUp } from '../helpers/suite';

const SECRET = {
  gimPassword: 'gimPW"7Qx\\v2#kL-a91',
  cfgPassword: 'cfgPW"R4nd\\0m-9d1e',
  gvpMssqlPassword: 'gvpPW-Zz81"failing\\x',
  gvpUrlPassword: 'gvpUrlPW-Qq55/failing',
  s3KeyId: 'AKIASECRETKEY0TEST1',
  s3SecretKey: 's3SK-wJalrXUtnFEMI/K7MDENG"bPxRfiCY',
  numericPassword: '8675309123',
} as const;

/** Every way a secret could be written out: as is, URL-encoded, JSON-escaped. */
function forms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])];
}

const NOW = '2026-11-05T12:00:00Z';

/** Every file under `root`, with its text (gzip files decompressed). */
function filesUnder(root: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const entry of readdirSync(root, { recursive: true }) as string[]) {
    const file = path.join(root, entry);
    if (!statSync(file).isFile()) continue;
    const bytes = readFileSync(file);
    out.push({ file: entry, text: (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8') });
  }
  return out;
}

interface Output {
  readonly command: string;
  readonly result: CliResult;
}

describe('secrets in every output of every command', () => {
  let db: TestDatabase;
  let s3: S3rverHandle;
  let work: string;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const outputs: Output[] = [];

  /** The configuration; every secret comes from the environment. */
  function configText(): string {
    const target = new URL(db.url);
    return `customer: { garn: GARN0042, name: Acme Corp }
dataDir: ${dataDir}
processingDelay: 2h
sources:
  gim:
    client: pg
    connectionString: \${env:BDS_TEST_GIM_URL}
  config:
    client: pg
    host: ${target.hostname}
    port: ${target.port === '' ? 5432 : target.port}
    database: ${target.pathname.slice(1)}
    user: ${decodeURIComponent(target.username)}
    password: \${env:BDS_TEST_CFG_PW}
tenants:
  - id: acme
    gimTenantKey: 1
    cfgTenantDbid: 101
    timezone: America/New_York
    productionDate: 2026-10-30
    excludeAgents: ["^test_"]
    metrics: [seats_inbound_voice, seats_workspace]
    regions:
      - code: US
        locations:
          - { code: NYC, switches: [SIP_NYC] }
          - { code: MAIN, switches: [] }
      - code: EU
        locations:
          - { code: BER, switches: [SIP_BER] }
  - id: beta
    gimTenantKey: 2
    cfgTenantDbid: 102
    timezone: UTC
    productionDate: 2026-10-30
    metrics: [gvp_ports]
    regions:
      - code: B1
        gvp: { client: mssql, host: 127.0.0.1, port: 1, database: gvp, user: bds, password: "\${env:BDS_TEST_GVP_PW}", connectTimeout: 5s }
        locations: [{ code: L1, switches: [] }]
      - code: B2
        gvp: { client: pg, connectionString: "\${env:BDS_TEST_GVP_URL}", connectTimeout: 5s }
        locations: [{ code: L2, switches: [SW2] }]
transmit:
  s3:
    bucket: ${s3.bucket}
    prefix: premise
    region: us-east-1
    endpoint: ${s3.endpoint}
    forcePathStyle: true
    accessKeyId: \${env:BDS_TEST_S3_KEY_ID}
    secretAccessKey: \${env:BDS_TEST_S3_SECRET}
    requestChecksumCalculation: WHEN_REQUIRED
`;
  }

  async function bds(args: readonly string[], config: string): Promise<void> {
    const result = await runBds([...args, '--config', config], { env, cwd: work });
    outputs.push({ command: `bds ${args.join(' ')} (${path.basename(config)})`, result });
  }

  beforeAll(async () => {
    [db, s3] = await Promise.all([createTestDatabase(), startS3rver()]);
    await db.exec(seatsFixtureSql());
    work = mkdtempSync(path.join(tmpdir(), 'bds-secrets-'));
    dataDir = path.join(work, 'data');
    const gimUrl = new URL(db.url);
    gimUrl.password = SECRET.gimPassword;
    env = {
      BDS_NOW: NOW,
      BDS_LOG_LEVEL: 'debug',
      BDS_DEBUG: '1',
      BDS_TEST_GIM_URL: gimUrl.toString(),
      BDS_TEST_CFG_PW: SECRET.cfgPassword,
      BDS_TEST_GVP_PW: SECRET.gvpMssqlPassword,
      BDS_TEST_GVP_URL: `postgres://bds:${encodeURIComponent(SECRET.gvpUrlPassword)}@127.0.0.1:1/gvp`,
      BDS_TEST_S3_KEY_ID: SECRET.s3KeyId,
      BDS_TEST_S3_SECRET: SECRET.s3SecretKey,
    };
    const config = path.join(work, 'bds.config.yaml');
    writeFileSync(config, configText());
    chmodSync(config, 0o600);

    // Invalid configurations, each mentioning a secret-bearing key.
    const invalid = {
      // The Config DB password pasted into a field whose message quotes its value.
      'pasted.yaml': configText().replace('timezone: UTC', 'timezone: "${env:BDS_TEST_CFG_PW}"'),
      // A password written as a number.
      'numeric.yaml': configText().replace('password: ${env:BDS_TEST_CFG_PW}', `password: ${SECRET.numericPassword}`),
      // A password next to a connection string that already has one.
      'both.yaml': configText().replace('connectionString: ${env:BDS_TEST_GIM_URL}', 'connectionString: ${env:BDS_TEST_GIM_URL}\n    password: ${env:BDS_TEST_CFG_PW}'),
      // A misspelt secret key holding the secret.
      'typo.yaml': configText().replace('password: ${env:BDS_TEST_CFG_PW}', `pasword: "${SECRET.cfgPassword.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`),
    };
    for (const [name, text] of Object.entries(invalid)) writeFileSync(path.join(work, name), text);

    const events = {
      'extract-gim': { tenant: 'acme', date: '2026-10-30' },
      'extract-config': { tenant: 'acme', date: '2026-10-30' },
      'extract-gvp': { tenant: 'beta', date: '2026-10-30' },
      aggregate: { tenant: 'acme', date: '2026-10-30' },
      upload: {},
      dispatcher: {},
      worker: { tenant: 'beta' },
    };
    for (const [name, event] of Object.entries(events)) writeFileSync(path.join(work, `${name}.json`), JSON.stringify(event));

    // Sequential: the commands share one data folder and its lock.
    await bds(['run', '--date', '2026-10-30'], config);
    await bds(['backfill', '--from', '2026-10-30', '--to', '2026-10-31'], config);
    await bds(['catch-up'], config);
    await bds(['status'], config);
    await bds(['status', '--json'], config);
    await bds(['check'], config);
    await bds(['watermark', '--tenant', 'acme', '--stage', 'transmit', '--set', '2026-10-29'], config);
    for (const name of Object.keys(events)) await bds(['invoke', name, '--event', path.join(work, `${name}.json`)], config);
    for (const name of Object.keys(invalid)) await bds(['run', '--date', '2026-10-30'], path.join(work, name));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([ifSetUp(db)?.close(), ifSetUp(s3)?.close()]);
    if (ifSetUp(work) !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('ran every command, reaching the failures it was meant to reach', () => {
    // Assess: the exit codes show each path was taken (extraction failed for beta, delivery
    // failed on the rejected keys, the invalid configurations were refused).
    const codes = Object.fromEntries(outputs.map((o) => [o.command, o.result.code]));
    expect(codes).toEqual({
      'bds run --date 2026-10-30 (bds.config.yaml)': 8 | 2,
      'bds backfill --from 2026-10-30 --to 2026-10-31 (bds.config.yaml)': 8 | 2,
      'bds catch-up (bds.config.yaml)': 8 | 2,
      'bds status (bds.config.yaml)': 0,
      'bds status --json (bds.config.yaml)': 0,
      'bds check (bds.config.yaml)': 8 | 2,
      'bds watermark --tenant acme --stage transmit --set 2026-10-29 (bds.config.yaml)': 0,
      [`bds invoke extract-gim --event ${path.join(work, 'extract-gim.json')} (bds.config.yaml)`]: 0,
      [`bds invoke extract-config --event ${path.join(work, 'extract-config.json')} (bds.config.yaml)`]: 0,
      [`bds invoke extract-gvp --event ${path.join(work, 'extract-gvp.json')} (bds.config.yaml)`]: 8,
      [`bds invoke aggregate --event ${path.join(work, 'aggregate.json')} (bds.config.yaml)`]: 0,
      [`bds invoke upload --event ${path.join(work, 'upload.json')} (bds.config.yaml)`]: 2,
      [`bds invoke dispatcher --event ${path.join(work, 'dispatcher.json')} (bds.config.yaml)`]: 8 | 2,
      [`bds invoke worker --event ${path.join(work, 'worker.json')} (bds.config.yaml)`]: 8,
      'bds run --date 2026-10-30 (pasted.yaml)': 78,
      'bds run --date 2026-10-30 (numeric.yaml)': 78,
      'bds run --date 2026-10-30 (both.yaml)': 78,
      'bds run --date 2026-10-30 (typo.yaml)': 78,
    });
    // Billing files were written (so they were searched too), and the sources' failures were reported.
    const files = filesUnder(dataDir).map((f) => f.file);
    expect(files.some((f) => f.startsWith('billing/acme/2026/10/') && f.endsWith('.csv'))).toBe(true);
    const all = outputs.map((o) => o.result.stdout + o.result.stderr).join('\n');
    expect(all).toContain('cannot connect');
    expect(all).toMatch(/InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|Forbidden|403/);
    expect(all).toContain('tenants[1].timezone: unknown time zone "***"');
  });

  it('prints no secret on stdout or stderr of any command', () => {
    // Act
    const leaks = outputs.flatMap((o) =>
      Object.entries(SECRET).flatMap(([name, secret]) =>
        forms(secret)
          .filter((form) => o.result.stdout.includes(form) || o.result.stderr.includes(form))
          .map((form) => `${o.command}: ${name} (${form})`),
      ),
    );

    // Assess
    expect(leaks).toEqual([]);
  });

  it('writes no secret into any file under the data folder', () => {
    // Prepare
    const files = filesUnder(dataDir);

    // Act
    const leaks = files.flatMap((f) =>
      Object.entries(SECRET).flatMap(([name, secret]) => forms(secret).filter((form) => f.text.includes(form)).map((form) => `${f.file}: ${name} (${form})`)),
    );

    // Assess: state, records, manifests, staged data, billing files, the ledger.
    expect(leaks).toEqual([]);
    expect(files.length).toBeGreaterThan(20);
  });
});

describe('redaction of JSON-escaped secrets', () => {
  it('masks a secret with a quote and a backslash inside a JSON log line and JSON output', () => {
    // Prepare
    const secrets = new SecretRegistry();
    secrets.register([SECRET.cfgPassword]);
    const lines: string[] = [];
    const log = createLogger({ write: (line) => lines.push(line), level: 'debug', secrets });

    // Act
    log.error('login failed', { error: `password ${SECRET.cfgPassword} rejected` });
    const json = secrets.redact(JSON.stringify({ detail: SECRET.cfgPassword }));

    // Assess
    for (const form of forms(SECRET.cfgPassword)) {
      expect(lines.join('')).not.toContain(form);
      expect(json).not.toContain(form);
    }
    expect(lines.join('')).toContain('"error":"password *** rejected"');
    expect(json).toBe('{"detail":"***"}');
  });
});
