import type { Agreement, ContractRules, Variation } from '../../domain/agreement.js';
import { current, elementsText, isWaiting, VariationInput } from '../../domain/agreement.js';
import { addDays, hoursOf, termsChange, versionOn, versionsFrom, weeklyCostOf } from '../../domain/agreementRules.js';
import { reasonsForProvider, repricedPeriods, variationApproval, type ApprovalNeed, type RepricedPeriod } from '../../domain/variationApproval.js';
import type { User } from '../../domain/framework.js';
import { ukDate } from '../../domain/dates.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { loadUser, NO_ROLE_MESSAGE, requirePermission, type Who } from '../actor.js';
import { tellUsers } from '../calloffs/messages.js';
import { conflict, forbidden, invalid, parseOrThrow } from '../errors.js';
import { checkCouncil, checkNotEnded, checkProvider, councilTeam, loadAgreementTx, rulesFor, rulesTx, withVersion } from './load.js';
import { settlementsOf } from './settlement.js';
import { raiseApproval } from '../approvals/raise.js';
import { authorise, lapseById, settle } from '../approvals/decide.js';
import { schemeTx } from '../approvals/scheme.js';
import { variationDraft } from '../approvals/subjects.js';
import { answerCards, askCouncil } from '../approvals/providerChanges.js';
import { approvalId } from '../../domain/approvals.js';
import { lapseVariationShares, raiseVariationShares, variationPartners, variationWaitsFor } from '../funding/approve.js';

export interface VariationResult {
  agreement: Agreement;
  variation: Variation;
  unchanged: boolean;
  /** Joint funding: the bodies still to approve after this decision (the variation waits for them). */
  waitingFor?: string[];
}

/** Puts an approved (or needs-no-approval) variation into force as a new version. */
function apply(a: Agreement, v: Variation, by: string, now: Date): Agreement {
  const prev = current(a);
  const next = withVersion(
    a,
    'variation',
    { elements: v.elements, hoursPerWeek: hoursOf(v.elements), weeklyCost: v.weeklyAfter, effectiveFrom: v.effectiveFrom, endDate: v.endDate || prev.endDate },
    { by, at: now.toISOString(), summary: `Variation ${v.n}: ${termsChange(prev, { elements: v.elements, endDate: v.endDate || prev.endDate })}`, reason: v.reason },
  );
  // The period job runs on: it reads the terms (and any new end date) when it falls due.
  return next;
}

/**
 * Whether a variation needs approval (and why), or first the council's agreement: gathered here,
 * decided by variationApproval. Asked when it is proposed, and again when the council agrees to a
 * provider's cut, since by then a week it re-prices may have been returned.
 */
async function needOf(tx: BrokerageTx, a: Agreement, v: Variation, now: Date): Promise<ApprovalNeed> {
  const rules = rulesFor(a, await rulesTx(tx));
  const prev = current(a);
  // A back-dated change is measured against the terms in force on its first day, not the latest.
  const inForce = versionOn(a.versions, v.effectiveFrom) ?? a.versions[0];
  return variationApproval(
    {
      side: v.side,
      weeklyBefore: inForce.weeklyCost,
      weeklyAfter: v.weeklyAfter,
      hoursBefore: Math.max(...versionsFrom(a.versions, v.effectiveFrom).map((x) => x.hoursPerWeek), inForce.hoursPerWeek),
      hoursAfter: hoursOf(v.elements),
      approvedWeekly: approvedCost(a),
      budgetWeekly: a.budgetWeekly,
      effectiveFrom: v.effectiveFrom,
      today: ukDate(now),
      endBefore: prev.endDate,
      endAfter: v.endDate,
      repriced: repricedBy(a, apply(a, v, v.proposedBy, now), rules, now),
      settledAs: a.offContract ? 'paid' : 'returned',
    },
    rules,
    await schemeTx(tx),
  );
}

/**
 * The decision's reasons on the variation: the council's words, and those the provider may read.
 * A partner's share is the council's business only: providers never see who pays.
 */
const withReasons = (v: Variation, a: Agreement, need: ApprovalNeed, shares = false): Variation => ({
  ...v,
  approvalReasons: [...need.reasons.map((r) => r.text), ...(shares ? ["it changes a funding partner's share, so the partner approves it too"] : [])],
  providerReasons: reasonsForProvider(need, a.budgetShown === true),
});

