#!/usr/bin/env node
// Entry point of the `bds` command. The TypeScript sources are bundled into dist/ by
// `npm run build`, which `npm ci` runs through the `prepare` script.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('bds: the command line is not built yet; run `npm run build` in the project folder\n');
  process.exit(1);
}
await import(cli.href);
