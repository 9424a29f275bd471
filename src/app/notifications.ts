/**
 * Every proactive message the brokerage sends, one member per kind with its payload. A use case
 * queues one with `enqueue` (src/outbox/outbox.ts) inside the transaction that causes it; the
 * message names ids only, and the bot draws the card from the store as it is when it is sent
 * (src/app/notifications/render.ts loads the view, bot/messages.ts draws it).
 *
 * To add a kind: add its member here and its name to NOTIFICATION_KINDS (the type check below
 * fails until you do), queue it from the use case, then load its view in
 * src/app/notifications/render.ts and draw it in bot/messages.ts: both switch exhaustively on
 * the kind, so the type checker names every place still missing it.
 *
 * Payloads are persisted in the outbox: only add optional fields to an existing kind.
 */

/** About a call-off (a request by its reference). */
type About<K extends string, P = object> = { kind: K; ref: string } & P;

/** Sent to a provider's channel; drawn only from that provider's side of the call-off. */
export type ProviderNotification =
  | About<'calloff.card'>
  | About<'calloff.reminder', { reminder: string }>
  | About<'calloff.extended', { to: string; reason: string }>
  | About<'calloff.cancelled'>
  | About<'calloff.answer', { questionId: string }>
  | About<'award.offer', { n?: number }>
  | About<'award.referral'>
  | About<'award.outcome'>
  | About<'award.outcome.earlier'>;

/** Call-off and request notices to council people. */
export type CallOffNotification =
  | About<'request.submitted'>
  | About<'calloff.question', { questionId: string }>
  | About<'calloff.closed'>
  | About<'calloff.accepted', { providerId: string }>
  | About<'calloff.round', { tier: string; offered: number }>;

/** Evaluation, award and cascade notices to council people (issue 5). */
export type AwardNotification =
  | About<'evaluation.card', { label: string; round: number }>
  | About<'evaluation.ranking', { round: number }>
  | About<'award.approval', { n: number }>
  | About<'award.approved', { n: number }>
  | About<'award.rejected', { n: number }>
  | About<'award.accepted'>
  | About<'award.declined', { n?: number }>
  | About<'award.off-contract', { n?: number }>
  | About<'placement.approval', { n: number }>
  | About<'cascade.offer'>
  | About<'cascade.told'>
  | About<'cascade.opened'>;

/** Service-agreement messages (issue 16); `ref` is the request the agreement came from. */
export type AgreementNotification =
  | About<'agreement.start'>
  | About<'agreement.opened'>
  | About<'agreement.started'>
  | About<'agreement.return', { periodStart: string }>
  | About<'agreement.chase', { periodStart: string }>
  | About<'agreement.review', { flag: string }>
  | About<'agreement.variation', { n: number }>
  | About<'agreement.variation.outcome', { n: number }>
  | About<'agreement.variation.consent', { n: number }>
  | About<'agreement.suspended', { suspension: string }>
  | About<'agreement.ended'>
  | About<'agreement.handover', { next: string }>
  | About<'agreement.offcontract'>;

/** Decisions under the scheme of delegation (src/app/approvals/); `id` is the approval's. */
export type ApprovalNotification = About<'approval.reminder', { id: string }> | About<'approval.escalated', { id: string }> | About<'approval.delegated', { id: string; for: string }>;

/** Joint funding (src/app/funding/): a partner's approval card for its share; `id` is the approval's. */
export type FundingNotification = About<'funding.approval', { id: string }>;

/**
 * The market (issue 25), to a provider's channel: a chase for its stale capacity declarations
 * (drawn from its own record), or the council's invitation to join for a lot and zone (drawn from
 * the evaluation window, which holds the notice as the commissioner sent it).
 */
export type MarketNotification = { kind: 'capacity.chase'; zones: string[]; ref?: undefined } | { kind: 'market.invitation'; windowId: string; lot: string; zone: string; ref?: undefined };

/** Plain text, already written (a publish report, an admission notice, an unreachable channel). */
export type TextNotification = { kind: 'publish.report'; text: string; ref?: undefined } | { kind: 'notice.text'; text: string; ref?: undefined };

export type Notification = ProviderNotification | CallOffNotification | AwardNotification | AgreementNotification | ApprovalNotification | FundingNotification | MarketNotification | TextNotification;
export type NotificationKind = Notification['kind'];
/** The member of the union for one kind. */
export type NotificationOf<K extends NotificationKind> = Extract<Notification, { kind: K }>;

/** Every kind, listed once (tests walk it; the checks below keep it equal to the union). */
export const NOTIFICATION_KINDS = [
  'calloff.card',
  'calloff.reminder',
  'calloff.extended',
  'calloff.cancelled',
  'calloff.answer',
  'award.offer',
  'award.referral',
  'award.outcome',
  'award.outcome.earlier',
  'request.submitted',
  'calloff.question',
  'calloff.closed',
  'calloff.accepted',
  'calloff.round',
  'evaluation.card',
  'evaluation.ranking',
  'award.approval',
  'award.approved',
  'award.rejected',
  'award.accepted',
  'award.declined',
  'award.off-contract',
  'placement.approval',
  'cascade.offer',
  'cascade.told',
  'cascade.opened',
  'agreement.start',
  'agreement.opened',
  'agreement.started',
  'agreement.return',
  'agreement.chase',
  'agreement.review',
  'agreement.variation',
  'agreement.variation.outcome',
  'agreement.variation.consent',
  'agreement.suspended',
  'agreement.ended',
  'agreement.handover',
  'agreement.offcontract',
  'approval.reminder',
  'approval.escalated',
  'approval.delegated',
  'funding.approval',
  'capacity.chase',
  'market.invitation',
  'publish.report',
  'notice.text',
] as const satisfies readonly NotificationKind[];

/** The kinds that go to a provider's channel; anything else addressed to one is dropped. */
export const PROVIDER_KINDS = ['calloff.card', 'calloff.reminder', 'calloff.extended', 'calloff.cancelled', 'calloff.answer', 'award.offer', 'award.referral', 'award.outcome', 'award.outcome.earlier'] as const satisfies readonly ProviderNotification['kind'][];

// Compile-time: the lists name every kind of the union (an error here names the missing kind).
type Missing<All, Listed> = Exclude<All, Listed>;
const everyKindListed: [Missing<NotificationKind, (typeof NOTIFICATION_KINDS)[number]>] extends [never] ? true : Missing<NotificationKind, (typeof NOTIFICATION_KINDS)[number]> = true;
const everyProviderKindListed: [Missing<ProviderNotification['kind'], (typeof PROVIDER_KINDS)[number]>] extends [never] ? true : Missing<ProviderNotification['kind'], (typeof PROVIDER_KINDS)[number]> = true;
void everyKindListed;
void everyProviderKindListed;

/**
 * Exhaustiveness check for switches on a notification's kind (or a view's family): the call
 * compiles only when every case is handled. At run time (an item from an older release) it skips.
 */
export function noCard(_unhandled: never): 'skip' {
  return 'skip';
}
