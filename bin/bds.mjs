#!/usr/bin/env -S node --max-old-space-size=256 --max-semi-space-size=8
// Entry point of the `bds` command. The TypeScript sources are bundled into dist/ by
// `npm run build`, which `npm ci` runs through the `prepare` script.
//
// The heap settings of the first line keep memory flat however big the day: BDS streams, so what
// it holds at once is small (a few tens of MB), but with Node's defaults V8 lets garbage pile up
// in proportion to how fast it is made, and a big site's day then peaked at 1.6 times the memory
// of a small one's. With an old space capped at 256 MB V8 collects in its low-memory mode
// (docs/benchmark.md). `npm start` and the systemd unit of docs/operation.md pass the same flags.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('bds: the command line is not built yet; run `npm run build` in the project folder\n');
  process.exit(1);
}
await import(cli.href);
