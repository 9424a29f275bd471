import { RateLimiter, TEAMS_LIMITS, type RateLimits } from './ratePolicy.js';

/**
 * Where every instance of the bot records its sends, so that Teams' rate limits hold for all of
 * them together. The outbox plans with its own RateLimiter (what this instance sent) and then asks
 * the ledger before each send: `take` records the send and resolves 0 when every window (the
 * conversation's and the bot's) allows it, or resolves how many ms to wait, recording nothing.
 */
export interface RateLedger {
  take(key: string): Promise<number>;
  /** Teams answered a send to `key` with a Retry-After: no instance sends to it for `ms`. */
  pause(key: string, ms: number): Promise<void>;
}

/**
 * A ledger in memory: for instances that share one process (one bot on the lowdb store, where the
 * outbox's own limiter already is the ledger; or tests running two outboxes side by side).
 */
export class LimiterLedger implements RateLedger {
  private readonly limiter: RateLimiter;

  constructor(limits: RateLimits = TEAMS_LIMITS, private readonly clock: () => number = Date.now) {
    this.limiter = new RateLimiter(limits);
  }

  async take(key: string): Promise<number> {
    const now = this.clock();
    const wait = this.limiter.waitMs(key, now);
    if (wait > 0) return wait;
    this.limiter.take(key, now);
    return 0;
  }

  async pause(key: string, ms: number): Promise<void> {
    this.limiter.pause(key, this.clock() + ms);
  }
}
