/** Small helpers for a suite's set-up and teardown. */

/**
 * A suite's `let db: TestDatabase` as `afterAll` may find it. `afterAll` runs even when
 * `beforeAll` failed before assigning it, so there its type (always assigned) is not to be
 * relied on: `await ifSetUp(db)?.close()`.
 */
export function ifSetUp<T>(value: T): T | undefined {
  return value;
}

/**
 * Unsets an environment variable. process.env cannot be a Map: deleting the property is how a
 * variable is unset (assigning `undefined` would set the text "undefined").
 */
export function unsetEnv(name: string): void {
  Reflect.deleteProperty(process.env, name);
}

/** Puts environment variables back as they were: each to its saved value, or unset when it had none. */
export function restoreEnv(saved: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) unsetEnv(name);
    else process.env[name] = value;
  }
}

/** `value`, which the test expects to be there: fails the test, naming `what`, when it is not. */
export function defined<T>(value: T | null | undefined, what = 'a value'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}, found ${String(value)}`);
  return value;
}

/**
 * `items` as an AsyncIterable, the shape of a source's rows or a staged dataset, taken lazily.
 * Not an async generator: one that never awaits is what require-await rightly reports.
 */
export function asyncOf<T>(items: Iterable<T>): AsyncIterableIterator<T> {
  const iterator = items[Symbol.iterator]();
  return {
    next: () => Promise.resolve(iterator.next()),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
