import type { Collections } from '../store/collections.js';
import type { Tx } from '../store/store.js';

/**
 * Records, in the caller's transaction, that a post the outbox sent has another copy in the same
 * conversation with this activity id (one Teams made for an instance that stopped before saving the
 * answer): every later update of the post edits it too. True only when the id was new.
 */
export async function addCopy(tx: Tx<Collections>, itemId: string, activityId: string): Promise<boolean> {
  const post = await tx.get('outbox', itemId);
  if (!post || post.status !== 'sent' || !post.activityId || post.updates) return false;
  if (post.activityId === activityId || post.copies?.includes(activityId)) return false;
  tx.put('outbox', { ...post, copies: [...(post.copies ?? []), activityId] });
  return true;
}
