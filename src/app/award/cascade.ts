import type { Award, Placement } from '../../domain/award.js';
import { plainNumber } from '../../domain/numbers.js';
import { formatUk, HH_MM, isRealDate, ukDateTime } from '../../domain/dates.js';
import { eligibleProviders } from '../../domain/eligibility.js';
import type { Provider } from '../../domain/framework.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { requirePermission, type Who } from '../actor.js';
import { conflict, invalid } from '../errors.js';
import type { OpenCallOff } from '../calloffs/access.js';
import { brokerIds, refreshAllProviderCards, tellUsers } from '../calloffs/messages.js';
import { armDeadline, offerTo, type Reach } from '../calloffs/publish.js';
import { currentBidsTx, humans, loadCallOff, managerIds } from './shared.js';
import { openOffContract } from '../agreements/open.js';
import { raiseApproval } from '../approvals/raise.js';
import { authorise, settle } from '../approvals/decide.js';
import { placementDraft } from '../approvals/subjects.js';

/** Admitted providers in the person's neighbouring zones, for the package's lots, not offered it yet. */
export async function neighbourProviders(tx: BrokerageTx, r: OpenCallOff): Promise<{ zones: string[]; providers: Provider[] }> {
  const zones = (await tx.get('zones', r.person.zone))?.neighbours ?? [];
  const all = await tx.list('providers');
  const seen = new Set(r.calloff.offers.map((o) => o.providerId));
  const providers: Provider[] = [];
  for (const zone of zones) {
    for (const p of eligibleProviders(all, { lots: r.package.lots, zone })) {
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      providers.push(p);
    }
  }
  return { zones, providers };
}

/**
 * No compliant bid (or every award declined): the brokers are offered the cascade. First a round
 * to neighbouring zones; once that has run (or there is nobody there), an off-contract placement.
 * Called inside the transaction that found it; saves the request.
 */
export async function offerCascade(tx: BrokerageTx, r: OpenCallOff, now: Date, why: string): Promise<OpenCallOff> {
  const nextStep = r.calloff.cascade || !(await neighbourProviders(tx, r)).providers.length ? ('off-contract' as const) : ('round' as const);
  const next: OpenCallOff = { ...r, cascadeOffer: { at: now.toISOString(), why, next: nextStep }, updatedAt: now.toISOString() };
  tx.put('requests', next);
  await tellUsers(tx, now, await brokerIds(tx), `cascade:${r.id}:${nextStep}:${r.declinedAwards?.length ?? 0}`, { kind: 'cascade.offer', ref: r.id });
  await tellUsers(tx, now, humans([r.owner]), `cascade-told:${r.id}:${nextStep}:${r.declinedAwards?.length ?? 0}`, { kind: 'cascade.told', ref: r.id });
  return next;
}

export interface CascadePreview {
  request: OpenCallOff;
  zones: string[];
  providers: { id: string; name: string }[];
}

/** Who a cascade round would reach, for the broker's form. */
export async function cascadePreview(store: BrokerageStore, who: Who, ref: string): Promise<CascadePreview> {
  const user = await requirePermission(store, who, 'calloff.manage');
  // A read inside a transaction to reuse the synchronous helpers; it changes nothing.
  return store.transact({ actor: user.id, action: 'cascade.preview' }, async (tx) => {
    const r = await loadCallOff(tx, ref);
    const { zones, providers } = await neighbourProviders(tx, r);
    return { request: r, zones, providers: providers.map((p) => ({ id: p.id, name: p.name })) };
  });
}

function cascadeAllowed(r: OpenCallOff, step: 'round' | 'off-contract'): void {
  if (r.state === 'cancelled') throw conflict(`${r.id} was cancelled: ${r.cancelled?.reason ?? ''}`);
  if (r.state === 'awarded') throw conflict(`${r.id} has already been awarded${r.award?.offContract ? ' (off-contract)' : ` to ${r.award?.providerName ?? 'a provider'}`}.`);
  if (r.state === 'open') throw conflict(`${r.id} is open for bids until ${formatUk(r.calloff.deadline)}.`);
  if (r.state === 'awaiting_approval') throw conflict(`${r.id} is waiting for a manager's approval of the person's choice.`);
  if (!r.cascadeOffer) throw conflict(`${r.id} has ${r.state === 'evaluated' ? 'compliant bids to choose from' : 'bids being evaluated'}; the cascade is only for a call-off with no compliant bid.`);
  if (step === 'round' && r.cascadeOffer.next !== 'round') throw conflict(r.calloff.cascade ? `The cascade round to neighbouring zones has already run for ${r.id}; record an off-contract placement instead.` : `No provider in the neighbouring zones can take ${r.id}; record an off-contract placement instead.`);
  if (step === 'off-contract' && r.cascadeOffer.next !== 'off-contract') throw conflict(`Offer ${r.id} to providers in the neighbouring zones first (the cascade round); an off-contract placement comes after that.`);
  const waiting = r.placements?.find((p) => p.status === 'awaiting_approval');
  if (waiting) throw conflict(`The off-contract placement with ${waiting.providerName} is waiting for approval; wait for that decision first.`);
}

