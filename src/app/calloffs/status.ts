import type { PackageRequest } from '../../domain/request.js';
import { bidId } from '../../domain/calloff.js';
import type { OutboxItem } from '../../outbox/outbox.js';
import type { BrokerageStore } from '../../store/collections.js';
import { requirePermission, Who } from '../actor.js';
import { invalid, notFound } from '../errors.js';
import { can } from '../permissions.js';
import { lookupsOf, type Lookups } from '../framework/lookups.js';
import { isStale } from '../../domain/market.js';
import { marketRulesOf } from '../market/load.js';

/** Where one offered provider's call-off card stands, as a delivery report says it. */
export interface CardDelivery {
  providerId: string;
  name: string;
  state: 'delivered' | 'sending' | 'retrying' | 'failed';
  /** Why it is retrying or failed, as the Bot Connector said. */
  why?: string;
  /** Teams refused the channel (403, 404, bot not in it): it must be registered again. */
  unreachable?: boolean;
  /** A broker may send the card again now: it failed, the call-off is open and the channel is registered and reachable. */
  canResend: boolean;
  /** Delivered by an instance that took the post over from one that stopped mid-send, unable to look in the channel: an earlier copy may be there too. */
  mayShowTwice?: boolean;
}

export interface SealedStatus {
  request: PackageRequest;
  offered: number;
  /** Active bids: a count only, before and after the deadline alike; prices are for evaluation. */
  bids: number;
  declined: { reason: string; detail: string }[];
  deliveries: CardDelivery[];
  /** The names the card shows for lots and zones. */
  lookups: Lookups;
  /** Whether the one asking may manage the call-off (answer, extend, resend). */
  canManage: boolean;
  /** How many offered providers said they can take new packages in the person's zone (issue 25). */
  capacity: OfferedCapacity;
}

export interface OfferedCapacity {
  /** Said yes, within the council's number of weeks; with the hours a week they gave. */
  said: number;
  hours: number;
  /** Said yes longer ago than that: stale, not counted above. */
  stale: number;
  weeks: number;
}

function deliveryOf(post: OutboxItem | undefined, channelId: string | undefined): Pick<CardDelivery, 'state' | 'why' | 'unreachable' | 'mayShowTwice'> {
  if (!post) return { state: 'failed', why: 'never queued' };
  if (post.status === 'sent' && post.activityId && sentElsewhere(post, channelId)) return { state: 'failed', why: 'delivered to an earlier channel of this provider, not the one registered now' };
  if (post.status === 'sent' && post.activityId) return post.takenOver ? { state: 'delivered', mayShowTwice: true } : { state: 'delivered' };
  if (post.status === 'pending') return post.attempts ? { state: 'retrying', why: post.lastError } : { state: 'sending' };
  return { state: 'failed', why: post.lastError ?? 'no activity id from Teams', unreachable: post.unreachable };
}

/** A post that went to a conversation other than the provider's channel now (it was registered again elsewhere). */
export const sentElsewhere = (post: Pick<OutboxItem, 'conversationId'>, channelId: string | undefined): boolean => !!post.conversationId && !!channelId && post.conversationId !== channelId;

/** A call-off as council staff may see it while bids are sealed, with where each provider's card stands. */
export async function sealedStatus(store: BrokerageStore, who: Who, ref: string, now: Date): Promise<SealedStatus> {
  const user = await requirePermission(store, who, 'request.view');
  const r = await store.get('requests', ref.trim().toUpperCase());
  if (!r) throw notFound(`There is no request ${ref.trim().toUpperCase()}.`);
  if (!r.calloff) throw invalid({ ref: `${r.id} has not been published yet` }, `${r.id} has not been published yet${r.state === 'submitted' ? ': a broker can publish it' : ''}.`);
  const offers = r.calloff.offers;
  const [bids, posts, providers, lookups, capacities, rules] = await Promise.all([
    Promise.all(offers.map((o) => store.get('bids', bidId(r.id, o.providerId)))),
    Promise.all(offers.map((o) => store.get('outbox', o.postId))),
    Promise.all(offers.map((o) => store.get('providers', o.providerId))),
    lookupsOf(store),
    Promise.all(offers.map((o) => store.get('capacity', o.providerId))),
    marketRulesOf(store),
  ]);
  const inZone = capacities.map((c) => c?.zones.find((z) => z.zone === r.person?.zone && z.canTake)).filter((z) => !!z);
  const fresh = inZone.filter((z) => !isStale(z, rules.capacityWeeks, now));
  const open = r.state === 'open';
  return {
    request: r,
    offered: offers.length,
    bids: bids.filter((b) => b?.status === 'active').length,
    declined: offers.filter((o) => o.declined).map((o) => ({ reason: o.declined!.reason, detail: o.declined!.detail })),
    deliveries: offers.map((o, i) => {
      const channel = providers[i]?.channel;
      const d = deliveryOf(posts[i], channel?.conversationId);
      return { providerId: o.providerId, name: providers[i]?.name ?? o.providerId, ...d, canResend: open && d.state === 'failed' && !!channel && !channel.unreachableReason };
    }),
    lookups,
    canManage: can(user, 'calloff.manage'),
    capacity: { said: fresh.length, hours: fresh.reduce((t, z) => t + (z.hoursPerWeek ?? 0), 0), stale: inZone.length - fresh.length, weeks: rules.capacityWeeks },
  };
}
