import { z } from 'zod';
import { isRealDate } from './dates.js';
import { numberInput, plainNumber } from './numbers.js';
import type { FundingSplit } from './funding.js';

/**
 * After the award: the service agreement the package lives under. It is created when the winner
 * accepts (or an off-contract placement is recorded) and is versioned: every change of terms,
 * codes, dates or status appends a version, so the history can be read back as it happened.
 * Delivered-hours returns, suspensions and variations live on it; the money is worked out from
 * them by the pure rules in agreementRules.ts, never stored, so it cannot drift.
 */

/** One costed part of a package, e.g. day support and waking nights at their own rates. */
export interface Element {
  name: string;
  hoursPerWeek: number;
  hourlyRate: number;
}

export interface FinanceCodes {
  /** The council's cost centre the package is charged to. */
  costCentre: string;
  /** The provider's id in the council's finance system (ContrOCC or another). */
  providerFinanceId: string;
}

export type VersionChange = 'created' | 'start confirmed' | 'terms' | 'variation' | 'suspension' | Ending['kind'];

export interface AgreementVersion {
  version: number;
  change: VersionChange;
  /** The first day these elements apply. Changes that leave the elements alone keep the previous day. */
  effectiveFrom: string;
  elements: Element[];
  hoursPerWeek: number;
  weeklyCost: number;
  startDate: string;
  endDate?: string;
  reviewDate?: string;
  financeCodes: FinanceCodes;
  /** What changed, in words (e.g. "hours 21 → 28; waking night added"). */
  summary: string;
  reason?: string;
  by: string;
  at: string;
}

export interface DeliveredReturn {
  /** The period's first day; periods are counted from the agreement's start. */
  periodStart: string;
  hours: number;
  source: 'card' | 'csv';
  by: string;
  at: string;
  /** Earlier figures for the same period, when the provider corrected a return. */
  corrections: { hours: number; by: string; at: string }[];
}

export interface Suspension {
  id: string;
  reason: string;
  /** First and last day of the suspension (inclusive). */
  from: string;
  to: string;
  by: string;
  at: string;
}

export const VARIATION_KINDS = ['hours', 'rate', 'elements', 'end date'] as const;

export interface Variation {
  n: number;
  proposedBy: string;
  proposedByName: string;
  /** 'provider' when the provider asked; 'council' for the social worker or a broker. */
  side: 'provider' | 'council';
  at: string;
  effectiveFrom: string;
  elements: Element[];
  endDate?: string;
  reason: string;
  weeklyBefore: number;
  weeklyAfter: number;
  /** Why it needs a manager (empty: applied at once), in the council's words (domain/variationApproval.ts). */
  approvalReasons: string[];
  /** The same, without what the provider may not read (the budget, unless shown to providers); absent on variations from before it was kept, which show the provider none. */
  providerReasons?: string[];
  /**
   * awaiting_agreement: the provider's change cuts hours or ends the package early, so the social
   * worker or a broker must agree before anything else (src/app/approvals/providerChanges.ts).
   */
  status: 'awaiting_agreement' | 'awaiting_approval' | 'approved' | 'rejected' | 'applied';
  /** The council's answer to a provider's cut: who answered and when (agreed; or declined, status rejected). */
  agreedBy?: string;
  agreedByName?: string;
  agreedAt?: string;
  agreementNote?: string;
  /** Set when decided by an absent approver's delegate: "approved by X for Y". */
  decidedFor?: string;
  decidedForName?: string;
  decidedBy?: string;
  decidedByName?: string;
  decidedAt?: string;
  decisionNote?: string;
}

/** A provider's change the council did not agree to (declined before any approver saw it), rather than one an approver rejected. */
export const notAgreed = (v: Pick<Variation, 'status' | 'agreedBy' | 'decidedBy'>): boolean => v.status === 'rejected' && !!v.agreedBy && !v.decidedBy;

/** A variation still waiting: for the council's agreement (a provider's cut) or for an approver. */
export const isWaiting = (v: Pick<Variation, 'status'>): boolean => v.status === 'awaiting_agreement' || v.status === 'awaiting_approval';

/** A "review needed" raised for the social worker and broker, with the figures that raised it. */
export interface ReviewFlag {
  id: string;
  kind: 'variance' | 'missing return' | 'review date' | 'off-contract' | 'excess hours';
  periodStart?: string;
  text: string;
  at: string;
}

