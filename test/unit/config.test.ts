import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BdsError } from '../../lib/errors';
import { ConfigError } from '../../lib/config/errors';
import type { ConfigProblem } from '../../lib/config/errors';
import { loadConfig, parseConfig } from '../../lib/config/load';
import type { BdsConfig } from '../../lib/config/types';
import { buildPlacement } from '../../lib/aggregate/placement';
import { shadowedSwitchWarnings } from '../../app/cli/check';

const FIXTURE = fileURLToPath(new URL('../fixtures/config/valid.yaml', import.meta.url));
const FIXTURE_ENV: NodeJS.ProcessEnv = {
  GIM_URL: 'postgres://bds:gim%40secret@gim.example.local:5432/gim',
  CFG_PASSWORD: 'cfg-secret',
  GVP_PASSWORD: 'gvp-secret',
  GVP_US_URL: 'postgres://gvp:us-secret@gvp-us.example.local/gvp',
  GVP_EU_PASSWORD: 'eu-secret',
  S3_SECRET: 's3-secret-key',
};
const CONFIG_PATH = '/srv/bds/bds.config.json';

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bds-config-'));
  tempDirs.push(dir);
  return dir;
}

type Segment = string | number;
const REMOVE = Symbol('remove');

/** The smallest valid configuration: one tenant, one region, one (default) location. */
function base(): Record<string, unknown> {
  return {
    customer: { garn: 'GARN0042', name: 'Acme Corp' },
    sources: { gim: { client: 'pg', connectionString: 'postgres://bds@gim.example.local/gim' } },
    tenants: [
      {
        id: 'acme',
        gimTenantKey: 1,
        cfgTenantDbid: 101,
        productionDate: '2026-01-01',
        metrics: ['seats_inbound_voice'],
        regions: [{ code: 'US', locations: [{ code: 'MAIN', switches: [] }] }],
      },
    ],
  };
}

/** `base()` with values set (or removed) at the given paths. */
function variant(...changes: readonly [readonly Segment[], unknown][]): Record<string, unknown> {
  const doc = base();
  for (const [segments, value] of changes) {
    let node: unknown = doc;
    segments.slice(0, -1).forEach((segment) => {
      const container = node as Record<string | number, unknown>;
      if (container[segment] === undefined) {
        container[segment] = {};
      }
      node = container[segment];
    });
    const last = segments[segments.length - 1] as Segment;
    const container = node as Record<string | number, unknown>;
    if (value === REMOVE) {
      // Reflect, not a Map: the document stays the plain object the parser is given.
      Reflect.deleteProperty(container, last);
    } else {
      container[last] = value;
    }
  }
  return doc;
}

function parseJson(doc: unknown, env: NodeJS.ProcessEnv = {}): BdsConfig {
  return parseConfig(JSON.stringify(doc, null, 2), { format: 'json', configPath: CONFIG_PATH, env }).config;
}

