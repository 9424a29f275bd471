import { z } from 'zod';
import { isRealDate } from './dates.js';
import { numberInput } from './numbers.js';
import { Slug } from './framework.js';
import { daysBetween } from './agreementRules.js';
import type { WorkingCalendar } from './workingHours.js';

/**
 * The scheme of delegation: who may commit how much of an approving body's money. Pure rules and
 * types; the approvals room (src/app/approvals/) applies them. A body is the council (`council`)
 * today; a joint funder (an NHS board in its own tenant) is another body with its own levels and
 * approvers, so nothing here assumes there is only one.
 */

export const COUNCIL_BODY = 'council';
/** Open-ended packages are counted as a year of commitment (the council's budget year). */
export const OPEN_ENDED_WEEKS = 52;

const money = (what: string) =>
  z.preprocess(numberInput({ money: true }), z.number({ invalid_type_error: `${what} must be a number of pounds` }).min(1, `${what} must be at least £1`).max(1e9, `${what} must be at most £1,000,000,000`).optional());
const hours = (what: string, min: number, max: number) =>
  z.preprocess(numberInput(), z.number({ required_error: `${what} is required`, invalid_type_error: `${what} must be a number of hours` }).int(`${what} must be whole hours`).min(min, `${what} must be at least ${min}`).max(max, `${what} must be at most ${max}`));

/** One level: the most it may approve by weekly cost, total commitment and yearly value (unset: no limit). */
export const ApprovalLevel = z.object({
  id: Slug,
  name: z.string().trim().min(2, 'a level needs a name (at least 2 characters)').max(60, 'a level name must be at most 60 characters'),
  weeklyLimit: money('the weekly limit'),
  commitmentLimit: money('the total commitment limit'),
  yearlyLimit: money('the yearly value limit'),
});
export type ApprovalLevel = z.infer<typeof ApprovalLevel>;

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** An approving body's levels (lowest first) and its working calendar for reminders and escalation. */
export const ApprovalScheme = z
  .object({
    id: Slug,
    name: z.string().trim().min(2).max(120),
    /** The body's own tenant, for a partner outside the council's (unset: the council's approvers). */
    tenantId: z.string().trim().min(1).optional(),
    levels: z.array(ApprovalLevel).min(1, 'give at least one level').max(6, 'at most 6 levels'),
    remindAfterHours: hours('reminder after (working hours)', 1, 200).default(16),
    escalateAfterHours: hours('escalate after (working hours)', 1, 400).default(24),
    opens: z.string().regex(TIME, 'opening time must be HH:MM').default('09:00'),
    closes: z.string().regex(TIME, 'closing time must be HH:MM').default('17:00'),
    bankHolidays: z.enum(['england-and-wales', 'none']).default('england-and-wales'),
    closedDays: z.array(z.string().refine(isRealDate, 'closed days must be dates (YYYY-MM-DD)')).max(100, 'at most 100 closed days').default([]),
  })
  .superRefine((s, ctx) => {
    // Each issue names the level and limit it is about, so a card shows it next to that field.
    const last = s.levels.length - 1;
    const topLimit = (['weeklyLimit', 'commitmentLimit', 'yearlyLimit'] as const).find((k) => s.levels[last]?.[k]);
    if (topLimit) ctx.addIssue({ code: 'custom', path: ['levels', last, topLimit], message: `the top level (${s.levels[last].name}) decides whatever is above the others: leave its limits empty` });
    for (let i = 1; i < s.levels.length; i++) {
      const [lo, hi] = [s.levels[i - 1], s.levels[i]];
      for (const k of ['weeklyLimit', 'commitmentLimit', 'yearlyLimit'] as const) {
        if (lo[k] && hi[k] && hi[k]! < lo[k]!) ctx.addIssue({ code: 'custom', path: ['levels', i, k], message: `${hi.name}'s ${LIMIT_WORDS[k]} limit is below ${lo.name}'s: a higher level may approve at least as much` });
      }
      if (s.levels.slice(0, i).some((l) => l.id === hi.id)) ctx.addIssue({ code: 'custom', path: ['levels', i, 'name'], message: 'two levels have the same name' });
    }
    if (s.escalateAfterHours <= s.remindAfterHours) ctx.addIssue({ code: 'custom', path: ['escalateAfterHours'], message: 'escalation must come after the reminder' });
    if (s.closes <= s.opens) ctx.addIssue({ code: 'custom', path: ['closes'], message: 'the office must close after it opens' });
  });
