/**
 * Event fuzzing: every handler of HANDLERS, called in-process the way Lambda calls it, with
 * malformed events (not objects, wrong types, bad and far-off dates, unknown tenants, payloads of
 * megabytes, 100k-element lists, deep nesting, prototype keys, forged scheduled events). Each must
 * be refused with a RequestError whose `field` names what is wrong, before any work: the data
 * folder of the (valid) configuration must still not exist afterwards.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HANDLERS } from '../../handlers/index';
import { RequestError } from '../../lib/pipeline/errors';

const FIXTURE = fileURLToPath(new URL('../fixtures/config/valid.yaml', import.meta.url));
// The fixture's secrets; its sources are example hosts that are never reached by these tests.
const FIXTURE_ENV: Readonly<Record<string, string>> = {
  GIM_URL: 'postgres://bds:gim-secret@gim.example.local:5432/gim',
  CFG_PASSWORD: 'cfg-secret',
  GVP_PASSWORD: 'gvp-secret',
  GVP_US_URL: 'postgres://gvp:us-secret@gvp-us.example.local/gvp',
  GVP_EU_PASSWORD: 'eu-secret',
  S3_SECRET: 's3-secret-key',
};
// acme (America/New_York) and beta (UTC) have both ended 2026-03-09 at this moment, 2h delay included.
const NOW = '2026-03-10T12:00:00Z';
const ENDED_DAY = '2026-03-09';

type Family = 'stage' | 'upload' | 'dispatcher' | 'worker';

/** The event shapes each handler accepts (lib/pipeline/targets.ts, handlers/*.ts). */
const FAMILY: Readonly<Record<string, Family>> = {
  'extract-gim': 'stage',
  'extract-config': 'stage',
  'extract-gvp': 'stage',
  aggregate: 'stage',
  upload: 'upload',
  dispatcher: 'dispatcher',
  worker: 'worker',
};

/** A valid ad hoc event of the family, which the cases below break in one place each. */
function validEvent(family: Family): Record<string, unknown> {
  return family === 'stage' ? { tenant: 'acme', date: ENDED_DAY } : { tenant: 'acme' };
}

const MB5 = 'x'.repeat(5 * 1024 * 1024);
const HUGE_LIST = Array.from({ length: 100_000 }, (_, i) => i);

/** `{ tenant: { tenant: ... } }`, `depth` levels deep, built without recursion. */
function deeplyNested(depth: number): Record<string, unknown> {
  let node: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i += 1) node = { tenant: node };
  return node;
}
const DEEP = deeplyNested(100_000);

/** A scheduled event as EventBridge sends it, with `overrides` applied (undefined removes a key). */
function scheduled(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const event: Record<string, unknown> = {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: NOW,
    region: 'us-east-1',
    resources: [],
    detail: {},
  };
  for (const [key, value] of Object.entries(overrides)) {
    // Reflect, not a Map: the event stays the plain object a handler is given.
    if (value === undefined) Reflect.deleteProperty(event, key);
    else event[key] = value;
  }
  return event;
}

interface Case {
  readonly name: string;
  /** The event per family; a family without an entry does not get this case. */
  readonly event: (family: Family) => unknown;
  /** The field the RequestError must name. */
  readonly field: (family: Family) => string;
  readonly families?: readonly Family[];
}

const always = (field: string) => (): string => field;
const replace = (value: unknown) => (): unknown => value;
const withField = (key: string, value: unknown) => (family: Family): unknown => ({ ...validEvent(family), [key]: value });

// No `undefined`: middy (like Lambda for an invocation without a payload) makes it `{}`, which
// is a valid upload or dispatcher event.
const NOT_OBJECTS: readonly [string, unknown][] = [
  ['null', null],
  ['zero', 0],
  ['a negative number', -1],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['true', true],
  ['an empty string', ''],
  ['a tenant id as a bare string', 'acme'],
  ['a 5 MB string', MB5],
  ['an empty list', []],
  ['a list holding a valid event', [{ tenant: 'acme', date: ENDED_DAY }]],
  ['a 100k-element list', HUGE_LIST],
];

const BAD_TENANTS: readonly [string, unknown][] = [
  ['a number', 5],
  ['null', null],
  ['true', true],
  ['a list', ['acme']],
  ['a mapping', { id: 'acme' }],
  ['an empty string', ''],
  ['65 characters', 'a'.repeat(65)],
  ['a 5 MB string', MB5],
  ['a 100k-element list', HUGE_LIST],
  ['100k levels of nesting', DEEP],
  ['a path', '../../etc'],
  ['a dot', '.'],
  ['a NUL byte', 'acme\u0000'],
  ['another case', 'ACME'],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['toString', 'toString'],
  ['an SQL fragment', "acme'; DROP TABLE tenant; --"],
];

