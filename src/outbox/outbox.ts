import type { Collections, BrokerageStore } from '../store/collections.js';
import type { Claimed, Tx } from '../store/store.js';
import type { Logger } from '../log.js';
import { PROCESS_INSTANCE } from '../store/instance.js';
import { Resync } from '../store/resync.js';
import { DEFAULT_POLICY, describeFailure, giveUpAt, isUnreachable, nextDelay, reasonOf, RetryPolicy, TIMEOUT, type SendFailure } from './retryPolicy.js';
import { RateLimiter, TEAMS_LIMITS, type RateLimits } from './ratePolicy.js';
import type { RateLedger } from './rateLedger.js';
import type { PostReceipts } from './receiptLog.js';
import type { NewItem, OutboxItem } from './item.js';
import { inTurn } from '../telemetry/phases.js';
import { PendingPosts } from './pending.js';
import { attemptFailed, postSent, queued, sending as sendSpan } from '../metrics.js';

export type { Target, OutboxItem, NewItem } from './item.js';

/**
 * Queues messages inside the transaction that caused them: both happen or neither does. The store
 * indexes pending posts and batches itself (pendingPosts, postsOfBatch), so a restart finds its
 * work without reading every post ever made.
 */
export async function enqueue(tx: Tx<Collections>, now: Date, ...items: NewItem[]): Promise<void> {
  for (const item of items) {
    const existing = await tx.get('outbox', item.id);
    // Same id, same message: an idempotent repeat. A pending update just gets the newer intent.
    if (existing && (existing.status !== 'sent' || !item.updates)) continue;
    enqueueNew(tx, now, item);
  }
}

/**
 * Queues an item whose id is new by construction, without reading it first (on PostgreSQL that
 * read is a round trip of its own): an id naming a version this transaction creates, such as a
 * bid's `:refresh:bid-v3`. A re-run of the transaction writes the same item again.
 */
export function enqueueNew(tx: Tx<Collections>, now: Date, item: NewItem): void {
  tx.put('outbox', { ...item, status: 'pending', attempts: 0, dueAt: now.toISOString(), createdAt: now.toISOString(), ...queued(item.message.kind) });
}

export interface Delivery {
  /**
   * Posts (or, with `replaceActivityId`, edits) and resolves with the activity id Teams returned.
   * It must reject with the connector's error (status, Retry-After) when the post did not go out.
   */
  deliver(item: OutboxItem, replaceActivityId?: string): Promise<{ activityId?: string; conversationId?: string } | 'skip'>;
  /** Deletes a post (an extra copy of one); optional. */
  remove?(item: OutboxItem, activityId: string): Promise<void>;
  /**
   * The activity ids of the posts of this item already in its conversation (read from the channel),
   * or undefined when this delivery cannot look; optional. Asked when a post is taken over from an
   * instance that stopped while sending it.
   */
  findCopies?(item: OutboxItem): Promise<string[] | undefined>;
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
  receipts?: PostReceipts;
  /** This process, as the holder of the posts it claims: instances sharing one store each send a post once. */
  instanceId?: string;
  /** How long a claim on a post lasts unless renewed (default 60 s: well past `timeoutMs`). */
  leaseMs?: number;
  /** How often pending posts are read again from the store, to take over those of an instance that stopped (default 30 s). */
  resyncMs?: number;
  /** The record of sends every instance shares, asked before each send; without it this outbox's own limiter is the only one. */
  ledger?: RateLedger;
}

/** The conversation an item goes to, as far as rate limits are concerned. */
/** The longest a Retry-After holds a conversation. */
const MAX_PAUSE_MS = 3_600_000;
/** A ledger refusal this short is waited out within the attempt. */
const SHORT_LEDGER_WAIT_MS = 100;

/**
 * A post another instance holds is asked for again this soon (or once its lease could have run
 * out, if that is sooner): its holder gives it back as soon as it settles it or stops (SIGTERM),
 * and waiting out the whole lease would hold the post up to a minute for nothing.
 */
const CLAIM_RECHECK_MS = 2_000;

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
 * The outbox keeps its pending items in memory, fed by the store's change feed (this instance's
 * changes and other instances'), on start by `pendingPosts()`, and by a periodic re-read, so a
 * drain (and a restart) costs what is pending, not the whole history of posts.
 *
 * Several instances may drain one store: each attempt first claims its post (Store.claim), so one
 * instance sends it; a post claimed elsewhere waits here until that claim could have run out, and
 * a post whose instance stopped is then taken over, after asking the receipts whether Teams had
 * already answered it. With a shared `ledger`, the rate limits hold for all instances together.
 */
