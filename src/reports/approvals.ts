/**
 * Decisions under the scheme of delegation, for commissioners (issue 23): how long approvals took
 * (median and longest, in working hours, as reminders and escalation count them), decisions by the
 * level that took them, decisions taken by a delegate for an absent approver, and escalations. The
 * cohort is the approvals raised in the period, wherever they stand now. Plain data in, plain data
 * out, as report.ts.
 */
import { calendarOf, COUNCIL_BODY, type Approval, type ApprovalScheme } from '../domain/approvals.js';
import { ukDate } from '../domain/dates.js';
import { workingHoursBetween } from '../domain/workingHours.js';
import type { BrokerageStore } from '../store/collections.js';
import { reading } from '../store/reading.js';
import { schemeTx } from '../app/approvals/scheme.js';
import { toCsv, type Column } from './csv.js';
import type { Period } from './period.js';

export interface ApprovalData {
  approvals: Approval[];
  scheme: ApprovalScheme;
  /** When the report was drawn: the age of what still waits. */
  asOf: Date;
}

const shift = (day: string, by: number) => new Date(Date.parse(`${day}T00:00:00Z`) + by * 86_400_000).toISOString().slice(0, 10);

/** The approvals raised in the period (UK days), with the scheme to name levels and count working hours. */
export async function loadApprovalData(store: BrokerageStore, period: Pick<Period, 'from' | 'to'>, asOf: Date): Promise<ApprovalData> {
  return reading(store, async (tx) => {
    const raised = await tx.approvalsRaisedBetween(shift(period.from, -1), shift(period.to, 1));
    // The council's scheme only: a funding partner's decisions (issue 24) are under its own levels.
    const approvals = raised.filter((a) => a.body === COUNCIL_BODY && ukDate(new Date(a.raisedAt)) >= period.from && ukDate(new Date(a.raisedAt)) <= period.to).sort((a, b) => a.raisedAt.localeCompare(b.raisedAt) || a.id.localeCompare(b.id));
    return { approvals, scheme: await schemeTx(tx), asOf };
  });
}

/** Working hours from raising to the decision, or to now while it waits. */
export const hoursOf = (d: ApprovalData, a: Approval) => workingHoursBetween(calendarOf(d.scheme), new Date(a.raisedAt), a.decidedAt ? new Date(a.decidedAt) : d.asOf);
const decided = (a: Approval) => a.status === 'approved' || a.status === 'rejected';
const levelName = (s: ApprovalScheme, id?: string) => s.levels.find((l) => l.id === id)?.name ?? id ?? '';

export interface ApprovalFigures {
  raised: number;
  decided: number;
  waiting: number;
  /** Median working hours from raising to decision, of those decided. */
  medianHours?: number;
  /** The longest wait: still waiting (its age now) or decided (its time to decision), whichever is longer. */
  longest?: { ref: string; subject: string; hours: number; waiting: boolean };
  /** Decisions by the decider's level, lowest level first. */
  byLevel: { level: string; count: number }[];
  /** Decided by a delegate for an absent approver. */
  delegated: number;
  /** Approvals escalated at least once, and escalations in all. */
  escalated: number;
  escalations: number;
}

const median = (xs: number[]) => {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function approvalFigures(d: ApprovalData): ApprovalFigures {
  const done = d.approvals.filter(decided);
  const waiting = d.approvals.filter((a) => a.status === 'waiting');
  let longest: ApprovalFigures['longest'];
  for (const a of [...done, ...waiting]) {
    const hours = hoursOf(d, a);
    if (!longest || hours > longest.hours) longest = { ref: a.ref, subject: a.subject, hours, waiting: a.status === 'waiting' };
  }
  const byLevel = d.scheme.levels.map((l) => ({ level: l.name, count: done.filter((a) => a.decidedLevel === l.id).length })).filter((x) => x.count);
  return {
    raised: d.approvals.length,
    decided: done.length,
    waiting: waiting.length,
    medianHours: median(done.map((a) => hoursOf(d, a))),
    longest,
    byLevel,
    delegated: done.filter((a) => a.decidedFor).length,
    escalated: d.approvals.filter((a) => a.escalations.length).length,
    escalations: d.approvals.reduce((t, a) => t + a.escalations.length, 0),
  };
}

type Row = Approval & { d: ApprovalData };
const day = (iso?: string) => (iso ? ukDate(new Date(iso)) : undefined);
const money = (n: number) => n.toFixed(2);
const hours1 = (n: number) => (Math.round(n * 10) / 10).toFixed(1);

/** The approvals CSV: one row per approval raised in the period. Stable columns; new ones only at the end. */
export const APPROVAL_COLUMNS: Column<Row>[] = [
  { name: 'approval_id', about: 'the approval: kind, package reference, number and approving body', value: (a) => a.id },
  { name: 'kind', about: 'award, variation or off-contract', value: (a) => a.kind },
  { name: 'reference', about: 'the package reference, PKG-YYYY-NNNN', value: (a) => a.ref },
  { name: 'weekly_cost', about: 'the weekly cost decided on (a variation: the new weekly cost), £', value: (a) => money(a.amounts.weekly) },
  { name: 'commitment', about: 'the total committed (a variation: the commitment it adds), £', value: (a) => money(a.amounts.commitment) },
  { name: 'yearly_value', about: 'the weekly cost over a year (52 weeks), £', value: (a) => money(a.amounts.yearly) },
  { name: 'level_needed', about: 'the lowest level whose limits hold the amounts', value: (a) => levelName(a.d.scheme, a.levelNeeded) },
  { name: 'raised_date', about: 'the day it went for approval', value: (a) => day(a.raisedAt) },
  { name: 'status', about: 'waiting, approved, rejected, or lapsed (the package was cancelled or ended first)', value: (a) => a.status },
  { name: 'decided_date', about: 'the day it was decided (or lapsed)', value: (a) => day(a.decidedAt) },
  { name: 'working_hours', about: 'working hours from raising to the decision, or waiting so far; one decimal', value: (a) => (a.status === 'lapsed' ? undefined : hours1(hoursOf(a.d, a))) },
  { name: 'decided_by', about: 'who decided', value: (a) => a.decidedByName, text: true },
  { name: 'decided_level', about: "the decider's level", value: (a) => (a.decidedLevel ? levelName(a.d.scheme, a.decidedLevel) : undefined) },
  { name: 'decided_for', about: 'the absent approver the decider stood in for, when delegated', value: (a) => a.decidedForName, text: true },
  { name: 'delegated', about: 'yes when decided by a delegate', value: (a) => (decided(a) ? !!a.decidedFor : undefined) },
  { name: 'reminders', about: 'reminders sent while it waited', value: (a) => a.reminders.length },
  { name: 'escalations', about: 'times it went up a level unanswered', value: (a) => a.escalations.length },
  { name: 'level_now', about: 'the level it waits at now, or waited at when decided (higher than level_needed after an escalation)', value: (a) => levelName(a.d.scheme, a.level) },
];

export const approvalsCsv = (d: ApprovalData) => toCsv(APPROVAL_COLUMNS, d.approvals.map((a) => ({ ...a, d })));