export type ApprovalScheme = z.infer<typeof ApprovalScheme>;

const LIMIT_WORDS = { weeklyLimit: 'weekly', commitmentLimit: 'total commitment', yearlyLimit: 'yearly value' } as const;

/**
 * The council's defaults: a manager up to £1,500 a week and £100,000 committed; a head of service
 * up to £250,000 a year and £500,000 committed; a director above that. Reminders after two working
 * days, escalation after three.
 */
export const DEFAULT_SCHEME: ApprovalScheme = ApprovalScheme.parse({
  id: COUNCIL_BODY,
  name: 'The council',
  levels: [
    { id: 'manager', name: 'Manager', weeklyLimit: 1500, commitmentLimit: 100000 },
    { id: 'head-of-service', name: 'Head of service', yearlyLimit: 250000, commitmentLimit: 500000 },
    { id: 'director', name: 'Director' },
  ],
});

export const calendarOf = (s: ApprovalScheme): WorkingCalendar => ({ opens: s.opens, closes: s.closes, bankHolidays: s.bankHolidays, closedDays: s.closedDays });

/** What a decision commits: the weekly cost, the total over its term and the value of a year of it. */
export interface Amounts {
  weekly: number;
  commitment: number;
  yearly: number;
  /** Variations: the weekly cost before, for the card. */
  weeklyBefore?: number;
  /** The weeks the commitment was counted over, and whether the package is open-ended. */
  weeks: number;
  openEnded: boolean;
}

const r2 = (x: number) => Math.round((x + Number.EPSILON) * 100) / 100;

/** A new package (an award or a placement): its weekly cost over its duration (a year when open-ended). */
export function packageAmounts(weekly: number, durationWeeks?: number): Amounts {
  const weeks = durationWeeks ?? OPEN_ENDED_WEEKS;
  return { weekly: r2(weekly), commitment: r2(weekly * weeks), yearly: r2(weekly * 52), weeks, openEnded: !durationWeeks };
}

/**
 * A variation counts the new weekly cost and the commitment it adds: the rise over the weeks left
 * (to the end date, or a year when open-ended), plus the new cost over any weeks it adds at the end.
 */
export function variationAmounts(before: number, after: number, weeksLeftBefore: number | undefined, weeksLeftAfter: number | undefined): Amounts {
  const openEnded = weeksLeftAfter === undefined;
  const left = weeksLeftAfter ?? OPEN_ENDED_WEEKS;
  const kept = Math.min(left, weeksLeftBefore ?? left);
  const added = Math.max(0, (after - before) * kept) + Math.max(0, left - kept) * after;
  return { weekly: r2(after), weeklyBefore: r2(before), commitment: r2(added), yearly: r2(after * 52), weeks: left, openEnded };
}

/** Weeks from a day to an end date (inclusive), or undefined when open-ended. */
export const weeksLeft = (from: string, end?: string) => (end ? Math.max(0, (daysBetween(from, end) + 1) / 7) : undefined);

/** A variation's amounts from its terms: the weekly cost before and after its first day, and the end date before and after (unset after: unchanged). */
export function variationAmountsOf(x: { weeklyBefore: number; weeklyAfter: number; effectiveFrom: string; endBefore?: string; endAfter?: string }): Amounts {
  return variationAmounts(x.weeklyBefore, x.weeklyAfter, weeksLeft(x.effectiveFrom, x.endBefore), weeksLeft(x.effectiveFrom, x.endAfter || x.endBefore));
}

const gbp = (x: number) => `£${x.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** Which of a level's limits the amounts go beyond, in words ("£1,800.00 a week is above Manager's £1,500.00"). */
export function overLimits(level: ApprovalLevel, a: Amounts): string[] {
  const out: string[] = [];
  if (level.weeklyLimit && a.weekly > level.weeklyLimit) out.push(`${gbp(a.weekly)} a week is above ${level.name}'s ${gbp(level.weeklyLimit)} a week`);
  if (level.commitmentLimit && a.commitment > level.commitmentLimit) out.push(`${gbp(a.commitment)} committed is above ${level.name}'s ${gbp(level.commitmentLimit)}`);
  if (level.yearlyLimit && a.yearly > level.yearlyLimit) out.push(`${gbp(a.yearly)} a year is above ${level.name}'s ${gbp(level.yearlyLimit)} a year`);
  return out;
}

