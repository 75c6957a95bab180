/**
 * The generator's randomness: mulberry32 streams whose seeds are derived from (seed, purpose,
 * tenant, date, agent), and a checked array index.
 */

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Derives a 32-bit stream seed from integers (both halves of each, so big seeds stay apart). */
export function streamSeed(...values: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    h = fmix32(h ^ (value >>> 0));
    h = fmix32(h + 0x7f4a7c15 + (Math.floor(value / 4_294_967_296) >>> 0));
  }
  return h;
}

/** mulberry32: tiny, fast and good enough for synthetic data. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return at(items, Math.floor(this.next() * items.length));
  }

  /** An index drawn with the given relative weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i += 1) {
      r -= at(weights, i);
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

/** Purposes of random streams, so two uses of the same (tenant, day, agent) never correlate. */
export const STREAM = { profile: 1, agentDay: 2, gvp: 3, config: 4, tenant: 5 } as const;

/** Indexing that fails loudly instead of yielding undefined (an internal bug, not bad input). */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`internal: index ${index} outside 0..${items.length - 1}`);
  return item;
}

