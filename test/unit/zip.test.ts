import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildZip } from '../../tools/packaging/zip';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('buildZip', () => {
  const entries = [
    { name: 'index.mjs.map', data: Buffer.from('{"version":3}') },
    { name: 'index.mjs', data: Buffer.from('export const handler = async () => 1;\n'.repeat(100)) },
    { name: 'empty.txt', data: Buffer.alloc(0) },
  ];

  it('writes an archive that unzip verifies and extracts to the same bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bds-zip-'));
    dirs.push(dir);
    await writeFile(join(dir, 'a.zip'), buildZip(entries));
    expect(execFileSync('unzip', ['-t', join(dir, 'a.zip')], { encoding: 'utf8' })).toContain('No errors detected');
    execFileSync('unzip', ['-q', join(dir, 'a.zip'), '-d', join(dir, 'out')]);
    for (const e of entries) expect(await readFile(join(dir, 'out', e.name))).toEqual(e.data);
    // Entries are listed sorted by name, with the fixed 1980-01-01 timestamp.
    const listing = execFileSync('unzip', ['-Z', '-T', join(dir, 'a.zip')], { encoding: 'utf8' });
    const names = listing.split('\n').filter((l) => /^-/.test(l)).map((l) => l.trim().split(/\s+/).pop());
    expect(names).toEqual(['empty.txt', 'index.mjs', 'index.mjs.map']);
    expect(listing).toContain('19800101.000000');
  });

  it('is byte-identical for the same entries in any order', () => {
    expect(buildZip(entries).equals(buildZip([...entries].reverse()))).toBe(true);
  });

  it('refuses duplicate names', () => {
    expect(() => buildZip([entries[0] as (typeof entries)[number], entries[0] as (typeof entries)[number]])).toThrow(/duplicate/);
  });
});
