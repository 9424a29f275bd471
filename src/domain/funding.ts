import { z } from 'zod';
import { Slug } from './framework.js';
import { isRealDate } from './dates.js';
import { numberInput } from './numbers.js';

/**
 * Joint funding (issue 24): a package two or more bodies pay for. The council is the lead
 * commissioner and pays whatever the partners do not; each partner (an NHS Integrated Care Board,
 * another council) pays a percentage, or named elements of the package (e.g. the waking nights).
 * Pure rules and types; partners and their approvals live in src/app/funding/.
 *
 * THE ROUNDING RULE (largest remainder, in whole pence). An amount is split by weights: each funder
 * first gets floor(amount × weight ÷ total weight) pence; the pence left over (fewer than the number
 * of funders) go one each to the funders with the largest remainders, ties to the one listed first
 * (the council, then the partners in the order of the split). So every part is a whole number of
 * pence, no penny is lost or made up, and the parts add up to the whole.
 */

export const COUNCIL_FUNDER = 'council';

export const PARTNER_KINDS = ['icb', 'council'] as const;
export const PARTNER_KIND_LABELS: Record<(typeof PARTNER_KINDS)[number], string> = { icb: 'NHS Integrated Care Board', council: 'Another council' };

/** Why a partner pays: the law or agreement under which it shares the cost. */
export const FUNDING_BASES = ['chc', 's117', 'joint-agreement'] as const;
export type FundingBasis = (typeof FUNDING_BASES)[number];
export const BASIS_LABELS: Record<FundingBasis, string> = {
  chc: 'NHS Continuing Healthcare (CHC)',
  s117: 'Section 117 aftercare',
  'joint-agreement': 'Joint funding agreement',
};

/** A funding partner, registered by a commissioner; its people are bound to its own tenant. */
export const FundingPartnerInput = z.object({
  id: Slug,
  name: z.string().trim().min(2, 'the name needs at least 2 characters').max(120, 'the name must be at most 120 characters'),
  kind: z.enum(PARTNER_KINDS, { errorMap: () => ({ message: 'choose an ICB or another council' }) }),
  tenantId: z
    .string({ required_error: "the partner's tenant id is required" })
    .trim()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "the partner's Microsoft 365 tenant id is a GUID like 00000000-0000-0000-0000-000000000000")
    .transform((s) => s.toLowerCase()),
  /** The most its funding approvers may approve a week (its own share); above it, its senior approvers. Blank: no limit. */
  weeklyLimit: z.preprocess(numberInput({ money: true }), z.number({ invalid_type_error: 'the weekly limit must be a number of pounds' }).min(1, 'the weekly limit must be at least £1').max(1e6).optional()),
});
export type FundingPartnerInput = z.infer<typeof FundingPartnerInput>;

export interface FundingPartner {
  id: string;
  name: string;
  kind: (typeof PARTNER_KINDS)[number];
  tenantId: string;
  /** Packages it has (or had) a share of, so its people's list needs no scan of every request. */
  packages: string[];
  addedBy: string;
  at: string;
}

/** One partner's share: a percentage of the whole, or the named elements of the package. */
export interface PartnerShare {
  partnerId: string;
  percent?: number;
  elements?: string[];
  basis: FundingBasis;
  /** The partner has a lawful basis recorded for this package to see the person's details. */
  lawfulBasis: boolean;
}

/** Who pays what, set on the request (and changed later from a day on). The council pays the rest. */
export interface FundingSplit {
  shares: PartnerShare[];
  reason: string;
  /** The first day it applies (on an agreement; the start on the request's). */
  from?: string;
  /** A change on an agreement, numbered: its partners' approvals are `funding:<ref>:<n>:<partner>`. */
  n?: number;
  /** A change waiting for the partners whose share it changes, refused by one, or lapsed (it could no longer apply); unset: in force. */
  status?: 'waiting' | 'refused' | 'lapsed';
  refusal?: { by: string; byName: string; partnerName: string; reason: string; at: string };
  by: string;
  byName: string;
  at: string;
}

