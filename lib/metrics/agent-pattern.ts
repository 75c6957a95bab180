/**
 * `excludeAgents` patterns, matched in linear time. JavaScript's backtracking engine takes
 * exponential time on patterns such as `(a+)+$` (a 35-character name hung aggregation for
 * minutes, holding the lock); RE2's automaton never does, whatever the pattern and the name. The
 * price is RE2's syntax: no look-around and no back-references, refused when the configuration
 * is loaded.
 */
import { RE2JS } from 're2js';

/** A compiled pattern: `test` is true when the pattern matches anywhere in the name. */
export interface AgentPattern {
  readonly source: string;
  test(name: string): boolean;
}

/**
 * Compiles one pattern (unanchored unless it anchors itself, as with `RegExp.test`).
 *
 * @throws Error naming what RE2 cannot parse (e.g. a look-ahead).
 */
export function compileAgentPattern(source: string): AgentPattern {
  const compiled = RE2JS.compile(source);
  return { source, test: (name) => compiled.matcher(name).find() };
}
