/**
 * When to try a failed Teams post again, and when to stop. Teams answers 429 when a bot posts
 * faster than its limits, and 412/502/503/504 (or nothing at all, a timeout) on passing faults;
 * those are retried, honouring Retry-After, with jittered exponential backoff. 403 (the bot was
 * removed), 404 (the conversation is gone) and "bot not in conversation" will not get better: the
 * outbox marks the channel unreachable instead (see `isUnreachable`). Anything else (400, a bad
 * card) fails at once.
 */
export const RETRYABLE = new Set([412, 429, 500, 502, 503, 504]);

/** A send that got no answer in time: retried like a gateway fault. */
export const TIMEOUT = 'timeout';

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  /**
   * How long an item keeps trying after it was queued, by message kind (`default` for the rest).
   * An item's own `giveUpAt` (a call-off card's deadline) wins over this.
   */
  keepTryingMs: Record<string, number> & { default: number };
}

const HOUR = 3_600_000;

/**
 * The give-up rule per kind (the README lists them). A call-off card carries its deadline as
 * `giveUpAt`: a provider can bid until then, so it keeps trying until then. Card updates keep
 * trying for a day, since a stale card tells a provider something untrue (e.g. open when
 * closed). People's notices (award offers, referrals, outcomes, admission decisions) also keep
 * trying for a day; after that a person should hear it from the Brokerage Team instead, and the
 * post is `failed` with its last error. Reminders are only worth sending before the deadline they
 * remind of, so they carry it as `giveUpAt` too.
 */
export const DEFAULT_POLICY: RetryPolicy = {
  baseMs: 250,
  maxMs: 60_000,
  keepTryingMs: { default: 24 * HOUR },
};

export interface SendFailure {
  status?: number | typeof TIMEOUT;
  retryAfterMs?: number;
  /** Teams' error code, when it sent one (e.g. BotNotInConversationRoster). */
  code?: string;
  message: string;
}

/** Reads the status, Teams' error code and Retry-After from whatever the connector threw. */
export function describeFailure(error: unknown): SendFailure {
  const e = error as { statusCode?: number; status?: number; code?: string; message?: string; response?: { status?: number; headers?: unknown; parsedBody?: { error?: { code?: string } } }; retryAfterMs?: number; body?: { error?: { code?: string } } };
  if (e?.code === TIMEOUT) return { status: TIMEOUT, message: e.message ?? 'no answer in time' };
  const status = e?.statusCode ?? e?.status ?? e?.response?.status;
  let retryAfterMs = e?.retryAfterMs;
  const headers = e?.response?.headers as { get?: (k: string) => string | undefined } | Record<string, string> | undefined;
  const raw = typeof (headers as { get?: unknown })?.get === 'function' ? (headers as { get: (k: string) => string | undefined }).get('retry-after') : (headers as Record<string, string> | undefined)?.['retry-after'];
  if (retryAfterMs === undefined && raw) retryAfterMs = parseRetryAfter(String(raw));
  const code = e?.response?.parsedBody?.error?.code ?? e?.body?.error?.code ?? (typeof e?.code === 'string' && !/^E[A-Z]+$/.test(e.code) ? e.code : undefined);
  const networkError = !status && ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET'].includes(String(e?.code));
  return { status: status ?? (networkError ? 503 : undefined), retryAfterMs, code, message: e?.message ?? String(error) };
}

/**
 * Retry-After in milliseconds, from either form HTTP allows (delay-seconds or an HTTP date), or
 * undefined when it says nothing usable ("soon", "Infinity", empty): then backoff alone decides.
 * A negative delay or a date in the past means "now" (0). Without this an unreadable header made
 * NaN, and the retry's due time an Invalid Date that threw out of the outbox.
 */
export function parseRetryAfter(raw: string): number | undefined {
  const text = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Math.max(0, Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** The conversation is gone for the bot: retrying cannot help, the channel needs registering again. */
export function isUnreachable(f: SendFailure): boolean {
  return f.status === 403 || f.status === 404 || /BotNotInConversationRoster|ConversationNotFound|ConversationBlockedByUser/i.test(`${f.code ?? ''} ${f.message}`);
}

export function isRetryable(f: SendFailure): boolean {
  return f.status === TIMEOUT || (typeof f.status === 'number' && RETRYABLE.has(f.status));
}

/** When an item stops trying: its own `giveUpAt`, else its kind's time budget from when it was queued. */
export function giveUpAt(item: { giveUpAt?: string; createdAt: string; message: { kind: string } }, policy: RetryPolicy = DEFAULT_POLICY): number {
  if (item.giveUpAt) return Date.parse(item.giveUpAt);
  return Date.parse(item.createdAt) + (policy.keepTryingMs[item.message.kind] ?? policy.keepTryingMs.default);
}

/**
 * Milliseconds to wait before the next attempt, or undefined to give up: the failure will not get
 * better, or the next attempt would fall after the item's give-up time. Backoff doubles from
 * `baseMs` to `maxMs`, jittered to half–full so that many posts throttled together do not return
 * together; a Retry-After is a floor.
 */
export function nextDelay(failure: SendFailure, attempt: number, now: number, until: number, policy: RetryPolicy = DEFAULT_POLICY, random = Math.random): number | undefined {
  if (!isRetryable(failure)) return undefined;
  const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, attempt - 1));
  const jittered = backoff / 2 + random() * (backoff / 2);
  const delay = Math.max(Number.isFinite(failure.retryAfterMs) ? failure.retryAfterMs! : 0, jittered);
  return now + delay > until ? undefined : delay;
}

/** The reason a person reads: "429 Too Many Requests", "timeout: no answer in 15 s". */
export function reasonOf(f: SendFailure): string {
  const head = f.status === undefined ? '' : `${f.status}${f.code ? ` ${f.code}` : ''}: `;
  return `${head}${f.message}`.slice(0, 300);
}
