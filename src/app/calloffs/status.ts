import type { PackageRequest } from '../../domain/request.js';
import { bidId } from '../../domain/calloff.js';
import type { BrokerageStore } from '../../store/collections.js';
import { requirePermission, Who } from '../actor.js';
import { invalid, notFound } from '../errors.js';

export interface SealedStatus {
  request: PackageRequest;
  offered: number;
  /** Active bids: a count only, before and after the deadline alike; prices are for evaluation. */
  bids: number;
  declined: { reason: string; detail: string }[];
}

/** A call-off as council staff may see it while bids are sealed. */
export async function sealedStatus(store: BrokerageStore, who: Who, ref: string): Promise<SealedStatus> {
  await requirePermission(store, who, 'request.view');
  const r = await store.get('requests', ref.trim().toUpperCase());
  if (!r) throw notFound(`There is no request ${ref.trim().toUpperCase()}.`);
  if (!r.calloff) throw invalid({ ref: `${r.id} has not been published yet` }, `${r.id} has not been published yet${r.state === 'submitted' ? ': a broker can publish it' : ''}.`);
  const offers = r.calloff.offers;
  const bids = await Promise.all(offers.map((o) => store.get('bids', bidId(r.id, o.providerId))));
  return {
    request: r,
    offered: offers.length,
    bids: bids.filter((b) => b?.status === 'active').length,
    declined: offers.filter((o) => o.declined).map((o) => ({ reason: o.declined!.reason, detail: o.declined!.detail })),
  };
}
