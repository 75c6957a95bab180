/**
 * The import graph of lib/transmit, read from the source text: it has no cycle, and the adapters
 * depend on the destination port (destination.ts), never on the orchestrator (transmit.ts) or the
 * registry that makes them. Type-only imports count too: a cycle of types is still a tangle, and
 * it is how the adapters used to import their port from transmit.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { specifiers } from '../helpers/imports';

const DIR = fileURLToPath(new URL('../../lib/transmit/', import.meta.url));
const ADAPTERS = ['s3.ts', 'sftp.ts', 'copy-to.ts'];

/** lib/transmit file name → the lib/transmit files it imports (imports from elsewhere are left out). */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(DIR).filter((name) => name.endsWith('.ts'));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const local = specifiers(readFileSync(join(DIR, file), 'utf8'))
      .filter((spec) => spec.startsWith('./') && !spec.slice(2).includes('/'))
      .map((spec) => `${spec.slice(2).replace(/\.(js|ts)$/, '')}.ts`);
    graph.set(file, [...new Set(local)].sort());
  }
  return graph;
}

/** A cycle of the graph as a path (first node repeated at the end), or undefined when there is none. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'visiting');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

/** Every file reachable from `start` by imports, `start` excluded. */
function reachable(graph: ReadonlyMap<string, readonly string[]>, start: string): Set<string> {
  const seen = new Set<string>();
  const queue = [...(graph.get(start) ?? [])];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(graph.get(next) ?? []));
  }
  return seen;
}

describe('the lib/transmit import graph', () => {
  const graph = importGraph();

  it('is read from the files (the parser sees multi-line, type-only and re-exported imports)', () => {
    expect(specifiers("import {\n  a,\n  type B,\n} from './x';\nimport type { C } from \"./y\";\nexport { d } from './z';")).toEqual([
      './x',
      './y',
      './z',
    ]);
    expect(specifiers("const m = await import('./lazy');\nimport './side-effect';")).toEqual(['./side-effect', './lazy']);
    expect(specifiers("/* import { x } from './not-real'; */\n// import { y } from './nor-this';\nconst url = 's3://bucket';")).toEqual([]);
    // Every file named is a real one, and the orchestrator's imports are found.
    for (const [file, imports] of graph) for (const target of imports) expect(graph.has(target), `${file} → ${target}`).toBe(true);
    expect(graph.get('transmit.ts')).toEqual(expect.arrayContaining(['registry.ts', 'deliver.ts', 'listing.ts']));
  });

  it('has no cycle', () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const cyclic = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(findCycle(cyclic)).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
  });

  it.each(ADAPTERS)('%s takes its types from the port, and reaches neither transmit.ts nor registry.ts', (adapter) => {
    expect(graph.has(adapter)).toBe(true);
    expect(graph.get(adapter)).toContain('destination.ts');
    const reached = reachable(graph, adapter);
    expect(reached.has('transmit.ts')).toBe(false);
    expect(reached.has('registry.ts')).toBe(false);
  });

  it('the port depends on no adapter, so an adapter never drags in another', () => {
    const reached = reachable(graph, 'destination.ts');
    for (const adapter of ADAPTERS) expect(reached.has(adapter), adapter).toBe(false);
  });
});
