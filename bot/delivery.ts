import type { Activity, ConversationReference } from 'botbuilder';
import type { CloudAdapter } from 'botbuilder';
import type { Delivery, OutboxItem } from '../src/outbox/outbox.js';
import { UnreachableError } from '../src/outbox/outbox.js';
import type { Deps } from './deps.js';
import { renderMessage } from './messages.js';

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
  const [chat] = await deps.store.find('installations', (i) => i.kind === 'personal' && i.userId === userId && !i.removedAt);
  if (!chat) throw new UnreachableError(`user ${userId} has not opened a chat with the bot`);
  return chat.reference as Partial<ConversationReference>;
}

/** Posts outbox items through the Bot Connector (Teams, or the Agents Playground locally). */
export function teamsDelivery(adapter: CloudAdapter, appId: string, deps: Deps): Delivery {
  return {
    async deliver(item, replaceActivityId) {
      const reference = await referenceFor(deps, item);
      const activity = await renderMessage(deps, item);
      if (activity === 'skip') return 'skip';
      let activityId: string | undefined;
      await adapter.continueConversationAsync(appId, reference, async (ctx) => {
        if (replaceActivityId) {
          await ctx.updateActivity({ ...activity, id: replaceActivityId } as Partial<Activity>);
          activityId = replaceActivityId;
        } else {
          activityId = (await ctx.sendActivity(activity))?.id;
        }
      });
      return { activityId };
    },
  };
}
