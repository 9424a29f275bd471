import type { OutboxItem } from '../../outbox/item.js';
import type { BrokerageStore } from '../../store/collections.js';
import { requirePermission, type Who } from '../actor.js';
import { conflict, notFound } from '../errors.js';
import { explained } from './status.js';

/**
 * Queues a failed post again, as new: pending, no attempts, due now, its give-up time counted
 * from now (a call-off card or reminder keeps its deadline). Refused while it cannot go: its
 * deadline has passed, or its provider's channel is still unreachable or not registered. The
 * re-queue is audited under the admin who asked; the outbox sends it as any other post.
 */
export async function sendPostAgain(store: BrokerageStore, who: Who, id: string, now: Date): Promise<OutboxItem> {
  const actor = (await requirePermission(store, who, 'service.operate')).id;
  return store.transact({ actor, action: 'ops.send-again' }, async (tx) => {
    const item = await tx.get('outbox', id);
    if (!item) throw notFound('There is no such post.');
    if (item.status === 'sent') throw conflict('That post has been delivered since.');
    if (item.status === 'pending') throw conflict('That post is already queued to go again.');
    if (item.giveUpAt && Date.parse(item.giveUpAt) <= now.getTime()) throw conflict('Its deadline has passed, so there is nothing to send.');
    if ('providerId' in item.target) {
      const p = await tx.get('providers', item.target.providerId);
      if (!p?.channel) throw conflict(`${p?.name ?? item.target.providerId} has no registered channel: a commissioner types \`register provider ${item.target.providerId}\` in its channel first.`);
      const why = p.channel.unreachableReason;
      if (why) throw conflict(`${p.name}'s channel is still unreachable (${why})${explained(why) ? '; then send again' : `. Register it again with \`register provider ${p.id}\` in the channel, then send again`}.`);
    }
    const again: OutboxItem = { ...item, status: 'pending', attempts: 0, dueAt: now.toISOString(), createdAt: now.toISOString() };
    delete again.lastError;
    delete again.unreachable;
    tx.put('outbox', again);
    return again;
  });
}
