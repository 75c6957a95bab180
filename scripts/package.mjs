#!/usr/bin/env node
// `npm run package`: builds the packager (TypeScript in lib/packaging) and runs it, which writes
// one deterministic zip per function and a manifest into .build/package/.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.build', 'packager.mjs');
await build({
  entryPoints: [join(root, 'lib/packaging/main.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
process.argv[2] = root;
await import(pathToFileURL(out).href);
