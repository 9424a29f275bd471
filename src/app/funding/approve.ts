import { agreementId, current, type Agreement, type Variation } from '../../domain/agreement.js';
import { addDays, versionOn, versionsFrom } from '../../domain/agreementRules.js';
import { approvalId, COUNCIL_BODY, packageAmounts, variationAmounts, weeksLeft, type Approval } from '../../domain/approvals.js';
import type { Choice, Decision } from '../../domain/award.js';
import { formatUk } from '../../domain/dates.js';
import { splitOn, splitsFrom, type FundingSplit } from '../../domain/funding.js';
import { returnedSince } from '../../domain/fundingPeriods.js';
import type { User } from '../../domain/framework.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { requirePermission, type Who } from '../actor.js';
import { conflict, forbidden, invalid, notFound } from '../errors.js';
import { plainText } from '../../domain/plainText.js';
import { raiseApproval } from '../approvals/raise.js';
import { authorise, lapse, settle } from '../approvals/decide.js';
import type { Draft } from '../approvals/subjects.js';
import { brokerIds, tellUsers } from '../calloffs/messages.js';
import { humans } from '../award/shared.js';
import type { OpenCallOff } from '../calloffs/access.js';
import { councilTeam, rulesFor, rulesTx } from '../agreements/load.js';
import { awaitingFunders, shareOf } from './views.js';

/**
 * Each funder approves its share (issue 24), in the approvals room: a partner is a body with its
 * own scheme (levels, approvers in its own tenant), so raising, routing, reminders, escalation,
 * authorising and settling are the room's. This file says what a partner's decision is about (its
 * share of an award, or a change of its share on an agreement) and what follows from it: the
 * award is made only when every funder with a share has approved; a partner's refusal sends the
 * choice back with its reason; a change of split applies when every partner it changes approves.
 */

const name = async (tx: Pick<BrokerageTx, 'get'>, id: string) => (await tx.get('fundingPartners', id))?.name ?? id;

/** The partner's decision on an award: its share of the weekly price, over the package's weeks. */
async function awardShareDraft(tx: BrokerageTx, r: OpenCallOff, choice: Choice, partnerId: string): Promise<Draft> {
  const weekly = (await tx.get('bids', choice.bidId))?.versions.at(-1)?.weeklyPrice ?? 0;
  const share = shareOf(r.funding!, partnerId, weekly);
  const raisedBy = choice.by.startsWith('system') ? r.owner : choice.by;
  return {
    kind: 'award',
    ref: r.id,
    n: choice.n,
    subject: `${await name(tx, partnerId)}'s share of the award of ${r.id}`,
    amounts: packageAmounts(share.weekly, r.package.durationWeeks),
    raisedBy,
    raisedByName: (await tx.get('users', raisedBy))?.name ?? raisedBy,
    // The council's people are never a partner's approvers, so nobody here is conflicted.
    conflicts: [],
  };
}

/** Sends the choice to every partner with a share, alongside the council's approvers (called where the council's is raised). */
export async function raisePartnerApprovals(tx: BrokerageTx, r: OpenCallOff, choice: Choice, now: Date): Promise<void> {
  for (const s of r.funding?.shares ?? []) await raiseApproval(tx, await awardShareDraft(tx, r, choice, s.partnerId), now, s.partnerId);
}

/** The council's and partners' approvals of choice n still waiting, to lapse when one funder refuses. */
export async function lapseFunderApprovals(tx: BrokerageTx, r: OpenCallOff, n: number, now: Date, why: string): Promise<void> {
  for (const body of [COUNCIL_BODY, ...(r.funding?.shares.map((s) => s.partnerId) ?? [])]) {
    const a = await tx.get('approvals', approvalId('award', r.id, n, body));
    if (a?.status === 'waiting') await lapse(tx, a, now, why);
  }
}

export interface ShareDecision {
  approval: Approval;
  /** What happened as a result, in words for the reply. */
  outcome: string;
}

