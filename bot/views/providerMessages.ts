import type { Activity } from 'botbuilder';
import { formatUk } from '../../src/domain/dates.js';
import { show2 } from '../../src/domain/scoring.js';
import type { ProviderSide, Referral } from '../../src/app/calloffs/providerView.js';
import type { CardJson } from '../render.js';
import type { Lookups } from './requestCards.js';
import { noCard, type ProviderNotification } from '../../src/app/notifications.js';
import { awardCard, awardOfferCard } from './awardCards.js';
import { providerCard, withRefresh, type CardRefresh } from './calloffCards.js';
import { noticeCard } from './notice.js';
import { card, gbp, text } from './format.js';

/** The message kinds that go to a provider's channel; anything else addressed to one is dropped. */
export { PROVIDER_KINDS } from '../../src/app/notifications.js';

/**
 * The one way out to providers: every message for a provider's channel is drawn here from what
 * that provider may see (`ProviderSide`: the allow-listed profile, its own bid, result and award),
 * never from the request. The referral is the one message that names the person, and `side.referral`
 * exists only for the provider that accepted the award.
 */
export function renderProviderMessage(m: ProviderNotification, side: ProviderSide, l: Lookups, now: Date, refresh?: CardRefresh): Partial<Activity> | 'skip' {
  const v = side.view;
  const ref = v.profile.ref;
  switch (m.kind) {
    case 'calloff.card':
      return card(refresh ? withRefresh(providerCard(v, l, { bid: side.bid, now }), ref, refresh) : providerCard(v, l, { bid: side.bid, now }));
    case 'calloff.reminder':
      return text(`Reminder: call-off ${ref} closes ${m.reminder === '2h' ? 'in 2 hours' : 'in 24 hours'}, at ${formatUk(v.deadline)}. Bid, or tell the council you are not interested, from the call-off card in this channel.`);
    case 'calloff.extended':
      // The reason passed the leak check when the broker gave it (src/app/calloffs/deadline.ts).
      return text(`The deadline for call-off ${ref} has been extended to ${formatUk(String(m.to))}. Reason: ${String(m.reason)}.`);
    case 'calloff.cancelled':
      return text(`Call-off ${ref} has been cancelled by the council. No further action is needed; any bid you made will not be considered.`);
    case 'calloff.answer': {
      const c = v.clarifications.find((x) => x.id === m.questionId);
      if (!c) return 'skip';
      return card(noticeCard({ title: `Clarification on call-off ${ref}`, lines: [`**Q:** ${c.question}`, `**A:** ${c.answer}`], footer: 'Sent to every provider offered this call-off; the call-off card lists all answers.' }));
    }
    case 'award.offer':
      return card(awardOfferCard(v, {}));
    case 'award.referral':
      return side.referral ? card(referralCard(side.referral)) : 'skip';
    case 'award.outcome': {
      const row = side.result;
      if (v.state !== 'awarded' || v.award?.kind === 'ours' || !row) return 'skip';
      const p = v.profile;
      const lines = [
        `Your bid: ${gbp(row.weeklyPrice)} a week.`,
        row.compliant
          ? `Your scores: price ${show2(row.priceScore!)} of ${p.costWeight}, quality ${show2(row.qualityScore)} of ${p.qualityWeight}, total ${show2(row.total!)} (ranked ${row.rank} of ${row.compliantBids}).`
          : `Your bid was not ranked: it was non-compliant (${row.reasons.join('; ')}). Quality score ${show2(row.qualityScore)} of ${p.qualityWeight}.`,
        `The winning bid's total: ${show2(v.winningTotal)}.`,
      ];
      return card(awardCard({ title: `Call-off ${ref}: outcome`, status: 'Your bid was not successful this time. Thank you for bidding.', statusStyle: 'emphasis', rows: [{ title: 'Your result', lines }], footer: 'Only your own price and scores are shown; other bidders’ prices are never shared.' }));
    }
    case 'award.outcome.earlier': {
      // A first-round bid, before the cascade: its own price only; the winning bid came from another round.
      const own = side.bid?.versions.at(-1);
      if (!own || v.state !== 'awarded' || !v.award) return 'skip';
      return text(`Call-off ${ref}: your bid (${gbp(own.weeklyPrice)} a week) was not successful. No bid in the first round could be awarded, so the council offered it to providers in neighbouring zones, and it has now been placed. Thank you for bidding.`);
    }
    default:
      return noCard(m);
  }
}

/** The referral, only to the provider that accepted the award, in its own channel. */
function referralCard(x: Referral): CardJson {
  return awardCard({
    title: `Referral for ${x.ref}`,
    subtitle: 'Confidential: for your organisation’s care coordinators only.',
    status: `Awarded to your organisation, accepted ${formatUk(x.acceptedAt)}. Start ${formatUk(`${x.startDate}T12:00:00Z`, false)}, ${x.hoursPerWeek} hours a week at ${gbp(x.weeklyPrice)} a week.`,
    statusStyle: 'good',
    facts: [
      { title: 'Name', value: x.name },
      { title: 'Date of birth', value: formatUk(`${x.dateOfBirth}T12:00:00Z`, false) },
      { title: 'Address', value: x.address },
      { title: 'Case reference', value: x.caseRef },
      { title: 'Social worker', value: `${x.ownerName} (contact them through the council; they are told you accepted)` },
    ],
  });
}
