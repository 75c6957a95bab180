/**
 * Named parameters for portable SQL. Queries say `:dayStart`; the pg driver needs `$1`, SQL
 * Server `@dayStart`. This scanner finds the placeholders outside string literals, quoted
 * identifiers and comments, and leaves PostgreSQL casts (`::int`) alone.
 */
import { QueryParameterError } from './errors';
import type { SqlValue } from './types';

export interface CompiledQuery {
  /** The SQL with each placeholder replaced by the driver's own marker. */
  readonly text: string;
  /** Parameter names in order of first appearance. */
  readonly names: readonly string[];
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Rewrites `:name` placeholders with `marker(name, index)` where index is the name's 1-based
 * position among distinct names (a name used twice gets the same marker).
 */
export function compileNamedParameters(sql: string, marker: (name: string, index: number) => string): CompiledQuery {
  const names: string[] = [];
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql.charAt(i);
    const next = sql[i + 1];
    if (ch === "'" || ch === '"' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      let j = i + 1;
      // A doubled quote inside a literal is an escaped quote, not its end.
      while (j < sql.length) {
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) {
            j += 2;
            continue;
          }
          break;
        }
        j += 1;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const j = end === -1 ? sql.length : end;
      out += sql.slice(i, j);
      i = j;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const j = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, j);
      i = j;
    } else if (ch === ':' && next === ':') {
      out += '::';
      i += 2;
    } else if (ch === ':') {
      NAME.lastIndex = i + 1;
      const match = NAME.exec(sql);
      if (match === null) {
        out += ch;
        i += 1;
        continue;
      }
      const name = match[0];
      let index = names.indexOf(name);
      if (index === -1) {
        names.push(name);
        index = names.length - 1;
      }
      out += marker(name, index + 1);
      i += 1 + name.length;
    } else {
      out += ch;
      i += 1;
    }
  }
  return { text: out, names };
}

/**
 * Orders the supplied values by the query's parameter names, failing on a name the query uses
 * but the caller did not supply. Extra supplied values are allowed: a custom query may ignore
 * some of the standard parameters.
 */
export function bindValues(
  queryName: string,
  names: readonly string[],
  params: Readonly<Record<string, SqlValue>>,
): SqlValue[] {
  return names.map((name) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) {
      const known = Object.keys(params).map((k) => `:${k}`).join(', ');
      throw new QueryParameterError(
        `query ${queryName} uses the parameter :${name}, which is not supplied (available: ${known || 'none'})`,
      );
    }
    return params[name] ?? null;
  });
}
