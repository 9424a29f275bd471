import type { Award, Choice, Decision } from '../../domain/award.js';
import { bidId, type Bid } from '../../domain/calloff.js';
import { formatUk } from '../../domain/dates.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { requirePermission, type Who } from '../actor.js';
import { conflict, forbidden, invalid } from '../errors.js';
import { DEFAULT_SETTINGS, SETTINGS_ID } from '../framework/entities.js';
import { loadForProvider, providerUser, type OpenCallOff } from '../calloffs/access.js';
import { brokerIds, refreshAllProviderCards, refreshProviderCard, tellUsers } from '../calloffs/messages.js';
import { offerCascade } from './cascade.js';
import { checkEvaluator, chosenBid, currentBidsTx, humans, loadCallOff, rankingOfTx } from './shared.js';
import { raiseApproval } from '../approvals/raise.js';
import { authorise, settle } from '../approvals/decide.js';
import { awardDraft } from '../approvals/subjects.js';
import { approvalId, type Approval } from '../../domain/approvals.js';
import { lapseFunderApprovals, raisePartnerApprovals } from '../funding/approve.js';
import { awaitingFunders } from '../funding/views.js';
import { approvalOf, councilRankingOf, type ApprovalData, type CouncilRanking } from './views.js';
import { csv } from '../requests/inputs.js';
import { ChoiceInput, MIN_REASON } from '../../domain/choice.js';
import { openAgreement } from '../agreements/open.js';

/** Card inputs of the choice form (the multi-select arrives as "person,carer"). */
export interface ChoiceRaw {
  bidId: string;
  tookPart?: unknown;
  personWords?: unknown;
  reasonCategory?: unknown;
  reason?: unknown;
}

/** zod paths → the choice form's input ids, so each message shows next to its field. */
const CHOICE_FIELDS: Record<string, string> = { bidId: 'choice', tookPart: 'tookPart', personWords: 'personWords', reasonCategory: 'choiceReasonCategory', reason: 'choiceReason' };

function parseChoice(raw: ChoiceRaw): { input?: ChoiceInput; errors: Record<string, string> } {
  const s = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
  const tookPart = Array.isArray(raw.tookPart) ? raw.tookPart.map(String) : csv(raw.tookPart);
  const category = s(raw.reasonCategory).trim();
  const parsed = ChoiceInput.safeParse({ bidId: s(raw.bidId), tookPart, personWords: s(raw.personWords), reasonCategory: category || undefined, reason: s(raw.reason) });
  if (parsed.success) return { input: parsed.data, errors: {} };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) errors[CHOICE_FIELDS[String(issue.path[0])] ?? '_form'] ??= issue.message;
  return { errors };
}

/**
 * The person's (or carers') choice, recorded by the social worker: a compliant bid still in the
 * running, who took part and the person's reasons in their own words; when it is not the
 * top-ranked one, why (a reason group for the reports, and words). It goes straight to the
 * managers for approval, so the request moves evaluated → awaiting_approval (kept in `choices`).
 */
