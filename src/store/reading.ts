import type { BrokerageStore, BrokerageTx, Collections } from './collections.js';
import type { ReferenceCollection } from './reads.js';

/**
 * Asks the named reads outside a use case (views, reports, start-up): a transaction that stages
 * nothing, so it writes nothing and audits nothing, and sees committed state.
 */
export function reading<T>(store: BrokerageStore, fn: (tx: BrokerageTx) => Promise<T>): Promise<T> {
  return store.transact({ actor: 'system:read', action: 'read' }, fn);
}

/** A small reference collection, whole. */
export function listOf<K extends ReferenceCollection>(store: BrokerageStore, collection: K): Promise<Collections[K][]> {
  return reading(store, (tx) => tx.list(collection));
}
