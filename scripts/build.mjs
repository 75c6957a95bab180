#!/usr/bin/env node
// Builds the `bds` command line into dist/cli.mjs. Dependencies stay external: the CLI runs
// inside the installed project, next to node_modules. (Lambda bundles are built separately and
// are self-contained.) Code splitting puts what `import()` loads (the SQL Server driver, S3 and
// Lambda clients, the other commands) into dist/chunks/, so a command only pays for the modules
// it uses: loading every driver cost about 0.5 s before the first row of every run.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import esbuildOptions from '../esbuild.options.cjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const result = await build({
  ...esbuildOptions.programOptions(),
  entryPoints: { cli: join(root, 'app/cli/bin.ts') },
  outdir: join(root, 'dist'),
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
});

// Chunk names carry a content hash, so every build adds new ones; drop those this build did not write.
const chunks = join(root, 'dist', 'chunks');
const written = new Set(Object.keys(result.metafile.outputs).map((path) => resolve(path)));
for (const name of existsSync(chunks) ? readdirSync(chunks) : []) {
  if (!written.has(join(chunks, name))) rmSync(join(chunks, name), { force: true });
}