export async function recordChoice(store: BrokerageStore, who: Who, ref: string, raw: ChoiceRaw, now: Date): Promise<{ request: OpenCallOff; choice: Choice; unchanged: boolean; ranking?: CouncilRanking }> {
  const user = await requirePermission(store, who, 'evaluation.score');
  return store.transact({ actor: user.id, action: 'award.choose' }, async (tx) => {
    const r = await loadCallOff(tx, ref);
    checkEvaluator(user, r);
    const current = r.choices?.at(-1);
    if (r.state === 'awaiting_approval' && current?.bidId === raw.bidId) return { request: r, choice: current, unchanged: true, ranking: await councilRankingOf(tx, r) };
    if (r.state !== 'evaluated') throw conflict(stateWhy(r, 'a choice can only be recorded once every quality score is locked and before it goes for approval'));
    const ranking = await rankingOfTx(tx, r);
    if (!ranking) throw conflict(`${r.id} has no scored bids to choose from; a broker can run the cascade.`);
    if (!raw.bidId) throw invalid({ choice: 'choose the bid the person chose' });
    const row = ranking.rowsById.get(raw.bidId);
    if (!row) {
      const why = ranking.excluded.includes(raw.bidId) ? 'that provider declined the award' : (await tx.get('bids', raw.bidId))?.status === 'withdrawn' ? 'that bid was withdrawn' : 'that is not a bid on this call-off';
      throw invalid({ choice: `${why}; choose another bid` });
    }
    if (!row.compliant) throw invalid({ choice: `that bid is non-compliant (${row.reasons.join('; ')}); choose a compliant bid` });
    const { input, errors } = parseChoice(raw);
    const top = ranking.rows[0];
    const notTop = top.bidId !== row.bidId;
    // Every problem at once, so the social worker fixes the form in one go.
    if (notTop && !input?.reasonCategory) errors.choiceReasonCategory ??= 'the person chose other than the top-ranked bid: choose the main reason';
    if (notTop && (input?.reason ?? String(raw.reason ?? '').trim()).length < MIN_REASON) errors.choiceReason ??= `the person chose other than the top-ranked bid: say why (at least ${MIN_REASON} characters)`;
    if (!input || Object.keys(errors).length) throw invalid(errors);
    const round = r.evaluation?.round;
    const choice: Choice = {
      n: (r.choices?.length ?? 0) + 1,
      bidId: row.bidId,
      providerId: (await tx.get('bids', row.bidId))!.providerId,
      topBidId: top.bidId,
      reason: notTop ? input.reason : undefined,
      reasonCategory: notTop ? input.reasonCategory : undefined,
      tookPart: input.tookPart,
      personWords: input.personWords,
      packUsed: (r.choicePacks ?? []).some((p) => p.round === round),
      by: user.id,
      at: now.toISOString(),
    };
    const next = await sendForApproval(tx, { ...r, choices: [...(r.choices ?? []), choice] }, choice, now);
    return { request: next, choice, unchanged: false, ranking: await councilRankingOf(tx, next) };
  });
}

function stateWhy(r: OpenCallOff, rule: string): string {
  const now = {
    open: `${r.id} is still open for bids`,
    closed: `${r.id}'s quality scores are not all locked yet`,
    evaluated: `${r.id} is evaluated`,
    chosen: `${r.id} has a choice recorded`,
    awaiting_approval: `${r.id} is waiting for a manager's approval`,
    awarded: `${r.id} has already been awarded`,
    cancelled: `${r.id} was cancelled`,
  } as Record<string, string>;
  return `${now[r.state] ?? `${r.id} is ${r.state}`}; ${rule}.`;
}

/** The choice goes to the approvers its amount needs under the scheme of delegation (src/app/approvals/). */
async function sendForApproval(tx: BrokerageTx, r: OpenCallOff, choice: Choice, now: Date): Promise<OpenCallOff> {
  const next: OpenCallOff = { ...r, state: 'awaiting_approval', cascadeOffer: undefined, updatedAt: now.toISOString() };
  tx.put('requests', next);
  await raiseApproval(tx, await awardDraft(tx, next, choice), now);
  await raisePartnerApprovals(tx, next, choice, now); // joint funding: each partner approves its share (issue 24)
  return next;
}

/**
 * Sequential offer: the first acceptance that meets the request ends the rounds and goes straight
 * to the managers (no competition scoring). Called inside the transaction that accepted it.
 */
export async function sequentialApproval(tx: BrokerageTx, r: OpenCallOff, bid: Bid, now: Date): Promise<OpenCallOff> {
  const choice: Choice = { n: (r.choices?.length ?? 0) + 1, bidId: bid.id, providerId: bid.providerId, sequential: true, by: 'system:sequential-offer', at: now.toISOString() };
  return await sendForApproval(tx, { ...r, choices: [...(r.choices ?? []), choice] }, choice, now);
}

export { chosenBid, type ChosenBid } from './shared.js';

export interface DecisionInput {
  n: number;
  outcome: 'approved' | 'rejected';
  reason?: string;
  justification?: string;
}

/**
 * A manager approves or rejects the choice. Rejection needs a reason and returns the request to
 * `evaluated`; approval of an over-budget award needs a justification. Only one decision per
 * choice: a second (by anyone) is refused. Every manager's approval card is updated. Returns the
 * approval as it now stands, for the reply: the ranking and chosen bid are worked out here, once.
 */
