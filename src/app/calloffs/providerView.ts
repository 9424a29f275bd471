import { providerProfile, type ProviderProfile } from '../../domain/anonymise.js';
import { inCurrentRound } from '../../domain/award.js';
import type { RequestState } from '../../domain/request.js';
import { bidId, type Bid } from '../../domain/calloff.js';
import type { BrokerageStore } from '../../store/collections.js';
import { rankingOf } from '../award/shared.js';
import type { OpenCallOff } from './access.js';

/**
 * Everything one provider may see of a call-off before it has accepted the award: the
 * allow-listed profile, where the call-off stands, the answered clarifications (never who asked),
 * its own offer and its own award. Every provider-bound card and notice is drawn from this alone,
 * so nothing private in the request can reach a provider by a slip in a view: the views never get
 * the request.
 */
export interface ProviderCallOff {
  providerId: string;
  profile: ProviderProfile;
  state: RequestState;
  deadline: string;
  closedAt?: string;
  /** The current sequential round's tier. */
  roundTier?: string;
  /** False once the cascade reopened the call-off to other providers only. */
  inCurrentRound: boolean;
  cascadeOpenedAt?: string;
  /** A sequential offer ended by an acceptance: whether this provider's, or another's. */
  acceptedBy?: 'us' | 'another';
  declined?: { reason: string };
  clarifications: { id: string; question: string; answer: string }[];
  cancelledAt?: string;
  /** The award as far as this provider may know it: made outside the framework, to another provider, or its own. */
  award?: { kind: 'off-contract'; at: string } | { kind: 'another'; accepted: boolean; at?: string } | { kind: 'ours' };
  /** This provider's own award, current or declined, with its own price. */
  ownAward?: { status: 'offered' | 'accepted' | 'declined' | 'placed'; approvedAt?: string; acceptedAt?: string; declinedAt?: string; declineReason?: string; weeklyPrice: number };
  /** The winning bid's total, once awarded (shown to unsuccessful bidders with their own scores). */
  winningTotal?: number;
}

export function providerCallOff(r: OpenCallOff, providerId: string): ProviderCallOff {
  const c = r.calloff;
  const offer = c.offers.find((o) => o.providerId === providerId);
  const ownBidId = bidId(r.id, providerId);
  const ours = r.award?.providerId === providerId ? r.award : r.declinedAwards?.find((x) => x.providerId === providerId);
  let award: ProviderCallOff['award'];
  if (r.state === 'awarded' && r.award?.offContract) award = { kind: 'off-contract', at: r.award.recordedAt! };
  else if (r.award?.providerId === providerId) award = { kind: 'ours' };
  else if (r.state === 'awarded' && r.award) award = { kind: 'another', accepted: r.award.status === 'accepted', at: r.award.acceptedAt };
  return {
    providerId,
    profile: providerProfile(r, r.ageBand ?? '—'),
    state: r.state,
    deadline: c.deadline,
    closedAt: c.closedAt,
    roundTier: c.rounds.at(-1)?.tier,
    inCurrentRound: inCurrentRound(c, providerId),
    cascadeOpenedAt: c.cascade?.openedAt,
    acceptedBy: c.acceptedBid ? (c.acceptedBid === ownBidId ? 'us' : 'another') : undefined,
    declined: offer?.declined ? { reason: offer.declined.reason } : undefined,
    clarifications: c.clarifications.flatMap((q) => (q.answer ? [{ id: q.id, question: q.answer.question, answer: q.answer.text }] : [])),
    cancelledAt: r.state === 'cancelled' ? r.cancelled?.at : undefined,
    award,
    ownAward: ours && { status: ours.status, approvedAt: ours.approvedAt, acceptedAt: ours.acceptedAt, declinedAt: ours.declinedAt, declineReason: ours.declineReason, weeklyPrice: ours.weeklyPrice },
    winningTotal: r.state === 'awarded' ? r.award?.total : undefined,
  };
}

/** This provider's own result after an award it did not win: its own row of the ranking only. */
export interface OwnResult {
  weeklyPrice: number;
  compliant: boolean;
  reasons: string[];
  priceScore?: number;
  qualityScore: number;
  total?: number;
  rank?: number;
  compliantBids: number;
}

/**
 * The person's referral, for the provider that accepted the award and no one else: the one
 * provider-bound message that names the person, and only after acceptance.
 */
export interface Referral {
  ref: string;
  name: string;
  dateOfBirth: string;
  address: string;
  caseRef: string;
  acceptedAt: string;
  startDate: string;
  hoursPerWeek: number;
  weeklyPrice: number;
  ownerId: string;
  ownerName: string;
}

export function referralFor(r: OpenCallOff, providerId: string): Referral | undefined {
  const a = r.award;
  if (r.state !== 'awarded' || a?.status !== 'accepted' || a.providerId !== providerId || a.offContract) return undefined;
  const p = r.person;
  return { ref: r.id, name: p.name, dateOfBirth: p.dateOfBirth, address: `${p.address}, ${p.postcode}`, caseRef: p.caseRef, acceptedAt: a.acceptedAt!, startDate: r.package.startDate, hoursPerWeek: r.package.hoursPerWeek, weeklyPrice: a.weeklyPrice, ownerId: r.owner, ownerName: r.ownerName };
}

/** Everything a provider-bound message may draw on, loaded once: the view, its own bid, its own result, the referral if it is owed one. */
export interface ProviderSide {
  view: ProviderCallOff;
  bid?: Bid;
  result?: OwnResult;
  referral?: Referral;
}

export async function loadProviderSide(store: BrokerageStore, r: OpenCallOff, providerId: string): Promise<ProviderSide> {
  const bid = await store.get('bids', bidId(r.id, providerId));
  let result: OwnResult | undefined;
  if (r.state === 'awarded' && r.evaluation?.revealedAt) {
    const ranking = await rankingOf(store, r);
    const row = ranking?.rowsById.get(bidId(r.id, providerId));
    if (row) result = { weeklyPrice: row.weeklyPrice, compliant: row.compliant, reasons: row.reasons, priceScore: row.priceScore, qualityScore: row.qualityScore, total: row.total, rank: row.rank, compliantBids: ranking!.rows.filter((x) => x.compliant).length };
  }
  return { view: providerCallOff(r, providerId), bid, result, referral: referralFor(r, providerId) };
}