/** The approval a partner's person clicked, if it is their body's: otherwise refused and audited. */
async function ownApproval(tx: BrokerageTx, user: User, id: string): Promise<Approval> {
  const a = await tx.get('approvals', id);
  if (!a) throw notFound('That approval no longer exists.');
  if (!user.partnerId || a.body !== user.partnerId) {
    tx.note('funding.refused', { id, user: user.id, partner: user.partnerId ?? null, reason: "another body's approval" }, { keepOnAbort: true });
    throw forbidden(`That decision is not for ${user.partnerId ? await name(tx, user.partnerId) : 'you'} to take.`);
  }
  return a;
}

/**
 * A partner's approver approves or refuses its share, under its own levels (the approvals room's
 * authorise: its approvers, its level for the share's amounts, delegation). `finish` holds the
 * award's and the variation's own last steps (award/decision.ts, agreements/variations.ts), passed
 * in by decide.ts: both raise the partners' approvals through this file, so importing them here
 * would close a circle.
 */
export async function decideShare(
  store: BrokerageStore,
  who: Who,
  id: string,
  outcome: 'approved' | 'rejected',
  note: string,
  now: Date,
  finish: { makeAward: (tx: BrokerageTx, r: OpenCallOff, choice: Choice, council: Approval, now: Date) => Promise<unknown>; settleVariation: SettleVariation },
): Promise<ShareDecision> {
  const user = await requirePermission(store, who, 'funding.decide');
  const reason = note.trim();
  return store.transact({ actor: user.id, action: `funding.${outcome === 'approved' ? 'approve' : 'refuse'}` }, async (tx) => {
    const a = await ownApproval(tx, user, id);
    if (a.status !== 'waiting') throw conflict(`This was already ${a.status === 'lapsed' ? `closed: ${a.note ?? ''}` : `${a.status} by ${a.decidedBy === user.id ? 'you' : a.decidedByName} on ${formatUk(a.decidedAt!)}`}; it cannot be decided again.`);
    if (outcome === 'rejected' && reason.length < 5) throw invalid({ refuseReason: 'say why your organisation does not agree to fund it (at least 5 characters); the council is told' });
    const partnerName = await name(tx, a.body);
    if (a.kind === 'funding') return decideChange(tx, user, a, outcome, reason, partnerName, now);
    if (a.kind === 'variation') return decideVariationShare(tx, user, a, outcome, reason, partnerName, now, finish.settleVariation);
    const r = (await tx.get('requests', a.ref)) as OpenCallOff | undefined;
    const choice = r?.choices?.at(-1);
    if (!r || !choice || choice.n !== a.n || r.state !== 'awaiting_approval') throw conflict(`${a.ref} is no longer waiting for this approval.`);
    const auth = await authorise(tx, user, await awardShareDraft(tx, r, choice, a.body), now, a.body);
    const settled = await settle(tx, auth, user, outcome, now, reason);
    if (outcome === 'rejected') {
      // A partner's refusal sends the choice back, as a council rejection does, with its reason.
      const decision: Decision = { n: a.n, outcome: 'rejected', by: user.id, byName: `${user.name} (${partnerName})`, at: now.toISOString(), reason: `${partnerName} does not agree to fund its share: ${reason}` };
      tx.put('requests', { ...r, state: 'evaluated', decisions: [...(r.decisions ?? []), decision], updatedAt: now.toISOString() });
      await lapseFunderApprovals(tx, r, a.n, now, `${partnerName} refused its share`);
      await tellUsers(tx, now, humans([r.owner, ...(await brokerIds(tx))]), `rejected:${r.id}:${a.n}`, { kind: 'award.rejected', ref: r.id, n: a.n });
      return { approval: settled, outcome: 'Refused. The choice goes back to the social worker with your reason; the council is told.' };
    }
    const missing = await awaitingFunders(tx, r, a.n);
    if (missing.length) return { approval: settled, outcome: `Approved for ${partnerName}. The award is made once ${missing.join(' and ')} ${missing.length > 1 ? 'approve' : 'approves'} too.` };
    await finish.makeAward(tx, r, choice, (await tx.get('approvals', approvalId('award', r.id, a.n)))!, now);
    return { approval: settled, outcome: `Approved for ${partnerName}. Every funder has approved: the award is made and the provider is asked to accept.` };
  });
}

// ───────────────────────────── variations of a jointly funded agreement ─────────────────────────────

