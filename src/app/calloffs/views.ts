/**
 * The call-off's read side for the provider who clicked: its allow-listed view of the call-off,
 * its own bid and the names the card needs. Computed once, by the use case that acted (inside its
 * transaction) or by the query below; bot/ only draws it.
 */
import { bidId, type Bid } from '../../domain/calloff.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import type { Who } from '../actor.js';
import { lookupsTx, type Lookups } from '../framework/lookups.js';
import { loadForProvider, providerUser, type OpenCallOff } from './access.js';
import { providerCallOff, type ProviderCallOff } from './providerView.js';

export interface OwnCallOff {
  /** The allow-listed view: never the request itself. */
  view: ProviderCallOff;
  /** This provider's own bid (its price included: only the clicker sees this reply). */
  bid?: Bid;
  lookups: Lookups;
}

/** `lookups` when the caller already asked for them. */
export async function ownCallOffOf(tx: BrokerageTx, r: OpenCallOff, providerId: string, lookups?: Promise<Lookups>): Promise<OwnCallOff> {
  const [bid, names] = await Promise.all([tx.get('bids', bidId(r.id, providerId)), lookups ?? lookupsTx(tx)]);
  return { view: providerCallOff(r, providerId), bid, lookups: names };
}

/** The provider's own view of a call-off, open or not. Never another provider's bid. */
export async function ownCallOff(store: BrokerageStore, who: Who, ref: string, now: Date): Promise<OwnCallOff> {
  const user = await providerUser(store, who);
  return store.transact({ actor: user.id, action: 'bids.view' }, async (tx) => await ownCallOffOf(tx, await loadForProvider(tx, user, ref, now, { mustBeOpen: false }), user.providerId));
}