export async function decideAward(store: BrokerageStore, who: Who, ref: string, input: DecisionInput, now: Date): Promise<{ request: OpenCallOff; decision: Decision; approval?: ApprovalData; waitingFor?: string[] }> {
  const user = await requirePermission(store, who, 'award.decide');
  return store.transact({ actor: user.id, action: `award.${input.outcome === 'approved' ? 'approve' : 'reject'}` }, async (tx) => {
    const r = await loadCallOff(tx, ref);
    const done = r.decisions?.find((d) => d.n === input.n);
    if (done) throw conflict(`This award was already ${done.outcome} by ${done.byName === user.name ? 'you' : done.byName} on ${formatUk(done.at)}; it cannot be decided again.`);
    const choice = r.choices?.at(-1);
    if (!choice || choice.n !== input.n) throw conflict(`This approval card is out of date: ${r.id} ${r.state === 'awaiting_approval' ? 'has a newer choice waiting for approval' : 'is not waiting for this approval'}.`);
    if (r.state !== 'awaiting_approval') throw conflict(stateWhy(r, 'only a choice waiting for approval can be decided'));
    const mine = await tx.get('approvals', approvalId('award', r.id, input.n));
    if (mine?.status === 'approved') throw conflict(`${mine.decidedByName === user.name ? 'You' : mine.decidedByName} approved this for the council on ${formatUk(mine.decidedAt!)}; it waits for ${(await awaitingFunders(tx, r, input.n)).join(' and ')} to approve ${r.funding?.shares.length === 1 ? 'its' : 'their'} share.`);
    // Separation of duties, the level the amount needs, delegation: the approvals room decides who may.
    const auth = await authorise(tx, user, await awardDraft(tx, r, choice), now);
    const reason = (input.reason ?? '').trim();
    const justification = (input.justification ?? '').trim();
    const decision: Decision = { n: input.n, outcome: input.outcome, by: user.id, byName: user.name, at: now.toISOString(), forId: auth.forId, forName: auth.forName, level: auth.level };
    if (input.outcome === 'rejected') {
      if (reason.length < 5) throw invalid({ rejectReason: 'say why the award is rejected (at least 5 characters)' });
      decision.reason = reason;
      const next: OpenCallOff = { ...r, state: 'evaluated', decisions: [...(r.decisions ?? []), decision], updatedAt: now.toISOString() };
      tx.put('requests', next);
      await settle(tx, auth, user, 'rejected', now, reason);
      await lapseFunderApprovals(tx, next, input.n, now, 'the council rejected the award');
      await tellUsers(tx, now, humans([r.owner, ...(await brokerIds(tx))]), `rejected:${r.id}:${input.n}`, { kind: 'award.rejected', ref: r.id, n: input.n });
      const after = choice.sequential ? await offerCascade(tx, next, now, 'the manager rejected the sequential acceptance') : next;
      return { request: after, decision, approval: await approvalOf(tx, after, input.n, now) };
    }
    const settings = await tx.get('settings', SETTINGS_ID) ?? DEFAULT_SETTINGS;
    const row = (await rankingOfTx(tx, r))?.rowsById.get(choice.bidId);
    const chosen = chosenBid(r, choice, (await tx.get('bids', choice.bidId))!, settings.minHourlyRate, row);
    if (chosen.overBudget && justification.length < MIN_REASON) {
      throw invalid({ justification: `£${chosen.weeklyPrice.toFixed(2)} a week is over the £${r.package.budgetWeekly.toFixed(2)} budget: say why it is approved (at least ${MIN_REASON} characters)` });
    }
    const council = await settle(tx, auth, user, 'approved', now, justification || reason);
    // Joint funding: the award is made only when every funder with a share has approved (src/app/funding/).
    const waitingFor = await awaitingFunders(tx, r, input.n);
    // `decision` is then the council's approval alone: the request's decision is recorded when the award is made.
    if (waitingFor.length) return { request: r, decision, approval: await approvalOf(tx, r, input.n, now), waitingFor };
    const next = await makeAward(tx, r, choice, council, now, { reason, justification });
    return { request: next, decision: next.decisions!.at(-1)!, approval: await approvalOf(tx, next, input.n, now) };
  });
}

/**
 * The award itself, once every funder has approved: the council's approval (its approver, level,
 * delegation and note) becomes the request's decision, the winner is asked to accept, and the
 * social worker and brokers are told. Called by the council's approval, or by the last partner's.
 */