export class Outbox {
  private timer?: NodeJS.Timeout;
  private running = false;
  /** A kick is queued for the next turn of the event loop (kickSoon). */
  private kickQueued = false;
  private stopped = false;
  private wake?: () => void;
  private readonly inFlight = new Set<string>();
  /** The attempts under way (at most `concurrency`): stop() waits for them. */
  private readonly active = new Set<Promise<void>>();
  /** Sends that timed out but may still answer: their receipts are not saved in the store yet. */
  private lateSaving = 0;
  /** Late answers that arrived and are being recorded (and their extra copy deleted): idle waits for them. */
  private settlingLate = 0;
  /** Pending items by id, in the order they go: the only ones a drain looks at. */
  private readonly pending = new PendingPosts();
  private readonly limiter: RateLimiter;
  private readonly unwatch: () => void;
  private readonly ready: Promise<void>;
  /** Posts another instance holds, by id: not tried again before then (wall clock). */
  private readonly claimedElsewhere = new Map<string, number>();
  private readonly resync: Resync<OutboxItem>;
  private readonly instanceId: string;
  private readonly leaseMs: number;

  constructor(
    private readonly store: BrokerageStore,
    private readonly delivery: Delivery,
    private readonly logger: Logger,
    private readonly options: DrainOptions = {},
  ) {
    this.limiter = new RateLimiter(options.limits ?? TEAMS_LIMITS);
    this.instanceId = options.instanceId ?? PROCESS_INSTANCE;
    this.leaseMs = options.leaseMs ?? 60_000;
    // Watch first, then read: a change seen by the watch is newer than what the read returns.
    const resync = (this.resync = new Resync({
      read: () => store.transact({ actor: 'system:outbox', action: 'outbox.resync' }, (tx) => tx.pendingPosts()),
      held: () => this.pending.keys(),
      track: (id, item) => this.track(id, item),
      keep: (id) => this.inFlight.has(id),
    }));
    this.unwatch = store.watch('outbox', (c) => {
      this.resync.heard(c.id);
      const known = this.pending.has(c.id);
      this.track(c.id, c.after);
      // New work, or one less post to wait for (settled by another instance): re-plan. Kicked, not
      // only nudged: an idle instance (no drain running) would otherwise leave another instance's
      // posts to it until its next re-read, and a publish started elsewhere would get no help.
      if (known || c.after?.status === 'pending') this.kickSoon();
    });
    this.ready = (async () => {
      await resync.run();
      await this.applyReceipts();
    })();
    this.resync.every(
      options.resyncMs ?? 30_000,
      () => void (this.pending.size && this.kick()),
      (error) => this.logger.warn('outbox: could not re-read pending posts; will try again', { error: String(error) }),
    );
  }

  /**
   * Posts Teams answered just before the last run stopped, whose 'sent' had not been saved: they
   * are recorded now instead of being posted again.
   */
  private async applyReceipts(): Promise<void> {
    const receipts = this.options.receipts;
    if (!receipts) return;
    for (const [id, activityId] of await receipts.leftOver()) {
      const item = await this.store.get('outbox', id);
      if (!item || (item.activityId === activityId) || item.copies?.includes(activityId)) continue;
      this.logger.info('outbox: recording a post answered before the restart', { id, activityId });
      await this.delivered(item, activityId);
    }
    await receipts.clear();
  }

