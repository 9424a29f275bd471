import { TeamsInfo, type Activity, type TurnContext } from 'botbuilder';
import type { Who } from '../src/app/actor.js';
import type { Deps } from './deps.js';

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

const MEMBER_TTL_MS = 10 * 60_000;
const memberTenants = new Map<string, { tenantId?: string; at: number }>();

/**
 * `whoFrom`, plus the user's own tenant when the activity carries another (an external provider
 * user in the council's shared channel): Teams' member lookup returns the member's own tenant.
 * Asked only for users bound to a tenant other than the activity's, and kept for ten minutes.
 */
export async function identify(ctx: TurnContext, deps: Pick<Deps, 'store' | 'logger' | 'config'>): Promise<Who> {
  const who = whoFrom(ctx.activity, { councilTenants: deps.config.councilTenants });
  if (!who.aadObjectId || !who.tenantId || !ctx.activity.from?.id) return who;
  const bound = (await deps.store.get('users', who.aadObjectId))?.tenantId?.toLowerCase();
  if (!bound || bound === who.tenantId) return who;
  const key = `${ctx.activity.conversation.id}|${ctx.activity.from.id}`;
  const cached = memberTenants.get(key);
  if (cached && Date.now() - cached.at < MEMBER_TTL_MS) return { ...who, memberTenantId: cached.tenantId };
  let tenantId: string | undefined;
  try {
    const member = await TeamsInfo.getMember(ctx, ctx.activity.from.id);
    tenantId = member.tenantId?.toLowerCase();
  } catch (error) {
    // Unknown stays unknown: the user is then not recognised (fails closed), and the refusal is audited.
    deps.logger.warn('member lookup failed', { error, user: who.aadObjectId });
  }
  if (memberTenants.size >= 5000) for (const [k, v] of memberTenants) if (Date.now() - v.at >= MEMBER_TTL_MS) memberTenants.delete(k); // stays bounded
  memberTenants.set(key, { tenantId, at: Date.now() });
  return { ...who, memberTenantId: tenantId };
}
