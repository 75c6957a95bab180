import { describe, expect, it } from 'vitest';
import { BdsError } from '../../lib/errors';
import { createLogger, type LogFields } from '../../lib/log/logger';
import { SecretRegistry } from '../../lib/log/redact';
import { SourceError } from '../../lib/sources/errors';


/** An error shaped as pg's DatabaseError: an Error with the SQLSTATE in `code`. */
function pgError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code, severity: 'FATAL' });
}

/** The one line logged for `fields`, as text and parsed. */
function logLine(fields: LogFields, secrets = new SecretRegistry()): { text: string; record: Record<string, unknown> } {
  const lines: string[] = [];
  createLogger({ write: (l) => lines.push(l), level: 'debug', secrets }).error('failed', fields);
  expect(lines).toHaveLength(1);
  const text = lines[0] ?? '';
  return { text, record: JSON.parse(text) as Record<string, unknown> };
}

describe('logger: error codes', () => {
  it("writes a pg error's SQLSTATE beside its description", () => {
    const { record } = logLine({ error: pgError('terminating connection due to administrator command', '57P01') });
    expect(record).toMatchObject({ error: 'terminating connection due to administrator command', errorCode: '57P01' });
  });

  it("writes the cause's code when the error logged has none", () => {
    const error = new BdsError('tenant acme, 2026-11-25: extraction failed', {
      cause: pgError('terminating connection due to administrator command', '57P01'),
    });
    const { record } = logLine({ error });
    expect(record.errorCode).toBe('57P01');
    expect(record.error).toBe('tenant acme, 2026-11-25: extraction failed: terminating connection due to administrator command');
  });

  it("prefers the error's own code to its cause's", () => {
    const error = new SourceError('gim', 'cannot connect', { code: 'ECONNREFUSED', cause: pgError('x', '08006') });
    expect(logLine({ error }).record.errorCode).toBe('ECONNREFUSED');
  });

  it('names the code after the field, and writes none for an error without one', () => {
    const { record } = logLine({ error: new Error('plain'), other: pgError('gone', '57P01') });
    expect(record).not.toHaveProperty('errorCode');
    expect(record.otherCode).toBe('57P01');
  });

  it('keeps a code field the caller set', () => {
    expect(logLine({ error: pgError('x', '57P01'), errorCode: 'mine' }).record.errorCode).toBe('mine');
  });

  it('still redacts secrets in the line that carries the code', () => {
    const secrets = new SecretRegistry();
    secrets.register(['hunter22-password']);
    const error = new BdsError('source gim: cannot connect', {
      cause: pgError('password authentication failed for "bds" using hunter22-password', '28P01'),
    });
    const { text, record } = logLine({ error }, secrets);
    expect(text).not.toContain('hunter22-password');
    expect(record.errorCode).toBe('28P01');
    expect(record.error).toContain('***');
  });
});
