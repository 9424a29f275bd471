import type { OutboxItem } from '../../outbox/item.js';
import { addCopy } from '../../outbox/copies.js';
import { enqueue } from '../../outbox/outbox.js';
import type { BrokerageStore } from '../../store/collections.js';
import { forbidden, notFound } from '../errors.js';

/**
 * A copy of a provider's call-off card asks to be redrawn: Teams' Universal Actions refresh, sent
 * when one of the provider's users opens it or someone chooses Refresh on it. Any copy in the
 * channel (one an instance posted and stopped before saving, too) names its post, so each shows the
 * state the store holds now. Returns that post, to be drawn as the outbox draws it, once the post
 * is a call-off card and the ask comes from the channel it went to. Who asks needs no role: the
 * card is the one that channel shows everyone in it (Teams refreshes it for every member of a
 * channel of up to 60), so being in the channel is the right to see it, and Teams vouches for that.
 */
export async function channelCardPost(store: BrokerageStore, postId: string, conversationId: string): Promise<OutboxItem> {
  const post = await store.get('outbox', postId);
  if (!post || post.updates || post.message.kind !== 'calloff.card' || !('providerId' in post.target)) throw notFound('This card is out of date.');
  const providerId = post.target.providerId;
  const provider = await store.get('providers', providerId);
  const channel = post.conversationId ?? provider?.channel?.conversationId;
  // A channel post's invoke names the thread (`19:…;messageid=…`); the post went to the channel.
  if (!channel || conversationId.split(';')[0] !== channel) throw forbidden(`This call-off card (${post.message.ref}) was not posted in this conversation.`);
  return post;
}

/**
 * Someone in the channel opened or clicked a copy of the post that the store did not know: it is
 * recorded, and the post is updated (every copy, this one included) to the card as it stands now,
 * for everyone in the channel. Once per copy: a repeat finds it known and changes nothing.
 */
export async function copySeen(store: BrokerageStore, post: OutboxItem, activityId: string, now: Date): Promise<boolean> {
  return store.transact({ actor: 'system:outbox', action: 'outbox.copy-found' }, async (tx) => {
    if (!(await addCopy(tx, post.id, activityId))) return false;
    await enqueue(tx, now, { id: `${post.id}:copy:${activityId}`, target: post.target, message: post.message, updates: post.id });
    return true;
  });
}
