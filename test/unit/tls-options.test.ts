/**
 * TLS options are honoured (docs/security.md, "TLS"): PostgreSQL's `ssl` reaches the pg client
 * as configured, SQL Server connections encrypt unless told otherwise, and S3 requests go over
 * https unless the configured endpoint is an http:// URL. From the configuration text to the
 * object each driver is given, and for S3 to the request the SDK would send.
 * (test/unit/mssql-client.test.ts covers how a connection string's own TLS settings combine.)
 */
import { S3Client, HeadBucketCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import type { S3Config, SourceConfig } from '../../lib/config/types';
import { toMssqlConfig } from '../../lib/sources/mssql';
import { toPgClientConfig } from '../../lib/sources/pg';
import { createS3Client } from '../../lib/transmit/s3';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

/** A minimal configuration whose sources are given as YAML, loaded the way `bds` loads it. */
function loadSources(sources: string, extra = ''): ReturnType<typeof parseConfig>['config'] {
  const text = `customer: { garn: G1, name: N }
sources:
${sources}
tenants:
  - id: acme
    gimTenantKey: 1
    cfgTenantDbid: 101
    productionDate: 2026-01-01
    metrics: [seats_inbound_voice, gvp_ports]
    regions: [{ code: US, locations: [{ code: MAIN, switches: [] }] }]
${extra}`;
  return parseConfig(text, { format: 'yaml', configPath: '/srv/bds/bds.config.yaml', env: { CA } }).config;
}

describe('PostgreSQL: ssl', () => {
  it.each([
    ['true', 'ssl: true', true],
    ['false', 'ssl: false', false],
    ['verification options with a CA from the environment', 'ssl: { rejectUnauthorized: true, ca: "${env:CA}" }', { rejectUnauthorized: true, ca: CA }],
    ['verification turned off (a self-signed test server)', 'ssl: { rejectUnauthorized: false }', { rejectUnauthorized: false }],
  ])('passes %s from the file to the pg client', (_name, line, expected) => {
    // Prepare
    const config = loadSources(`  gim:\n    client: pg\n    host: gim.example.local\n    database: gim\n    ${line}\n  gvp: { client: pg, host: gvp.example.local, database: gvp }`);

    // Act
    const options = toPgClientConfig(config.sources.gim as SourceConfig);
    const client = new pg.Client(options);

    // Assess: in the options, and in what the client will use when it connects.
    expect(options.ssl).toEqual(expected);
    expect(client.ssl).toEqual(expected);
  });

  it('leaves ssl to the connection string when the file does not set it', () => {
    // Prepare
    const source: SourceConfig = { client: 'pg', connectionString: 'postgres://bds@gim.example.local/gim?sslmode=require', connectTimeout: 30, queryTimeout: 60 };

    // Act
    const options = toPgClientConfig(source);
    const client = new pg.Client(options);

    // Assess: no ssl key of ours; sslmode=require in the string turns TLS on.
    expect('ssl' in options).toBe(false);
    expect(client.ssl).not.toBe(false);
  });
});

describe('SQL Server: encrypt', () => {
  it('encrypts and verifies the certificate by default', () => {
    // Prepare
    const config = loadSources('  gim: { client: pg, host: h, database: d }\n  gvp:\n    client: mssql\n    host: rs.example.local\n    database: gvp_rs\n    user: bds\n    password: pw');

    // Act
    const options = toMssqlConfig('gvp', config.sources.gvp as SourceConfig).options;

    // Assess
    expect(options).toMatchObject({ encrypt: true, trustServerCertificate: false });
  });

  it('honours encrypt: false and trustServerCertificate: true when the file sets them', () => {
    // Prepare
    const config = loadSources(
      '  gim: { client: pg, host: h, database: d }\n  gvp: { client: mssql, host: rs.example.local, database: gvp_rs, encrypt: false, trustServerCertificate: true }',
    );

    // Act
    const options = toMssqlConfig('gvp', config.sources.gvp as SourceConfig).options;

    // Assess
    expect(options).toMatchObject({ encrypt: false, trustServerCertificate: true });
  });
});

/** Where the SDK would send a request: the URL of the built request, captured before anything goes out. */
async function requestTarget(client: S3Client): Promise<{ protocol: string; hostname: string; port: number | undefined }> {
  let target: { protocol: string; hostname: string; port: number | undefined } | undefined;
  const stop = new Error('captured');
  client.middlewareStack.add(
    (_next) => (args) => {
      const request = args.request as { protocol: string; hostname: string; port?: number };
      target = { protocol: request.protocol, hostname: request.hostname, port: request.port };
      throw stop;
    },
    { step: 'build', name: 'captureTarget' },
  );
  try {
    await client.send(new HeadBucketCommand({ Bucket: 'billing-inbox' }));
  } catch (error) {
    if (error !== stop) throw error;
  } finally {
    client.destroy();
  }
  if (target === undefined) throw new Error('no request was built');
  return target;
}

const s3 = (extra: Partial<S3Config> = {}): S3Config => ({
  bucket: 'billing-inbox',
  prefix: 'premise',
  region: 'eu-west-1',
  accessKeyId: 'AKIATLSTEST',
  secretAccessKey: 'tls-test-secret',
  ...extra,
});

describe('S3: https unless told otherwise', () => {
  it("uses https to AWS's own endpoint when none is configured", async () => {
    // Act
    const target = await requestTarget(createS3Client(s3()));

    // Assess
    expect(target.protocol).toBe('https:');
    expect(target.hostname).toBe('billing-inbox.s3.eu-west-1.amazonaws.com');
  });

  it('uses https to an https:// endpoint (an on-premises store)', async () => {
    // Act
    const target = await requestTarget(createS3Client(s3({ endpoint: 'https://s3.storage.example.local', forcePathStyle: true })));

    // Assess
    expect(target).toMatchObject({ protocol: 'https:', hostname: 's3.storage.example.local' });
  });

  it('uses http only for an endpoint written as http://', async () => {
    // Act
    const target = await requestTarget(createS3Client(s3({ endpoint: 'http://127.0.0.1:4568', forcePathStyle: true })));

    // Assess
    expect(target).toEqual({ protocol: 'http:', hostname: '127.0.0.1', port: 4568 });
  });

  it('refuses an endpoint of any other scheme in the configuration', () => {
    // Act
    let message = '';
    try {
      loadSources('  gim: { client: pg, host: h, database: d }\n  gvp: { client: pg, host: h, database: d }', 'transmit:\n  s3: { bucket: billing-inbox, prefix: p, region: r, endpoint: "ftp://s3.example.local" }');
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }

    // Assess
    expect(message).toBe('invalid configuration /srv/bds/bds.config.yaml: transmit.s3.endpoint: expected an http:// or https:// URL');
  });
});
