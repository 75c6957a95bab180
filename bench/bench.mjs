#!/usr/bin/env node
// `npm run bench`: builds the `bds` command line (the benchmark measures the real one as a child
// process), bundles bench/run.ts with the project's esbuild options, and runs it with this
// process's arguments (`npm run bench -- --scale 1`).
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import esbuildOptions from '../esbuild.options.cjs';

const bench = dirname(fileURLToPath(import.meta.url));
await import(pathToFileURL(join(bench, '..', 'scripts', 'build.mjs')).href);
// Next to the project so that its dependencies resolve from node_modules (they stay external).
const outfile = join(bench, '.build', 'run.mjs');
await build({ ...esbuildOptions.programOptions(), entryPoints: [join(bench, 'run.ts')], outfile });
await import(pathToFileURL(outfile).href);
