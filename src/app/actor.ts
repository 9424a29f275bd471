import type { User } from '../domain/framework.js';
import type { BrokerageStore } from '../store/collections.js';
import { forbidden } from './errors.js';
import { can, Permission } from './permissions.js';

/** Who is acting, as Teams tells us; never taken from a card's data. */
export interface Who {
  aadObjectId: string;
  tenantId?: string;
  name?: string;
}

/** The stored user for this person, if the council has given them a role. */
export async function loadUser(store: BrokerageStore, who: Who): Promise<User | undefined> {
  if (!who.aadObjectId) return undefined;
  const user = await store.get('users', who.aadObjectId.toLowerCase());
  // A user bound to a tenant (an external provider user) must arrive from that tenant.
  if (user?.tenantId && who.tenantId && user.tenantId !== who.tenantId) return undefined;
  return user;
}

export const NO_ROLE_MESSAGE =
  "You don't have a role in Brokerage Bot yet. Ask your council's commissioner to add you (they need your Entra object id, which `whoami` shows).";

export async function requirePermission(store: BrokerageStore, who: Who, permission: Permission): Promise<User> {
  const user = await loadUser(store, who);
  if (!user) throw forbidden(NO_ROLE_MESSAGE);
  if (!can(user, permission)) throw forbidden(`Your role doesn't allow that (${permission.replace('.', ' ')}).`);
  return user;
}