/**
 * The partners whose share a variation changes, on any day from its first on: the variation's terms
 * replace every version from that day, so each split in force from then (one may hand the share to
 * another partner later) is compared under the terms in force and the new terms, day span by day
 * span; a new end date changes the share of whoever pays in the weeks it adds or takes away. Each
 * with its weekly part before and after, and the first day it changes.
 */
export function variationPartners(a: Agreement, v: Variation): { partnerId: string; before: number; after: number; from: string }[] {
  const oldEnd = current(a).endDate;
  const newEnd = v.endDate || oldEnd;
  const endMoves = newEnd !== oldEnd;
  // The days moved by a new end date: (lo, hi], open-ended when one of the ends is.
  const lo = !oldEnd ? newEnd : !newEnd ? oldEnd : oldEnd < newEnd ? oldEnd : newEnd;
  const hi = oldEnd && newEnd ? (oldEnd < newEnd ? newEnd : oldEnd) : undefined;
  const last = endMoves ? hi : oldEnd;
  // The days on which the split or the terms in force change, from the variation's first day on.
  const starts = [...new Set([v.effectiveFrom, ...splitsFrom(a.funding, v.effectiveFrom).map((s) => s.from ?? ''), ...versionsFrom(a.versions, v.effectiveFrom).map((x) => x.effectiveFrom)])]
    .filter((d) => d >= v.effectiveFrom && (!last || d <= last))
    .sort();
  const found = new Map<string, { partnerId: string; before: number; after: number; from: string }>();
  starts.forEach((day, i) => {
    const split = splitOn(a.funding, day);
    const inForce = versionOn(a.versions, day) ?? a.versions[0];
    const spanEnd = starts[i + 1];
    const inMovedDays = endMoves && !!lo && (!hi || day <= hi) && (!spanEnd || spanEnd > addDays(lo, 1));
    for (const s of split?.shares ?? []) {
      if (found.has(s.partnerId)) continue;
      const before = shareOf(split!, s.partnerId, inForce.weeklyCost, inForce.elements).weekly;
      const after = shareOf(split!, s.partnerId, v.weeklyAfter, v.elements).weekly;
      if (before !== after || inMovedDays) found.set(s.partnerId, { partnerId: s.partnerId, before, after, from: day });
    }
  });
  return [...found.values()];
}

/** Sends a variation to each partner whose share it changes (with the council's approval, when that is needed too). */
export async function raiseVariationShares(tx: BrokerageTx, a: Agreement, v: Variation, now: Date): Promise<void> {
  const end = current(a).endDate;
  for (const p of variationPartners(a, v)) {
    const draft: Draft = {
      kind: 'variation',
      ref: a.ref,
      n: v.n,
      subject: `${await name(tx, p.partnerId)}'s share of variation ${v.n} of ${a.ref}`,
      amounts: variationAmounts(p.before, p.after, weeksLeft(p.from, end), weeksLeft(p.from, v.endDate || end)),
      raisedBy: v.proposedBy,
      raisedByName: v.proposedByName,
      conflicts: [],
    };
    await raiseApproval(tx, draft, now, p.partnerId);
  }
}

/** The bodies (names) whose approval of variation n was raised and is not yet given, the council's included. */
export async function variationWaitsFor(tx: Pick<BrokerageTx, 'get'>, a: Agreement, n: number): Promise<string[]> {
  const out: string[] = [];
  for (const body of [COUNCIL_BODY, ...new Set((a.funding ?? []).flatMap((s) => s.shares.map((x) => x.partnerId)))]) {
    const x = await tx.get('approvals', approvalId('variation', a.ref, n, body));
    if (x && x.status !== 'approved') out.push(body === COUNCIL_BODY ? 'the council' : await name(tx, body));
  }
  return out;
}

/** A variation's approvals still waiting with the partners, to lapse when the package ends or another body refuses. */
export async function lapseVariationShares(tx: BrokerageTx, a: Agreement, n: number, now: Date, why: string): Promise<void> {
  for (const x of (await tx.waitingApprovals()).filter((y) => y.kind === 'variation' && y.ref === a.ref && y.n === n)) await lapse(tx, x, now, why);
}

/** How a variation's last approval (or a refusal) is put into effect: variations.ts's, passed in by decide.ts. */
export type SettleVariation = (tx: BrokerageTx, a: Agreement, v: Variation, outcome: 'approved' | 'rejected', by: { id: string; name: string; forId?: string; forName?: string }, note: string, now: Date) => Promise<Agreement>;

