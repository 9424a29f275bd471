import type { ChannelRef, Installation, Provider } from '../../domain/framework.js';
import type { BrokerageStore } from '../../store/collections.js';
import { requirePermission, Who } from '../actor.js';
import { invalid, notFound } from '../errors.js';

/**
 * Records where the bot is installed, so proactive posts have somewhere to go. Resolves true only
 * for a new installation: Teams sends both installationUpdate and membersAdded for one install.
 */
export async function recordInstallation(store: BrokerageStore, who: Who, installation: Installation): Promise<boolean> {
  return store.transact({ actor: who.aadObjectId || 'system', action: 'installations.add' }, (tx) => {
    const before = tx.get('installations', installation.id);
    if (before && !before.removedAt) return false;
    tx.put('installations', installation);
    return true;
  });
}

/**
 * The bot was removed from a team (or a channel was deleted): nothing can be posted there any
 * more, so the providers whose channel it was are marked unreachable until re-registered.
 */
export async function recordRemoval(store: BrokerageStore, who: Who, scope: { teamId?: string; conversationId?: string }, at: string, why: string): Promise<Provider[]> {
  return store.transact({ actor: who.aadObjectId || 'system', action: 'installations.remove' }, (tx) => {
    const matches = (x: { teamId?: string; conversationId?: string; id?: string }) =>
      (scope.teamId && x.teamId === scope.teamId) || (scope.conversationId && (x.conversationId ?? x.id) === scope.conversationId);
    for (const i of tx.find('installations', (i) => !!matches(i) && !i.removedAt)) tx.put('installations', { ...i, removedAt: at });
    const affected = tx.find('providers', (p) => !!p.channel && !p.channel.unreachableReason && !!matches(p.channel));
    for (const p of affected) tx.put('providers', { ...p, channel: { ...p.channel!, unreachableReason: why } });
    return affected;
  });
}

/** Registers the channel a commissioner is typing in as a provider's channel. */
export async function registerProviderChannel(store: BrokerageStore, who: Who, providerId: string, channel: Omit<ChannelRef, 'registeredBy' | 'registeredAt'>, at: string): Promise<Provider> {
  await requirePermission(store, who, 'channel.register');
  if (!channel.teamId) throw invalid({ providerId: 'register a provider in a team channel (a shared channel with the provider), not in a chat' });
  return store.transact({ actor: who.aadObjectId, action: 'providers.register-channel' }, (tx) => {
    const p = tx.get('providers', providerId);
    if (!p) throw notFound(`There is no provider "${providerId}". \`providers\` lists them.`);
    const other = tx.find('providers', (o) => o.id !== providerId && o.channel?.conversationId === channel.conversationId && !o.channel.unreachableReason);
    if (other.length) throw invalid({ providerId: `this channel is already ${other[0].name}'s channel; each provider needs its own` });
    const next: Provider = { ...p, channel: { ...channel, registeredBy: who.aadObjectId, registeredAt: at } };
    tx.put('providers', next);
    return next;
  });
}