export interface Ending {
  on: string;
  reason: string;
  kind: 'ended' | 'handed back' | 're-brokered';
  by: string;
  at: string;
  /** The new request started from this one (hand-back, re-brokering). */
  nextRef?: string;
}

export type AgreementStatus = 'awaiting_start' | 'active' | 'ended';

/**
 * The rules that decide money, fixed for an agreement when it is created: a later change of the
 * council's rules must not re-price periods finance has already paid.
 */
export type MoneyRules = Pick<ContractRules, 'period' | 'tolerancePct' | 'bankMaxHours' | 'bankMaxWeeks' | 'retainerPct' | 'retainerWeeks'>;
export const moneyRulesOf = (r: ContractRules): MoneyRules => ({ period: r.period, tolerancePct: r.tolerancePct, bankMaxHours: r.bankMaxHours, bankMaxWeeks: r.bankMaxWeeks, retainerPct: r.retainerPct, retainerWeeks: r.retainerWeeks });

export interface Agreement {
  /** `AGR-<request ref>`: one agreement per request; a re-brokered package gets a new request. */
  id: string;
  ref: string;
  /** Empty for an off-contract placement. */
  providerId?: string;
  providerName: string;
  offContract: boolean;
  status: AgreementStatus;
  /** Lots and zone, copied from the request so reports need not read it. */
  lots: string[];
  zone: string;
  budgetWeekly: number;
  /** The broker showed the budget to providers on the call-off ("Show the budget to providers"); absent on older agreements, which keep it from them. */
  budgetShown?: boolean;
  /** Period, tolerance, banking and retainer as they were when the agreement was created. */
  moneyRules: MoneyRules;
  /** The social worker who owns the request. */
  owner: string;
  /** The start the award was made for; the provider confirms or moves it. */
  proposedStart: string;
  versions: AgreementVersion[];
  returns: DeliveredReturn[];
  suspensions: Suspension[];
  variations: Variation[];
  reviews: ReviewFlag[];
  ending?: Ending;
  /** Joint funding, each split with the first day it applies (src/domain/funding.ts); unset: the council pays all. */
  funding?: FundingSplit[];
  createdAt: string;
  updatedAt: string;
}

export const agreementId = (ref: string) => `AGR-${ref.toUpperCase()}`;
export const current = (a: Pick<Agreement, 'versions'>): AgreementVersion => a.versions.at(-1)!;

// ───────────────────────────── the council's rules ─────────────────────────────

const n = (what: string, min: number, max: number, int = false) =>
  z.preprocess(
    // Plain decimals only (numbers.ts): Number() would read "0x10" as 16 and "1e2" as 100.
    (v) => numberInput({ money: true })(typeof v === 'string' ? v.trim().replace(/\s*%$/, '') : v),
    z
      .number({ required_error: `${what} is required`, invalid_type_error: `${what} must be a number` })
      .refine(Number.isFinite, `${what} must be a number`)
      .pipe(z.number().min(min, `${what} must be at least ${min}`).max(max, `${what} must be at most ${max}`).refine((x) => !int || Number.isInteger(x), `${what} must be a whole number`)),
  );

