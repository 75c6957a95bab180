/**
 * Configuration fuzzing, in-process: hundreds of single mutations of the complete example
 * (test/fixtures/config/valid.yaml) — wrong types, unknown keys, missing keys, bad zones, bad
 * regular expressions, ids that are paths, empty lists, duplicates, bad durations, ports, dates,
 * URLs, modes, environment references — each run through `parseConfig`. Every one must end in a
 * ConfigError (never another exception) whose first line names the mutated key path, with no
 * stack trace and none of the fixture's secrets.
 *
 * Systematic mutations cover every node of the file; a seeded generator adds random ones on top,
 * so a failure is reproducible from its name alone. The same mutations through the real CLI are
 * in test/integration/config-fuzz.test.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ConfigError, formatPath } from '../../lib/config/errors';
import { isPlainRecord } from '../../lib/config/env';
import { parseConfig } from '../../lib/config/load';
import { seededRandom } from '../helpers/random';

const FIXTURE = fileURLToPath(new URL('../fixtures/config/valid.yaml', import.meta.url));
const FIXTURE_ENV: NodeJS.ProcessEnv = {
  GIM_URL: 'postgres://bds:gim-fuzz-pw@gim.example.local:5432/gim',
  CFG_PASSWORD: 'cfg-fuzz-pw',
  GVP_PASSWORD: 'gvp-fuzz-pw',
  GVP_US_URL: 'postgres://gvp:us-fuzz-pw@gvp-us.example.local/gvp',
  GVP_EU_PASSWORD: 'eu-fuzz-pw',
  S3_SECRET: 's3-fuzz-secret',
};
const SECRETS = ['gim-fuzz-pw', 'cfg-fuzz-pw', 'gvp-fuzz-pw', 'us-fuzz-pw', 'eu-fuzz-pw', 's3-fuzz-secret'];
const CONFIG_PATH = '/srv/bds/bds.config.yaml';
const SEED = 0x5eed_b0d5;

type Segment = string | number;
type Path = readonly Segment[];
type Doc = Record<string, unknown>;

/** One mutation of the valid document, and the key path its first problem must name. */
interface Mutation {
  readonly name: string;
  readonly apply: (doc: Doc) => void;
  readonly expected: Path;
  readonly format: 'yaml' | 'json';
}

const BASE: Doc = (() => {
  const parsed: unknown = parseYaml(readFileSync(FIXTURE, 'utf8'));
  if (!isPlainRecord(parsed)) throw new Error('the fixture is not a mapping');
  return parsed;
})();

/** The container holding `path`'s last segment (created as mappings where missing). */
function parentOf(doc: Doc, path: Path): Record<Segment, unknown> {
  let node: unknown = doc;
  for (const segment of path.slice(0, -1)) {
    const container = node as Record<Segment, unknown>;
    if (container[segment] === undefined) container[segment] = {};
    node = container[segment];
  }
  return node as Record<Segment, unknown>;
}

function last(path: Path): Segment {
  const segment = path[path.length - 1];
  if (segment === undefined) throw new Error('empty path');
  return segment;
}

function valueAt(doc: Doc, path: Path): unknown {
  let node: unknown = doc;
  for (const segment of path) node = (node as Record<Segment, unknown> | undefined)?.[segment];
  return node;
}

const setAt = (path: Path, value: unknown) => (doc: Doc): void => {
  parentOf(doc, path)[last(path)] = value;
};
const removeAt = (path: Path) => (doc: Doc): void => {
  // Reflect, not a Map: the document stays the plain object the parser is given.
  Reflect.deleteProperty(parentOf(doc, path), last(path));
};
/** Adds `key` to the mapping at `path` as an own property, even `__proto__` (as YAML and JSON parsers do). */
const addKey = (path: Path, key: string, value: unknown) => (doc: Doc): void => {
  const target = path.length === 0 ? doc : (valueAt(doc, path) as Record<string, unknown>);
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
};

function mutation(name: string, apply: (doc: Doc) => void, expected: Path, format: 'yaml' | 'json' = 'yaml'): Mutation {
  return { name, apply, expected, format };
}

interface NodeInfo {
  readonly path: Path;
  readonly value: unknown;
}

/** Every node of the document below the root, parents before children. */
function nodes(doc: Doc): NodeInfo[] {
  const out: NodeInfo[] = [];
  const walk = (value: unknown, path: Path): void => {
    if (path.length > 0) out.push({ path, value });
    if (Array.isArray(value)) value.forEach((item: unknown, i) => walk(item, [...path, i]));
    else if (isPlainRecord(value)) for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
  };
  walk(doc, []);
  return out;
}

