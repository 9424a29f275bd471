import { Bid, BidInput, bidId, NOT_INTERESTED_REASONS, priceMismatch } from '../../domain/calloff.js';
import { plainNumber } from '../../domain/numbers.js';
import { answerInput, BID_FIELD_KEYS, type BidFieldKey } from '../../domain/bidFields.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { unschedule } from '../../scheduler/scheduler.js';
import type { Who } from '../actor.js';
import { invalid } from '../errors.js';
import { loadForProvider, OpenCallOff, providerUser } from './access.js';
import { refreshAllProviderCards, refreshForNewBidVersion, refreshProviderCard, tellUsers } from './messages.js';
import { jobIds, REMINDERS } from './publish.js';
import { sequentialApproval } from '../award/decision.js';
import { ownCallOffOf, type OwnCallOff } from './views.js';
import { lookupsTx } from '../framework/lookups.js';
import { timed } from '../../telemetry/phases.js';

export { answerInput };

/** Card inputs → a bid candidate: one input per field of bidFields.ts, and one per quality question. */
export function bidCandidate(raw: Record<string, unknown>, questionIds: string[]) {
  const s = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v));
  return {
    ...(Object.fromEntries(BID_FIELD_KEYS.map((k) => [k, s(raw[k])])) as Record<BidFieldKey, string>),
    answers: Object.fromEntries(questionIds.map((q) => [q, s(raw[answerInput(q)])])),
  };
}

function checkBid(r: OpenCallOff, raw: Record<string, unknown>): { ok: true; bid: BidInput } | { ok: false; errors: Record<string, string> } {
  const questionIds = r.package.questions.map((q) => q.id);
  const parsed = BidInput.safeParse(bidCandidate(raw, questionIds));
  const errors: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, key] = issue.path;
      const field = head === 'answers' && typeof key === 'string' ? answerInput(key) : String(head);
      errors[field] ??= issue.message;
    }
  }
  const candidate = bidCandidate(raw, questionIds);
  for (const q of r.package.questions) if (!candidate.answers[q.id]) errors[answerInput(q.id)] ??= 'please answer this question';
  if (candidate.earliestStart && candidate.earliestStart < r.package.startDate) errors.earliestStart ??= `the package starts on ${r.package.startDate}; your start cannot be earlier than that`;
  // Checked whenever the three numbers are readable, so it shows with the other errors, not after them.
  const [weeklyPrice, hourlyRate, hoursPerWeek] = [candidate.weeklyPrice, candidate.hourlyRate, candidate.hoursPerWeek].map((v) => plainNumber(v, { money: true }));
  const expected = [weeklyPrice, hourlyRate, hoursPerWeek].every((n) => Number.isFinite(n) && n > 0) ? priceMismatch({ weeklyPrice, hourlyRate, hoursPerWeek }) : undefined;
  if (expected !== undefined && !candidate.priceNote) errors.priceNote = `the weekly price is not hourly rate × hours (£${expected.toFixed(2)}); say why`;
  if (Object.keys(errors).length || !parsed.success) return { ok: false, errors };
  return { ok: true, bid: parsed.data };
}

/** The call-off comes back either way, as it stands after the bid, so the reply needs no second read. */
export type BidResult = ({ ok: true; bid: Bid; request: OpenCallOff; unchanged: boolean } | { ok: false; errors: Record<string, string>; request: OpenCallOff }) & {
  /** The provider's own view for the reply (the card, or the form again with its errors). */
  own: OwnCallOff;
};

/**
 * Submits or amends the provider's bid. The provider comes from the user record; every version
 * is kept and the last counts. The same bid sent twice (a double click, a retried invoke) makes
 * one version. In a sequential offer, a bid that meets the request accepts the offer and ends the rounds.
 */
