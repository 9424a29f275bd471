import type { Entity } from './store.js';

/**
 * Re-reads the items a component keeps in memory (the outbox's pending posts, the scheduler's
 * jobs) besides hearing them from the change feed: notices can be lost (a database reconnect) and
 * another instance may have changed or stopped. What the feed said during a re-read wins over
 * what the read returned, which may be older.
 */
export class Resync<T extends Entity> {
  private touched?: Set<string>;
  private running = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly options: {
      read: () => Promise<T[]>;
      /** The ids held now. */
      held: () => Iterable<string>;
      track: (id: string, item: T | null) => void;
      /** An id a re-read must not drop though the read no longer returns it (e.g. a post being sent). */
      keep?: (id: string) => boolean;
    },
  ) {}

  /** The change feed told of this id: a re-read running now must not overwrite it. */
  heard(id: string): void {
    this.touched?.add(id);
  }

  async run(): Promise<void> {
    const touched = (this.touched = new Set());
    try {
      const seen = new Set<string>();
      for (const item of await this.options.read()) {
        seen.add(item.id);
        if (!touched.has(item.id)) this.options.track(item.id, item);
      }
      for (const id of [...this.options.held()]) if (!seen.has(id) && !touched.has(id) && !this.options.keep?.(id)) this.options.track(id, null);
    } finally {
      this.touched = undefined;
    }
  }

  /** Re-reads every `ms`, one at a time; `after` runs after each, `failed` hears why one could not. */
  every(ms: number, after: () => void, failed: (error: unknown) => void): void {
    this.stop();
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = true;
      this.run()
        .then(after, failed)
        .finally(() => (this.running = false));
    }, ms);
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