/** A card's split input: one partner, by percentage or by elements, with its basis. */
export const SplitInput = z
  .object({
    partnerId: z.string({ required_error: 'choose the partner' }).trim().min(1, 'choose the partner'),
    shareKind: z.enum(['percent', 'elements'], { errorMap: () => ({ message: 'choose a percentage or named elements' }) }),
    // "40%" is 40, as boundedNumber reads percentages elsewhere on cards.
    percent: z.preprocess((v) => numberInput()(typeof v === 'string' ? v.trim().replace(/\s*%$/, '') : v), z.number({ invalid_type_error: "the partner's share must be a number (%)" }).optional()),
    elements: z.string().trim().max(300).default(''),
    basis: z.enum(FUNDING_BASES, { errorMap: () => ({ message: 'choose the basis: CHC, s117 or a joint agreement' }) }),
    lawfulBasis: z.preprocess((v) => v === true || v === 'true', z.boolean()),
    reason: z.string({ required_error: 'the reason is required' }).trim().min(10, 'the reason needs at least 10 characters').max(1000, 'the reason must be at most 1000 characters'),
    from: z.string().trim().default(''),
  })
  .superRefine((s, ctx) => {
    if (s.shareKind === 'percent') {
      if (s.percent === undefined) ctx.addIssue({ code: 'custom', path: ['percent'], message: "give the partner's share (%)" });
      else if (!(s.percent > 0 && s.percent < 100)) ctx.addIssue({ code: 'custom', path: ['percent'], message: "the partner's share must be more than 0% and less than 100%" });
      else if (!hundredths(s.percent)) ctx.addIssue({ code: 'custom', path: ['percent'], message: 'give the share to at most 2 decimal places' });
    } else if (!s.elements.split(/[;,\n]/).some((x) => x.trim())) ctx.addIssue({ code: 'custom', path: ['elements'], message: 'name the elements the partner pays for, e.g. "Waking night"' });
    if (s.from && !isRealDate(s.from)) ctx.addIssue({ code: 'custom', path: ['from'], message: 'the first day must be a date (YYYY-MM-DD)' });
  });
export type SplitInput = z.infer<typeof SplitInput>;

/** Whether a percentage has at most 2 decimals. Not `x * 100 === round(x * 100)`: 0.29 * 100 is 28.999999999999996. */
const hundredths = (x: number) => Math.abs(Math.round(x * 100) - x * 100) < 1e-9;

export const elementNames = (text: string) => [...new Set(text.split(/[;,\n]/).map((x) => x.trim()).filter(Boolean))];

/** A costed element of a package (as `Element` in agreement.ts, which imports this file's types). */
export interface PricedElement {
  name: string;
  hoursPerWeek: number;
  hourlyRate: number;
}

/** Pence, exactly: money in this system has at most two decimals. */
export const pence = (pounds: number) => Math.round(pounds * 100);
const elementPence = (e: PricedElement) => Math.round(e.hoursPerWeek * e.hourlyRate * 100);

/** The funders of a split, the council first, as they are listed everywhere. */
export const fundersOf = (split: FundingSplit | undefined): string[] => [COUNCIL_FUNDER, ...(split?.shares.map((s) => s.partnerId) ?? [])];

/**
 * Why a split cannot apply to these elements, if it cannot: a named element the package does not
 * have, or shares (percentages or elements) that leave the council nothing to pay.
 */
export function splitProblem(split: Pick<FundingSplit, 'shares'>, elements: PricedElement[]): string | undefined {
  const names = elements.map((e) => e.name.toLowerCase());
  let percent = 0;
  for (const s of split.shares) {
    for (const n of s.elements ?? []) if (!names.includes(n.toLowerCase())) return `the package has no element "${n}" (it has ${elements.map((e) => e.name).join(', ')})`;
    percent += s.percent ?? 0;
  }
  if (percent >= 100) return 'the partners would pay 100% or more: the council, as lead commissioner, keeps a share';
  // Named elements can take all of it too (every element, or elements with percentages beside them).
  const total = elements.reduce((t, e) => t + elementPence(e), 0);
  if (total > 0 && weeklyWeights(split, elements)[0] === 0n) return 'the partners would pay all of it: the council, as lead commissioner, keeps a share';
  return undefined;
}

/**
 * The weights a weekly amount is split by under a split, for terms with these elements. A
 * percentage share weighs its basis points of the weekly cost (40% → 4000 × cost); an element
 * share weighs the pence of its elements × 10,000; the council weighs the rest. Both scales are
 * the weekly cost × 10,000, so weights from different days (and splits) can be added.
 */
export function weeklyWeights(split: Pick<FundingSplit, 'shares'> | undefined, elements: PricedElement[]): bigint[] {
  const total = BigInt(elements.reduce((t, e) => t + elementPence(e), 0));
  const shares = split?.shares ?? [];
  const partner = shares.map((s) => {
    if (s.elements?.length) {
      const names = s.elements.map((n) => n.toLowerCase());
      return BigInt(elements.filter((e) => names.includes(e.name.toLowerCase())).reduce((t, e) => t + elementPence(e), 0)) * 10_000n;
    }
    return total * BigInt(Math.round((s.percent ?? 0) * 100));
  });
  const council = total * 10_000n - partner.reduce((t, w) => t + w, 0n);
  return [council < 0n ? 0n : council, ...partner];
}