/** Raises a waiting variation's approvals: the council's where its rules need one, each partner's whose share it changes. */
async function raiseFor(tx: BrokerageTx, a: Agreement, v: Variation, need: ApprovalNeed, now: Date): Promise<void> {
  if (need.needed) await raiseApproval(tx, await variationDraft(tx, a, v), now);
  await raiseVariationShares(tx, a, v, now);
}

/**
 * The social worker, a broker or the provider proposes a change of hours, rates, elements or end
 * date, with a reason. Whether it needs approval is decided in one place (variationApproval, from
 * the facts gathered here); if so the approvals room routes it to the approvers at the level it
 * needs, else it applies at once. A provider's cut (fewer hours, an earlier end) first waits for
 * the social worker's or a broker's agreement.
 */
export async function proposeVariation(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<VariationResult> {
  const user = await loadUser(store, who);
  if (!user) throw forbidden(NO_ROLE_MESSAGE);
  const side = user.providerId ? ('provider' as const) : ('council' as const);
  if (side === 'council') await requirePermission(store, who, 'agreement.manage');
  const input = parseOrThrow(VariationInput, raw);
  return store.transact({ actor: user.id, action: 'agreement.variation.propose' }, async (tx) => {
    let a = await loadAgreementTx(tx, ref);
    if (side === 'provider') checkProvider(tx, user, a);
    else checkCouncil(tx, user, a);
    checkNotEnded(a);
    // Before the start is confirmed the terms are the award's; a change waits until it is.
    if (a.status === 'awaiting_start') throw conflict(`${a.ref} has not started yet: the provider confirms the start first, then the terms can vary.`);
    const prev = current(a);
    const inForce = versionOn(a.versions, input.effectiveFrom) ?? a.versions[0];
    const endDate = input.endDate || undefined;
    const last = a.variations.at(-1);
    if (last && last.status !== 'rejected' && last.effectiveFrom === input.effectiveFrom && elementsText(last.elements) === elementsText(input.elements) && (last.endDate ?? '') === (endDate ?? '')) return { agreement: a, variation: last, unchanged: true };
    const waiting = a.variations.find(isWaiting);
    if (waiting) throw conflict(`${a.ref} already has a variation waiting for ${waiting.status === 'awaiting_agreement' ? "the council's agreement" : 'a manager'}; wait for that decision first.`);
    if (input.effectiveFrom < prev.startDate) throw invalid({ effectiveFrom: `the change cannot take effect before the start (${prev.startDate})` });
    if (endDate && endDate < input.effectiveFrom) throw invalid({ endDate: 'the end date must be on or after the day the change takes effect' });
    const sameTerms = [inForce, prev].every((x) => elementsText(input.elements) === elementsText(x.elements));
    if (sameTerms && (endDate ?? prev.endDate) === prev.endDate) throw invalid({ elements: 'this is the same as the current terms; change the hours, rates, elements or end date' });
    const proposed: Variation = {
      n: a.variations.length + 1,
      proposedBy: user.id,
      proposedByName: user.name,
      side,
      at: now.toISOString(),
      effectiveFrom: input.effectiveFrom,
      elements: input.elements,
      endDate,
      reason: input.reason,
      weeklyBefore: inForce.weeklyCost,
      weeklyAfter: weeklyCostOf(input.elements),
      approvalReasons: [],
      status: 'applied',
    };
    const need = await needOf(tx, a, proposed, now);
    // Joint funding (issue 24): a change of a partner's share goes to that partner too.
    const partners = need.cut ? [] : variationPartners(a, proposed);
    const v: Variation = { ...withReasons(proposed, a, need, partners.length > 0), status: need.cut ? 'awaiting_agreement' : need.needed || partners.length ? 'awaiting_approval' : 'applied' };
    a = { ...a, variations: [...a.variations, v], updatedAt: now.toISOString() };
    if (v.status === 'awaiting_agreement') await askCouncil(tx, a, v, now);
    else if (v.status === 'awaiting_approval') await raiseFor(tx, a, v, need, now);
    else {
      a = apply(a, v, user.id, now);
      await tellOutcome(tx, a, v, now);
    }
    tx.put('agreements', a);
    return { agreement: a, variation: v, unchanged: false };
  });
}

/**
 * The periods already settled (returned, or paid as planned off-contract: every period ended by
 * yesterday) whose money the change would alter.
 */
function repricedBy(before: Agreement, after: Agreement, rules: ContractRules, now: Date): RepricedPeriod[] {
  const yesterday = addDays(ukDate(now), -1);
  const settled = (x: Agreement) => settlementsOf(x, rules, yesterday).filter((p) => p.end <= yesterday);
  return repricedPeriods(settled(before), settled(after));
}

/** The weekly cost a manager last approved, or the award's when no variation was approved. */
function approvedCost(a: Agreement): number {
  const last = a.variations.filter((x) => x.status === 'approved').at(-1);
  return last ? last.weeklyAfter : a.versions[0].weeklyCost;
}

/** The provider hears every outcome; the council team hears it too. */
async function tellOutcome(tx: BrokerageTx, a: Agreement, v: Variation, now: Date): Promise<void> {
  if (a.providerId) await enqueue(tx, now, { id: `agr-variation-outcome:${a.ref}:${v.n}`, target: { providerId: a.providerId }, message: { kind: 'agreement.variation.outcome', ref: a.ref, n: v.n } });
  await tellUsers(tx, now, await councilTeam(tx, a), `agr-variation-told:${a.ref}:${v.n}`, { kind: 'agreement.variation.outcome', ref: a.ref, n: v.n });
}

/**
 * An approver decides (a rejection with a reason); one decision per variation. Who may decide, and
 * at which level, is the approvals room's (authorise); settle records it and updates every card.
 */
export async function decideVariation(store: BrokerageStore, who: Who, ref: string, n: number, outcome: 'approved' | 'rejected', note: string, now: Date): Promise<VariationResult> {
  const user: User = await requirePermission(store, who, 'award.decide');
  const reason = note.trim();
  return store.transact({ actor: user.id, action: `agreement.variation.${outcome === 'approved' ? 'approve' : 'reject'}` }, async (tx) => {
    let a = await loadAgreementTx(tx, ref);
    const v = a.variations.find((x) => x.n === n);
    if (!v) throw conflict(`${a.ref} has no variation ${n}.`);
    if (v.status === 'awaiting_agreement') throw conflict(`Variation ${n} of ${a.ref} is waiting for the social worker's or a broker's agreement first.`);
    if (v.status !== 'awaiting_approval') {
      if (v.decidedBy === user.id && v.status === outcome) return { agreement: a, variation: v, unchanged: true };
      throw conflict(`Variation ${n} of ${a.ref} was already ${v.status === 'applied' ? 'applied without approval' : `${v.status} by ${v.decidedBy === user.id ? 'you' : (v.decidedByName ?? 'a manager')}`}; it cannot be decided again.`);
    }
    if (a.status === 'ended') throw conflict(`${a.ref}'s agreement has ended; the variation lapses.`);
    const mine = await tx.get('approvals', approvalId('variation', a.ref, n));
    if (mine?.status === 'approved') throw conflict(`${mine.decidedByName === user.name ? 'You' : mine.decidedByName} approved variation ${n} for the council; it waits for ${(await variationWaitsFor(tx, a, n)).join(' and ')}.`);
    const auth = await authorise(tx, user, await variationDraft(tx, a, v), now);
    if (outcome === 'rejected' && reason.length < 5) throw invalid({ decisionNote: 'say why the variation is rejected (at least 5 characters)' });
    await settle(tx, auth, user, outcome, now, reason);
    if (outcome === 'rejected') await lapseVariationShares(tx, a, n, now, 'the council rejected the variation');
    // Joint funding: it applies only when every funder whose share it changes has approved too.
    const waitingFor = outcome === 'approved' ? await variationWaitsFor(tx, a, n) : [];
    if (waitingFor.length) return { agreement: a, variation: v, unchanged: false, waitingFor };
    a = await settleVariation(tx, a, v, outcome, { id: user.id, name: user.name, forId: auth.forId, forName: auth.forName }, reason, now);
    return { agreement: a, variation: a.variations.find((x) => x.n === n)!, unchanged: false };
  });
}

/** A variation's decision put into effect (the council's approver's, or the last funder's): applied when approved, everyone told. */
export async function settleVariation(tx: BrokerageTx, a: Agreement, v: Variation, outcome: 'approved' | 'rejected', by: { id: string; name: string; forId?: string; forName?: string }, note: string, now: Date): Promise<Agreement> {
  const decided: Variation = { ...v, status: outcome, decidedBy: by.id, decidedByName: by.name, decidedFor: by.forId, decidedForName: by.forName, decidedAt: now.toISOString(), decisionNote: note || undefined };
  let next: Agreement = { ...a, variations: a.variations.map((x) => (x.n === v.n ? decided : x)), updatedAt: now.toISOString() };
  if (outcome === 'approved') next = apply(next, decided, by.id, now);
  tx.put('agreements', next);
  await tellOutcome(tx, next, decided, now);
  return next;
}

/**
 * A package that ends takes its waiting variation with it: marked rejected as lapsed (so no
 * approver approves a change to a package that no longer runs), and its approval cards say so.
 */
export async function lapseVariations(tx: BrokerageTx, a: Agreement, now: Date): Promise<Agreement> {
  const waiting = a.variations.filter(isWaiting);
  if (!waiting.length) return a;
  for (const x of waiting) {
    await lapseById(tx, 'variation', a.ref, x.n, now, 'the package ended');
    await lapseVariationShares(tx, a, x.n, now, 'the package ended');
  }
  return { ...a, variations: a.variations.map((x) => (isWaiting(x) ? { ...x, status: 'rejected' as const, decidedByName: 'the bot', decidedAt: now.toISOString(), decisionNote: 'lapsed: the package ended' } : x)) };
}

/**
 * The social worker who owns the package, or a broker, answers a provider's cut (fewer hours, an
 * earlier end): agreed, it goes on as any variation, its need for approval decided again as of
 * today (applied, or to the approvers); declined (with a reason), the current terms stand and the
 * provider is told.
 */
export async function answerProviderChange(store: BrokerageStore, who: Who, ref: string, n: number, outcome: 'agreed' | 'declined', note: string, now: Date): Promise<VariationResult> {
  const user = await requirePermission(store, who, 'agreement.manage');
  const reason = note.trim();
  return store.transact({ actor: user.id, action: `agreement.variation.${outcome === 'agreed' ? 'agree' : 'decline'}` }, async (tx) => {
    let a = await loadAgreementTx(tx, ref);
    checkCouncil(tx, user, a);
    const v = a.variations.find((x) => x.n === n);
    if (!v) throw conflict(`${a.ref} has no variation ${n}.`);
    if (v.status !== 'awaiting_agreement') {
      if (v.agreedBy === user.id) return { agreement: a, variation: v, unchanged: true };
      throw conflict(`Variation ${n} of ${a.ref} was already ${v.agreedByName ? `answered by ${v.agreedByName}` : v.status.replace('_', ' ')}; it cannot be answered again.`);
    }
    checkNotEnded(a);
    if (outcome === 'declined' && reason.length < 5) throw invalid({ agreementNote: "say why the council does not agree (at least 5 characters); the provider is told" });
    const answered: Variation = { ...v, agreedBy: user.id, agreedByName: user.name, agreedAt: now.toISOString(), agreementNote: reason || undefined };
    let next: Variation;
    let need: ApprovalNeed | undefined;
    if (outcome === 'declined') next = { ...answered, status: 'rejected', decidedByName: user.name, decidedAt: now.toISOString(), decisionNote: reason };
    else {
      need = await needOf(tx, a, answered, now);
      const partners = variationPartners(a, answered);
      next = { ...withReasons(answered, a, need, partners.length > 0), status: need.needed || partners.length ? 'awaiting_approval' : 'applied' };
    }
    a = { ...a, variations: a.variations.map((x) => (x.n === n ? next : x)), updatedAt: now.toISOString() };
    await answerCards(tx, a, next, now);
    if (next.status === 'awaiting_approval') await raiseFor(tx, a, next, need!, now);
    else {
      if (next.status === 'applied') a = apply(a, next, user.id, now);
      await tellOutcome(tx, a, next, now);
    }
    tx.put('agreements', a);
    return { agreement: a, variation: next, unchanged: false };
  });
}