  private track(id: string, item: OutboxItem | null): void {
    if (item?.status === 'pending') this.pending.set(id, structuredClone(item));
    else {
      this.pending.delete(id);
      this.claimedElsewhere.delete(id);
    }
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

  /**
   * A kick on the next turn of the event loop, once for all the changes heard before it: not inside
   * the commit that made them, so the turn waiting on that commit (a bid) goes on to its answer
   * instead of waiting behind its card refresh's claim and rendering.
   */
  private kickSoon(): void {
    if (this.kickQueued) return;
    this.kickQueued = true;
    setImmediate(() => {
      this.kickQueued = false;
      this.kick();
    });
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
    const active = this.active;
    while (!this.stopped) {
      const pick = active.size < concurrency ? this.pick(this.now().getTime(), this.clock()) : { waitMs: undefined };
      if (pick.item) {
        const item = pick.item;
        const key = conversationOf(item);
        const takenAt = this.clock();
        this.limiter.take(key, takenAt);
        // An attempt that throws (a store write failing) is logged; the item stays pending and is tried again in a second.
        // Timed on its own clock when the bench records phases: the sends a turn caused are not the turn's.
        const sending: Promise<void> = inTurn(item.id, () => this.attempt(item, key, takenAt), `outbox ${item.message.kind}`).catch((error) => {
          this.logger.error('outbox: an attempt failed unexpectedly', { id: item.id, error });
          this.claimedElsewhere.set(item.id, this.clock() + 1000);
        }).finally(() => {
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

  private clock(): number {
    return this.options.clock ? this.options.clock() : Date.now();
  }

  /** The first due item (in the order they go) that may go now, or how long until the first due one may. */
  private pick(now: number, wall: number): { item?: OutboxItem; waitMs?: number } {
    // While the bot-wide window is full nothing may go: not a post looked at until it opens.
    const botWait = this.limiter.waitMs(undefined, wall);
    if (botWait > 0) return this.pending.size ? { waitMs: botWait } : {};
    let waitMs: number | undefined;
    const waits = new Map<string, number>();
    // The first that may go is the one to send: they come in the order they go.
    for (const item of this.pending.inOrder()) {
      if (this.inFlight.has(item.id) || this.pending.dueMs(item) > now) continue;
      // Held by another instance: asked again once its claim could have run out.
      const held = this.claimedElsewhere.get(item.id);
      if (held !== undefined && held > wall) {
        waitMs = waitMs === undefined ? held - wall : Math.min(waitMs, held - wall);
        continue;
      }
      // An update waits for the post it edits.
      if (item.updates && this.pending.has(item.updates)) continue;
      // Each conversation's window is asked once.
      const key = conversationOf(item);
      let wait = waits.get(key);
      if (wait === undefined) waits.set(key, (wait = this.limiter.waitMs(key, wall)));
      if (wait > 0) {
        waitMs = waitMs === undefined ? wait : Math.min(waitMs, wait);
        continue;
      }
      return { item };
    }
    return { waitMs };
  }

  /**
   * One attempt at an item: claimed first, so that of several instances one sends it; then read
   * again (another instance may have settled or rescheduled it meanwhile), its receipts asked,
   * the shared ledger passed, and only then sent. The claim is renewed while the attempt runs
   * and given back when it settles.
   */
  private async attempt(item: OutboxItem, key: string, takenAt: number): Promise<void> {
    this.inFlight.add(item.id);
    let renew: NodeJS.Timeout | undefined;
    let renewing: Promise<unknown> | undefined;
    let claimed: Claimed = false;
    try {
      if (!(claimed = await this.store.claim('outbox', item.id, this.instanceId, this.leaseMs))) {
        this.limiter.untake(key, takenAt);
        this.claimedElsewhere.set(item.id, this.clock() + Math.min(this.leaseMs, CLAIM_RECHECK_MS));
        return;
      }
      renew = setInterval(() => (renewing = this.renew(item.id)), Math.max(1, this.leaseMs / 3));
      renew.unref?.();
      const current = await this.store.get('outbox', item.id);
      if (current?.status !== 'pending' || this.pending.dueMs(current) > this.now().getTime()) {
        this.limiter.untake(key, takenAt);
        return this.track(item.id, current ?? null);
      }
      item = current;
      if (!item.updates && (await this.answeredBefore(item))) return this.limiter.untake(key, takenAt);
      if (claimed === 'taken over' && !item.updates && (await this.foundInChannel(item))) return this.limiter.untake(key, takenAt);
      if (!(await this.passLedger(key))) return this.limiter.untake(key, takenAt);
      // Stopping (SIGTERM): nothing new goes out; the claim is given back below, so another instance sends it at once.
      if (this.stopped) return this.limiter.untake(key, takenAt);
      await this.sendClaimed(item, key);
    } finally {
      clearInterval(renew);
      // A renewal still on its way would put the claim back after the release: a stale claim that
      // makes the next instance wait, and think it took the post over from one that stopped.
      await renewing;
      if (claimed) await this.store.release('outbox', item.id, this.instanceId).catch((error) => this.logger.warn('outbox: could not release a claim; it runs out by itself', { id: item.id, error: String(error) }));
      this.inFlight.delete(item.id);
      // Every receipt so far is saved in the store once nothing is in flight.
      if (!this.inFlight.size && !this.lateSaving) await this.options.receipts?.clear(64 * 1024);
    }
  }

  private renew(id: string): Promise<unknown> | undefined {
    // A stopped component holds nothing: what it was doing is taken over once the lease runs out.
    if (this.stopped) return undefined;
    return this.store.claim('outbox', id, this.instanceId, this.leaseMs).then(
      (ok) => ok || this.logger.warn('outbox: lost the claim on a post being sent; its settling re-checks the post', { id }),
      (error) => this.logger.warn('outbox: could not renew a claim', { id, error: String(error) }),
    );
  }

  /**
   * Teams already answered this post (an instance stopped, or timed out, before saving the id):
   * recorded as delivered instead of being posted again.
   */
  private async answeredBefore(item: OutboxItem): Promise<boolean> {
    const ids = (await this.options.receipts?.of(item.id)) ?? [];
    if (!ids.length) return false;
    this.logger.info('outbox: recording a post Teams answered before, instead of posting it again', { id: item.id, activityIds: ids });
    for (const id of ids) await this.delivered(item, id);
    return true;
  }

  /**
   * A post taken over from an instance that stopped while sending it, with no receipt: Teams may
   * have made it without the answer being saved. A copy found in the channel becomes the post (its
   * queued updates then edit it); if the channel cannot be read, the post is marked `takenOver`
   * before it is sent again, so the status card can say the channel may show it twice.
   */
  private async foundInChannel(item: OutboxItem): Promise<boolean> {
    const found = await this.delivery.findCopies?.(item).catch((error) => {
      this.logger.warn('outbox: could not look in the channel for an earlier copy of a post taken over', { id: item.id, error: String(error) });
      return undefined;
    });
    if (found?.length) {
      this.logger.info('outbox: a post taken over was already in the channel; recording it instead of posting again', { id: item.id, activityIds: found });
      for (const id of found) await this.delivered(item, id);
      return true;
    }
    if (!found) await this.settle(item, { takenOver: this.now().toISOString() });
    return false;
  }

  /**
   * The shared ledger's word on one more send to `key`. A refusal (another instance used the
   * window) pauses the conversation here until the ledger says it may go; the item stays pending.
   */
  private async passLedger(key: string): Promise<boolean> {
    const ledger = this.options.ledger;
    if (!ledger) return true;
    let wait: number;
    for (let tries = 0; ; tries++) {
      try {
        wait = await ledger.take(key);
      } catch (error) {
        this.logger.warn('outbox: the rate ledger did not answer; the conversation waits a second', { key, error: String(error) });
        wait = 1_000;
      }
      // A short wait (the bot-wide spacing, seen a little later on the database's clock) is waited
      // out here, holding the claim: giving the post up would cost a new claim, read and take.
      if (wait <= 0 || wait > SHORT_LEDGER_WAIT_MS || tries >= 3) break;
      await new Promise((r) => setTimeout(r, wait));
    }
    if (wait > 0) this.limiter.pause(key, this.clock() + wait);
    return wait <= 0;
  }

  /** Waits until the ledger lets one more send to `key` go (the second and later edits of one update). */
  private async waitForLedger(key: string): Promise<void> {
    while (!(await this.passLedger(key))) await new Promise((r) => setTimeout(r, Math.max(1, this.limiter.waitMs(key, this.clock()))));
  }

  /**
   * Sends a claimed item: a new post, or an update that edits every copy of its post. Only the
   * connector's errors count against the post: if saving the outcome fails (the store lost a
   * conflict with another instance too often), that error leaves the item pending, and the next
   * attempt finds Teams' answer in the receipts instead of posting again, or edits again.
   */
  private async sendClaimed(item: OutboxItem, key: string): Promise<void> {
    let replace: string[] = [];
    if (item.updates) {
      const original = await this.store.get('outbox', item.updates);
      if (!original?.activityId) return void (await this.settle(item, { status: 'failed', lastError: 'the post to update was never delivered' }));
      replace = [original.activityId, ...(original.copies ?? [])];
    }
    let result: Awaited<ReturnType<Outbox['send']>> | undefined;
    try {
      if (!replace.length) result = await this.send(item);
      else {
        // An update edits every copy of the post; a retry edits them all again (an edit is idempotent).
        for (const [i, id] of replace.entries()) {
          if (i) {
            this.limiter.take(key, this.clock());
            await this.waitForLedger(key);
          }
          try {
            result = await this.send(item, id);
          } catch (error) {
            // A copy that is not there (deleted in the channel, or an id never posted): nothing to
            // edit, and no word on the channel, where the post itself was just edited.
            if (!i || describeFailure(error).status !== 404) throw error;
            this.logger.warn('outbox: a copy of a post is gone; no longer editing it', { id: item.updates, activityId: id });
            await this.settle({ ...item, id: item.updates! }, (current) => ({ copies: (current.copies ?? []).filter((c) => c !== id) }));
            continue;
          }
          if (result === 'skip') break;
        }
      }
    } catch (error) {
      return await this.failed(item, error instanceof UnreachableError ? { message: error.message } : describeFailure(error), error instanceof UnreachableError);
    }
    if (result === 'skip') return void (await this.settle(item, { status: 'failed', lastError: 'nothing to send any more' }));
    if (replace.length) return void (await this.settle(item, { status: 'sent', sentAt: this.now().toISOString(), activityId: replace[0], attempts: item.attempts + 1 }));
    // Without an id the post cannot be updated or counted as delivered; sending again could post it twice.
    if (!result?.activityId) return void (await this.settle(item, { status: 'failed', attempts: item.attempts + 1, lastError: 'the Bot Connector answered without an activity id' }));
    return await this.delivered(item, result.activityId, result.conversationId);
  }

  /**
   * One call to the connector, given `timeoutMs` to answer. A send that times out is retried; if
   * it then answers after all, its post is adopted (`delivered`), so nothing is lost or untracked.
   */
  private send(item: OutboxItem, replace?: string): Promise<{ activityId?: string; conversationId?: string } | 'skip'> {
    let timedOut = false;
    const span = sendSpan(item, !!replace);
    /** A late new post is being recorded, from the moment Teams answered: idle() waits for it. */
    let settling = false;
    const sending = this.delivery.deliver(item, replace).then(async (result) => {
      if (timedOut && !replace && result !== 'skip' && result.activityId) {
        settling = true;
        this.settlingLate++;
      }
      // Written down before anything else happens, so a crash from here on cannot lose it.
      if (!replace && result !== 'skip' && result.activityId) {
        try {
          await this.options.receipts?.record(item.id, result.activityId);
        } catch (error) {
          // The id is still in hand: saving it in the store (next) matters more than failing the post.
          this.logger.warn('outbox: could not record a receipt', { id: item.id, error: String(error) });
        }
      }
      return result;
    });
    const ms = this.options.timeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
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
            .finally(() => {
              this.lateSaving--;
              if (settling) this.settlingLate--;
            });
        }
      }, ms);
      timer.unref?.();
    });
    return span.track(Promise.race([sending, timeout]).finally(() => clearTimeout(timer)));
  }

  /** A failed attempt: retried within the item's give-up rule, or settled as failed with why. */
  private async failed(item: OutboxItem, failure: SendFailure, noPlace: boolean): Promise<void> {
    const attempts = item.attempts + 1;
    const reason = reasonOf(failure);
    if (noPlace || isUnreachable(failure)) {
      this.logger.warn('outbox: conversation unreachable', { id: item.id, reason });
      attemptFailed(item.message.kind, failure, 'unreachable');
      await this.settle(item, { status: 'failed', attempts, lastError: reason, unreachable: true });
      if (!noPlace) await this.options.onUnreachable?.(item, reason);
      return;
    }
    const now = this.now().getTime();
    // Teams said when this conversation may be posted to again: nothing goes to it before then,
    // from this instance or (through the shared ledger) any other.
    if (Number.isFinite(failure.retryAfterMs)) {
      const key = conversationOf(item);
      // At most an hour: a Retry-After of days (or a far HTTP date) would hold the conversation
      // past every post's give-up time, and on every instance.
      const ms = Math.min(failure.retryAfterMs!, MAX_PAUSE_MS);
      this.limiter.pause(key, this.clock() + ms);
      await this.options.ledger?.pause(key, ms).catch((error) => this.logger.warn('outbox: could not share a Retry-After; other instances learn it from Teams', { key, error: String(error) }));
    }
    const delay = nextDelay(failure, attempts, now, giveUpAt(item, this.options.policy ?? DEFAULT_POLICY), this.options.policy ?? DEFAULT_POLICY, this.options.random);
    attemptFailed(item.message.kind, failure, delay === undefined ? 'gave_up' : 'retry');
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
    // Whether this id was an extra copy is read from what the committed run changed: a store may run
    // the transaction again after a conflict with another instance.
    const applied = await this.settle(item, (current) => {
      if (current.activityId === activityId) return {};
      if (current.status === 'sent' && current.activityId) return { copies: [...new Set([...(current.copies ?? []), activityId])] };
      return { status: 'sent', sentAt: this.now().toISOString(), activityId, ...(conversationId ? { conversationId } : {}), attempts: Math.max(current.attempts, item.attempts + 1), lastError: undefined, unreachable: undefined };
    });
    if (applied?.status === 'sent') postSent(item.message.kind);
    if (!applied?.copies || !this.delivery.remove) return;
    try {
      await this.delivery.remove(item, activityId);
      await this.settle(item, (current) => ({ copies: (current.copies ?? []).filter((c) => c !== activityId) }));
    } catch (error) {
      this.logger.warn('outbox: could not delete an extra copy; updates will keep it current', { id: item.id, activityId, error: String(error) });
    }
  }

  /**
   * Applies a change to the stored item (given, or worked out from the stored one). The
   * transaction that settles a batch's last pending post reports the batch: transactions run as
   * if alone across instances, so of two instances settling its last two posts, one sees the
   * other's and reports it, once.
   */
  /** Applies a change to the stored item (given, or worked out from the stored one) and returns the change the committed run made. */
  private async settle(item: OutboxItem, changeOf: Partial<OutboxItem> | ((current: OutboxItem) => Partial<OutboxItem>)): Promise<Partial<OutboxItem> | undefined> {
    const named = typeof changeOf === 'function' ? undefined : changeOf.status;
    const { change, batch } = await this.store.transact({ actor: 'system:outbox', action: `outbox.${named ?? 'change'}` }, async (tx) => {
      const current = await tx.get('outbox', item.id);
      if (!current) return {};
      const change = typeof changeOf === 'function' ? changeOf(current) : changeOf;
      if (!Object.keys(change).length) return {};
      // Already settled as sent (a late answer, or another instance, got there first): a failure must not undo that.
      if (current.status === 'sent' && change.status !== 'sent' && !change.copies) return {};
      tx.put('outbox', { ...current, ...change });
      if (!change.status || current.status !== 'pending' || !current.batch) return { change };
      const siblings = await tx.postsOfBatch(current.batch.id);
      if (siblings.some((s) => s.status === 'pending')) return { change };
      return { change, batch: { batch: current.batch, siblings } };
    });
    if (batch && this.options.onBatchSettled) await this.options.onBatchSettled(batch.batch, batch.siblings);
    return change;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (!this.pending.size) return;
    // The soonest an item may go: when it falls due, or when another instance's claim on it could have run out.
    const now = this.now().getTime();
    const wall = this.clock();
    let next = Infinity;
    for (const i of this.pending.values()) next = Math.min(next, Math.max(this.pending.dueMs(i) - now, (this.claimedElsewhere.get(i.id) ?? 0) - wall));
    this.timer = setTimeout(() => this.kick(), Math.max(10, Math.min(next, 60_000)));
    this.timer.unref?.();
  }

  /** Waits until nothing is pending (tests and graceful shutdown). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    await this.ready;
    for (;;) {
      if (!this.running && !this.pending.size && !this.settlingLate) return;
      if (Date.now() > until) throw new Error('outbox did not drain in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** How many items wait to be sent. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** When the oldest waiting item was queued (ms), for the backlog's age. */
  get oldestQueuedAt(): number | undefined {
    let oldest: number | undefined;
    for (const i of this.pending.values()) oldest = Math.min(oldest ?? Infinity, Date.parse(i.createdAt));
    return oldest;
  }

  /**
   * Stops taking posts and resolves once the sends already under way have been answered, saved
   * and their claims given back (a post claimed but not yet sent is given back at once), so
   * another instance takes the rest straight away. A send that never answers keeps its claim: the
   * post may have gone out, and its lease running out is what then lets another instance ask.
   */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.resync.stop();
    this.unwatch();
    this.nudge();
    return Promise.allSettled([...this.active]).then(() => undefined);
  }
}
