import type { Activity } from 'botbuilder';
import { plainText } from '../src/domain/plainText.js';
import { bidId } from '../src/domain/calloff.js';
import { formatUk } from '../src/domain/dates.js';
import type { OutboxItem } from '../src/outbox/outbox.js';
import type { OpenCallOff } from '../src/app/calloffs/access.js';
import type { Deps } from './deps.js';
import { renderProviderMessage } from './views/providerMessages.js';
import { loadProviderSide } from '../src/app/calloffs/providerView.js';
import { noticeCard } from './views/notice.js';
import type { Lookups } from './views/requestCards.js';
import { renderAwardMessage } from './views/awardMessages.js';
import { renderAgreementMessage } from './views/agreementMessages.js';
import { card, text } from './views/format.js';
import { getSettings } from '../src/app/framework/admin.js';

export async function lookups(deps: Deps): Promise<Lookups> {
  const [lots, zones, criteria, settings] = await Promise.all([deps.store.find('lots'), deps.store.find('zones'), deps.store.find('criteria'), getSettings(deps.store)]);
  return { lots, zones, criteria, examples: { postcode: settings.postcodeExample, caseRef: settings.caseRefExample } };
}


/**
 * Turns an outbox item into the activity to post, from the store as it is now (so an update always
 * shows the latest state). Provider-bound messages are built only from the anonymised profile.
 */
export async function renderMessage(deps: Deps, item: OutboxItem): Promise<Partial<Activity> | 'skip'> {
  const m = item.message;
  const r = m.ref ? ((await deps.store.get('requests', m.ref)) as OpenCallOff | undefined) : undefined;
  if (m.ref && !r) return 'skip';
  // Service-agreement messages go only to the accepted provider, which already holds the referral.
  const agreement = await renderAgreementMessage(deps, item); // service agreements (issue 16)
  if (agreement) return agreement;
  // A provider's channel gets only what renderProviderMessage draws from that provider's side of the call-off.
  if ('providerId' in item.target) {
    if (!r?.calloff) return 'skip';
    const side = await loadProviderSide(deps.store, r, item.target.providerId);
    if (side.referral) side.referral = { ...side.referral, ownerName: (await deps.store.get('users', side.referral.ownerId))?.name ?? side.referral.ownerName };
    return renderProviderMessage(m, side, await lookups(deps), deps.now());
  }
  const award = await renderAwardMessage(deps, item, r); // evaluation, award and cascade kinds (issue 5)
  if (award) return award;
  switch (m.kind) {
    case 'calloff.question': {
      const c = r!.calloff.clarifications.find((x) => x.id === m.questionId);
      if (!c) return 'skip';
      return card(
        noticeCard({
          title: `Question ${c.id} on call-off ${r!.id}`,
          lines: [plainText(c.question), `Asked ${formatUk(c.askedAt)}. Your answer goes to every provider offered ${r!.id}, without who asked.`],
          actions: [{ title: `Answer ${c.id}`, verb: 'calloff.answer.form', data: { ref: r!.id, questionId: c.id } }],
        }),
      );
    }
    case 'calloff.closed': {
      const bids = (await Promise.all(r!.calloff.offers.map((o) => deps.store.get('bids', bidId(r!.id, o.providerId))))).filter((b) => b?.status === 'active').length;
      const declined = r!.calloff.offers.filter((o) => o.declined).length;
      const silent = r!.calloff.offers.length - bids - declined;
      return text(
        `Call-off ${r!.id} closed at ${formatUk(r!.calloff.closedAt!)} with ${bids} bid${bids === 1 ? '' : 's'} (${declined} not interested, ${silent} no response).` +
          (bids ? ' Quality evaluation is next.' : ' With no bids, a broker can run the cascade to neighbouring zones.'),
      );
    }
    case 'calloff.accepted': {
      const name = (await deps.store.get('providers', String(m.providerId)))?.name ?? String(m.providerId);
      return text(`${name} accepted the sequential offer for ${r!.id}. The award now needs evaluation and a manager's approval.`);
    }
    case 'calloff.round':
      return text(`Nobody accepted ${r!.id} in the previous round, so it has been offered to ${String(m.offered)} ${String(m.tier)} provider(s) until ${formatUk(r!.calloff.deadline)}.`);
    case 'publish.report':
    case 'notice.text':
      return text(String(m.text));
    case 'request.submitted':
      return card(
        noticeCard({
          title: `${r!.id} submitted by ${r!.ownerName}`,
          lines: [`${r!.package!.hoursPerWeek} hours a week, starting ${formatUk(`${r!.package!.startDate}T12:00:00Z`, false)}; bids due ${formatUk(r!.package!.deadline)}.`],
          footer: 'Publishing sends the anonymised call-off to every eligible provider’s channel.',
          actions: [
            { title: 'Publish call-off', verb: 'calloff.publish', data: { ref: r!.id } },
            { title: 'Show request', verb: 'request.show', data: { ref: r!.id } },
          ],
        }),
      );
    default:
      deps.logger.warn('outbox: unknown message kind', { kind: m.kind, id: item.id });
      return 'skip';
  }
}

export { noticeCard };