/** An amount in pence split by weights under the rule above (all weights zero: the first takes it all). */
export function splitPence(amount: number, weights: bigint[]): number[] {
  const sum = weights.reduce((t, w) => t + w, 0n);
  if (sum === 0n) return weights.map((_, i) => (i === 0 ? amount : 0));
  const sign = amount < 0 ? -1n : 1n;
  const whole = BigInt(Math.abs(amount));
  const parts = weights.map((w) => (whole * w) / sum);
  const rests = weights.map((w, i) => ({ i, rest: (whole * w) % sum }));
  let left = whole - parts.reduce((t, p) => t + p, 0n);
  for (const r of [...rests].sort((a, b) => (b.rest > a.rest ? 1 : b.rest < a.rest ? -1 : a.i - b.i))) {
    if (left === 0n) break;
    parts[r.i] += 1n;
    left -= 1n;
  }
  return parts.map((p) => Number(p * sign));
}

/** An amount in pounds split to the penny: the parts, in pounds, add up to it exactly. */
export const splitPounds = (amount: number, weights: bigint[]): number[] => splitPence(pence(amount), weights).map((p) => p / 100);

/** The split in force on a day: the latest whose first day is on or before it (the first before any). */
export function splitOn(history: FundingSplit[] | undefined, day: string): FundingSplit | undefined {
  const live = history?.filter((s) => !s.status);
  if (!live?.length) return undefined;
  let found = live[0];
  for (const s of live) if ((s.from ?? '') <= day) found = s;
  return found;
}

/** Every split in force on some day from `day` on: the one in force that day, then each later one that takes over (as versionsFrom). */
export function splitsFrom(history: FundingSplit[] | undefined, day: string): FundingSplit[] {
  const first = splitOn(history, day);
  const later = (history ?? []).filter((s) => !s.status && (s.from ?? '') > day && splitOn(history, s.from!) === s);
  return first ? [first, ...later] : later;
}

/** One day of a period as the split sees it: the terms in force and how much of its cost counts (1 = all; a suspended day its retainer share). */
export interface FundedDay {
  day: string;
  elements: PricedElement[];
  /** Of the day's cost: 1 on a planned day, the retainer's fraction on a suspended day within the retainer weeks, else 0. */
  factor: number;
}

/**
 * The weights of a period: for each day, the weekly weights of the split in force that day × how
 * much of that day's cost counts (in hundredths of a per cent). So a period whose split, or terms,
 * change on one of its days is split in proportion to what each funder's share of each day was;
 * where nothing counts (every day beyond the retainer weeks), by the split in force at its end.
 */
export function periodWeights(history: FundingSplit[] | undefined, days: FundedDay[]): bigint[] {
  const ids = fundersOf;
  const funders = historyFunders(history);
  const sum = funders.map(() => 0n);
  for (const d of days) {
    const split = splitOn(history, d.day);
    const w = weeklyWeights(split, d.elements);
    const f = BigInt(Math.round(d.factor * 10_000));
    ids(split).forEach((id, i) => (sum[funders.indexOf(id)] += w[i] * f));
  }
  if (sum.some((x) => x > 0n) || !days.length) return sum;
  const last = days.at(-1)!;
  const split = splitOn(history, last.day);
  const w = weeklyWeights(split, last.elements);
  return funders.map((id) => w[ids(split).indexOf(id)] ?? 0n);
}

/** The funders of a whole history, in the order periodWeights returns them (council first). */
export const historyFunders = (history: FundingSplit[] | undefined): string[] => {
  const all = [...new Set((history ?? []).filter((s) => !s.status).flatMap((s) => fundersOf(s)))];
  return all.length ? all : [COUNCIL_FUNDER];
};

/** A split in words: "Council 60%, NHS Example ICB 40% (CHC)" or "NHS Example ICB pays Waking night (s117); the council the rest". */
export function splitWords(split: FundingSplit | undefined, names: (id: string) => string): string {
  if (!split?.shares.length) return 'The council pays all of it.';
  const pct = split.shares.filter((s) => s.percent !== undefined);
  const council = 100 - pct.reduce((t, s) => t + (s.percent ?? 0), 0);
  const parts = split.shares.map((s) => `${names(s.partnerId)} ${s.elements?.length ? `pays ${s.elements.join(', ')}` : `${fmtPct(s.percent!)}`} (${BASIS_LABELS[s.basis]})`);
  return split.shares.every((s) => s.percent !== undefined) ? `The council ${fmtPct(council)}; ${parts.join('; ')}.` : `${parts.join('; ')}; the council pays the rest.`;
}

const fmtPct = (x: number) => `${Number.isInteger(x) ? x : x.toFixed(2)}%`;
