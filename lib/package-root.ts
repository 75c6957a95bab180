/**
 * Finds the installed project's root folder (where package.json and sql/ live), from wherever
 * this module ended up: lib/ when run from source, dist/ when bundled.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The absolute path of the BDS project root. */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown };
      if (pkg.name === 'bds') {
        cached = dir;
        return dir;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the bds package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** The text of one of the project's reference schema files (`gim`, `cfg`, `gvp`). */
export function referenceSchema(name: 'gim' | 'cfg' | 'gvp'): string {
  return readFileSync(join(packageRoot(), 'sql', `${name}.sql`), 'utf8');
}

/** The package version, for manifests and logs. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}
