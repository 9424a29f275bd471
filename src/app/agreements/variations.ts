import type { Agreement, Element, Variation } from '../../domain/agreement.js';
import { current, elementsText, VariationInput } from '../../domain/agreement.js';
import { approvalNeed, hoursOf, round2, weeklyCostOf } from '../../domain/agreementRules.js';
import type { User } from '../../domain/framework.js';
import { ukDate } from '../../domain/dates.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { loadUser, NO_ROLE_MESSAGE, requirePermission, type Who } from '../actor.js';
import { tellUsers } from '../calloffs/messages.js';
import { conflict, forbidden, invalid, parseOrThrow } from '../errors.js';
import { checkCouncil, checkNotEnded, checkProvider, councilTeam, loadAgreementTx, rulesTx, withVersion } from './load.js';
import { raiseApproval } from '../approvals/raise.js';
import { authorise, lapseById, settle } from '../approvals/decide.js';
import { variationDraft } from '../approvals/subjects.js';
import { answerCards, askCouncil, delegationReasons, providerCut } from '../approvals/providerChanges.js';

export interface VariationResult {
  agreement: Agreement;
  variation: Variation;
  unchanged: boolean;
}

const describe = (before: Element[], after: Element[], endBefore?: string, endAfter?: string) => {
  const parts: string[] = [];
  const hb = hoursOf(before);
  const ha = hoursOf(after);
  if (hb !== ha) parts.push(`hours ${hb} → ${ha} a week`);
  for (const e of after) {
    const was = before.find((b) => b.name.toLowerCase() === e.name.toLowerCase());
    if (!was) parts.push(`${e.name} added (${e.hoursPerWeek} h at £${e.hourlyRate.toFixed(2)})`);
    else if (was.hourlyRate !== e.hourlyRate) parts.push(`${e.name} rate £${was.hourlyRate.toFixed(2)} → £${e.hourlyRate.toFixed(2)}`);
  }
  for (const b of before) if (!after.some((e) => e.name.toLowerCase() === b.name.toLowerCase())) parts.push(`${b.name} removed`);
  if ((endBefore ?? '') !== (endAfter ?? '')) parts.push(`end date ${endBefore || 'none'} → ${endAfter || 'none'}`);
  return parts.join('; ') || 'no change to the terms';
};

/** Puts an approved (or needs-no-approval) variation into force as a new version. */
function apply(a: Agreement, v: Variation, by: string, now: Date): Agreement {
  const prev = current(a);
  const next = withVersion(
    a,
    'variation',
    { elements: v.elements, hoursPerWeek: hoursOf(v.elements), weeklyCost: v.weeklyAfter, effectiveFrom: v.effectiveFrom, endDate: v.endDate || prev.endDate },
    { by, at: now.toISOString(), summary: `Variation ${v.n}: ${describe(prev.elements, v.elements, prev.endDate, v.endDate || prev.endDate)}`, reason: v.reason },
  );
  // The period job runs on: it reads the terms (and any new end date) when it falls due.
  return next;
}