export async function makeAward(tx: BrokerageTx, r: OpenCallOff, choice: Choice, council: Approval, now: Date, words?: { reason?: string; justification?: string }): Promise<OpenCallOff> {
  const settings = await tx.get('settings', SETTINGS_ID) ?? DEFAULT_SETTINGS;
  const row = (await rankingOfTx(tx, r))?.rowsById.get(choice.bidId);
  const chosen = chosenBid(r, choice, (await tx.get('bids', choice.bidId))!, settings.minHourlyRate, row);
  // The approver's words: as typed when the council's approval makes the award, else from its record.
  const note = council.note ?? '';
  const reason = words ? words.reason : chosen.overBudget ? '' : note;
  const justification = words ? words.justification : chosen.overBudget ? note : '';
  const decision: Decision = { n: choice.n, outcome: 'approved', by: council.decidedBy!, byName: council.decidedByName!, at: council.decidedAt ?? now.toISOString(), forId: council.decidedFor, forName: council.decidedForName, level: council.decidedLevel };
  if (reason) decision.reason = reason;
  if (justification) decision.justification = justification;
  const provider = await tx.get('providers', choice.providerId);
  const award: Award = {
    offContract: false,
    status: 'offered',
    bidId: choice.bidId,
    providerId: choice.providerId,
    providerName: provider?.name ?? choice.providerId,
    weeklyPrice: chosen.weeklyPrice,
    hourlyRate: chosen.hourlyRate,
    budgetWeekly: r.package.budgetWeekly,
    overBudget: chosen.overBudget,
    unsustainable: chosen.unsustainable,
    total: row?.total,
    qualityScore: row?.qualityScore,
    priceScore: row?.priceScore,
    bids: (await currentBidsTx(tx, r)).length,
    choiceN: choice.n,
    approvedBy: decision.by,
    approvedAt: now.toISOString(),
    justification: justification || undefined,
    offeredAt: now.toISOString(),
  };
  const next: OpenCallOff = { ...r, state: 'awarded', award, decisions: [...(r.decisions ?? []), decision], updatedAt: now.toISOString() };
  tx.put('requests', next);
  await enqueue(tx, now, { id: `award-offer:${r.id}:${choice.n}:${choice.providerId}`, target: { providerId: choice.providerId }, message: { kind: 'award.offer', ref: r.id, n: choice.n } });
  await refreshProviderCard(tx, now, next, choice.providerId, `award-offered-${choice.n}`);
  await tellUsers(tx, now, humans([r.owner, ...(await brokerIds(tx))]), `approved:${r.id}:${choice.n}`, { kind: 'award.approved', ref: r.id, n: choice.n });
  return next;
}

/**
 * The winning provider accepts: only now does its channel get the person's referral details.
 * Every other bidder gets its own scores and the winning total; the social worker and brokers are told.
 */
export async function acceptAward(store: BrokerageStore, who: Who, ref: string, now: Date): Promise<OpenCallOff> {
  const user = await providerUser(store, who);
  return store.transact({ actor: user.id, action: 'award.accept' }, async (tx) => {
    const r = await loadForProvider(tx, user, ref, now, { mustBeOpen: false });
    const award = ownAward(r, user.providerId);
    if (award.status === 'accepted') return r; // a repeat
    const next: OpenCallOff = { ...r, award: { ...award, status: 'accepted', acceptedAt: now.toISOString(), acceptedBy: user.id }, updatedAt: now.toISOString() };
    tx.put('requests', next);
    await answerOffer(tx, next, award, now);
    await enqueue(tx, now, { id: `referral:${r.id}:${user.providerId}`, target: { providerId: user.providerId }, message: { kind: 'award.referral', ref: r.id } });
    const current = await currentBidsTx(tx, r);
    for (const b of current) {
      if (b.providerId === user.providerId || r.evaluation?.excluded.some((x) => x.bidId === b.id)) continue;
      await enqueue(tx, now, { id: `outcome:${r.id}:${b.providerId}`, target: { providerId: b.providerId }, message: { kind: 'award.outcome', ref: r.id } });
    }
    // After a cascade, the first round's bidders are told too (every bidder hears the outcome).
    for (const o of r.calloff.offers) {
      const b = await tx.get('bids', bidId(r.id, o.providerId));
      if (b?.status !== 'active' || o.providerId === user.providerId || current.some((c) => c.id === b.id)) continue;
      await enqueue(tx, now, { id: `outcome:${r.id}:${o.providerId}`, target: { providerId: o.providerId }, message: { kind: 'award.outcome.earlier', ref: r.id } });
    }
    await refreshAllProviderCards(tx, now, next, 'awarded');
    await tellUsers(tx, now, humans([r.owner, ...(await brokerIds(tx))]), `accepted-award:${r.id}`, { kind: 'award.accepted', ref: r.id });
    await openAgreement(tx, next, now); // the package lives on as a service agreement (issue 16)
    return next;
  });
}

