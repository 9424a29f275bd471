import type { Provider } from '../../domain/framework.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { requirePermission, Who } from '../actor.js';
import { conflict, invalid, notFound } from '../errors.js';
import { changeProviderStatus } from '../framework/admin.js';
import type { Notice } from './applications.js';
import { queueNotices } from './notices.js';
import { OPEN_BIDS_CHOICES, OpenBidsChoice } from './openBids.js';

export const STANDING_CHANGES = ['suspend', 'reinstate', 'leave'] as const;
export type StandingChange = (typeof STANDING_CHANGES)[number];

const TO: Record<StandingChange, { from: Provider['status'][]; to: Provider['status']; done: string }> = {
  suspend: { from: ['admitted'], to: 'suspended', done: 'suspended from the framework' },
  reinstate: { from: ['suspended'], to: 'admitted', done: 'reinstated to the framework' },
  leave: { from: ['admitted', 'suspended', 'applied'], to: 'left', done: 'recorded as having left the framework' },
};

/** Where a provider hears about its standing: its channel, or else where it last applied from. */
async function whereToTell(tx: BrokerageTx, p: Provider): Promise<Record<string, unknown> | undefined> {
  if (p.channel && !p.channel.unreachableReason) return p.channel.reference;
  const apps = (await tx.list('applications')).filter((a) => a.providerId === p.id && !!a.replyTo);
  return apps.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]?.replyTo;
}

/**
 * Suspends, reinstates or records that a provider left, always with a reason. A suspended
 * provider receives no new call-offs (eligibility needs "admitted"); its bids on open call-offs
 * are kept or withdrawn as the commissioner chooses, and the provider is told.
 */
export async function changeStanding(store: BrokerageStore, who: Who, providerId: string, change: StandingChange, reason: string, openBids: string, now: Date): Promise<{ provider: Provider; notices: Notice[]; message: string }> {
  await requirePermission(store, who, 'framework.manage');
  const why = reason.trim();
  const errors: Record<string, string> = {};
  if (why.length < 5) errors.reason = `say why the provider is ${change === 'reinstate' ? 'reinstated' : change === 'leave' ? 'leaving' : 'suspended'} (at least 5 characters); the provider is told`;
  const choice = (openBids || 'keep') as OpenBidsChoice;
  if (change !== 'reinstate' && !OPEN_BIDS_CHOICES.includes(choice)) errors.openBids = 'choose whether its open bids are kept or withdrawn';
  if (Object.keys(errors).length) throw invalid(errors);
  const before = await store.get('providers', providerId);
  if (!before) throw notFound(`There is no provider "${providerId}".`);
  const rule = TO[change];
  if (before.status === rule.to) return { provider: before, notices: [], message: `${before.name} is already ${before.status}.` };
  if (!rule.from.includes(before.status)) throw conflict(`${before.name} is ${before.status}, so it cannot be ${change === 'leave' ? 'recorded as left' : `${change}ed`}.`);
  const bids = change === 'reinstate' ? '' : choice === 'withdraw' ? ' Your bids on open call-offs have been withdrawn.' : ' Your bids on open call-offs still stand.';
  const next = change === 'suspend' ? ' You will receive no new call-offs while suspended.' : change === 'reinstate' ? ' You will receive call-offs again from now on.' : '';
  // The provider is told in the transaction that changes its standing.
  const { provider, caused } = await changeProviderStatus(store, who, providerId, rule.to, why, {
    openBids: change === 'reinstate' ? undefined : choice,
    at: now.toISOString(),
    inside: async (tx, p) => {
      const to = await whereToTell(tx, p);
      return queueNotices(tx, now, to ? [{ to, text: `${p.name} has been ${rule.done}. Reason: ${why}.${bids}${next}` }] : []);
    },
  });
  const notices: Notice[] = caused ?? [];
  const message = `${provider.name} is now ${provider.status} (${why}).${change === 'reinstate' ? '' : ` Open bids: ${choice === 'withdraw' ? 'withdrawn' : 'kept'}.`} ${notices.length ? 'The provider is being told.' : 'The provider has no conversation with the bot to tell.'}`;
  return { provider, notices, message };
}
