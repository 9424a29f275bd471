import type { Activity } from 'botbuilder';
import { bidId } from '../../src/domain/calloff.js';
import { formatUk } from '../../src/domain/dates.js';
import { show2 } from '../../src/domain/scoring.js';
import type { OutboxItem } from '../../src/outbox/outbox.js';
import type { OpenCallOff } from '../../src/app/calloffs/access.js';
import { blindView } from '../../src/app/award/evaluation.js';
import { chosenBid } from '../../src/app/award/decision.js';
import { rankingOf, type RankingView } from '../../src/app/award/shared.js';
import { DEFAULT_SETTINGS, SETTINGS_ID } from '../../src/app/framework/entities.js';
import type { Deps } from '../deps.js';
import type { CardJson } from '../render.js';
import { approvalCard, awardCard, awardOfferCard, cascadeCard, evaluationForm, rankingCard, type ApprovalView } from './awardCards.js';
import { card, gbp, text } from './format.js';


/** Provider names for a set of bids, by bid id (council eyes only, after prices are revealed). */
export async function bidNames(deps: Deps, r: OpenCallOff): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const o of r.calloff.offers) names.set(bidId(r.id, o.providerId), (await deps.store.get('providers', o.providerId))?.name ?? o.providerId);
  return names;
}

export async function rankingCardFor(deps: Deps, r: OpenCallOff, o: Parameters<typeof rankingCard>[3]): Promise<CardJson | undefined> {
  const ranking = await rankingOf(deps.store, r);
  if (!ranking) return undefined;
  return rankingCard(r, ranking, await bidNames(deps, r), o);
}

/** The approval card for choice `n`, as it stands now: open, decided, or out of date. */
export async function approvalCardFor(deps: Deps, r: OpenCallOff, n: number, extra: Pick<ApprovalView, 'notice' | 'error' | 'values' | 'errors'> = {}): Promise<CardJson | undefined> {
  const choice = r.choices?.find((c) => c.n === n);
  if (!choice) return undefined;
  const bid = await deps.store.get('bids', choice.bidId);
  if (!bid) return undefined;
  const settings = (await deps.store.get('settings', SETTINGS_ID)) ?? DEFAULT_SETTINGS;
  const ranking: RankingView | undefined = choice.sequential ? undefined : await rankingOf(deps.store, r);
  const decision = r.decisions?.find((d) => d.n === n);
  const current = r.choices!.at(-1)!.n === n;
  const stale = decision ? undefined : r.state === 'cancelled' ? `${r.id} was cancelled: ${r.cancelled?.reason ?? ''}` : !current || r.state !== 'awaiting_approval' ? 'This approval card is out of date.' : undefined;
  return approvalCard({
    request: r,
    n,
    chosen: chosenBid(r, choice, bid, settings.minHourlyRate, ranking?.rowsById.get(choice.bidId)),
    providerName: (await deps.store.get('providers', choice.providerId))?.name ?? choice.providerId,
    ranking,
    names: await bidNames(deps, r),
    decision,
    stale,
    minHourlyRate: settings.minHourlyRate,
    ...extra,
  });
}

/** What the unsuccessful bidder is told: its own price and scores and the winning total, nobody else's price. */
async function outcomeCard(deps: Deps, r: OpenCallOff, providerId: string): Promise<CardJson | 'skip'> {
  if (r.state !== 'awarded' || !r.award || r.award.providerId === providerId) return 'skip';
  const ranking = await rankingOf(deps.store, r);
  const row = ranking?.rowsById.get(bidId(r.id, providerId));
  if (!row) return 'skip';
  const lines = [
    `Your bid: ${gbp(row.weeklyPrice)} a week.`,
    row.compliant
      ? `Your scores: price ${show2(row.priceScore)} of ${r.package.costWeight}, quality ${show2(row.qualityScore)} of ${r.package.qualityWeight}, total ${show2(row.total)} (ranked ${row.rank} of ${ranking!.rows.filter((x) => x.compliant).length}).`
      : `Your bid was not ranked: it was non-compliant (${row.reasons.join('; ')}). Quality score ${show2(row.qualityScore)} of ${r.package.qualityWeight}.`,
    `The winning bid's total: ${show2(r.award.total)}.`,
  ];
  return awardCard({ title: `Call-off ${r.id}: outcome`, status: 'Your bid was not successful this time. Thank you for bidding.', statusStyle: 'emphasis', rows: [{ title: 'Your result', lines }], footer: 'Only your own price and scores are shown; other bidders’ prices are never shared.' });
}

