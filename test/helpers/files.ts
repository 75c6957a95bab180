/** Reading back what a run left in a folder, for byte-for-byte comparisons. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file under a folder: relative path → content; a missing folder has none. */
export async function contents(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (sub: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(root, sub), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) await walk(rel);
      else out.set(rel, await readFile(join(root, rel)));
    }
  };
  await walk('');
  return out;
}

/** True for a temporary file of the product's atomic writes (`.tmp-…`), by a relative path. */
export const isTemporary = (path: string): boolean => (path.split('/').pop() ?? '').startsWith('.tmp-');

/** Billing files of a data folder, comparable across runs: manifests lose the times of their run. */
export async function billingWithoutTimes(dataDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [path, bytes] of await contents(join(dataDir, 'billing'))) {
    if (!path.endsWith('.json')) {
      out[path] = bytes.toString('utf8');
      continue;
    }
    const manifest = JSON.parse(bytes.toString('utf8')) as { generatedAt?: string; inputs?: Record<string, unknown>[] };
    delete manifest.generatedAt;
    manifest.inputs = manifest.inputs?.map(({ extractedAt: _e, snapshotAt: _s, ...rest }) => rest);
    out[path] = JSON.stringify(manifest);
  }
  return out;
}
