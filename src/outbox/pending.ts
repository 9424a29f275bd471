import type { OutboxItem } from './item.js';

/**
 * The posts waiting to go, in the order they go: a retry whose wait is over before the fresh posts
 * queued with it, then the oldest. A retry is due later than the fresh posts queued with it, so
 * ordering by due time alone would hold every throttled post back until the whole broadcast had
 * gone, and then wait its Retry-After again.
 *
 * The order is kept, not searched for: the outbox asks for the next post dozens of times a second,
 * and a morning's reminders (thousands pending) scanned in full each time took a third of the
 * process (src/outbox/outbox.ts, pick). It is sorted again only after posts were added; a post
 * settled since is skipped where it stood.
 */
export class PendingPosts {
  private readonly items = new Map<string, OutboxItem>();
  private order: OutboxItem[] = [];
  private sorted = true;
  private readonly dueCache = new WeakMap<OutboxItem, number>();

  get size(): number {
    return this.items.size;
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  values(): IterableIterator<OutboxItem> {
    return this.items.values();
  }

  set(id: string, item: OutboxItem): void {
    this.items.set(id, item);
    this.order.push(item);
    this.sorted = false;
  }

  delete(id: string): void {
    this.items.delete(id);
  }

  /** When the item falls due (ms since epoch), parsed once. */
  dueMs(item: OutboxItem): number {
    let due = this.dueCache.get(item);
    if (due === undefined) this.dueCache.set(item, (due = Date.parse(item.dueAt)));
    return due;
  }

  /** Every pending item, in the order they go. */
  *inOrder(): Generator<OutboxItem> {
    if (!this.sorted || this.order.length > 2 * this.items.size + 64) {
      this.order = [...this.items.values()].sort(goesFirst);
      this.sorted = true;
    }
    for (const item of this.order) if (this.items.get(item.id) === item) yield item;
  }
}

/** Retries before fresh posts, then the oldest, then the one due first. */
function goesFirst(a: OutboxItem, b: OutboxItem): number {
  if (!!a.attempts !== !!b.attempts) return a.attempts ? -1 : 1;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0;
}
