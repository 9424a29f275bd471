/**
 * When to try a failed Teams post again. Teams answers 429 when a bot posts more than about
 * 7 messages a second to one conversation or too many across the tenant, and 412/502/504 on
 * passing faults; those are retried, honouring Retry-After, with jittered exponential backoff.
 * Anything else (403 bot removed, 404 conversation gone, 400 bad card) will not get better.
 */
export const RETRYABLE = new Set([412, 429, 500, 502, 503, 504]);

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/** First retry after 125–250 ms (a passing gateway fault), doubling to a minute; 429s wait Retry-After instead. */
export const DEFAULT_POLICY: RetryPolicy = { maxAttempts: 8, baseMs: 250, maxMs: 60_000 };

export interface SendFailure {
  status?: number;
  retryAfterMs?: number;
  message: string;
}

/** Reads the status and Retry-After from whatever the connector threw. */
export function describeFailure(error: unknown): SendFailure {
  const e = error as { statusCode?: number; status?: number; code?: string; message?: string; response?: { status?: number; headers?: unknown }; retryAfterMs?: number };
  const status = e?.statusCode ?? e?.status ?? e?.response?.status;
  let retryAfterMs = e?.retryAfterMs;
  const headers = e?.response?.headers as { get?: (k: string) => string | undefined } | Record<string, string> | undefined;
  const raw = typeof (headers as { get?: unknown })?.get === 'function' ? (headers as { get: (k: string) => string | undefined }).get('retry-after') : (headers as Record<string, string> | undefined)?.['retry-after'];
  if (retryAfterMs === undefined && raw) {
    const seconds = Number(raw);
    retryAfterMs = Number.isFinite(seconds) ? seconds * 1000 : Math.max(0, Date.parse(raw) - Date.now());
  }
  const networkError = !status && ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN'].includes(String(e?.code));
  return { status: status ?? (networkError ? 503 : undefined), retryAfterMs, message: e?.message ?? String(error) };
}

/** Milliseconds to wait before the next attempt, or undefined to give up. */
export function nextDelay(failure: SendFailure, attempt: number, policy: RetryPolicy = DEFAULT_POLICY, random = Math.random): number | undefined {
  if (failure.status === undefined || !RETRYABLE.has(failure.status) || attempt >= policy.maxAttempts) return undefined;
  const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const jittered = backoff / 2 + random() * (backoff / 2);
  return Math.max(failure.retryAfterMs ?? 0, jittered);
}
