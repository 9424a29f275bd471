import type { Activity } from 'botbuilder';
import { noCard } from '../../src/app/notifications.js';
import { COUNCIL_BODY } from '../../src/domain/approvals.js';
import type { ApprovalMessageView } from '../../src/app/notifications/render.js';
import { noticeCard } from './notice.js';
import { card, cap } from './format.js';

/** Reminders, escalations and delegation notices of decisions under the scheme of delegation. */
export function drawApprovalMessage(v: ApprovalMessageView): Partial<Activity> | 'skip' {
  const m = v.message;
  const a = v.approval;
  // A funding partner's approvers (issue 24) open their own card, drawn from what the partner may see.
  const open = [a.body === COUNCIL_BODY ? { title: 'Open it', verb: 'approvals.show', data: { id: a.id } } : { title: 'Open it', verb: 'funding.show', data: { ref: a.ref } }];
  switch (m.kind) {
    case 'approval.reminder':
      return card(noticeCard({ title: `Reminder: ${a.subject} waits for your decision`, lines: [`${v.note.waiting}.`, `Level needed: ${v.note.level}.`, 'Unanswered, it goes to the next level up. `approvals` lists everything that waits for you.'], actions: open }));
    case 'approval.escalated':
      return card(noticeCard({ title: `Escalated: ${a.subject}`, lines: [`${v.note.escalated}.`, `It is now with ${v.note.withWhom}.`, v.note.waiting ? `${v.note.waiting}.` : v.note.decided ?? ''], actions: open }));
    case 'approval.delegated':
      return card(noticeCard({ title: `While you are away: ${a.subject}`, lines: [`${cap(a.subject)} arrived while you are out of office, so it went to ${v.delegateName ?? 'your delegate'}, who decides it for you.`, `Level needed: ${v.note.level}.`], actions: open }));
    default:
      return noCard(m);
  }
}
