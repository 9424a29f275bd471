import type { Agreement, ContractRules } from '../../domain/agreement.js';
import { current, StartInput, TermsInput } from '../../domain/agreement.js';
import { addDays, daysBetween } from '../../domain/agreementRules.js';
import { ukDate } from '../../domain/dates.js';
import type { BrokerageStore } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { requirePermission, type Who } from '../actor.js';
import { providerUser } from '../calloffs/access.js';
import { tellUsers } from '../calloffs/messages.js';
import { conflict, invalid, parseOrThrow } from '../errors.js';
import { checkCouncil, checkNotEnded, checkProvider, councilTeam, loadAgreementTx, rulesFor, rulesTx, withVersion } from './load.js';
import { armPeriod, armReview } from './schedule.js';

export type Changed = { agreement: Agreement; unchanged: boolean };

/** A review date the council already set stands if it still falls after the start; else the first review is the council's weeks after it. */
const reviewAfter = (set: string | undefined, start: string, weeks: number) => (set && set >= start ? set : addDays(start, weeks * 7));

/**
 * The provider confirms (or moves) the start from its channel. The agreement becomes active, the
 * first review is set the council's number of weeks after the start, and the first period's
 * return is scheduled. Resolves with the council's return period too, which the provider's reply names.
 */
export async function confirmStart(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<Changed & { returnsPeriod: ContractRules['period'] }> {
  const user = await providerUser(store, who);
  const input = parseOrThrow(StartInput, raw);
  return store.transact({ actor: user.id, action: 'agreement.start' }, async (tx) => {
    const a = await loadAgreementTx(tx, ref);
    checkProvider(tx, user, a);
    const v = current(a);
    const returnsPeriod = (await rulesTx(tx)).period;
    if (a.status === 'active' && v.startDate === input.startDate) return { agreement: a, unchanged: true, returnsPeriod };
    if (a.status !== 'awaiting_start') throw conflict(`${a.ref} started on ${v.startDate}; to change it now, ask the council for a variation.`);
    const today = ukDate(now);
    if (daysBetween(today, input.startDate) < -28) throw invalid({ startDate: 'the start cannot be more than four weeks ago' });
    if (daysBetween(a.proposedStart, input.startDate) > 182) throw invalid({ startDate: 'the start must be within six months of the one awarded' });
    const rules = rulesFor(a, await rulesTx(tx));
    const next: Agreement = {
      ...withVersion(a, 'start confirmed', { startDate: input.startDate, effectiveFrom: input.startDate, reviewDate: reviewAfter(v.reviewDate, input.startDate, rules.firstReviewWeeks) }, { by: user.id, at: now.toISOString(), summary: `Start confirmed by the provider: ${input.startDate}${input.startDate === a.proposedStart ? '' : ` (awarded for ${a.proposedStart})`}` }),
      status: 'active',
    };
    tx.put('agreements', next);
    await armPeriod(tx, next, rules, input.startDate);
    await armReview(tx, next);
    // The start card in the channel shows the confirmation and loses its button.
    await enqueue(tx, now, { id: `agr-start:${a.ref}:confirmed`, target: { providerId: a.providerId! }, message: { kind: 'agreement.start', ref: a.ref }, updates: `agr-start:${a.ref}` });
    await tellUsers(tx, now, await councilTeam(tx, a), `agr-started:${a.ref}`, { kind: 'agreement.started', ref: a.ref });
    return { agreement: next, unchanged: false, returnsPeriod };
  });
}

/** The council sets the review date and the finance codes; each change is a version. */
export async function setTerms(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<Changed> {
  const user = await requirePermission(store, who, 'agreement.manage');
  const input = parseOrThrow(TermsInput, raw);
  return store.transact({ actor: user.id, action: 'agreement.terms' }, async (tx) => {
    const a = await loadAgreementTx(tx, ref);
    checkCouncil(tx, user, a);
    checkNotEnded(a);
    const v = current(a);
    if (input.reviewDate < v.startDate) throw invalid({ reviewDate: `the review must be on or after the start (${v.startDate})` });
    const codes = { costCentre: input.costCentre, providerFinanceId: input.providerFinanceId };
    const same = v.reviewDate === input.reviewDate && v.financeCodes.costCentre === codes.costCentre && v.financeCodes.providerFinanceId === codes.providerFinanceId;
    if (same) return { agreement: a, unchanged: true };
    const what = [
      v.reviewDate !== input.reviewDate ? `review ${v.reviewDate ?? 'not set'} → ${input.reviewDate}` : '',
      v.financeCodes.costCentre !== codes.costCentre ? `cost centre ${v.financeCodes.costCentre || 'none'} → ${codes.costCentre || 'none'}` : '',
      v.financeCodes.providerFinanceId !== codes.providerFinanceId ? `provider finance id ${v.financeCodes.providerFinanceId || 'none'} → ${codes.providerFinanceId || 'none'}` : '',
    ].filter(Boolean);
    const next = withVersion(a, 'terms', { reviewDate: input.reviewDate, financeCodes: codes }, { by: user.id, at: now.toISOString(), summary: what.join('; ') });
    tx.put('agreements', next);
    await armReview(tx, next);
    return { agreement: next, unchanged: false };
  });
}
