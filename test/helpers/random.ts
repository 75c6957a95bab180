/**
 * The one seeded generator of the test suites (xorshift32): the same seed gives the same
 * sequence on every machine, so a fuzz or crash case that fails can be run again as it was.
 */
export interface SeededRandom {
  // Function properties, not methods: they use no `this`, so `const { next } = ...` is safe.
  /** A number in [0, 1). */
  readonly next: () => number;
  /** One of `items`, which must not be empty. */
  readonly pick: <T>(items: readonly T[]) => T;
}

/** A generator started from `seed` (0 is taken as 1: xorshift never leaves 0). */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
  return {
    next,
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}