const BAD_DATES: readonly [string, unknown][] = [
  ['a number', 20260309],
  ['null', null],
  ['an empty string', ''],
  ['month 13', '2026-13-01'],
  ['30 February', '2026-02-30'],
  ['a two-digit year', '26-03-09'],
  ['no leading zeros', '2026-3-9'],
  ['a timestamp', '2026-03-09T00:00:00Z'],
  ['day zero', '0000-00-00'],
  ['a day that has not ended', '9999-12-31'],
  ['today', '2026-03-10'],
  ['a path', '../../etc/passwd'],
  ['a 5 MB string', MB5],
  ['a list', [ENDED_DAY]],
];

const BAD_TIMES: readonly [string, unknown][] = [
  ['missing', undefined],
  ['a word', 'yesterday'],
  ['a bare number string', '1'],
  ['a month and day', 'March 7'],
  ['an empty string', ''],
  ['month 13', '2026-13-01T00:00:00Z'],
  ['far in the future', '9999-12-31T00:00:00Z'],
  ['a day ahead', '2026-03-11T12:00:00Z'],
  ['a number', 1767225600],
  ['null', null],
  ['a 5 MB string', MB5],
];

const CASES: Case[] = [
  ...NOT_OBJECTS.map(([name, value]): Case => ({ name: `the event is ${name}`, event: replace(value), field: always('event') })),
  ...BAD_TENANTS.map(([name, value]): Case => ({ name: `tenant is ${name}`, event: withField('tenant', value), field: always('event.tenant') })),
  {
    name: 'the worker gets no tenant',
    event: () => ({}),
    field: always('event.tenant'),
    families: ['worker'],
  },
  ...BAD_DATES.map(
    ([name, value]): Case => ({ name: `date is ${name}`, event: withField('date', value), field: always('event.date'), families: ['stage'] }),
  ),
  {
    name: 'a range that runs backwards',
    event: () => ({ tenant: 'acme', from: ENDED_DAY, to: '2026-03-01' }),
    field: always('event.from'),
    families: ['stage'],
  },
  {
    name: 'a range of eight thousand years',
    event: () => ({ tenant: 'acme', from: '0001-01-01', to: ENDED_DAY }),
    field: always('event.to'),
    families: ['stage'],
  },
  {
    name: 'a range from year 1 to year 9999',
    event: () => ({ tenant: 'acme', from: '0001-01-01', to: '9999-12-31' }),
    field: always('event.to'),
    families: ['stage'],
  },
  {
    name: 'from without to',
    event: () => ({ tenant: 'acme', from: '2026-03-01' }),
    field: always('event.to'),
    families: ['stage'],
  },
  {
    name: 'to without from',
    event: () => ({ tenant: 'acme', to: '2026-03-01' }),
    field: always('event.from'),
    families: ['stage'],
  },
  {
    name: 'a date and a range',
    event: () => ({ tenant: 'acme', date: ENDED_DAY, from: '2026-03-01', to: ENDED_DAY }),
    field: always('event.date'),
    families: ['stage'],
  },
  { name: 'an unknown field', event: withField('dates', ENDED_DAY), field: always('event.dates') },
  { name: 'an unknown field holding 5 MB', event: withField('payload', MB5), field: always('event.payload') },
  { name: 'an unknown field holding a 100k-element list', event: withField('items', HUGE_LIST), field: always('event.items') },
  { name: 'an unknown field nested 100k levels deep', event: withField('nested', DEEP), field: always('event.nested') },
  // JSON.parse makes `__proto__` an own key, as a Lambda runtime parsing the request body does.
  {
    name: 'a __proto__ key',
    event: (family) => JSON.parse(`{"tenant":"acme",${family === 'stage' ? `"date":"${ENDED_DAY}",` : ''}"__proto__":{"tenant":"beta","isAdmin":true}}`) as unknown,
    field: always('event.__proto__'),
  },
  { name: 'a constructor key', event: withField('constructor', { prototype: { polluted: true } }), field: always('event.constructor') },
  { name: 'a prototype key', event: withField('prototype', { polluted: true }), field: always('event.prototype') },
  // Scheduled events: one schema for the stage handlers, the dispatcher and upload.
  {
    name: 'a scheduled event without detail-type',
    event: () => scheduled({ 'detail-type': undefined }),
    field: always('event.detail-type'),
    families: ['stage', 'upload', 'dispatcher'],
  },
  {
    name: 'a scheduled event of another type',
    event: () => scheduled({ 'detail-type': 'Object Created' }),
    field: always('event.detail-type'),
    families: ['stage', 'upload', 'dispatcher'],
  },
  {
    name: 'a scheduled event from another source',
    event: () => scheduled({ source: 'evil.events' }),
    field: always('event.source'),
    families: ['stage', 'upload', 'dispatcher'],
  },
  ...BAD_TIMES.map(
    ([name, value]): Case => ({
      name: `a scheduled event whose time is ${name}`,
      event: () => scheduled({ time: value }),
      field: always('event.time'),
      // One scheduled-event schema: the dispatcher and upload check the time as strictly.
      families: ['stage', 'upload', 'dispatcher'],
    }),
  ),
  {
    name: 'a scheduled event whose detail is a number',
    event: () => scheduled({ detail: 5 }),
    field: always('event.detail'),
    families: ['stage', 'upload', 'dispatcher'],
  },
  {
    name: 'a scheduled event whose detail.tenant is a number',
    event: () => scheduled({ detail: { tenant: 5 } }),
    field: always('event.detail.tenant'),
    families: ['stage', 'upload', 'dispatcher'],
  },
  {
    name: 'a scheduled event for an unknown tenant',
    event: () => scheduled({ detail: { tenant: '../../etc' } }),
    field: always('event.detail.tenant'),
    families: ['stage', 'upload', 'dispatcher'],
  },
  {
    name: 'a scheduled event whose detail.tenant is 5 MB',
    event: () => scheduled({ detail: { tenant: MB5 } }),
    field: always('event.detail.tenant'),
    families: ['stage', 'upload', 'dispatcher'],
  },
  {
    name: 'a scheduled event sent to a worker (which needs a tenant)',
    event: () => scheduled(),
    field: always('event.tenant'),
    families: ['worker'],
  },
];

