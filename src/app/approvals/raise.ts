import { addWorkingHours } from '../../domain/workingHours.js';
import { approvalId, calendarOf, COUNCIL_BODY, levelFor, type Approval, type ApprovalScheme } from '../../domain/approvals.js';
import { ukDate } from '../../domain/dates.js';
import type { BrokerageTx } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { schedule, unschedule } from '../../scheduler/scheduler.js';
import { tellUsers } from '../calloffs/messages.js';
import { conflict } from '../errors.js';
import { route, type Routing } from './approvers.js';
import { schemeTx } from './scheme.js';
import { cardOf, type Draft } from './subjects.js';

/** The scheduler job that reminds, then escalates, a waiting decision (jobs.ts runs it). */
export const chaseJobId = (id: string) => `approval-chase:${id}`;
export const CHASE_JOB = 'approval.chase';

export function armChase(tx: BrokerageTx, a: Approval, s: ApprovalScheme, from: Date, stage: 'remind' | 'escalate'): void {
  const hours = stage === 'remind' ? s.remindAfterHours : s.escalateAfterHours - s.remindAfterHours;
  schedule(tx, { id: chaseJobId(a.id), kind: CHASE_JOB, ref: a.ref, approval: a.id, stage, at: addWorkingHours(calendarOf(s), from, hours).toISOString() });
}

export const disarmChase = (tx: BrokerageTx, id: string) => unschedule(tx, chaseJobId(id));

/** "Nobody can decide this": who was passed over and why, so the commissioner knows what to fix. */
export function nobodyCan(s: ApprovalScheme, d: Pick<Draft, 'subject'>, level: number, passed: string[]): Error {
  const who = passed.length ? ` (${passed.join('; ')})` : '';
  return conflict(`Nobody can approve ${d.subject} at ${s.levels[level].name} level or above${who}. Ask the commissioner to give another approver that level.`);
}

/** Sends the approval card to each person routed, and tells absent approvers where theirs went. */
export async function sendCards(tx: BrokerageTx, a: Approval, routing: Pick<Routing, 'routed' | 'delegated'>, now: Date): Promise<void> {
  const card = cardOf(a);
  await tellUsers(tx, now, routing.routed.map((r) => r.userId), card.key, card.message);
  for (const { absent } of routing.delegated) await enqueue(tx, now, { id: `approval-delegated:${a.id}:${absent.id}`, target: { userId: absent.id }, message: { kind: 'approval.delegated', ref: a.ref, id: a.id, for: absent.id } });
}

/**
 * A spending decision goes for approval: the level its amounts need under the body's scheme,
 * the approvers of that level who may decide it (not the people it names as conflicted; an absent
 * approver's delegate instead of them), their cards, and the reminder on the scheduler. Called
 * inside the transaction that raised it. A repeat (same id, still waiting) changes nothing.
 */
export async function raiseApproval(tx: BrokerageTx, d: Draft, now: Date, body = COUNCIL_BODY): Promise<Approval> {
  const id = approvalId(d.kind, d.ref, d.n, body);
  const existing = await tx.get('approvals', id);
  if (existing) return existing;
  const s = await schemeTx(tx, body);
  const need = levelFor(s, d.amounts);
  const at = now.toISOString();
  const routing = await route(tx, s, need.index, d.conflicts, ukDate(now), at);
  if (!routing.routed.length) throw nobodyCan(s, d, need.index, routing.passed);
  const a: Approval = {
    id,
    kind: d.kind,
    ref: d.ref,
    n: d.n,
    body,
    subject: d.subject,
    amounts: d.amounts,
    levelNeeded: s.levels[need.index].id,
    level: s.levels[routing.level].id,
    levelWhy: need.why,
    conflicts: d.conflicts,
    raisedBy: d.raisedBy,
    raisedByName: d.raisedByName,
    raisedAt: at,
    routed: routing.routed,
    reminders: [],
    escalations: [],
    status: 'waiting',
  };
  tx.put('approvals', a);
  await sendCards(tx, a, routing, now);
  armChase(tx, a, s, now, 'remind');
  return a;
}
