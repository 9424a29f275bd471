import type { ContractRules } from './agreement.js';
import { round2, type Settlement } from './agreementRules.js';
import { levelFor, variationAmountsOf, type ApprovalScheme } from './approvals.js';

/**
 * Whether a variation of a service agreement needs approval, and why, in one place: the use case
 * gathers the facts (variations.ts), this decides, including the level the scheme of delegation
 * puts its amounts at, and whether a provider's change must first have the council's agreement.
 * Who may approve it, and at which level, is the approvals room's (src/app/approvals/).
 */

export type ApprovalRule = 'rise over threshold' | 'rises since approval' | 'above budget' | 'end date later' | 'back-dated rise' | 'settled periods re-priced' | 'delegation level';

export interface ApprovalReason {
  rule: ApprovalRule;
  /** In the council's words, for the manager's card. */
  text: string;
}

export interface ApprovalNeed {
  needed: boolean;
  reasons: ApprovalReason[];
  /**
   * Set when the provider's change cuts care (fewer hours a week, or an earlier end): the social
   * worker or a broker must agree before anything applies or goes for approval. Why, in words.
   */
  cut?: string;
}

/** A period already returned (or, off-contract, paid as planned) whose money the change alters. */
export interface RepricedPeriod {
  start: string;
  plannedBefore: number;
  plannedAfter: number;
  payableBefore: number;
  payableAfter: number;
}

export interface VariationFacts {
  side: 'provider' | 'council';
  /** The weekly cost in force on the day the change takes effect (not the latest version's). */
  weeklyBefore: number;
  weeklyAfter: number;
  /** The most hours a week in force on any day from the change's first day (a cut is measured against it), and the hours it asks for. */
  hoursBefore: number;
  hoursAfter: number;
  /** The weekly cost a manager last approved, or the award's: small rises cannot be chained past the threshold. */
  approvedWeekly: number;
  budgetWeekly: number;
  effectiveFrom: string;
  /** Today, a UK calendar day. */
  today: string;
  endBefore?: string;
  endAfter?: string;
  repriced: RepricedPeriod[];
  /** What the repriced periods are: returned by the provider, or paid as planned (off-contract, on invoice). */
  settledAs: 'returned' | 'paid';
}

const gbp = (n: number) => `£${n.toFixed(2)}`;

function repricedText(f: VariationFacts): string {
  const change = (p: RepricedPeriod) => (p.payableBefore !== p.payableAfter ? `payable ${gbp(p.payableBefore)} → ${gbp(p.payableAfter)}` : `planned ${gbp(p.plannedBefore)} → ${gbp(p.plannedAfter)}`);
  const [one] = f.repriced;
  if (f.repriced.length === 1) return `it re-prices the period from ${one.start}, already ${f.settledAs}: ${change(one)}`;
  const listed = f.repriced.slice(0, 3).map((p) => `from ${p.start} (${change(p)})`).join(', ');
  return `it re-prices ${f.repriced.length} periods already ${f.settledAs}: ${listed}${f.repriced.length > 3 ? ` and ${f.repriced.length - 3} more` : ''}`;
}

/** Why a provider's change cuts the person's care (fewer hours a week, or an earlier end), or undefined. */
function cutOf(f: VariationFacts): string | undefined {
  if (f.side !== 'provider') return undefined;
  const parts: string[] = [];
  if (f.hoursAfter < f.hoursBefore) parts.push(`it cuts the hours from ${f.hoursBefore} to ${f.hoursAfter} a week`);
  if (f.endAfter && (!f.endBefore || f.endAfter < f.endBefore)) parts.push(`it ends the package on ${f.endAfter}${f.endBefore ? `, before ${f.endBefore}` : ''}`);
  return parts.length ? parts.join(' and ') : undefined;
}

/**
 * A variation needs approval when it raises the weekly cost (against the terms in force on the
 * day it takes effect) by more than the council's threshold, or by more than it since the last
 * approval; takes it above the personal budget; raises it from a day already past; changes the
 * money of any period already returned or paid, whatever the weekly cost; is the provider moving a
 * fixed term's end later; or commits more (a rise, or weeks added) than the scheme of delegation's
 * first level may approve, whatever the threshold says. Anything else (a cut from today on, a
 * small rise within the first level) applies at once, except that a provider's cut first waits for
 * the council's agreement.
 */
