import type { User } from '../../domain/framework.js';
import type { FundingPartner, FundingSplit } from '../../domain/funding.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { requirePermission, type Who } from '../actor.js';
import { forbidden } from '../errors.js';

/** Who is looking at joint funding: council staff (no partner), or one of a partner's people and their partner. */
export interface Viewer {
  user: User;
  partner?: FundingPartner;
}

export async function viewerOf(store: BrokerageStore, who: Who): Promise<Viewer> {
  const user = await requirePermission(store, who, 'funding.view');
  if (!user.partnerId) return { user };
  const partner = await store.get('fundingPartners', user.partnerId);
  // loadUser recognises a partner's person only while their partner is registered in their tenant.
  if (!partner) throw forbidden('Your organisation is not registered as a funding partner.');
  return { user, partner };
}

/** Whether a partner has (or had, in a split still on record) a share of a package. */
export const funds = (partnerId: string, splits: (FundingSplit | undefined)[]) => splits.some((s) => s?.shares.some((x) => x.partnerId === partnerId));

/**
 * A partner's people see only the packages their body funds: anything else is refused, and the
 * refusal is kept in the audit even though the transaction it happens in is thrown away (the bot
 * also records it with the other refusals).
 */
export function checkFunds(tx: Pick<BrokerageTx, 'note'>, v: Viewer, ref: string, splits: (FundingSplit | undefined)[]): void {
  if (!v.partner || funds(v.partner.id, splits)) return;
  tx.note('funding.refused', { ref, user: v.user.id, partner: v.partner.id, reason: 'not a package it funds' }, { keepOnAbort: true });
  throw forbidden(`${ref} is not a package ${v.partner.name} funds, so you cannot see it.`);
}