export async function submitBid(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<BidResult> {
  const user = await timed('load', () => providerUser(store, who));
  return store.transact({ actor: user.id, action: 'bids.submit' }, async (tx) => {
    // The provider's earlier bid and the names the reply shows are read with the call-off (one
    // round trip on a store that can); awaited below unless the call-off is refused first.
    const earlier = tx.get('bids', bidId(ref.trim().toUpperCase(), user.providerId));
    const lookups = lookupsTx(tx);
    for (const read of [earlier, lookups]) read.catch(() => undefined);
    const r = await timed('load', () => loadForProvider(tx, user, ref, now));
    const check = timed('validate', () => checkBid(r, raw));
    const view = (of: OpenCallOff) => timed('view', () => ownCallOffOf(tx, of, user.providerId, lookups));
    if (!check.ok) return { ...check, request: r, own: await view(r) };
    const id = bidId(r.id, user.providerId);
    const existing = await earlier;
    const last = existing?.status === 'active' ? existing.versions.at(-1) : undefined;
    if (last && sameBid(last, check.bid)) return { ok: true as const, bid: existing!, request: r, unchanged: true, own: await view(r) };
    const version = { ...check.bid, version: (existing?.versions.length ?? 0) + 1, at: now.toISOString(), by: user.id };
    const bid: Bid = { id, ref: r.id, providerId: user.providerId, status: 'active', versions: [...(existing?.versions ?? []), version], submittedAt: now.toISOString() };
    tx.put('bids', bid);
    const offer = r.calloff.offers.find((o) => o.providerId === user.providerId)!;
    if (offer.declined) {
      offer.declined = undefined;
      tx.put('requests', r);
    }
    refreshForNewBidVersion(tx, now, r, user.providerId, version.version);
    // The call-off as it stands after the bid: changed only when the bid accepted a sequential offer.
    const after = r.package.mode === 'sequential' && meetsRequest(r, check.bid) ? await acceptOffer(tx, r, bid, now) : r;
    return { ok: true as const, bid, request: after, unchanged: false, own: await view(after) };
  });
}

/** Field by field, whatever order the keys were stored in. */
const canonical = (b: BidInput) => JSON.stringify([...BID_FIELD_KEYS.map((k) => b[k]), Object.entries(b.answers).sort(([x], [y]) => x.localeCompare(y))]);
const sameBid = (a: BidInput, b: BidInput) => canonical(a) === canonical(b);

/** Mandatory needs: the hours, the start date and the carer gender and language needs. */
export function meetsRequest(r: OpenCallOff, b: BidInput): boolean {
  return b.hoursPerWeek >= r.package.hoursPerWeek && b.earliestStart <= r.package.startDate && (r.package.carerGender === 'no preference' || b.meetsCarerGender === 'yes') && (!r.package.languageNeeds || b.meetsLanguage === 'yes');
}

/** Sequential offer: the first acceptance that meets the request ends the rounds (an award still needs approval). */
async function acceptOffer(tx: BrokerageTx, r: OpenCallOff, bid: Bid, now: Date): Promise<OpenCallOff> {
  const next: OpenCallOff = { ...r, state: 'closed', calloff: { ...r.calloff, closedAt: now.toISOString(), acceptedBid: bid.id }, updatedAt: now.toISOString() };
  tx.put('requests', next);
  const ids = jobIds(r.id);
  await unschedule(tx, ids.round);
  for (const [name] of REMINDERS) await unschedule(tx, ids.remind(name));
  await refreshAllProviderCards(tx, now, next, 'accepted');
  await tellUsers(tx, now, [r.owner, r.calloff.publishedBy].filter((u) => !u.startsWith('system')), `accepted:${r.id}`, { kind: 'calloff.accepted', ref: r.id, providerId: bid.providerId });
  return await sequentialApproval(tx, next, bid, now); // straight to the managers (issue 5)
}

export async function withdrawBid(store: BrokerageStore, who: Who, ref: string, now: Date): Promise<Bid | undefined> {
  const user = await providerUser(store, who);
  return store.transact({ actor: user.id, action: 'bids.withdraw' }, async (tx) => {
    const r = await loadForProvider(tx, user, ref, now);
    const bid = await tx.get('bids', bidId(r.id, user.providerId));
    if (!bid || bid.status === 'withdrawn') return bid; // nothing to withdraw, or a repeat
    const next: Bid = { ...bid, status: 'withdrawn', withdrawnAt: now.toISOString() };
    tx.put('bids', next);
    await refreshProviderCard(tx, now, r, user.providerId, `withdrawn-${bid.versions.length}`);
    return next;
  });
}

/** "Not interested", with a reason kept for market intelligence. */
export async function declineOffer(store: BrokerageStore, who: Who, ref: string, reason: string, detail: string, now: Date): Promise<OpenCallOff> {
  const user = await providerUser(store, who);
  return store.transact({ actor: user.id, action: 'offers.decline' }, async (tx) => {
    const r = await loadForProvider(tx, user, ref, now);
    if (!(NOT_INTERESTED_REASONS as readonly string[]).includes(reason)) throw invalid({ reason: 'choose a reason' });
    if (reason === 'other' && detail.trim().length < 5) throw invalid({ detail: 'say a little more (at least 5 characters)' });
    const offer = r.calloff.offers.find((o) => o.providerId === user.providerId)!;
    if (offer.declined) return r;
    const bid = await tx.get('bids', bidId(r.id, user.providerId));
    if (bid?.status === 'active') throw invalid({ reason: 'your organisation has a bid in; withdraw it first' });
    offer.declined = { reason, detail: detail.trim(), by: user.id, at: now.toISOString() };
    tx.put('requests', r);
    await refreshProviderCard(tx, now, r, user.providerId, 'declined');
    return r;
  });
}

/** The provider's own bid, for the form that amends it. Never another provider's. */
export async function ownBid(store: BrokerageStore, who: Who, ref: string, now: Date): Promise<{ request: OpenCallOff; bid?: Bid }> {
  const user = await providerUser(store, who);
  return store.transact({ actor: user.id, action: 'bids.view' }, async (tx) => {
    const r = await loadForProvider(tx, user, ref, now, { mustBeOpen: false });
    return { request: r, bid: await tx.get('bids', bidId(r.id, user.providerId)) };
  });
}
