#!/usr/bin/env node
// `npm run package`: builds the packager (TypeScript in tools/packaging) and runs it, which
// writes one deterministic zip per function and a manifest into .build/package/.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import esbuildOptions from '../esbuild.options.cjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.build', 'packager.mjs');
await build({ ...esbuildOptions.programOptions(), entryPoints: [join(root, 'tools/packaging/main.ts')], outfile: out, sourcemap: false });
process.argv[2] = root;
await import(pathToFileURL(out).href);
