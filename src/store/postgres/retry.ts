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

export const MAX_ATTEMPTS = 12;

/** From this try on, a transaction runs alone (the turn lock held exclusively): it cannot lose again. */
export const ALONE_FROM_ATTEMPT = 3;

/** The advisory lock key of the turn lock (any constant the brokerage uses for nothing else). */
export const TURN_LOCK = 0x6b726f62; // "brok"

/**
 * Full-jitter exponential backoff: losers of one conflict spread out instead of colliding again
 * in step: a random wait up to 20 ms, 40 ms, … capped at 1 s. The cap is wide because new
 * transactions keep arriving while the losers wait: a narrow one lets them starve a loser.
 */
export function backoffMs(attempt: number, random = Math.random): number {
  return Math.round(random() * Math.min(1000, 10 * 2 ** attempt));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
