import { describe, expect, it } from 'vitest';
import { bindValues, compileNamedParameters } from '../../lib/sources/named-params';
import { QueryParameterError } from '../../lib/sources/errors';

describe('compileNamedParameters', () => {
  it('numbers distinct names in order of first use and reuses markers', () => {
    const c = compileNamedParameters('a < :dayEnd AND b > :dayStart OR c < :dayEnd', (_n, i) => `$${i}`);
    expect(c.text).toBe('a < $1 AND b > $2 OR c < $1');
    expect(c.names).toEqual(['dayEnd', 'dayStart']);
  });
  it('leaves literals, quoted identifiers, comments and casts alone', () => {
    const sql = `SELECT ':no', "x:y", [z:w], x::int -- :nope\n/* :nope */ FROM t WHERE a = :yes AND b = 'it''s :no'`;
    const c = compileNamedParameters(sql, (n) => `@${n}`);
    expect(c.names).toEqual(['yes']);
    expect(c.text).toContain("x::int");
    expect(c.text).toContain('a = @yes');
    expect(c.text).toContain("'it''s :no'");
  });
  it('binds by name and names a missing parameter', () => {
    expect(bindValues('q', ['a', 'b'], { b: 2, a: 1, extra: 3 })).toEqual([1, 2]);
    expect(() => bindValues('q', ['a', 'missing'], { a: 1 })).toThrow(QueryParameterError);
    expect(() => bindValues('q', ['missing'], { a: 1 })).toThrow(/:missing/);
  });
});
