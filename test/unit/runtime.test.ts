/**
 * The runtime: BDS_NOW read strictly into a clock, file modes from the configuration, a secret
 * registry per program; and a handler that takes its clock from its boundary, not from module
 * state.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_FILE_MODES } from '../../lib/files/atomic';
import { createHandler, type HandlerSummary } from '../../lib/pipeline/handler';
import { RequestError } from '../../lib/pipeline/errors';
import { createRuntime, loadRuntime } from '../../lib/runtime/runtime';
import { parseIsoInstant } from '../../lib/time/calendar';
import { fixedClock, systemClock } from '../../lib/time/clock';
import { InvalidClockError } from '../../lib/time/errors';

const FIXTURE = fileURLToPath(new URL('../fixtures/config/valid.yaml', import.meta.url));
const FIXTURE_ENV: Readonly<Record<string, string>> = {
  GIM_URL: 'postgres://bds:gim-secret@gim.example.local:5432/gim',
  CFG_PASSWORD: 'cfg-secret',
  GVP_PASSWORD: 'gvp-secret',
  GVP_US_URL: 'postgres://gvp:us-secret@gvp-us.example.local/gvp',
  GVP_EU_PASSWORD: 'eu-secret',
  S3_SECRET: 's3-secret-key',
};
const work = mkdtempSync(path.join(tmpdir(), 'bds-runtime-'));
copyFileSync(FIXTURE, path.join(work, 'bds.config.yaml'));
const CONFIG = path.join(work, 'bds.config.yaml');

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('parseIsoInstant', () => {
  it('reads ISO 8601 instants with their zone, to the second', () => {
    expect(parseIsoInstant('2026-11-26T06:00:00Z')).toBe(Date.UTC(2026, 10, 26, 6) / 1000);
    expect(parseIsoInstant('2026-11-26T07:00+01:00')).toBe(Date.UTC(2026, 10, 26, 6) / 1000);
    expect(parseIsoInstant('2026-11-25T23:30:00.999-06:30')).toBe(Date.UTC(2026, 10, 26, 6) / 1000);
    expect(parseIsoInstant('0050-01-01T00:00:00Z')).toBe(-60_589_296_000);
  });

  it('refuses what Date.parse would take but does not say one instant', () => {
    // Every one of these is a number to Date.parse (a zone-less time is read in the host's zone).
    for (const text of ['2026-11-26', '2026-11-26T06:00:00', '1', 'March 7, 2026', '2026-11-26 06:00:00Z', '2026-02-30T00:00:00Z', '2026-11-26T24:00:00Z', '2026-11-26T06:60:00Z', '2026-11-26T06:00:00+24:00']) {
      expect(() => parseIsoInstant(text), text).toThrow(/invalid time/);
    }
  });
});

describe('createRuntime', () => {
  it('takes BDS_NOW as a fixed clock, and the system clock without it', () => {
    expect(createRuntime({ env: { BDS_NOW: '2026-11-26T06:00:00Z' } }).clock.nowSeconds()).toBe(Date.UTC(2026, 10, 26, 6) / 1000);
    expect(createRuntime({ env: {} }).clock).toBe(systemClock);
    expect(createRuntime({ env: { BDS_NOW: '' } }).clock).toBe(systemClock);
  });

  it('refuses an invalid BDS_NOW with an error naming the variable', () => {
    for (const value of ['2026-11-26', 'tomorrow', '2026-11-26T06:00:00']) {
      let caught: unknown;
      try {
        createRuntime({ env: { BDS_NOW: value } });
      } catch (error) {
        caught = error;
      }
      expect(caught, value).toBeInstanceOf(InvalidClockError);
      expect((caught as Error).message).toContain(`BDS_NOW=${JSON.stringify(value)} is not an ISO 8601 time`);
    }
  });

  it('prefers an injected clock to the environment (tests)', () => {
    expect(createRuntime({ env: { BDS_NOW: 'not a time' }, clock: fixedClock(42) }).clock.nowSeconds()).toBe(42);
  });

  it('takes the file modes from the configuration, defaults without it', () => {
    expect(createRuntime({ env: {} }).fileModes).toEqual(DEFAULT_FILE_MODES);
    expect(createRuntime({ env: {}, files: { mode: 0o600, dirMode: 0o700 } }).fileModes).toEqual({ file: 0o600, dir: 0o700 });
  });

  it('gives each runtime its own registry unless one is shared', () => {
    const a = createRuntime({ env: {} });
    const b = createRuntime({ env: {} });
    a.secrets.register(['only-in-a']);
    expect(b.secrets.redact('only-in-a')).toBe('only-in-a');
    expect(createRuntime({ env: {}, secrets: a.secrets }).secrets.redact('only-in-a')).toBe('***');
  });
});

describe('loadRuntime', () => {
  it('registers the configuration\'s secrets with the runtime\'s registry', () => {
    const { runtime } = loadRuntime(CONFIG, { env: FIXTURE_ENV });
    expect(runtime.secrets.redact('password cfg-secret, url postgres://bds:gim-secret@gim.example.local:5432/gim')).not.toMatch(/cfg-secret|gim-secret/);
  });

  it('reports a broken BDS_NOW even when the file cannot be read', () => {
    expect(() => loadRuntime(path.join(work, 'missing.yaml'), { env: { BDS_NOW: 'soon' } })).toThrow(InvalidClockError);
  });
});

describe('createHandler', () => {
  function probe(clock: ReturnType<typeof fixedClock> | undefined, env: NodeJS.ProcessEnv): { handler: (event: unknown) => Promise<HandlerSummary>; seen: number[] } {
    const seen: number[] = [];
    const handler = createHandler(
      {
        name: 'probe',
        kind: 'tenants',
        run: ({ runtime }) => {
          seen.push(runtime.clock.nowSeconds());
          return Promise.resolve({ function: 'probe', ok: true, exitCode: 0, days: [], skipped: [], transmissions: [], durationMs: 0 });
        },
      },
      { env, ...(clock === undefined ? {} : { clock }) },
    );
    return { handler: (event) => handler(event), seen };
  }

  it('runs its body with the clock it was given, ahead of BDS_NOW', async () => {
    // Prepare
    const at = Date.UTC(2026, 2, 10, 12) / 1000;
    const { handler, seen } = probe(fixedClock(at), { ...FIXTURE_ENV, BDS_CONFIG: CONFIG, BDS_NOW: '2001-01-01T00:00:00Z' });

    // Act
    await handler({});

    // Assess
    expect(seen).toEqual([at]);
  });

  it('checks a scheduled event against that clock: an event an hour after it is refused', async () => {
    // Prepare: the event is fine by the real clock (years ago), not by the injected one.
    const at = Date.UTC(2020, 0, 1) / 1000;
    const { handler } = probe(fixedClock(at), { ...FIXTURE_ENV, BDS_CONFIG: CONFIG });
    const event = { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2020-01-01T01:00:00Z', detail: {} };

    // Act
    const refused = await handler(event).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(refused).toBeInstanceOf(RequestError);
    expect((refused as RequestError).message).toContain('in the future');
  });

  it('reads BDS_NOW from its environment at each invocation', async () => {
    const env: NodeJS.ProcessEnv = { ...FIXTURE_ENV, BDS_CONFIG: CONFIG, BDS_NOW: '2026-03-10T12:00:00Z' };
    const { handler, seen } = probe(undefined, env);
    await handler({});
    env.BDS_NOW = '2026-03-11T12:00:00Z';
    await handler({});
    expect(seen).toEqual([Date.UTC(2026, 2, 10, 12) / 1000, Date.UTC(2026, 2, 11, 12) / 1000]);
  });
});
