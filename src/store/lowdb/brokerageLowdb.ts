import type { BrokerageStore, Collections } from '../collections.js';
import type { BrokerageReads } from '../reads.js';
import { LowdbStore } from './engine.js';
import { DERIVED, deriveIndexes, ensureIndexes, type IndexedStore } from './indexes.js';
import { lowdbReads } from './reads.js';
import { SHARDS } from './shards.js';

export type BrokerageLowdb = LowdbStore<Collections, BrokerageReads>;

/**
 * The brokerage on lowdb: the generic engine with the brokerage's shard plan, its named reads
 * (reads.ts) and its indexes (indexes.ts), rebuilt once on open if the folder predates them.
 */
export async function openBrokerageLowdb(dir: string, options: { now?: () => Date } = {}): Promise<BrokerageLowdb> {
  const store = await LowdbStore.open<Collections, BrokerageReads>(dir, {
    shards: SHARDS,
    now: options.now,
    reads: lowdbReads,
    derive: deriveIndexes,
    derived: DERIVED,
  });
  try {
    await ensureIndexes(store as unknown as IndexedStore);
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

export type { BrokerageStore };