const ALL_NODES = nodes(BASE);
const MAPPINGS: Path[] = [[], ...ALL_NODES.filter((n) => isPlainRecord(n.value)).map((n) => n.path)];

// Paths whose values accept more than one type: back-office codes take strings and numbers, ssl
// takes a boolean or a mapping. Replacements below avoid the types they accept.
const isCode = (path: Path): boolean => path.includes('codes') || path.includes('measureCodes');
const isSsl = (path: Path): boolean => last(path) === 'ssl';

/** Values of the wrong type for a node, chosen by what the node holds. */
function wrongTypes(node: NodeInfo): unknown[] {
  const { path, value } = node;
  if (isPlainRecord(value)) return isSsl(path) ? ['yes', 42, ['a']] : [42, 'text', true, ['a', 'b'], null];
  if (Array.isArray(value)) return [42, 'text', true, { a: 1 }, null];
  if (typeof value === 'boolean') return ['yes', 1, [true], { value: true }, null];
  if (typeof value === 'number') {
    return isCode(path) ? [true, [value], { value }, null] : [true, 'not a number', -1, 1.5, [value], { value }, null];
  }
  return [true, [value], { value }, null];
}

const PATH_LIKE_IDS = ['../../etc', '..', '.', 'a/b', 'a\\b', 'a b', '', 'x'.repeat(65), 'ü', 'a\u0000b', '/etc/passwd', 'C:\\x', 'a.b'];
const BAD_ZONES = ['Mars/Base', '', 'UTC+25', 'America/New York', '../../etc/localtime', 'Europe/Paris\u0000', 'x'.repeat(300), 'Etc/GMT+15', 'utc/'];
const BAD_PATTERNS = ['(', '[a-', '*', '+x', 'a{2,1}', '(?<n>', '\\', '', '(?<=a', 'a**'];
const BAD_DURATIONS = ['1.5h', '30m1h', '-1s', '1w', '', 'h', '2 hours', 7200, true, 'PT2H'];
const BAD_PORTS = [0, 65536, '80a', -1, 1.5, '', 'http', 99999999];
const BAD_DATES = ['2026-02-30', '2026-13-01', '26-01-01', '2026-1-1', 'yesterday', '2026-01-01T10:00:00Z', '', 20260101, '2026-00-10'];
const BAD_URLS = ['ftp://x.example', 'not a url', 'file:///etc/passwd', 'javascript:alert(1)', '', '//no-scheme.example'];
const BAD_FILE_MODES = ['0777', '0644', '0604', '0400', '0460', '0740', 640, '0o1640', 'rw-r-----', '1640', '', '06400', true];
const BAD_DIR_MODES = ['0755', '0705', '0640', '0500', '0777', 750, 'drwxr-x---', '0o7500'];
const BAD_ENV_REFERENCES = ['${env:BDS_FUZZ_NOT_SET}', '${env:1BAD}', '${ENV:GIM_URL}', '${env:GIM_URL', 'x${ env:GIM_URL }'];

