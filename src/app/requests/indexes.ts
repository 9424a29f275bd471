import type { BrokerageStore, Collections } from '../../store/collections.js';
import type { Tx } from '../../store/store.js';

/**
 * Small lists the store cannot answer without reading every call-off: a person's requests, and
 * the call-offs open for bids. Each is one document, kept in the transaction that changes it.
 */
export const ownerIndex = (aadObjectId: string) => `owner:${aadObjectId}`;
export const OPEN_INDEX = 'open-calloffs';

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

const BACKFILLED = 'backfilled';

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
    }
    tx.put('indexes', { id: BACKFILLED, refs: [] });
  });
}