/**
 * The social worker, a broker or the provider proposes a change of hours, rates, elements or end
 * date, with a reason. A change that raises the weekly cost above the council's threshold, or
 * above the personal budget, goes to the managers' approval cards; anything else applies at once.
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
    const weeklyAfter = weeklyCostOf(input.elements);
    const endDate = input.endDate || undefined;
    const last = a.variations.at(-1);
    if (last && last.status !== 'rejected' && last.effectiveFrom === input.effectiveFrom && elementsText(last.elements) === elementsText(input.elements) && (last.endDate ?? '') === (endDate ?? '')) return { agreement: a, variation: last, unchanged: true };
    if (a.variations.some((x) => x.status === 'awaiting_approval' || x.status === 'awaiting_agreement')) throw conflict(`${a.ref} already has a variation waiting for ${a.variations.some((x) => x.status === 'awaiting_agreement') ? "the council's agreement" : 'a manager'}; wait for that decision first.`);
    if (input.effectiveFrom < prev.startDate) throw invalid({ effectiveFrom: `the change cannot take effect before the start (${prev.startDate})` });
    if (endDate && endDate < input.effectiveFrom) throw invalid({ endDate: 'the end date must be on or after the day the change takes effect' });
    if (weeklyAfter === prev.weeklyCost && elementsText(input.elements) === elementsText(prev.elements) && (endDate ?? prev.endDate) === prev.endDate) throw invalid({ elements: 'this is the same as the current terms; change the hours, rates, elements or end date' });
    const rules = await rulesTx(tx);
    const need = approvalNeed(prev.weeklyCost, weeklyAfter, a.budgetWeekly, rules.variationThreshold);
    // Rises applied without approval add up: measured from the last cost a manager approved (or the
    // award's), so small rises cannot be chained past the threshold one under it at a time.
    const approved = approvedCost(a);
    const sinceApproval = round2(weeklyAfter - approved);
    // A cost-neutral change can still commit more money: the provider moving a fixed term's end later.
    if (side === 'provider' && endDate && prev.endDate && endDate > prev.endDate) {
      need.needed = true;
      need.reasons.push(`the provider moves the end date from ${prev.endDate} to ${endDate}, committing more weeks of spend`);
    }
    // A rise from a day already past re-prices periods that may have been returned and paid.
    const today = ukDate(now);
    if (weeklyAfter > prev.weeklyCost && input.effectiveFrom < today) {
      need.needed = true;
      need.reasons.push(`it raises the cost from ${input.effectiveFrom}, before today, so it re-prices days already past`);
    }
    if (weeklyAfter > prev.weeklyCost && sinceApproval > rules.variationThreshold && !need.reasons.some((r) => r.includes('threshold'))) {
      need.needed = true;
      need.reasons.push(`with the rises applied since the last approval it raises the weekly cost by £${sinceApproval.toFixed(2)} (from £${approved.toFixed(2)}), more than the £${rules.variationThreshold.toFixed(2)} threshold`);
    }
    // The scheme of delegation and a provider's cut (src/app/approvals/): a rise past a manager's
    // limits needs its level; a provider cannot cut hours or end early without the council.
    const cut = side === 'provider' ? providerCut(prev, input.elements, endDate) : undefined;
    need.reasons.push(...(await delegationReasons(tx, a, prev.weeklyCost, weeklyAfter, input.effectiveFrom, endDate)));
    need.needed ||= need.reasons.length > 0;
    const v: Variation = {
      n: a.variations.length + 1,
      proposedBy: user.id,
      proposedByName: user.name,
      side,
      at: now.toISOString(),
      effectiveFrom: input.effectiveFrom,
      elements: input.elements,
      endDate,
      reason: input.reason,
      weeklyBefore: prev.weeklyCost,
      weeklyAfter,
      approvalReasons: need.reasons,
      status: cut ? 'awaiting_agreement' : need.needed ? 'awaiting_approval' : 'applied',
    };
    a = { ...a, variations: [...a.variations, v], updatedAt: now.toISOString() };
    if (cut) {
      await askCouncil(tx, a, v, now);
    } else if (need.needed) {
      await raiseApproval(tx, await variationDraft(tx, a, v), now);
    } else {
      a = apply(a, v, user.id, now);
      await tellOutcome(tx, a, v, now);
    }
    tx.put('agreements', a);
    return { agreement: a, variation: v, unchanged: false };
  });
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

/** A manager approves or rejects (with a reason); one decision per variation; every manager's card shows it. */
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
    const auth = await authorise(tx, user, await variationDraft(tx, a, v), now);
    if (outcome === 'rejected' && reason.length < 5) throw invalid({ decisionNote: 'say why the variation is rejected (at least 5 characters)' });
    const decided: Variation = { ...v, status: outcome, decidedBy: user.id, decidedByName: user.name, decidedFor: auth.forId, decidedForName: auth.forName, decidedAt: now.toISOString(), decisionNote: reason || undefined };
    a = { ...a, variations: a.variations.map((x) => (x.n === n ? decided : x)), updatedAt: now.toISOString() };
    if (outcome === 'approved') a = apply(a, decided, user.id, now);
    tx.put('agreements', a);
    await settle(tx, auth, user, outcome, now, reason);
    await tellOutcome(tx, a, decided, now);
    return { agreement: a, variation: decided, unchanged: false };
  });
}

/**
 * A package that ends takes its waiting variation with it: marked rejected as lapsed (so no
 * manager approves a change to a package that no longer runs), and the approval cards say so.
 */
export async function lapseVariations(tx: BrokerageTx, a: Agreement, now: Date): Promise<Agreement> {
  const waiting = a.variations.filter((x) => x.status === 'awaiting_approval' || x.status === 'awaiting_agreement');
  if (!waiting.length) return a;
  for (const x of waiting) await lapseById(tx, 'variation', a.ref, x.n, now, 'the package ended');
  return { ...a, variations: a.variations.map((x) => (x.status === 'awaiting_approval' || x.status === 'awaiting_agreement' ? { ...x, status: 'rejected' as const, decidedByName: 'the bot', decidedAt: now.toISOString(), decisionNote: 'lapsed: the package ended' } : x)) };
}

/**
 * The social worker who owns the package, or a broker, answers a provider's cut (fewer hours, an
 * earlier end): agreed, it goes on as any variation (applied, or to the approvers when its amounts
 * need them); declined (with a reason), the current terms stand and the provider is told.
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
    if (outcome === 'declined') next = { ...answered, status: 'rejected', decidedByName: user.name, decidedAt: now.toISOString(), decisionNote: reason };
    else next = { ...answered, status: v.approvalReasons.length ? 'awaiting_approval' : 'applied' };
    a = { ...a, variations: a.variations.map((x) => (x.n === n ? next : x)), updatedAt: now.toISOString() };
    await answerCards(tx, a, next, now);
    if (next.status === 'awaiting_approval') await raiseApproval(tx, await variationDraft(tx, a, next), now);
    else {
      if (next.status === 'applied') a = apply(a, next, user.id, now);
      await tellOutcome(tx, a, next, now);
    }
    tx.put('agreements', a);
    return { agreement: a, variation: next, unchanged: false };
  });
}
