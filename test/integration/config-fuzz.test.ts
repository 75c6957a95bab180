/**
 * Configuration fuzzing through the real command line: a seeded sample of mutations of the
 * complete example, each given to `bds run --date ... --config FILE` as an operator would. Each
 * must exit 78 with a message whose first line names the key (or, for a file that does not
 * parse, the line), print no stack trace and no secret, and write nothing at all: not the data
 * folder, not a copyTo folder, not a path a mutated value points at, nothing in the working
 * folder or HOME. The hundreds of in-process mutations are in test/unit/config-fuzz.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { isPlainRecord } from '../../lib/config/env';
import { loadConfig } from '../../lib/config/load';
import { runBds, type CliResult } from '../helpers/cli';
import { seededRandom } from '../helpers/random';

const FIXTURE = fileURLToPath(new URL('../fixtures/config/valid.yaml', import.meta.url));
const ENV: Readonly<Record<string, string>> = {
  GIM_URL: 'postgres://bds:gim-cli-fuzz-pw@gim.example.local:5432/gim',
  CFG_PASSWORD: 'cfg-cli-fuzz-pw',
  GVP_PASSWORD: 'gvp-cli-fuzz-pw',
  GVP_US_URL: 'postgres://gvp:us-cli-fuzz-pw@gvp-us.example.local/gvp',
  GVP_EU_PASSWORD: 'eu-cli-fuzz-pw',
  S3_SECRET: 's3-cli-fuzz-secret',
  BDS_NOW: '2026-03-10T12:00:00Z',
};
const SECRETS = ['gim-cli-fuzz-pw', 'cfg-cli-fuzz-pw', 'gvp-cli-fuzz-pw', 'us-cli-fuzz-pw', 'eu-cli-fuzz-pw', 's3-cli-fuzz-secret'];
const SAMPLE_SIZE = 20;
const SEED = 0x0c11_f022;
const CONCURRENCY = 6;

type Doc = Record<string, unknown>;
type Segment = string | number;

interface CliMutation {
  readonly name: string;
  /** The file's text, from the base document (already pointing into the test's folder). */
  readonly text: (base: Doc, work: string) => string;
  /** The path the first line names after `invalid configuration FILE: `; '' for the file as a whole. */
  readonly firstPath: string;
  /** Where a careless implementation would write: none of these may exist afterwards. */
  readonly mentions?: (work: string) => string[];
  readonly json?: boolean;
}

function edit(doc: Doc, segments: readonly Segment[], value: unknown): Doc {
  let node: unknown = doc;
  for (const segment of segments.slice(0, -1)) node = (node as Record<Segment, unknown>)[segment];
  const container = node as Record<Segment, unknown>;
  const key = segments[segments.length - 1] as Segment;
  // Reflect, not a Map: the document stays the plain object the parser is given.
  if (value === undefined) Reflect.deleteProperty(container, key);
  else Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
  return doc;
}

/** A mutation that sets (or, with undefined, removes) one value. */
function at(name: string, segments: readonly Segment[], value: unknown, firstPath: string, mentions?: (work: string) => string[]): CliMutation {
  return {
    name,
    text: (base) => stringifyYaml(edit(structuredClone(base), segments, value)),
    firstPath,
    ...(mentions === undefined ? {} : { mentions }),
  };
}

