import type { Activity } from 'botbuilder';
import { plainText } from '../../src/domain/plainText.js';
import { formatUk } from '../../src/domain/dates.js';
import { noCard, type AwardNotification } from '../../src/app/notifications.js';
import type { CouncilMessageView } from '../../src/app/notifications/render.js';
import { approvalCard, cascadeCard, evaluationForm, placementApprovalCard, rankingCard } from './awardCards.js';
import { card, gbp, text } from './format.js';

/** Draws the evaluation, award and cascade notices to council people from what the brokerage loaded. */
export function drawAwardMessage(v: CouncilMessageView & { message: AwardNotification }): Partial<Activity> | 'skip' {
  const m = v.message;
  const r = v.request;
  switch (m.kind) {
    case 'evaluation.card':
      return v.blind ? card(evaluationForm(r, v.blind.bid, v.blind.evaluation)) : 'skip';
    case 'evaluation.ranking':
      return v.ranking ? card(rankingCard(v.ranking.request, v.ranking.ranking, v.ranking.names, { canChoose: true })) : 'skip';
    case 'award.approval':
      return v.approval ? card(approvalCard(v.approval)) : 'skip';
    case 'award.approved': {
      const d = r.decisions?.find((x) => x.n === m.n);
      return text(`${d ? `${d.byName}${d.forName ? ` (for ${d.forName})` : ''}` : 'A manager'} approved the award of ${r.id} to ${r.award?.providerName ?? v.providerName ?? ''}. The provider has been asked to accept; the referral details go to it only when it does.`);
    }
    case 'award.rejected': {
      const d = r.decisions?.find((x) => x.n === m.n);
      return text(`${d?.byName ?? 'A manager'} rejected the choice for ${r.id}: ${plainText(d?.reason ?? '')}. It is back to evaluated: record the person's choice again from the ranking (\`evaluate ${r.id}\`).`);
    }
    case 'award.accepted':
      return text(`${r.award?.providerName ?? 'The provider'} accepted the award of ${r.id} (${r.award ? gbp(r.award.weeklyPrice) : ''} a week). Its channel has the referral details; every other bidder has been told the outcome.`);
    case 'award.declined': {
      const a = r.declinedAwards?.find((x) => x.choiceN === m.n);
      return text(`${a?.providerName ?? 'The provider'} declined the award of ${r.id}${a?.declineReason ? `: ${plainText(a.declineReason)}` : ''}. ${r.cascadeOffer ? 'No compliant bid is left, so the brokers have been offered the cascade.' : "Its bid is out of the choice; record the person's choice again from the ranking."}`);
    }
    case 'placement.approval': {
      const p = r.placements?.find((x) => x.n === m.n);
      return p ? card(placementApprovalCard(r, p, { note: v.note })) : 'skip';
    }
    case 'award.off-contract': {
      const p = m.n ? r.placements?.find((x) => x.n === m.n) : undefined;
      if (p?.status === 'rejected') return text(`${p.decidedByName} rejected the off-contract placement of ${r.id} with ${plainText(p.providerName)}: ${plainText(p.decisionNote ?? '')}. A broker can record another (\`cascade ${r.id}\`).`);
      return r.award?.offContract ? text(`${r.id} has been placed off-contract with ${r.award.providerName} at ${gbp(r.award.weeklyPrice)} a week${r.award.overBudget ? ' (over budget)' : ''}. Reason: ${r.award.reason}. It is reported to commissioning as an off-contract placement.`) : 'skip';
    }
    case 'cascade.offer':
      return card(cascadeCard(r, undefined));
    case 'cascade.told':
      return text(`${r.id} has no compliant bid (${r.cascadeOffer?.why ?? 'see the call-off'}). The brokers have been asked to run the cascade: neighbouring zones first, then an off-contract placement.`);
    case 'cascade.opened':
      return text(`${r.id} has been offered to ${r.calloff.cascade?.providerIds.length ?? 0} provider(s) in neighbouring zones until ${formatUk(r.calloff.deadline)}. You will get the new bids to evaluate when it closes.`);
    default:
      return noCard(m);
  }
}
