/** Reading the schedules out of serverless.yml text. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ScheduleExpressionError, SchedulerConfigError, ServerlessFileError } from '../../app/scheduler/errors';
import { parseServerlessSchedules, readServerlessSchedules } from '../../app/scheduler/serverless-schedules';

const FUNCTIONS = ['dispatcher', 'aggregate', 'extract-gim'];
const PROJECT_FILE = fileURLToPath(new URL('../../serverless.yml', import.meta.url));

function yaml(functions: string, head = 'service: bds\nprovider:\n  name: aws\n  stage: local\n  region: eu-west-1\n'): string {
  return `${head}functions:\n${functions}`;
}

function parse(text: string) {
  return parseServerlessSchedules(text, { file: 'serverless.yml', functions: FUNCTIONS });
}

function failure(text: string): SchedulerConfigError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof SchedulerConfigError) return error;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('parseServerlessSchedules: the forms of a schedule event', () => {
  it('reads the short form, the mapping form and a list of rates, in file order', () => {
    // Prepare
    const text = yaml(`  dispatcher:
    handler: handlers/dispatcher.handler
    events:
      - schedule: rate(1 hour)
      - schedule:
          rate: cron(15 * * * ? *)
          enabled: true
  aggregate:
    handler: handlers/aggregate.handler
    events:
      - http: GET /ignored
      - schedule:
          rate:
            - cron(0 6 * * ? *)
            - rate(2 days)
`);

    // Act
    const file = parse(text);

    // Assess
    expect(file).toMatchObject({ service: 'bds', stage: 'local', region: 'eu-west-1' });
    expect(file.schedules.map((s) => [s.functionName, s.expression.text, s.ruleName])).toEqual([
      ['dispatcher', 'rate(1 hour)', 'bds-local-dispatcher-schedule-1'],
      ['dispatcher', 'cron(15 * * * ? *)', 'bds-local-dispatcher-schedule-2'],
      ['aggregate', 'cron(0 6 * * ? *)', 'bds-local-aggregate-schedule-1'],
      ['aggregate', 'rate(2 days)', 'bds-local-aggregate-schedule-2'],
    ]);
    expect(file.schedules.every((s) => s.input === undefined && s.timeZone === undefined)).toBe(true);
  });

  it('skips disabled schedules and functions without schedules', () => {
    // Prepare
    const text = yaml(`  dispatcher:
    handler: handlers/dispatcher.handler
    events:
      - schedule:
          rate: cron(15 * * * ? *)
          enabled: false
  extract-gim:
    handler: handlers/extract-gim.handler
  unknown-but-unscheduled:
    handler: handlers/x.handler
`);

    // Act
    const file = parse(text);

    // Assess
    expect(file.schedules).toEqual([]);
  });

  it('keeps input (a mapping, or JSON text) as the event to send, and a per-schedule zone', () => {
    // Prepare
    const text = yaml(`  dispatcher:
    handler: handlers/dispatcher.handler
    events:
      - schedule:
          rate: cron(0 2 * * ? *)
          input:
            tenant: acme
          timezone: America/New_York
          name: acme-nightly
          description: acme only
      - schedule:
          rate: rate(1 day)
          input: '{"tenant": "globex"}'
`);

    // Act
    const file = parse(text);

    // Assess
    expect(file.schedules[0]).toMatchObject({ input: { tenant: 'acme' }, timeZone: 'America/New_York' });
    expect(file.schedules[1]?.input).toEqual({ tenant: 'globex' });
  });

  it('defaults stage and region as serverless does, and leaves variables alone', () => {
    // Prepare
    const text = yaml('  dispatcher:\n    handler: h.handler\n    events:\n      - schedule: rate(1 hour)\n', "service: bds\nprovider:\n  stage: ${opt:stage, 'dev'}\n");

    // Act
    const file = parse(text);

    // Assess
    expect(file).toMatchObject({ stage: 'dev', region: 'us-east-1' });
    expect(file.schedules[0]?.ruleName).toBe('bds-dev-dispatcher-schedule-1');
  });

  it("reads the project's own serverless.yml: the dispatcher's hourly schedule", () => {
    // Act
    const file = readServerlessSchedules(PROJECT_FILE, FUNCTIONS);

    // Assess
    expect(file.schedules.map((s) => [s.functionName, s.expression.kind])).toEqual([['dispatcher', 'cron']]);
    expect(readFileSync(PROJECT_FILE, 'utf8')).toContain(file.schedules[0]?.expression.text);
  });
});

describe('parseServerlessSchedules: refusals', () => {
  it('names the file, the function and the expression of an invalid schedule', () => {
    // Prepare
    const text = yaml('  dispatcher:\n    handler: h.handler\n    events:\n      - schedule: cron(15 * * * * *)\n');

    // Act
    const error = failure(text);

    // Assess
    expect(error).toBeInstanceOf(ScheduleExpressionError);
    expect(error.message).toMatch(
      /^serverless\.yml: function "dispatcher": invalid schedule expression "cron\(15 \* \* \* \* \*\)": /,
    );
  });

  it.each([
    ['a function BDS has no handler for', '  reports:\n    handler: h.handler\n    events:\n      - schedule: rate(1 hour)\n', /function "reports" has a schedule but BDS has no such handler \(handlers: dispatcher, aggregate, extract-gim\)/],
    ['a misspelt key', '  dispatcher:\n    events:\n      - schedule:\n          rate: rate(1 hour)\n          enable: false\n', /events\[0\]\.schedule\.enable: unknown key \(expected one of: rate, enabled/],
    ['inputPath', '  dispatcher:\n    events:\n      - schedule:\n          rate: rate(1 hour)\n          inputPath: $.detail\n', /inputPath: not supported by the local scheduler/],
    ['a missing rate', '  dispatcher:\n    events:\n      - schedule:\n          enabled: true\n', /schedule\.rate: required/],
    ['a rate that is not text', '  dispatcher:\n    events:\n      - schedule:\n          rate: 5\n', /schedule\.rate: expected an expression/],
    ['a serverless variable', "  dispatcher:\n    events:\n      - schedule: ${self:custom.rate}\n", /serverless variables are not resolved/],
    ['enabled that is not a boolean', '  dispatcher:\n    events:\n      - schedule:\n          rate: rate(1 hour)\n          enabled: "no"\n', /enabled: expected true or false/],
    ['input that is not JSON', "  dispatcher:\n    events:\n      - schedule:\n          rate: rate(1 hour)\n          input: 'tenant=acme'\n", /input: a string input must be JSON text/],
    ['an unknown zone', '  dispatcher:\n    events:\n      - schedule:\n          rate: rate(1 hour)\n          timezone: Mars/Base\n', /timezone: unknown time zone "Mars\/Base"/],
    ['events that are not a list', '  dispatcher:\n    events: {}\n', /functions\.dispatcher\.events must be a list/],
  ])('refuses %s', (_what, functions, message) => {
    // Act
    const error = failure(yaml(functions));

    // Assess
    expect(error).toBeInstanceOf(ServerlessFileError);
    expect(error.message).toMatch(/^serverless\.yml: /);
    expect(error.message).toMatch(message);
  });

  it('refuses text that is not YAML, not a mapping, or has no service', () => {
    // Act
    const broken = failure('service: bds\nfunctions: [unclosed\n');
    const list = failure('- a\n- b\n');
    const anonymous = failure('provider:\n  name: aws\n');

    // Assess
    expect(broken.message).toMatch(/not valid YAML/);
    expect(list.message).toMatch(/expected a mapping/);
    expect(anonymous.message).toMatch(/"service" is missing/);
  });

  it('refuses a file it cannot read, naming it', () => {
    // Act / Assess
    expect(() => readServerlessSchedules('/nonexistent/serverless.yml', FUNCTIONS)).toThrow(
      /^\/nonexistent\/serverless\.yml: cannot read the file: .*ENOENT/,
    );
  });
});
