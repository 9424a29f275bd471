import type { BrokerageStore, BrokerageTx } from '../store/collections.js';
import type { Logger } from '../log.js';
import { DEFAULT_POLICY, describeFailure, giveUpAt, isUnreachable, nextDelay, reasonOf, RetryPolicy, TIMEOUT, type SendFailure } from './retryPolicy.js';
import { RateLimiter, TEAMS_LIMITS, type RateLimits } from './ratePolicy.js';
import type { ReceiptLog } from './receiptLog.js';
import type { NewItem, OutboxItem } from './item.js';

export type { Target, OutboxItem, NewItem } from './item.js';

/**
 * Queues messages inside the transaction that caused them: both happen or neither does. The store
 * lists pending posts and batches itself (`pendingPosts`, `postsOfBatch`), so a restart finds its
 * work without reading every post ever made.
 */
export async function enqueue(tx: BrokerageTx, now: Date, ...items: NewItem[]): Promise<void> {
  for (const item of items) {
    const existing = await tx.get('outbox', item.id);
    // Same id, same message: an idempotent repeat. A pending update just gets the newer intent.
    if (existing && (existing.status !== 'sent' || !item.updates)) continue;
    tx.put('outbox', { ...item, status: 'pending', attempts: 0, dueAt: now.toISOString(), createdAt: now.toISOString() });
  }
}

export interface Delivery {
  /**
   * Posts (or, with `replaceActivityId`, edits) and resolves with the activity id Teams returned.
   * It must reject with the connector's error (status, Retry-After) when the post did not go out.
   */
  deliver(item: OutboxItem, replaceActivityId?: string): Promise<{ activityId?: string; conversationId?: string } | 'skip'>;
  /** Deletes a post (an extra copy of one); optional. */
  remove?(item: OutboxItem, activityId: string): Promise<void>;
}

/** Nowhere to post: no channel registered, or one already known to be unreachable. */
export class UnreachableError extends Error {}

export interface DrainOptions {
  concurrency?: number;
  policy?: RetryPolicy;
  /** Teams' rate limits the outbox paces itself to (default TEAMS_LIMITS). */
  limits?: RateLimits;
  /** The business clock: when items fall due (tests freeze it). */
  now?: () => Date;
  /** The wall clock the rate limits run on (Date.now; sinon fake timers replace it). */
  clock?: () => number;
  random?: () => number;
  /** Called when a batch has no pending items left. */
  onBatchSettled?: (batch: { id: string; notify?: string }, items: OutboxItem[]) => Promise<void>;
  /** Called when Teams refused a conversation (403, 404, bot not in it), with the reason. */
  onUnreachable?: (item: OutboxItem, reason: string) => Promise<void>;
  /** How long one send may take before it counts as failed and is retried (default 20 s). */
  timeoutMs?: number;
  /** Where activity ids are written the moment they arrive, so a crash cannot make the bot post twice. */
  receipts?: ReceiptLog;
}

/**
 * Which of two due items goes first: a retry whose wait is over, then the oldest. A retry is due
 * later than the fresh posts queued with it, so ordering by due time alone would hold every
 * throttled post back until the whole broadcast had gone, and then wait its Retry-After again.
 */
function sooner(a: OutboxItem, b: OutboxItem): boolean {
  if (!!a.attempts !== !!b.attempts) return !!a.attempts;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt;
  return a.dueAt < b.dueAt;
}

/** The conversation an item goes to, as far as rate limits are concerned. */
export const conversationOf = (item: Pick<OutboxItem, 'target'>): string => {
  const t = item.target;
  if ('providerId' in t) return `provider:${t.providerId}`;
  if ('userId' in t) return `user:${t.userId}`;
  return `conversation:${String((t.reference.conversation as { id?: string } | undefined)?.id)}`;
};

/**
 * Drains the outbox: due items go out a few at a time, paced to Teams' rate limits (ratePolicy.ts);
 * failures Teams says are temporary wait (Retry-After or jittered backoff) and go again; the rest
 * are marked failed with why. Each posted activity id is saved so the card can be updated later.
 *
 * The outbox keeps its pending items in memory, fed by the store's change feed and, on start, by
 * the `outboxPending` index, so a drain (and a restart) costs what is pending, not the whole
 * history of posts.
 */
