/**
 * The rooms of the tree and what each may import (docs/architecture.md, "The rooms"), read from
 * the source text: the library never reaches into the programs or the handlers, the programs are
 * given the handlers instead of importing them, and the staged-data store sits between extraction
 * and aggregation so that neither imports the other.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { specifiers } from '../helpers/imports';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourcesUnder(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** A file's room: its top folder, and for lib/ the folder below it (`lib/extract`, `lib/errors.ts` → `lib`). */
function roomOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'lib' && parts.length > 2) return `lib/${parts[1]}`;
  return parts[0] ?? path;
}

interface Edge {
  readonly from: string;
  readonly to: string;
}

/** Every import between project files, as (importing file, imported file), paths from the root. */
function edges(): Edge[] {
  const found: Edge[] = [];
  for (const file of ['app', 'handlers', 'lib', 'tools'].flatMap(sourcesUnder)) {
    for (const spec of specifiers(readFileSync(join(ROOT, file), 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      found.push({ from: file, to: relative(ROOT, resolve(ROOT, dirname(file), spec)) });
    }
  }
  return found;
}

const EDGES = edges();

/** The imports from files of room `from` into files under any of `forbidden`, as readable lines. */
function crossings(from: (room: string) => boolean, forbidden: readonly string[]): string[] {
  return EDGES.filter((e) => from(roomOf(e.from)) && forbidden.some((f) => e.to === f || e.to.startsWith(`${f}/`))).map(
    (e) => `${e.from} → ${e.to}`,
  );
}

describe('the rooms of the tree', () => {
  it('finds the imports it checks (the reader is not blind)', () => {
    expect(EDGES.length).toBeGreaterThan(200);
    expect(EDGES).toContainEqual({ from: 'app/cli/bin.ts', to: 'handlers/load' });
  });

  it('lib imports no program, no handler, no tool', () => {
    expect(crossings((room) => room === 'lib' || room.startsWith('lib/'), ['app', 'tools', 'handlers', 'bench', 'test'])).toEqual([]);
  });

  it('handlers import only lib', () => {
    expect(crossings((room) => room === 'handlers', ['app', 'tools', 'bench', 'test'])).toEqual([]);
  });

  it('tools import neither the command line nor the handlers', () => {
    expect(crossings((room) => room === 'tools', ['app', 'handlers', 'bench', 'test'])).toEqual([]);
  });

  it('only the entry point of the command line imports the handlers', () => {
    expect(EDGES.filter((e) => roomOf(e.from) === 'app' && e.to.startsWith('handlers/')).map((e) => e.from)).toEqual(['app/cli/bin.ts']);
  });

  it('extraction and aggregation do not import each other, and staging imports neither', () => {
    expect(crossings((room) => room === 'lib/extract', ['lib/aggregate'])).toEqual([]);
    expect(crossings((room) => room === 'lib/aggregate', ['lib/extract'])).toEqual([]);
    expect(crossings((room) => room === 'lib/staging', ['lib/extract', 'lib/aggregate', 'lib/pipeline'])).toEqual([]);
  });

  it('explanation is built on aggregation, never the other way round', () => {
    expect(crossings((room) => room === 'lib/aggregate', ['lib/explain'])).toEqual([]);
    expect(crossings((room) => room === 'lib/explain', ['lib/extract', 'lib/pipeline', 'lib/transmit', 'lib/sources'])).toEqual([]);
  });
});
