import { COUNCIL_BODY, isAwayOn, levelIndex, type Absence, type ApprovalScheme, type Conflict, type Routed } from '../../domain/approvals.js';
import type { Role, User } from '../../domain/framework.js';
import type { BrokerageTx } from '../../store/collections.js';

/**
 * Who holds which level of a body's scheme, who is away and who stands in. An approver is a user
 * with the manager role among the council's own users for the council, and for a funding partner
 * (issue 24) one of the partner's people, in its tenant, with the funding approver role; their
 * level is `approvalLevel` (unset: the lowest).
 */
export type Reader = Pick<BrokerageTx, 'get' | 'list' | 'usersWithRole'>;

const same = (a?: string, b?: string) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
const partnerBody = (s: ApprovalScheme) => s.id !== COUNCIL_BODY;
export const inBody = (s: ApprovalScheme, u: Pick<User, 'tenantId' | 'partnerId'>) => (partnerBody(s) ? u.partnerId === s.id && same(u.tenantId, s.tenantId) : s.tenantId ? same(u.tenantId, s.tenantId) : !u.tenantId);
export const approverRole = (s: ApprovalScheme): Role => (partnerBody(s) ? 'funding_approver' : 'manager');
export const isApprover = (s: ApprovalScheme, u: Pick<User, 'roles' | 'tenantId' | 'partnerId'>) => u.roles.includes(approverRole(s)) && inBody(s, u);
export const levelOf = (s: ApprovalScheme, u: Pick<User, 'approvalLevel'>) => levelIndex(s, u.approvalLevel);
export const levelName = (s: ApprovalScheme, id: string) => s.levels.find((l) => l.id === id)?.name ?? id;

export async function approversOf(tx: Reader, s: ApprovalScheme): Promise<User[]> {
  return (await tx.usersWithRole(approverRole(s))).filter((u) => inBody(s, u));
}

/** The absence that covers `day` for this person, if any. */
export async function absenceOn(tx: Reader, userId: string, day: string): Promise<Absence | undefined> {
  return (await tx.list('absences')).find((a) => a.userId === userId && isAwayOn(a, day));
}

export interface Routing {
  routed: Routed[];
  /** Absent approvers whose decisions went to their delegate (they are told). */
  delegated: { absent: User; delegate: User }[];
  /** The level it went to (the first, from `fromLevel` up, with someone who can decide). */
  level: number;
  /** Why approvers at or above the level were passed over, for the "nobody can" message. */
  passed: string[];
}

/**
 * Sends a decision to the approvers of the lowest level from `fromLevel` up that has someone who
 * may decide it today: not conflicted, not away (an absent approver's delegate takes their place
 * when the delegate may decide it). People already routed are left out: an escalation adds people.
 */
export async function route(tx: Reader, s: ApprovalScheme, fromLevel: number, conflicts: Conflict[], day: string, at: string, already: string[] = [], escalating = false): Promise<Routing> {
  const all = await approversOf(tx, s);
  const conflicted = new Map(conflicts.map((c) => [c.userId, c.why]));
  const passed: string[] = [];
  for (let level = fromLevel; level < s.levels.length; level++) {
    const routed: Routed[] = [];
    const delegated: Routing['delegated'] = [];
    const add = (r: Routed) => {
      if (!already.includes(r.userId) && !routed.some((x) => x.userId === r.userId)) routed.push(r);
    };
    for (const u of all.filter((x) => levelOf(s, x) === level)) {
      if (conflicted.has(u.id)) {
        passed.push(`${u.name} ${conflicted.get(u.id)}`);
        continue;
      }
      const away = await absenceOn(tx, u.id, day);
      if (!away) {
        add({ userId: u.id, name: u.name, level: s.levels[level].id, via: escalating ? 'escalation' : 'level', at });
        continue;
      }
      const d = all.find((x) => x.id === away.delegateId);
      const why = !d ? 'is no longer an approver' : conflicted.has(d.id) ? conflicted.get(d.id) : levelOf(s, d) < level ? `is below ${s.levels[level].name}` : (await absenceOn(tx, d.id, day)) ? 'is away too' : undefined;
      if (!d || why) {
        passed.push(`${u.name} is away until ${away.to} and their delegate ${d?.name ?? ''} ${why}`);
        continue;
      }
      add({ userId: d.id, name: d.name, level: s.levels[level].id, via: 'delegate', for: u.id, forName: u.name, at });
      delegated.push({ absent: u, delegate: d });
    }
    if (routed.length || all.some((x) => levelOf(s, x) === level && already.includes(x.id))) return { routed, delegated, level, passed };
  }
  return { routed: [], delegated: [], level: fromLevel, passed };
}
