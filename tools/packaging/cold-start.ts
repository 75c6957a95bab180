/**
 * Cold start of a bundle: a fresh Node process, in a folder with only the unzipped bundle (no
 * node_modules), imports `index.mjs` and invokes the handler once. The event is deliberately
 * rejected by validation, so the figure is load + first call, without any database.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ColdStart {
  /** Spawn to exit of the process, milliseconds. */
  readonly processMs: number;
  /** Import of index.mjs inside the process. */
  readonly importMs: number;
  /** Import plus the first invocation. */
  readonly firstInvocationMs: number;
}

const PROBE = `
const t0 = performance.now();
const m = await import(new URL('./index.mjs', 'file://' + process.cwd() + '/').href);
const t1 = performance.now();
try { await m.handler({ bdsColdStartProbe: true }, {}); } catch {}
const t2 = performance.now();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstInvocationMs: t2 - t0 }));
`;

/** Unzips `zipPath` into an empty folder and measures one cold start there. */
export async function measureColdStart(zipPath: string): Promise<ColdStart> {
  const dir = await mkdtemp(join(tmpdir(), 'bds-cold-'));
  try {
    execFileSync('unzip', ['-q', zipPath, '-d', dir]);
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], {
      cwd: dir,
      // No configuration: the handler fails fast once loaded, which is what is measured.
      env: { PATH: process.env.PATH ?? '', BDS_CONFIG: join(dir, 'absent.yaml'), BDS_LOG_LEVEL: 'error' },
      encoding: 'utf8',
    });
    const processMs = performance.now() - started;
    const parsed = JSON.parse(result.stdout) as { importMs: number; firstInvocationMs: number };
    return { processMs, ...parsed };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