export function variationApproval(f: VariationFacts, rules: Pick<ContractRules, 'variationThreshold'>, scheme: ApprovalScheme): ApprovalNeed {
  const reasons: ApprovalReason[] = [];
  const add = (rule: ApprovalRule, text: string) => reasons.push({ rule, text });
  const threshold = gbp(rules.variationThreshold);
  const rise = round2(f.weeklyAfter - f.weeklyBefore);
  const sinceApproval = round2(f.weeklyAfter - f.approvedWeekly);
  if (rise > rules.variationThreshold) add('rise over threshold', `it raises the weekly cost by ${gbp(rise)}, more than the ${threshold} threshold`);
  else if (rise > 0 && sinceApproval > rules.variationThreshold) add('rises since approval', `with the rises applied since the last approval it raises the weekly cost by ${gbp(sinceApproval)} (from ${gbp(f.approvedWeekly)}), more than the ${threshold} threshold`);
  if (rise > 0 && f.weeklyAfter > f.budgetWeekly) add('above budget', `it takes the weekly cost to ${gbp(f.weeklyAfter)}, above the ${gbp(f.budgetWeekly)} personal budget`);
  if (f.side === 'provider' && f.endBefore && f.endAfter && f.endAfter > f.endBefore) add('end date later', `the provider moves the end date from ${f.endBefore} to ${f.endAfter}, committing more weeks of spend`);
  if (rise > 0 && f.effectiveFrom < f.today) add('back-dated rise', `it raises the cost from ${f.effectiveFrom}, before today, so it re-prices days already past`);
  if (f.repriced.length) add('settled periods re-priced', repricedText(f));
  const amounts = variationAmountsOf(f);
  if (rise > 0 || amounts.commitment > 0) {
    const level = levelFor(scheme, amounts);
    if (level.index > 0) add('delegation level', `it needs ${scheme.levels[level.index].name} approval (${level.why.join('; ')})`);
  }
  const cut = cutOf(f);
  return { needed: reasons.length > 0, reasons, ...(cut ? { cut } : {}) };
}

/**
 * Which reasons the provider may read, decided per rule (a Record, so a new rule must decide):
 * the personal budget is the council's unless the broker showed it to providers on the call-off.
 */
const PROVIDER_READS: Record<ApprovalRule, 'always' | 'when the budget is shown' | 'never'> = {
  'rise over threshold': 'always',
  'rises since approval': 'always',
  'above budget': 'when the budget is shown',
  'end date later': 'always',
  'back-dated rise': 'always',
  'settled periods re-priced': 'always',
  // The council's own limits of delegation: how it governs its spending, not the provider's terms.
  'delegation level': 'never',
};

export function reasonsForProvider(need: ApprovalNeed, budgetShown: boolean): string[] {
  return need.reasons.filter((r) => PROVIDER_READS[r.rule] === 'always' || (PROVIDER_READS[r.rule] === 'when the budget is shown' && budgetShown)).map((r) => r.text);
}

/**
 * Periods already settled (returned, or paid as planned) whose figures differ once a change is
 * applied: `before` and `after` are the same agreement's settlements without and with it. A period
 * the change would drop (an end date moved before it) counts, at nothing planned or payable.
 */
export function repricedPeriods(before: Settlement[], after: Settlement[]): RepricedPeriod[] {
  return before
    .filter((p) => p.delivered !== undefined)
    .flatMap((p) => {
      const q = after.find((x) => x.start === p.start);
      const r: RepricedPeriod = { start: p.start, plannedBefore: p.plannedCost, plannedAfter: q?.plannedCost ?? 0, payableBefore: p.payable, payableAfter: q?.payable ?? 0 };
      return q && r.plannedAfter === r.plannedBefore && r.payableAfter === r.payableBefore ? [] : [r];
    });
}
