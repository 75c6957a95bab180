import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, redact, registerSecrets } from '../../lib/log/redact';
import { createLogger } from '../../lib/log/logger';

afterEach(() => clearSecrets());

describe('redact', () => {
  it('masks registered secrets wherever they appear', () => {
    registerSecrets(['hunter22', 'postgres://u:hunter22@db/x']);
    expect(redact('connect postgres://u:hunter22@db/x failed; pw=hunter22')).toBe('connect *** failed; pw=***');
  });
  it('masks the password of any URL even when not registered', () => {
    expect(redact('mssql://bds:Secr3t!@rs.local:1433/gvp')).toBe('mssql://bds:***@rs.local:1433/gvp');
  });
  it('keeps log lines free of secrets, also in error fields', () => {
    registerSecrets(['topsecret']);
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    log.error('failed', { error: new Error('login topsecret refused') });
    expect(lines.join('')).not.toContain('topsecret');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'error', msg: 'failed', error: 'login *** refused' });
  });
});