const MUTATIONS: readonly CliMutation[] = [
  at('a tenant id that climbs out of the data folder', ['tenants', 0, 'id'], '../../escaped', 'tenants[0].id', (w) => [path.join(w, 'escaped'), path.join(w, 'data', '..', '..', 'escaped')]),
  at('a tenant id that is an absolute path', ['tenants', 1, 'id'], path.join(tmpdir(), 'bds-fuzz-abs-tenant'), 'tenants[1].id', () => [path.join(tmpdir(), 'bds-fuzz-abs-tenant')]),
  at('a GARN with a path in it', ['customer', 'garn'], '../../garn-escape', 'customer.garn', (w) => [path.join(w, 'garn-escape')]),
  at('a region code with a path in it', ['tenants', 0, 'regions', 0, 'code'], '../region-escape', 'tenants[0].regions[0].code', (w) => [path.join(w, 'region-escape')]),
  at('a location code with a slash', ['tenants', 0, 'regions', 1, 'locations', 0, 'code'], 'a/b', 'tenants[0].regions[1].locations[0].code'),
  at('the reserved region code GLOBAL', ['tenants', 1, 'regions', 0, 'code'], 'GLOBAL', 'tenants[1].regions[0].code'),
  at('a time zone that does not exist', ['tenants', 0, 'timezone'], 'Mars/Base', 'tenants[0].timezone'),
  at('a time zone that is a path', ['tenants', 1, 'timezone'], '../../etc/localtime', 'tenants[1].timezone'),
  at('a regular expression that does not compile', ['tenants', 0, 'excludeAgents', 1], '(unclosed', 'tenants[0].excludeAgents[1]'),
  at('an empty exclusion pattern', ['tenants', 0, 'excludeAgents', 0], '', 'tenants[0].excludeAgents[0]'),
  at('no tenants at all', ['tenants'], [], 'tenants'),
  at('an empty metric list', ['tenants', 1, 'metrics'], [], 'tenants[1].metrics'),
  at('a duplicate tenant id (case ignored)', ['tenants', 1, 'id'], 'ACME', 'tenants[1].id'),
  at('a tenant key of the wrong type', ['tenants', 0, 'gimTenantKey'], 'one', 'tenants[0].gimTenantKey'),
  at('a mapping where a list belongs', ['tenants', 0, 'metrics'], { seats_chat: true }, 'tenants[0].metrics'),
  at('an unknown key', ['tenants', 0, 'timezon'], 'UTC', 'tenants[0].timezon'),
  at('a missing required key', ['customer', 'name'], undefined, 'customer.name'),
  at('an unset environment variable in a password', ['sources', 'config', 'password'], '${env:BDS_CLI_FUZZ_UNSET}', 'sources.config.password'),
  at('a numeric password', ['sources', 'gvp', 'password'], 135792468, 'sources.gvp.password'),
  at('an S3 secret key without its key id', ['transmit', 's3', 'accessKeyId'], undefined, 'transmit.s3.accessKeyId'),
  at('an S3 endpoint that is a file URL', ['transmit', 's3', 'endpoint'], 'file:///etc/passwd', 'transmit.s3.endpoint'),
  at('a file mode open to everyone', ['files'], { mode: '0666' }, 'files.mode'),
  at('a bad duration', ['processingDelay'], '1.5h', 'processingDelay'),
  at('a port out of range', ['sources', 'config', 'port'], 70000, 'sources.config.port'),
  at('a date that does not exist', ['tenants', 0, 'productionDate'], '2026-02-30', 'tenants[0].productionDate'),
  at('an empty data folder name with a copyTo elsewhere', ['dataDir'], '', 'dataDir', (w) => [path.join(w, 'cfg', 'bds-data')]),
  {
    name: 'a __proto__ key carrying dataDir',
    text: (base, work) => {
      const doc = structuredClone(base);
      delete doc.dataDir;
      edit(doc, ['__proto__'], { dataDir: path.join(work, 'proto-data') });
      return JSON.stringify(doc, null, 2);
    },
    firstPath: '__proto__',
    mentions: (w) => [path.join(w, 'proto-data')],
    json: true,
  },
  {
    name: 'the same key twice (YAML)',
    text: (base) => `${stringifyYaml(base)}dataDir: ./second-data\n`,
    firstPath: '',
    mentions: (w) => [path.join(w, 'cfg', 'second-data')],
  },
  {
    name: 'an unquoted env reference inside { } (YAML syntax)',
    text: (base) => `${stringifyYaml(base)}scheduler: { timezone: \${env:TZ_X} }\n`,
    firstPath: '',
  },
  {
    name: 'a JSON file cut short',
    text: (base) => JSON.stringify(base, null, 2).slice(0, 200),
    firstPath: '',
    json: true,
  },
];

/** A seeded pick of `count` distinct mutations (so every run tries the same ones). */
function sample(all: readonly CliMutation[], count: number, seed: number): CliMutation[] {
  const { next } = seededRandom(seed);
  const pool = [...all];
  const chosen: CliMutation[] = [];
  while (chosen.length < count && pool.length > 0) chosen.push(...pool.splice(Math.floor(next() * pool.length), 1));
  return chosen;
}

