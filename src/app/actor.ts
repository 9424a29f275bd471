import { PARTNER_ROLES, type Role, type User } from '../domain/framework.js';
import type { BrokerageStore } from '../store/collections.js';
import { forbidden } from './errors.js';
import { can, Permission } from './permissions.js';

/** Who is acting, as Teams tells us; never taken from a card's data. */
export interface Who {
  aadObjectId: string;
  /** The tenant the activity carries: the user's own, or, in a shared channel, the host's (the council's). */
  tenantId?: string;
  /** The user's own tenant as Teams' member lookup gave it, when the activity carried the host's. */
  memberTenantId?: string;
  /** Whether that own tenant is a council tenant (bot/identity.ts sets it with memberTenantId): council roles need it. */
  memberCouncilTenant?: boolean;
  /** The member lookup was needed and Teams did not answer it (after retries): the user is not recognised. */
  memberLookupFailed?: boolean;
  /**
   * Whether the activity came from a council tenant (MICROSOFT_APP_TENANT_ID or COUNCIL_TENANT_IDS).
   * The bot sets it on every activity (bot/identity.ts); `false` removes council roles. Use cases
   * called directly, without Teams (tests, the import script), leave it unset.
   */
  councilTenant?: boolean;
  name?: string;
}

const COUNCIL_ROLES: readonly Role[] = ['social_worker', 'broker', 'manager', 'commissioner'];
const same = (a?: string, b?: string) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/**
 * The stored user for this person, with the roles they hold where they are acting from, if any.
 * Fails closed: a user bound to a tenant (an external provider user) is recognised only when the
 * activity carries a tenant and it is theirs, either directly or (in a shared channel, where the
 * activity carries the host's tenant) as Teams' member lookup reports it. Council roles hold only
 * in a council tenant: the activity's, and for someone from outside in the council's shared
 * channel, their own home tenant as well (an NHS partner's staff never hold council roles). A
 * funding partner's people hold partner roles only, and only while their tenant is the partner's.
 */
export async function loadUser(store: BrokerageStore, who: Who): Promise<User | undefined> {
  if (!who.aadObjectId) return undefined;
  const user = await store.get('users', who.aadObjectId.toLowerCase());
  if (!user) return undefined;
  const own = same(user.tenantId, who.tenantId);
  const hosted = !!who.tenantId && who.councilTenant !== false && same(user.tenantId, who.memberTenantId);
  if (user.tenantId && !own && !hosted) return undefined;
  const councilHere = who.councilTenant !== false && (own || !hosted || who.memberCouncilTenant === true);
  let roles = councilHere ? user.roles : user.roles.filter((r) => !COUNCIL_ROLES.includes(r));
  if (user.partnerId) {
    const partner = await store.get('fundingPartners', user.partnerId);
    roles = partner && same(partner.tenantId, user.tenantId) ? roles.filter((r) => PARTNER_ROLES.includes(r)) : [];
  }
  if (!roles.length) return undefined;
  return roles.length === user.roles.length ? user : { ...user, roles };
}

/** Why `loadUser` found no one, as the audit says it: Teams could not be asked, a user known only from another tenant, or no role at all. */
export async function unrecognisedReason(store: BrokerageStore, who: Who): Promise<string> {
  if (who.memberLookupFailed) return 'member lookup failed';
  return who.aadObjectId && (await store.get('users', who.aadObjectId.toLowerCase())) ? 'not recognised from this tenant' : 'no role';
}

export const NO_ROLE_MESSAGE =
  "You don't have a role in Brokerage Bot yet. Ask your council's commissioner to add you (they need your Entra object id, which `whoami` shows).";

export async function requirePermission(store: BrokerageStore, who: Who, permission: Permission): Promise<User> {
  const user = await loadUser(store, who);
  if (!user) throw forbidden(NO_ROLE_MESSAGE);
  if (!can(user, permission)) throw forbidden(`Your role doesn't allow that (${permission.replace('.', ' ')}).`);
  return user;
}
