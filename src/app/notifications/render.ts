import { agreementId, type Agreement, type ContractRules } from '../../domain/agreement.js';
import { bidId } from '../../domain/calloff.js';
import type { OutboxItem } from '../../outbox/item.js';
import type { BrokerageStore } from '../../store/collections.js';
import { rulesFor, rulesOf } from '../agreements/load.js';
import { buildView, returnChoices, type AgreementView } from '../agreements/views.js';
import { blindView, type BlindView } from '../award/evaluation.js';
import { approvalView, councilRanking, type ApprovalData, type CouncilRanking } from '../award/views.js';
import type { OpenCallOff } from '../calloffs/access.js';
import { loadProviderSide, type ProviderSide } from '../calloffs/providerView.js';
import { lookupsOf, type Lookups } from '../framework/lookups.js';
import type { RateCheck } from '../../domain/costModel.js';
import { variationRateCheck } from '../market/rates.js';
import type { AgreementNotification, AwardNotification, CallOffNotification, MarketNotification, NotificationKind, ProviderNotification, TextNotification } from '../notifications.js';
import { providerCapacity, type CapacityView } from '../market/capacity.js';

/**
 * The read side of the outbox: everything a message's card shows, loaded from the store as it is
 * when the message is sent (so an update always shows the latest state), as plain data. The bot
 * only draws it (bot/messages.ts). Provider-bound views hold only that provider's side of the
 * call-off (the allow-listed profile, its own bid, result and award).
 */
export type NotificationView = ProviderMessageView | AgreementMessageView | CouncilMessageView | MarketMessageView | { family: 'text'; message: TextNotification } | { family: 'unknown'; kind: string };

/** The market's messages to a provider (issue 25): its own capacity form, or an invitation's notice. */
export type MarketMessageView = { family: 'market'; message: MarketNotification & { kind: 'capacity.chase' }; capacity: CapacityView } | { family: 'market'; message: MarketNotification & { kind: 'market.invitation' }; text: string };

export interface ProviderMessageView {
  family: 'provider';
  message: ProviderNotification;
  side: ProviderSide;
  lookups: Lookups;
  now: Date;
}

export interface AgreementMessageView {
  family: 'agreement';
  message: AgreementNotification;
  agreement: Agreement;
  /** The council's rules with the agreement's own money rules over them. */
  rules: ContractRules;
  toProvider: boolean;
  /** For a return or a chase: the provider's view of the agreement and the periods it can return. */
  returns?: { view: AgreementView; choices: ReturnType<typeof returnChoices> };
  /** For a variation to approve: its rate against the cost-of-care model (issue 25). */
  rateCheck?: RateCheck;
}

/** Call-off, evaluation, award and cascade notices to council people. */
export interface CouncilMessageView {
  family: 'council';
  message: CallOffNotification | AwardNotification;
  request: OpenCallOff;
  /** calloff.closed: active bids in. */
  activeBids?: number;
  /** calloff.accepted: the provider that accepted; award.approved: the provider that declined last, when there is no award. */
  providerName?: string;
  /** evaluation.card: the blind bid to evaluate (undefined: the evaluation moved on). */
  blind?: BlindView;
  /** evaluation.ranking */
  ranking?: CouncilRanking;
  /** award.approval */
  approval?: ApprovalData;
}

/** Which view each kind is drawn from; a Record, so a new kind without one fails to compile. */
export const FAMILY_OF: Record<NotificationKind, NotificationView['family']> = {
  'calloff.card': 'provider',
  'calloff.reminder': 'provider',
  'calloff.extended': 'provider',
  'calloff.cancelled': 'provider',
  'calloff.answer': 'provider',
  'award.offer': 'provider',
  'award.referral': 'provider',
  'award.outcome': 'provider',
  'award.outcome.earlier': 'provider',
  'request.submitted': 'council',
  'calloff.question': 'council',
  'calloff.closed': 'council',
  'calloff.accepted': 'council',
  'calloff.round': 'council',
  'evaluation.card': 'council',
  'evaluation.ranking': 'council',
  'award.approval': 'council',
  'award.approved': 'council',
  'award.rejected': 'council',
  'award.accepted': 'council',
  'award.declined': 'council',
  'award.off-contract': 'council',
  'cascade.offer': 'council',
  'cascade.told': 'council',
  'cascade.opened': 'council',
  'agreement.start': 'agreement',
  'agreement.opened': 'agreement',
  'agreement.started': 'agreement',
  'agreement.return': 'agreement',
  'agreement.chase': 'agreement',
  'agreement.review': 'agreement',
  'agreement.variation': 'agreement',
  'agreement.variation.outcome': 'agreement',
  'agreement.suspended': 'agreement',
  'agreement.ended': 'agreement',
  'agreement.handover': 'agreement',
  'agreement.offcontract': 'agreement',
  'capacity.chase': 'market',
  'market.invitation': 'market',
  'publish.report': 'text',
  'notice.text': 'text',
};