/** Every mutation of the systematic part: each kind, on every node it applies to. */
function systematic(): Mutation[] {
  const out: Mutation[] = [];
  const rng = seededRandom(SEED);

  // Wrong types: one seeded pick per node, plus null everywhere (null is never valid).
  for (const node of ALL_NODES) {
    const label = formatPath(node.path);
    const value = rng.pick(wrongTypes(node));
    out.push(mutation(`wrong type at ${label}: ${JSON.stringify(value)}`, setAt(node.path, value), node.path, rng.next() < 0.3 ? 'json' : 'yaml'));
    if (value !== null) out.push(mutation(`null at ${label}`, setAt(node.path, null), node.path));
  }

  // Unknown keys in every mapping: a made-up key, a near miss of a sibling, and prototype keys.
  for (const path of MAPPINGS) {
    const label = formatPath(path) || '(root)';
    const siblings = Object.keys((path.length === 0 ? BASE : valueAt(BASE, path)) as Record<string, unknown>);
    out.push(mutation(`unknown key in ${label}`, addKey(path, 'bogusKey', 1), [...path, 'bogusKey']));
    const sibling = siblings.find((k) => k.length > 3 && !/^[A-Z_]+$/.test(k));
    const inCatalogue = path.length === 1 && path[0] === 'catalogue';
    if (sibling !== undefined && !inCatalogue) {
      const typo = sibling.slice(0, -1);
      out.push(mutation(`near-miss key ${typo} in ${label}`, addKey(path, typo, 1), [...path, typo]));
    }
    out.push(mutation(`__proto__ key in ${label}`, addKey(path, '__proto__', { dataDir: '/etc/bds-fuzz' }), [...path, '__proto__'], 'json'));
    out.push(mutation(`constructor key in ${label}`, addKey(path, 'constructor', { prototype: 1 }), [...path, 'constructor'], 'json'));
  }

  // Required keys removed.
  const required: Path[] = [
    ['customer'],
    ['customer', 'garn'],
    ['customer', 'name'],
    ['tenants'],
    ['sources', 'gim', 'client'],
    ['sources', 'config', 'client'],
    ['transmit', 's3', 'bucket'],
    ['transmit', 's3', 'prefix'],
    ['transmit', 's3', 'region'],
    ['transmit', 's3', 'accessKeyId'],
  ];
  for (const t of [0, 1]) {
    for (const key of ['id', 'gimTenantKey', 'cfgTenantDbid', 'productionDate', 'metrics', 'regions']) required.push(['tenants', t, key]);
  }
  required.push(['tenants', 0, 'regions', 0, 'code'], ['tenants', 0, 'regions', 1, 'locations'], ['tenants', 0, 'regions', 0, 'locations', 0, 'code']);
  for (const path of required) out.push(mutation(`missing ${formatPath(path)}`, removeAt(path), path));

  // Values of the right type that are wrong.
  const each = (paths: readonly Path[], values: readonly unknown[], what: string): void => {
    for (const path of paths) {
      for (const value of values) out.push(mutation(`${what} ${JSON.stringify(value)} at ${formatPath(path)}`, setAt(path, value), path));
    }
  };
  each([['tenants', 0, 'id'], ['tenants', 1, 'id'], ['customer', 'garn']], PATH_LIKE_IDS, 'id');
  const codes = [...PATH_LIKE_IDS.filter((id) => id.length < 60), 'x'.repeat(33)];
  each([['tenants', 0, 'regions', 0, 'code'], ['tenants', 0, 'regions', 1, 'locations', 0, 'code']], codes, 'code');
  // GLOBAL names the files of tenant-wide metrics, in place of a region (locations are not in file names).
  each([['tenants', 0, 'regions', 1, 'code'], ['tenants', 1, 'regions', 0, 'code']], ['GLOBAL', 'global'], 'region code');
  each([['tenants', 0, 'timezone'], ['tenants', 1, 'timezone'], ['scheduler', 'timezone']], BAD_ZONES, 'zone');
  each([['tenants', 0, 'excludeAgents', 0], ['tenants', 0, 'excludeAgents', 1]], BAD_PATTERNS, 'pattern');
  each(
    [['processingDelay'], ['sources', 'config', 'connectTimeout'], ['sources', 'gvp', 'queryTimeout'], ['sources', 'gim', 'connectTimeout']],
    BAD_DURATIONS,
    'duration',
  );
  each([['sources', 'config', 'connectTimeout']], ['0s', 0, '0'], 'zero timeout');
  each([['sources', 'config', 'port']], BAD_PORTS, 'port');
  each([['tenants', 0, 'productionDate'], ['tenants', 1, 'productionDate']], BAD_DATES, 'date');
  each([['transmit', 's3', 'endpoint']], BAD_URLS, 'url');
  each([['tenants', 0, 'metrics', 0], ['tenants', 1, 'metrics', 1]], ['seats_voice', 'SEATS_CHAT', '', 'gvp_port', '../../etc'], 'metric');
  each([['sources', 'gim', 'client'], ['tenants', 0, 'regions', 1, 'gvp', 'client']], ['oracle', 'PG', '', 'mysql'], 'client');
  each([['transmit', 's3', 'requestChecksumCalculation']], ['ALWAYS', 'when_supported', ''], 'checksum');
  each([['files', 'mode']], BAD_FILE_MODES, 'file mode');
  each([['files', 'dirMode']], BAD_DIR_MODES, 'folder mode');
  each([['dispatch', 'mode']], ['lambdas', 'LAMBDA', ''], 'dispatch mode');

  // Empty lists.
  each(
    [['tenants'], ['tenants', 0, 'metrics'], ['tenants', 1, 'regions'], ['tenants', 0, 'regions', 1, 'locations'], ['catalogue', 'seats_third_party', 'mediaCodes']],
    [[]],
    'empty list',
  );
  out.push(mutation('an empty string in copyTo', setAt(['transmit', 'copyTo', 0], ''), ['transmit', 'copyTo', 0]));
  out.push(mutation('an empty switch name', setAt(['tenants', 0, 'regions', 0, 'locations', 0, 'switches', 0], ''), ['tenants', 0, 'regions', 0, 'locations', 0, 'switches', 0]));

  // Duplicates (ids and codes are compared ignoring case: they name folders).
  out.push(mutation('duplicate tenant id', setAt(['tenants', 1, 'id'], 'ACME'), ['tenants', 1, 'id']));
  out.push(mutation('duplicate region code', setAt(['tenants', 0, 'regions', 1, 'code'], 'us'), ['tenants', 0, 'regions', 1, 'code']));
  out.push(mutation('duplicate location code', setAt(['tenants', 0, 'regions', 1, 'locations', 0, 'code'], 'nyc'), ['tenants', 0, 'regions', 1, 'locations', 0, 'code']));
  // A switch listed twice is valid (the first location that lists it wins): not a mutation.
  out.push(mutation('duplicate metric', setAt(['tenants', 0, 'metrics', 2], 'seats_inbound_voice'), ['tenants', 0, 'metrics', 2]));
  // Structure: a second default location, none at all, a source given two ways.
  out.push(mutation('two default locations', setAt(['tenants', 0, 'regions', 0, 'locations', 0, 'switches'], []), ['tenants', 0, 'regions']));
  out.push(mutation('no default location', setAt(['tenants', 0, 'regions', 0, 'locations', 1, 'switches'], ['SIP_MAIN']), ['tenants', 0, 'regions']));
  out.push(mutation('connectionString and host', setAt(['sources', 'gim', 'host'], 'h.example'), ['sources', 'gim', 'host']));
  out.push(mutation('encrypt on a pg source', setAt(['sources', 'gim', 'encrypt'], true), ['sources', 'gim', 'encrypt']));
  out.push(mutation('ssl on an mssql source', setAt(['sources', 'gvp', 'ssl'], true), ['sources', 'gvp', 'ssl']));
  out.push(mutation('custom queries on gim', setAt(['sources', 'gim', 'queries'], { calls: 'SELECT 1' }), ['sources', 'gim', 'queries']));
  out.push(mutation('a region without its gvp source', removeAt(['tenants', 0, 'regions', 0, 'gvp']), ['tenants', 0, 'regions', 0, 'gvp']));
  out.push(mutation('an unknown catalogue metric', setAt(['catalogue', 'seats_voice'], {}), ['catalogue', 'seats_voice']));
  out.push(mutation('media codes on a gvp metric', setAt(['catalogue', 'gvp_ports'], { mediaCodes: ['X'] }), ['catalogue', 'gvp_ports', 'mediaCodes']));
  out.push(mutation('an unknown measure', setAt(['catalogue', 'seats_chat', 'measureCodes', 'peak'], {}), ['catalogue', 'seats_chat', 'measureCodes', 'peak']));
  out.push(mutation('lambda dispatch without a function', setAt(['dispatch'], { mode: 'lambda' }), ['dispatch', 'functionName']));

  // Environment references that cannot be resolved, in secret and ordinary fields.
  each([['sources', 'gim', 'connectionString'], ['sources', 'config', 'password'], ['customer', 'name'], ['dataDir']], BAD_ENV_REFERENCES, 'env reference');
  return out;
}

