import { approvalId, COUNCIL_BODY, levelIndex, type Approval, type ApprovalScheme } from '../../domain/approvals.js';
import { ukDate } from '../../domain/dates.js';
import type { User } from '../../domain/framework.js';
import type { BrokerageTx } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { forbidden } from '../errors.js';
import { absenceOn, approversOf, isApprover, levelName, levelOf } from './approvers.js';
import { disarmChase } from './raise.js';
import { schemeTx } from './scheme.js';
import { cardOf, type Draft } from './subjects.js';

/** Who may decide, as the card says it: the people it went to, else every approver of the level. */
export function whoCan(a: Approval): string {
  const names = a.routed.map((r) => (r.for ? `${r.name} (for ${r.forName})` : r.name));
  return names.length ? `It is with ${names.join(', ')}.` : '';
}

/** A refusal that leaves a trace even though the transaction it happens in is thrown away. */
function refuse(tx: BrokerageTx, user: User, a: Approval, reason: string, message: string): never {
  tx.note('approvals.refused', { id: a.id, user: user.id, reason }, { keepOnAbort: true });
  throw forbidden(message);
}

export interface Authority {
  approval: Approval;
  /** The absent approver this person stands in for, when they decide as a delegate. */
  forId?: string;
  forName?: string;
  /** The decider's level (its id). */
  level: string;
}

/**
 * May this person decide this approval now? Only an approver of the body, never someone the
 * decision names as conflicted (they raised, published, chose, proposed or recorded it), and at the
 * level its amounts need or above. A decision raised before approvals were recorded (older data) is
 * judged on the draft its subject gives. Refusals are audited.
 */
export async function authorise(tx: BrokerageTx, user: User, draft: Draft, now: Date, body = COUNCIL_BODY): Promise<Authority> {
  const s = await schemeTx(tx, body);
  const a = (await tx.get('approvals', approvalId(draft.kind, draft.ref, draft.n, body))) ?? legacy(s, draft, now, body);
  if (!isApprover(s, user)) refuse(tx, user, a, 'not an approver', `You are not an approver for ${s.name}. ${whoCan(a)}`);
  const conflict = a.conflicts.find((c) => c.userId === user.id);
  if (conflict) {
    refuse(tx, user, a, `separation of duties: ${conflict.why}`, `You cannot decide ${a.subject}: you ${conflict.why}, and nobody approves what they raised, published, chose, proposed or recorded. ${whoCan(a)}`);
  }
  const need = levelIndex(s, a.levelNeeded);
  if (levelOf(s, user) < need) {
    refuse(tx, user, a, 'above their level', `${cap(a.subject)} needs ${levelName(s, a.levelNeeded)} or above (${a.levelWhy.join('; ')}); you approve at ${s.levels[levelOf(s, user)].name} level. ${whoCan(a)}`);
  }
  const routed = a.routed.find((r) => r.userId === user.id && r.for);
  let forId = routed?.for;
  let forName = routed?.forName;
  // Not routed as a delegate, but standing in today for an absent approver it was sent to.
  if (!forId && !a.routed.some((r) => r.userId === user.id)) {
    for (const r of a.routed) {
      const away = await absenceOn(tx, r.userId, ukDate(now));
      if (away?.delegateId === user.id) {
        forId = r.userId;
        forName = r.name;
        break;
      }
    }
  }
  return { approval: a, forId, forName, level: s.levels[levelOf(s, user)].id };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function legacy(s: ApprovalScheme, d: Draft, now: Date, body: string): Approval {
  return { id: approvalId(d.kind, d.ref, d.n, body), kind: d.kind, ref: d.ref, n: d.n, body, subject: d.subject, amounts: d.amounts, levelNeeded: s.levels[0].id, level: s.levels[0].id, levelWhy: [], conflicts: d.conflicts, raisedBy: d.raisedBy, raisedByName: d.raisedByName, raisedAt: now.toISOString(), routed: [], reminders: [], escalations: [], status: 'waiting' };
}

/**
 * Records the decision on the approval (who, for whom, at what level, when), stops its reminders
 * and updates every approval card that was sent for it, so none still offers the buttons.
 */
export async function settle(tx: BrokerageTx, auth: Authority, user: User, outcome: 'approved' | 'rejected', now: Date, note?: string): Promise<Approval> {
  const a: Approval = { ...auth.approval, status: outcome, decidedBy: user.id, decidedByName: user.name, decidedFor: auth.forId, decidedForName: auth.forName, decidedLevel: auth.level, decidedAt: now.toISOString(), note: note || undefined };
  tx.put('approvals', a);
  await disarmChase(tx, a.id);
  await updateCards(tx, a, now);
  return a;
}

/** The subject ended without a decision (cancelled, ended, superseded): the cards say so and the chase stops. */
export async function lapse(tx: BrokerageTx, a: Approval, now: Date, why: string): Promise<void> {
  if (a.status !== 'waiting') return;
  tx.put('approvals', { ...a, status: 'lapsed', decidedAt: now.toISOString(), note: why });
  await disarmChase(tx, a.id);
  await updateCards(tx, a, now);
}

export async function lapseById(tx: BrokerageTx, kind: Approval['kind'], ref: string, n: number, now: Date, why: string): Promise<void> {
  const a = await tx.get('approvals', approvalId(kind, ref, n));
  if (a) await lapse(tx, a, now, why);
}

/** Every card sent for it (to the people routed; older decisions went to every approver) is drawn again. */
async function updateCards(tx: BrokerageTx, a: Approval, now: Date): Promise<void> {
  const { key } = cardOf(a);
  const ids = new Set([...a.routed.map((r) => r.userId), ...(await approversOf(tx, await schemeTx(tx, a.body))).map((u) => u.id)]);
  for (const id of ids) {
    const post = await tx.get('outbox', `${key}:${id}`);
    if (post) await enqueue(tx, now, { id: `${post.id}:decided`, target: post.target, message: post.message, updates: post.id });
  }
}
