import { eligibleProviders } from '../../domain/eligibility.js';
import { TIERS, type Provider, type Tier } from '../../domain/framework.js';
import type { CallOff, Offer } from '../../domain/calloff.js';
import type { PackageRequest } from '../../domain/request.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { schedule } from '../../scheduler/scheduler.js';
import { requirePermission, Who } from '../actor.js';
import { conflict, invalid, notFound } from '../errors.js';
import { SETTINGS_ID, DEFAULT_SETTINGS } from '../framework/entities.js';
import { postId } from './messages.js';

export interface Reach {
  offered: { id: string; name: string }[];
  /** Eligible, but the bot has nowhere to post to them. */
  unreachable: { id: string; name: string; why: string }[];
  tier?: Tier;
}

export interface Published extends Reach {
  request: PackageRequest;
  /** True when the call-off was already open: a repeated click. */
  already: boolean;
}

export const HOUR = 3_600_000;
export const REMINDERS: [name: string, beforeMs: number][] = [
  ['24h', 24 * HOUR],
  ['2h', 2 * HOUR],
];

export const jobIds = (ref: string) => ({ close: `close:${ref}`, round: `round:${ref}`, remind: (name: string) => `remind:${name}:${ref}` });

const reachable = (p: Provider) => (!p.channel ? 'no channel registered' : p.channel.unreachableReason);

/** Offers the call-off to providers and queues each one's card; returns who was and was not reached. */
export async function offerTo(tx: BrokerageTx, r: PackageRequest & { calloff: CallOff }, providers: Provider[], now: Date, batch: { id: string; notify?: string }, tier?: Tier): Promise<Reach> {
  const reach: Reach = { offered: [], unreachable: [], tier };
  for (const p of providers) {
    const why = reachable(p);
    if (why) {
      reach.unreachable.push({ id: p.id, name: p.name, why });
      continue;
    }
    if (r.calloff.offers.some((o) => o.providerId === p.id)) continue;
    const offer: Offer = { providerId: p.id, tier, offeredAt: now.toISOString(), postId: postId(r.id, p.id) };
    r.calloff.offers.push(offer);
    // A provider can bid until the deadline, so its card keeps trying until then (retryPolicy.ts).
    await enqueue(tx, now, { id: offer.postId, target: { providerId: p.id }, message: { kind: 'calloff.card', ref: r.id }, batch, giveUpAt: r.calloff.deadline });
    reach.offered.push({ id: p.id, name: p.name });
  }
  return reach;
}

/** Arms the close job and the reminders that are still in the future. */
export async function armDeadline(tx: BrokerageTx, r: PackageRequest & { calloff: CallOff }, now: Date): Promise<void> {
  const ids = jobIds(r.id);
  const deadline = Date.parse(r.calloff.deadline);
  const isSequential = r.package?.mode === 'sequential';
  schedule(tx, { id: isSequential ? ids.round : ids.close, kind: isSequential ? 'calloff.round' : 'calloff.close', at: r.calloff.deadline, ref: r.id });
  for (const [name, before] of REMINDERS) {
    const at = deadline - before;
    if (at > now.getTime() && !r.calloff.remindersSent.includes(name)) schedule(tx, { id: ids.remind(name), kind: 'calloff.remind', at: new Date(at).toISOString(), ref: r.id, reminder: name });
  }
}

/** The first tier, from `from` on, that has an eligible provider. */
export async function nextTier(tx: BrokerageTx, r: PackageRequest, from: number): Promise<{ tier: Tier; providers: Provider[] } | undefined> {
  for (let i = from; i < TIERS.length; i++) {
    const providers = eligibleProviders((await tx.list('providers')), { lots: r.package!.lots, zone: r.person!.zone, tier: TIERS[i] });
    if (providers.length) return { tier: TIERS[i], providers };
  }
  return undefined;
}

/**
 * Publishes a submitted request as a call-off. Competition: every eligible provider, to the
 * request's deadline. Sequential offer: the first tier with eligible providers, for one round.
 */
export async function publishCallOff(store: BrokerageStore, who: Who | 'system', ref: string, now: Date): Promise<Published> {
  const actor = who === 'system' ? 'system:auto-publish' : (await requirePermission(store, who, 'calloff.publish')).id;
  return store.transact({ actor, action: 'calloffs.publish' }, async (tx) => {
    const r = await tx.get('requests', ref.trim().toUpperCase());
    if (!r) throw notFound(`There is no request ${ref}.`);
    if (r.calloff) return { request: r, already: true, offered: await Promise.all(r.calloff.offers.map(async (o) => ({ id: o.providerId, name: (await tx.get('providers', o.providerId))?.name ?? o.providerId }))), unreachable: [] };
    if (r.state !== 'submitted') throw conflict(`${r.id} is ${r.state === 'draft' ? 'still a draft' : r.state}; only a submitted request can be published.`);
    const pkg = r.package!;
    const settings = await tx.get('settings', SETTINGS_ID) ?? DEFAULT_SETTINGS;
    const sequential = pkg.mode === 'sequential';
    const deadline = sequential ? new Date(Math.min(now.getTime() + settings.sequentialRoundHours * HOUR, Date.parse(pkg.deadline))).toISOString() : pkg.deadline;
    if (Date.parse(deadline) <= now.getTime()) throw invalid({ deadline: 'the bid deadline has passed; ask the social worker to set a new one' }, `${r.id}'s bid deadline has passed.`);
    const calloff: CallOff = { publishedAt: now.toISOString(), publishedBy: actor, deadline, extensions: [], offers: [], clarifications: [], rounds: [], remindersSent: [] };
    const next = { ...r, state: 'open' as const, calloff, updatedAt: now.toISOString() };
    const batch = { id: `publish:${r.id}`, notify: who === 'system' ? r.owner : actor };
    let reach: Reach;
    if (sequential) {
      const first = await nextTier(tx, r, 0);
      reach = first ? await offerTo(tx, next, first.providers, now, batch, first.tier) : { offered: [], unreachable: [] };
      if (first) calloff.rounds.push({ tier: first.tier, opensAt: now.toISOString(), closesAt: deadline });
    } else {
      reach = await offerTo(tx, next, eligibleProviders((await tx.list('providers')), { lots: pkg.lots, zone: r.person!.zone }), now, batch);
    }
    if (!reach.offered.length) {
      const why = reach.unreachable.length ? `every eligible provider is unreachable (${reach.unreachable.map((u) => `${u.name}: ${u.why}`).join('; ')})` : 'no admitted provider covers these lots in this zone';
      throw conflict(`${r.id} was not published: ${why}. Register their channels, or use the cascade to neighbouring zones.`);
    }
    tx.put('requests', next);
    await armDeadline(tx, next, now);
    return { request: next, already: false, ...reach };
  });
}