export const PERIOD_KINDS = ['weekly', 'four-weekly'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** What the council sets once for every agreement (the commissioner's `contract rules` card). */
export const ContractRules = z.object({
  id: z.literal('contract-rules').default('contract-rules'),
  period: z.enum(PERIOD_KINDS, { errorMap: () => ({ message: 'choose weekly or four-weekly' }) }).default('four-weekly'),
  tolerancePct: n('variance tolerance (%)', 0, 100).default(10),
  bankMaxHours: n('most hours that can be banked', 0, 500).default(10),
  bankMaxWeeks: n('weeks banked hours last', 0, 52, true).default(8),
  variationThreshold: n('weekly cost rise needing approval (£)', 0, 20000).default(50),
  retainerPct: n('retainer during a suspension (%)', 0, 100).default(50),
  retainerWeeks: n('weeks the retainer is paid', 0, 52, true).default(2),
  firstReviewWeeks: n('weeks to the first review', 1, 52, true).default(6),
  offContractReviewWeeks: n('weeks to an off-contract review', 1, 52, true).default(4),
  reminderDays: n('days after a period before a return is chased', 1, 28, true).default(3),
  frameworkMinAnnual: n('framework minimum annual spend (£)', 0, 1e9).default(0),
  frameworkMaxAnnual: n('framework maximum annual spend (£)', 0, 1e9).default(0),
  /** The notice a provider gives when it hands a package back: its last day is at least this many days on. */
  handBackNoticeDays: n("days' notice of a provider's hand-back", 0, 365, true).default(28),
});
export type ContractRules = z.infer<typeof ContractRules>;
export const CONTRACT_RULES_ID = 'contract-rules';
export const DEFAULT_RULES: ContractRules = ContractRules.parse({});

// ───────────────────────────── card inputs ─────────────────────────────

const day = (what: string) => z.string({ required_error: `${what} is required` }).trim().min(1, `${what} is required`).refine(isRealDate, `${what} must be a date (YYYY-MM-DD)`);
const text = (what: string, min: number, max: number) => z.string({ required_error: `${what} is required` }).trim().min(min, `${what} needs at least ${min} characters`).max(max, `${what} must be at most ${max} characters`);

export const StartInput = z.object({ startDate: day('start date') });

export const TermsInput = z.object({
  reviewDate: day('review date'),
  costCentre: z.string().trim().max(40, 'cost centre must be at most 40 characters').regex(/^[A-Za-z0-9/._-]*$/, 'cost centre: letters, digits, / . _ - only'),
  providerFinanceId: z.string().trim().max(40, 'provider finance id must be at most 40 characters').regex(/^[A-Za-z0-9/._-]*$/, 'provider finance id: letters, digits, / . _ - only'),
});

export const ReturnInput = z.object({
  periodStart: day('period'),
  hours: n('hours delivered', 0, 24 * 28),
});

/**
 * Elements as a card sends them: one a line, `name: hours @ rate` (e.g. `Waking night: 7 @ 22`).
 * Plain text keeps the card small; the parser names the line that is wrong.
 */
export const ElementsText = z.string({ required_error: 'elements are required' }).transform((s, ctx): Element[] => {
  const lines = s.split(/\r?\n|;/).map((l) => l.trim()).filter(Boolean);
  if (!lines.length) ctx.addIssue({ code: 'custom', message: 'give at least one element, e.g. "Day support: 21 @ 25"' });
  const out: Element[] = [];
  lines.forEach((line, i) => {
    const m = /^(.{2,60}?)\s*:\s*([\d.]+)\s*(?:h(?:ours?)?)?\s*@\s*£?\s*([\d.]+)$/i.exec(line);
    const hours = m ? plainNumber(m[2]) : NaN;
    const rate = m ? plainNumber(m[3]) : NaN;
    if (!m || !Number.isFinite(hours) || !Number.isFinite(rate)) return ctx.addIssue({ code: 'custom', message: `line ${i + 1} ("${line.slice(0, 40)}") must read "name: hours @ rate"` });
    if (hours <= 0 || hours > 168) return ctx.addIssue({ code: 'custom', message: `line ${i + 1}: hours must be more than 0 and at most 168` });
    if (rate <= 0 || rate > 200) return ctx.addIssue({ code: 'custom', message: `line ${i + 1}: the hourly rate must be more than £0 and at most £200` });
    out.push({ name: m[1].trim(), hoursPerWeek: hours, hourlyRate: rate });
  });
  if (out.reduce((t, e) => t + e.hoursPerWeek, 0) > 168) ctx.addIssue({ code: 'custom', message: 'the elements add up to more than 168 hours a week' });
  return out;
});

export const VariationInput = z.object({
  elements: ElementsText,
  effectiveFrom: day('effective from'),
  endDate: z.string().trim().refine((s) => s === '' || isRealDate(s), 'end date must be a date (YYYY-MM-DD)').default(''),
  reason: text('reason', 10, 1000),
});

export const SUSPENSION_REASONS = ['hospital stay', 'respite', 'person away', 'other'] as const;
export const SuspensionInput = z.object({
  kind: z.enum(SUSPENSION_REASONS, { errorMap: () => ({ message: 'choose why it is suspended' }) }),
  from: day('first day'),
  to: day('last day'),
  note: z.string().trim().max(500, 'note must be at most 500 characters').default(''),
});

export const EndInput = z.object({ on: day('last day'), reason: text('reason', 10, 1000) });

export const elementsText = (els: Element[]) => els.map((e) => `${e.name}: ${e.hoursPerWeek} @ ${e.hourlyRate}`).join('\n');