export class Outbox {
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = false;
  private wake?: () => void;
  private readonly inFlight = new Set<string>();
  /** Sends that timed out but may still answer: their receipts are not saved in the store yet. */
  private lateSaving = 0;
  /** Pending items by id: the only ones a drain looks at. */
  private readonly pending = new Map<string, OutboxItem>();
  private readonly limiter: RateLimiter;
  private readonly unwatch: () => void;
  private readonly ready: Promise<void>;

  constructor(
    private readonly store: BrokerageStore,
    private readonly delivery: Delivery,
    private readonly logger: Logger,
    private readonly options: DrainOptions = {},
  ) {
    this.limiter = new RateLimiter(options.limits ?? TEAMS_LIMITS);
    // Watch first, then read: a change seen by the watch is newer than what the read returns.
    const touched = new Set<string>();
    this.unwatch = store.watch('outbox', (c) => {
      touched.add(c.id);
      this.track(c.id, c.after);
      if (c.after?.status === 'pending') this.nudge();
    });
    this.ready = (async () => {
      const pending = await store.transact({ actor: 'system:outbox', action: 'outbox.read' }, async (tx) => tx.pendingPosts());
      for (const item of pending) if (!touched.has(item.id)) this.track(item.id, item);
      await this.applyReceipts();
    })();
  }

  /**
   * Posts Teams answered just before the last run stopped, whose 'sent' had not been saved: they
   * are recorded now instead of being posted again.
   */
  private async applyReceipts(): Promise<void> {
    const receipts = this.options.receipts;
    if (!receipts) return;
    for (const [id, activityId] of receipts.read()) {
      const item = await this.store.get('outbox', id);
      if (!item || (item.activityId === activityId) || item.copies?.includes(activityId)) continue;
      this.logger.info('outbox: recording a post answered before the restart', { id, activityId });
      await this.delivered(item, activityId);
    }
    receipts.clear();
  }

