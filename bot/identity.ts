import type { Activity } from 'botbuilder';
import type { Who } from '../src/app/actor.js';

/** The acting person as Teams identifies them: aadObjectId and tenant, never anything from card data. */
export function whoFrom(activity: Activity): Who {
  const tenantId = (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? activity.conversation?.tenantId;
  return { aadObjectId: (activity.from?.aadObjectId ?? '').toLowerCase(), tenantId, name: activity.from?.name };
}
