/**
 * Retry with back-off inside one run, and the small pool that bounds how many files are in flight.
 * This is the one retry policy of transmission: the adapters do not retry themselves (the S3
 * client is built with a single attempt, the SFTP adapter never retries), so attempts never multiply.
 */
import { LedgerError, S3RequestError, SftpError, SourceFileError } from './errors';

/** Bounded retries with exponential back-off and jitter, inside one run. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** [0, 1): the jitter's source. */
  readonly random: () => number;
}

/** Five attempts, at most three seconds of back-off between them in all (200 ms doubling, jittered). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** The delay before retry number `attempt` (1 = after the first failure): exponential, capped, half of it jittered. */
export function retryDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
}

/** Can another attempt help? Not when the local file is the problem, nor when the store refused for good. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof SourceFileError || error instanceof LedgerError) return false;
  if (error instanceof S3RequestError || error instanceof SftpError) return error.retryable;
  return true;
}

/** Runs `work` until it succeeds, fails for good, or runs out of attempts. */
export async function withRetry<T>(
  work: () => Promise<T>,
  policy: RetryPolicy,
  onRetry: (error: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= policy.attempts || !isRetryable(error)) throw error;
      const delayMs = retryDelay(attempt, policy);
      onRetry(error, attempt, delayMs);
      await policy.sleep(delayMs);
    }
  }
}

/**
 * Runs `work` for every item, at most `limit` at a time (at least one), in the items' order of
 * starting. `work` is expected to report its own failures: a rejection rejects the pool's promise
 * at once, while the other workers go on through the remaining items unobserved.
 */
export async function runPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