/**
 * The cascade round: the call-off re-opens, with a new deadline, for providers in neighbouring
 * zones only. The first round's bids and evaluation are kept (pastEvaluations).
 */
export async function runCascade(store: BrokerageStore, who: Who, ref: string, input: { date: string; time: string }, now: Date): Promise<{ request: OpenCallOff; reach: Reach; already: boolean }> {
  const user = await requirePermission(store, who, 'calloff.manage');
  const errors: Record<string, string> = {};
  if (!isRealDate(input.date)) errors.cascadeDate = 'choose the deadline date for the cascade round';
  if (!HH_MM.test(input.time)) errors.cascadeTime = 'choose the deadline time (HH:MM)';
  if (Object.keys(errors).length) throw invalid(errors);
  const to = ukDateTime(input.date, input.time).toISOString();
  if (Date.parse(to) <= now.getTime()) throw invalid({ cascadeDate: 'the cascade deadline must be in the future' });
  return store.transact({ actor: user.id, action: 'cascade.round' }, async (tx) => {
    const r = await loadCallOff(tx, ref);
    if (r.calloff.cascade && r.calloff.cascade.deadline === to && r.state === 'open') return { request: r, reach: { offered: [], unreachable: [] }, already: true };
    cascadeAllowed(r, 'round');
    const { zones, providers } = await neighbourProviders(tx, r);
    const next: OpenCallOff = {
      ...r,
      state: 'open',
      evaluation: undefined,
      pastEvaluations: r.evaluation ? [...(r.pastEvaluations ?? []), r.evaluation] : r.pastEvaluations,
      cascadeOffer: undefined,
      calloff: { ...r.calloff, deadline: to, closedAt: undefined, remindersSent: [], cascade: { round: 2, zones, providerIds: [], openedAt: now.toISOString(), openedBy: user.id, deadline: to } },
      updatedAt: now.toISOString(),
    };
    const reach = await offerTo(tx, next, providers, now, { id: `cascade:${r.id}`, notify: user.id });
    if (!reach.offered.length) throw conflict(`No neighbouring-zone provider can be reached (${reach.unreachable.map((u) => `${u.name}: ${u.why}`).join('; ') || 'none eligible'}). Register their channels, or record an off-contract placement.`);
    next.calloff.cascade!.providerIds = reach.offered.map((p) => p.id);
    tx.put('requests', next);
    // The close and its reminders, as for the first round; first-round cards now say it went to neighbouring zones.
    await armDeadline(tx, next, now);
    await refreshAllProviderCards(tx, now, next, `cascade-${to}`);
    await tellUsers(tx, now, humans([r.owner]), `cascade-opened:${r.id}`, { kind: 'cascade.opened', ref: r.id });
    return { request: next, reach, already: false };
  });
}

export interface OffContractInput {
  providerName: string;
  weeklyPrice: string | number;
  reason: string;
}

/**
 * After the cascade: a temporary placement outside the framework, recorded with the provider,
 * weekly price and reason. It is a spending decision, so it goes to the approvers its amount needs
 * (src/app/approvals/); once approved it is the award, marked off-contract for commissioning.
 */
