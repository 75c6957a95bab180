/** handlers/load.ts: the lazily loaded handlers are exactly the handlers serverless.yml declares. */
import { describe, expect, it } from 'vitest';
import { HANDLERS } from '../../handlers/index';
import { FUNCTION_NAMES, loadHandler } from '../../handlers/load';

describe('loadHandler', () => {
  it('knows every function of HANDLERS, in the same order, and loads the same handler for each', async () => {
    expect(FUNCTION_NAMES).toEqual(Object.keys(HANDLERS));
    for (const name of FUNCTION_NAMES) expect(await loadHandler(name), name).toBe(HANDLERS[name]);
  });

  it.each(['extract', 'toString', '__proto__', 'constructor', ''])('returns undefined for %j, which is no function', async (name) => {
    expect(await loadHandler(name)).toBeUndefined();
  });
});