/** The award notice in the winner's channel shows the answer and loses its buttons. */
async function answerOffer(tx: BrokerageTx, r: OpenCallOff, award: Award, now: Date): Promise<void> {
  const offerId = `award-offer:${r.id}:${award.choiceN}:${award.providerId}`;
  await enqueue(tx, now, { id: `${offerId}:answered`, target: { providerId: award.providerId! }, message: { kind: 'award.offer', ref: r.id, n: award.choiceN }, updates: offerId });
}

function ownAward(r: OpenCallOff, providerId: string): Award {
  if (r.state !== 'awarded' || !r.award || r.award.offContract || r.award.providerId !== providerId) {
    const declined = r.declinedAwards?.find((a) => a.providerId === providerId);
    if (declined) throw conflict(`Your organisation declined the award of ${r.id} on ${formatUk(declined.declinedAt!)}.`);
    throw forbidden(`${r.id} has not been awarded to your organisation.`);
  }
  return r.award;
}

/**
 * The winning provider declines: the award is set aside (kept in declinedAwards), its bid leaves
 * the choice and the social worker chooses again from the rest; with nothing compliant left, the
 * brokers are offered the cascade.
 */
export async function declineAward(store: BrokerageStore, who: Who, ref: string, reasonText: string, now: Date): Promise<OpenCallOff> {
  const user = await providerUser(store, who);
  const reason = reasonText.trim();
  return store.transact({ actor: user.id, action: 'award.decline' }, async (tx) => {
    const r = await loadForProvider(tx, user, ref, now, { mustBeOpen: false });
    if (r.declinedAwards?.some((a) => a.providerId === user.providerId) && r.award?.providerId !== user.providerId) return r; // a repeat
    const award = ownAward(r, user.providerId);
    if (award.status === 'accepted') throw conflict(`Your organisation accepted ${r.id} on ${formatUk(award.acceptedAt!)}; to hand it back, contact the Brokerage Team.`);
    if (reason.length < 5) throw invalid({ declineReason: 'say why you decline (at least 5 characters); the council uses it to plan' });
    const declined: Award = { ...award, status: 'declined', declinedAt: now.toISOString(), declinedBy: user.id, declineReason: reason };
    const evaluation = r.evaluation ? { ...r.evaluation, excluded: [...r.evaluation.excluded, { bidId: award.bidId!, why: 'declined the award', at: now.toISOString() }] } : undefined;
    let next: OpenCallOff = { ...r, state: 'evaluated', award: undefined, declinedAwards: [...(r.declinedAwards ?? []), declined], evaluation, updatedAt: now.toISOString() };
    tx.put('requests', next);
    await refreshProviderCard(tx, now, next, user.providerId, `award-declined-${award.choiceN}`);
    await answerOffer(tx, next, award, now);
    await tellUsers(tx, now, humans([r.owner, ...(await brokerIds(tx))]), `declined-award:${r.id}:${award.choiceN}`, { kind: 'award.declined', ref: r.id, n: award.choiceN });
    const ranking = await rankingOfTx(tx, next);
    if (!ranking?.rows.some((x) => x.compliant)) next = await offerCascade(tx, next, now, 'every compliant provider declined the award');
    else await tellUsers(tx, now, [r.owner], `ranking:${r.id}:${next.evaluation!.round}:after-decline-${award.choiceN}`, { kind: 'evaluation.ranking', ref: r.id, round: next.evaluation!.round });
    return next;
  });
}