const familyOf = (kind: string): NotificationView['family'] => (Object.hasOwn(FAMILY_OF, kind) ? FAMILY_OF[kind as NotificationKind] : 'unknown');

/** Loads what an outbox item's card shows; 'skip' when there is nothing (left) to say. */
export async function loadNotification(store: BrokerageStore, item: OutboxItem, now: Date): Promise<NotificationView | 'skip'> {
  const m = item.message;
  const family = familyOf(m.kind);
  const r = m.ref ? ((await store.get('requests', m.ref)) as OpenCallOff | undefined) : undefined;
  if (m.ref && !r) return 'skip';
  // Service-agreement messages go only to the accepted provider, which already holds the referral.
  if (family === 'agreement') return loadAgreementMessage(store, item, m as AgreementNotification, now);
  if (family === 'market') return loadMarketMessage(store, item, m as MarketNotification, now);
  // A provider's channel gets only that provider's side of the call-off.
  if ('providerId' in item.target) {
    if (!r?.calloff || family !== 'provider') return 'skip';
    const side = await loadProviderSide(store, r, item.target.providerId);
    if (side.referral) side.referral = { ...side.referral, ownerName: (await store.get('users', side.referral.ownerId))?.name ?? side.referral.ownerName };
    return { family: 'provider', message: m as ProviderNotification, side, lookups: await lookupsOf(store), now };
  }
  if (family === 'text') return { family: 'text', message: m as TextNotification };
  if (family !== 'council') return { family: 'unknown', kind: m.kind };
  const message = m as CallOffNotification | AwardNotification;
  if (/^(evaluation|award|cascade)\./.test(message.kind) && !r?.calloff) return 'skip';
  const request = r!;
  const view: CouncilMessageView = { family: 'council', message, request };
  const name = async (id?: string) => (id ? ((await store.get('providers', id))?.name ?? id) : '');
  switch (message.kind) {
    case 'calloff.closed':
      view.activeBids = (await Promise.all(request.calloff.offers.map((o) => store.get('bids', bidId(request.id, o.providerId))))).filter((b) => b?.status === 'active').length;
      break;
    case 'calloff.accepted':
      view.providerName = (await store.get('providers', String(message.providerId)))?.name ?? String(message.providerId);
      break;
    case 'evaluation.card':
      if (request.evaluation?.round !== message.round) return 'skip';
      view.blind = await blindView(store, request, String(message.label));
      break;
    case 'evaluation.ranking':
      view.ranking = await councilRanking(store, request);
      if (!view.ranking) return 'skip';
      break;
    case 'award.approval':
      view.approval = await approvalView(store, request, Number(message.n));
      if (!view.approval) return 'skip';
      break;
    case 'award.approved':
      if (!request.award?.providerName) view.providerName = await name(request.declinedAwards?.at(-1)?.providerId);
      break;
  }
  return view;
}

async function loadMarketMessage(store: BrokerageStore, item: OutboxItem, m: MarketNotification, now: Date): Promise<MarketMessageView | 'skip'> {
  if (!('providerId' in item.target)) return 'skip';
  if (m.kind === 'market.invitation') {
    const invitation = (await store.get('windows', m.windowId))?.invitations?.find((x) => x.lot === m.lot && x.zone === m.zone);
    return invitation ? { family: 'market', message: m, text: invitation.text } : 'skip';
  }
  const capacity = await providerCapacity(store, item.target.providerId, now);
  // Said again since the chase was queued: nothing stale is left to ask about.
  if (!capacity || !capacity.zones.some((z) => z.stale && m.zones.includes(z.zone))) return 'skip';
  return { family: 'market', message: m, capacity };
}

async function loadAgreementMessage(store: BrokerageStore, item: OutboxItem, m: AgreementNotification, now: Date): Promise<AgreementMessageView | 'skip'> {
  const a = await store.get('agreements', agreementId(m.ref));
  if (!a) return 'skip';
  if ('providerId' in item.target && item.target.providerId !== a.providerId) return 'skip';
  const rules = rulesFor(a, await rulesOf(store));
  const view: AgreementMessageView = { family: 'agreement', message: m, agreement: a, rules, toProvider: 'providerId' in item.target };
  if (m.kind === 'agreement.return' || m.kind === 'agreement.chase') {
    const v = buildView(a, rules, now, 'provider');
    view.returns = { view: v, choices: returnChoices(v) };
  }
  if (m.kind === 'agreement.variation') {
    const x = a.variations.find((v) => v.n === Number(m.n));
    if (x) view.rateCheck = await variationRateCheck(store, a, x);
  }
  return view;
}