/** The lowest level whose limits hold the amounts, and why each level below it cannot decide. */
export function levelFor(s: ApprovalScheme, a: Amounts): { index: number; why: string[] } {
  const why: string[] = [];
  for (let i = 0; i < s.levels.length; i++) {
    const over = overLimits(s.levels[i], a);
    if (!over.length) return { index: i, why };
    why.push(...over);
  }
  return { index: s.levels.length - 1, why };
}

export const levelIndex = (s: ApprovalScheme, id: string | undefined) => {
  const i = s.levels.findIndex((l) => l.id === id);
  return i < 0 ? 0 : i;
};

// ───────────────────────────── decisions ─────────────────────────────

/** `funding`: a change of a jointly funded package's split, put to the partners whose share it changes (issue 24). */
export type ApprovalKind = 'award' | 'variation' | 'off-contract' | 'funding';

/** Someone who may not decide this, and why (separation of duties). */
export interface Conflict {
  userId: string;
  name: string;
  why: string;
}

/** A person the decision was sent to: at its level, as an absent manager's delegate, or on escalation. */
export interface Routed {
  userId: string;
  name: string;
  level: string;
  via: 'level' | 'delegate' | 'escalation';
  /** The absent approver this person acts for. */
  for?: string;
  forName?: string;
  at: string;
}

/**
 * One spending decision waiting for (or given by) an approver: an award, a variation or an
 * off-contract placement. The subject keeps its own state (a request's choices and decisions, an
 * agreement's variations); this record is who may decide it, where it waits and how long it took.
 */
export interface Approval {
  /** `<kind>:<ref>:<n>:<body>`, e.g. `award:PKG-2026-0042:1:council`. */
  id: string;
  kind: ApprovalKind;
  ref: string;
  n: number;
  body: string;
  /** In words, for lists: "the award of PKG-2026-0042 to Caring Hands Ltd". */
  subject: string;
  amounts: Amounts;
  /** The level the amounts need, the level it waits at now (higher after escalation), and why. */
  levelNeeded: string;
  level: string;
  levelWhy: string[];
  conflicts: Conflict[];
  raisedBy: string;
  raisedByName: string;
  raisedAt: string;
  routed: Routed[];
  reminders: { at: string; level: string }[];
  escalations: { at: string; from: string; to: string }[];
  status: 'waiting' | 'approved' | 'rejected' | 'lapsed';
  decidedBy?: string;
  decidedByName?: string;
  /** Set when the decider acted as an absent approver's delegate: "approved by X for Y". */
  decidedFor?: string;
  decidedForName?: string;
  decidedLevel?: string;
  decidedAt?: string;
  note?: string;
}

export const approvalId = (kind: ApprovalKind, ref: string, n: number, body = COUNCIL_BODY) => `${kind}:${ref}:${n}:${body}`;

// ───────────────────────────── absences ─────────────────────────────

/** An approver's out-of-office: decisions that arrive between `from` and `to` (UK days) go to the delegate. */
export interface Absence {
  id: string;
  userId: string;
  from: string;
  to: string;
  delegateId: string;
  by: string;
  at: string;
  /** Ended early by the approver. */
  cancelledAt?: string;
}

export const isAwayOn = (a: Absence, day: string) => !a.cancelledAt && a.from <= day && day <= a.to;

export const AbsenceInput = z
  .object({
    from: z.string({ required_error: 'first day is required' }).trim().refine(isRealDate, 'first day must be a date (YYYY-MM-DD)'),
    to: z.string({ required_error: 'last day is required' }).trim().refine(isRealDate, 'last day must be a date (YYYY-MM-DD)'),
    delegate: z.string({ required_error: 'choose who decides while you are away' }).trim().min(1, 'choose who decides while you are away'),
  })
  .refine((a) => a.to >= a.from, { path: ['to'], message: 'the last day must be on or after the first day' });
