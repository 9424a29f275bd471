import type { Agreement, ContractRules } from '../../domain/agreement.js';
import { current } from '../../domain/agreement.js';
import { addDays, periodContaining } from '../../domain/agreementRules.js';
import { ukDateTime } from '../../domain/dates.js';
import type { BrokerageTx } from '../../store/collections.js';
import { schedule, unschedule } from '../../scheduler/scheduler.js';

/**
 * The agreement's reminders, persisted as scheduler jobs so a restart loses none. Ids name the
 * request, so the jobs sit with its call-off's files and re-scheduling one moves it.
 */
export const periodJobId = (ref: string) => `agr-period:${ref}`;
export const chaseJobId = (ref: string, periodStart: string) => `agr-chase:${ref}:${periodStart}`;
export const reviewJobId = (ref: string) => `agr-review:${ref}`;

/** Mornings, UK time: reminders arrive at the start of a working day. */
const morning = (day: string) => ukDateTime(day, '09:00').toISOString();

/** Asks for the return of the period holding `day` the morning after it ends. */
export async function armPeriod(tx: BrokerageTx, a: Agreement, rules: ContractRules, day: string): Promise<void> {
  const v = current(a);
  const p = periodContaining(v.startDate, rules.period, day < v.startDate ? v.startDate : day);
  if (v.endDate && p.start > v.endDate) return await unschedule(tx, periodJobId(a.ref));
  schedule(tx, { id: periodJobId(a.ref), kind: 'agreement.period', ref: a.ref, at: morning(addDays(p.end, 1)), periodStart: p.start });
}

/** After the return was asked for: a reminder, then (still missing) "review needed". */
export async function armChase(tx: BrokerageTx, a: Agreement, rules: ContractRules, periodStart: string, periodEnd: string, stage: 'remind' | 'flag'): Promise<void> {
  const days = rules.reminderDays * (stage === 'remind' ? 1 : 2);
  schedule(tx, { id: chaseJobId(a.ref, periodStart), kind: 'agreement.chase', ref: a.ref, at: morning(addDays(periodEnd, 1 + days)), periodStart, stage });
}

export async function armReview(tx: BrokerageTx, a: Agreement): Promise<void> {
  const v = current(a);
  if (!v.reviewDate || a.status === 'ended') return await unschedule(tx, reviewJobId(a.ref));
  schedule(tx, { id: reviewJobId(a.ref), kind: a.offContract ? 'agreement.offcontract' : 'agreement.review', ref: a.ref, at: morning(v.reviewDate) });
}

/** The review (or off-contract) reminders stop; a last period's return is still asked for. */
export async function disarmAll(tx: BrokerageTx, a: Agreement): Promise<void> {
  await unschedule(tx, reviewJobId(a.ref));
}
