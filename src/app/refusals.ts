import type { Who } from './actor.js';
import type { BrokerageStore } from '../store/collections.js';
import type { Logger } from '../log.js';
import { refused } from '../metrics.js';

export interface RefusalLimits {
  /** Audit lines per person per window; beyond it their refusals are only counted. */
  perActor: number;
  /** Audit lines per window in all; beyond it every refusal is only counted. */
  total: number;
  windowMs: number;
}

/** A click every 3 seconds for a minute is still audited one by one; a script's flood is counted. */
export const DEFAULT_REFUSAL_LIMITS: RefusalLimits = { perActor: 20, total: 300, windowMs: 60_000 };

/**
 * Every refused action goes to the audit log, whoever asked: people with no role, users from
 * another tenant, the wrong owner, a provider acting on what is not its own. A flood (a script
 * clicking in a loop) could fill the disk line by line, so each window writes at most `perActor`
 * lines per person and `total` in all, and then one line saying how many more were refused.
 */
export class RefusalAudit {
  private windowStart = 0;
  private total = 0;
  private readonly counts = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: BrokerageStore,
    private readonly logger?: Logger,
    private readonly limits: RefusalLimits = DEFAULT_REFUSAL_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  async record(who: Who, what: string, reason: string, details: Record<string, unknown> = {}): Promise<void> {
    refused(reason);
    await this.roll();
    const actor = who.aadObjectId || 'unknown';
    const mine = this.counts.get(actor) ?? 0;
    if (mine >= this.limits.perActor || this.total >= this.limits.total) {
      this.suppressed.set(actor, (this.suppressed.get(actor) ?? 0) + 1);
      // A flood that stops must still be written: at the end of this window, even if nothing else comes.
      if (!this.timer) {
        this.timer = setTimeout(() => void this.roll(true).finally(() => (this.timer = undefined)), Math.max(1, this.windowStart + this.limits.windowMs - this.clock()));
        this.timer.unref?.();
      }
      return;
    }
    this.counts.set(actor, mine + 1);
    this.total++;
    await this.write(actor, 'refused', { what, reason, tenantId: who.tenantId, ...details });
  }

  /** At the end of a window, one line per person whose refusals were only counted. */
  private async roll(force = false): Promise<void> {
    const now = this.clock();
    if (!force && now - this.windowStart < this.limits.windowMs) return;
    const over = [...this.suppressed];
    const since = new Date(this.windowStart).toISOString();
    this.windowStart = now;
    this.total = 0;
    this.counts.clear();
    this.suppressed.clear();
    for (const [actor, count] of over) await this.write(actor, 'refused.flood', { count, since, until: new Date(now).toISOString() });
  }

  /** Writes any counts still held (at shutdown, or for a test). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.roll(true);
  }

  private async write(actor: string, what: string, details: Record<string, unknown>): Promise<void> {
    try {
      await this.store.transact({ actor, action: what }, async (tx) => tx.note(what, details));
    } catch (error) {
      // The refusal itself already happened; failing to log it must not turn it into a fault.
      this.logger?.error('could not audit a refusal', { error, actor, what });
    }
  }
}
