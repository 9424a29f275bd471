import { agreementId, type Agreement, type ContractRules } from '../../domain/agreement.js';
import { bidId } from '../../domain/calloff.js';
import type { OutboxItem } from '../../outbox/item.js';
import type { BrokerageStore } from '../../store/collections.js';
import { reading } from '../../store/reading.js';
import { rulesFor, rulesOf } from '../agreements/load.js';
import { returnChoices } from '../agreements/views.js';
import { providerView, type ProviderAgreementView } from '../agreements/providerView.js';
import { blindView, type BlindView } from '../award/evaluation.js';
import { approvalView, councilRanking, type ApprovalData, type CouncilRanking } from '../award/views.js';
import type { OpenCallOff } from '../calloffs/access.js';
import { loadProviderSide, type ProviderSide } from '../calloffs/providerView.js';
import { lookupsOf, type Lookups } from '../framework/lookups.js';
import type { AgreementNotification, ApprovalNotification, AwardNotification, FundingNotification, CallOffNotification, MarketNotification, NotificationKind, ProviderNotification, TextNotification } from '../notifications.js';
import type { Approval } from '../../domain/approvals.js';
import { approvalNote, noteOf, type ApprovalNote } from '../approvals/views.js';
import { schemeTx } from '../approvals/scheme.js';
import { partnerApprovalView, type PartnerPackageView } from '../funding/views.js';
import { providerCapacity, type CapacityView } from '../market/capacity.js';

/**
 * The read side of the outbox: everything a message's card shows, loaded from the store as it is
 * when the message is sent (so an update always shows the latest state), as plain data. The bot
 * only draws it (bot/messages.ts). Provider-bound views hold only that provider's side of the
 * call-off (the allow-listed profile, its own bid, result and award).
 */
export type NotificationView = ProviderMessageView | AgreementMessageView | CouncilMessageView | ApprovalMessageView | FundingMessageView | MarketMessageView | { family: 'text'; message: TextNotification } | { family: 'unknown'; kind: string };

/** Reminders, escalations and delegation notices of a decision under the scheme of delegation. */
export interface ApprovalMessageView {
  family: 'approval';
  message: ApprovalNotification;
  approval: Approval;
  note: ApprovalNote;
  /** delegated: the absent approver's delegate. */
  delegateName?: string;
}

/** A funding partner's approval card (issue 24), drawn from what the partner may see (src/app/funding/views.ts). */
export interface FundingMessageView {
  family: 'funding';
  message: FundingNotification;
  view: PartnerPackageView;
}

/** The market's messages to a provider (issue 25): its own capacity form, or an invitation's notice. */
export type MarketMessageView = { family: 'market'; message: MarketNotification & { kind: 'capacity.chase' }; capacity: CapacityView } | { family: 'market'; message: MarketNotification & { kind: 'market.invitation' }; text: string };

export interface ProviderMessageView {
  family: 'provider';
  message: ProviderNotification;
  side: ProviderSide;
  lookups: Lookups;
  now: Date;
  /** calloff.card: the post every copy of the card belongs to, and the provider's users, whose view of any copy is redrawn from the store when they open it. */
  refresh?: { postId: string; userIds: string[] };
}

/** A service-agreement message: to the provider's channel drawn from its view only, to council people from the agreement. */
export type AgreementMessageView = ProviderAgreementMessage | CouncilAgreementMessage;

export interface ProviderAgreementMessage {
  family: 'agreement';
  message: AgreementNotification;
  toProvider: true;
  /** The provider's view (providerView.ts): no budget, finance codes, review date or council notes to draw. */
  view: ProviderAgreementView;
  /** The periods it can return (for a return or a chase). */
  choices: ReturnType<typeof returnChoices>;
}

export interface CouncilAgreementMessage {
  family: 'agreement';
  message: AgreementNotification;
  toProvider: false;
  agreement: Agreement;
  /** The council's rules with the agreement's own money rules over them. */
  rules: ContractRules;
  /** A variation's approval card: who may decide it under the scheme of delegation. */
  note?: ApprovalNote;
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
  /** placement.approval: who may decide it under the scheme of delegation. */
  note?: ApprovalNote;
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
  'placement.approval': 'council',
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
  'agreement.variation.consent': 'agreement',
  'agreement.suspended': 'agreement',
  'agreement.ended': 'agreement',
  'agreement.handover': 'agreement',
  'agreement.offcontract': 'agreement',
  'approval.reminder': 'approval',
  'approval.escalated': 'approval',
  'approval.delegated': 'approval',
  'funding.approval': 'funding',
  'capacity.chase': 'market',
  'market.invitation': 'market',
  'publish.report': 'text',
  'notice.text': 'text',
};

/** The provider's users (their Entra object ids, in id order): who sees its call-off cards redrawn. */
async function providerUserIds(store: BrokerageStore, providerId: string): Promise<string[]> {
  return (await reading(store, (tx) => tx.providerUsers(providerId))).map((u) => u.id);
}

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
    const refresh = m.kind === 'calloff.card' ? { postId: item.updates ?? item.id, userIds: await providerUserIds(store, item.target.providerId) } : undefined;
    return { family: 'provider', message: m as ProviderNotification, side, lookups: await lookupsOf(store), now, ...(refresh ? { refresh } : {}) };
  }
  if (family === 'text') return { family: 'text', message: m as TextNotification };
  if (family === 'approval') return loadApprovalMessage(store, m as ApprovalNotification, now);
  if (family === 'funding') {
    const view = await partnerApprovalView(store, (m as FundingNotification).id, now);
    return view ? { family: 'funding', message: m as FundingNotification, view } : 'skip';
  }
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
      view.approval = await approvalView(store, request, Number(message.n), now);
      if (!view.approval) return 'skip';
      break;
    case 'placement.approval':
      view.note = await approvalNote(store, 'off-contract', request.id, Number(message.n), now);
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
  const councilRules = await rulesOf(store);
  if ('providerId' in item.target) {
    if (item.target.providerId !== a.providerId) return 'skip';
    const view = providerView(a, councilRules, now);
    return { family: 'agreement', message: m, toProvider: true, view, choices: returnChoices(view) };
  }
  const note = m.kind === 'agreement.variation' ? await approvalNote(store, 'variation', a.ref, Number(m.n), now) : undefined;
  return { family: 'agreement', message: m, toProvider: false, agreement: a, rules: rulesFor(a, councilRules), note };
}

async function loadApprovalMessage(store: BrokerageStore, m: ApprovalNotification, now: Date): Promise<ApprovalMessageView | 'skip'> {
  const approval = await store.get('approvals', String(m.id));
  if (!approval) return 'skip';
  // A reminder for something decided since it was queued says nothing untrue: it is not sent.
  if (m.kind === 'approval.reminder' && approval.status !== 'waiting') return 'skip';
  // Under the approval's own body's scheme (a funding partner's levels, issue 24), not always the council's.
  const note = noteOf(approval, await schemeTx(store, approval.body), now);
  const delegateName = m.kind === 'approval.delegated' ? approval.routed.find((r) => r.for === m.for)?.name : undefined;
  return { family: 'approval', message: m, approval, note, delegateName };
}
