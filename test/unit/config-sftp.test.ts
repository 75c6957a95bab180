/**
 * `transmit.sftp`: every problem is named by its key with the fix, before any work (exit 78), and
 * the key, passphrase and password are secrets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/config/errors';
import { parseConfig } from '../../lib/config/load';
import { ExitCode } from '../../lib/errors';

const dir = mkdtempSync(path.join(tmpdir(), 'bds-config-sftp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n';
const FINGERPRINT = 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';
writeFileSync(path.join(dir, 'id_ed25519'), KEY, { mode: 0o600 });
writeFileSync(path.join(dir, 'id_ed25519.pub'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bds\n');

function doc(sftp: Record<string, unknown>): string {
  return JSON.stringify({
    customer: { garn: 'GARN0042', name: 'Acme Corp' },
    sources: { gim: { client: 'pg', connectionString: 'postgres://bds@gim.example.local/gim' } },
    tenants: [
      {
        id: 'acme',
        gimTenantKey: 1,
        cfgTenantDbid: 101,
        productionDate: '2026-01-01',
        metrics: ['seats_inbound_voice'],
        regions: [{ code: 'US', locations: [{ code: 'MAIN', switches: [] }] }],
      },
    ],
    transmit: { sftp },
  });
}

const good = { host: 'sftp.vendor.example', username: 'garn0042', privateKey: 'id_ed25519', hostKey: FINGERPRINT, path: '/inbox/' };

function parse(sftp: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  return parseConfig(doc(sftp), { format: 'json', configPath: path.join(dir, 'bds.config.json'), env });
}

function problems(sftp: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): { path: string; message: string }[] {
  try {
    parse(sftp, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => ({ path: p.path, message: p.message }));
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('transmit.sftp', () => {
  it('resolves a valid entry: port 22, a 30 s timeout, the key read from its file (relative to the configuration), no trailing "/"', () => {
    const { config, secrets } = parse({ ...good, passphrase: '${env:PASS}' }, { PASS: 'unlock-me-please' });
    expect(config.transmit?.sftp).toEqual({
      host: 'sftp.vendor.example',
      port: 22,
      username: 'garn0042',
      privateKey: KEY,
      privateKeyPath: path.join(dir, 'id_ed25519'),
      passphrase: 'unlock-me-please',
      hostKey: FINGERPRINT,
      path: '/inbox',
      connectTimeout: 30,
    });
    // The key's text and the passphrase are secrets; the key file's path is not.
    expect(secrets).toContain(KEY);
    expect(secrets).toContain('unlock-me-please');
    expect(secrets).not.toContain('id_ed25519');
  });

  it('takes the key itself from the environment, as a secret', () => {
    const { config, secrets } = parse({ ...good, privateKey: '${env:SFTP_KEY}', port: '2222', connectTimeout: '10s' }, { SFTP_KEY: KEY });
    expect(config.transmit?.sftp).toMatchObject({ privateKey: KEY, port: 2222, connectTimeout: 10 });
    expect(config.transmit?.sftp?.privateKeyPath).toBeUndefined();
    expect(secrets).toContain(KEY);
  });

  it('accepts a password instead of a key', () => {
    const { privateKey: _key, ...rest } = good;
    const { config, secrets } = parse({ ...rest, password: 'p4ssw0rd-sftp' });
    expect(config.transmit?.sftp?.password).toBe('p4ssw0rd-sftp');
    expect(secrets).toContain('p4ssw0rd-sftp');
  });

  it.each([
    ['a missing hostKey', { hostKey: undefined }, 'transmit.sftp.hostKey', /required key is missing/],
    ['an MD5 fingerprint', { hostKey: '16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48' }, 'transmit.sftp.hostKey', /MD5 fingerprint is not accepted.*ssh-keyscan -p PORT HOST \| ssh-keygen -lf -/],
    ['the whole ssh-keygen line', { hostKey: `256 ${FINGERPRINT} host (ED25519)` }, 'transmit.sftp.hostKey', /give only the SHA256:\.\.\. part/],
    ['a padded fingerprint', { hostKey: `${FINGERPRINT}=` }, 'transmit.sftp.hostKey', /without the trailing "="/],
    ['a short fingerprint', { hostKey: 'SHA256:abc' }, 'transmit.sftp.hostKey', /43 characters of base64/],
    ['a bare digest', { hostKey: 'nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8' }, 'transmit.sftp.hostKey', /not a host key fingerprint: give the server's SHA256 fingerprint exactly as "ssh-keygen -lf" prints it/],
    ['both a key and a password', { password: 'secret-pw' }, 'transmit.sftp.password', /not allowed together with privateKey/],
    ['neither a key nor a password', { privateKey: undefined }, 'transmit.sftp.privateKey', /required key is missing: give privateKey .* or password/],
    ['a passphrase without a key', { privateKey: undefined, password: 'secret-pw', passphrase: 'unlock' }, 'transmit.sftp.passphrase', /only with privateKey/],
    ['a key file that is not there', { privateKey: 'missing_key' }, 'transmit.sftp.privateKey', /cannot read the private key file .*missing_key \(ENOENT\): give the path of an SSH private key file/],
    ['a public key file', { privateKey: 'id_ed25519.pub' }, 'transmit.sftp.privateKey', /id_ed25519\.pub is a public key/],
    ['a ".." in the path', { path: '/inbox/../etc' }, 'transmit.sftp.path', /no "\." or "\.\." segment/],
    ['an empty path', { path: '' }, 'transmit.sftp.path', /not empty/],
    ['a bad host', { host: 'sftp vendor' }, 'transmit.sftp.host', /not a host name/],
    ['a bad port', { port: 70000 }, 'transmit.sftp.port', /port number from 1 to 65535/],
    ['no username', { username: undefined }, 'transmit.sftp.username', /required key is missing/],
    ['a typo', { hostkey: FINGERPRINT }, 'transmit.sftp.hostkey', /did you mean "hostKey"/],
  ])('refuses %s, naming the key and the fix', (_what, change, at, message) => {
    // Keys changed to undefined are left out, as if never written.
    const entry: Record<string, unknown> = Object.fromEntries(Object.entries({ ...good, ...change }).filter(([, v]) => v !== undefined));
    const found = problems(entry);
    const here = found.filter((p) => p.path === at);
    expect(here, JSON.stringify(found)).toHaveLength(1);
    expect(here[0]?.message).toMatch(message);
  });

  it('never quotes a secret in a message: an inline key that is not one, a password in the wrong place', () => {
    const notKey = 'line one\nline two of a secret-ish paste';
    const found = problems({ ...good, privateKey: '${env:K}' }, { K: notKey });
    expect(found.map((p) => p.path)).toEqual(['transmit.sftp.privateKey']);
    expect(found[0]?.message).toMatch(/not a private key/);
    expect(JSON.stringify(found)).not.toContain('secret-ish');
    const typed = problems({ ...good, privateKey: undefined, password: 123456789 });
    expect(JSON.stringify(typed)).not.toContain('123456789');
  });

  it('is a configuration error: exit code 78', () => {
    expect(ExitCode.config).toBe(78);
  });
});
