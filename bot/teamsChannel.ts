import type { Activity } from 'botbuilder';
import type { ChannelKind } from '../src/domain/framework.js';

/**
 * What Teams says about the channel an activity comes from. Shapes as Teams sends them (see
 * test/bot/fixtures/teamsEvents.ts): a shared channel's events carry `channelData.channel.type`
 * "shared" and, for the bot being allowed or removed there, `eventType` "channelMemberAdded" /
 * "channelMemberRemoved" with the channel's own conversation id; team-wide events say
 * "teamMemberAdded" / "teamMemberRemoved" and carry no channel type.
 */
interface TeamsChannelData {
  team?: { id?: string; name?: string };
  channel?: { id?: string; name?: string; type?: string; membershipType?: string };
  eventType?: string;
  tenant?: { id?: string };
}

export const channelDataOf = (a: Activity): TeamsChannelData => (a.channelData ?? {}) as TeamsChannelData;

/**
 * The channel's membership kind: Teams' own word when it sends one (`type`, or `membershipType` as
 * Graph calls it), else "standard" for the General channel (its id is the team's id, and General is
 * always standard). Undefined when Teams does not say (older clients, the Agents Playground).
 */
export function channelKindOf(a: Activity): ChannelKind | undefined {
  const data = channelDataOf(a);
  const said = (data.channel?.type ?? data.channel?.membershipType)?.toLowerCase();
  if (said === 'shared' || said === 'private' || said === 'standard') return said;
  const channelId = data.channel?.id ?? a.conversation?.id?.split(';')[0];
  if (data.team?.id && channelId === data.team.id) return 'standard';
  return undefined;
}

/**
 * Whether a membersAdded / membersRemoved of the bot concerns one channel rather than the team:
 * bots are installed in a team and then allowed or removed per shared channel.
 */
export function channelScopedId(a: Activity): string | undefined {
  const data = channelDataOf(a);
  const perChannel = data.eventType === 'channelMemberAdded' || data.eventType === 'channelMemberRemoved' || data.channel?.type?.toLowerCase() === 'shared';
  if (!perChannel) return undefined;
  const channelId = data.channel?.id ?? a.conversation?.id?.split(';')[0];
  // An event for the team's General channel is a team event, whatever it is called.
  return channelId && channelId !== data.team?.id ? channelId : undefined;
}
