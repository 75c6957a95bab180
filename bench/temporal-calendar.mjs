#!/usr/bin/env node
// Would temporal-polyfill make lib/time simpler or faster? (docs/architecture.md, "Time".)
// temporal-polyfill is NOT a dependency of BDS; install it anywhere outside the project and
// point this script at that node_modules:
//
//   mkdir /tmp/temporal-eval && (cd /tmp/temporal-eval && npm install temporal-polyfill)
//   TEMPORAL_NODE_MODULES=/tmp/temporal-eval/node_modules node bench/temporal-calendar.mjs
//
// It bundles lib/time/calendar.ts and an equivalent day-bounds core on Temporal with esbuild,
// checks that both give the same day bounds (DST days, skipped days, year 0050, leap days),
// then reports the minified bundle sizes and the speed of dayBounds.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bench = dirname(fileURLToPath(import.meta.url));
const out = join(bench, '.build', 'temporal');
const temporalModules = process.env.TEMPORAL_NODE_MODULES;
if (temporalModules === undefined || temporalModules === '') {
  console.error('set TEMPORAL_NODE_MODULES to a node_modules folder holding temporal-polyfill (see the header)');
  process.exit(64);
}
mkdirSync(out, { recursive: true });

// The Temporal version of calendar.ts's zone core: what would replace lib/time/civil.ts and
// lib/time/zone.ts. `toZonedDateTime` of a PlainDate is the start of that day, which already
// answers "first instant of the local date" for skipped midnights.
const temporalCore = `
import { Temporal } from 'temporal-polyfill';
export function dayBounds(date, zone) {
  const day = Temporal.PlainDate.from(date);
  const start = day.toZonedDateTime({ timeZone: zone }).epochMilliseconds / 1000;
  const end = day.add({ days: 1 }).toZonedDateTime({ timeZone: zone }).epochMilliseconds / 1000;
  return { start, end };
}
`;
writeFileSync(join(out, 'temporal-core.mjs'), temporalCore);
writeFileSync(join(out, 'bds-core.mjs'), `export { dayBounds } from '${join(bench, '..', 'lib', 'time', 'calendar.ts')}';\n`);

/** @param {string} name */
async function bundle(name) {
  const result = await build({
    entryPoints: [join(out, `${name}.mjs`)],
    outfile: join(out, `${name}.bundle.mjs`),
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    nodePaths: [String(temporalModules)],
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0]?.contents;
  if (code === undefined) throw new Error(`esbuild produced no bundle for ${name}`);
  writeFileSync(join(out, `${name}.bundle.mjs`), code);
  return { bytes: code.length, gzip: gzipSync(code).length, file: join(out, `${name}.bundle.mjs`) };
}

const bds = await bundle('bds-core');
const temporal = await bundle('temporal-core');
/**
 * The bundle's dayBounds, checked: what a dynamic import gives is untyped.
 * @param {unknown} module
 * @returns {(date: string, zone: string) => { start: number; end: number }}
 */
function boundsOf(module) {
  if (typeof module !== 'object' || module === null || !('dayBounds' in module) || typeof module.dayBounds !== 'function') {
    throw new Error('the bundle exports no dayBounds function');
  }
  return /** @type {(date: string, zone: string) => { start: number; end: number }} */ (module.dayBounds);
}
const bdsBounds = boundsOf(await import(pathToFileURL(bds.file).href));
const temporalBounds = boundsOf(await import(pathToFileURL(temporal.file).href));

// Same answers on the days that matter.
/** @type {[string, string][]} */
const cases = [
  ['2026-03-29', 'Europe/Berlin'],
  ['2026-10-25', 'Europe/Berlin'],
  ['2026-03-08', 'America/New_York'],
  ['2026-11-01', 'America/New_York'],
  ['2026-09-06', 'America/Santiago'],
  ['2011-12-30', 'Pacific/Apia'],
  ['2026-10-04', 'Australia/Lord_Howe'],
  ['0050-01-01', 'UTC'],
  ['0048-02-29', 'UTC'],
  ['2024-02-29', 'Asia/Kolkata'],
];
const mismatches = [];
for (const [date, zone] of cases) {
  const a = bdsBounds(date, zone);
  const b = temporalBounds(date, zone);
  if (a.start !== b.start || a.end !== b.end) mismatches.push({ date, zone, bds: a, temporal: b });
}

// Speed: every day of 2026 in four zones, repeated.
const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];
/** @type {string[]} */
const days = [];
for (let d = new Date(Date.UTC(2026, 0, 1)); d.getUTCFullYear() === 2026; d.setUTCDate(d.getUTCDate() + 1)) {
  days.push(d.toISOString().slice(0, 10));
}
/** @param {(date: string, zone: string) => unknown} fn */
function time(fn) {
  for (const zone of zones) for (const day of days) fn(day, zone); // warm-up (formatter caches)
  const rounds = 5;
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r += 1) for (const zone of zones) for (const day of days) fn(day, zone);
  const ns = Number(process.hrtime.bigint() - started);
  return ns / (rounds * zones.length * days.length) / 1000;
}
const bdsMicros = time(bdsBounds);
const temporalMicros = time(temporalBounds);

console.log(
  JSON.stringify(
    {
      node: process.version,
      bundleMinified: { bds: bds.bytes, temporal: temporal.bytes, added: temporal.bytes - bds.bytes },
      bundleGzip: { bds: bds.gzip, temporal: temporal.gzip, added: temporal.gzip - bds.gzip },
      dayBoundsMicroseconds: { bds: Number(bdsMicros.toFixed(2)), temporal: Number(temporalMicros.toFixed(2)) },
      mismatches,
    },
    null,
    2,
  ),
);
