import type { Criterion, Installation, Lot, Provider, Settings, User, Zone } from '../domain/framework.js';
import type { Entity } from './store.js';

/** An idempotency record: the result a keyed transaction returned the first time. */
export interface Receipt extends Entity {
  at: string;
  result: unknown;
}

/**
 * Every collection the brokerage keeps. Later features add theirs here; `SHARDS` says how many
 * files each is spread over so that a write rewrites only a small file.
 */
export type Collections = {
  lots: Lot & Entity;
  zones: Zone & Entity;
  providers: Provider & Entity;
  users: User & Entity;
  criteria: Criterion & Entity;
  settings: Settings & Entity;
  installations: Installation & Entity;
  receipts: Receipt;
};

export const SHARDS: Record<string, number> = {
  receipts: 16,
};

export type BrokerageStore = import('./store.js').Store<Collections>;