export async function recordOffContract(store: BrokerageStore, who: Who, ref: string, input: OffContractInput, now: Date): Promise<OpenCallOff> {
  const user = await requirePermission(store, who, 'calloff.manage');
  const name = String(input.providerName ?? '').trim();
  const priceText = String(input.weeklyPrice ?? '').trim();
  const price = plainNumber(priceText, { money: true });
  const reason = String(input.reason ?? '').trim();
  const errors: Record<string, string> = {};
  if (name.length < 2 || name.length > 120) errors.providerName = 'the provider’s name (2–120 characters)';
  if (!priceText || !Number.isFinite(price) || price <= 0 || price > 20000) errors.weeklyPrice = 'the weekly price must be a number of pounds more than 0 and at most 20,000';
  if (reason.length < 10 || reason.length > 1000) errors.reason = 'say why it is placed off-contract (10–1,000 characters)';
  if (Object.keys(errors).length) throw invalid(errors);
  return store.transact({ actor: user.id, action: 'award.off-contract' }, async (tx) => {
    const r = await loadCallOff(tx, ref);
    const last = r.placements?.at(-1);
    if (last && last.status !== 'rejected' && last.providerName === name && last.weeklyPrice === price) return r; // a repeat
    cascadeAllowed(r, 'off-contract');
    const placement: Placement = { n: (r.placements?.length ?? 0) + 1, providerName: name, weeklyPrice: price, reason, recordedBy: user.id, recordedAt: now.toISOString(), status: 'awaiting_approval' };
    const next: OpenCallOff = { ...r, placements: [...(r.placements ?? []), placement], updatedAt: now.toISOString() };
    tx.put('requests', next);
    await raiseApproval(tx, await placementDraft(tx, next, placement), now);
    return next;
  });
}

/**
 * An approver decides an off-contract placement. Approved, it becomes the award (off-contract,
 * temporary, reviewed and re-brokered: issue 16); rejected (with a reason), the brokers may record
 * another. One decision per placement.
 */
export async function decidePlacement(store: BrokerageStore, who: Who, ref: string, n: number, outcome: 'approved' | 'rejected', note: string, now: Date): Promise<{ request: OpenCallOff; placement: Placement; unchanged: boolean }> {
  const user = await requirePermission(store, who, 'award.decide');
  const reason = note.trim();
  return store.transact({ actor: user.id, action: `award.off-contract.${outcome === 'approved' ? 'approve' : 'reject'}` }, async (tx) => {
    const r = await loadCallOff(tx, ref);
    const p = r.placements?.find((x) => x.n === n);
    if (!p) throw conflict(`${r.id} has no off-contract placement ${n}.`);
    if (p.status !== 'awaiting_approval') {
      if (p.decidedBy === user.id && p.status === outcome) return { request: r, placement: p, unchanged: true };
      throw conflict(`The off-contract placement of ${r.id} with ${p.providerName} was already ${p.status} by ${p.decidedBy === user.id ? 'you' : p.decidedByName}; it cannot be decided again.`);
    }
    if (r.state === 'cancelled') throw conflict(`${r.id} was cancelled: ${r.cancelled?.reason ?? ''}`);
    const auth = await authorise(tx, user, await placementDraft(tx, r, p), now);
    if (outcome === 'rejected' && reason.length < 5) throw invalid({ decisionNote: 'say why the placement is rejected (at least 5 characters)' });
    const decided: Placement = { ...p, status: outcome, decidedBy: user.id, decidedByName: user.name, forName: auth.forName, decidedAt: now.toISOString(), decisionNote: reason || undefined };
    const placements = (r.placements ?? []).map((x) => (x.n === n ? decided : x));
    let next: OpenCallOff;
    if (outcome === 'approved') {
      const award: Award = {
        offContract: true,
        status: 'placed',
        providerName: p.providerName,
        weeklyPrice: p.weeklyPrice,
        budgetWeekly: r.package.budgetWeekly,
        overBudget: p.weeklyPrice > r.package.budgetWeekly,
        bids: (await currentBidsTx(tx, r)).length,
        reason: p.reason,
        recordedBy: p.recordedBy,
        recordedAt: p.recordedAt,
        approvedBy: user.id,
        approvedAt: now.toISOString(),
      };
      next = { ...r, state: 'awarded', award, placements, cascadeOffer: undefined, updatedAt: now.toISOString() };
      tx.put('requests', next);
      await refreshAllProviderCards(tx, now, next, 'off-contract');
      await tellUsers(tx, now, humans([r.owner, ...(await brokerIds(tx)), ...(await managerIds(tx))]), `off-contract:${r.id}`, { kind: 'award.off-contract', ref: r.id, n });
      await openOffContract(tx, next, now); // temporary: reviewed and re-brokered (issue 16)
    } else {
      next = { ...r, placements, updatedAt: now.toISOString() };
      tx.put('requests', next);
      await tellUsers(tx, now, humans([r.owner, p.recordedBy, ...(await brokerIds(tx))]), `off-contract-rejected:${r.id}:${n}`, { kind: 'award.off-contract', ref: r.id, n });
    }
    await settle(tx, auth, user, outcome, now, reason);
    return { request: next, placement: decided, unchanged: false };
  });
}
