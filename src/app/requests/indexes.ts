import type { BrokerageStore, Collections } from '../../store/collections.js';
import type { PackageRequest } from '../../domain/request.js';
import type { Tx } from '../../store/store.js';

/**
 * Small lists the store cannot answer without reading every call-off: a person's requests, and
 * the call-offs open for bids. Each is one document, kept in the transaction that changes it.
 */
export const ownerIndex = (aadObjectId: string) => `owner:${aadObjectId}`;
export const OPEN_INDEX = 'open-calloffs';
/** The requests something reportable happened to in a calendar month (UTC): submitted, published, the person's choice, awarded. */
export const monthIndex = (iso: string) => `month:${iso.slice(0, 7)}`;

/** Files a request under the month of each reportable moment it has had. */
export function indexMonths(tx: Tx<Collections>, r: PackageRequest): void {
  const moments = [r.submittedAt, r.calloff?.publishedAt, ...(r.choices ?? []).map((c) => c.at), r.award?.approvedAt, r.award?.recordedAt];
  for (const at of moments) if (at) addToIndex(tx, monthIndex(at), r.id);
}

/** Every request filed under a month that overlaps [from, to] (ISO days, widened a day for UK time). */
export async function requestsInMonths(store: BrokerageStore, from: string, to: string): Promise<PackageRequest[]> {
  const refs = new Set<string>();
  const start = new Date(`${from}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() - 1);
  const end = new Date(`${to}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  for (const m = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)); m <= end; m.setUTCMonth(m.getUTCMonth() + 1)) {
    for (const ref of (await store.get('indexes', monthIndex(m.toISOString())))?.refs ?? []) refs.add(ref);
  }
  return (await Promise.all([...refs].map((ref) => store.get('requests', ref)))).filter((r): r is PackageRequest => !!r);
}

export function addToIndex(tx: Tx<Collections>, key: string, ref: string): void {
  const index = tx.get('indexes', key) ?? { id: key, refs: [] };
  if (!index.refs.includes(ref)) tx.put('indexes', { ...index, refs: [...index.refs, ref] });
}

export function removeFromIndex(tx: Tx<Collections>, key: string, ref: string): void {
  const index = tx.get('indexes', key);
  if (index?.refs.includes(ref)) tx.put('indexes', { ...index, refs: index.refs.filter((r) => r !== ref) });
}

export function indexed(tx: Pick<Tx<Collections>, 'get'>, key: string): string[] {
  return tx.get('indexes', key)?.refs ?? [];
}

/** Bumped when an index is added, so the backfill runs again for it. */
const BACKFILLED = 'backfilled:3'; // 3: the months of the person's choices

/**
 * Fills the indexes once for data written before they existed (an upgraded data folder). A new
 * store has nothing to read and is marked at once; the marker makes it a one-off.
 */
export async function ensureIndexes(store: BrokerageStore): Promise<void> {
  if (await store.get('indexes', BACKFILLED)) return;
  const requests = await store.find('requests');
  await store.transact({ actor: 'system:indexes', action: 'indexes.backfill' }, (tx) => {
    for (const r of requests) {
      addToIndex(tx, ownerIndex(r.owner), r.id);
      if (r.state === 'open') addToIndex(tx, OPEN_INDEX, r.id);
      indexMonths(tx, r);
    }
    tx.put('indexes', { id: BACKFILLED, refs: [] });
  });
}
