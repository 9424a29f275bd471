import { TeamsInfo, type Activity, type ConversationReference, type TurnContext } from 'botbuilder';
import type { ChannelMessages } from './channelMessages.js';
import { listOf } from '../src/store/reading.js';
import type { CloudAdapter } from 'botbuilder';
import type { Delivery, OutboxItem } from '../src/outbox/outbox.js';
import { UnreachableError } from '../src/outbox/outbox.js';
import type { Deps } from './deps.js';
import { renderMessage } from './messages.js';

/**
 * Turns off the connector client's own retries. Its pipeline retries 429s (honouring Retry-After)
 * and 5xx up to three times inside one send, out of the outbox's sight and pace, holding a
 * sending slot for seconds and spending the bot's rate budget unseen. Every retry goes through
 * the outbox's policy (src/outbox/retryPolicy.ts) instead. botbuilder offers no option for this
 * (it rebuilds the client for each proactive turn), so the policy is taken off that client.
 */
function withoutClientRetries(ctx: TurnContext): void {
  const connector = ctx.turnState.get(ctx.adapter.ConnectorClientKey) as { client?: { pipeline?: { removePolicy(o: { phase: 'Retry' }): unknown } } } | undefined;
  connector?.client?.pipeline?.removePolicy({ phase: 'Retry' });
}

/** An edit of a post that is in an earlier channel of the provider: not retried, and not the new channel's fault. */
export class PostElsewhereError extends Error {
  constructor() {
    super("the card is in the provider's earlier channel, not the one registered now: send the call-off again from its status card");
  }
}

/** Where a target lives in Teams: a provider's registered channel, or a person's 1:1 chat with the bot. */
export async function referenceFor(deps: Deps, item: OutboxItem): Promise<Partial<ConversationReference>> {
  if ('providerId' in item.target) {
    const p = await deps.store.get('providers', item.target.providerId);
    if (!p?.channel) throw new UnreachableError(`${p?.name ?? item.target.providerId} has no registered channel`);
    if (p.channel.unreachableReason) throw new UnreachableError(`${p.name}'s channel is unreachable: ${p.channel.unreachableReason}`);
    return p.channel.reference as Partial<ConversationReference>;
  }
  if ('reference' in item.target) return item.target.reference as Partial<ConversationReference>;
  const userId = item.target.userId;
  const [chat] = (await listOf(deps.store, 'installations')).filter((i) => i.kind === 'personal' && i.userId === userId && !i.removedAt);
  if (!chat) throw new UnreachableError(`user ${userId} has not opened a chat with the bot`);
  return chat.reference as Partial<ConversationReference>;
}

/**
 * Runs `work` in a proactive turn and rethrows what it threw. botbuilder hands an error thrown in
 * `continueConversationAsync` to the adapter's turn-error handler (teams-ai's app.error sets one)
 * and does not rethrow it, so without this a 429, 403 or 502 would look like a delivered post.
 */
async function inProactiveTurn<T>(adapter: CloudAdapter, appId: string, reference: Partial<ConversationReference>, work: (ctx: TurnContext) => Promise<T>): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  await adapter.continueConversationAsync(appId, reference, async (ctx) => {
    try {
      withoutClientRetries(ctx);
      outcome = { ok: true, value: await work(ctx) };
    } catch (error) {
      outcome = { ok: false, error };
    }
  });
  if (!outcome) throw new Error('the proactive turn did not run');
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/**
 * Posts outbox items through the Bot Connector (Teams, or the Agents Playground locally). With
 * `channelMessages` (the council granted ChannelMessage.Read.Group) it can also find a call-off
 * card already in a provider's channel: its team's group id from the connector, then the channel's
 * recent messages from Graph, each card knowing its post by its refresh data.
 */
export function teamsDelivery(adapter: CloudAdapter, appId: string, deps: Deps, options: { channelMessages?: ChannelMessages } = {}): Delivery {
  const groups = new Map<string, string>();
  const channelMessages = options.channelMessages;
  return {
    ...(channelMessages && {
      async findCopies(item: OutboxItem) {
        if (item.message.kind !== 'calloff.card' || !('providerId' in item.target)) return undefined;
        const channel = (await deps.store.get('providers', item.target.providerId))?.channel;
        if (!channel?.teamId) return undefined;
        let group = groups.get(channel.teamId);
        if (!group) {
          const details = await inProactiveTurn(adapter, appId, channel.reference as Partial<ConversationReference>, (ctx) => TeamsInfo.getTeamDetails(ctx, channel.teamId));
          if (!details.aadGroupId) return undefined;
          groups.set(channel.teamId, (group = details.aadGroupId));
        }
        return channelMessages.postsOf(group, channel.conversationId.split(';')[0], item.id);
      },
    }),
    async deliver(item, replaceActivityId) {
      const reference = await referenceFor(deps, item);
      const conversationId = (reference.conversation as { id?: string } | undefined)?.id;
      if (replaceActivityId && item.updates && conversationId) {
        // The post being edited went to a channel the provider has since left for another: its id
        // means nothing in the new channel (Teams answers 404, which would wrongly condemn the new one).
        const original = await deps.store.get('outbox', item.updates);
        if (original?.conversationId && original.conversationId !== conversationId) throw new PostElsewhereError();
      }
      const activity = await renderMessage(deps, item);
      if (activity === 'skip') return 'skip';
      return inProactiveTurn(adapter, appId, reference, async (ctx) => {
        if (replaceActivityId) {
          await ctx.updateActivity({ ...activity, id: replaceActivityId } as Partial<Activity>);
          return { activityId: replaceActivityId, conversationId };
        }
        return { activityId: (await ctx.sendActivity(activity))?.id, conversationId };
      });
    },
    async remove(item, activityId) {
      const reference = await referenceFor(deps, item);
      await inProactiveTurn(adapter, appId, reference, (ctx) => ctx.deleteActivity(activityId));
    },
  };
}
