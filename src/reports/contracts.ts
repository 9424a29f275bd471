import { current } from '../domain/agreement.js';
import { addDays, daysBetween, round2 } from '../domain/agreementRules.js';
import type { AgreementData } from './agreementData.js';
import { paymentRows } from './payments.js';
import type { Period } from './period.js';

/**
 * Contract management for commissioners: what the council committed to against what was
 * delivered, by provider, lot and zone; the agreements that need a review; framework spend against
 * its minimum and maximum; and the weeks and cost of temporary off-contract placements.
 *
 * Definitions (per agreement period starting in the report's dates, as in the payments export):
 * committed = planned cost + retainer (what the plan would pay if delivered in full);
 * delivered = the payable amount (delivered hours paid, plus the retainer). By funder: each
 * funder's parts of those, as the payments export splits them (src/domain/funding.ts).
 * Needing review: agreements, ended ones too, with a review raised in the period, a return flagged
 * missing that is still missing (whenever it was flagged), or (while running) a review date due.
 */
export interface SpendLine {
  key: string;
  committed: number;
  delivered: number;
}

export interface ContractsReport {
  byProvider: SpendLine[];
  byLot: SpendLine[];
  byZone: SpendLine[];
  /** Joint funding (issue 24): each funder's parts of committed and delivered, split to the penny (the council first). */
  byFunder: SpendLine[];
  /** `ended`: the last day of an agreement that has ended (it still needs review while a return is missing). */
  needingReview: { ref: string; provider: string; ended?: string; reasons: string[] }[];
  framework: { spend: number; min: number; max: number; days: number; status: 'below minimum' | 'above maximum' | 'within' | 'no limits set' };
  offContract: { ref: string; provider: string; weeks: number; cost: number }[];
}

function sum(lines: Map<string, SpendLine>, key: string, committed: number, delivered: number): void {
  const l = lines.get(key) ?? { key, committed: 0, delivered: 0 };
  lines.set(key, { key, committed: round2(l.committed + committed), delivered: round2(l.delivered + delivered) });
}

export function contractsReport(data: AgreementData, period: Pick<Period, 'from' | 'to'>): ContractsReport {
  const provider = new Map<string, SpendLine>();
  const lot = new Map<string, SpendLine>();
  const zone = new Map<string, SpendLine>();
  const funder = new Map<string, SpendLine>();
  let frameworkSpend = 0;
  const offCost = new Map<string, number>();
  for (const r of paymentRows(data, period)) {
    const committed = r.p.plannedCost + r.p.retainer;
    sum(provider, r.a.providerName + (r.a.offContract ? ' (off-contract)' : ''), committed, r.p.payable);
    // A package in two lots counts in each, split evenly, so lot lines still add up to the total.
    for (const l of r.a.lots) sum(lot, l, committed / r.a.lots.length, r.p.payable / r.a.lots.length);
    sum(zone, r.a.zone, committed, r.p.payable);
    for (const f of r.funders) sum(funder, r.funderName(f.funder), f.plannedCost + f.retainer, f.payable);
    if (r.a.offContract) offCost.set(r.a.ref, round2((offCost.get(r.a.ref) ?? 0) + r.p.payable));
    else frameworkSpend += r.p.payable;
  }
  const days = daysBetween(period.from, period.to) + 1;
  const min = round2((data.rules.frameworkMinAnnual * days) / 365);
  const max = round2((data.rules.frameworkMaxAnnual * days) / 365);
  const spend = round2(frameworkSpend);
  const status = !min && !max ? 'no limits set' : spend < min ? 'below minimum' : max && spend > max ? 'above maximum' : 'within';
  const needingReview = data.agreements
    .map((a) => {
      const c = current(a);
      const raised = a.reviews.filter((f) => f.at.slice(0, 10) >= period.from && f.at.slice(0, 10) <= addDays(period.to, 1));
      // A return still missing stays in view, ended or not, until it comes in: whenever it was flagged.
      const missing = a.reviews.filter((f) => f.kind === 'missing return' && f.periodStart && f.periodStart <= period.to && !raised.includes(f) && !a.returns.some((r) => r.periodStart === f.periodStart));
      const reasons = [...raised.map((f) => `${f.kind}: ${f.text}`), ...missing.map((f) => `missing return (still missing): ${f.text}`)];
      const ended = a.status === 'ended' ? (a.ending?.on ?? c.endDate) : undefined;
      if (!ended && c.reviewDate && c.reviewDate <= period.to && !a.reviews.some((f) => f.id === `review:${c.reviewDate}`)) reasons.push(`review date ${c.reviewDate}`);
      return { ref: a.ref, provider: a.providerName, ended, reasons };
    })
    .filter((x) => x.reasons.length);
  const offContract = data.agreements
    .filter((a) => a.offContract)
    .map((a) => {
      const c = current(a);
      const from = c.startDate > period.from ? c.startDate : period.from;
      const end = c.endDate && c.endDate < period.to ? c.endDate : period.to;
      return { ref: a.ref, provider: a.providerName, weeks: Math.max(0, round2((daysBetween(from, end) + 1) / 7)), cost: offCost.get(a.ref) ?? 0 };
    })
    .filter((x) => x.weeks > 0);
  const sorted = (m: Map<string, SpendLine>) => [...m.values()].sort((x, y) => y.committed - x.committed);
  return { byProvider: sorted(provider), byLot: sorted(lot), byZone: sorted(zone), byFunder: sorted(funder), needingReview, framework: { spend, min, max, days, status }, offContract };
}
