import type { BrokerageStore, Collections } from '../store/collections.js';
import { callOffOf } from '../store/collections.js';

/** Collections whose changes are bookkeeping, not something a person acted on. */
const BOOKKEEPING = new Set<keyof Collections>(['outbox', 'jobs', 'counters', 'receipts', 'installations']);

/**
 * Counts committed changes per call-off (its request and bids) and, under '*', to everything
 * else people change (framework, providers and their channels, users, settings, admission). Fed by the store's change feed, so
 * it costs nothing per click.
 */
export class Revisions {
  private readonly counts = new Map<string, number>();
  private unwatch?: (() => void)[];

  constructor(
    private readonly store: BrokerageStore,
    private readonly collections: (keyof Collections)[],
  ) {}

  /** Starts counting at the first answer stamped: only changes after an answer matter. */
  private watch(): void {
    this.unwatch ??= this.collections
      .filter((c) => !BOOKKEEPING.has(c))
      .map((c) => this.store.watch(c, (change) => this.bump(c === 'requests' || c === 'bids' || c === 'agreements' ? (callOffOf(change.id) ?? '*') : '*')));
  }

  private bump(subject: string): void {
    this.counts.set(subject, (this.counts.get(subject) ?? 0) + 1);
  }

  /**
   * A call-off's revision also moves with everything else people change (a channel registered
   * again, a user's role): an action on a call-off depends on those too. Counts only grow, so the
   * sum changes whenever either does.
   */
  of = (subject: string): number => {
    this.watch();
    return (this.counts.get(subject) ?? 0) + (subject === '*' ? 0 : (this.counts.get('*') ?? 0));
  };

  stop(): void {
    for (const u of this.unwatch ?? []) u();
  }
}

/** What a click is about: the call-off or request its card names, else everything else. */
export const subjectOf = (data: Record<string, unknown> | undefined): string => (typeof data?.ref === 'string' && callOffOf(data.ref)) || '*';
