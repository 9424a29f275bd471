import type { Activity } from 'botbuilder';
import { plainText } from '../src/domain/plainText.js';
import { formatUk } from '../src/domain/dates.js';
import type { OutboxItem } from '../src/outbox/outbox.js';
import type { Deps } from './deps.js';
import { renderProviderMessage } from './views/providerMessages.js';
import { loadNotification, type CouncilMessageView } from '../src/app/notifications/render.js';
import { noCard } from '../src/app/notifications.js';
import { lookupsOf } from '../src/app/framework/lookups.js';
import { noticeCard } from './views/notice.js';
import type { Lookups } from './views/requestCards.js';
import { drawAwardMessage } from './views/awardMessages.js';
import { drawAgreementMessage } from './views/agreementMessages.js';
import { drawApprovalMessage } from './views/approvalMessages.js';
import { drawFundingMessage } from './views/fundingCards.js';
import { drawMarketMessage } from './views/marketMessages.js';
import { card, text } from './views/format.js';

/** The framework's lookups the cards name things by (loaded by the brokerage). */
export async function lookups(deps: Deps): Promise<Lookups> {
  return lookupsOf(deps.store);
}


/**
 * Turns an outbox item into the activity to post. What it shows is loaded by the brokerage from the
 * store as it is now (src/app/notifications/render.ts), so an update always shows the latest state;
 * this file only draws it. Provider-bound messages are drawn only from that provider's side.
 */
export async function renderMessage(deps: Deps, item: OutboxItem): Promise<Partial<Activity> | 'skip'> {
  const v = await loadNotification(deps.store, item, deps.now());
  if (v === 'skip') return 'skip';
  switch (v.family) {
    case 'agreement':
      return drawAgreementMessage(v); // service agreements (issue 16)
    case 'provider':
      return renderProviderMessage(v.message, v.side, v.lookups, v.now, v.refresh);
    case 'text':
      return text(v.message.text);
    case 'approval':
      return drawApprovalMessage(v); // the scheme of delegation (issue 23)
    case 'funding':
      return drawFundingMessage(v); // joint funding (issue 24)
    case 'council':
      return drawCouncilMessage(v);
    case 'market':
      return drawMarketMessage(v); // capacity chases and market invitations (issue 25)
    case 'unknown':
      deps.logger.warn('outbox: unknown message kind', { kind: v.kind, id: item.id });
      return 'skip';
    default:
      return noCard(v);
  }
}

/** Call-off and request notices to council people; evaluation, award and cascade ones are drawn in awardMessages.ts. */
function drawCouncilMessage(v: CouncilMessageView): Partial<Activity> | 'skip' {
  const m = v.message;
  const r = v.request;
  switch (m.kind) {
    case 'calloff.question': {
      const c = r.calloff.clarifications.find((x) => x.id === m.questionId);
      if (!c) return 'skip';
      return card(
        noticeCard({
          title: `Question ${c.id} on call-off ${r.id}`,
          lines: [plainText(c.question), `Asked ${formatUk(c.askedAt)}. Your answer goes to every provider offered ${r.id}, without who asked.`],
          actions: [{ title: `Answer ${c.id}`, verb: 'calloff.answer.form', data: { ref: r.id, questionId: c.id } }],
        }),
      );
    }
    case 'calloff.closed': {
      const bids = v.activeBids ?? 0;
      const declined = r.calloff.offers.filter((o) => o.declined).length;
      const silent = r.calloff.offers.length - bids - declined;
      return text(
        `Call-off ${r.id} closed at ${formatUk(r.calloff.closedAt!)} with ${bids} bid${bids === 1 ? '' : 's'} (${declined} not interested, ${silent} no response).` +
          (bids ? ' Quality evaluation is next.' : ' With no bids, a broker can run the cascade to neighbouring zones.'),
      );
    }
    case 'calloff.accepted':
      return text(`${v.providerName ?? m.providerId} accepted the sequential offer for ${r.id}. The award now needs evaluation and a manager's approval.`);
    case 'calloff.round':
      return text(`Nobody accepted ${r.id} in the previous round, so it has been offered to ${String(m.offered)} ${String(m.tier)} provider(s) until ${formatUk(r.calloff.deadline)}.`);
    case 'request.submitted':
      return card(
        noticeCard({
          title: `${r.id} submitted by ${r.ownerName}`,
          lines: [`${r.package!.hoursPerWeek} hours a week, starting ${formatUk(`${r.package!.startDate}T12:00:00Z`, false)}; bids due ${formatUk(r.package!.deadline)}.`],
          footer: 'Publishing sends the anonymised call-off to every eligible provider’s channel.',
          actions: [
            { title: 'Publish call-off', verb: 'calloff.publish', data: { ref: r.id } },
            { title: 'Show request', verb: 'request.show', data: { ref: r.id } },
          ],
        }),
      );
    default:
      return drawAwardMessage({ ...v, message: m });
  }
}

export { noticeCard };
