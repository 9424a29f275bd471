import type { User } from '../../domain/framework.js';
import type { PackageRequest } from '../../domain/request.js';
import type { CallOff } from '../../domain/calloff.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { formatUk } from '../../domain/dates.js';
import { inCurrentRound } from '../../domain/award.js';
import { requirePermission, Who } from '../actor.js';
import { AppError, conflict, forbidden, notFound } from '../errors.js';

export type OpenCallOff = PackageRequest & { calloff: CallOff; package: NonNullable<PackageRequest['package']>; person: NonNullable<PackageRequest['person']> };

/** The provider user acting, with their provider taken from the store, never from the card. */
export async function providerUser(store: BrokerageStore, who: Who): Promise<User & { providerId: string }> {
  const user = await requirePermission(store, who, 'bid.submit');
  return user as User & { providerId: string };
}

/**
 * Loads a call-off for a provider action and checks it is theirs to act on: offered to their
 * provider, their provider still admitted, still open, before the deadline. A forged or stale
 * action is refused, and the refusal is audited.
 */
export async function loadForProvider(tx: BrokerageTx, user: User & { providerId: string }, ref: string, now: Date, opts: { mustBeOpen?: boolean } = {}): Promise<OpenCallOff> {
  const refusal = (e: AppError) => {
    tx.note('calloffs.refused', { ref, providerId: user.providerId, user: user.id, reason: e.message }, { keepOnAbort: true });
    return e;
  };
  // Both read at once (one round trip on a store that can), then checked in order.
  const [r, provider] = await Promise.all([tx.get('requests', ref.trim().toUpperCase()), tx.get('providers', user.providerId)]);
  if (!r?.calloff) throw refusal(notFound(`There is no call-off ${ref}.`));
  if (!r.calloff.offers.some((o) => o.providerId === user.providerId)) throw refusal(forbidden(`${r.id} was not offered to your organisation.`));
  if (provider?.status !== 'admitted') throw refusal(forbidden(`Your organisation is ${provider?.status ?? 'unknown'} on the framework, so it cannot act on call-offs.`));
  if (opts.mustBeOpen !== false) {
    if (r.state === 'cancelled') throw refusal(conflict(`${r.id} was cancelled by the council; no further action is needed.`)); // never the reason: it may name the person
    if (r.state !== 'open') throw refusal(conflict(`${r.id} closed at ${formatUk(r.calloff.closedAt ?? r.calloff.deadline)}; it no longer takes bids.`));
    if (!inCurrentRound(r.calloff, user.providerId)) throw refusal(conflict(`${r.id} is open again only to providers in neighbouring zones (the cascade round); your organisation's earlier bid has been considered.`));
    if (Date.parse(r.calloff.deadline) <= now.getTime()) throw refusal(conflict(`The deadline for ${r.id} passed at ${formatUk(r.calloff.deadline)}; late bids cannot be accepted.`));
  }
  return r as OpenCallOff;
}
