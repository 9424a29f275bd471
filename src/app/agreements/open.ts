import type { Agreement, AgreementVersion } from '../../domain/agreement.js';
import { agreementId, moneyRulesOf } from '../../domain/agreement.js';
import { addDays, round2 } from '../../domain/agreementRules.js';
import { ukDate } from '../../domain/dates.js';
import type { OpenCallOff } from '../calloffs/access.js';
import type { BrokerageTx } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { tellUsers } from '../calloffs/messages.js';
import { councilTeam, rulesTx } from './load.js';
import { armReview } from './schedule.js';

/**
 * The hooks that turn an award into a service agreement, called inside the transaction that
 * accepted the award (or recorded the placement), so both happen or neither does.
 */

/** The winner accepted: the agreement waits for the provider to confirm the start from its channel. */
export async function openAgreement(tx: BrokerageTx, r: OpenCallOff, now: Date): Promise<Agreement | undefined> {
  const award = r.award;
  if (!award?.providerId || award.status !== 'accepted' || await tx.get('agreements', agreementId(r.id))) return undefined;
  const bid = award.bidId ? (await tx.get('bids', award.bidId))?.versions.at(-1) : undefined;
  const hours = bid?.hoursPerWeek ?? r.package.hoursPerWeek;
  const start = bid?.earliestStart && bid.earliestStart > r.package.startDate ? bid.earliestStart : r.package.startDate;
  const first: AgreementVersion = {
    version: 1,
    change: 'created',
    effectiveFrom: start,
    elements: [{ name: 'Support', hoursPerWeek: hours, hourlyRate: award.hourlyRate ?? round2(award.weeklyPrice / hours) }],
    hoursPerWeek: hours,
    // The accepted weekly price stands even where the bid explained a difference from rate × hours.
    weeklyCost: award.weeklyPrice,
    startDate: start,
    financeCodes: { costCentre: '', providerFinanceId: '' },
    summary: `Created from the award accepted by ${award.providerName}`,
    by: award.acceptedBy ?? 'system',
    at: now.toISOString(),
  };
  const a = await createAgreement(tx, r, first, now, { providerId: award.providerId, providerName: award.providerName, offContract: false, status: 'awaiting_start' });
  await enqueue(tx, now, { id: `agr-start:${r.id}`, target: { providerId: award.providerId }, message: { kind: 'agreement.start', ref: r.id } });
  await tellUsers(tx, now, await councilTeam(tx, a), `agr-opened:${r.id}`, { kind: 'agreement.opened', ref: r.id });
  return a;
}

/**
 * An off-contract placement is temporary: it is recorded as an agreement starting the day it was
 * placed, with a review date the council sets in its rules, when the brokers are reminded to
 * re-broker it to a framework provider (and every week after, until they do).
 */
export async function openOffContract(tx: BrokerageTx, r: OpenCallOff, now: Date): Promise<Agreement | undefined> {
  const award = r.award;
  if (!award?.offContract || await tx.get('agreements', agreementId(r.id))) return undefined;
  const rules = await rulesTx(tx);
  const start = ukDate(now);
  const hours = r.package.hoursPerWeek;
  const first: AgreementVersion = {
    version: 1,
    change: 'created',
    effectiveFrom: start,
    elements: [{ name: 'Off-contract placement', hoursPerWeek: hours, hourlyRate: round2(award.weeklyPrice / hours) }],
    hoursPerWeek: hours,
    weeklyCost: award.weeklyPrice,
    startDate: start,
    reviewDate: addDays(start, rules.offContractReviewWeeks * 7),
    financeCodes: { costCentre: '', providerFinanceId: '' },
    summary: `Off-contract placement with ${award.providerName}: temporary, pending a framework placement`,
    reason: award.reason,
    by: award.recordedBy ?? 'system',
    at: now.toISOString(),
  };
  const a = await createAgreement(tx, r, first, now, { providerName: award.providerName, offContract: true, status: 'active' });
  await armReview(tx, a);
  return a;
}

/** Stores a new agreement with what every one starts with: the request's package and person, the council's money rules as they are today, one version. */
async function createAgreement(tx: BrokerageTx, r: OpenCallOff, first: AgreementVersion, now: Date, who: Pick<Agreement, 'providerId' | 'providerName' | 'offContract' | 'status'>): Promise<Agreement> {
  const a: Agreement = {
    id: agreementId(r.id),
    ref: r.id,
    ...who,
    lots: r.package.lots,
    zone: r.person.zone,
    budgetWeekly: r.package.budgetWeekly,
    budgetShown: r.package.showBudget,
    moneyRules: moneyRulesOf(await rulesTx(tx)),
    owner: r.owner,
    proposedStart: first.startDate,
    versions: [first],
    returns: [],
    suspensions: [],
    variations: [],
    reviews: [],
    // Joint funding (issue 24): the split approved with the award applies from the start.
    ...(r.funding ? { funding: [r.funding] } : {}),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  tx.put('agreements', a);
  return a;
}