let work: string;
let dataDir: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'bds-event-fuzz-'));
  // The fixture's dataDir is relative (./bds-data): beside this copy, inside the temporary folder.
  copyFileSync(FIXTURE, path.join(work, 'bds.config.yaml'));
  dataDir = path.join(work, 'bds-data');
  for (const [name, value] of Object.entries(FIXTURE_ENV)) vi.stubEnv(name, value);
  vi.stubEnv('BDS_CONFIG', path.join(work, 'bds.config.yaml'));
  vi.stubEnv('BDS_NOW', NOW);
  // The handlers log each refused invocation; the lines are not what is tested here.
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  rmSync(work, { recursive: true, force: true });
});

/** What a handler invocation came to: the RequestError it threw, or a description of anything else. */
async function refusal(name: string, event: unknown): Promise<RequestError | string> {
  const handler = HANDLERS[name];
  if (handler === undefined) return `no handler ${name}`;
  try {
    const result = await handler(event, { functionName: name, awsRequestId: 'fuzz' });
    return `accepted, exit code ${result.exitCode}`;
  } catch (error) {
    if (error instanceof RequestError) return error;
    return `threw ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error)}`;
  }
}

describe('event fuzzing: every handler refuses malformed events naming the field', () => {
  it('covers every handler of HANDLERS', () => {
    expect(Object.keys(HANDLERS).sort()).toEqual(Object.keys(FAMILY).sort());
  });

  describe.each(Object.keys(FAMILY))('%s', (name) => {
    const family = FAMILY[name] as Family;
    const cases = CASES.filter((c) => c.families === undefined || c.families.includes(family));

    it(`refuses ${cases.length} malformed events, each with a RequestError naming the field`, async () => {
      // Act
      const outcomes: { name: string; expected: string; got: string }[] = [];
      for (const c of cases) {
        const result = await refusal(name, c.event(family));
        outcomes.push({
          name: c.name,
          expected: c.field(family),
          got: result instanceof RequestError ? result.field : result,
        });
        if (result instanceof RequestError) {
          // The message starts with the field and stays short, whatever the size of the event.
          expect(result.message.startsWith(`${result.field}: `), c.name).toBe(true);
          expect(result.message.length, c.name).toBeLessThan(1000);
        }
      }

      // Assess: all at once, so one run lists every case that misbehaves.
      expect(outcomes.filter((o) => o.got !== o.expected)).toEqual([]);
      expect(outcomes.length).toBeGreaterThan(35);
    });
  });

  it('did no work: the data folder was never created', () => {
    // Assess: no lock, no state, no staged data, no run record; the folder holds only the configuration.
    expect(existsSync(dataDir)).toBe(false);
    expect(readdirSync(work)).toEqual(['bds.config.yaml']);
  });
});
