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
