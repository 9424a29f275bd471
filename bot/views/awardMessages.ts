import type { Activity } from 'botbuilder';
import { plainText } from '../../src/domain/plainText.js';
import { bidId } from '../../src/domain/calloff.js';
import { formatUk } from '../../src/domain/dates.js';
import type { OutboxItem } from '../../src/outbox/outbox.js';
import type { OpenCallOff } from '../../src/app/calloffs/access.js';
import { blindView } from '../../src/app/award/evaluation.js';
import { chosenBid } from '../../src/app/award/decision.js';
import { rankingOf, type RankingView } from '../../src/app/award/shared.js';
import { DEFAULT_SETTINGS, SETTINGS_ID } from '../../src/app/framework/entities.js';
import type { Deps } from '../deps.js';
import type { CardJson } from '../render.js';
import { approvalCard, cascadeCard, evaluationForm, rankingCard, type ApprovalView } from './awardCards.js';
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

/** Renders the award, evaluation and cascade messages; undefined for kinds that are not ours. */
export async function renderAwardMessage(deps: Deps, item: OutboxItem, request: OpenCallOff | undefined): Promise<Partial<Activity> | 'skip' | undefined> {
  const m = item.message;
  if (!/^(evaluation|award|cascade)\./.test(m.kind)) return undefined;
  const r = request;
  if (!r?.calloff) return 'skip';
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
      return text(`${a?.providerName ?? 'The provider'} declined the award of ${r.id}${a?.declineReason ? `: ${plainText(a.declineReason)}` : ''}. ${r.cascadeOffer ? 'No compliant bid is left, so the brokers have been offered the cascade.' : "Its bid is out of the choice; record the person's choice again from the ranking."}`);
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