/** Seeded random mutations on top: any node, any kind. */
function randomized(count: number): Mutation[] {
  const rng = seededRandom(SEED ^ 0x00c0_ffee);
  const scalars = ALL_NODES.filter((n) => !isPlainRecord(n.value) && !Array.isArray(n.value));
  const out: Mutation[] = [];
  for (let i = 0; i < count; i += 1) {
    const kind = rng.pick(['type', 'unknown', 'env', 'remove-then-type'] as const);
    const format = rng.next() < 0.5 ? 'json' : 'yaml';
    if (kind === 'type') {
      const node = rng.pick(ALL_NODES);
      const value = rng.pick(wrongTypes(node));
      out.push(mutation(`#${i} random type at ${formatPath(node.path)}: ${JSON.stringify(value)}`, setAt(node.path, value), node.path, format));
    } else if (kind === 'unknown') {
      const path = rng.pick(MAPPINGS);
      const key = `k${Math.floor(rng.next() * 1e6)}`;
      out.push(mutation(`#${i} random unknown key ${key} in ${formatPath(path) || '(root)'}`, addKey(path, key, rng.pick([1, 'x', [], {}])), [...path, key], format));
    } else if (kind === 'env') {
      const node = rng.pick(scalars.filter((n) => typeof n.value === 'string'));
      out.push(mutation(`#${i} unset env at ${formatPath(node.path)}`, setAt(node.path, `\${env:BDS_FUZZ_UNSET_${i}}`), node.path, format));
    } else {
      const node = rng.pick(scalars);
      const value = rng.pick([{ deep: { deeper: [1, 2, 3] } }, ['a', 'b', 'c'], null]);
      out.push(mutation(`#${i} random structure at ${formatPath(node.path)}`, setAt(node.path, value), node.path, format));
    }
  }
  return out;
}

