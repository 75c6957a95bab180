import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FILE_MODES, temporaryOwner, temporaryPathFor, writeFileAtomic } from '../../lib/files/atomic';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('atomic writes', () => {
  it('replaces a file whole and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bds-atomic-'));
    dirs.push(dir);
    await writeFileAtomic(join(dir, 'a.csv'), 'one\n', DEFAULT_FILE_MODES);
    await writeFileAtomic(join(dir, 'a.csv'), 'two\n', DEFAULT_FILE_MODES);
    expect(await readFile(join(dir, 'a.csv'), 'utf8')).toBe('two\n');
    expect(await readdir(dir)).toEqual(['a.csv']);
    // The umask as the mode of a new file shows it: process.umask() reads it only by setting it twice.
    await writeFile(join(dir, 'umask-probe'), '', { mode: 0o777 });
    const umask = 0o777 & ~(await stat(join(dir, 'umask-probe'))).mode;
    expect((await stat(join(dir, 'a.csv'))).mode & 0o777).toBe(0o640 & ~umask);
  });

  it('reads the writer of a temporary name', () => {
    expect(temporaryOwner(temporaryPathFor('/x/CNT_US.csv').split('/').pop() ?? '')).toBe(process.pid);
    expect(temporaryOwner('CNT_US.csv')).toBeUndefined();
    expect(temporaryOwner('.tmp-x.csv')).toBeUndefined();
  });

  it('removes the temporary files of dead processes from a folder it writes to, and only those', async () => {
    // Prepare: one temporary file of a dead process, one of this (living) process.
    const dir = await mkdtemp(join(tmpdir(), 'bds-atomic-'));
    dirs.push(dir);
    const dead = `.tmp-CNT_US.csv.${deadPid()}.0123abcd`;
    const living = `.tmp-CNT_EU.csv.${process.pid}.89abcdef`;
    await writeFile(join(dir, dead), 'half');
    await writeFile(join(dir, living), 'half');
    // Act
    await writeFileAtomic(join(dir, 'CNT_GLOBAL.csv'), 'x\n', DEFAULT_FILE_MODES);
    // Assess
    expect((await readdir(dir)).sort()).toEqual([living, 'CNT_GLOBAL.csv'].sort());
  });
});