/** Every file and folder under `root`, relative, sorted. */
function listing(root: string): string[] {
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[]).map((p) => p.split(path.sep).join('/')).sort();
}

let work: string;
let base: Doc;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'bds-config-fuzz-'));
  for (const dir of ['cfg', 'home', 'cwd']) mkdirSync(path.join(work, dir));
  const parsed: unknown = parseYaml(readFileSync(FIXTURE, 'utf8'));
  if (!isPlainRecord(parsed)) throw new Error('the fixture is not a mapping');
  // Everything the valid file would write goes under the test's folder.
  base = { ...parsed, dataDir: path.join(work, 'data') };
  edit(base, ['transmit', 'copyTo'], [path.join(work, 'copy-a'), '../copy-b']);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => work(item, i + j)))));
  return results;
}

describe('configuration fuzzing through `bds run`', () => {
  it('starts from a valid file: the unmutated base loads', () => {
    // Prepare
    const file = path.join(work, 'cfg', 'base.yaml');
    writeFileSync(file, stringifyYaml(base));

    // Act
    const { config } = loadConfig({ path: file, env: ENV });

    // Assess
    expect(config.dataDir).toBe(path.join(work, 'data'));
    expect(config.transmit?.copyTo).toEqual([path.join(work, 'copy-a'), path.join(work, 'copy-b')]);
  });

  it(`exits 78 for each of ${SAMPLE_SIZE} seeded mutations, naming the key, without a stack trace, writing nothing`, async () => {
    // Prepare
    const chosen = sample(MUTATIONS, SAMPLE_SIZE, SEED);
    const files = chosen.map((m, i) => {
      const file = path.join(work, 'cfg', `m${String(i).padStart(2, '0')}.${m.json === true ? 'json' : 'yaml'}`);
      writeFileSync(file, m.text(base, work));
      return file;
    });
    const before = listing(work);
    const tmpBefore = new Set(readdirSync(tmpdir()));

    // Act
    const results = await inBatches(chosen, CONCURRENCY, (_m, i): Promise<CliResult> =>
      runBds(['run', '--date', '2026-03-09', '--config', files[i] as string], {
        cwd: path.join(work, 'cwd'),
        env: { ...ENV, HOME: path.join(work, 'home'), BDS_CONFIG: '' },
      }),
    );

    // Assess: one summary per mutation, compared all at once.
    const outcomes = chosen.map((m, i) => {
      const r = results[i] as CliResult;
      const firstLine = r.stderr.split('\n')[0] ?? '';
      const head = `invalid configuration ${files[i] as string}: ${m.firstPath === '' ? '' : `${m.firstPath}: `}`;
      return {
        name: m.name,
        code: r.code,
        namesKey: firstLine.startsWith(head) ? 'yes' : firstLine,
        stack: /^\s+at /m.test(r.stderr),
        stdout: r.stdout,
        secrets: SECRETS.filter((s) => r.stderr.includes(s) || r.stdout.includes(s)),
        written: (m.mentions?.(work) ?? []).filter((p) => existsSync(p)),
      };
    });
    expect(outcomes.filter((o) => o.code !== 78 || o.namesKey !== 'yes' || o.stack || o.stdout !== '' || o.secrets.length > 0 || o.written.length > 0)).toEqual([]);
    expect(outcomes).toHaveLength(SAMPLE_SIZE);
    // Nothing appeared: the folder holds exactly the configuration files written above.
    expect(listing(work)).toEqual(before);
    expect(existsSync(path.join(work, 'data'))).toBe(false);
    expect(readdirSync(path.join(work, 'home'))).toEqual([]);
    expect(readdirSync(path.join(work, 'cwd'))).toEqual([]);
    // Nothing named after a mutated value appeared in the shared temporary folder.
    const mutatedNames = ['escaped', 'garn-escape', 'region-escape', 'bds-fuzz-abs-tenant', 'proto-data', 'second-data'];
    const appeared = readdirSync(tmpdir()).filter((name) => !tmpBefore.has(name) && mutatedNames.includes(name));
    expect(appeared).toEqual([]);
  });
});
