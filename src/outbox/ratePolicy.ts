/**
 * How fast the bot may post to Teams, in one place. Teams throttles a bot per conversation (7
 * messages a second, 8 per 2 seconds, 60 per 30 seconds and 1,800 an hour in one conversation) and
 * per bot across the tenant (about 50 requests a second), answering 429 with Retry-After beyond
 * that. The outbox paces itself to stay
 * under those limits instead of hammering and backing off: a broadcast to 200 channels then costs
 * what the limits allow and no more, with no 429s to retry.
 *
 * A limit is a sliding window ("at most `limit` sends in any `perMs` milliseconds"), the way Teams
 * states it. The window is widened by `marginMs` so that jitter between when we send and when the
 * connector counts the request cannot push two bursts into one of its windows; bot-wide requests
 * are also spaced evenly (`botGapMs`).
 */
export interface Window {
  limit: number;
  perMs: number;
}

export interface RateLimits {
  /** Each conversation (a provider's channel, a person's 1:1 chat). */
  perConversation: Window[];
  /** Every request the bot makes, whatever the conversation. */
  perBot: Window[];
  /** Added to every window, to absorb timing jitter between us and the connector. */
  marginMs: number;
  /**
   * Least time between two requests from the bot. Spreading requests evenly (rather than spending
   * a whole window in one burst) keeps every window the connector counts under its limit despite
   * jitter, and leaves headroom for what turns send outside the outbox (replies).
   */
  botGapMs: number;
}

export const TEAMS_LIMITS: RateLimits = {
  perConversation: [
    { limit: 7, perMs: 1_000 },
    { limit: 8, perMs: 2_000 },
    { limit: 60, perMs: 30_000 },
    { limit: 1_800, perMs: 3_600_000 },
  ],
  perBot: [{ limit: 50, perMs: 1_000 }],
  marginMs: 100,
  // 21 ms ≈ 47.6 requests a second: at most 48 in any second, two below the limit.
  botGapMs: 21,
};

const BOT = '\u0000bot';

/**
 * Sliding-window limiter. `waitMs(key, now)` says how long until one more send to `key` fits every
 * window (its conversation's and the bot's); `take(key, now)` records that send. A 429's
 * Retry-After pauses the conversation (`pause`) so nothing else is sent to it before then.
 */
export class RateLimiter {
  /** Send times per key, oldest first, trimmed to the longest window. */
  private readonly sent = new Map<string, number[]>();
  private readonly pausedUntil = new Map<string, number>();
  /** How long a send still counts, per kind of key: an hour for a conversation, a second for the bot. */
  private readonly keepConversation: number;
  private readonly keepBot: number;

  constructor(private readonly limits: RateLimits = TEAMS_LIMITS) {
    const longest = (ws: Window[]) => Math.max(0, ...ws.map((w) => w.perMs + limits.marginMs));
    this.keepConversation = longest(limits.perConversation);
    this.keepBot = longest(limits.perBot);
  }

  /** Milliseconds until one more send fits: to `key`'s conversation and the bot, or (no key) the bot alone. */
  waitMs(key: string | undefined, now: number): number {
    const last = this.sent.get(BOT)?.at(-1);
    const gap = last === undefined ? 0 : last + this.limits.botGapMs - now;
    const bot = Math.max((this.pausedUntil.get(BOT) ?? 0) - now, gap, this.windowWait(BOT, this.limits.perBot, now));
    if (key === undefined) return Math.max(0, bot);
    return Math.max(0, bot, (this.pausedUntil.get(key) ?? 0) - now, this.windowWait(key, this.limits.perConversation, now));
  }

  take(key: string, now: number): void {
    for (const k of [key, BOT]) {
      let times = this.sent.get(k);
      if (!times) this.sent.set(k, (times = []));
      times.push(now);
      const cutoff = now - (k === BOT ? this.keepBot : this.keepConversation);
      let drop = 0;
      while (drop < times.length && times[drop] <= cutoff) drop++;
      if (drop) times.splice(0, drop);
    }
  }

  /** Gives back a send `take` recorded at `at` that did not happen (the post was claimed elsewhere). */
  untake(key: string, at: number): void {
    for (const k of [key, BOT]) {
      const times = this.sent.get(k);
      const i = times?.lastIndexOf(at) ?? -1;
      if (i >= 0) times!.splice(i, 1);
    }
  }

  /** Nothing more to `key` (or, with no key, to anyone) before `untilMs`. */
  pause(key: string | undefined, untilMs: number): void {
    const k = key ?? BOT;
    this.pausedUntil.set(k, Math.max(this.pausedUntil.get(k) ?? 0, untilMs));
  }

  private windowWait(key: string, windows: Window[], now: number): number {
    const times = this.sent.get(key);
    if (!times?.length) return 0;
    let wait = 0;
    for (const w of windows) {
      const span = w.perMs + this.limits.marginMs;
      // Sends still inside the window ending now; the one `limit` back from the newest must leave it.
      // Only the newest `limit` matter, so an hour's 1,800 sends are not all counted on every check.
      if (times.length < w.limit) continue;
      const oldest = times[times.length - w.limit];
      if (oldest > now - span) wait = Math.max(wait, oldest + span - now);
    }
    return wait;
  }
}
