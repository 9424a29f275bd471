import type { Entity } from '../store.js';
import type { Collections } from '../collections.js';
import { daysBetween, latestTryFirst, reportableMoments, requestFigures, type BrokerageReads, type ReferenceCollection } from '../reads.js';
import type { PackageRequest } from '../../domain/request.js';
import { bidId, type Bid } from '../../domain/calloff.js';
import type { OutboxItem } from '../../outbox/item.js';
import type { TxView } from './engine.js';
import { AGREEMENTS_KEY, approvalMonthKey, failedDayKey, JOBS_KEY, monthKey, OPEN_KEY, ownerKey, refsOf, WAITING_APPROVALS_KEY } from './indexes.js';
import type { Approval } from '../../domain/approvals.js';

/**
 * The named reads over lowdb: the candidates are an index document's refs plus whatever this
 * transaction staged in the collection; each is read as the transaction sees it and kept only if
 * it still answers the question. So staged puts and deletes show, and an index that lags (it is
 * written at commit) never gives a wrong answer. Nothing here scans a collection that grows.
 */
export function lowdbReads(view: TxView): BrokerageReads {
  const indexed = (doc: string) => refsOf('indexes', view.get('indexes', doc));
  const pick = <T extends Entity>(collection: string, refs: Iterable<string>, keep: (item: T) => boolean = () => true): T[] => {
    const ids = new Set(refs);
    for (const id of view.staged(collection).keys()) ids.add(id);
    const out: T[] = [];
    for (const id of ids) {
      const item = view.get(collection, id) as T | undefined;
      if (item && keep(item)) out.push(item);
    }
    return structuredClone(out);
  };
  // Only what is kept is copied: a provider card's refresh asks for one provider's users, not every user's copy.
  const list = <K extends ReferenceCollection>(collection: K, keep: (item: Collections[K]) => boolean = () => true): Collections[K][] => {
    const mine = view.staged(collection);
    const out = (view.committedAll(collection) as Collections[K][]).filter((item) => !mine.has(item.id) && keep(item));
    for (const after of mine.values()) if (after && keep(after as Collections[K])) out.push(after as Collections[K]);
    return structuredClone(out);
  };
  const months = (from: string, to: string, key: (iso: string) => string): string[] => {
    const refs: string[] = [];
    for (const m = new Date(`${from.slice(0, 7)}-01T00:00:00Z`); m.toISOString().slice(0, 10) <= to; m.setUTCMonth(m.getUTCMonth() + 1)) refs.push(...indexed(key(m.toISOString())));
    return refs;
  };
  const activeBetween = (from: string, to: string): PackageRequest[] => {
    const refs = months(from, to, monthKey);
    return pick<PackageRequest>('requests', refs, (r) => reportableMoments(r).some((at) => at.slice(0, 10) >= from && at.slice(0, 10) <= to));
  };
  // A call-off's bids live in its own file, one per offered provider (bidId): the offers name them.
  const bidsOf = (refs: readonly string[]): Bid[] => {
    const wanted = new Set(refs);
    const ids: string[] = [];
    for (const ref of wanted) for (const o of (view.get('requests', ref) as PackageRequest | undefined)?.calloff?.offers ?? []) ids.push(bidId(ref, o.providerId));
    return pick<Bid>('bids', ids, (b) => wanted.has(b.ref));
  };
  return {
    list: async (collection) => list(collection),
    usersWithRole: async (role) => list('users', (u) => u.roles.includes(role)),
    providerUsers: async (providerId) => list('users', (u) => u.roles.includes('provider') && u.providerId === providerId),
    openCallOffs: async () => pick<PackageRequest>('requests', indexed(OPEN_KEY), (r) => r.state === 'open'),
    requestsOf: async (owner) => pick<PackageRequest>('requests', indexed(ownerKey(owner)), (r) => r.owner === owner),
    requestsActiveBetween: async (from, to) => activeBetween(from, to),
    requestFiguresBetween: async (from, to) => {
      const requests = activeBetween(from, to);
      const active = new Map<string, number>();
      for (const b of bidsOf(requests.filter((r) => r.calloff).map((r) => r.id))) if (b.status === 'active') active.set(b.ref, (active.get(b.ref) ?? 0) + 1);
      return requests.map((r) => requestFigures(r, active.get(r.id) ?? 0));
    },
    bidsOf: async (refs) => bidsOf(refs),
    agreements: async () => pick('agreements', indexed(AGREEMENTS_KEY)),
    pendingPosts: async () =>
      pick<OutboxItem>(
        'outbox',
        view.committedAll('outboxPending').map((p) => p.id),
        (o) => o.status === 'pending',
      ),
    postsOfBatch: async (batchId) => pick<OutboxItem>('outbox', refsOf('outboxBatches', view.get('outboxBatches', batchId)), (o) => o.batch?.id === batchId),
    failedPostsBetween: async (from, to) => {
      const days = daysBetween(from, to);
      const within = new Set(days);
      return pick<OutboxItem>('outbox', days.flatMap((d) => indexed(failedDayKey(d))), (o) => o.status === 'failed' && within.has(o.dueAt.slice(0, 10))).sort(latestTryFirst);
    },
    jobs: async () => pick('jobs', indexed(JOBS_KEY)),
    waitingApprovals: async () => pick<Approval>('approvals', indexed(WAITING_APPROVALS_KEY), (a) => a.status === 'waiting'),
    approvalsRaisedBetween: async (from, to) => pick<Approval>('approvals', months(from, to, approvalMonthKey), (a) => a.raisedAt.slice(0, 10) >= from && a.raisedAt.slice(0, 10) <= to),
  };
}
