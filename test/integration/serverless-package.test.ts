/**
 * `serverless package` (serverless 3, offline, no credentials) builds the deployable
 * CloudFormation artifact from serverless.yml: every function and the dispatcher's schedule
 * must be in it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));
let out: string | undefined;
afterAll(async () => {
  if (out !== undefined) await rm(out, { recursive: true, force: true });
});

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

describe('serverless package', () => {
  it('produces a CloudFormation template with every function and the schedule', { timeout: 300_000 }, async () => {
    out = await mkdtemp(join(tmpdir(), 'bds-sls-'));
    await promisify(execFile)(join(root, 'node_modules', '.bin', 'serverless'), ['package', '--package', out], {
      cwd: root,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    });
    const template = JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as {
      Resources: Record<string, Resource>;
    };
    const declared = Object.keys((parse(await readFile(join(root, 'serverless.yml'), 'utf8')) as { functions: Record<string, unknown> }).functions);
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const handlers = functions.map((f) => f.Properties.Handler).sort();
    expect(handlers).toEqual(declared.map((name) => `handlers/${name}.handler`).sort());
    for (const f of functions) {
      expect(f.Properties.Runtime).toBe('nodejs20.x');
      expect(f.Properties.Timeout).toBe(900);
    }
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(['cron(15 * * * ? *)']);
  });
});
