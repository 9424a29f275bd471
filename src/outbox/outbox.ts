import type { Collections, BrokerageStore } from '../store/collections.js';
import type { Tx } from '../store/store.js';
import type { Logger } from '../log.js';
import { DEFAULT_POLICY, describeFailure, nextDelay, RetryPolicy } from './retryPolicy.js';

/** Where a message goes: a provider's channel or a person's 1:1 chat with the bot. */
export type Target = { providerId: string } | { userId: string };

/**
 * One message to deliver. It names what to say (a message kind and the ids it is about), not the
 * card itself: the card is rendered from the store when sent, so it is never stale, and a
 * restart resumes with nothing lost. A post that names `updates` edits an earlier post in place.
 */
export interface OutboxItem {
  id: string;
  target: Target;
  message: { kind: string; ref?: string; [key: string]: unknown };
  /** The id of an earlier outbox item whose posted activity this one replaces. */
  updates?: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  dueAt: string;
  createdAt: string;
  sentAt?: string;
  activityId?: string;
  lastError?: string;
  /** Items published together; when the last one settles, `notify` hears how it went. */
  batch?: { id: string; notify?: string };
}

export type NewItem = Pick<OutboxItem, 'id' | 'target' | 'message' | 'updates' | 'batch'>;

/** Queues messages inside the transaction that caused them: both happen or neither does. */
export function enqueue(tx: Tx<Collections>, now: Date, ...items: NewItem[]): void {
  for (const item of items) {
    const existing = tx.get('outbox', item.id);
    // Same id, same message: an idempotent repeat. A pending update just gets the newer intent.
    if (existing && (existing.status !== 'sent' || !item.updates)) continue;
    tx.put('outbox', { ...item, status: 'pending', attempts: 0, dueAt: now.toISOString(), createdAt: now.toISOString() });
  }
}

export interface Delivery {
  /** Posts (or, with `replaceActivityId`, edits) and resolves with the activity id. */
  deliver(item: OutboxItem, replaceActivityId?: string): Promise<{ activityId?: string } | 'skip'>;
}

export class UnreachableError extends Error {}

export interface DrainOptions {
  concurrency?: number;
  policy?: RetryPolicy;
  now?: () => Date;
  random?: () => number;
  /** Called when a batch has no pending items left. */
  onBatchSettled?: (batch: { id: string; notify?: string }, items: OutboxItem[]) => Promise<void>;
}

/**
 * Drains the outbox: due items go out a few at a time; failures Teams says are temporary wait
 * (Retry-After or jittered backoff) and go again; the rest are marked failed with why. Each
 * posted activity id is saved so the card can be updated later.
 */
export class Outbox {
  private timer?: NodeJS.Timeout;
  private running = false;
  private rerun = false;
  private stopped = false;
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly store: BrokerageStore,
    private readonly delivery: Delivery,
    private readonly logger: Logger,
    private readonly options: DrainOptions = {},
  ) {}

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  /** Start (or nudge) draining; safe to call after every transaction that enqueued something. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    void this.drain();
  }

  async drain(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      do {
        this.rerun = false;
        await this.drainOnce();
      } while (this.rerun && !this.stopped);
    } finally {
      this.running = false;
    }
    this.scheduleNext();
  }

  private async drainOnce(): Promise<void> {
    const concurrency = this.options.concurrency ?? 4;
    for (;;) {
      const now = this.now().getTime();
      const due = (await this.store.find('outbox', (i) => i.status === 'pending' && Date.parse(i.dueAt) <= now && !this.inFlight.has(i.id))).sort((a, b) =>
        a.dueAt === b.dueAt ? a.createdAt.localeCompare(b.createdAt) : a.dueAt.localeCompare(b.dueAt),
      );
      // An update must wait for the post it edits; two items to one conversation go in order.
      const ready = due.filter((i) => !i.updates || !due.some((d) => d.id === i.updates));
      if (!ready.length || this.stopped) return;
      const workers = Array.from({ length: Math.min(concurrency, ready.length) }, async () => {
        for (let item = ready.shift(); item && !this.stopped; item = ready.shift()) await this.attempt(item);
      });
      await Promise.all(workers);
    }
  }

  private async attempt(item: OutboxItem): Promise<void> {
    this.inFlight.add(item.id);
    try {
      let replace: string | undefined;
      if (item.updates) {
        const original = await this.store.get('outbox', item.updates);
        replace = original?.activityId;
        if (!replace) return await this.settle(item, { status: 'failed', lastError: 'the post to update was never delivered' });
      }
      try {
        const result = await this.delivery.deliver(item, replace);
        if (result === 'skip') return await this.settle(item, { status: 'failed', lastError: 'nothing to send any more' });
        await this.settle(item, { status: 'sent', sentAt: this.now().toISOString(), activityId: result.activityId ?? replace });
      } catch (error) {
        const failure = error instanceof UnreachableError ? { message: error.message } : describeFailure(error);
        const attempts = item.attempts + 1;
        const delay = nextDelay(failure, attempts, this.options.policy ?? DEFAULT_POLICY, this.options.random);
        if (delay === undefined) {
          this.logger.warn('outbox: giving up', { id: item.id, status: failure.status, error: failure.message, attempts });
          await this.settle(item, { status: 'failed', attempts, lastError: failure.status ? `${failure.status}: ${failure.message}` : failure.message });
        } else {
          this.logger.debug('outbox: will retry', { id: item.id, status: failure.status, delay, attempts });
          await this.settle(item, { attempts, dueAt: new Date(this.now().getTime() + delay).toISOString(), lastError: `${failure.status}: ${failure.message}` });
        }
      }
    } finally {
      this.inFlight.delete(item.id);
    }
  }

  private async settle(item: OutboxItem, change: Partial<OutboxItem>): Promise<void> {
    const settled = await this.store.transact({ actor: 'system:outbox', action: `outbox.${change.status ?? 'retry'}` }, (tx) => {
      const current = tx.get('outbox', item.id);
      if (!current) return undefined;
      tx.put('outbox', { ...current, ...change });
      if (!current.batch || !change.status) return undefined;
      const siblings = tx.find('outbox', (i) => i.batch?.id === current.batch!.id);
      return siblings.every((s) => s.status !== 'pending') ? { batch: current.batch, siblings } : undefined;
    });
    if (settled && this.options.onBatchSettled) await this.options.onBatchSettled(settled.batch, settled.siblings);
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    void this.store.find('outbox', (i) => i.status === 'pending').then((pending) => {
      if (!pending.length || this.stopped) return;
      const next = Math.min(...pending.map((i) => Date.parse(i.dueAt)));
      this.timer = setTimeout(() => this.kick(), Math.max(10, Math.min(next - this.now().getTime(), 60_000)));
      this.timer.unref?.();
    });
  }

  /** Waits until nothing is pending (tests and graceful shutdown). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running && !(await this.store.find('outbox', (i) => i.status === 'pending')).length) return;
      if (Date.now() > until) throw new Error('outbox did not drain in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
