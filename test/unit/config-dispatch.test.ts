import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load';
import { ConfigError } from '../../lib/config/errors';

const base = `customer: { garn: G1, name: Acme }
tenants:
  - id: acme
    gimTenantKey: 1
    cfgTenantDbid: 101
    productionDate: 2026-01-01
    metrics: [seats_workspace]
    regions: [{ code: US, locations: [{ code: A, switches: [] }] }]
sources: { gim: { client: pg, connectionString: "postgres://x/y" } }
`;

function parse(extra: string) {
  return parseConfig(base + extra, { format: 'yaml', configPath: '/etc/bds/bds.config.yaml', env: {} });
}

describe('dispatch', () => {
  it('is absent by default (in-process) and accepts lambda mode with a function name', () => {
    expect(parse('').config.dispatch).toBeUndefined();
    expect(parse('dispatch: { mode: lambda, functionName: bds-prod-worker, region: eu-west-1, endpoint: "http://127.0.0.1:3002" }').config.dispatch).toEqual({
      mode: 'lambda',
      functionName: 'bds-prod-worker',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:3002',
    });
  });
  it('names the key of each mistake', () => {
    const cases: [string, string][] = [
      ['dispatch: { mode: lambda }', 'dispatch.functionName'],
      ['dispatch: { mode: fanout }', 'dispatch.mode'],
      ['dispatch: { mode: lambda, functionName: w, endpoint: "ftp://x" }', 'dispatch.endpoint'],
      ['dispatch: { mode: lambda, functionName: w, threads: 4 }', 'dispatch.threads'],
    ];
    for (const [yaml, path] of cases) {
      let caught: unknown;
      try {
        parse(yaml);
      } catch (error) {
        caught = error;
      }
      expect(caught, yaml).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).problems.map((p) => p.path), yaml).toContain(path);
    }
  });
});
