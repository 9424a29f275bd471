import type { Notification } from '../app/notifications.js';

/* The outbox's records, in a module of their own so the store's collection map can name them without importing the outbox. */

/**
 * Where a message goes: a provider's channel, a person's 1:1 chat with the bot, or a conversation
 * whose reference the use case kept (e.g. the chat an applicant applied from).
 */
export type Target = { providerId: string } | { userId: string } | { reference: Record<string, unknown> };

/**
 * One message to deliver. It names what to say (a message kind and the ids it is about), not the
 * card itself: the card is rendered from the store when sent, so it is never stale, and a
 * restart resumes with nothing lost. A post that names `updates` edits an earlier post in place.
 */
export interface OutboxItem {
  id: string;
  target: Target;
  message: Notification;
  /** The id of an earlier outbox item whose posted activity this one replaces. */
  updates?: string;
  /** `sent` only with the activity id Teams returned; `failed` says why in `lastError`. */
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  dueAt: string;
  createdAt: string;
  /** Stop retrying after this (a call-off card: its deadline); else the kind's rule in retryPolicy.ts. */
  giveUpAt?: string;
  sentAt?: string;
  activityId?: string;
  /**
   * The conversation the post went to, when the delivery says (a provider's channel can be
   * registered again elsewhere later: the post is then in the earlier channel, not the current one).
   */
  conversationId?: string;
  /**
   * Other activity ids of this same post: a send that timed out but went through after all, when
   * a retry had already posted it again (the outbox also tries to delete that copy), or a copy an
   * instance that stopped had posted, found when someone opened it (copies.ts). Updates edit every
   * copy, so none keeps saying something untrue; one Teams no longer has (404) is dropped.
   */
  copies?: string[];
  /**
   * When this post was taken over from an instance that stopped while sending it, with no receipt
   * and no way to look in the channel (Delivery.findCopies): Teams may already have made a copy
   * the store does not know, so the channel may show it twice (the status card says so).
   */
  takenOver?: string;
  /** Why the last attempt failed (kept while retrying, so a status card can say why). */
  lastError?: string;
  /** The conversation refused the bot (403, 404, not in the conversation): register it again, then resend. */
  unreachable?: boolean;
  /** The W3C traceparent of the span that queued it (src/metrics.ts), when telemetry is on: its sends join that trace. */
  trace?: string;
  /** Items published together; when the last one settles, `notify` hears how it went. */
  batch?: { id: string; notify?: string };
}

export type NewItem = Pick<OutboxItem, 'id' | 'target' | 'message' | 'updates' | 'batch' | 'giveUpAt'>;