  private track(id: string, item: OutboxItem | null): void {
    if (item?.status === 'pending') this.pending.set(id, structuredClone(item));
    else this.pending.delete(id);
  }

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  /** Start (or nudge) draining; safe to call after every transaction that enqueued something. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) return this.nudge();
    // A failure here (a disk error, the store closing at shutdown) must be logged, not crash the bot.
    this.drain().catch((error) => this.logger.error('outbox: drain failed; will retry on the next change', { error }));
  }

  private nudge(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Sends everything that is due, at the pace the limits allow; returns when nothing due is left. */
  async drain(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      await this.ready;
      await this.dispatch();
    } finally {
      this.running = false;
    }
    this.scheduleNext();
  }

  /**
   * One loop hands items to at most `concurrency` sends at a time. It picks the oldest due item
   * whose conversation may be posted to now; when every due item waits for its rate window, it
   * sleeps until the first window opens, or until a send finishes or new work arrives.
   */
  private async dispatch(): Promise<void> {
    const concurrency = this.options.concurrency ?? 4;
    const active = new Set<Promise<void>>();
    while (!this.stopped) {
      const pick = active.size < concurrency ? this.pick(this.now().getTime(), this.clock()) : { waitMs: undefined };
      if (pick.item) {
        const item = pick.item;
        this.limiter.take(conversationOf(item), this.clock());
        // An attempt that throws (a store write failing) is logged; the item stays pending for the next drain.
        const sending: Promise<void> = this.attempt(item).catch((error) => this.logger.error('outbox: an attempt failed unexpectedly', { id: item.id, error })).finally(() => {
          active.delete(sending);
          this.nudge();
        });
        active.add(sending);
        continue;
      }
      if (!active.size && pick.waitMs === undefined) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (pick.waitMs !== undefined) {
          const t = setTimeout(() => this.nudge(), Math.max(1, pick.waitMs));
          t.unref?.();
        }
      });
    }
    await Promise.all(active);
  }

  /** The oldest due item that may go now, or how long until the first due one may. */
  private clock(): number {
    return this.options.clock ? this.options.clock() : Date.now();
  }

  private pick(now: number, wall: number): { item?: OutboxItem; waitMs?: number } {
    let best: OutboxItem | undefined;
    let waitMs: number | undefined;
    // While the bot-wide window is full nothing may go; otherwise each conversation is asked once.
    const botWait = this.limiter.waitMs(undefined, wall);
    const waits = new Map<string, number>();
    for (const item of this.pending.values()) {
      if (this.inFlight.has(item.id) || this.dueMs(item) > now) continue;
      // An update waits for the post it edits.
      if (item.updates && this.pending.has(item.updates)) continue;
      if (botWait > 0) return { waitMs: botWait };
      const key = conversationOf(item);
      let wait = waits.get(key);
      if (wait === undefined) waits.set(key, (wait = this.limiter.waitMs(key, wall)));
      if (wait > 0) {
        waitMs = waitMs === undefined ? wait : Math.min(waitMs, wait);
        continue;
      }
      if (!best || sooner(item, best)) best = item;
    }
    return best ? { item: best } : { waitMs };
  }

  private readonly dueCache = new WeakMap<OutboxItem, number>();

  private dueMs(item: OutboxItem): number {
    let due = this.dueCache.get(item);
    if (due === undefined) this.dueCache.set(item, (due = Date.parse(item.dueAt)));
    return due;
  }

  private async attempt(item: OutboxItem): Promise<void> {
    this.inFlight.add(item.id);
    try {
      let replace: string[] = [];
      if (item.updates) {
        const original = await this.store.get('outbox', item.updates);
        if (!original?.activityId) return await this.settle(item, { status: 'failed', lastError: 'the post to update was never delivered' });
        replace = [original.activityId, ...(original.copies ?? [])];
      }
      try {
        if (!replace.length) {
          const result = await this.send(item);
          if (result === 'skip') return await this.settle(item, { status: 'failed', lastError: 'nothing to send any more' });
          // Without an id the post cannot be updated or counted as delivered; sending again could post it twice.
          if (!result.activityId) return await this.settle(item, { status: 'failed', attempts: item.attempts + 1, lastError: 'the Bot Connector answered without an activity id' });
          return await this.delivered(item, result.activityId, result.conversationId);
        }
        // An update edits every copy of the post; a retry edits them all again (an edit is idempotent).
        for (const [i, id] of replace.entries()) {
          if (i) this.limiter.take(conversationOf(item), this.clock());
          const result = await this.send(item, id);
          if (result === 'skip') return await this.settle(item, { status: 'failed', lastError: 'nothing to send any more' });
        }
        await this.settle(item, { status: 'sent', sentAt: this.now().toISOString(), activityId: replace[0], attempts: item.attempts + 1 });
      } catch (error) {
        await this.failed(item, error instanceof UnreachableError ? { message: error.message } : describeFailure(error), error instanceof UnreachableError);
      }
    } finally {
      this.inFlight.delete(item.id);
      // Every receipt so far is saved in the store once nothing is in flight.
      if (!this.inFlight.size && !this.lateSaving) this.options.receipts?.clear(64 * 1024);
    }
  }

  /**
   * One call to the connector, given `timeoutMs` to answer. A send that times out is retried; if
   * it then answers after all, its post is adopted (`delivered`), so nothing is lost or untracked.
   */
  private send(item: OutboxItem, replace?: string): Promise<{ activityId?: string; conversationId?: string } | 'skip'> {
    const sending = this.delivery.deliver(item, replace).then((result) => {
      // Written down before anything else happens, so a crash from here on cannot lose it.
      if (!replace && result !== 'skip' && result.activityId) this.options.receipts?.record(item.id, result.activityId);
      return result;
    });
    const ms = this.options.timeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(Object.assign(new Error(`no answer from the Bot Connector in ${Math.round(ms / 1000)} s`), { code: TIMEOUT }));
        // The late answer, if any: a new post that went through is recorded, not forgotten.
        if (!replace) {
          this.lateSaving++;
          sending
            .then(
              (late) => (late !== 'skip' && late.activityId ? this.delivered(item, late.activityId, late.conversationId) : undefined),
              () => undefined,
            )
            .catch((error) => this.logger.error('outbox: could not record a late delivery', { id: item.id, error }))
            .finally(() => this.lateSaving--);
        }
      }, ms);
      timer.unref?.();
    });
    return Promise.race([sending, timeout]).finally(() => clearTimeout(timer));
  }

  /** A failed attempt: retried within the item's give-up rule, or settled as failed with why. */
  private async failed(item: OutboxItem, failure: SendFailure, noPlace: boolean): Promise<void> {
    const attempts = item.attempts + 1;
    const reason = reasonOf(failure);
    if (noPlace || isUnreachable(failure)) {
      this.logger.warn('outbox: conversation unreachable', { id: item.id, reason });
      await this.settle(item, { status: 'failed', attempts, lastError: reason, unreachable: true });
      if (!noPlace) await this.options.onUnreachable?.(item, reason);
      return;
    }
    const now = this.now().getTime();
    // Teams said when this conversation may be posted to again: nothing goes to it before then.
    if (Number.isFinite(failure.retryAfterMs)) this.limiter.pause(conversationOf(item), this.clock() + failure.retryAfterMs!);
    const delay = nextDelay(failure, attempts, now, giveUpAt(item, this.options.policy ?? DEFAULT_POLICY), this.options.policy ?? DEFAULT_POLICY, this.options.random);
    if (delay === undefined) {
      this.logger.warn('outbox: giving up', { id: item.id, reason, attempts });
      await this.settle(item, { status: 'failed', attempts, lastError: reason });
    } else {
      this.logger.debug('outbox: will retry', { id: item.id, reason, delay, attempts });
      await this.settle(item, { attempts, dueAt: new Date(now + delay).toISOString(), lastError: reason });
    }
  }

  /**
   * Teams returned an activity id for a new post. Normally that settles the item; if the item
   * was already delivered under another id (a timed-out send that went through after its retry
   * did), this is a second copy: it is kept in `copies`, so updates reach it, and then deleted.
   */
  private async delivered(item: OutboxItem, activityId: string, conversationId?: string): Promise<void> {
    let extra = false;
    await this.settle(item, (current) => {
      if (current.status === 'sent' && current.activityId && current.activityId !== activityId) {
        extra = true;
        return { copies: [...new Set([...(current.copies ?? []), activityId])] };
      }
      return { status: 'sent', sentAt: this.now().toISOString(), activityId, ...(conversationId ? { conversationId } : {}), attempts: Math.max(current.attempts, item.attempts + 1), lastError: undefined, unreachable: undefined };
    });
    if (!extra || !this.delivery.remove) return;
    try {
      await this.delivery.remove(item, activityId);
      await this.settle(item, (current) => ({ copies: (current.copies ?? []).filter((c) => c !== activityId) }));
    } catch (error) {
      this.logger.warn('outbox: could not delete an extra copy; updates will keep it current', { id: item.id, activityId, error: String(error) });
    }
  }

  /** Applies a change to the stored item (given, or worked out from the stored one); settling unlists it. */
  private async settle(item: OutboxItem, changeOf: Partial<OutboxItem> | ((current: OutboxItem) => Partial<OutboxItem>)): Promise<void> {
    const named = typeof changeOf === 'function' ? undefined : changeOf.status;
    const settled = await this.store.transact({ actor: 'system:outbox', action: `outbox.${named ?? 'change'}` }, async (tx) => {
      const current = await tx.get('outbox', item.id);
      if (!current) return undefined;
      const change = typeof changeOf === 'function' ? changeOf(current) : changeOf;
      // Already settled as sent (a late answer got there first): a retry's failure must not undo that.
      if (current.status === 'sent' && change.status !== 'sent' && !change.copies) return undefined;
      tx.put('outbox', { ...current, ...change });
      if (!change.status || current.status !== 'pending') return undefined;
      if (!current.batch) return undefined;
      const siblings = await tx.postsOfBatch(current.batch.id);
      if (siblings.some((s) => s.status === 'pending')) return undefined;
      return { batch: current.batch, siblings };
    });
    if (settled && this.options.onBatchSettled) await this.options.onBatchSettled(settled.batch, settled.siblings);
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (!this.pending.size) return;
    let next = Infinity;
    for (const i of this.pending.values()) next = Math.min(next, Date.parse(i.dueAt));
    this.timer = setTimeout(() => this.kick(), Math.max(10, Math.min(next - this.now().getTime(), 60_000)));
    this.timer.unref?.();
  }

  /** Waits until nothing is pending (tests and graceful shutdown). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    await this.ready;
    for (;;) {
      if (!this.running && !this.pending.size) return;
      if (Date.now() > until) throw new Error('outbox did not drain in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** How many items wait to be sent. */
  get pendingCount(): number {
    return this.pending.size;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unwatch();
    this.nudge();
  }
}
