import { bidId } from '../../domain/calloff.js';
import { TIERS } from '../../domain/framework.js';
import type { PackageRequest } from '../../domain/request.js';
import { ukDateTime, HH_MM, isRealDate } from '../../domain/dates.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { unschedule } from '../../scheduler/scheduler.js';
import { requirePermission, Who } from '../actor.js';
import { conflict, invalid, notFound } from '../errors.js';
import { DEFAULT_SETTINGS, SETTINGS_ID } from '../framework/entities.js';
import type { OpenCallOff } from './access.js';
import { identifies } from '../../domain/anonymise.js';
import { refreshAllProviderCards, tellProviders, tellUsers } from './messages.js';
import { armDeadline, HOUR, jobIds, nextTier, offerTo, REMINDERS } from './publish.js';
import { afterClose } from '../award/evaluation.js';

const SYSTEM = 'system:scheduler';

export const activeBids = async (tx: BrokerageTx, r: PackageRequest) =>
  (await Promise.all((r.calloff?.offers ?? []).map((o) => tx.get('bids', bidId(r.id, o.providerId))))).filter((b) => b?.status === 'active');

async function close(tx: BrokerageTx, r: OpenCallOff, now: Date): Promise<OpenCallOff> {
  const next: OpenCallOff = { ...r, state: 'closed', calloff: { ...r.calloff, closedAt: now.toISOString() }, updatedAt: now.toISOString() };
  tx.put('requests', next);
  const ids = jobIds(r.id);
  for (const [name] of REMINDERS) await unschedule(tx, ids.remind(name));
  await refreshAllProviderCards(tx, now, next, 'closed');
  await tellUsers(tx, now, [r.owner, r.calloff.publishedBy].filter((u) => !u.startsWith('system')), `closed:${r.id}${r.calloff.cascade ? ':cascade' : ''}`, { kind: 'calloff.closed', ref: r.id });
  return await afterClose(tx, next, now); // blind evaluation, or the cascade (issue 5)
}

/** The deadline job: closes a competition on time, even if the bot was down when it passed. */
export async function closeAtDeadline(store: BrokerageStore, ref: string, now: Date): Promise<void> {
  await store.transact({ actor: SYSTEM, action: 'calloffs.close' }, async (tx) => {
    const r = await tx.get('requests', ref) as OpenCallOff | undefined;
    if (!r?.calloff || r.state !== 'open') return;
    if (Date.parse(r.calloff.deadline) > now.getTime()) return; // extended since the job was armed
    await close(tx, r, now);
  });
}

/** Reminds providers that have neither bid nor said they are not interested. */
export async function sendReminder(store: BrokerageStore, ref: string, reminder: string, now: Date): Promise<void> {
  await store.transact({ actor: SYSTEM, action: 'calloffs.remind' }, async (tx) => {
    const r = await tx.get('requests', ref) as OpenCallOff | undefined;
    if (!r?.calloff || r.state !== 'open' || r.calloff.remindersSent.includes(reminder)) return;
    const bids = await Promise.all(r.calloff.offers.map((o) => tx.get('bids', bidId(r.id, o.providerId))));
    const quiet = new Set(r.calloff.offers.filter((o, i) => !o.declined && bids[i]?.status !== 'active').map((o) => o.providerId));
    await tellProviders(tx, now, r, `remind:${reminder}:${r.id}:${r.calloff.deadline}`, { kind: 'calloff.reminder', ref: r.id, reminder }, (p) => quiet.has(p), r.calloff.deadline);
    tx.put('requests', { ...r, calloff: { ...r.calloff, remindersSent: [...r.calloff.remindersSent, reminder] } });
  });
}

