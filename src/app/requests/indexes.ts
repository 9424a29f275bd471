import type { Collections } from '../../store/collections.js';
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