/** The text of the mutated document, as the operator would have written it. */
function render(m: Mutation): string {
  const doc = structuredClone(BASE);
  m.apply(doc);
  return m.format === 'json' ? JSON.stringify(doc, null, 2) : stringifyYaml(doc);
}

interface Outcome {
  readonly name: string;
  readonly expected: string;
  /** The first line, or what happened instead of a ConfigError. */
  readonly got: string;
}

function outcomeOf(m: Mutation): Outcome {
  const expected = `invalid configuration ${CONFIG_PATH}: ${formatPath(m.expected)}: `;
  try {
    const loaded = parseConfig(render(m), { format: m.format, configPath: CONFIG_PATH, env: FIXTURE_ENV });
    return { name: m.name, expected, got: `accepted (dataDir ${loaded.config.dataDir})` };
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      return { name: m.name, expected, got: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
    }
    const firstLine = error.message.split('\n')[0] ?? '';
    if (/\n\s+at /.test(error.message)) return { name: m.name, expected, got: `a stack trace in: ${error.message}` };
    const leaked = SECRETS.find((s) => error.message.includes(s));
    if (leaked !== undefined) return { name: m.name, expected, got: `the secret ${leaked} in: ${error.message}` };
    return { name: m.name, expected, got: firstLine.startsWith(expected) ? expected : firstLine };
  }
}

describe('configuration fuzzing (in-process)', () => {
  it('accepts the unmutated fixture, so every refusal below comes from its mutation', () => {
    // Act
    const loaded = parseConfig(stringifyYaml(BASE), { format: 'yaml', configPath: CONFIG_PATH, env: FIXTURE_ENV });

    // Assess
    expect(loaded.config.tenants.map((t) => t.id)).toEqual(['acme', 'beta']);
  });

  const systematicMutations = systematic();

  it(`refuses each of the ${systematicMutations.length} systematic mutations with a first line naming the mutated key`, () => {
    // Act
    const outcomes = systematicMutations.map(outcomeOf);

    // Assess: every mismatch listed at once.
    expect(outcomes.filter((o) => o.got !== o.expected)).toEqual([]);
    expect(systematicMutations.length).toBeGreaterThan(400);
  });

  it('refuses 300 seeded random mutations the same way', () => {
    // Prepare
    const mutations = randomized(300);

    // Act
    const outcomes = mutations.map(outcomeOf);

    // Assess
    expect(outcomes.filter((o) => o.got !== o.expected)).toEqual([]);
    expect(new Set(mutations.map((m) => m.name)).size).toBe(300);
  });

  it('does not let a __proto__ key smuggle in a value the schema would read (it used to set dataDir)', () => {
    // Prepare: at the root, __proto__ carrying dataDir; the rest of the file is valid.
    const doc = structuredClone(BASE);
    delete doc.dataDir;
    addKey([], '__proto__', { dataDir: '/etc/bds-fuzz' })(doc);

    // Act
    let caught: unknown;
    try {
      parseConfig(JSON.stringify(doc), { format: 'json', configPath: CONFIG_PATH, env: FIXTURE_ENV });
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual([{ path: '__proto__', message: 'unknown key (a key named __proto__ is never valid)' }]);
  });

  it('never echoes a password written as a number (only strings are registered as secrets)', () => {
    // Prepare
    const doc = structuredClone(BASE);
    setAt(['sources', 'config', 'password'], 987654321)(doc);

    // Act
    let caught: unknown;
    try {
      parseConfig(stringifyYaml(doc), { format: 'yaml', configPath: CONFIG_PATH, env: FIXTURE_ENV });
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toBe(
      `invalid configuration ${CONFIG_PATH}: sources.config.password: expected a string (quote a value that looks like a number or true/false)`,
    );
  });
});