function rejection(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof ConfigError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function problemsOf(doc: unknown, env: NodeJS.ProcessEnv = {}): readonly ConfigProblem[] {
  return rejection(() => parseJson(doc, env)).problems;
}

function problemsOfYaml(text: string, env: NodeJS.ProcessEnv = {}): readonly ConfigProblem[] {
  return rejection(() => parseConfig(text, { format: 'yaml', configPath: '/srv/bds/bds.config.yaml', env })).problems;
}

/** The message of the one problem at `path` (fails when there is none). */
function messageAt(problems: readonly ConfigProblem[], at: string): string {
  const found = problems.filter((p) => p.path === at);
  expect(found.map((p) => p.path), JSON.stringify(problems)).toEqual([at]);
  return found[0]?.message ?? '';
}

describe('loadConfig: the complete example', () => {
  it('parses the fixture into exactly the expected configuration', () => {
    // Prepare
    const folder = path.dirname(FIXTURE);

    // Act
    const { config } = loadConfig({ path: FIXTURE, env: FIXTURE_ENV });

    // Assess
    const expected: BdsConfig = {
      configPath: FIXTURE,
      customer: { garn: 'GARN0042', name: 'Acme Corp' },
      dataDir: path.join(folder, 'bds-data'),
      processingDelaySeconds: 7200,
      scheduler: { timezone: 'UTC' },
      verify: false,
      sources: {
        gim: {
          client: 'pg',
          connectionString: 'postgres://bds:gim%40secret@gim.example.local:5432/gim',
          ssl: { rejectUnauthorized: false },
          connectTimeout: 30,
          queryTimeout: 3600,
        },
        config: {
          client: 'pg',
          host: 'cfg.example.local',
          port: 5432,
          database: 'config',
          user: 'bds_reader',
          password: 'cfg-secret',
          connectTimeout: 10,
          queryTimeout: 3600,
        },
        gvp: {
          client: 'mssql',
          host: 'rs.example.local',
          database: 'gvp_rs',
          user: 'bds_reader',
          password: 'gvp-secret',
          encrypt: true,
          trustServerCertificate: true,
          connectTimeout: 30,
          queryTimeout: 5400,
        },
      },
      tenants: [
        {
          id: 'acme',
          gimTenantKey: 1,
          cfgTenantDbid: 101,
          timezone: 'America/New_York',
          productionDate: '2026-01-01',
          excludeAgents: ['^test_', 'healthcheck'],
          metrics: ['seats_inbound_voice', 'seats_chat', 'seats_workspace', 'voicemail_boxes', 'gvp_ports'],
          regions: [
            {
              code: 'US',
              gvp: {
                client: 'pg',
                connectionString: 'postgres://gvp:us-secret@gvp-us.example.local/gvp',
                connectTimeout: 30,
                queryTimeout: 3600,
              },
              locations: [
                { code: 'NYC', switches: ['SIP_NYC'] },
                { code: 'MAIN', switches: [] },
              ],
            },
            {
              code: 'EU',
              gvp: {
                client: 'mssql',
                host: 'gvp-eu.example.local',
                database: 'gvp_eu',
                user: 'bds_reader',
                password: 'eu-secret',
                connectTimeout: 30,
                queryTimeout: 3600,
              },
              locations: [{ code: 'PAR', switches: ['SIP_PAR', 'SIP_PAR_BACKUP'] }],
            },
          ],
        },
        {
          id: 'beta',
          gimTenantKey: 2,
          cfgTenantDbid: 202,
          timezone: 'UTC',
          productionDate: '2026-02-15',
          excludeAgents: [],
          metrics: ['seats_outbound', 'gvp_minutes'],
          regions: [{ code: 'EU', locations: [{ code: 'HQ', switches: [] }] }],
        },
      ],
      catalogue: {
        seats_third_party: { mediaCodes: ['WORKITEM', 'THIRDPARTY'] },
        seats_callback: { subtypeCodes: ['CALLBACK', 'WEBCALLBACK'] },
        seats_chat: {
          codes: { channelType: '7', serviceClass: '23', activityType: '5', status: 'AGENT_SEATS' },
          measureCodes: { enabled: { agentGroupName: '2' } },
        },
      },
      transmit: {
        s3: {
          bucket: 'billing-inbox',
          prefix: 'premise/GARN0042',
          region: 'us-east-1',
          endpoint: 'http://127.0.0.1:4568',
          forcePathStyle: true,
          accessKeyId: 'AKIAEXAMPLEKEY',
          secretAccessKey: 's3-secret-key',
          requestChecksumCalculation: 'WHEN_REQUIRED',
        },
        copyTo: [path.join(folder, 'out/finance'), '/mnt/finance-share/bds'],
      },
    };
    expect(config).toStrictEqual(expected);
  });

  it('lists every secret, including the password inside a URL, and not plain env values', () => {
    // Prepare
    const env = { ...FIXTURE_ENV, CFG_HOST: 'cfg.internal' };
    const doc = variant(
      [
        ['sources', 'config'],
        { client: 'pg', host: '${env:CFG_HOST}', database: 'cfg', password: 'pw-${env:CFG_PASSWORD}' },
      ],
      [
        ['transmit'],
        { s3: { bucket: 'billing-bucket', prefix: '', region: 'r', accessKeyId: 'AKIAKEY', secretAccessKey: '${env:S3_SECRET}' } },
      ],
      [['sources', 'gim', 'connectionString'], '${env:GIM_URL}'],
    );

    // Act
    const { secrets } = parseConfig(JSON.stringify(doc), { format: 'json', configPath: CONFIG_PATH, env });

    // Assess
    expect([...secrets].sort()).toEqual(
      [
        'postgres://bds:gim%40secret@gim.example.local:5432/gim',
        'gim%40secret',
        'gim@secret',
        'pw-cfg-secret',
        'cfg-secret',
        'AKIAKEY',
        's3-secret-key',
      ].sort(),
    );
    expect(secrets).not.toContain('cfg.internal');
    // Longest first, so redacting in order never leaves half a secret behind.
    expect(secrets[0]).toBe('postgres://bds:gim%40secret@gim.example.local:5432/gim');
  });

  it('lists the password of a key=value (mssql) connection string as a secret', () => {
    // Prepare
    const doc = variant([
      ['sources', 'gim'],
      { client: 'mssql', connectionString: 'Server=db;Database=gim;User Id=bds;Password={p;w};' },
    ]);

    // Act
    const { secrets } = parseConfig(JSON.stringify(doc), { format: 'json', configPath: CONFIG_PATH, env: {} });

    // Assess
    expect(secrets).toContain('p;w');
  });
});

describe('loadConfig: finding and reading the file', () => {
  it('resolves a relative dataDir and copyTo against the configuration file folder, not the cwd', () => {
    // Prepare
    const dir = tempDir();
    mkdirSync(path.join(dir, 'etc'));
    const doc = variant([['dataDir'], 'data'], [['transmit'], { copyTo: ['../share'] }]);
    writeFileSync(path.join(dir, 'etc', 'bds.json'), JSON.stringify(doc));

    // Act
    const { config } = loadConfig({ path: 'etc/bds.json', cwd: dir, env: {} });

    // Assess
    expect(config.configPath).toBe(path.join(dir, 'etc', 'bds.json'));
    expect(config.dataDir).toBe(path.join(dir, 'etc', 'data'));
    expect(config.transmit?.copyTo).toEqual([path.join(dir, 'share')]);
  });

  it('reads BDS_CONFIG when no path is given, and bds.config.yaml in the cwd otherwise', () => {
    // Prepare
    const dir = tempDir();
    writeFileSync(path.join(dir, 'other.json'), JSON.stringify(variant([['customer', 'name'], 'From env'])));
    writeFileSync(path.join(dir, 'bds.config.yaml'), JSON.stringify(variant([['customer', 'name'], 'Default'])));

    // Act
    const fromEnv = loadConfig({ cwd: dir, env: { BDS_CONFIG: 'other.json' } }).config;
    const fromDefault = loadConfig({ cwd: dir, env: {} }).config;

    // Assess
    expect(fromEnv.customer.name).toBe('From env');
    expect(fromDefault.customer.name).toBe('Default');
    expect(fromDefault.dataDir).toBe(path.join(dir, 'bds-data'));
  });

  it('names the missing file and how to point elsewhere', () => {
    // Prepare
    const dir = tempDir();

    // Act
    const error = rejection(() => loadConfig({ cwd: dir, env: {} }));

    // Assess
    expect(error).toBeInstanceOf(BdsError);
    expect(error.message).toBe(
      `invalid configuration ${path.join(dir, 'bds.config.yaml')}: file not found ` +
        '(point --config or the BDS_CONFIG environment variable at the configuration file)',
    );
    expect(error.cause).toBeDefined();
  });

  it('reports a YAML syntax error with its line, without quoting the line', () => {
    // Prepare
    const text = 'sources:\n  gim:\n    password: s3cr3t: x\n';

    // Act
    const problems = problemsOfYaml(text);

    // Assess
    expect(problems).toEqual([
      {
        path: '',
        message: 'YAML syntax error at line 3, column 15: Nested mappings are not allowed in compact mappings',
      },
    ]);
    expect(problems[0]?.message).not.toContain('s3cr3t');
  });

  it('explains that an env reference inside { } must be quoted', () => {
    // Prepare
    const text = 'sources:\n  gim: { client: pg, connectionString: ${env:GIM_URL} }\n';

    // Act
    const problems = problemsOfYaml(text);

    // Assess
    expect(problems[0]?.message).toMatch(/^YAML syntax error at line 2, .*must be quoted/);
  });

  it('reports duplicate keys in YAML', () => {
    // Prepare
    const text = 'customer:\n  garn: A\n  garn: B\n';

    // Act
    const problems = problemsOfYaml(text);

    // Assess
    expect(problems).toEqual([
      { path: '', message: 'YAML error at line 3, column 3: the same key appears twice in one mapping' },
    ]);
  });

  it('reports JSON syntax errors with their line and column', () => {
    // Prepare
    const missingComma = '{\n  "customer": {}\n  "tenants": []\n}';
    const badToken = '{\n  "customer": {\n    "garn": secret\n  }\n}';

    // Act
    const first = rejection(() => parseConfig(missingComma, { format: 'json', configPath: CONFIG_PATH, env: {} }));
    const second = rejection(() => parseConfig(badToken, { format: 'json', configPath: CONFIG_PATH, env: {} }));

    // Assess
    expect(first.problems[0]?.message).toMatch(/^JSON syntax error at line 3, column 3: /);
    expect(second.problems[0]?.message).toMatch(/^JSON syntax error at line 3, column 13: /);
    expect(second.message).not.toContain('secret"');
  });

  it('places JSON errors V8 gives no position for at the line and column the YAML parser finds', () => {
    // Prepare: each text has one error, at a known place; V8 says only "Unexpected token" for
    // every one of them.
    const cases: { text: string; line: number; column: number }[] = [
      // A bare word where a value belongs: at the word.
      { text: '{\n  "customer": {\n    "name": "Acme",\n    "garn": NaN\n  }\n}', line: 4, column: 13 },
      // A single-quoted string (YAML has them, JSON does not): at its quote.
      { text: '{\n  "dataDir":\n      \'./data\'\n}', line: 3, column: 7 },
      // A trailing comma in a list: at the comma.
      { text: '{\n  "tenants": [\n    {},\n    {},\n  ]\n}', line: 4, column: 7 },
      // A bare word deep in the file, after lines of valid JSON.
      { text: '{\n  "a": 1,\n  "b": [1, 2, 3],\n  "c": {\n    "d": tru\n  }\n}', line: 5, column: 10 },
    ];

    // Act
    const messages = cases.map((c) => rejection(() => parseConfig(c.text, { format: 'json', configPath: CONFIG_PATH, env: {} })).problems[0]?.message);

    // Assess
    cases.forEach((c, i) => {
      expect(messages[i], c.text).toMatch(new RegExp(`^JSON syntax error at line ${c.line}, column ${c.column}: Unexpected token$`));
    });
  });

  it('reports a duplicate key in JSON, which JSON.parse would silently drop', () => {
    // Prepare
    const text = '{\n  "dataDir": "a",\n  "dataDir": "b"\n}';

    // Act
    const problems = rejection(() => parseConfig(text, { format: 'json', configPath: CONFIG_PATH, env: {} })).problems;

    // Assess
    expect(problems[0]?.message).toMatch(/^YAML error at line 3, .*same key appears twice/);
  });

  it('rejects a file that is empty or not a mapping', () => {
    // Prepare
    const list = '- customer\n';

    // Act
    const notMapping = problemsOfYaml(list);
    const empty = problemsOfYaml('# nothing yet\n');

    // Assess
    expect(notMapping[0]?.message).toMatch(/^the file does not hold a mapping/);
    expect(empty[0]?.message).toMatch(/^the file is empty/);
  });
});

describe('parseConfig: defaults and value forms', () => {
  it('applies the defaults of config.md', () => {
    // Act
    const config = parseJson(base());

    // Assess
    expect(config.dataDir).toBe('/srv/bds/bds-data');
    expect(config.processingDelaySeconds).toBe(7200);
    expect(config.tenants[0]?.timezone).toBe('UTC');
    expect(config.tenants[0]?.excludeAgents).toEqual([]);
    expect(config.sources.gim?.connectTimeout).toBe(30);
    expect(config.sources.gim?.queryTimeout).toBe(3600);
    expect(config.catalogue).toEqual({});
    expect(config.transmit).toBeUndefined();
  });

  it.each([
    ['0', 0],
    ['90s', 90],
    ['30m', 1800],
    ['1d', 86400],
    ['1h30m', 5400],
  ])('reads the duration %s as %i seconds', (text, seconds) => {
    // Act
    const config = parseJson(variant([['processingDelay'], text]));

    // Assess
    expect(config.processingDelaySeconds).toBe(seconds);
  });

  it('reports a duration beyond a safe integer as too long, like any other beyond the bound', () => {
    // Act
    const problems = problemsOf(variant([['processingDelay'], '99999999999999999999d']));

    // Assess
    expect(messageAt(problems, 'processingDelay')).toBe('must be at most 7d (write it like "30s" or "1h")');
  });

  it.each([['30m1h'], ['1.5h'], ['2 hours'], [90]])('rejects the duration %s', (value) => {
    // Act
    const problems = problemsOf(variant([['processingDelay'], value]));

    // Assess
    expect(messageAt(problems, 'processingDelay')).toMatch(/"90s", "30m", "2h", "1d" or "1h30m"/);
  });

  it.each([
    [['processingDelay'], '99999999999999999999h', 'must be at most 7d'],
    [['processingDelay'], '8d', 'must be at most 7d'],
    [['sources', 'gim', 'connectTimeout'], '30d', 'must be at most 1h'],
    [['sources', 'gim', 'connectTimeout'], '0', 'must be longer than 0'],
    [['sources', 'gim', 'queryTimeout'], '30d', 'must be at most 1d'],
  ] as const)('refuses %j = %s before any work, which would fail every run later', (segments, value, message) => {
    // Act
    const problems = problemsOf(variant([segments, value]));

    // Assess
    expect(messageAt(problems, segments.join('.'))).toMatch(message);
  });

  it.each([
    [['dataDir'], '/srv/bds\u0000/data'],
    [['transmit', 'copyTo'], ['/mnt/share\n/bds']],
  ] as const)('refuses a control character in the path %j', (segments, value) => {
    // Act
    const problems = problemsOf(variant([segments, value]));

    // Assess
    const at = segments[0] === 'dataDir' ? 'dataDir' : 'transmit.copyTo[0]';
    expect(messageAt(problems, at)).toMatch(/^a path must not contain control characters/);
  });

  it.each([
    [['transmit', 's3', 'prefix'], '../escaped', /no "\." or "\.\." segment/],
    [['transmit', 's3', 'prefix'], '/premise', /no leading, trailing or double/],
    [['transmit', 's3', 'prefix'], 'a//b', /no leading, trailing or double/],
    [['transmit', 's3', 'prefix'], 'a/./b', /no "\." or "\.\." segment/],
    [['transmit', 's3', 'prefix'], 'a\u0007b', /control characters/],
    [['transmit', 's3', 'bucket'], 'a/b', /not a valid bucket name/],
    [['transmit', 's3', 'bucket'], '..', /not a valid bucket name/],
    [['transmit', 's3', 'bucket'], 'x'.repeat(300), /not a valid bucket name/],
    [['transmit', 's3', 'bucket'], 'Billing', /not a valid bucket name/],
    [['transmit', 's3', 'bucket'], '192.168.0.1', /not a valid bucket name/],
    [['customer', 'name'], 'Acme\nCorp', /control characters/],
    [['customer', 'name'], 'A'.repeat(201), /at most 200 characters/],
    [['sources', 'config', 'host'], 'db.example/../x', /not a host name/],
    [['sources', 'config', 'host'], 'db example', /not a host name/],
  ] as const)('refuses %j = %j, naming the key', (segments, value, message) => {
    // Act
    const problems = problemsOf(variant([segments, value]));

    // Assess
    expect(messageAt(problems, segments.join('.'))).toMatch(message);
  });

  it('accepts S3 names and hosts as S3 and DNS allow them', () => {
    const config = parseJson(
      variant(
        [['transmit', 's3'], { bucket: 'billing.inbox-01', prefix: 'premise/GARN0042/site_1', region: 'us-east-1' }],
        [['sources', 'config'], { client: 'pg', host: 'cfg-db.example.local', database: 'cfg' }],
      ),
    );
    expect(config.transmit?.s3).toMatchObject({ bucket: 'billing.inbox-01', prefix: 'premise/GARN0042/site_1' });
    expect(config.sources.config?.host).toBe('cfg-db.example.local');
  });

  it('never echoes a password in a syntax or alias error, nor a secret written as a key', () => {
    // Prepare: an unquoted YAML value starting with *, an unquoted JSON password, and the
    // password also written where a key belongs.
    const secret = 'S3cr3tPw-91';
    const yaml = JSON.stringify(base()).replace('"sources":{', `"sources":{"config":{"client":"pg","host":"h","database":"d","password":*${secret}},`);
    const json = JSON.stringify(base()).replace('"sources":{', `"sources":{"config":{"password": ${secret}},`);
    const asKey = variant([['sources', 'config'], { client: 'pg', host: 'h', database: 'd', password: secret, [secret]: 1 }]);

    // Act
    const messages = [
      rejection(() => parseConfig(yaml, { format: 'yaml', configPath: '/srv/bds/c.yaml', env: {} })).message,
      rejection(() => parseConfig(json, { format: 'json', configPath: '/srv/bds/c.json', env: {} })).message,
      rejection(() => parseJson(asKey)).message,
    ];

    // Assess: each says what is wrong, none says the secret (nor its first letters).
    expect(messages[0]).toMatch(/a value starting with "\*" is read as an alias/);
    expect(messages[1]).toMatch(/JSON syntax error at line \d+, column \d+: Unexpected token$/);
    expect(messages[2]).toMatch(/unknown key/);
    for (const message of messages) expect(message).not.toMatch(/S3cr/);
  });

  it('refuses a YAML alias bomb with a configuration error, not a crash', () => {
    // Prepare: nine levels of nine aliases each: 9^9 expansions.
    const levels = Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array.from({ length: 9 }, () => (i === 0 ? '"x"' : `*l${i}`)).join(', ')}]`);
    const text = `${levels.join('\n')}\n`;

    // Act
    const error = rejection(() => parseConfig(text, { format: 'yaml', configPath: '/srv/bds/c.yaml', env: {} }));

    // Assess
    expect(error.problems[0]?.message).toMatch(/^the file expands its aliases \(\*name\) too many times/);
  });

  it('accepts a YAML date for productionDate and normalises it', () => {
    // Prepare
    const text = JSON.stringify(base()).replace('"2026-01-01"', '!!timestamp 2026-03-05');

    // Act
    const { config } = parseConfig(text, { format: 'yaml', configPath: '/srv/bds/c.yaml', env: {} });

    // Assess
    expect(config.tenants[0]?.productionDate).toBe('2026-03-05');
  });

  it('accepts a YAML 1.1 file where an unquoted date is a timestamp', () => {
    // Prepare
    const text = `%YAML 1.1\n---\n${JSON.stringify(base()).replace('"2026-01-01"', '2026-03-05')}`;

    // Act
    const { config } = parseConfig(text, { format: 'yaml', configPath: '/srv/bds/c.yaml', env: {} });

    // Assess
    expect(config.tenants[0]?.productionDate).toBe('2026-03-05');
  });

  it.each(['0050-01-01', '0048-02-29', '2024-02-29'])('accepts the productionDate %s (years below 100 as written)', (value) => {
    // Act
    const config = parseJson(variant([['tenants', 0, 'productionDate'], value]));

    // Assess
    expect(config.tenants[0]?.productionDate).toBe(value);
  });

  it.each([
    ['2026-02-30', '"2026-02-30" is not a real date'],
    ['0050-02-29', '"0050-02-29" is not a real date'],
    ['01/02/2026', 'expected a date YYYY-MM-DD, got "01/02/2026"'],
  ])('rejects the productionDate %s', (value, message) => {
    // Act
    const problems = problemsOf(variant([['tenants', 0, 'productionDate'], value]));

    // Assess
    expect(messageAt(problems, 'tenants[0].productionDate')).toBe(message);
  });

  it('turns numeric back-office codes into strings', () => {
    // Act
    const config = parseJson(variant([['catalogue'], { seats_outbound: { codes: { channelType: 4, status: 'X' } } }]));

    // Assess
    expect(config.catalogue.seats_outbound).toStrictEqual({ codes: { channelType: '4', status: 'X' } });
  });
});

describe('parseConfig: ${env:NAME}', () => {
  it('substitutes whole and embedded references', () => {
    // Prepare
    const doc = variant(
      [['sources', 'gim', 'connectionString'], 'postgres://bds:${env:PW}@${env:HOST}/gim'],
      [['customer', 'name'], '${env:NAME}'],
    );

    // Act
    const config = parseJson(doc, { PW: 'pa$$', HOST: 'db.local', NAME: 'Acme Corp' });

    // Assess
    expect(config.sources.gim?.connectionString).toBe('postgres://bds:pa$$@db.local/gim');
    expect(config.customer.name).toBe('Acme Corp');
  });

  it('accepts a port substituted from the environment', () => {
    // Act
    const config = parseJson(
      variant([['sources', 'gim'], { client: 'pg', host: 'h', database: 'd', port: '${env:PORT}' }]),
      { PORT: '5433' },
    );

    // Assess
    expect(config.sources.gim?.port).toBe(5433);
  });

  it('names the missing variable and the key, with no further complaint about that key', () => {
    // Prepare
    const doc = variant([['tenants', 0, 'timezone'], '${env:TZ_NAME}']);

    // Act
    const problems = problemsOf(doc);

    // Assess
    expect(problems).toEqual([{ path: 'tenants[0].timezone', message: 'environment variable TZ_NAME is not set' }]);
  });

  it.each([
    ['${env:1BAD}', /malformed environment reference "\$\{env:1BAD\}"/],
    ['x${env:OPEN', /not closed/],
    ['${ENV:NAME}', /malformed environment reference near "\$\{ENV"/],
  ])('rejects the malformed reference %s', (value, message) => {
    // Act
    const problems = problemsOf(variant([['customer', 'name'], value]), { NAME: 'x', OPEN: 'y' });

    // Assess
    expect(messageAt(problems, 'customer.name')).toMatch(message);
  });

  it('never prints a secret, even one pasted into a field whose value is quoted', () => {
    // Prepare
    const env = { PW: 'Hunter2Secret' };
    const doc = variant(
      [['sources', 'gim'], { client: 'pg', host: 'h', database: 'd', password: '${env:PW}' }],
      [['tenants', 0, 'timezone'], '${env:PW}'],
    );

    // Act
    const error = rejection(() => parseJson(doc, env));

    // Assess
    expect(messageAt(error.problems, 'tenants[0].timezone')).toMatch(/^unknown time zone "\*\*\*"/);
    expect(error.message).not.toContain('Hunter2Secret');
  });
});

describe('parseConfig: keys and types', () => {
  it('rejects an unknown key and suggests the closest one', () => {
    // Act
    const problems = problemsOf(variant([['customer', 'nmae'], 'Acme']));

    // Assess
    expect(problems).toContainEqual({ path: 'customer.nmae', message: 'unknown key (did you mean "name"?)' });
  });

  it('lists the known keys when no key is close', () => {
    // Act
    const problems = problemsOf(variant([['tenants', 0, 'regions', 0, 'locations', 0, 'zzzzzz'], 1]));

    // Assess
    expect(messageAt(problems, 'tenants[0].regions[0].locations[0].zzzzzz')).toBe(
      'unknown key (expected one of: code, switches)',
    );
  });

  it('finds unknown keys inside a union (ssl options) and a record (catalogue codes)', () => {
    // Prepare
    const doc = variant(
      [['sources', 'gim', 'ssl'], { rejectUnauthorised: false }],
      [['catalogue'], { seats_chat: { codes: { chanelType: 7 } } }],
    );

    // Act
    const problems = problemsOf(doc);

    // Assess
    expect(messageAt(problems, 'sources.gim.ssl.rejectUnauthorised')).toBe(
      'unknown key (did you mean "rejectUnauthorized"?)',
    );
    expect(messageAt(problems, 'catalogue.seats_chat.codes.chanelType')).toBe(
      'unknown key (did you mean "channelType"?)',
    );
  });

  it('reports a missing required key', () => {
    // Act
    const problems = problemsOf(variant([['customer', 'garn'], REMOVE]));

    // Assess
    expect(messageAt(problems, 'customer.garn')).toBe('required key is missing');
  });

  it.each([
    ['gimTenantKey', 1.5, 'expected a whole number, got 1.5'],
    ['cfgTenantDbid', -1, 'must be at least 0'],
    ['gimTenantKey', '1', 'expected a number, got a string'],
  ])('checks the integer %s = %s', (key, value, message) => {
    // Act
    const problems = problemsOf(variant([['tenants', 0, key], value]));

    // Assess
    expect(messageAt(problems, `tenants[0].${key}`)).toBe(message);
  });

  it('rejects an empty customer name', () => {
    // Act
    const problems = problemsOf(variant([['customer', 'name'], '']));

    // Assess
    expect(messageAt(problems, 'customer.name')).toBe('must not be empty');
  });

  it.each([['../../etc'], ['GARN 42'], [''], ['x'.repeat(65)]])('rejects the garn %j', (garn) => {
    // Act
    const problems = problemsOf(variant([['customer', 'garn'], garn]));

    // Assess
    expect(messageAt(problems, 'customer.garn')).toMatch(/is not valid: use 1 to 64 letters, digits/);
  });

  it('rejects a tenant id that is a path', () => {
    // Act
    const problems = problemsOf(variant([['tenants', 0, 'id'], '../../etc']));

    // Assess
    expect(messageAt(problems, 'tenants[0].id')).toMatch(/^"..\/..\/etc" is not valid/);
  });

  it('checks region and location codes, and reserves GLOBAL', () => {
    // Prepare
    const doc = variant(
      [['tenants', 0, 'regions', 0, 'code'], 'global'],
      [['tenants', 0, 'regions', 0, 'locations', 0, 'code'], 'L'.repeat(33)],
    );

    // Act
    const problems = problemsOf(doc);

    // Assess
    expect(messageAt(problems, 'tenants[0].regions[0].code')).toMatch(/reserved/);
    expect(messageAt(problems, 'tenants[0].regions[0].locations[0].code')).toMatch(/use 1 to 32 letters/);
  });

  it('accepts GLOBAL as a location code (only region codes are reserved)', () => {
    // Act
    const config = parseJson(variant([['tenants', 0, 'regions', 0, 'locations', 0, 'code'], 'GLOBAL']));

    // Assess
    expect(config.tenants[0]?.regions[0]?.locations[0]?.code).toBe('GLOBAL');
  });

  it('rejects an unknown time zone', () => {
    // Act
    const problems = problemsOf(variant([['tenants', 0, 'timezone'], 'Mars/Base']));

    // Assess
    expect(messageAt(problems, 'tenants[0].timezone')).toMatch(/^unknown time zone "Mars\/Base"/);
  });

  it('reports the regular expression error of an excludeAgents pattern', () => {
    // Act
    const problems = problemsOf(variant([['tenants', 0, 'excludeAgents'], ['^ok', '([']]));

    // Assess
    expect(messageAt(problems, 'tenants[0].excludeAgents[1]')).toMatch(
      /^not a regular expression bds can match in linear time \(RE2 syntax: no look-around, no back-references\): error parsing regexp/,
    );
  });

  it('refuses look-around and back-references, which only a backtracking engine can match', () => {
    // Act
    const problems = problemsOf(variant([['tenants', 0, 'excludeAgents'], ['^(?!ok)', '(a)\\1']]));

    // Assess
    expect(messageAt(problems, 'tenants[0].excludeAgents[0]')).toMatch(/RE2 syntax.*unsupported Perl syntax: `\(\?!`/);
    expect(messageAt(problems, 'tenants[0].excludeAgents[1]')).toMatch(/RE2 syntax.*invalid escape sequence: `\\1`/);
  });
});

describe('parseConfig: uniqueness and the default location', () => {
  it('rejects duplicate tenant ids', () => {
    // Prepare
    const doc = base();
    const tenants = doc.tenants as Record<string, unknown>[];
    tenants.push({ ...tenants[0], id: 'ACME' });

    // Act
    const problems = problemsOf(doc);

    // Assess
    expect(messageAt(problems, 'tenants[1].id')).toMatch(/^duplicate tenant id "ACME" \(already used by tenants\[0\]/);
  });

  it('rejects duplicate region codes and location codes within a tenant, and accepts a switch listed twice', () => {
    // Prepare
    const doc = variant([
      ['tenants', 0, 'regions'],
      [
        { code: 'US', locations: [{ code: 'MAIN', switches: [] }, { code: 'NYC', switches: ['SIP_1'] }] },
        { code: 'US', locations: [{ code: 'NYC', switches: ['SIP_1'] }] },
      ],
    ]);

    // Act
    const problems = problemsOf(doc);

    // Assess
    expect(messageAt(problems, 'tenants[0].regions[1].code')).toMatch(/^duplicate region code "US"/);
    expect(messageAt(problems, 'tenants[0].regions[1].locations[0].code')).toMatch(
      /^duplicate location code "NYC" in this tenant \(already used by tenants\[0\]\.regions\[0\]\.locations\[1\]/,
    );
    // metrics.md: the first location in configuration order that lists the switch wins.
    expect(problems.filter((p) => p.path.includes('switches'))).toEqual([]);
  });

  it('places the agents of a switch listed by two locations in the first one, and bds check warns of the second', () => {
    // Prepare
    const doc = variant([['sources', 'config'], { client: 'pg', connectionString: 'postgres://cfg.example/cfg' }]);
    const tenants = doc.tenants as Record<string, unknown>[];
    (tenants[0] as Record<string, unknown>).regions = [
      { code: 'US', locations: [{ code: 'MAIN', switches: [] }, { code: 'NYC', switches: ['SIP_1', 'SIP_2'] }] },
      { code: 'EU', locations: [{ code: 'BER', switches: ['SIP_1', 'SIP_3'] }] },
    ];

    // Act
    const config = parseJson(doc);
    const tenant = config.tenants[0];
    if (tenant === undefined) throw new Error('one tenant expected');
    const placement = buildPlacement(tenant, new Map([[1, ['SIP_1']], [2, ['SIP_3']], [3, ['SIP_3', 'SIP_1']]]));

    // Assess: SIP_1 is NYC's (US) first; an agent on SIP_3 alone is BER's; one on both is US's.
    expect([1, 2, 3].map((person) => placement.regions[placement.regionOf(person)])).toEqual(['US', 'EU', 'US']);
    expect(shadowedSwitchWarnings(config)).toEqual([
      `tenant ${tenant.id}: switch "SIP_1" is listed by US/NYC and EU/BER; its agents are placed in US/NYC (the first in configuration order), never through it in EU/BER`,
    ]);
  });

  it('requires exactly one location without switches, and says how many it found', () => {
    // Prepare
    const none = variant([['tenants', 0, 'regions', 0, 'locations'], [{ code: 'A', switches: ['S1'] }]]);
    const two = variant([
      ['tenants', 0, 'regions', 0, 'locations'],
      [
        { code: 'A', switches: [] },
        { code: 'B', switches: [] },
      ],
    ]);

    // Act
    const noneProblems = problemsOf(none);
    const twoProblems = problemsOf(two);

    // Assess
    expect(messageAt(noneProblems, 'tenants[0].regions')).toMatch(/exactly one location .* found none$/);
    expect(messageAt(twoProblems, 'tenants[0].regions')).toMatch(/found 2: "A", "B"$/);
  });
});

describe('parseConfig: metrics', () => {
  it('rejects an unknown metric and suggests the closest', () => {
    // Act
    const problems = problemsOf(variant([['tenants', 0, 'metrics'], ['seats_inbound_voice', 'seats_chta']]));

    // Assess
    expect(messageAt(problems, 'tenants[0].metrics[1]')).toBe(
      'unknown metric "seats_chta" (did you mean "seats_chat"?)',
    );
  });

  it('rejects a metric listed twice', () => {
    // Act
    const problems = problemsOf(variant([['tenants', 0, 'metrics'], ['seats_inbound_voice', 'seats_inbound_voice']]));

    // Assess
    expect(messageAt(problems, 'tenants[0].metrics[1]')).toBe(
      '"seats_inbound_voice" is listed twice (first at metrics[0])',
    );
  });

  it('rejects an empty metric list', () => {
    // Act
    const problems = problemsOf(variant([['tenants', 0, 'metrics'], []]));

    // Assess
    expect(messageAt(problems, 'tenants[0].metrics')).toBe('must list at least one entry');
  });

  it('allows at most one voicemail metric per tenant', async () => {
    // Prepare: the catalogue has a single voicemail metric today, so a second one is mocked.
    vi.resetModules();
    vi.doMock('../../lib/metrics/catalogue', async (importOriginal) => {
      const original = await importOriginal<typeof import('../../lib/metrics/catalogue')>();
      const voicemail = original.findMetric('voicemail_boxes');
      const CATALOGUE =
        voicemail === undefined ? original.CATALOGUE : [...original.CATALOGUE, { ...voicemail, key: 'voicemail_other' }];
      return {
        ...original,
        CATALOGUE,
        METRIC_KEYS: CATALOGUE.map((m) => m.key),
        VOICEMAIL_METRIC_KEYS: [...original.VOICEMAIL_METRIC_KEYS, 'voicemail_other'],
        findMetric: (key: string) => CATALOGUE.find((m) => m.key === key),
      };
    });
    try {
      const load = await import('../../lib/config/load');
      const doc = variant(
        [['tenants', 0, 'metrics'], ['voicemail_boxes', 'voicemail_other']],
        [['sources', 'config'], { client: 'pg', connectionString: 'postgres://h/cfg' }],
      );

      // Act
      let problems: readonly { path: string; message: string }[] = [];
      try {
        load.parseConfig(JSON.stringify(doc), { format: 'json', configPath: CONFIG_PATH, env: {} });
      } catch (error: unknown) {
        problems = (error as { problems: typeof problems }).problems;
      }

      // Assess
      expect(problems).toEqual([
        {
          path: 'tenants[0].metrics[1]',
          message: 'at most one voicemail metric per tenant: "voicemail_boxes" is already enabled',
        },
      ]);
    } finally {
      vi.doUnmock('../../lib/metrics/catalogue');
      vi.resetModules();
    }
  });
});

describe('parseConfig: sources', () => {
  it('requires sources.gim when a tenant enables a GIM metric', () => {
    // Act
    const problems = problemsOf(variant([['sources'], REMOVE]));

    // Assess
    expect(messageAt(problems, 'sources.gim')).toBe(
      'required key is missing: tenants[0] ("acme") enables seats_inbound_voice, which is read from the GIM database',
    );
  });

  it('requires sources.config for a Config DB metric', () => {
    // Act
    const problems = problemsOf(variant([['tenants', 0, 'metrics'], ['seats_inbound_voice', 'voicemail_boxes']]));

    // Assess
    expect(messageAt(problems, 'sources.config')).toMatch(/enables voicemail_boxes, which is read from the Config DB$/);
  });

  it('requires sources.config for a tenant with more than one location', () => {
    // Act
    const problems = problemsOf(
      variant([
        ['tenants', 0, 'regions', 0, 'locations'],
        [
          { code: 'MAIN', switches: [] },
          { code: 'NYC', switches: ['SIP_NYC'] },
        ],
      ]),
    );

    // Assess
    expect(messageAt(problems, 'sources.config')).toMatch(
      /has 2 locations, and placing agents in locations reads the Config DB$/,
    );
  });

  it('requires a GVP source for each region of a tenant enabling a GVP metric', () => {
    // Act
    const problems = problemsOf(variant([['tenants', 0, 'metrics'], ['seats_inbound_voice', 'gvp_ports']]));

    // Assess
    expect(messageAt(problems, 'tenants[0].regions[0].gvp')).toMatch(
      /^required because .* enables gvp_ports: .*or set sources.gvp$/,
    );
  });

  it('lets a single-region tenant use sources.gvp', () => {
    // Act
    const config = parseJson(
      variant(
        [['tenants', 0, 'metrics'], ['gvp_ports']],
        [['sources'], { gvp: { client: 'mssql', host: 'rs', database: 'gvp' } }],
      ),
    );

    // Assess
    expect(config.sources.gvp?.host).toBe('rs');
  });

  it('rejects a multi-region tenant that relies on sources.gvp, and says why', () => {
    // Prepare
    const doc = variant(
      [['tenants', 0, 'metrics'], ['gvp_ports']],
      [['sources'], { gvp: { client: 'mssql', host: 'rs', database: 'gvp' } }],
      [
        ['tenants', 0, 'regions'],
        [
          {
            code: 'US',
            gvp: { client: 'pg', connectionString: 'postgres://us/gvp' },
            locations: [{ code: 'A', switches: [] }],
          },
          { code: 'EU', locations: [{ code: 'B', switches: ['S'] }] },
        ],
      ],
      [['sources', 'config'], { client: 'pg', connectionString: 'postgres://h/cfg' }],
    );

    // Act
    const problems = problemsOf(doc);

    // Assess
    expect(problems).toEqual([
      {
        path: 'tenants[0].regions[1].gvp',
        message:
          'required because tenants[0] ("acme") enables gvp_ports and has 2 regions: ' +
          'each region needs its own gvp source ' +
          '(sources.gvp only serves a tenant with a single region)',
      },
    ]);
  });

  it.each([
    [{ client: 'pg' }, 'sources.gim', /^needs either connectionString, or host and database$/],
    [
      { client: 'pg', connectionString: 'postgres://h/d', host: 'h' },
      'sources.gim.host',
      /not allowed together with connectionString/,
    ],
    [{ client: 'pg', host: 'h' }, 'sources.gim.database', /^required key is missing \(a source given by host needs/],
    [{ client: 'pg', host: 'h', database: 'd', encrypt: true }, 'sources.gim.encrypt', /^only for mssql sources/],
    [{ client: 'mssql', host: 'h', database: 'd', ssl: true }, 'sources.gim.ssl', /^only for pg sources/],
    [{ client: 'pg', host: 'h', database: 'd', port: 70000 }, 'sources.gim.port', /^expected a port number .* got 70000$/],
    [{ client: 'postgres', host: 'h', database: 'd' }, 'sources.gim.client', /^expected "pg" or "mssql", got "postgres"$/],
    [{ client: 'pg', host: 'h', database: 'd', queryTimeout: '0' }, 'sources.gim.queryTimeout', /^must be longer than 0/],
  ])('checks the source %j at %s', (source, at, message) => {
    // Act
    const problems = problemsOf(variant([['sources', 'gim'], source]));

    // Assess
    expect(messageAt(problems, at)).toMatch(message);
  });

  it('requires both S3 keys or neither', () => {
    // Prepare
    const s3 = { bucket: 'billing-bucket', prefix: 'p', region: 'r', accessKeyId: 'AKIA' };

    // Act
    const problems = problemsOf(variant([['transmit'], { s3 }]));

    // Assess
    expect(messageAt(problems, 'transmit.s3.secretAccessKey')).toMatch(
      /^required key is missing: accessKeyId is given/,
    );
  });
});

describe('parseConfig: catalogue overrides', () => {
  it.each([
    [{ seats_chta: {} }, 'catalogue.seats_chta', 'unknown metric (did you mean "seats_chat"?)'],
    [
      { gvp_ports: { mediaCodes: ['VOICE'] } },
      'catalogue.gvp_ports.mediaCodes',
      'only seat metrics have media codes; gvp_ports is a gvp metric',
    ],
    [
      { seats_inbound_voice: { subtypeCodes: ['X'] } },
      'catalogue.seats_inbound_voice.subtypeCodes',
      'seats_inbound_voice counts sessions without requiring an interaction, so subtype codes do not apply',
    ],
    [
      { seats_chat: { measureCodes: { peak: { status: 'X' } } } },
      'catalogue.seats_chat.measureCodes.peak',
      'seats_chat has no measure "peak" (its measures: concurrent, enabled)',
    ],
  ])('checks the override %j', (catalogue, at, message) => {
    // Act
    const problems = problemsOf(variant([['catalogue'], catalogue]));

    // Assess
    expect(messageAt(problems, at)).toBe(message);
  });
});

describe('ConfigError', () => {
  it('collects every problem, in file order, one per line', () => {
    // Prepare
    const text = [
      'customer:',
      '  garn: "bad garn"',
      '  name: Acme',
      'sources:',
      '  gim: { client: pg, connectionString: "postgres://h/gim" }',
      'tenants:',
      '  - id: acme',
      '    gimTenantKey: 1',
      '    cfgTenantDbid: 1',
      '    timezone: Mars/Base',
      '    productionDate: 2026-01-01',
      '    metrics: [seats_inbound_voice]',
      '    regions:',
      '      - code: US',
      '        locations: [{ code: MAIN, switches: [] }]',
      'bogus: 1',
    ].join('\n');

    // Act
    const error = rejection(() => parseConfig(text, { format: 'yaml', configPath: '/srv/bds/x.yaml', env: {} }));

    // Assess
    expect(error.problems.map((p) => p.path)).toEqual(['customer.garn', 'tenants[0].timezone', 'bogus']);
    const lines = error.message.split('\n');
    expect(lines[0]).toMatch(/^invalid configuration \/srv\/bds\/x\.yaml: customer\.garn: "bad garn" is not valid/);
    expect(lines[1]).toMatch(/^tenants\[0\]\.timezone: unknown time zone "Mars\/Base"/);
    expect(lines[2]).toMatch(/^bogus: unknown key/);
    expect(lines).toHaveLength(3);
  });
});

describe('parseConfig: rules across values beside shape problems', () => {
  it('still checks a tenant with a shape problem: its id, codes and the sources it needs', () => {
    // Prepare: tenants[0]'s time zone is wrong, so the tenant does not parse as a whole.
    const doc = variant(
      [['tenants', 0, 'timezone'], 'Mars/Base'],
      [['tenants', 0, 'regions', 0, 'locations', 1], { code: 'main', switches: ['SIP_1'] }],
      [['tenants', 1], { ...(base().tenants as Record<string, unknown>[])[0], id: 'ACME' }],
    );

    // Act
    const problems = problemsOf(doc);

    // Assess: the shape problem, and every rule on the values that did parse (in file order:
    // the variant's timezone comes after regions).
    expect(problems).toEqual([
      {
        path: 'sources.config',
        message: 'required key is missing: tenants[0] ("acme") has 2 locations, and placing agents in locations reads the Config DB',
      },
      {
        path: 'tenants[0].regions[0].locations[1].code',
        message:
          'duplicate location code "main" in this tenant ' +
          '(already used by tenants[0].regions[0].locations[0]; codes are compared ignoring case)',
      },
      { path: 'tenants[0].timezone', message: 'unknown time zone "Mars/Base" (use an IANA name such as "Europe/Paris")' },
      {
        path: 'tenants[1].id',
        message: 'duplicate tenant id "ACME" (already used by tenants[0]; ids are compared ignoring case)',
      },
    ]);
  });

  it('names an unknown measure even when its codes have the wrong shape', () => {
    // Act
    const problems = problemsOf(variant([['catalogue'], { seats_chat: { measureCodes: { enable: 1 } } }]));

    // Assess
    expect(problems).toEqual([
      { path: 'catalogue.seats_chat.measureCodes.enable', message: 'expected a mapping, got 1' },
      {
        path: 'catalogue.seats_chat.measureCodes.enable',
        message: 'seats_chat has no measure "enable" (its measures: concurrent, enabled); did you mean "enabled"?',
      },
    ]);
  });

  it('leaves the combination rules of a source with a shape problem until that is fixed', () => {
    // Prepare: host beside connectionString breaks a rule, but the source's timeout is not a duration.
    const source = { client: 'pg', connectionString: 'postgres://h/d', host: 'h', connectTimeout: 'soon' };

    // Act
    const problems = problemsOf(variant([['sources', 'gim'], source]));

    // Assess: the rule needs the source as a whole; the shape problem says what to fix first.
    expect(problems.map((p) => p.path)).toEqual(['sources.gim.connectTimeout']);
  });
});

describe('parseConfig: invoice detail files (tenants[].detail)', () => {
  it('reads true as detail without names, { names: true } with names, false and absence as none', () => {
    expect(parseJson(base()).tenants[0]?.detail).toBeUndefined();
    expect(parseJson(variant([['tenants', 0, 'detail'], false])).tenants[0]?.detail).toBeUndefined();
    expect(parseJson(variant([['tenants', 0, 'detail'], true])).tenants[0]?.detail).toEqual({ names: false });
    expect(parseJson(variant([['tenants', 0, 'detail'], {}])).tenants[0]?.detail).toEqual({ names: false });
    expect(parseJson(variant([['tenants', 0, 'detail'], { names: true }])).tenants[0]?.detail).toEqual({ names: true });
  });

  it('refuses another value or an unknown key with its path', () => {
    expect(problemsOf(variant([['tenants', 0, 'detail'], 'yes']))[0]?.path).toBe('tenants[0].detail');
    expect(problemsOf(variant([['tenants', 0, 'detail'], { name: true }])).map((p) => p.path).join(' ')).toContain('tenants[0].detail');
  });
});
