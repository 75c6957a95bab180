import { describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../lib/log/redact';
import { createLogger } from '../../lib/log/logger';

describe('redact', () => {
  it('masks registered secrets wherever they appear', () => {
    const secrets = new SecretRegistry();
    secrets.register(['hunter22', 'postgres://u:hunter22@db/x']);
    expect(secrets.redact('connect postgres://u:hunter22@db/x failed; pw=hunter22')).toBe('connect *** failed; pw=***');
  });
  it('masks the password of any URL even when not registered', () => {
    expect(new SecretRegistry().redact('mssql://bds:Secr3t!@rs.local:1433/gvp')).toBe('mssql://bds:***@rs.local:1433/gvp');
  });
  it('keeps log lines free of the secrets of the registry the logger was made with, also in error fields', () => {
    const secrets = new SecretRegistry();
    secrets.register(['topsecret']);
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), secrets }).child({ tenant: 'acme' });
    log.error('failed', { error: new Error('login topsecret refused') });
    expect(lines.join('')).not.toContain('topsecret');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'error', msg: 'failed', tenant: 'acme', error: 'login *** refused' });
  });
  it('sees the secrets registered after the logger was made (the configuration loads later)', () => {
    const secrets = new SecretRegistry();
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), secrets });
    secrets.register(['late-secret']);
    log.info('connecting with late-secret');
    expect(lines.join('')).toContain('connecting with ***');
  });
  it('keeps registries apart: one program\'s secrets are not another\'s', () => {
    // Prepare: two registries, as two handlers in one process (the scheduler) have.
    const mine = new SecretRegistry();
    const theirs = new SecretRegistry();
    mine.register(['only-mine-1']);

    // Act
    const text = 'value only-mine-1';

    // Assess
    expect(mine.redact(text)).toBe('value ***');
    expect(theirs.redact(text)).toBe(text);
  });
  it('ignores values too short to mask without mangling every line', () => {
    const secrets = new SecretRegistry();
    secrets.register(['abc']);
    expect(secrets.redact('abc abc')).toBe('abc abc');
    expect(secrets.size).toBe(0);
  });
});
