/**
 * bin/bds.mjs run as users run it (`npx bds`, `./bin/bds.mjs`): executed through its first line,
 * which must start Node with the heap settings that keep a big day's memory flat
 * (docs/benchmark.md), and the same settings in `npm start`.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { BDS_BIN } from '../helpers/cli';

const run = promisify(execFile);
const HEAP_FLAGS = '--max-old-space-size=256 --max-semi-space-size=8';

describe('the bds executable', () => {
  it('starts Node with the old space capped at 256 MB when executed directly', async () => {
    // Prepare: a module preloaded into the same process reports the heap limit it runs under.
    // (Encoded: NODE_OPTIONS splits at spaces.)
    const code = `import v8 from 'node:v8'; process.stderr.write('heap_size_limit=' + v8.getHeapStatistics().heap_size_limit + '\\n');`;
    const probe = `data:text/javascript,${encodeURIComponent(code)}`;

    // Act
    const { stdout, stderr } = await run(BDS_BIN, ['version'], { env: { ...process.env, NODE_OPTIONS: `--import=${probe}` } });

    // Assess: the command works, and the limit is 256 MB of old space plus the small young generation.
    expect(stdout).toMatch(/^bds \d+\.\d+\.\d+/);
    const limit = Number(/heap_size_limit=(\d+)/.exec(stderr)?.[1]);
    expect(limit).toBeGreaterThanOrEqual(256 * 1024 * 1024);
    expect(limit).toBeLessThan(320 * 1024 * 1024);
  });

  it('ends quietly with its exit code when the reader of its output goes away (`bds help | true`)', async () => {
    // Act: `true` exits at once, so every write of bds meets a closed pipe (EPIPE).
    const { stdout } = await run('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BDS_BIN}" help 2>"$1" | true; echo "exit=$?"; cat "$1"`, 'sh', `${process.env.TMPDIR ?? '/tmp'}/bds-epipe-${process.pid}.err`]);

    // Assess
    expect(stdout).toMatch(/^exit=0\n$/);
  });

  it('passes the same heap settings in npm start', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    // `exec`: the shell npm runs the script in is replaced by node, so npm's SIGTERM reaches it.
    expect(pkg.scripts.start).toBe(`exec node ${HEAP_FLAGS} bin/bds.mjs scheduler`);
    expect((await readFile(BDS_BIN, 'utf8')).split('\n')[0]).toBe(`#!/usr/bin/env -S node ${HEAP_FLAGS}`);
  });
});
