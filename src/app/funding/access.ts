import type { Agreement } from '../../domain/agreement.js';
import { approvalId, type Approval } from '../../domain/approvals.js';
import type { User } from '../../domain/framework.js';
import { splitOn, type FundingPartner, type FundingSplit, type PartnerShare } from '../../domain/funding.js';
import type { PackageRequest } from '../../domain/request.js';
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

type Read = Pick<BrokerageTx, 'get'>;

/** A partner's share and the split it is in. */
export interface HeldShare {
  split: FundingSplit;
  share: PartnerShare;
}

const shareIn = (split: FundingSplit | undefined, partnerId: string): HeldShare | undefined => {
  const share = split?.shares.find((s) => s.partnerId === partnerId);
  return split && share ? { split, share } : undefined;
};

/**
 * The split and share an approval of the partner's asks it about: the award's split on the
 * request; a change of split (the partner's share in the change, or, when the change removes it,
 * the share it held before); a variation's, the split in force on its first day.
 */
export function shareAsked(r: PackageRequest, a: Agreement | undefined, approval: Approval): HeldShare | undefined {
  if (!a || approval.kind === 'award') return shareIn(r.funding, approval.body);
  if (approval.kind === 'funding') {
    const change = a.funding?.find((s) => s.n === approval.n);
    return change && (shareIn(change, approval.body) ?? shareIn(splitOn(a.funding?.filter((s) => s !== change), change.from ?? ''), approval.body));
  }
  const v = a.variations.find((x) => x.n === approval.n);
  return v && shareIn(splitOn(a.funding, v.effectiveFrom), approval.body);
}

/**
 * The share that lets a partner's people see a package now, if any. Only a share the partner
 * holds or is being asked about counts, never one it refused or one that was proposed and lapsed:
 * - a decision of its own waiting on the package (its share of an award, of a variation, or a
 *   change of split, including one that takes its share away): the share it is asked about;
 * - on a request: the request's split names it and it has not refused the choice now on it (it
 *   is asked again when the social worker records a choice again);
 * - on an agreement: the split in force today, or an approved split from a later day, names it.
 */
export async function shareSeen(read: Read, partnerId: string, r: PackageRequest | undefined, a: Agreement | undefined, today: string, waiting?: Approval): Promise<HeldShare | undefined> {
  if (!r) return undefined;
  if (waiting?.body === partnerId && waiting.status === 'waiting') return shareAsked(r, a, waiting);
  if (!a) {
    const n = r.choices?.at(-1)?.n;
    const decided = n ? await read.get('approvals', approvalId('award', r.id, n, partnerId)) : undefined;
    return decided?.status === 'rejected' ? undefined : shareIn(r.funding, partnerId);
  }
  for (const split of [splitOn(a.funding, today), ...(a.funding ?? []).filter((s) => !s.status && (s.from ?? '') > today)]) {
    const held = shareIn(split, partnerId);
    if (held) return held;
  }
  return undefined;
}

/**
 * A partner's people see only the packages their body funds (shareSeen): anything else is
 * refused, and the refusal is kept in the audit even though the transaction it happens in is
 * thrown away (the bot also records it with the other refusals).
 */
export function checkFunds(tx: Pick<BrokerageTx, 'note'>, v: Viewer, ref: string, held: HeldShare | undefined): void {
  if (!v.partner || held) return;
  tx.note('funding.refused', { ref, user: v.user.id, partner: v.partner.id, reason: 'not a package it funds' }, { keepOnAbort: true });
  throw forbidden(`${ref} is not a package ${v.partner.name} funds, so you cannot see it.`);
}
