import { current, type Agreement, type Variation } from '../../domain/agreement.js';
import { COUNCIL_BODY, packageAmounts, variationAmountsOf, type Amounts, type ApprovalKind, type Conflict } from '../../domain/approvals.js';
import type { Choice, Placement } from '../../domain/award.js';
import { agreementId } from '../../domain/agreement.js';
import type { PackageRequest } from '../../domain/request.js';
import type { BrokerageTx } from '../../store/collections.js';
import type { Notification } from '../notifications.js';
import type { Approval } from '../../domain/approvals.js';

/**
 * What each kind of spending decision is, for the approvals room: its amounts, who may not decide
 * it (separation of duties), the card each approver gets, and whether it still waits. The subject
 * (a request's choice, an agreement's variation, a placement) keeps its own state; this only reads it.
 */
export interface Draft {
  kind: ApprovalKind;
  ref: string;
  n: number;
  subject: string;
  amounts: Amounts;
  raisedBy: string;
  raisedByName: string;
  conflicts: Conflict[];
}

type Read = Pick<BrokerageTx, 'get'>;
const nameOf = async (tx: Read, id: string) => (await tx.get('users', id))?.name ?? id;

/** Nobody decides what they raised, published, chose, proposed or recorded: one entry per person, the first reason. */
async function conflictsOf(tx: Read, entries: [string | undefined, string][]): Promise<Conflict[]> {
  const out: Conflict[] = [];
  for (const [id, why] of entries) {
    if (!id || id.startsWith('system') || out.some((c) => c.userId === id)) continue;
    out.push({ userId: id, name: await nameOf(tx, id), why });
  }
  return out;
}

const requestConflicts = (r: PackageRequest): [string | undefined, string][] => [
  [r.owner, 'raised the request'],
  [r.calloff?.publishedBy, 'published the call-off'],
  [r.calloff?.cascade?.openedBy, 'opened the cascade round'],
];

export async function awardDraft(tx: Read, r: PackageRequest, choice: Choice): Promise<Draft> {
  const bid = await tx.get('bids', choice.bidId);
  const weekly = bid?.versions.at(-1)?.weeklyPrice ?? 0;
  const provider = (await tx.get('providers', choice.providerId))?.name ?? choice.providerId;
  const raisedBy = choice.by.startsWith('system') ? r.owner : choice.by;
  return {
    kind: 'award',
    ref: r.id,
    n: choice.n,
    subject: `the award of ${r.id} to ${provider}`,
    amounts: packageAmounts(weekly, r.package?.durationWeeks),
    raisedBy,
    raisedByName: await nameOf(tx, raisedBy),
    conflicts: await conflictsOf(tx, [[choice.by, "recorded the person's choice"], ...requestConflicts(r)]),
  };
}

export async function placementDraft(tx: Read, r: PackageRequest, p: Placement): Promise<Draft> {
  return {
    kind: 'off-contract',
    ref: r.id,
    n: p.n,
    subject: `the off-contract placement of ${r.id} with ${p.providerName}`,
    amounts: packageAmounts(p.weeklyPrice, r.package?.durationWeeks),
    raisedBy: p.recordedBy,
    raisedByName: await nameOf(tx, p.recordedBy),
    conflicts: await conflictsOf(tx, [[p.recordedBy, 'recorded the placement'], ...requestConflicts(r)]),
  };
}

export async function variationDraft(tx: Read, a: Agreement, v: Variation): Promise<Draft> {
  const prev = current(a);
  return {
    kind: 'variation',
    ref: a.ref,
    n: v.n,
    subject: `variation ${v.n} of ${a.ref} (${a.providerName})`,
    // The same amounts variationApproval put at a level (domain/variationApproval.ts).
    amounts: variationAmountsOf({ weeklyBefore: v.weeklyBefore, weeklyAfter: v.weeklyAfter, effectiveFrom: v.effectiveFrom, endBefore: prev.endDate, endAfter: v.endDate }),
    raisedBy: v.proposedBy,
    raisedByName: v.proposedByName,
    conflicts: await conflictsOf(tx, [
      [v.side === 'council' ? v.proposedBy : undefined, 'proposed the variation'],
      [v.agreedBy, "agreed to the provider's change"],
      [a.owner, 'owns the package'],
    ]),
  };
}

/** The approval card each approver gets, by the outbox key its posts are found by (`<key>:<userId>`). */
export function cardOf(a: Pick<Approval, 'kind' | 'ref' | 'n' | 'body' | 'id'>): { key: string; message: Notification } {
  // A funding partner's approvers (issue 24) get their own card, drawn from what the partner may see.
  if (a.body !== COUNCIL_BODY || a.kind === 'funding') return { key: `funding-approval:${a.id}`, message: { kind: 'funding.approval', ref: a.ref, id: a.id } };
  switch (a.kind) {
    case 'award':
      return { key: `approval:${a.ref}:${a.n}`, message: { kind: 'award.approval', ref: a.ref, n: a.n } };
    case 'variation':
      return { key: `agr-variation:${a.ref}:${a.n}`, message: { kind: 'agreement.variation', ref: a.ref, n: a.n } };
    case 'off-contract':
      return { key: `placement-approval:${a.ref}:${a.n}`, message: { kind: 'placement.approval', ref: a.ref, n: a.n } };
  }
}

/** Whether the subject still waits for this decision (a cancelled request, a lapsed variation: no). */
export async function stillWaiting(tx: Read, a: Approval): Promise<boolean> {
  if (a.kind === 'funding') return (await tx.get('agreements', agreementId(a.ref)))?.funding?.find((s) => s.n === a.n)?.status === 'waiting';
  if (a.kind === 'variation') {
    const ag = await tx.get('agreements', agreementId(a.ref));
    return ag?.status !== 'ended' && ag?.variations.find((x) => x.n === a.n)?.status === 'awaiting_approval';
  }
  const r = await tx.get('requests', a.ref);
  if (!r || r.state === 'cancelled') return false;
  if (a.kind === 'award') return r.state === 'awaiting_approval' && r.choices?.at(-1)?.n === a.n && !r.decisions?.some((d) => d.n === a.n);
  return r.placements?.find((p) => p.n === a.n)?.status === 'awaiting_approval';
}
