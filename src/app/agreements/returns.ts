import type { Agreement, DeliveredReturn } from '../../domain/agreement.js';
import { current, ReturnInput } from '../../domain/agreement.js';
import { daysBetween, periodContaining, round2, type Settlement } from '../../domain/agreementRules.js';
import { ukDate } from '../../domain/dates.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { unschedule } from '../../scheduler/scheduler.js';
import type { User } from '../../domain/framework.js';
import type { Who } from '../actor.js';
import { providerUser } from '../calloffs/access.js';
import { conflict, invalid, parseOrThrow } from '../errors.js';
import { checkProvider, loadAgreementTx, rulesFor, rulesTx } from './load.js';
import { raiseReview } from './review.js';
import { chaseJobId } from './schedule.js';
import { settlementsOf } from './settlement.js';

export interface ReturnResult {
  agreement: Agreement;
  period: Settlement;
  unchanged: boolean;
}

/**
 * Records one period's delivered hours (from the card or a CSV line) and compares them with the
 * plan. Beyond the council's tolerance, or with hours the bank cannot cover, the social worker
 * and brokers get "review needed" with the figures. A corrected return keeps the earlier figure.
 */
export async function recordReturnTx(tx: BrokerageTx, user: User, ref: string, periodStart: string, hours: number, source: DeliveredReturn['source'], now: Date, field = 'periodStart'): Promise<ReturnResult> {
  const a = await loadAgreementTx(tx, ref);
  checkProvider(tx, user, a);
  const rules = rulesFor(a, await rulesTx(tx));
  const v = current(a);
  if (a.status === 'awaiting_start') throw conflict(`Confirm ${a.ref}'s start date first; returns are counted from it.`);
  const p = periodContaining(v.startDate, rules.period, periodStart < v.startDate ? v.startDate : periodStart);
  if (p.start !== periodStart) throw invalid({ [field]: `${periodStart} does not start one of ${a.ref}'s ${rules.period} periods (that day falls in the period ${p.start} to ${p.end})` });
  if (p.end >= ukDate(now)) throw invalid({ [field]: `the period ${p.start} to ${p.end} has not ended yet; return its hours after ${p.end}` });
  if (v.endDate && p.start > v.endDate) throw invalid({ [field]: `${a.ref} ended on ${v.endDate}, before that period` });
  const days = daysBetween(p.start, p.end) + 1;
  if (hours > 24 * days) throw invalid({ [field === 'csv' ? 'csv' : 'hours']: `at most ${24 * days} hours in a ${days}-day period (${round2(hours)} were returned)` });
  const old = a.returns.find((r) => r.periodStart === p.start);
  if (old && old.hours === hours) return { agreement: a, period: settlementsOf(a, rules, p.end).at(-1)!, unchanged: true };
  const ret: DeliveredReturn = old
    ? { ...old, hours, source, by: user.id, at: now.toISOString(), corrections: [...old.corrections, { hours: old.hours, by: old.by, at: old.at }] }
    : { periodStart: p.start, hours, source, by: user.id, at: now.toISOString(), corrections: [] };
  let next: Agreement = { ...a, returns: [...a.returns.filter((r) => r.periodStart !== p.start), ret].sort((x, y) => x.periodStart.localeCompare(y.periodStart)), updatedAt: now.toISOString() };
  tx.put('agreements', next);
  await unschedule(tx, chaseJobId(a.ref, p.start));
  const period = settlementsOf(next, rules, p.end).at(-1)!;
  const va = period.variance!;
  const key = `${p.start}:${ret.corrections.length}`;
  if (va.beyond) {
    const text = `${p.start} to ${p.end}: ${va.delivered} hours delivered against ${va.planned} planned (${va.diff > 0 ? '+' : ''}${va.diff} hours, ${va.pct > 0 ? '+' : ''}${Number.isFinite(va.pct) ? va.pct : '∞'}%), beyond the ${rules.tolerancePct}% tolerance.` +
      (period.bank.drawn ? ` ${period.bank.drawn} banked hours used.` : '') +
      (period.bank.banked ? ` ${period.bank.banked} hours banked (balance ${period.bank.balance}).` : '') +
      (period.bank.excess ? ` ${period.bank.excess} hours above the plan are not covered by banked hours and are not payable without a variation.` : '');
    next = await raiseReview(tx, next, { id: `variance:${key}`, kind: 'variance', periodStart: p.start, text }, now);
  } else if (period.bank.excess > 0) {
    next = await raiseReview(tx, next, { id: `excess:${key}`, kind: 'excess hours', periodStart: p.start, text: `${p.start} to ${p.end}: ${period.bank.excess} hours above the plan are not covered by banked hours; the provider needs a variation to be paid for them.` }, now);
  }
  return { agreement: next, period, unchanged: false };
}

export async function submitReturn(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<ReturnResult> {
  const user = await providerUser(store, who);
  const input = parseOrThrow(ReturnInput, raw);
  return store.transact({ actor: user.id, action: 'agreement.return' }, async (tx) => await recordReturnTx(tx, user, ref, input.periodStart, input.hours, 'card', now));
}
