import { TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { recordChannelReturn, recordInstallation, recordRemoval, rememberPersonalChat, UNREACHABLE } from '../../src/app/framework/channels.js';
import { loadUser } from '../../src/app/actor.js';
import type { Installation } from '../../src/domain/framework.js';
import type { Deps } from '../deps.js';
import type { Command } from '../registry.js';
import { whoFrom, type Identify } from '../identity.js';
import { channelKindOf, channelScopedId } from '../teamsChannel.js';
import { explainNoRole, helpCard, placeOf, sendCard } from './common.js';

function installationOf(ctx: TurnContext, now: Date): Installation {
  const a = ctx.activity;
  const teamId = (a.channelData as { team?: { id?: string } } | undefined)?.team?.id;
  const place = placeOf(ctx);
  const ref = TurnContext.getConversationReference(a);
  // The bot allowed into one shared channel is an installation of its own: the team's is another.
  const channelId = channelScopedId(a);
  return {
    id: channelId ?? teamId ?? a.conversation.id,
    kind: place,
    teamId,
    tenantId: a.conversation.tenantId,
    serviceUrl: a.serviceUrl,
    reference: { ...ref, activityId: undefined } as Record<string, unknown>,
    installedAt: now.toISOString(),
    userId: place === 'personal' ? a.from?.aadObjectId?.toLowerCase() : undefined,
  };
}

const botIn = (ctx: TurnContext, members?: { id: string }[]) => !!members?.some((m) => m.id === ctx.activity.recipient.id);

/** Installs, removals and deleted channels: keep the list of places the bot can post to true. */
export function registerLifecycle(app: Application, deps: Deps, commands: () => Command[], identify: Identify): void {
  const installed = async (ctx: TurnContext) => {
    const who = await identify(ctx);
    const installation = installationOf(ctx, deps.now());
    const channelId = channelScopedId(ctx.activity);
    if (channelId) {
      const back = await recordChannelReturn(deps.store, who, channelId);
      if (back.length) deps.logger.info('bot back in a provider channel', { conversation: channelId, providers: back.map((p) => p.id) });
    }
    if (!(await recordInstallation(deps.store, who, installation))) return; // already welcomed
    deps.logger.info('bot installed', { conversation: installation.id, kind: installation.kind });
    if (installation.kind === 'personal') {
      const user = await loadUser(deps.store, who);
      if (user) await sendCard(ctx, helpCard(commands(), user, 'personal'));
      else await explainNoRole(ctx, who.aadObjectId);
    } else if (channelId && channelKindOf(ctx.activity) === 'private') {
      // A private channel takes only people of the council's own organisation: never a provider's channel.
      await ctx.sendActivity(
        "Hello, I'm Brokerage Bot, now in this private channel. Only people in your organisation can join a private channel, so providers' staff will not see call-offs posted here: register each provider in a shared channel with that provider instead. `@Brokerage Bot help` lists what you can do.",
      );
    } else if (channelId) {
      await ctx.sendActivity(
        "Hello, I'm Brokerage Bot, now in this shared channel. A commissioner makes it a provider's channel by typing `@Brokerage Bot register provider ‹provider id›` here; `@Brokerage Bot help` lists what you can do.",
      );
    } else {
      await ctx.sendActivity(
        "Hello, I'm Brokerage Bot. I post care-package call-offs to provider channels: one shared channel per provider. Installing me in the team does not put me in its shared channels: add me to each one (the channel's ⋯ → Manage channel → Apps), then a commissioner types `@Brokerage Bot register provider ‹provider id›` in it. `@Brokerage Bot help` lists what you can do.",
      );
    }
  };

  const removed = async (ctx: TurnContext, why: string, scope: { teamId?: string; conversationId?: string }) => {
    const affected = await recordRemoval(deps.store, whoFrom(ctx.activity), scope, deps.now().toISOString(), why);
    deps.logger.warn('bot removed', { ...scope, why, providersAffected: affected.map((p) => p.id) });
  };

  const teamScope = (ctx: TurnContext) => {
    const teamId = (ctx.activity.channelData as { team?: { id?: string } } | undefined)?.team?.id;
    return teamId ? { teamId } : { conversationId: ctx.activity.conversation.id };
  };

  // A 1:1 chat that predates the bot's records (or whose install event was missed) is learned from
  // the first message in it, so the bot can write to that person later.
  app.turn('beforeTurn', async (ctx) => {
    if (ctx.activity.type === 'message' && placeOf(ctx) === 'personal' && ctx.activity.from?.aadObjectId) {
      await rememberPersonalChat(deps.store, whoFrom(ctx.activity), installationOf(ctx, deps.now()));
    }
    return true;
  });

  app.activity('installationUpdate', async (ctx) => {
    const action = String((ctx.activity as { action?: string }).action ?? '');
    if (action.startsWith('add')) await installed(ctx);
    else if (action.startsWith('remove')) await removed(ctx, UNREACHABLE.removedFromTeam, teamScope(ctx));
  });
  app.conversationUpdate('membersAdded', async (ctx) => {
    if (botIn(ctx, ctx.activity.membersAdded)) await installed(ctx);
  });
  app.conversationUpdate('membersRemoved', async (ctx) => {
    if (!botIn(ctx, ctx.activity.membersRemoved)) return;
    // Removed from one shared channel: only that channel's provider is cut off, not the whole team.
    const channelId = channelScopedId(ctx.activity);
    if (channelId) await removed(ctx, UNREACHABLE.removedFromChannel, { conversationId: channelId });
    else await removed(ctx, UNREACHABLE.removedFromTeam, teamScope(ctx));
  });
  app.conversationUpdate('channelDeleted', async (ctx) => {
    const channelId = (ctx.activity.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
    if (channelId) await removed(ctx, UNREACHABLE.channelDeleted, { conversationId: channelId });
  });
  app.conversationUpdate('teamDeleted', async (ctx) => removed(ctx, UNREACHABLE.teamDeleted, teamScope(ctx)));
}
