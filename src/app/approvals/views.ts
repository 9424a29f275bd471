import { approvalId, calendarOf, type Approval, type ApprovalKind, type ApprovalScheme } from '../../domain/approvals.js';
import { formatUk } from '../../domain/dates.js';
import { workingAge, workingHoursBetween } from '../../domain/workingHours.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { requirePermission, type Who } from '../actor.js';
import { levelName } from './approvers.js';
import { schemeTx } from './scheme.js';
import { stillWaiting } from './subjects.js';
import { approvalRate, type ApprovalRate } from '../market/rates.js';

/**
 * What an approval card and the `approvals` list say about a decision under the scheme of
 * delegation, as plain text lines: the level needed and why, who it is with (and for whom), who
 * cannot decide it and why, where it waits and for how long, and, once decided, by whom for whom.
 */
export interface ApprovalNote {
  level: string;
  withWhom: string;
  cannot: string;
  waiting?: string;
  escalated?: string;
  decided?: string;
  /** The rate it commits to against the cost-of-care model (issue 25); approval cards are council-only. */
  rate?: ApprovalRate;
}

const decidedWords = (a: Approval, s: ApprovalScheme) =>
  a.status === 'lapsed'
    ? `Lapsed: ${a.note ?? ''}`
    : `${a.status === 'approved' ? 'Approved' : 'Rejected'} by ${a.decidedByName}${a.decidedForName ? ` for ${a.decidedForName}` : ''} (${levelName(s, a.decidedLevel ?? a.levelNeeded)}) on ${formatUk(a.decidedAt!)}`;

export function noteOf(a: Approval, s: ApprovalScheme, now: Date): ApprovalNote {
  const age = workingHoursBetween(calendarOf(s), new Date(a.raisedAt), a.decidedAt ? new Date(a.decidedAt) : now);
  const last = a.escalations.at(-1);
  return {
    level: `${levelName(s, a.levelNeeded)}${a.levelWhy.length ? ` (${a.levelWhy.join('; ')})` : ` (within ${levelName(s, a.levelNeeded)}'s limits)`}`,
    withWhom: a.routed.map((r) => `${r.name} (${levelName(s, r.level)}${r.for ? `, for ${r.forName}, who is away` : ''}${r.via === 'escalation' ? ', escalated' : ''})`).join('; ') || 'any approver at that level',
    cannot: a.conflicts.map((c) => `${c.name}: ${c.why}`).join('; ') || 'nobody',
    waiting: a.status === 'waiting' ? `Waiting ${workingAge(calendarOf(s), age)} (since ${formatUk(a.raisedAt)}) at ${levelName(s, a.level)} level` : undefined,
    escalated: last ? `Escalated to ${levelName(s, last.to)} on ${formatUk(last.at)}, unanswered for ${s.escalateAfterHours} working hours` : undefined,
    decided: a.status === 'waiting' ? undefined : `${decidedWords(a, s)}, ${workingAge(calendarOf(s), age)} after it was raised`,
  };
}

/** The note for an approval card, when the approval is recorded (older decisions have none). */
export async function approvalNoteOf(read: Pick<BrokerageTx, 'get'>, kind: ApprovalKind, ref: string, n: number, now: Date): Promise<ApprovalNote | undefined> {
  const a = await read.get('approvals', approvalId(kind, ref, n));
  if (!a) return undefined;
  return { ...noteOf(a, await schemeTx(read, a.body), now), rate: await approvalRate(read, a) };
}

/** The same, read from the store (a card drawn when it is sent, or a reply). */
export async function approvalNote(store: BrokerageStore, kind: ApprovalKind, ref: string, n: number, now: Date): Promise<ApprovalNote | undefined> {
  return approvalNoteOf(store, kind, ref, n, now);
}

export interface ApprovalItem {
  approval: Approval;
  note: ApprovalNote;
  hours: number;
  /** Why it is on this person's list: sent to them, to their delegate, or they are waiting on it. */
  why: string;
}

export interface MyApprovals {
  forMe: ApprovalItem[];
  waitingOn: ApprovalItem[];
}

/**
 * The `approvals` command: what waits for me (sent to me, or to my delegate while I am away) and
 * what I am waiting on (what I raised, published, chose, proposed or own), oldest first, with ages
 * in working hours. Decisions whose subject no longer waits are left out.
 */
export async function myApprovals(store: BrokerageStore, who: Who, now: Date): Promise<MyApprovals> {
  const user = await requirePermission(store, who, 'approvals.view');
  return store.transact({ actor: user.id, action: 'approvals.list' }, async (tx) => {
    const forMe: ApprovalItem[] = [];
    const waitingOn: ApprovalItem[] = [];
    const schemes = new Map<string, ApprovalScheme>();
    for (const a of await tx.waitingApprovals()) {
      if (!(await stillWaiting(tx, a))) continue;
      const s = schemes.get(a.body) ?? (await schemeTx(tx, a.body));
      schemes.set(a.body, s);
      const item = (why: string): ApprovalItem => ({ approval: a, note: noteOf(a, s, now), hours: workingHoursBetween(calendarOf(s), new Date(a.raisedAt), now), why });
      const mine = a.routed.find((r) => r.userId === user.id);
      const delegated = a.routed.find((r) => r.for === user.id);
      if (mine) forMe.push(item(mine.for ? `you decide it for ${mine.forName}` : mine.via === 'escalation' ? 'escalated to you' : 'sent to you'));
      else if (delegated) forMe.push(item(`with ${delegated.name}, your delegate, while you are away`));
      const conflict = a.conflicts.find((c) => c.userId === user.id);
      if (conflict) waitingOn.push(item(`you ${conflict.why}`));
    }
    const oldest = (x: ApprovalItem, y: ApprovalItem) => x.approval.raisedAt.localeCompare(y.approval.raisedAt);
    return { forMe: forMe.sort(oldest), waitingOn: waitingOn.sort(oldest) };
  });
}

