import type { PackageRequest } from '../../domain/request.js';
import type { BrokerageStore } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { requirePermission, Who } from '../actor.js';
import { conflict, invalid, notFound } from '../errors.js';
import { postId } from './messages.js';
import { sentElsewhere } from './status.js';

/**
 * Sends a provider's call-off card again, after its post failed (most often because Teams
 * refused the channel and a commissioner has since registered it again). The offer then points
 * at the new post, so later updates (bid in, closed) edit that one. The broker hears how it went,
 * as after a publish.
 */
export async function resendCallOff(store: BrokerageStore, who: Who, ref: string, providerId: string, now: Date): Promise<{ request: PackageRequest; name: string }> {
  const actor = (await requirePermission(store, who, 'calloff.publish')).id;
  return store.transact({ actor, action: 'calloffs.resend' }, async (tx) => {
    const r = await tx.get('requests', ref.trim().toUpperCase());
    if (!r?.calloff) throw notFound(`There is no published call-off ${ref}.`);
    if (r.state !== 'open' || Date.parse(r.calloff.deadline) <= now.getTime()) throw conflict(`${r.id} is closed for bids, so there is nothing to send again.`);
    const offer = r.calloff.offers.find((o) => o.providerId === providerId);
    if (!offer) throw invalid({ providerId: `${r.id} was not offered to ${providerId}` });
    const p = await tx.get('providers', providerId);
    if (!p?.channel) throw conflict(`${p?.name ?? providerId} has no registered channel: a commissioner types \`register provider ${providerId}\` in its channel first.`);
    if (p.channel.unreachableReason) throw conflict(`${p.name}'s channel is still unreachable (${p.channel.unreachableReason}). A commissioner registers it again with \`register provider ${p.id}\` in the channel; then send again.`);
    const post = await tx.get('outbox', offer.postId);
    if (post?.status === 'sent' && !sentElsewhere(post, p.channel.conversationId)) throw conflict(`${p.name} already has the call-off card.`);
    if (post?.status === 'pending') throw conflict(`The call-off card is still on its way to ${p.name}.`);
    const again = Number(/:again:(\d+)$/.exec(offer.postId)?.[1] ?? 0) + 1;
    const id = `${postId(r.id, providerId)}:again:${again}`;
    const next = { ...r, calloff: { ...r.calloff, offers: r.calloff.offers.map((o) => (o === offer ? { ...o, postId: id } : o)) }, updatedAt: now.toISOString() };
    tx.put('requests', next);
    await enqueue(tx, now, { id, target: { providerId }, message: { kind: 'calloff.card', ref: r.id }, giveUpAt: r.calloff.deadline, batch: { id: `resend:${r.id}:${providerId}:${again}`, notify: actor } });
    return { request: next, name: p.name };
  });
}