async function decideVariationShare(tx: BrokerageTx, user: User, a: Approval, outcome: 'approved' | 'rejected', reason: string, partnerName: string, now: Date, finish: SettleVariation): Promise<ShareDecision> {
  const ag = await tx.get('agreements', agreementId(a.ref));
  const v = ag?.variations.find((x) => x.n === a.n);
  if (!ag || !v || v.status !== 'awaiting_approval' || ag.status === 'ended') throw conflict(`Variation ${a.n} of ${a.ref} is no longer waiting for this approval.`);
  const draft: Draft = { kind: 'variation', ref: a.ref, n: a.n, subject: a.subject, amounts: a.amounts, raisedBy: a.raisedBy, raisedByName: a.raisedByName, conflicts: [] };
  const settled = await settle(tx, await authorise(tx, user, draft, now, a.body), user, outcome, now, reason);
  if (outcome === 'rejected') {
    await lapseVariationShares(tx, ag, a.n, now, `${partnerName} refused its share`);
    // The provider reads the outcome: it is the council's (lead commissioner), never who pays.
    await finish(tx, ag, v, 'rejected', { id: 'system:joint-funding', name: 'the council' }, 'The council did not approve the change.', now);
    await tellUsers(tx, now, await councilTeam(tx, ag), `variation-share-refused:${a.ref}:${a.n}`, { kind: 'notice.text', text: `${partnerName} (${user.name}) refused its share of variation ${a.n} of ${a.ref}: ${plainText(reason)}. The variation is rejected; the terms in force stay.` });
    return { approval: settled, outcome: 'Refused. The variation is rejected and the council is told your reason.' };
  }
  const missing = await variationWaitsFor(tx, ag, a.n);
  if (missing.length) return { approval: settled, outcome: `Approved for ${partnerName}. The variation applies once ${missing.join(' and ')} ${missing.length > 1 ? 'approve' : 'approves'} too.` };
  const council = await tx.get('approvals', approvalId('variation', a.ref, a.n));
  const by = council?.status === 'approved' ? { id: council.decidedBy!, name: council.decidedByName!, forId: council.decidedFor, forName: council.decidedForName } : { id: 'system:joint-funding', name: 'the council' };
  await finish(tx, ag, v, 'approved', by, council?.note ?? '', now);
  return { approval: settled, outcome: `Approved for ${partnerName}. Every funder has approved: the new terms apply from ${v.effectiveFrom}.` };
}

// ───────────────────────────── changes of split on an agreement ─────────────────────────────

/** Whether a partner's share differs between two splits (added, removed, or another percentage or elements). */
export function shareChanged(before: FundingSplit | undefined, after: FundingSplit, partnerId: string): boolean {
  const key = (s?: FundingSplit) => {
    const x = s?.shares.find((y) => y.partnerId === partnerId);
    return x ? `${x.percent ?? ''}|${(x.elements ?? []).map((e) => e.toLowerCase()).sort().join(',')}` : '';
  };
  return key(before) !== key(after);
}

/** Raises the change with every partner whose share it changes; none: it applies at once. Returns who it went to. */
export async function raiseChange(tx: BrokerageTx, a: Agreement, change: FundingSplit, now: Date): Promise<string[]> {
  const before = splitOn(a.funding, change.from!);
  const partners = [...new Set([...(before?.shares ?? []), ...change.shares].map((s) => s.partnerId))].filter((p) => shareChanged(before, change, p));
  const v = current(a);
  for (const p of partners) {
    const was = before && before.shares.some((s) => s.partnerId === p) ? shareOf(before, p, v.weeklyCost, v.elements).weekly : 0;
    const now_ = change.shares.some((s) => s.partnerId === p) ? shareOf(change, p, v.weeklyCost, v.elements).weekly : 0;
    await raiseApproval(
      tx,
      {
        kind: 'funding',
        ref: a.ref,
        n: change.n!,
        subject: `the change of ${await name(tx, p)}'s share of ${a.ref} from ${change.from}`,
        amounts: variationAmounts(was, now_, weeksLeft(change.from!, v.endDate), weeksLeft(change.from!, v.endDate)),
        raisedBy: change.by,
        raisedByName: change.byName,
        conflicts: [],
      },
      now,
      p,
    );
  }
  return Promise.all(partners.map((p) => name(tx, p)));
}

