import { levelIndex, type Approval } from '../../domain/approvals.js';
import { ukDate } from '../../domain/dates.js';
import type { BrokerageStore } from '../../store/collections.js';
import type { JobHandler } from '../../scheduler/scheduler.js';
import { tellUsers } from '../calloffs/messages.js';
import { route } from './approvers.js';
import { lapse } from './decide.js';
import { armChase, CHASE_JOB, sendCards } from './raise.js';
import { schemeTx } from './scheme.js';
import { stillWaiting } from './subjects.js';

/**
 * The reminder and escalation of a waiting decision, run by the persisted scheduler (so they
 * survive a restart and run once across instances). After the body's reminder hours (working
 * hours), the approvers it waits with are reminded; after its escalation hours it goes to the next
 * level up, the people waiting on it are told where it now waits, and the cycle starts again
 * there. At the top level it keeps reminding. A decision already taken, or a subject that no
 * longer waits, ends the chase.
 */
export function approvalJobs(store: BrokerageStore, now: () => Date): Record<string, JobHandler> {
  return {
    [CHASE_JOB]: (job) =>
      store
        .transact({ actor: 'system:scheduler', action: CHASE_JOB }, async (tx) => {
          const a = await tx.get('approvals', String(job.approval));
          if (!a || a.status !== 'waiting') return;
          const at = now();
          if (!(await stillWaiting(tx, a))) return await lapse(tx, a, at, 'no longer waiting (cancelled or ended)');
          const s = await schemeTx(tx, a.body);
          const level = levelIndex(s, a.level);
          if (job.stage === 'remind' || level >= s.levels.length - 1) {
            const next: Approval = { ...a, reminders: [...a.reminders, { at: at.toISOString(), level: a.level }] };
            tx.put('approvals', next);
            await tellUsers(tx, at, a.routed.map((r) => r.userId), `approval-reminder:${a.id}:${next.reminders.length}`, { kind: 'approval.reminder', ref: a.ref, id: a.id });
            return armChase(tx, next, s, at, level >= s.levels.length - 1 ? 'remind' : 'escalate');
          }
          const routing = await route(tx, s, level + 1, a.conflicts, ukDate(at), at.toISOString(), a.routed.map((r) => r.userId), true);
          if (!routing.routed.length) {
            // Nobody new above: it stays where it is, and is reminded again.
            return armChase(tx, a, s, at, 'remind');
          }
          const next: Approval = { ...a, level: s.levels[routing.level].id, routed: [...a.routed, ...routing.routed], escalations: [...a.escalations, { at: at.toISOString(), from: a.level, to: s.levels[routing.level].id }] };
          tx.put('approvals', next);
          await sendCards(tx, next, routing, at);
          // The council people waiting on it (conflicts name them: a provider that asked is told the outcome only).
          await tellUsers(tx, at, [...a.conflicts.map((c) => c.userId), ...a.routed.map((r) => r.userId)], `approval-escalated:${a.id}:${next.escalations.length}`, { kind: 'approval.escalated', ref: a.ref, id: a.id });
          armChase(tx, next, s, at, 'remind');
        })
        .then(() => undefined),
  };
}
