import { current, type AgreementVersion, type ContractRules, type Suspension } from './agreement.js';
import { addDays, dayPlans, periodContaining, type Settlement } from './agreementRules.js';
import { historyFunders, periodWeights, splitPounds, type FundedDay, type FundingSplit } from './funding.js';

/**
 * Joint funding over an agreement's periods (issue 24): the split of one settled period between its
 * funders, day by day, by the rule in funding.ts. Kept apart from funding.ts so that the agreement's
 * types can name a split without a circle of imports.
 */

/** What each funder pays of one agreement period (pounds, split to the penny). */
export interface FunderAmounts {
  funder: string;
  plannedCost: number;
  retainer: number;
  payable: number;
}

/**
 * One agreement period's planned cost, retainer and payable amount split between its funders, by
 * the weights of the period's days (periodWeights): the split and terms in force each day, a
 * suspended day counting at its retainer. Each amount is split on its own, so each funder's parts
 * add up to that amount exactly.
 */
export function settlementSplit(
  a: { versions: AgreementVersion[]; suspensions: Suspension[]; funding?: FundingSplit[] },
  p: Settlement,
  rules: Pick<ContractRules, 'retainerPct' | 'retainerWeeks'>,
): FunderAmounts[] {
  const days: FundedDay[] = dayPlans(a.versions, a.suspensions, p).map((d) => ({
    day: d.day,
    elements: a.versions.find((v) => v.version === d.version)?.elements ?? [],
    factor: !d.suspended ? 1 : d.suspended.dayIndex < rules.retainerWeeks * 7 ? rules.retainerPct / 100 : 0,
  }));
  const weights = periodWeights(a.funding, days);
  const [planned, retainer, payable] = [p.plannedCost, p.retainer, p.payable].map((x) => splitPounds(x, weights));
  return historyFunders(a.funding).map((funder, i) => ({ funder, plannedCost: planned[i], retainer: retainer[i], payable: payable[i] }));
}

/**
 * Why a split cannot start on `from`: a period from the one containing it on is already returned
 * (and paid as split then). Then the last such period's first day, and the first day a change may
 * start. Checked when a change is proposed and again when it would apply, since a period can be
 * returned while the partners decide.
 */
export function returnedSince(a: { versions: AgreementVersion[]; returns: { periodStart: string }[] }, period: ContractRules['period'], from: string): { returned: string; nextFree: string } | undefined {
  const start = current(a).startDate;
  const returned = a.returns.map((x) => x.periodStart).filter((s) => s >= periodContaining(start, period, from).start).sort().at(-1);
  return returned ? { returned, nextFree: addDays(periodContaining(start, period, returned).end, 1) } : undefined;
}