async function decideChange(tx: BrokerageTx, user: User, a: Approval, outcome: 'approved' | 'rejected', reason: string, partnerName: string, now: Date): Promise<ShareDecision> {
  const ag = await tx.get('agreements', agreementId(a.ref));
  const change = ag?.funding?.find((s) => s.n === a.n);
  if (!ag || !change || change.status !== 'waiting') throw conflict(`That change of ${a.ref}'s funding is no longer waiting.`);
  const draft: Draft = { kind: 'funding', ref: a.ref, n: a.n, subject: a.subject, amounts: a.amounts, raisedBy: a.raisedBy, raisedByName: a.raisedByName, conflicts: [] };
  const auth = await authorise(tx, user, draft, now, a.body);
  if (outcome === 'approved') {
    const late = await closeIfLate(tx, ag, change, now);
    if (late) return { approval: (await tx.get('approvals', a.id))!, outcome: late };
  }
  const settled = await settle(tx, auth, user, outcome, now, reason);
  const others = (await tx.waitingApprovals()).filter((x) => x.kind === 'funding' && x.ref === a.ref && x.n === a.n && x.id !== a.id);
  let next: FundingSplit | undefined;
  let text = '';
  if (outcome === 'rejected') {
    next = { ...change, status: 'refused', refusal: { by: user.id, byName: user.name, partnerName, reason, at: now.toISOString() } };
    for (const o of others) await lapse(tx, o, now, `${partnerName} refused the change`);
    text = `${partnerName} (${user.name}) refused the change of funding of ${a.ref} from ${change.from}: ${plainText(reason)}. The split in force stays.`;
  } else if (!others.length) {
    next = { ...change, status: undefined };
    text = `Every partner it changes approved: the new funding of ${a.ref} applies from ${change.from}.`;
  }
  if (next) {
    tx.put('agreements', { ...ag, funding: ag.funding!.map((s) => (s.n === a.n ? next! : s)), updatedAt: now.toISOString() });
    await tellUsers(tx, now, await councilTeam(tx, ag), `funding-change:${a.ref}:${a.n}:${outcome}`, { kind: 'notice.text', text });
  }
  return { approval: settled, outcome: outcome === 'rejected' ? 'Refused. The council is told your reason; the split in force stays.' : next ? `Approved for ${partnerName}. The new split applies from ${change.from}.` : `Approved for ${partnerName}. It applies once the other partners approve too.` };
}

/**
 * A change that can no longer apply: a period from its first day on was returned (and paid as split
 * then) while the partners decided. Checked again at each partner's approval, as of that day (the
 * change can never apply then, whoever approves last); nothing changes: the change and its
 * approvals lapse, and the council team (its proposer among them) is told.
 * Returns what the approver is told, or nothing when the change can still apply.
 */
async function closeIfLate(tx: BrokerageTx, ag: Agreement, change: FundingSplit, now: Date): Promise<string | undefined> {
  const late = returnedSince(ag, rulesFor(ag, await rulesTx(tx)).period, change.from!);
  if (!late) return undefined;
  const why = `This change can no longer apply from ${change.from}: the period from ${late.returned} has been returned since. ${change.byName} can propose it again from ${late.nextFree}.`;
  for (const x of (await tx.waitingApprovals()).filter((y) => y.kind === 'funding' && y.ref === ag.ref && y.n === change.n)) await lapse(tx, x, now, why);
  tx.put('agreements', { ...ag, funding: ag.funding!.map((s) => (s.n === change.n ? { ...s, status: 'lapsed' as const } : s)), updatedAt: now.toISOString() });
  const text = `The change of funding of ${ag.ref} from ${change.from} cannot apply: the period from ${late.returned} has been returned since (and paid as split then). Nothing changed; it can be proposed again from ${late.nextFree}.`;
  await tellUsers(tx, now, humans([change.by, ...(await councilTeam(tx, ag))]), `funding-change:${ag.ref}:${change.n}:lapsed`, { kind: 'notice.text', text });
  return why;
}
