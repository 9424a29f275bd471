import { AbsenceInput, type Absence } from '../../domain/approvals.js';
import { formatUk, ukDate } from '../../domain/dates.js';
import type { User } from '../../domain/framework.js';
import type { BrokerageStore } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { requirePermission, type Who } from '../actor.js';
import { conflict, forbidden, invalid, parseOrThrow } from '../errors.js';
import { approversOf, isApprover, levelOf } from './approvers.js';
import { schemeTx } from './scheme.js';

const day = (d: string) => formatUk(`${d}T12:00:00Z`, false);

export interface AwayView {
  user: User;
  /** Today's or a coming absence. */
  absences: Absence[];
  /** Approvers who may stand in: the same body, the same level or above, not this person. */
  delegates: { id: string; name: string; level: string }[];
}

export async function awayView(store: BrokerageStore, who: Who, now: Date): Promise<AwayView> {
  const user = await requirePermission(store, who, 'approvals.away');
  return store.transact({ actor: user.id, action: 'approvals.away.view' }, async (tx) => {
    const s = await schemeTx(tx);
    const today = ukDate(now);
    const absences = (await tx.list('absences')).filter((a) => a.userId === user.id && !a.cancelledAt && a.to >= today).sort((a, b) => a.from.localeCompare(b.from));
    const delegates = (await approversOf(tx, s)).filter((u) => u.id !== user.id && levelOf(s, u) >= levelOf(s, user)).map((u) => ({ id: u.id, name: u.name, level: s.levels[levelOf(s, u)].name }));
    return { user, absences, delegates };
  });
}

/**
 * An approver records an absence: from, to (UK days) and a delegate with the same level or above.
 * Decisions that arrive on those days go to the delegate (the approver is told each time); the
 * absence ends by itself after its last day. The delegate is told at once.
 */
export async function recordAbsence(store: BrokerageStore, who: Who, raw: Record<string, unknown>, now: Date): Promise<{ absence: Absence; unchanged: boolean }> {
  const user = await requirePermission(store, who, 'approvals.away');
  const input = parseOrThrow(AbsenceInput, raw);
  const today = ukDate(now);
  if (input.to < today) throw invalid({ to: 'the last day has already passed' });
  return store.transact({ actor: user.id, action: 'approvals.away' }, async (tx) => {
    const s = await schemeTx(tx);
    if (!isApprover(s, user)) throw forbidden(`You are not an approver for ${s.name}, so there is nothing to delegate.`);
    const id = `${user.id}:${input.from}`;
    const same = await tx.get('absences', id);
    if (same && !same.cancelledAt && same.to === input.to && same.delegateId === input.delegate) return { absence: same, unchanged: true };
    const delegate = (await approversOf(tx, s)).find((u) => u.id === input.delegate);
    if (!delegate) throw invalid({ delegate: 'choose an approver from the list' });
    if (delegate.id === user.id) throw invalid({ delegate: 'choose someone other than yourself' });
    if (levelOf(s, delegate) < levelOf(s, user)) throw invalid({ delegate: `${delegate.name} approves at ${s.levels[levelOf(s, delegate)].name} level, below yours (${s.levels[levelOf(s, user)].name}): choose someone at your level or above` });
    const mine = (await tx.list('absences')).filter((a) => a.userId === user.id && a.id !== id && !a.cancelledAt && a.from <= input.to && input.from <= a.to);
    if (mine.length) throw invalid({ from: `you are already away from ${day(mine[0].from)} to ${day(mine[0].to)}; end that absence first` });
    const theirs = (await tx.list('absences')).find((a) => a.userId === delegate.id && !a.cancelledAt && a.from <= input.to && input.from <= a.to);
    if (theirs) throw invalid({ delegate: `${delegate.name} is away from ${day(theirs.from)} to ${day(theirs.to)}: choose someone else` });
    const absence: Absence = { id, userId: user.id, from: input.from, to: input.to, delegateId: delegate.id, by: user.id, at: now.toISOString() };
    tx.put('absences', absence);
    await enqueue(tx, now, { id: `absence:${id}:${delegate.id}:${input.to}`, target: { userId: delegate.id }, message: { kind: 'notice.text', text: `${user.name} is away from ${day(input.from)} to ${day(input.to)} and has named you to decide their approvals in that time. Decisions you take for them are recorded as "by you for ${user.name}". Type \`approvals\` to see what waits for you.` } });
    return { absence, unchanged: false };
  });
}

/** Back early: the absence ends today (decisions from now on come to the approver again). */
export async function endAbsence(store: BrokerageStore, who: Who, id: string, now: Date): Promise<Absence> {
  const user = await requirePermission(store, who, 'approvals.away');
  return store.transact({ actor: user.id, action: 'approvals.away.end' }, async (tx) => {
    const a = await tx.get('absences', id);
    if (!a || a.userId !== user.id) {
      tx.note('approvals.refused', { absence: id, user: user.id, reason: 'not their absence' }, { keepOnAbort: true });
      throw forbidden('That is not your absence.');
    }
    if (a.cancelledAt || a.to < ukDate(now)) throw conflict('That absence has already ended.');
    const ended: Absence = { ...a, cancelledAt: now.toISOString() };
    tx.put('absences', ended);
    return ended;
  });
}