/** The referral, only to the provider that accepted the award, in its own channel. */
function referralCard(r: OpenCallOff, providerId: string, socialWorker: string): CardJson | 'skip' {
  if (r.state !== 'awarded' || r.award?.status !== 'accepted' || r.award.providerId !== providerId) return 'skip';
  const p = r.person;
  return awardCard({
    title: `Referral for ${r.id}`,
    subtitle: 'Confidential: for your organisation’s care coordinators only.',
    status: `Awarded to your organisation, accepted ${formatUk(r.award.acceptedAt!)}. Start ${formatUk(`${r.package.startDate}T12:00:00Z`, false)}, ${r.package.hoursPerWeek} hours a week at ${gbp(r.award.weeklyPrice)} a week.`,
    statusStyle: 'good',
    facts: [
      { title: 'Name', value: p.name },
      { title: 'Date of birth', value: formatUk(`${p.dateOfBirth}T12:00:00Z`, false) },
      { title: 'Address', value: `${p.address}, ${p.postcode}` },
      { title: 'Case reference', value: p.caseRef },
      { title: 'Social worker', value: `${socialWorker} (contact them through the council; they are told you accepted)` },
    ],
  });
}

/** Renders the award, evaluation and cascade messages; undefined for kinds that are not ours. */
export async function renderAwardMessage(deps: Deps, item: OutboxItem, request: OpenCallOff | undefined): Promise<Partial<Activity> | 'skip' | undefined> {
  const m = item.message;
  if (!/^(evaluation|award|cascade)\./.test(m.kind)) return undefined;
  const r = request;
  if (!r?.calloff) return 'skip';
  const providerId = 'providerId' in item.target ? item.target.providerId : undefined;
  const name = async (id?: string) => (id ? ((await deps.store.get('providers', id))?.name ?? id) : '');
  switch (m.kind) {
    case 'evaluation.card': {
      if (r.evaluation?.round !== m.round) return 'skip';
      const v = await blindView(deps.store, r, String(m.label));
      return card(evaluationForm(r, v.bid, v.evaluation));
    }
    case 'evaluation.ranking': {
      const c = await rankingCardFor(deps, r, { canChoose: true });
      return c ? card(c) : 'skip';
    }
    case 'award.approval': {
      const c = await approvalCardFor(deps, r, Number(m.n));
      return c ? card(c) : 'skip';
    }
    case 'award.approved':
      return text(`A manager approved the award of ${r.id} to ${r.award?.providerName ?? (await name(r.declinedAwards?.at(-1)?.providerId))}. The provider has been asked to accept; the referral details go to it only when it does.`);
    case 'award.rejected': {
      const d = r.decisions?.find((x) => x.n === m.n);
      return text(`${d?.byName ?? 'A manager'} rejected the choice for ${r.id}: ${d?.reason ?? ''}. It is back to evaluated: record the person's choice again from the ranking (\`evaluate ${r.id}\`).`);
    }
    case 'award.accepted':
      return text(`${r.award?.providerName ?? 'The provider'} accepted the award of ${r.id} (${r.award ? gbp(r.award.weeklyPrice) : ''} a week). Its channel has the referral details; every other bidder has been told the outcome.`);
    case 'award.declined': {
      const a = r.declinedAwards?.find((x) => x.choiceN === m.n);
      return text(`${a?.providerName ?? 'The provider'} declined the award of ${r.id}${a?.declineReason ? `: ${a.declineReason}` : ''}. ${r.cascadeOffer ? 'No compliant bid is left, so the brokers have been offered the cascade.' : "Its bid is out of the choice; record the person's choice again from the ranking."}`);
    }
    case 'award.offer':
      return providerId ? card(awardOfferCard(r, { providerId })) : 'skip';
    case 'award.referral': {
      if (!providerId) return 'skip';
      const sw = (await deps.store.get('users', r.owner))?.name ?? r.ownerName;
      const c = referralCard(r, providerId, sw);
      return c === 'skip' ? c : card(c);
    }
    case 'award.outcome': {
      if (!providerId) return 'skip';
      const c = await outcomeCard(deps, r, providerId);
      return c === 'skip' ? c : card(c);
    }
    case 'award.outcome.earlier': {
      // A first-round bid, before the cascade: its own price only; the winning bid came from another round.
      const own = providerId ? (await deps.store.get('bids', bidId(r.id, providerId)))?.versions.at(-1) : undefined;
      if (!own || r.state !== 'awarded' || !r.award) return 'skip';
      return text(`Call-off ${r.id}: your bid (${gbp(own.weeklyPrice)} a week) was not successful. No bid in the first round could be awarded, so the council offered it to providers in neighbouring zones, and it has now been placed. Thank you for bidding.`);
    }
    case 'award.off-contract':
      return r.award?.offContract ? text(`${r.id} has been placed off-contract with ${r.award.providerName} at ${gbp(r.award.weeklyPrice)} a week${r.award.overBudget ? ' (over budget)' : ''}. Reason: ${r.award.reason}. It is reported to commissioning as an off-contract placement.`) : 'skip';
    case 'cascade.offer':
      return card(cascadeCard(r, undefined));
    case 'cascade.told':
      return text(`${r.id} has no compliant bid (${r.cascadeOffer?.why ?? 'see the call-off'}). The brokers have been asked to run the cascade: neighbouring zones first, then an off-contract placement.`);
    case 'cascade.opened':
      return text(`${r.id} has been offered to ${r.calloff.cascade?.providerIds.length ?? 0} provider(s) in neighbouring zones until ${formatUk(r.calloff.deadline)}. You will get the new bids to evaluate when it closes.`);
    default:
      return undefined;
  }
}
