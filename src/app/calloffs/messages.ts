import type { PackageRequest } from '../../domain/request.js';
import type { BrokerageTx } from '../../store/collections.js';
import { enqueue, enqueueNew } from '../../outbox/outbox.js';
import type { Notification } from '../notifications.js';

/**
 * The messages call-offs send, by kind. Each names ids only; the bot renders the card from the
 * store when it is sent. Ids are deterministic, so a repeated action queues nothing new.
 */
export const postId = (ref: string, providerId: string) => `post:${ref}:${providerId}`;

/** The update of the provider's call-off card post, named `why`. */
function providerRefresh(r: PackageRequest, providerId: string, why: string) {
  // The offer's post: a call-off sent again after its channel was re-registered has a new one.
  const post = r.calloff?.offers.find((o) => o.providerId === providerId)?.postId ?? postId(r.id, providerId);
  return { id: `${post}:refresh:${why}`, target: { providerId }, message: { kind: 'calloff.card' as const, ref: r.id }, updates: post };
}

/** Re-render the provider's call-off card in place (bid in, closed, cancelled, extended). */
export async function refreshProviderCard(tx: BrokerageTx, now: Date, r: PackageRequest, providerId: string, why: string): Promise<void> {
  await enqueue(tx, now, providerRefresh(r, providerId, why));
}

/**
 * The provider's card refreshed for bid version `version`, which this transaction creates: the
 * refresh is named by it (`…:refresh:bid-v3`). The version comes from the bid read in the same
 * transaction and bids are never deleted (a withdrawn one keeps its versions), so nothing by that
 * id exists, and it is queued without the read `enqueue` makes (a round trip on PostgreSQL).
 */
export function refreshForNewBidVersion(tx: BrokerageTx, now: Date, r: PackageRequest, providerId: string, version: number): void {
  enqueueNew(tx, now, providerRefresh(r, providerId, `bid-v${version}`));
}

export async function refreshAllProviderCards(tx: BrokerageTx, now: Date, r: PackageRequest, why: string): Promise<void> {
  for (const o of r.calloff?.offers ?? []) await refreshProviderCard(tx, now, r, o.providerId, why);
}

/** A notice posted in every offered provider's channel. */
export async function tellProviders(tx: BrokerageTx, now: Date, r: PackageRequest, key: string, message: Notification, only?: (providerId: string) => boolean, giveUpAt?: string): Promise<void> {
  for (const o of r.calloff?.offers ?? []) {
    if (only && !only(o.providerId)) continue;
    await enqueue(tx, now, { id: `${key}:${o.providerId}`, target: { providerId: o.providerId }, message, giveUpAt });
  }
}

/** A message to council people in their 1:1 chats with the bot. */
export async function tellUsers(tx: BrokerageTx, now: Date, userIds: string[], key: string, message: Notification): Promise<void> {
  for (const userId of new Set(userIds)) await enqueue(tx, now, { id: `${key}:${userId}`, target: { userId }, message });
}

export async function brokerIds(tx: BrokerageTx): Promise<string[]> {
  return (await tx.usersWithRole('broker')).map((u) => u.id);
}
