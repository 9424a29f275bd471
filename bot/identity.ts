import type { Activity, TurnContext } from 'botbuilder';
import type { Who } from '../src/app/actor.js';
import type { Deps } from './deps.js';
import type { BrokerageStore } from '../src/store/collections.js';
import { lookUpMemberTenant } from './memberLookup.js';

/** Which tenants are the council's; none (anonymous mode, the playground) means any. */
export interface TenantPolicy {
  councilTenants?: string[];
}

/**
 * The tenant an activity carries: `conversation.tenantId`, else `channelData.tenant.id`. In a
 * shared channel both are the host's tenant (the council's), even for an external user; Microsoft:
 * "To retrieve the host tenant ID for any event or action payload received by a bot, use
 * turnContext.activity.conversation.tenantId" (msteams-docs, build-apps-for-shared-private-channels.md).
 */
export function tenantOf(activity: Partial<Activity>): string | undefined {
  const t = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  return t ? t.toLowerCase() : undefined;
}

/** The acting person as Teams identifies them: aadObjectId and tenant, never anything from card data. */
export function whoFrom(activity: Activity, policy: TenantPolicy = {}): Who {
  const tenantId = tenantOf(activity);
  const council = policy.councilTenants ?? [];
  return {
    aadObjectId: (activity.from?.aadObjectId ?? '').toLowerCase(),
    tenantId,
    // Fails closed: with council tenants configured, an activity without a tenant is not the council's.
    councilTenant: council.length === 0 || (!!tenantId && council.includes(tenantId)),
    name: activity.from?.name,
  };
}

/** The member lookup's answers are kept this long: a user's own tenant does not change. Failures are not kept. */
const MEMBER_TTL_MS = 10 * 60_000;

/** `store`: the turn's own (readUsersOnce), so the user record read here is the one the role check reads. */
export type Identify = (ctx: TurnContext, store?: BrokerageStore) => Promise<Who>;

/**
 * `whoFrom`, plus the user's own tenant when the activity carries another (an external provider
 * user in the council's shared channel): Teams' member lookup returns the member's own tenant.
 * Asked only for users bound to a tenant other than the activity's. A tenant Teams reported is
 * kept for ten minutes; nothing else is (not a member yet, or Teams not answering: the next click
 * asks again). Until Teams names the user's own tenant, the user is not recognised (fails closed);
 * when Teams did not answer, the refusal is audited as "member lookup failed".
 */
export function identifier(deps: Pick<Deps, 'store' | 'logger' | 'config'>): Identify {
  const known = new Map<string, { tenantId: string; at: number }>();
  return async (ctx, store = deps.store) => {
    const who = whoFrom(ctx.activity, { councilTenants: deps.config.councilTenants });
    if (!who.aadObjectId || !who.tenantId || !ctx.activity.from?.id) return who;
    const bound = (await store.get('users', who.aadObjectId))?.tenantId?.toLowerCase();
    // Only the council's (the host's) tenant stands in for the user's own; from any other, there is nothing to ask.
    if (!bound || bound === who.tenantId || !who.councilTenant) return who;
    const key = `${who.tenantId}|${who.aadObjectId}`;
    const council = deps.config.councilTenants ?? [];
    // Council roles need the user's own tenant to be a council's too (src/app/actor.ts): an NHS partner's staff come from theirs.
    const home = (tenantId?: string) => ({ memberTenantId: tenantId, memberCouncilTenant: !!tenantId && (council.length === 0 || council.includes(tenantId)) });
    const cached = known.get(key);
    if (cached && Date.now() - cached.at < MEMBER_TTL_MS) return { ...who, ...home(cached.tenantId) };
    const answer = await lookUpMemberTenant(ctx);
    if ('failed' in answer) {
      deps.logger.warn('member lookup failed', { error: answer.failed, user: who.aadObjectId, tries: answer.tries });
      return { ...who, memberLookupFailed: true };
    }
    if (answer.tenantId) {
      if (known.size >= 5000) for (const [k, v] of known) if (Date.now() - v.at >= MEMBER_TTL_MS) known.delete(k); // stays bounded
      known.set(key, { tenantId: answer.tenantId, at: Date.now() });
    }
    return { ...who, ...home(answer.tenantId) };
  };
}
