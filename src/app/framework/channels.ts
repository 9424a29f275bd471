import type { ChannelRef, Installation, Provider } from '../../domain/framework.js';
import type { BrokerageStore } from '../../store/collections.js';
import { requirePermission, Who } from '../actor.js';
import { invalid, notFound } from '../errors.js';
import { enqueue } from '../../outbox/outbox.js';

/**
 * Records where the bot is installed, so proactive posts have somewhere to go. Resolves true only
 * for a new installation: Teams sends both installationUpdate and membersAdded for one install.
 */
export async function recordInstallation(store: BrokerageStore, who: Who, installation: Installation): Promise<boolean> {
  return store.transact({ actor: who.aadObjectId || 'system', action: 'installations.add' }, async (tx) => {
    const before = await tx.get('installations', installation.id);
    if (before && !before.removedAt) return false;
    tx.put('installations', installation);
    return true;
  });
}

/**
 * A 1:1 chat the bot has no live record of (it predates the records, or its install event was
 * missed), learned from a message in it so the bot can write to that person later. Reads first,
 * so the common case (a chat already known) writes nothing.
 */
export async function rememberPersonalChat(store: BrokerageStore, who: Who, installation: Installation): Promise<boolean> {
  const known = await store.get('installations', installation.id);
  if (known && !known.removedAt) return false;
  return recordInstallation(store, who, installation);
}

/**
 * The bot was removed from a team (or a channel was deleted): nothing can be posted there any
 * more, so the providers whose channel it was are marked unreachable until re-registered.
 */
export async function recordRemoval(store: BrokerageStore, who: Who, scope: { teamId?: string; conversationId?: string }, at: string, why: string): Promise<Provider[]> {
  return store.transact({ actor: who.aadObjectId || 'system', action: 'installations.remove' }, async (tx) => {
    const matches = (x: { teamId?: string; conversationId?: string; id?: string }) =>
      (scope.teamId && x.teamId === scope.teamId) || (scope.conversationId && (x.conversationId ?? x.id) === scope.conversationId);
    for (const i of (await tx.list('installations')).filter((i) => !!matches(i) && !i.removedAt)) tx.put('installations', { ...i, removedAt: at });
    const affected = (await tx.list('providers')).filter((p) => !!p.channel && !p.channel.unreachableReason && !!matches(p.channel));
    for (const p of affected) tx.put('providers', { ...p, channel: { ...p.channel!, unreachableReason: why } });
    return affected;
  });
}

/** Why a provider's channel cannot be reached, in words that say what to do about it. */
export const UNREACHABLE = {
  removedFromTeam: 'the bot was removed from the team: install the app in the team again, add it to this channel, then register the channel again',
  removedFromChannel: "the bot was removed from this shared channel: add it to the channel again (the channel's ⋯ → Manage channel → Apps); the registration comes back by itself",
  channelDeleted: 'the channel was deleted: register the provider in another shared channel',
  teamDeleted: 'the team was deleted: register the provider in a shared channel of another team',
} as const;

/**
 * The bot was added (back) to one shared channel: providers whose channel it is and which were cut
 * off only because the bot had been removed from that channel can be reached again.
 */
export async function recordChannelReturn(store: BrokerageStore, who: Who, conversationId: string): Promise<Provider[]> {
  return store.transact({ actor: who.aadObjectId || 'system', action: 'providers.channel-return' }, async (tx) => {
    const back = (await tx.list('providers')).filter((p) => p.channel?.conversationId === conversationId && p.channel.unreachableReason === UNREACHABLE.removedFromChannel);
    for (const p of back) tx.put('providers', { ...p, channel: { ...p.channel!, unreachableReason: undefined } });
    return back;
  });
}

/**
 * A warning for a provider channel that its staff cannot be in: providers are other organisations,
 * and only a shared channel (Teams Connect) takes people from another tenant.
 */
export function channelWarning(channel: Pick<ChannelRef, 'kind'>): string | undefined {
  if (channel.kind === 'standard' || channel.kind === 'private')
    return `this is a ${channel.kind} channel, which only people in your organisation can join: the provider's staff will not see the call-offs posted here. Create a shared channel with the provider, add the bot to it and register the provider there instead.`;
  return undefined;
}

/** Registers the channel a commissioner is typing in as a provider's channel. */
export async function registerProviderChannel(store: BrokerageStore, who: Who, providerId: string, channel: Omit<ChannelRef, 'registeredBy' | 'registeredAt'>, at: string): Promise<Provider> {
  await requirePermission(store, who, 'channel.register');
  if (!channel.teamId) throw invalid({ providerId: 'register a provider in a team channel (a shared channel with the provider), not in a chat' });
  return store.transact({ actor: who.aadObjectId, action: 'providers.register-channel' }, async (tx) => {
    const p = await tx.get('providers', providerId);
    if (!p) throw notFound(`There is no provider "${providerId}". \`providers\` lists them.`);
    const other = (await tx.list('providers')).filter((o) => o.id !== providerId && o.channel?.conversationId === channel.conversationId && !o.channel.unreachableReason);
    if (other.length) throw invalid({ providerId: `this channel is already ${other[0].name}'s channel; each provider needs its own` });
    const next: Provider = { ...p, channel: { ...channel, registeredBy: who.aadObjectId, registeredAt: at } };
    tx.put('providers', next);
    return next;
  });
}

/**
 * Teams refused a post to a provider's channel (403, 404, the bot is not in it): nothing more goes
 * there until a commissioner registers the channel again. Council staff are told, by provider
 * name, unless `told` already says they hear it another way (a publish report). Resolves with the
 * provider when this changed its channel.
 */
export async function markChannelUnreachable(store: BrokerageStore, providerId: string, reason: string, at: Date, tell: { ref?: string; told?: boolean }): Promise<Provider | undefined> {
  return store.transact({ actor: 'system:outbox', action: 'providers.channel-unreachable' }, async (tx) => {
    const p = await tx.get('providers', providerId);
    if (!p?.channel || p.channel.unreachableReason) return undefined;
    const next: Provider = { ...p, channel: { ...p.channel, unreachableReason: reason } };
    tx.put('providers', next);
    if (tell.told) return next;
    const r = tell.ref ? await tx.get('requests', tell.ref) : undefined;
    const to = r?.calloff?.publishedBy && !r.calloff.publishedBy.startsWith('system') ? [r.calloff.publishedBy] : (await tx.usersWithRole('broker')).map((u) => u.id);
    const text = `${p.name}'s channel can no longer be reached (${reason}), so posts to it have stopped${r ? `, including call-off ${r.id}` : ''}. A commissioner can register the channel again (\`register provider ${p.id}\` in it); then send the call-off again from its status card.`;
    for (const userId of to) await enqueue(tx, at, { id: `unreachable:${p.id}:${at.toISOString()}:${userId}`, target: { userId }, message: { kind: 'notice.text', text } });
    return next;
  });
}
