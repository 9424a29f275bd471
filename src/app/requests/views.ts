/**
 * A request as its card shows it to one user: the request, the names for its ids, and what this
 * user may do with it (the rules live here, not in the card). bot/ only draws it.
 */
import type { User } from '../../domain/framework.js';
import type { PackageRequest } from '../../domain/request.js';
import type { BrokerageStore } from '../../store/collections.js';
import { can } from '../permissions.js';
import { lookupsOf, type Lookups } from '../framework/lookups.js';

export interface RequestView {
  request: PackageRequest;
  lookups: Lookups;
  /** The owner may edit a draft. */
  editable: boolean;
  /** The owner or a broker may cancel a request not yet awarded or cancelled. */
  cancellable: boolean;
  /** A broker may override the specialist checklist. */
  canOverride: boolean;
}

export function requestViewOf(r: PackageRequest, user: User, lookups: Lookups): RequestView {
  const own = r.owner === user.id;
  const open = r.state !== 'cancelled' && r.state !== 'awarded';
  return { request: r, lookups, editable: own && r.state === 'draft', cancellable: open && (own || can(user, 'request.manage')), canOverride: can(user, 'request.manage') };
}

/** The view of a request a use case has just returned (or read): one query for the names. */
export async function requestView(store: BrokerageStore, user: User, r: PackageRequest): Promise<RequestView> {
  return requestViewOf(r, user, await lookupsOf(store));
}
