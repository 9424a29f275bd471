/**
 * When a transaction may simply be run again: PostgreSQL chose it as the loser of a conflict
 * (serialization failure, deadlock), or another instance committed the same idempotency key
 * first (a unique violation on receipts; the re-run then finds the receipt and returns its result).
 */
export function isRetryable(error: unknown): boolean {
  const e = error as { code?: string; table?: string } | undefined;
  if (!e || typeof e.code !== 'string') return false;
  if (e.code === '40001' || e.code === '40P01') return true;
  return e.code === '23505' && e.table === 'receipts';
}

export const MAX_ATTEMPTS = 10;

/**
 * Full-jitter exponential backoff: losers of one conflict spread out instead of colliding again
 * in step. 5 ms, 10 ms, … capped at 250 ms, times a random factor.
 */
export function backoffMs(attempt: number, random = Math.random): number {
  return Math.round(random() * Math.min(250, 5 * 2 ** attempt));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
