import type { BrokerageStore, Collections } from '../../src/store/collections.js';

/**
 * Every item of a collection, for assertions: the port has no whole-collection read (use cases ask
 * the named reads), so tests ask the adapter, which here is lowdb.
 */
export async function scan<K extends keyof Collections & string>(store: BrokerageStore, collection: K): Promise<Collections[K][]> {
  const s = store as BrokerageStore & { scan?: (c: K) => Promise<Collections[K][]> };
  if (!s.scan) throw new Error('this store cannot scan a collection');
  return s.scan(collection);
}