/** Sequential offer: a round ended with no acceptance, so the next tier is asked; after the last, it closes. */
export async function endRound(store: BrokerageStore, ref: string, now: Date): Promise<void> {
  await store.transact({ actor: SYSTEM, action: 'calloffs.next-round' }, async (tx) => {
    const r = await tx.get('requests', ref) as OpenCallOff | undefined;
    if (!r?.calloff || r.state !== 'open' || Date.parse(r.calloff.deadline) > now.getTime()) return;
    const current = r.calloff.rounds.at(-1);
    const following = current ? await nextTier(tx, r, TIERS.indexOf(current.tier) + 1) : undefined;
    const finalDeadline = Date.parse(r.package.deadline);
    if (!following || finalDeadline <= now.getTime()) {
      await close(tx, r, now);
      return;
    }
    const settings = await tx.get('settings', SETTINGS_ID) ?? DEFAULT_SETTINGS;
    const closesAt = new Date(Math.min(now.getTime() + settings.sequentialRoundHours * HOUR, finalDeadline)).toISOString();
    const next: OpenCallOff = { ...r, calloff: { ...r.calloff, deadline: closesAt, remindersSent: [], rounds: [...r.calloff.rounds, { tier: following.tier, opensAt: now.toISOString(), closesAt }] } };
    const reach = await offerTo(tx, next, following.providers, now, { id: `round:${r.id}:${following.tier}`, notify: r.calloff.publishedBy });
    tx.put('requests', next);
    await refreshAllProviderCards(tx, now, next, `round-${following.tier}`);
    await armDeadline(tx, next, now);
    await tellUsers(tx, now, [r.calloff.publishedBy].filter((u) => !u.startsWith('system')), `round:${r.id}:${following.tier}`, { kind: 'calloff.round', ref: r.id, tier: following.tier, offered: reach.offered.length });
  });
}

/** A broker moves the deadline later; every provider is told and every card shows the new time. */
export async function extendDeadline(store: BrokerageStore, who: Who, ref: string, input: { date: string; time: string; reason: string }, now: Date): Promise<OpenCallOff> {
  const user = await requirePermission(store, who, 'calloff.manage');
  const errors: Record<string, string> = {};
  if (!isRealDate(input.date)) errors.newDeadlineDate = 'choose the new deadline date';
  if (!HH_MM.test(input.time)) errors.newDeadlineTime = 'choose the new deadline time (HH:MM)';
  if (input.reason.trim().length < 5) errors.extendReason = 'say why (at least 5 characters)';
  if (Object.keys(errors).length) throw invalid(errors);
  const to = ukDateTime(input.date, input.time).toISOString();
  return store.transact({ actor: user.id, action: 'calloffs.extend' }, async (tx) => {
    const r = await tx.get('requests', ref.trim().toUpperCase()) as OpenCallOff | undefined;
    if (!r?.calloff) throw notFound(`There is no call-off ${ref}.`);
    if (r.calloff.deadline === to) return r; // a repeat
    if (r.state !== 'open') throw conflict(`${r.id} is ${r.state}; only an open call-off's deadline can be extended.`);
    if (Date.parse(to) <= Date.parse(r.calloff.deadline)) throw invalid({ newDeadlineDate: 'the new deadline must be later than the current one' });
    if (input.date >= r.package.startDate) throw invalid({ newDeadlineDate: `the deadline must be before the start date (${r.package.startDate})` });
    const leak = identifies(r.person, input.reason);
    if (leak) throw invalid({ extendReason: `every provider is told the reason, and it contains ${leak}; reword it` });
    const extension = { from: r.calloff.deadline, to, by: user.id, at: now.toISOString(), reason: input.reason.trim() };
    const next: OpenCallOff = {
      ...r,
      package: r.package.mode === 'sequential' ? r.package : { ...r.package, deadline: to },
      calloff: { ...r.calloff, deadline: to, extensions: [...r.calloff.extensions, extension], remindersSent: r.calloff.remindersSent.filter((name) => Date.parse(to) - REMINDERS.find(([n]) => n === name)![1] <= now.getTime()) },
      updatedAt: now.toISOString(),
    };
    tx.put('requests', next);
    await armDeadline(tx, next, now);
    // A card still trying to reach its channel keeps trying until the new deadline.
    for (const o of next.calloff.offers) {
      const card = await tx.get('outbox', o.postId);
      if (card?.status === 'pending' && card.giveUpAt) tx.put('outbox', { ...card, giveUpAt: to });
    }
    await refreshAllProviderCards(tx, now, next, `extended-${to}`);
    await tellProviders(tx, now, next, `extended:${r.id}:${to}`, { kind: 'calloff.extended', ref: r.id, to, reason: extension.reason });
    return next;
  });
}

/** Inside the cancel transaction: stop the clocks and tell every provider that received it. */
export async function onCallOffCancelled(tx: BrokerageTx, r: PackageRequest, now: Date): Promise<void> {
  if (!r.calloff) return;
  const ids = jobIds(r.id);
  await unschedule(tx, ids.close);
  await unschedule(tx, ids.round);
  for (const [name] of REMINDERS) await unschedule(tx, ids.remind(name));
  await refreshAllProviderCards(tx, now, r, 'cancelled');
  await tellProviders(tx, now, r, `cancelled:${r.id}`, { kind: 'calloff.cancelled', ref: r.id });
}
