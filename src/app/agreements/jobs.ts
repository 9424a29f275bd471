import { agreementId, current } from '../../domain/agreement.js';
import { addDays, periodContaining } from '../../domain/agreementRules.js';
import { ukDate } from '../../domain/dates.js';
import type { BrokerageStore } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { schedule, type JobHandler } from '../../scheduler/scheduler.js';
import { tellUsers } from '../calloffs/messages.js';
import { brokersTx, rulesFor, rulesTx } from './load.js';
import { raiseReview } from './review.js';
import { armChase, armPeriod, reviewJobId } from './schedule.js';
import { settlementsOf } from './settlement.js';


/**
 * What the scheduler runs for agreements. Each handler reads the agreement as it is now and does
 * nothing when the reason for the job has gone (the return came in, the package ended), so a job
 * that runs twice, or late after a restart, has its effect once.
 */
export function agreementJobs(store: BrokerageStore, now: () => Date): Record<string, JobHandler> {
  const run = (action: string, fn: Parameters<BrokerageStore['transact']>[1]) => store.transact({ actor: 'system:scheduler', action }, fn).then(() => undefined);
  return {
    /** A period has ended: ask the provider for its return, and set up the next period. */
    'agreement.period': (job) =>
      run('agreement.period', async (tx) => {
        const a = await tx.get('agreements', agreementId(job.ref));
        if (!a) return; // nothing to remind about; a throw would only retry it every minute
        if (a.status === 'awaiting_start') return;
        const rules = rulesFor(a, await rulesTx(tx));
        const v = current(a);
        const p = periodContaining(v.startDate, rules.period, String(job.periodStart));
        // An ending recorded with a last day already past: nothing is owed after it.
        if (v.endDate && p.start > v.endDate) return;
        if (!a.returns.some((r) => r.periodStart === p.start) && a.providerId) {
          await enqueue(tx, now(), { id: `agr-return:${a.ref}:${p.start}`, target: { providerId: a.providerId }, message: { kind: 'agreement.return', ref: a.ref, periodStart: p.start } });
          await armChase(tx, a, rules, p.start, p.end, 'remind');
        }
        if (!v.endDate || p.end < v.endDate) await armPeriod(tx, a, rules, addDays(p.end, 1));
      }),
    /** Still no return: remind the provider once; after that, the social worker and brokers review. */
    'agreement.chase': (job) =>
      run('agreement.chase', async (tx) => {
        const a = await tx.get('agreements', agreementId(job.ref));
        if (!a) return;
        const rules = rulesFor(a, await rulesTx(tx));
        const start = String(job.periodStart);
        if (a.returns.some((r) => r.periodStart === start) || !a.providerId) return;
        const p = periodContaining(current(a).startDate, rules.period, start);
        if (job.stage === 'remind') {
          await enqueue(tx, now(), { id: `agr-chase:${a.ref}:${start}`, target: { providerId: a.providerId }, message: { kind: 'agreement.chase', ref: a.ref, periodStart: start } });
          await armChase(tx, a, rules, p.start, p.end, 'flag');
          return;
        }
        const planned = settlementsOf(a, rules, p.end).at(-1);
        await raiseReview(tx, a, { id: `missing:${start}`, kind: 'missing return', periodStart: start, text: `${p.start} to ${p.end}: no delivered-hours return from ${a.providerName}, after a reminder. Planned: ${planned?.plannedHours ?? 0} hours, £${(planned?.plannedCost ?? 0).toFixed(2)}; nothing is payable for delivered hours until it comes in.` }, now());
      }),
    /** The review date: the social worker and brokers get the figures so far. */
    'agreement.review': (job) =>
      run('agreement.review', async (tx) => {
        const a = await tx.get('agreements', agreementId(job.ref));
        if (!a) return;
        const v = current(a);
        if (a.status === 'ended' || !v.reviewDate) return;
        const periods = settlementsOf(a, await rulesTx(tx), addDays(ukDate(now()), -1)).filter((p) => p.delivered !== undefined);
        const planned = periods.reduce((t, p) => t + p.plannedHours, 0);
        const delivered = periods.reduce((t, p) => t + (p.delivered ?? 0), 0);
        await raiseReview(tx, a, { id: `review:${v.reviewDate}`, kind: 'review date', text: `The review set for ${v.reviewDate} is due. So far: ${periods.length} period(s) returned, ${delivered.toFixed(2)} hours delivered against ${planned.toFixed(2)} planned; £${v.weeklyCost.toFixed(2)} a week now.` }, now());
      }),
    /** A temporary off-contract placement: remind the brokers to re-broker it, every week until they do. */
    'agreement.offcontract': (job) =>
      run('agreement.offcontract', async (tx) => {
        const a = await tx.get('agreements', agreementId(job.ref));
        if (!a) return;
        if (a.status === 'ended' || !a.offContract) return;
        const day = ukDate(now());
        await raiseReview(tx, a, { id: `offcontract:${day}`, kind: 'off-contract', text: `${a.ref} has been placed off-contract with ${a.providerName} since ${current(a).startDate} at £${current(a).weeklyCost.toFixed(2)} a week. It is temporary: re-broker it to a framework provider.` }, now());
        await tellUsers(tx, now(), await brokersTx(tx), `agr-offcontract:${a.ref}:${day}`, { kind: 'agreement.offcontract', ref: a.ref });
        schedule(tx, { id: reviewJobId(a.ref), kind: 'agreement.offcontract', ref: a.ref, at: new Date(Date.parse(job.at) + 7 * 86_400_000).toISOString() });
      }),
  };
}
